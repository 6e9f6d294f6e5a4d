/**
 * LWIR spectral grids and sensor channels. Pure (no Node APIs).
 *
 * - `channelsFromWavelengthUm`: centre/FWHM in µm → cm⁻¹ (ν = 1e4/λ; FWHM_ν = 1e4·FWHM_λ/λ², first
 *   order, so a channel's Gaussian is symmetric in wavenumber).
 * - `channelResponse`: one Gaussian response per channel sampled on a fine wavenumber grid, weights
 *   ∝ exp(−(ν − ν_c)²/2σ²)·Δν_i (trapezoid cell widths), normalised to sum 1 over the grid. A channel
 *   is kept only when its centre ± `coverageFwhm`·FWHM (default 1.5 FWHM = 3.5σ, < 0.05% of the
 *   response outside) lies inside the grid; the others are dropped and listed, never extrapolated.
 *   The grid should resolve the response (spacing ≲ FWHM/2); a coarser grid is an error.
 * - `interpolateToGrid`: linear interpolation of a spectrum onto another grid, NaN outside the
 *   source's range (or `fill`); `cellAverageToGrid` / `gasAbsorbanceOnGrid`: the mean over each grid
 *   cell instead, which keeps the integrated absorbance of lines narrower than the grid step.
 */

import { PlumetraceError } from '../errors.ts';
import type { GasAbsorbance, LibraryGasSpectrumLike, LwirChannels } from './lwir-types.ts';

const FWHM_PER_SIGMA = 2 * Math.sqrt(2 * Math.LN2);

/** Channels from centres and FWHM in µm (any order); the result keeps the input's order. */
export function channelsFromWavelengthUm(centerUm: ArrayLike<number>, fwhmUm: ArrayLike<number>): LwirChannels {
  if (centerUm.length !== fwhmUm.length) {
    throw new PlumetraceError(
      'PT_ERR_SPECTRAL_INPUT',
      `${centerUm.length} channel centres but ${fwhmUm.length} FWHM values`,
    );
  }
  const n = centerUm.length;
  const centerCm1 = new Float64Array(n);
  const fwhmCm1 = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    const l = centerUm[k];
    const f = fwhmUm[k];
    if (!(l > 0) || !(f > 0) || !Number.isFinite(l) || !Number.isFinite(f)) {
      throw new PlumetraceError('PT_ERR_SPECTRAL_INPUT', `channel ${k}: centre ${l} µm and FWHM ${f} µm must be > 0`);
    }
    centerCm1[k] = 1e4 / l;
    fwhmCm1[k] = (1e4 * f) / (l * l);
  }
  return { centerCm1, fwhmCm1 };
}

/** Sparse response of the kept channels on a fine grid. */
export interface ChannelResponse {
  /** Indices (into the input channels) of the kept channels, in input order. */
  readonly kept: Int32Array;
  /** Indices of the dropped channels (not fully covered by the grid). */
  readonly dropped: Int32Array;
  /** Per kept channel: first grid index and number of weights. */
  readonly start: Int32Array;
  readonly count: Int32Array;
  /** Per kept channel: offset of its weights in `weights`. */
  readonly offset: Int32Array;
  readonly weights: Float64Array;
  /** Length of the fine grid. */
  readonly gridLength: number;
}

/** Builds the Gaussian responses of `channels` on `gridCm1` (strictly ascending). */
export function channelResponse(gridCm1: Float64Array, channels: LwirChannels, coverageFwhm = 1.5): ChannelResponse {
  const n = gridCm1.length;
  if (n < 2) throw new PlumetraceError('PT_ERR_SPECTRAL_INPUT', `wavenumber grid has ${n} points; need at least 2`);
  for (let i = 1; i < n; i++) {
    if (!(gridCm1[i] > gridCm1[i - 1])) {
      throw new PlumetraceError(
        'PT_ERR_SPECTRAL_INPUT',
        `wavenumber grid is not strictly ascending at index ${i} (${gridCm1[i - 1]}, ${gridCm1[i]})`,
      );
    }
  }
  const lo = gridCm1[0];
  const hi = gridCm1[n - 1];
  const cell = new Float64Array(n);
  for (let i = 0; i < n; i++) cell[i] = (gridCm1[Math.min(i + 1, n - 1)] - gridCm1[Math.max(i - 1, 0)]) / 2;
  const kept: number[] = [];
  const dropped: number[] = [];
  const start: number[] = [];
  const count: number[] = [];
  const offset: number[] = [];
  const weights: number[] = [];
  for (let k = 0; k < channels.centerCm1.length; k++) {
    const c = channels.centerCm1[k];
    const f = channels.fwhmCm1[k];
    if (c - coverageFwhm * f < lo || c + coverageFwhm * f > hi) {
      dropped.push(k);
      continue;
    }
    const i0 = lowerBound(gridCm1, c - coverageFwhm * f);
    const i1 = upperBound(gridCm1, c + coverageFwhm * f);
    let maxStep = 0;
    for (let i = Math.max(i0, 1); i < Math.min(i1 + 1, n); i++)
      maxStep = Math.max(maxStep, gridCm1[i] - gridCm1[i - 1]);
    if (maxStep > f) {
      throw new PlumetraceError(
        'PT_ERR_SPECTRAL_INPUT',
        `channel ${k} (${c.toFixed(2)} cm-1, FWHM ${f.toFixed(3)} cm-1) is narrower than the grid step ${maxStep} cm-1`,
      );
    }
    const sigma = f / FWHM_PER_SIGMA;
    const w: number[] = [];
    let sum = 0;
    for (let i = i0; i < i1; i++) {
      const z = (gridCm1[i] - c) / sigma;
      const wi = Math.exp(-0.5 * z * z) * cell[i];
      w.push(wi);
      sum += wi;
    }
    kept.push(k);
    start.push(i0);
    count.push(w.length);
    offset.push(weights.length);
    for (const wi of w) weights.push(wi / sum);
  }
  return {
    kept: Int32Array.from(kept),
    dropped: Int32Array.from(dropped),
    start: Int32Array.from(start),
    count: Int32Array.from(count),
    offset: Int32Array.from(offset),
    weights: Float64Array.from(weights),
    gridLength: n,
  };
}

/** Convolves one fine-grid spectrum (length gridLength, read from `fineOffset`) to the kept channels. */
export function applyChannelResponse(
  r: ChannelResponse,
  fine: ArrayLike<number>,
  out = new Float64Array(r.kept.length),
  fineOffset = 0,
  outOffset = 0,
): Float64Array | Float32Array {
  for (let k = 0; k < r.kept.length; k++) {
    const s = fineOffset + r.start[k];
    const o = r.offset[k];
    let acc = 0;
    for (let j = 0; j < r.count[k]; j++) acc += r.weights[o + j] * fine[s + j];
    out[outOffset + k] = acc;
  }
  return out;
}

/**
 * Linear interpolation of (x, y) onto `grid`; x ascending or descending (no repeats). Outside the
 * range of x the value is `fill` (NaN by default).
 */
export function interpolateToGrid(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  grid: ArrayLike<number>,
  fill = Number.NaN,
): Float64Array {
  if (x.length !== y.length || x.length < 2) {
    throw new PlumetraceError(
      'PT_ERR_SPECTRAL_INPUT',
      `interpolation needs at least 2 points and equal lengths (x ${x.length}, y ${y.length})`,
    );
  }
  const asc = x[x.length - 1] > x[0];
  const n = x.length;
  const xs = new Float64Array(n);
  const ys = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    xs[i] = asc ? x[i] : x[n - 1 - i];
    ys[i] = asc ? y[i] : y[n - 1 - i];
    if (i > 0 && !(xs[i] > xs[i - 1])) {
      throw new PlumetraceError('PT_ERR_SPECTRAL_INPUT', `spectral axis is not monotonic near value ${xs[i]}`);
    }
  }
  const out = new Float64Array(grid.length);
  for (let k = 0; k < grid.length; k++) {
    const g = grid[k];
    if (!(g >= xs[0] && g <= xs[n - 1])) {
      out[k] = fill;
      continue;
    }
    let i = upperBound(xs, g) - 1;
    if (i >= n - 1) i = n - 2;
    if (i < 0) i = 0;
    const t = (g - xs[i]) / (xs[i + 1] - xs[i]);
    out[k] = ys[i] + t * (ys[i + 1] - ys[i]);
  }
  return out;
}

/**
 * Mean of the piecewise-linear interpolant of (x, y) over each cell of `grid` (cell edges halfway
 * between grid points; the end cells are half as wide), taken as 0 outside the range of x. Unlike
 * point sampling it keeps the integral ∫y dν of features narrower than the grid step (a gas's
 * Q-branch sampled at 0.1–0.5 cm⁻¹ onto a 1 cm⁻¹ grid). `grid` strictly ascending.
 */
export function cellAverageToGrid(x: ArrayLike<number>, y: ArrayLike<number>, grid: ArrayLike<number>): Float64Array {
  const n = x.length;
  if (n !== y.length || n < 2) {
    throw new PlumetraceError(
      'PT_ERR_SPECTRAL_INPUT',
      `cell averaging needs at least 2 points and equal lengths (x ${n}, y ${y.length})`,
    );
  }
  const asc = x[n - 1] > x[0];
  const xs = new Float64Array(n);
  const ys = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    xs[i] = asc ? x[i] : x[n - 1 - i];
    ys[i] = asc ? y[i] : y[n - 1 - i];
    if (i > 0 && !(xs[i] > xs[i - 1])) {
      throw new PlumetraceError('PT_ERR_SPECTRAL_INPUT', `spectral axis is not monotonic near value ${xs[i]}`);
    }
  }
  // cum[i] = ∫ from xs[0] to xs[i].
  const cum = new Float64Array(n);
  for (let i = 1; i < n; i++) cum[i] = cum[i - 1] + 0.5 * (ys[i] + ys[i - 1]) * (xs[i] - xs[i - 1]);
  const integral = (t: number): number => {
    if (t <= xs[0]) return 0;
    if (t >= xs[n - 1]) return cum[n - 1];
    let i = upperBound(xs, t) - 1;
    if (i >= n - 1) i = n - 2;
    const h = t - xs[i];
    const slope = (ys[i + 1] - ys[i]) / (xs[i + 1] - xs[i]);
    return cum[i] + h * (ys[i] + 0.5 * slope * h);
  };
  const m = grid.length;
  const out = new Float64Array(m);
  if (m === 1) {
    out[0] = interpolateToGrid(xs, ys, grid, 0)[0];
    return out;
  }
  for (let k = 0; k < m; k++) {
    const lo = k === 0 ? grid[0] : 0.5 * (grid[k - 1] + grid[k]);
    const hi = k === m - 1 ? grid[m - 1] : 0.5 * (grid[k] + grid[k + 1]);
    if (!(hi > lo)) {
      throw new PlumetraceError('PT_ERR_SPECTRAL_INPUT', `grid is not strictly ascending at index ${k}`);
    }
    out[k] = (integral(hi) - integral(lo)) / (hi - lo);
  }
  return out;
}

/**
 * A gas's absorbance per ppm·m on `grid`: the mean over each grid cell (cellAverageToGrid), 0
 * outside the gas's spectrum. Averaging absorbance rather than transmittance is exact for
 * optically thin cells (A·cl ≪ 1 at the gas's resolution) and underestimates the absorption of
 * saturated narrow lines; the 1 cm⁻¹ atmospheres allow no finer calculation.
 */
export function gasAbsorbanceOnGrid(gas: GasAbsorbance, grid: ArrayLike<number>): Float64Array {
  for (let i = 0; i < gas.absorbancePerPpmM.length; i++) {
    if (!Number.isFinite(gas.absorbancePerPpmM[i])) {
      throw new PlumetraceError('PT_ERR_SPECTRAL_INPUT', `gas "${gas.name}": absorbance ${i} is not finite`);
    }
  }
  return cellAverageToGrid(gas.wavenumberCm1, gas.absorbancePerPpmM, grid);
}

/**
 * A gas-library spectrum as a GasAbsorbance. Only quantitative spectra (decadic absorbance per
 * ppm·m) can feed the forward model: a band shape (a Coblentz chart, `quantitative: false`) has no
 * amount scale and is refused with PT_ERR_SPECTRAL_INPUT.
 */
export function toGasAbsorbance(spectrum: LibraryGasSpectrumLike): GasAbsorbance {
  if (!spectrum.quantitative) {
    throw new PlumetraceError(
      'PT_ERR_SPECTRAL_INPUT',
      `gas "${spectrum.name}" has only a relative band shape (not absorbance per ppm·m); it cannot be simulated with an amount`,
    );
  }
  if (spectrum.wavenumberCm.length !== spectrum.absorbance.length || spectrum.wavenumberCm.length < 2) {
    throw new PlumetraceError(
      'PT_ERR_SPECTRAL_INPUT',
      `gas "${spectrum.name}": ${spectrum.wavenumberCm.length} wavenumbers but ${spectrum.absorbance.length} absorbances`,
    );
  }
  return {
    name: spectrum.name,
    cas: spectrum.cas ?? '',
    wavenumberCm1: spectrum.wavenumberCm,
    absorbancePerPpmM: spectrum.absorbance,
  };
}

/** First index with a[i] >= v. */
function lowerBound(a: ArrayLike<number>, v: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const m = (lo + hi) >>> 1;
    if (a[m] < v) lo = m + 1;
    else hi = m;
  }
  return lo;
}

/** First index with a[i] > v. */
function upperBound(a: ArrayLike<number>, v: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const m = (lo + hi) >>> 1;
    if (a[m] <= v) lo = m + 1;
    else hi = m;
  }
  return lo;
}
