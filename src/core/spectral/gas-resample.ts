/**
 * Resampling of a finely sampled spectrum to a sensor's channels: each channel's response is a
 * Gaussian of the given FWHM in the channel's own unit (wavenumber, micrometres or nanometres),
 * and the channel value is the response-weighted mean over the fine grid,
 *
 *   v_k = ∫ f(u) R_k(u) du / ∫ R_k(u) du,   R_k(u) = exp(−½((u − c_k)/σ_k)²), σ_k = FWHM_k / √(8 ln 2),
 *
 * integrated over u (the channel unit) by the trapezoid rule on the fine wavenumber grid
 * (du = |du/dν| dν). So Σ_k v_k · ∫R_k du recovers the band area when the channels tile the band.
 * A channel whose response (±5σ) runs off the fine grid, or that meets a missing value, gives NaN.
 * Pure (no Node APIs).
 */
import { PlumetraceError } from '../errors.ts';
import type { GasLibrary } from './gas-library.ts';

export type ChannelUnit = 'wavenumber' | 'micrometers' | 'nanometers';

export interface SensorChannels {
  /** Channel centres in `unit` (cm⁻¹ for wavenumber). */
  readonly centers: ArrayLike<number>;
  /** Full widths at half maximum, in `unit`. */
  readonly fwhm: ArrayLike<number>;
  readonly unit: ChannelUnit;
}

const FWHM_TO_SIGMA = 1 / Math.sqrt(8 * Math.LN2);
/** The response is summed to ±5σ (the Gaussian's mass beyond is 6e-7). */
const REACH_SIGMAS = 5;

/** Channel-unit coordinate of wavenumber ν (cm⁻¹), and |d unit / dν|. */
function unitOf(unit: ChannelUnit): { u: (nu: number) => number; jac: (nu: number) => number } {
  if (unit === 'wavenumber') return { u: (nu) => nu, jac: () => 1 };
  const k = unit === 'micrometers' ? 1e4 : 1e7;
  return { u: (nu) => k / nu, jac: (nu) => k / (nu * nu) };
}

/** Wavenumber (cm⁻¹) of a channel coordinate. */
function toNu(unit: ChannelUnit, v: number): number {
  if (unit === 'wavenumber') return v;
  return (unit === 'micrometers' ? 1e4 : 1e7) / v;
}

/** Response integral ∫R du of each channel (σ·√(2π)), in the channel unit. */
export function channelResponseIntegrals(channels: SensorChannels): Float64Array {
  const out = new Float64Array(channels.centers.length);
  for (let k = 0; k < out.length; k++) out[k] = channels.fwhm[k] * FWHM_TO_SIGMA * Math.sqrt(2 * Math.PI);
  return out;
}

function checkChannels(c: SensorChannels): void {
  if (c.centers.length !== c.fwhm.length) {
    throw new PlumetraceError(
      'PT_ERR_GAS_LIBRARY',
      `channel list has ${c.centers.length} centres and ${c.fwhm.length} FWHM values`,
    );
  }
  for (let k = 0; k < c.centers.length; k++) {
    if (!(c.centers[k] > 0) || !Number.isFinite(c.centers[k]) || !(c.fwhm[k] > 0) || !Number.isFinite(c.fwhm[k])) {
      throw new PlumetraceError(
        'PT_ERR_GAS_LIBRARY',
        `channel ${k}: centre ${c.centers[k]} and FWHM ${c.fwhm[k]} ${c.unit} must be finite and > 0`,
      );
    }
  }
}

/**
 * Resamples `values` given on ascending wavenumbers `wavenumberCm` to the channels. Returns one value
 * per channel (NaN where the channel is not wholly covered).
 */
export function resampleToChannels(
  wavenumberCm: Float64Array,
  values: Float64Array,
  channels: SensorChannels,
): Float64Array {
  checkChannels(channels);
  const n = wavenumberCm.length;
  if (n < 2 || values.length !== n) {
    throw new PlumetraceError('PT_ERR_SPECTRAL_INPUT', `spectrum has ${n} wavenumbers and ${values.length} values`);
  }
  const { u, jac } = unitOf(channels.unit);
  const out = new Float64Array(channels.centers.length).fill(Number.NaN);
  for (let k = 0; k < out.length; k++) {
    const c = channels.centers[k];
    const sigma = channels.fwhm[k] * FWHM_TO_SIGMA;
    const a = toNu(channels.unit, c - REACH_SIGMAS * sigma);
    const b = toNu(channels.unit, c + REACH_SIGMAS * sigma);
    const nuLo = Math.min(a, b);
    const nuHi = Number.isFinite(Math.max(a, b)) && Math.max(a, b) > 0 ? Math.max(a, b) : Number.POSITIVE_INFINITY;
    if (c - REACH_SIGMAS * sigma <= 0 && channels.unit !== 'wavenumber') continue;
    if (nuLo < wavenumberCm[0] || nuHi > wavenumberCm[n - 1]) continue;
    let i0 = lowerBound(wavenumberCm, nuLo);
    if (i0 > 0) i0--;
    let i1 = lowerBound(wavenumberCm, nuHi);
    if (i1 >= n) i1 = n - 1;
    let num = 0;
    let den = 0;
    let missing = false;
    for (let i = i0; i <= i1; i++) {
      // Trapezoid weight of point i on the (possibly uneven) fine grid.
      const left = i > i0 ? wavenumberCm[i] - wavenumberCm[i - 1] : 0;
      const right = i < i1 ? wavenumberCm[i + 1] - wavenumberCm[i] : 0;
      const nu = wavenumberCm[i];
      const z = (u(nu) - c) / sigma;
      const w = Math.exp(-0.5 * z * z) * jac(nu) * 0.5 * (left + right);
      if (w === 0) continue;
      if (Number.isNaN(values[i])) {
        missing = true;
        break;
      }
      num += w * values[i];
      den += w;
    }
    if (!missing && den > 0) out[k] = num / den;
  }
  return out;
}

function lowerBound(a: Float64Array, v: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (a[mid] < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Every gas of a library on a sensor's channels, from each gas's own (native) grid: one array per gas,
 * in library order, per ppm·m for quantitative gases and relative for the others (see GasSpectrum.unit).
 */
export function resampleLibraryToChannels(
  library: Pick<GasLibrary, 'gases'>,
  channels: SensorChannels,
): Float64Array[] {
  return library.gases.map((g) => resampleToChannels(g.wavenumberCm, g.absorbance, channels));
}
