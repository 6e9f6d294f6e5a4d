/**
 * Methane unit-absorption target for any band set, from a high-resolution radiance table.
 *
 * The table holds simulated at-sensor radiance spectra L(λ, q) on a fine wavelength grid for a few
 * methane enhancements q (ppm·m), e.g. mag1c's ch4.lut: 31,800 wavelengths 1399.6–2522.0 nm, 7
 * enhancements 0–16,000 ppm·m. For each band b (centre c_b, FWHM w_b):
 *
 *   1. spectral response r_b(λ) = exp(−(λ − c_b)² / 2σ_b²), σ_b = w_b / (2√(2 ln 2)), evaluated on the
 *      table's grid and normalised so that Σ_λ r_b(λ) = 1 (a plain sum over grid points, no Δλ weight);
 *   2. band radiance L_b(q) = Σ_λ r_b(λ) L(λ, q) for each enhancement q;
 *   3. target t_b = least-squares slope, with intercept, of ln L_b(q) against q.
 *
 * t_b is d ln L / d(ppm·m), a small negative number (about −1.5e-5 per ppm·m at 2370 nm). mag1c and
 * JPL's CMF files report it multiplied by 1e5; both forms are returned, named for what they hold.
 *
 * Bands whose centre lies outside the table's wavelength range get t_b = 0 (no methane knowledge
 * there) and are listed in `bandsOutsideTable`. (mag1c instead normalises whatever Gaussian tail
 * reaches the grid, which for bands just outside the range extrapolates from the table's edge.)
 *
 * Pure: the table comes in as typed arrays (src/io/lut reads mag1c's file).
 */

import { PlumetraceError } from '../errors.ts';

/** Radiance table: `radiance[q * nWavelengths + i]` is the radiance at `wavelengthNm[i]` for `enhancementPpmM[q]`. */
export interface AbsorptionTable {
  /** Table grid, nm, strictly ascending. */
  readonly wavelengthNm: Float64Array;
  /** Methane enhancement of each spectrum, ppm·m (mag1c: 0, 500, 1000, 2000, 4000, 8000, 16000). */
  readonly enhancementPpmM: Float64Array;
  /** Radiance, enhancement-major (one spectrum after another); any positive radiance unit. */
  readonly radiance: Float64Array;
}

/** Sensor bands: centre wavelength and full width at half maximum of a Gaussian response, nm. */
export interface BandSet {
  readonly centerNm: Float64Array;
  readonly fwhmNm: Float64Array;
}

export interface UnitAbsorptionTarget {
  /** d ln L / d(ppm·m) per band: the unit the matched filters use (α comes out in ppm·m). */
  readonly targetPerPpmM: Float64Array;
  /** The same ×1e5, as mag1c and JPL's AVIRIS-NG target files report it (for comparison only). */
  readonly targetX1e5PerPpmM: Float64Array;
  /** Indices of bands whose centre lies outside the table's wavelength range (target 0 there). */
  readonly bandsOutsideTable: Int32Array;
}

/** mag1c's reporting scale: its target files hold d ln L / d(ppm·m) × 1e5. */
export const MAG1C_TARGET_SCALE = 1e5;

const FWHM_TO_SIGMA = 1 / (2 * Math.sqrt(2 * Math.LN2));
/** The response is evaluated within ±9σ of the centre; exp(−40.5) ≈ 3e-18 of the peak is dropped. */
const HALF_WINDOW_SIGMAS = 9;

/** Computes the unit-absorption target of `bands` from `table`. Throws PT_ERR_SPECTRAL_INPUT on malformed input. */
export function unitAbsorptionTarget(table: AbsorptionTable, bands: BandSet): UnitAbsorptionTarget {
  const { wavelengthNm: grid, enhancementPpmM: q, radiance } = table;
  const nGrid = grid.length;
  const nQ = q.length;
  checkTable(grid, q, radiance);
  const nBands = bands.centerNm.length;
  if (bands.fwhmNm.length !== nBands) {
    throw new PlumetraceError(
      'PT_ERR_SPECTRAL_INPUT',
      `band set has ${nBands} centres but ${bands.fwhmNm.length} FWHM values`,
    );
  }

  // Centred enhancements for the slope: slope = Σ (q − q̄) y / Σ (q − q̄)².
  let qMean = 0;
  for (let k = 0; k < nQ; k++) qMean += q[k];
  qMean /= nQ;
  const qc = new Float64Array(nQ);
  let sqq = 0;
  for (let k = 0; k < nQ; k++) {
    qc[k] = q[k] - qMean;
    sqq += qc[k] * qc[k];
  }

  const target = new Float64Array(nBands);
  const outside: number[] = [];
  const bandRadiance = new Float64Array(nQ);
  const gridMin = grid[0];
  const gridMax = grid[nGrid - 1];
  for (let b = 0; b < nBands; b++) {
    const c = bands.centerNm[b];
    const w = bands.fwhmNm[b];
    if (!Number.isFinite(c) || !(w > 0) || !Number.isFinite(w)) {
      throw new PlumetraceError(
        'PT_ERR_SPECTRAL_INPUT',
        `band ${b}: centre ${c} nm and FWHM ${w} nm must be finite and the FWHM positive`,
      );
    }
    if (c < gridMin || c > gridMax) {
      outside.push(b);
      continue;
    }
    const sigma = w * FWHM_TO_SIGMA;
    const inv2s2 = 1 / (2 * sigma * sigma);
    const lo = lowerBound(grid, c - HALF_WINDOW_SIGMAS * sigma);
    const hi = lowerBound(grid, c + HALF_WINDOW_SIGMAS * sigma);
    bandRadiance.fill(0);
    let wsum = 0;
    for (let i = lo; i < hi; i++) {
      const d = grid[i] - c;
      const r = Math.exp(-d * d * inv2s2);
      wsum += r;
      for (let k = 0; k < nQ; k++) bandRadiance[k] += r * radiance[k * nGrid + i];
    }
    if (!(wsum > 0)) {
      // A band far narrower than the grid step between two grid points: no sample carries weight.
      throw new PlumetraceError(
        'PT_ERR_SPECTRAL_INPUT',
        `band ${b} (${c} nm, FWHM ${w} nm) is narrower than the table's wavelength step`,
      );
    }
    let sxy = 0;
    for (let k = 0; k < nQ; k++) sxy += qc[k] * Math.log(bandRadiance[k] / wsum);
    target[b] = sxy / sqq;
  }
  const scaled = new Float64Array(nBands);
  for (let b = 0; b < nBands; b++) scaled[b] = target[b] * MAG1C_TARGET_SCALE;
  return { targetPerPpmM: target, targetX1e5PerPpmM: scaled, bandsOutsideTable: Int32Array.from(outside) };
}

function checkTable(grid: Float64Array, q: Float64Array, radiance: Float64Array): void {
  const nGrid = grid.length;
  const nQ = q.length;
  if (nGrid < 2) throw new PlumetraceError('PT_ERR_SPECTRAL_INPUT', 'absorption table has fewer than 2 wavelengths');
  if (nQ < 2) throw new PlumetraceError('PT_ERR_SPECTRAL_INPUT', 'absorption table has fewer than 2 enhancements');
  if (radiance.length !== nGrid * nQ) {
    throw new PlumetraceError(
      'PT_ERR_SPECTRAL_INPUT',
      `absorption table has ${radiance.length} radiance values, expected ${nGrid} wavelengths × ${nQ} enhancements`,
    );
  }
  for (let i = 1; i < nGrid; i++) {
    if (!(grid[i] > grid[i - 1])) {
      throw new PlumetraceError(
        'PT_ERR_SPECTRAL_INPUT',
        `absorption table wavelengths must ascend strictly (index ${i}: ${grid[i - 1]} then ${grid[i]} nm)`,
      );
    }
  }
  let distinct = false;
  for (let k = 0; k < nQ; k++) {
    if (!Number.isFinite(q[k])) throw new PlumetraceError('PT_ERR_SPECTRAL_INPUT', `enhancement ${k} is ${q[k]}`);
    if (q[k] !== q[0]) distinct = true;
  }
  if (!distinct) throw new PlumetraceError('PT_ERR_SPECTRAL_INPUT', 'absorption table enhancements are all equal');
  for (let j = 0; j < radiance.length; j++) {
    if (!(radiance[j] > 0) || !Number.isFinite(radiance[j])) {
      throw new PlumetraceError(
        'PT_ERR_SPECTRAL_INPUT',
        `absorption table radiance must be positive and finite (enhancement ${Math.floor(j / nGrid)}, ` +
          `wavelength ${grid[j % nGrid]} nm: ${radiance[j]})`,
      );
    }
  }
}

/** First index i with a[i] >= x (a ascending); a.length when none. */
function lowerBound(a: Float64Array, x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
