/**
 * Plume masks from a matched-filter enhancement map (lines × samples, ppm·m; NaN = no data).
 *
 * Steps, in order:
 *  1. Local noise. Nodes on a grid every ≤ tileSizePx/2 px, spanning the map edge to edge; around
 *     each node a window of `tileSizePx` square (default 32, clipped at the edges). Per window the
 *     background is the median m of the data pixels and the noise σ is a one-sided MAD from the lower
 *     half only, σ = 1.4826 · median(m − x | x < m), so a plume (the bright tail) does not inflate it.
 *     Node values are bilinearly interpolated to every pixel. A window with fewer than
 *     `minTilePixels` data pixels takes the median of the other nodes. A caller may pass its own
 *     per-pixel σ (`sigmaPpmM`) instead; the background is then 0.
 *     When the first pass (steps 1–6) finds plumes, the noise is estimated again without their pixels
 *     (grown by 2 px) and steps 2–6 run again: a strong plume covering much of a tile inflates σ.
 *  2. z = (x − background) / σ per pixel.
 *  3. Candidates: z ≥ `growZ` (default 2). Morphology with a 3×3 square structuring element
 *     (`morphology`, default 'open-close'): an opening (erode, dilate) removes specks and 1–2 px wide
 *     spurs — only unions of full 3×3 squares of candidates survive — then a closing (dilate, erode)
 *     fills pinholes and bridges gaps of ≤ 2 px. Outside the image counts as foreground for erosion.
 *     Closing first ('close-open') keeps more of a weak, holey plume but lets noise through: 2 of 100
 *     128×128 noise fields gave a false plume against 0 of 100 with 'open-close' (see the tests).
 *     No-data pixels are removed after morphology, so they are never in a mask.
 *  4. Hysteresis: 8-connected components of the cleaned candidates are kept only if they hold a
 *     seed pixel, z ≥ `seedZ` (default 4).
 *  5. Merging: kept components whose closest pixel centres are less than `mergeDistancePx`
 *     (Euclidean, default 5) apart become one plume.
 *  6. Plumes with fewer than `minPixels` (default 10) pixels are dropped; the rest are labelled 1..K
 *     by decreasing `score`.
 *
 * Pure (no Node APIs); typed arrays per pixel, one small record per plume.
 */

import { PlumetraceError } from '../errors.ts';
import { medianInPlace } from './cube.ts';

export const PLUME_MASK_ALGORITHM_VERSION = 'plumetrace-plume-mask-hysteresis/1';

/** 1 / Φ⁻¹(3/4): turns a median absolute deviation into a Gaussian σ. */
const MAD_TO_SIGMA = 1.482602218505602;

export const DEFAULT_PLUME_MASK_OPTIONS = {
  seedZ: 4,
  growZ: 2,
  tileSizePx: 32,
  minTilePixels: 64,
  morphology: 'open-close',
  mergeDistancePx: 5,
  minPixels: 10,
} as const;

/** Closing = dilate then erode (fills pinholes, bridges gaps ≤ 2 px); opening = erode then dilate (removes specks). */
export type Morphology = 'close-open' | 'open-close' | 'open' | 'close' | 'none';
const MORPHOLOGIES: readonly string[] = ['close-open', 'open-close', 'open', 'close', 'none'];

export interface PlumeMaskOptions {
  /** A plume must hold at least one pixel with z ≥ seedZ. Default 4. */
  readonly seedZ?: number;
  /** Plumes grow over pixels with z ≥ growZ (hysteresis). Default 2; must be ≤ seedZ. */
  readonly growZ?: number;
  /** Side of the noise tiles, px. Default 32. */
  readonly tileSizePx?: number;
  /** Fewest data pixels for a tile's own noise estimate. Default 64. */
  readonly minTilePixels?: number;
  /** 3×3 square morphology on the candidates, applied left to right. Default 'open-close'. */
  readonly morphology?: Morphology;
  /** Components closer than this (pixel centres, Euclidean, px) merge. Default 5; 0 turns merging off. */
  readonly mergeDistancePx?: number;
  /** Plumes with fewer pixels are dropped. Default 10. */
  readonly minPixels?: number;
  /** Per-pixel noise σ (ppm·m) to use instead of the local estimate; the background is then 0. */
  readonly sigmaPpmM?: Float64Array | Float32Array;
}

export interface ResolvedPlumeMaskOptions {
  readonly seedZ: number;
  readonly growZ: number;
  readonly tileSizePx: number;
  readonly minTilePixels: number;
  readonly morphology: Morphology;
  readonly mergeDistancePx: number;
  readonly minPixels: number;
  readonly noise: 'local-tiles' | 'caller' | 'albedo-weighted';
}

/** One plume of a mask. Sums run over the plume's pixels. */
export interface PlumeRegion {
  /** Its value in `labels`. */
  readonly label: number;
  readonly pixelCount: number;
  /** Largest enhancement in the plume, ppm·m, and its pixel (index = line · samples + sample). */
  readonly maxEnhancementPpmM: number;
  readonly maxPixel: number;
  /** Σ enhancement, ppm·m · pixels (raw enhancement, background not subtracted). */
  readonly sumEnhancementPpmM: number;
  /** Σ σ², (ppm·m)² · pixels: the variance of `sumEnhancementPpmM` under independent pixel noise. */
  readonly sumNoiseVariancePpmM2: number;
  /** Σ z. */
  readonly sumZ: number;
  /** Ranking score: Σz / √N, the significance of the plume's mean z under independent unit noise. */
  readonly score: number;
  /** Bounding box, inclusive. */
  readonly lineMin: number;
  readonly lineMax: number;
  readonly sampleMin: number;
  readonly sampleMax: number;
}

export interface PlumeMaskResult {
  readonly lines: number;
  readonly samples: number;
  /** Per pixel: 0 background (or no data), 1..K plume label. */
  readonly labels: Int32Array;
  /** Per pixel z = (x − background)/σ; NaN where no data. */
  readonly zScore: Float64Array;
  /** Per pixel noise σ used, ppm·m. */
  readonly noiseSigmaPpmM: Float64Array;
  /** Per pixel background subtracted for z, ppm·m. */
  readonly backgroundPpmM: Float64Array;
  /** Plumes by label (plumes[i].label === i + 1), strongest score first. */
  readonly plumes: readonly PlumeRegion[];
  readonly options: ResolvedPlumeMaskOptions;
  readonly algorithmVersion: string;
}

export interface LocalNoise {
  readonly sigmaPpmM: Float64Array;
  readonly backgroundPpmM: Float64Array;
}

/** Tile-wise robust background and noise (step 1 of the file comment), interpolated to every pixel. */
export function localNoise(
  enhancementPpmM: Float64Array | Float32Array,
  lines: number,
  samples: number,
  tileSizePx: number = DEFAULT_PLUME_MASK_OPTIONS.tileSizePx,
  minTilePixels: number = DEFAULT_PLUME_MASK_OPTIONS.minTilePixels,
): LocalNoise {
  checkShape(enhancementPpmM, lines, samples);
  if (!(tileSizePx >= 2) || !Number.isFinite(tileSizePx)) badOption('tileSizePx', tileSizePx);
  return noiseImpl(enhancementPpmM, lines, samples, tileSizePx, minTilePixels).noise;
}

/** localNoise without the pixels where `exclude` is non-zero (e.g. plumes found before). */
export function localNoiseExcluding(
  enhancementPpmM: Float64Array | Float32Array,
  lines: number,
  samples: number,
  exclude: Uint8Array,
  tileSizePx: number = DEFAULT_PLUME_MASK_OPTIONS.tileSizePx,
  minTilePixels: number = DEFAULT_PLUME_MASK_OPTIONS.minTilePixels,
): LocalNoise {
  checkShape(enhancementPpmM, lines, samples);
  if (exclude.length !== lines * samples) {
    throw new PlumetraceError('PT_ERR_SPECTRAL_INPUT', `exclude has ${exclude.length} values, not ${lines}×${samples}`);
  }
  if (!(tileSizePx >= 2) || !Number.isFinite(tileSizePx)) badOption('tileSizePx', tileSizePx);
  return noiseImpl(enhancementPpmM, lines, samples, tileSizePx, minTilePixels, {
    mask: exclude,
    boxes: new Int32Array(0),
  }).noise;
}

/** Pixels to leave out of the noise, and the boxes (l0, l1, s0, s1 inclusive) that hold them all. */
interface Exclusion {
  readonly mask: Uint8Array;
  readonly boxes: Int32Array;
}

interface NodeEstimates {
  readonly noise: LocalNoise;
  readonly rawSigma: Float64Array;
  readonly rawBg: Float64Array;
}

/** With `exclusion`, only windows that meet one of its boxes are estimated again; the rest come from `prior`. */
function noiseImpl(
  enhancementPpmM: Float64Array | Float32Array,
  lines: number,
  samples: number,
  tileSizePx: number,
  minTilePixels: number,
  exclusion?: Exclusion,
  prior?: NodeEstimates,
): NodeEstimates {
  const exclude = exclusion?.mask;
  const boxes = exclusion?.boxes ?? new Int32Array(0);
  const half = tileSizePx / 2;
  const yNode = nodes(lines, half);
  const xNode = nodes(samples, half);
  const ny = yNode.length;
  const nx = xNode.length;
  const nodeSigma = new Float64Array(ny * nx).fill(Number.NaN);
  const nodeBg = new Float64Array(ny * nx).fill(Number.NaN);
  const w = Math.ceil(tileSizePx) + 1;
  const buf = new Float64Array(w * w);
  const dev = new Float64Array(buf.length);
  for (let iy = 0; iy < ny; iy++) {
    const l0 = Math.max(0, Math.round(yNode[iy] - half));
    const l1 = Math.min(lines, Math.round(yNode[iy] + half));
    for (let ix = 0; ix < nx; ix++) {
      const s0 = Math.max(0, Math.round(xNode[ix] - half));
      const s1 = Math.min(samples, Math.round(xNode[ix] + half));
      if (prior !== undefined) {
        let meets = false;
        for (let b = 0; b < boxes.length && !meets; b += 4) {
          meets = boxes[b] < l1 && boxes[b + 1] >= l0 && boxes[b + 2] < s1 && boxes[b + 3] >= s0;
        }
        if (!meets) {
          nodeSigma[iy * nx + ix] = prior.rawSigma[iy * nx + ix];
          nodeBg[iy * nx + ix] = prior.rawBg[iy * nx + ix];
          continue;
        }
      }
      let n = 0;
      for (let l = l0; l < l1; l++) {
        const row = l * samples;
        for (let s = s0; s < s1; s++) {
          const v = enhancementPpmM[row + s];
          if (Number.isFinite(v) && (exclude === undefined || exclude[row + s] === 0)) buf[n++] = v;
        }
      }
      if (n < minTilePixels || n < 4) continue;
      const m = medianInPlace(buf.subarray(0, n));
      let nd = 0;
      for (let i = 0; i < n; i++) if (buf[i] < m) dev[nd++] = m - buf[i];
      if (nd < 2) continue;
      const sigma = MAD_TO_SIGMA * medianInPlace(dev.subarray(0, nd));
      if (!(sigma > 0)) continue;
      nodeSigma[iy * nx + ix] = sigma;
      nodeBg[iy * nx + ix] = m;
    }
  }
  const rawSigma = nodeSigma.slice();
  const rawBg = nodeBg.slice();
  fillMissing(nodeSigma);
  fillMissing(nodeBg);
  const sigmaPpmM = new Float64Array(lines * samples);
  const backgroundPpmM = new Float64Array(lines * samples);
  const [iy0, wy] = interpolationPlan(lines, ny);
  const [ix0, wx] = interpolationPlan(samples, nx);
  for (let l = 0; l < lines; l++) {
    const a = iy0[l];
    const b = Math.min(a + 1, ny - 1);
    const fy = wy[l];
    for (let s = 0; s < samples; s++) {
      const c = ix0[s];
      const d = Math.min(c + 1, nx - 1);
      const fx = wx[s];
      const w00 = (1 - fy) * (1 - fx);
      const w01 = (1 - fy) * fx;
      const w10 = fy * (1 - fx);
      const w11 = fy * fx;
      const p = l * samples + s;
      sigmaPpmM[p] =
        w00 * nodeSigma[a * nx + c] +
        w01 * nodeSigma[a * nx + d] +
        w10 * nodeSigma[b * nx + c] +
        w11 * nodeSigma[b * nx + d];
      backgroundPpmM[p] =
        w00 * nodeBg[a * nx + c] + w01 * nodeBg[a * nx + d] + w10 * nodeBg[b * nx + c] + w11 * nodeBg[b * nx + d];
    }
  }
  return { noise: { sigmaPpmM, backgroundPpmM }, rawSigma, rawBg };
}

/** Plume mask and per-plume statistics (see the file comment). */
export function plumeMask(
  enhancementPpmM: Float64Array | Float32Array,
  lines: number,
  samples: number,
  options: PlumeMaskOptions = {},
): PlumeMaskResult {
  checkShape(enhancementPpmM, lines, samples);
  const opts = resolvePlumeMaskOptions(options);
  const n = lines * samples;
  if (options.sigmaPpmM !== undefined) {
    if (options.sigmaPpmM.length !== n) {
      throw new PlumetraceError('PT_ERR_SPECTRAL_INPUT', `sigmaPpmM has ${options.sigmaPpmM.length} values, not ${n}`);
    }
    const noise = { sigmaPpmM: Float64Array.from(options.sigmaPpmM), backgroundPpmM: new Float64Array(n) };
    return maskPass(enhancementPpmM, lines, samples, opts, noise);
  }
  const firstNoise = noiseImpl(enhancementPpmM, lines, samples, opts.tileSizePx, opts.minTilePixels);
  const first = maskPass(enhancementPpmM, lines, samples, opts, firstNoise.noise);
  if (first.plumes.length === 0) return first;
  // Second pass: the noise again without the plumes found (grown by 2 px), which inflate it.
  const mask = new Uint8Array(n);
  for (let p = 0; p < n; p++) mask[p] = first.labels[p] !== 0 ? 1 : 0;
  const tmp = new Uint8Array(n);
  for (let i = 0; i < PLUME_EXCLUSION_MARGIN_PX; i++) dilate3(mask, mask, tmp, lines, samples);
  const g = PLUME_EXCLUSION_MARGIN_PX;
  const boxes = new Int32Array(first.plumes.length * 4);
  first.plumes.forEach((pl, i) => {
    boxes.set([pl.lineMin - g, pl.lineMax + g, pl.sampleMin - g, pl.sampleMax + g], i * 4);
  });
  const noise = noiseImpl(
    enhancementPpmM,
    lines,
    samples,
    opts.tileSizePx,
    opts.minTilePixels,
    { mask, boxes },
    firstNoise,
  ).noise;
  return maskPass(enhancementPpmM, lines, samples, opts, noise);
}

const PLUME_EXCLUSION_MARGIN_PX = 2;

function maskPass(
  enhancementPpmM: Float64Array | Float32Array,
  lines: number,
  samples: number,
  opts: ResolvedPlumeMaskOptions,
  noise: LocalNoise,
): PlumeMaskResult {
  const n = lines * samples;
  const { sigmaPpmM, backgroundPpmM } = noise;

  const z = new Float64Array(n);
  const valid = new Uint8Array(n);
  const mask = new Uint8Array(n);
  for (let p = 0; p < n; p++) {
    const x = enhancementPpmM[p];
    const sg = sigmaPpmM[p];
    if (Number.isFinite(x) && sg > 0 && Number.isFinite(sg)) {
      const zp = (x - backgroundPpmM[p]) / sg;
      z[p] = zp;
      valid[p] = 1;
      mask[p] = zp >= opts.growZ ? 1 : 0;
    } else {
      z[p] = Number.NaN;
    }
  }

  const tmp = new Uint8Array(n);
  const tmp2 = new Uint8Array(n);
  const close = () => {
    dilate3(mask, tmp, tmp2, lines, samples);
    erode3(tmp, mask, tmp2, lines, samples);
  };
  const open = () => {
    erode3(mask, tmp, tmp2, lines, samples);
    dilate3(tmp, mask, tmp2, lines, samples);
  };
  for (const step of opts.morphology.split('-')) {
    if (step === 'close') close();
    else if (step === 'open') open();
  }
  for (let p = 0; p < n; p++) mask[p] &= valid[p];
  return labelPlumes(
    { enhancementPpmM, zScore: z, seedScore: z, sigmaPpmM, backgroundPpmM, candidates: mask, lines, samples },
    opts,
  );
}

/** What `labelPlumes` works on; all maps lines × samples. */
export interface PlumeLabelInput {
  /** Summed into the plumes (sumEnhancementPpmM, maxEnhancementPpmM). */
  readonly enhancementPpmM: Float64Array | Float32Array;
  /** Per-pixel z kept in the result and summed into the score. */
  readonly zScore: Float64Array;
  /** A component is kept only if it holds a pixel with seedScore ≥ seedZ (may be zScore itself). */
  readonly seedScore: Float64Array;
  /** Per-pixel noise σ (ppm·m), summed as variances. */
  readonly sigmaPpmM: Float64Array;
  readonly backgroundPpmM: Float64Array;
  /** 1 = candidate plume pixel (after any morphology); consumed (overwritten). */
  readonly candidates: Uint8Array;
  readonly lines: number;
  readonly samples: number;
}

/**
 * Steps 4–6 of the file comment on a candidate mask: 8-connected components kept when they hold a
 * seed, merged within `mergeDistancePx`, dropped below `minPixels`, labelled by decreasing score.
 */
export function labelPlumes(input: PlumeLabelInput, opts: ResolvedPlumeMaskOptions): PlumeMaskResult {
  const { enhancementPpmM, zScore: z, seedScore, sigmaPpmM, backgroundPpmM, candidates: mask, lines, samples } = input;
  const n = lines * samples;

  // Connected components (8-connectivity), keeping those with a seed.
  const comp = new Int32Array(n);
  const stack = new Int32Array(n);
  let nComp = 0;
  const seeded: number[] = [0];
  for (let p0 = 0; p0 < n; p0++) {
    if (mask[p0] === 0 || comp[p0] !== 0) continue;
    const c = ++nComp;
    let top = 0;
    stack[top++] = p0;
    comp[p0] = c;
    let hasSeed = false;
    while (top > 0) {
      const p = stack[--top];
      if (seedScore[p] >= opts.seedZ) hasSeed = true;
      const l = (p / samples) | 0;
      const s = p - l * samples;
      const l0 = l > 0 ? l - 1 : 0;
      const l1 = l < lines - 1 ? l + 1 : l;
      const s0 = s > 0 ? s - 1 : 0;
      const s1 = s < samples - 1 ? s + 1 : s;
      for (let ll = l0; ll <= l1; ll++) {
        for (let ss = s0; ss <= s1; ss++) {
          const q = ll * samples + ss;
          if (mask[q] !== 0 && comp[q] === 0) {
            comp[q] = c;
            stack[top++] = q;
          }
        }
      }
    }
    seeded.push(hasSeed ? 1 : 0);
  }

  // Statistics and boundary pixels per seeded component.
  const stats = new Map<number, Accumulator>();
  for (let p = 0; p < n; p++) {
    const c = comp[p];
    if (c === 0) continue;
    if (seeded[c] === 0) {
      comp[p] = 0;
      continue;
    }
    let a = stats.get(c);
    if (a === undefined) {
      a = newAccumulator();
      stats.set(c, a);
    }
    const l = (p / samples) | 0;
    const s = p - l * samples;
    accumulate(a, p, l, s, enhancementPpmM[p], z[p], sigmaPpmM[p]);
  }
  const ids = [...stats.keys()];

  // Merge components closer than mergeDistancePx (union–find over component ids).
  const parent = new Map<number, number>();
  for (const c of ids) parent.set(c, c);
  const find = (c: number): number => {
    let r = c;
    while (parent.get(r) !== r) r = parent.get(r) as number;
    let x = c;
    while (x !== r) {
      const next = parent.get(x) as number;
      parent.set(x, r);
      x = next;
    }
    return r;
  };
  const dMax = opts.mergeDistancePx;
  if (dMax > 0 && ids.length > 1) {
    const boundary = boundaryPixels(comp, stats, lines, samples);
    for (let i = 0; i < ids.length; i++) {
      const a = stats.get(ids[i]) as Accumulator;
      for (let j = i + 1; j < ids.length; j++) {
        const b = stats.get(ids[j]) as Accumulator;
        const gapL = Math.max(0, a.lineMin - b.lineMax, b.lineMin - a.lineMax);
        const gapS = Math.max(0, a.sampleMin - b.sampleMax, b.sampleMin - a.sampleMax);
        if (gapL * gapL + gapS * gapS >= dMax * dMax) continue;
        if (find(ids[i]) === find(ids[j])) continue;
        if (closerThan(boundary.get(ids[i]) as Int32Array, boundary.get(ids[j]) as Int32Array, samples, dMax)) {
          parent.set(find(ids[j]), find(ids[i]));
        }
      }
    }
  }
  const merged = new Map<number, Accumulator>();
  for (const c of ids) {
    const r = find(c);
    const a = stats.get(c) as Accumulator;
    const m = merged.get(r);
    if (m === undefined) merged.set(r, { ...a });
    else combine(m, a);
  }

  // Drop small plumes; label by decreasing score.
  const kept = [...merged.entries()].filter(([, a]) => a.count >= opts.minPixels);
  kept.sort((x, y) => score(y[1]) - score(x[1]) || x[1].maxPixel - y[1].maxPixel);
  const finalLabel = new Map<number, number>();
  for (let i = 0; i < kept.length; i++) finalLabel.set(kept[i][0], i + 1);
  const rootLabel = new Map<number, number>();
  for (const c of ids) rootLabel.set(c, finalLabel.get(find(c)) ?? 0);
  const labels = comp; // reused in place
  for (let p = 0; p < n; p++) {
    const c = labels[p];
    if (c !== 0) labels[p] = rootLabel.get(c) as number;
  }
  const plumes: PlumeRegion[] = kept.map(([, a], i) => ({
    label: i + 1,
    pixelCount: a.count,
    maxEnhancementPpmM: a.max,
    maxPixel: a.maxPixel,
    sumEnhancementPpmM: a.sum,
    sumNoiseVariancePpmM2: a.sumVar,
    sumZ: a.sumZ,
    score: score(a),
    lineMin: a.lineMin,
    lineMax: a.lineMax,
    sampleMin: a.sampleMin,
    sampleMax: a.sampleMax,
  }));
  return {
    lines,
    samples,
    labels,
    zScore: z,
    noiseSigmaPpmM: sigmaPpmM,
    backgroundPpmM,
    plumes,
    options: opts,
    algorithmVersion: PLUME_MASK_ALGORITHM_VERSION,
  };
}

interface Accumulator {
  count: number;
  max: number;
  maxPixel: number;
  sum: number;
  sumVar: number;
  sumZ: number;
  lineMin: number;
  lineMax: number;
  sampleMin: number;
  sampleMax: number;
}

function newAccumulator(): Accumulator {
  return {
    count: 0,
    max: Number.NEGATIVE_INFINITY,
    maxPixel: -1,
    sum: 0,
    sumVar: 0,
    sumZ: 0,
    lineMin: Number.POSITIVE_INFINITY,
    lineMax: -1,
    sampleMin: Number.POSITIVE_INFINITY,
    sampleMax: -1,
  };
}

function accumulate(a: Accumulator, p: number, l: number, s: number, x: number, z: number, sigma: number): void {
  a.count++;
  if (x > a.max) {
    a.max = x;
    a.maxPixel = p;
  }
  a.sum += x;
  a.sumVar += sigma * sigma;
  a.sumZ += z;
  if (l < a.lineMin) a.lineMin = l;
  if (l > a.lineMax) a.lineMax = l;
  if (s < a.sampleMin) a.sampleMin = s;
  if (s > a.sampleMax) a.sampleMax = s;
}

function combine(a: Accumulator, b: Accumulator): void {
  a.count += b.count;
  if (b.max > a.max || (b.max === a.max && b.maxPixel < a.maxPixel)) {
    a.max = b.max;
    a.maxPixel = b.maxPixel;
  }
  a.sum += b.sum;
  a.sumVar += b.sumVar;
  a.sumZ += b.sumZ;
  a.lineMin = Math.min(a.lineMin, b.lineMin);
  a.lineMax = Math.max(a.lineMax, b.lineMax);
  a.sampleMin = Math.min(a.sampleMin, b.sampleMin);
  a.sampleMax = Math.max(a.sampleMax, b.sampleMax);
}

function score(a: Accumulator): number {
  return a.count > 0 ? a.sumZ / Math.sqrt(a.count) : 0;
}

/** Pixels of each component with a 4-neighbour outside it (the closest pair of two components lies there). */
function boundaryPixels(
  comp: Int32Array,
  stats: Map<number, Accumulator>,
  lines: number,
  samples: number,
): Map<number, Int32Array> {
  const out = new Map<number, Int32Array>();
  for (const [c, a] of stats) {
    const list: number[] = [];
    for (let l = a.lineMin; l <= a.lineMax; l++) {
      for (let s = a.sampleMin; s <= a.sampleMax; s++) {
        const p = l * samples + s;
        if (comp[p] !== c) continue;
        const edge =
          l === 0 ||
          l === lines - 1 ||
          s === 0 ||
          s === samples - 1 ||
          comp[p - 1] !== c ||
          comp[p + 1] !== c ||
          comp[p - samples] !== c ||
          comp[p + samples] !== c;
        if (edge) list.push(p);
      }
    }
    out.set(c, Int32Array.from(list));
  }
  return out;
}

function closerThan(a: Int32Array, b: Int32Array, samples: number, d: number): boolean {
  const d2 = d * d;
  for (let i = 0; i < a.length; i++) {
    const la = (a[i] / samples) | 0;
    const sa = a[i] - la * samples;
    for (let j = 0; j < b.length; j++) {
      const lb = (b[j] / samples) | 0;
      const dl = la - lb;
      const ds = sa - (b[j] - lb * samples);
      if (dl * dl + ds * ds < d2) return true;
    }
  }
  return false;
}

/** 3×3 dilation (separable max); outside the image is background. */
function dilate3(src: Uint8Array, dst: Uint8Array, tmp: Uint8Array, lines: number, samples: number): void {
  for (let l = 0; l < lines; l++) {
    const r = l * samples;
    for (let s = 0; s < samples; s++) {
      tmp[r + s] = src[r + s] | (s > 0 ? src[r + s - 1] : 0) | (s < samples - 1 ? src[r + s + 1] : 0);
    }
  }
  for (let l = 0; l < lines; l++) {
    const r = l * samples;
    for (let s = 0; s < samples; s++) {
      dst[r + s] = tmp[r + s] | (l > 0 ? tmp[r + s - samples] : 0) | (l < lines - 1 ? tmp[r + s + samples] : 0);
    }
  }
}

/** 3×3 erosion (separable min); outside the image is foreground. */
function erode3(src: Uint8Array, dst: Uint8Array, tmp: Uint8Array, lines: number, samples: number): void {
  for (let l = 0; l < lines; l++) {
    const r = l * samples;
    for (let s = 0; s < samples; s++) {
      tmp[r + s] = src[r + s] & (s > 0 ? src[r + s - 1] : 1) & (s < samples - 1 ? src[r + s + 1] : 1);
    }
  }
  for (let l = 0; l < lines; l++) {
    const r = l * samples;
    for (let s = 0; s < samples; s++) {
      dst[r + s] = tmp[r + s] & (l > 0 ? tmp[r + s - samples] : 1) & (l < lines - 1 ? tmp[r + s + samples] : 1);
    }
  }
}

/** Node positions along an axis of `size` pixels: both ends and every ≤ `step` px between. */
function nodes(size: number, step: number): Float64Array {
  const n = size > 1 ? Math.ceil((size - 1) / step) + 1 : 1;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = n > 1 ? (i * (size - 1)) / (n - 1) : 0;
  return out;
}

/** Per coordinate: the node at or before it and the weight of the next node. */
function interpolationPlan(size: number, n: number): [Int32Array, Float64Array] {
  const i0 = new Int32Array(size);
  const w = new Float64Array(size);
  if (n < 2) return [i0, w];
  for (let x = 0; x < size; x++) {
    const t = (x * (n - 1)) / (size - 1);
    const i = Math.min(n - 2, Math.floor(t));
    i0[x] = i;
    w[x] = t - i;
  }
  return [i0, w];
}

function fillMissing(a: Float64Array): void {
  const ok = a.filter((v) => !Number.isNaN(v));
  if (ok.length === a.length) return;
  const m = medianInPlace(ok);
  for (let i = 0; i < a.length; i++) if (Number.isNaN(a[i])) a[i] = m;
}

function checkShape(a: Float64Array | Float32Array, lines: number, samples: number): void {
  if (!Number.isInteger(lines) || !Number.isInteger(samples) || lines < 1 || samples < 1) {
    throw new PlumetraceError('PT_ERR_SPECTRAL_INPUT', `map size must be positive integers, got ${lines}×${samples}`);
  }
  if (a.length !== lines * samples) {
    throw new PlumetraceError(
      'PT_ERR_SPECTRAL_INPUT',
      `enhancement map has ${a.length} values, not ${lines}×${samples} = ${lines * samples}`,
    );
  }
}

function badOption(name: string, value: unknown): never {
  throw new PlumetraceError('PT_ERR_SPECTRAL_INPUT', `plume mask option ${name} is invalid: ${String(value)}`);
}

export function resolvePlumeMaskOptions(o: PlumeMaskOptions): ResolvedPlumeMaskOptions {
  const d = DEFAULT_PLUME_MASK_OPTIONS;
  const r: ResolvedPlumeMaskOptions = {
    seedZ: o.seedZ ?? d.seedZ,
    growZ: o.growZ ?? d.growZ,
    tileSizePx: o.tileSizePx ?? d.tileSizePx,
    minTilePixels: o.minTilePixels ?? d.minTilePixels,
    morphology: o.morphology ?? d.morphology,
    mergeDistancePx: o.mergeDistancePx ?? d.mergeDistancePx,
    minPixels: o.minPixels ?? d.minPixels,
    noise: o.sigmaPpmM === undefined ? 'local-tiles' : 'caller',
  };
  if (!MORPHOLOGIES.includes(r.morphology)) badOption('morphology', r.morphology);
  if (!Number.isFinite(r.seedZ)) badOption('seedZ', r.seedZ);
  if (!Number.isFinite(r.growZ) || r.growZ > r.seedZ) badOption('growZ (must be ≤ seedZ)', r.growZ);
  if (!(r.tileSizePx >= 2) || !Number.isFinite(r.tileSizePx)) badOption('tileSizePx', r.tileSizePx);
  if (!(r.minTilePixels >= 0) || !Number.isFinite(r.minTilePixels)) badOption('minTilePixels', r.minTilePixels);
  if (!(r.mergeDistancePx >= 0) || !Number.isFinite(r.mergeDistancePx)) badOption('mergeDistancePx', r.mergeDistancePx);
  if (!(r.minPixels >= 1) || !Number.isFinite(r.minPixels)) badOption('minPixels', r.minPixels);
  return r;
}

/** The mask with only the plumes where `keep[i]` (i over `mask.plumes`), relabelled 1..K in their order. */
export function keepPlumes(mask: PlumeMaskResult, keep: ArrayLike<boolean>): PlumeMaskResult {
  if (keep.length !== mask.plumes.length) {
    throw new PlumetraceError(
      'PT_ERR_SPECTRAL_INPUT',
      `keep has ${keep.length} entries for ${mask.plumes.length} plumes`,
    );
  }
  const newLabel = new Int32Array(mask.plumes.length + 1);
  const plumes: PlumeRegion[] = [];
  mask.plumes.forEach((pl, i) => {
    if (!keep[i]) return;
    plumes.push({ ...pl, label: plumes.length + 1 });
    newLabel[pl.label] = plumes.length;
  });
  const labels = Int32Array.from(mask.labels, (v) => (v > 0 ? newLabel[v] : 0));
  return { ...mask, labels, plumes };
}
