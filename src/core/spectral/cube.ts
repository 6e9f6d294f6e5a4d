/**
 * Radiance cubes in BIP layout and the pixel bookkeeping every detector shares: which pixels are
 * data, which of those may feed the background statistics, and how detector columns are grouped.
 *
 * Layout: `data[(line * samples + sample) * bands + band]` (pixel-major, bands adjacent). A "pixel
 * index" is `line * samples + sample`. A detector column is one `sample` index across all lines
 * (pushbroom sensors: each column is one detector element with its own response).
 */

import { PlumetraceError } from '../errors.ts';

export interface RadianceCube {
  /** Radiance, BIP: `data[(line * samples + sample) * bands + band]`; any radiance unit. */
  readonly data: Float32Array;
  readonly lines: number;
  readonly samples: number;
  readonly bands: number;
}

/** Which pixels are used, and how. All optional; the defaults suit at-sensor SWIR radiance. */
export interface PixelRules {
  /** Per pixel (lines × samples): 0 = no data (output NaN, not in statistics). Absent: all pixels may be data. */
  readonly validMask?: Uint8Array;
  /**
   * Per pixel (lines × samples): 1 = keep out of the background statistics but still give an output
   * (e.g. pixels a first pass flagged as plume, so they do not dilute their own signal).
   */
  readonly excludeFromStatistics?: Uint8Array;
  /** A pixel with any band equal to this value is no data (e.g. −9999). NaN/±Infinity in any band always are. */
  readonly noDataValue?: number;
  /**
   * A pixel with any band at or above this radiance is saturated: it still gets an output, but is
   * kept out of the background statistics. Absent: no absolute saturation check.
   */
  readonly saturationRadiance?: number;
  /**
   * Bright outliers (flares, specular glints) are kept out of the statistics: a pixel whose mean
   * radiance over the bands m exceeds exp(median + k · 1.4826 · MAD) of ln m over all data pixels.
   * On ln m, not m: a scene that is mostly dark water with bright land (Moffett Field, coasts) has a
   * median and MAD of m set by the water alone, and a linear rule would throw all the land out of
   * the statistics; a flare is a multiplicative outlier (×10 or more) and stays one on ln m.
   * This is k; default 10. `Infinity` turns the rule off.
   */
  readonly brightOutlierMads?: number;
}

export const DEFAULT_BRIGHT_OUTLIER_MADS = 10;

export interface PixelClasses {
  /** 1 where the pixel is data (gets an output), else 0. Length lines × samples. */
  readonly isData: Uint8Array;
  /** 1 where the pixel feeds the background statistics (data, not saturated, not a bright outlier). */
  readonly inStatistics: Uint8Array;
  /** Data pixels left out of the statistics for saturation or brightness (not counting `excludeFromStatistics`). */
  readonly excludedBright: number;
  /** Threshold on the per-pixel mean radiance used by the bright-outlier rule (Infinity when off). */
  readonly brightThreshold: number;
}

/** Throws PT_ERR_SPECTRAL_INPUT unless the cube's sizes agree with its data. */
export function checkCube(cube: RadianceCube, what = 'cube'): void {
  const { lines, samples, bands, data } = cube;
  for (const [name, v] of [
    ['lines', lines],
    ['samples', samples],
    ['bands', bands],
  ] as const) {
    if (!Number.isInteger(v) || v < 1) {
      throw new PlumetraceError('PT_ERR_SPECTRAL_INPUT', `${what}: ${name} must be a positive integer, got ${v}`);
    }
  }
  if (data.length !== lines * samples * bands) {
    throw new PlumetraceError(
      'PT_ERR_SPECTRAL_INPUT',
      `${what}: ${data.length} values, expected lines ${lines} × samples ${samples} × bands ${bands}`,
    );
  }
}

/** Classifies every pixel of `cube` by `rules` (see PixelRules). One pass over the cube. */
export function classifyPixels(cube: RadianceCube, rules: PixelRules = {}): PixelClasses {
  checkCube(cube);
  const { data, bands } = cube;
  const nPix = cube.lines * cube.samples;
  const { validMask, excludeFromStatistics: exclude, noDataValue, saturationRadiance } = rules;
  const k = rules.brightOutlierMads ?? DEFAULT_BRIGHT_OUTLIER_MADS;
  if (validMask !== undefined && validMask.length !== nPix) {
    throw new PlumetraceError(
      'PT_ERR_SPECTRAL_INPUT',
      `validMask has ${validMask.length} entries, expected lines × samples = ${nPix}`,
    );
  }
  if (exclude !== undefined && exclude.length !== nPix) {
    throw new PlumetraceError(
      'PT_ERR_SPECTRAL_INPUT',
      `excludeFromStatistics has ${exclude.length} entries, expected lines × samples = ${nPix}`,
    );
  }
  if (!(k > 0)) throw new PlumetraceError('PT_ERR_SPECTRAL_INPUT', `brightOutlierMads must be > 0, got ${k}`);
  const noData = noDataValue ?? Number.NaN; // NaN never compares equal: no extra check
  const sat = saturationRadiance ?? Number.POSITIVE_INFINITY;
  const isData = new Uint8Array(nPix);
  const inStatistics = new Uint8Array(nPix);
  const meanRadiance = new Float64Array(nPix);
  let nData = 0;
  for (let p = 0; p < nPix; p++) {
    if (validMask !== undefined && validMask[p] === 0) continue;
    const o = p * bands;
    let sum = 0;
    let bad = false;
    let saturated = false;
    for (let b = 0; b < bands; b++) {
      const v = data[o + b];
      // v − v is NaN for NaN and ±Infinity.
      if (v - v !== 0 || v === noData) {
        bad = true;
        break;
      }
      if (v >= sat) saturated = true;
      sum += v;
    }
    if (bad) continue;
    isData[p] = 1;
    inStatistics[p] = saturated || (exclude !== undefined && exclude[p] !== 0) ? 0 : 1;
    meanRadiance[p] = sum / bands;
    nData++;
  }
  let brightThreshold = Number.POSITIVE_INFINITY;
  let excludedBright = 0;
  for (let p = 0; p < nPix; p++) {
    if (isData[p] === 1 && inStatistics[p] === 0 && (exclude === undefined || exclude[p] === 0)) excludedBright++;
  }
  if (Number.isFinite(k) && nData > 0) {
    const values = new Float64Array(nData);
    const ln = (v: number) => Math.log(Math.max(v, Number.MIN_VALUE));
    for (let p = 0, j = 0; p < nPix; p++) if (isData[p] === 1) values[j++] = ln(meanRadiance[p]);
    const median = medianInPlace(values);
    for (let j = 0; j < nData; j++) values[j] = Math.abs(values[j] - median);
    const mad = medianInPlace(values);
    brightThreshold = Math.exp(median + k * 1.4826 * mad);
    for (let p = 0; p < nPix; p++) {
      if (inStatistics[p] === 1 && meanRadiance[p] > brightThreshold) {
        inStatistics[p] = 0;
        excludedBright++;
      }
    }
  }
  return { isData, inStatistics, excludedBright, brightThreshold };
}

/** Adjacent detector columns that share one set of background statistics. */
export interface ColumnGroups {
  /** Group index of each sample (column). */
  readonly groupOfSample: Int32Array;
  /** First sample of each group, plus one final entry = samples (groups are contiguous ranges). */
  readonly groupStart: Int32Array;
  /** Statistics pixels in each group. */
  readonly groupPixels: Int32Array;
  /** The minimum statistics pixels a group needs: ceil(minPixelsPerBand × bands). */
  readonly minPixels: number;
}

export const DEFAULT_MIN_PIXELS_PER_BAND = 1.5;

/**
 * Groups detector columns for the statistics. Rule: walk the columns left to right, adding each to
 * the open group; close the group once it holds at least ceil(minPixelsPerBand × bands) statistics
 * pixels. A short group left at the right edge joins the group before it. So a column with enough
 * pixels is its own group, and sparse columns (no-data stripes, narrow swaths) pool with their
 * neighbours. Throws PT_ERR_TOO_FEW_SAMPLES when the whole cube has fewer than the minimum.
 */
export function planColumnGroups(
  inStatistics: Uint8Array,
  lines: number,
  samples: number,
  bands: number,
  minPixelsPerBand = DEFAULT_MIN_PIXELS_PER_BAND,
): ColumnGroups {
  if (!(minPixelsPerBand > 0) || !Number.isFinite(minPixelsPerBand)) {
    throw new PlumetraceError('PT_ERR_SPECTRAL_INPUT', `minPixelsPerBand must be positive, got ${minPixelsPerBand}`);
  }
  const minPixels = Math.max(2, Math.ceil(minPixelsPerBand * bands));
  const perColumn = new Int32Array(samples);
  for (let l = 0; l < lines; l++) {
    const row = l * samples;
    for (let s = 0; s < samples; s++) perColumn[s] += inStatistics[row + s];
  }
  let total = 0;
  for (let s = 0; s < samples; s++) total += perColumn[s];
  if (total < minPixels) {
    throw new PlumetraceError(
      'PT_ERR_TOO_FEW_SAMPLES',
      `${total} pixels usable for background statistics; ${bands} bands need at least ${minPixels}`,
    );
  }
  const starts: number[] = [0];
  const counts: number[] = [];
  let open = 0;
  for (let s = 0; s < samples; s++) {
    open += perColumn[s];
    if (open >= minPixels && s < samples - 1) {
      counts.push(open);
      starts.push(s + 1);
      open = 0;
    }
  }
  if (open >= minPixels || counts.length === 0) counts.push(open);
  else {
    starts.pop();
    counts[counts.length - 1] += open;
  }
  starts.push(samples);
  const groupOfSample = new Int32Array(samples);
  for (let g = 0; g < counts.length; g++) groupOfSample.fill(g, starts[g], starts[g + 1]);
  return { groupOfSample, groupStart: Int32Array.from(starts), groupPixels: Int32Array.from(counts), minPixels };
}

/** Median of `a` (reorders it). Quickselect, O(n) expected. */
export function medianInPlace(a: Float64Array): number {
  const n = a.length;
  if (n === 0) return Number.NaN;
  const hi = selectInPlace(a, n >> 1);
  if (n % 2 === 1) return hi;
  // After selection everything left of n/2 is ≤ a[n/2]: the lower middle is their maximum.
  let lo = a[0];
  for (let i = 1; i < n >> 1; i++) if (a[i] > lo) lo = a[i];
  return 0.5 * (lo + hi);
}

function selectInPlace(a: Float64Array, k: number): number {
  let left = 0;
  let right = a.length - 1;
  while (right > left) {
    // Median of three as pivot, Hoare partition.
    const mid = (left + right) >>> 1;
    const x = a[left];
    const y = a[mid];
    const z = a[right];
    const pivot = Math.max(Math.min(x, y), Math.min(Math.max(x, y), z)); // median of three
    let i = left;
    let j = right;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) {
        const t = a[i];
        a[i] = a[j];
        a[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) right = j;
    else if (k >= i) left = i;
    else return a[k];
  }
  return a[k];
}
