/**
 * Dispersion coefficients (sigma curves) of the Gaussian plume.
 *
 * Two schemes:
 * - `briggs`: Briggs (1973) interpolation formulas, open-country (rural) and urban, as tabulated in
 *   Hanna, Briggs & Hosker (1982), *Handbook on Atmospheric Diffusion*, table 4.5, and in the ISC3
 *   user's guide vol. II (urban). Form: sigma = a·x·(1 + b·x)^p with x in metres.
 * - `isc3`: the ISC3 rural Pasquill–Gifford fits (EPA-454/B-95-003b, vol. II, tables 1-1 and 1-2):
 *   sigma_y = 465.11628·x·tan(0.017453293·(c − d·ln x)), sigma_z = a·x^b piecewise, x in km,
 *   sigma_z capped at 5000 m. These fits exist for rural terrain only: urban terrain always uses the
 *   Briggs urban curves (as ISC3 itself does).
 *
 * Every function returns NaN for a non-positive (upwind) distance. The functions taking a class
 * index are the allocation-free kernels the plume model calls in its inner loop.
 */

import { PlumetraceError } from '../errors.ts';
import type { StabilityClass } from '../types.ts';

export type Terrain = 'rural' | 'urban';
/** `isc3` = ISC3 rural Pasquill–Gifford fits (rural terrain only; urban always uses Briggs urban). */
export type SigmaScheme = 'briggs' | 'isc3';

export interface PlumeOptions {
  stability: StabilityClass;
  /** Default `rural`. */
  terrain?: Terrain;
  /** Default `briggs`. Ignored for urban terrain (Briggs urban is the only urban scheme). */
  scheme?: SigmaScheme;
  /**
   * Height of the mixed layer's lid (m above ground). Absent or +Infinity: no lid. With a lid the
   * plume reflects at the ground and at the lid (method of images) and becomes well mixed once
   * sigma_z > 1.6·lid; see plume.ts.
   */
  mixingHeightM?: number;
  /**
   * Measured standard deviation of the horizontal wind direction over the averaging time (degrees,
   * >= 0). When given, sigma_y = max(curve sigma_y, σθ·x·f_y(x/u)) (Draxler 1976); see plumeSigmaY
   * in lateral.ts.
   */
  sigmaThetaDeg?: number;
  /**
   * Averaging time of the samples (s, > 0). The curve sigma_y (10-minute basis) is scaled by
   * (averagingS/600)^0.2 (lateral.ts). Does not scale the sigma-theta spread or sigma_z.
   */
  averagingS?: number;
}

/** Index 0..5 of a stability class A..F; throws PT_ERR_BAD_REQUEST for anything else. */
export function stabilityIndex(stability: StabilityClass): number {
  switch (stability) {
    case 'A':
      return 0;
    case 'B':
      return 1;
    case 'C':
      return 2;
    case 'D':
      return 3;
    case 'E':
      return 4;
    case 'F':
      return 5;
    default:
      throw new PlumetraceError('PT_ERR_BAD_REQUEST', `unknown stability class "${String(stability)}" (expected A–F)`);
  }
}

/**
 * Which sigma curve family a set of options selects: 0 Briggs rural, 1 Briggs urban, 2 ISC3 rural.
 * Offsets into the coefficient tables below are family·6 + class index.
 */
export const FAMILY_BRIGGS_RURAL = 0;
export const FAMILY_BRIGGS_URBAN = 1;
export const FAMILY_ISC3_RURAL = 2;

export function sigmaFamily(opts: PlumeOptions): number {
  if (opts.terrain === 'urban') return FAMILY_BRIGGS_URBAN;
  if (opts.terrain !== undefined && opts.terrain !== 'rural') {
    throw new PlumetraceError(
      'PT_ERR_BAD_REQUEST',
      `unknown terrain "${String(opts.terrain)}" (expected rural or urban)`,
    );
  }
  if (opts.scheme === undefined || opts.scheme === 'briggs') return FAMILY_BRIGGS_RURAL;
  if (opts.scheme === 'isc3') return FAMILY_ISC3_RURAL;
  throw new PlumetraceError(
    'PT_ERR_BAD_REQUEST',
    `unknown sigma scheme "${String(opts.scheme)}" (expected briggs or isc3)`,
  );
}

// ---- Briggs (1973): sigma = a·x·(1 + b·x)^p, x in metres. Rows: rural A..F, then urban A..F. ----
// Exponent codes: 0 → p = 0, 1 → p = −1/2, 2 → p = −1, 3 → p = +1/2.
const P_NONE = 0;
const P_MINUS_HALF = 1;
const P_MINUS_ONE = 2;
const P_PLUS_HALF = 3;

const BRIGGS_SY_A = Float64Array.of(0.22, 0.16, 0.11, 0.08, 0.06, 0.04, 0.32, 0.32, 0.22, 0.16, 0.11, 0.11);
const BRIGGS_SY_B = Float64Array.of(1e-4, 1e-4, 1e-4, 1e-4, 1e-4, 1e-4, 4e-4, 4e-4, 4e-4, 4e-4, 4e-4, 4e-4);
// sigma_y always has p = −1/2.

const BRIGGS_SZ_A = Float64Array.of(0.2, 0.12, 0.08, 0.06, 0.03, 0.016, 0.24, 0.24, 0.2, 0.14, 0.08, 0.08);
const BRIGGS_SZ_B = Float64Array.of(0, 0, 2e-4, 1.5e-3, 3e-4, 3e-4, 1e-3, 1e-3, 0, 3e-4, 1.5e-3, 1.5e-3);
const BRIGGS_SZ_P = Uint8Array.of(
  // rural: A, B linear; C, D (1+bx)^−1/2; E, F (1+bx)^−1 (power −1, not −1/2)
  P_NONE,
  P_NONE,
  P_MINUS_HALF,
  P_MINUS_HALF,
  P_MINUS_ONE,
  P_MINUS_ONE,
  // urban: A, B (1+bx)^+1/2; C linear; D, E, F (1+bx)^−1/2
  P_PLUS_HALF,
  P_PLUS_HALF,
  P_NONE,
  P_MINUS_HALF,
  P_MINUS_HALF,
  P_MINUS_HALF,
);

function briggsFactor(bx: number, p: number): number {
  switch (p) {
    case P_MINUS_HALF:
      return 1 / Math.sqrt(1 + bx);
    case P_MINUS_ONE:
      return 1 / (1 + bx);
    case P_PLUS_HALF:
      return Math.sqrt(1 + bx);
    default:
      return 1;
  }
}

/** Briggs sigma_y (m); `row` = 0..5 rural A..F, 6..11 urban A..F. NaN for xM <= 0. */
export function briggsSigmaY(row: number, xM: number): number {
  if (!(xM > 0)) return Number.NaN;
  return (BRIGGS_SY_A[row] * xM) / Math.sqrt(1 + BRIGGS_SY_B[row] * xM);
}

/** Briggs sigma_z (m); `row` = 0..5 rural A..F, 6..11 urban A..F. NaN for xM <= 0. */
export function briggsSigmaZ(row: number, xM: number): number {
  if (!(xM > 0)) return Number.NaN;
  return BRIGGS_SZ_A[row] * xM * briggsFactor(BRIGGS_SZ_B[row] * xM, BRIGGS_SZ_P[row]);
}

// ---- ISC3 rural Pasquill–Gifford fits, x in km. ----
const ISC3_SY_C = Float64Array.of(24.167, 18.333, 12.5, 8.333, 6.25, 4.1667);
const ISC3_SY_D = Float64Array.of(2.5334, 1.8096, 1.0857, 0.72382, 0.54287, 0.36191);

/** Cap on the ISC3 sigma_z (m). */
export const ISC3_SIGMA_Z_MAX_M = 5000;

/**
 * sigma_z = a·x(km)^b on segments. Segment i applies for x < upperKm[i] (the last segment of each
 * class has upper bound Infinity). The tables' printed ranges are rounded to 0.01 km (".10–.15,
 * .16–.20"); taking each printed upper bound as exclusive puts the breaks where the published
 * ranges start. Class A beyond 3.11 km is 5000 m: the last fit already exceeds the cap there.
 */
const ISC3_SZ: readonly { upperKm: Float64Array; a: Float64Array; b: Float64Array }[] = [
  // A
  {
    upperKm: Float64Array.of(0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5, Number.POSITIVE_INFINITY),
    a: Float64Array.of(122.8, 158.08, 170.22, 179.52, 217.41, 258.89, 346.75, 453.85),
    b: Float64Array.of(0.9447, 1.0542, 1.0932, 1.1262, 1.2644, 1.4094, 1.7283, 2.1166),
  },
  // B
  {
    upperKm: Float64Array.of(0.2, 0.4, Number.POSITIVE_INFINITY),
    a: Float64Array.of(90.673, 98.483, 109.3),
    b: Float64Array.of(0.93198, 0.98332, 1.0971),
  },
  // C
  {
    upperKm: Float64Array.of(Number.POSITIVE_INFINITY),
    a: Float64Array.of(61.141),
    b: Float64Array.of(0.91465),
  },
  // D
  {
    upperKm: Float64Array.of(0.3, 1, 3, 10, 30, Number.POSITIVE_INFINITY),
    a: Float64Array.of(34.459, 32.093, 32.093, 33.504, 36.65, 44.053),
    b: Float64Array.of(0.86974, 0.81066, 0.64403, 0.60486, 0.56589, 0.51179),
  },
  // E
  {
    upperKm: Float64Array.of(0.1, 0.3, 1, 2, 4, 10, 20, 40, Number.POSITIVE_INFINITY),
    a: Float64Array.of(24.26, 23.331, 21.628, 21.628, 22.534, 24.703, 26.97, 35.42, 47.618),
    b: Float64Array.of(0.8366, 0.81956, 0.7566, 0.63077, 0.57154, 0.50527, 0.46713, 0.37615, 0.29592),
  },
  // F
  {
    upperKm: Float64Array.of(0.2, 0.7, 1, 2, 3, 7, 15, 30, 60, Number.POSITIVE_INFINITY),
    a: Float64Array.of(15.209, 14.457, 13.953, 13.953, 14.823, 16.187, 17.836, 22.651, 27.074, 34.219),
    b: Float64Array.of(0.81558, 0.78407, 0.68465, 0.63227, 0.54503, 0.4649, 0.41507, 0.32681, 0.27436, 0.21716),
  },
];

/** ISC3 rural sigma_y (m) for class index k (0..5 = A..F). NaN for xM <= 0. */
export function isc3SigmaY(k: number, xM: number): number {
  if (!(xM > 0)) return Number.NaN;
  const xKm = xM / 1000;
  return 465.11628 * xKm * Math.tan(0.017453293 * (ISC3_SY_C[k] - ISC3_SY_D[k] * Math.log(xKm)));
}

/** ISC3 rural sigma_z (m) for class index k (0..5 = A..F), capped at 5000 m. NaN for xM <= 0. */
export function isc3SigmaZ(k: number, xM: number): number {
  if (!(xM > 0)) return Number.NaN;
  const xKm = xM / 1000;
  const t = ISC3_SZ[k];
  const upper = t.upperKm;
  let i = 0;
  while (xKm >= upper[i]) i++;
  const s = t.a[i] * xKm ** t.b[i];
  return Math.min(s, ISC3_SIGMA_Z_MAX_M);
}

/** sigma_y (m) for a curve family (FAMILY_*) and class index. NaN for xM <= 0. */
export function sigmaYFor(family: number, k: number, xM: number): number {
  return family === FAMILY_ISC3_RURAL ? isc3SigmaY(k, xM) : briggsSigmaY(family * 6 + k, xM);
}

/** sigma_z (m) for a curve family (FAMILY_*) and class index. NaN for xM <= 0. */
export function sigmaZFor(family: number, k: number, xM: number): number {
  return family === FAMILY_ISC3_RURAL ? isc3SigmaZ(k, xM) : briggsSigmaZ(family * 6 + k, xM);
}

/** Lateral dispersion coefficient sigma_y (m) at xM metres downwind. NaN for xM <= 0. */
export function sigmaY(xM: number, opts: PlumeOptions): number {
  return sigmaYFor(sigmaFamily(opts), stabilityIndex(opts.stability), xM);
}

/** Vertical dispersion coefficient sigma_z (m) at xM metres downwind. NaN for xM <= 0; ISC3 caps at 5000 m. */
export function sigmaZ(xM: number, opts: PlumeOptions): number {
  return sigmaZFor(sigmaFamily(opts), stabilityIndex(opts.stability), xM);
}
