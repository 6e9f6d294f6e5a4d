/**
 * Gaussian plume with total reflection at the ground:
 *
 *   C = Q / (2π·u·σy·σz) · exp(−y²/2σy²) · [exp(−(z−H)²/2σz²) + exp(−(z+H)²/2σz²)]
 *
 * For a ground-level source and receptor the bracket is 2, giving the familiar Q/(π·u·σy·σz).
 * No plume rise, no deposition: H is the effective release height.
 *
 * With a mixing-height lid L (PlumeOptions.mixingHeightM) the plume also reflects at the lid. By the
 * method of images the bracket becomes the sum over all n of
 *
 *   exp(−(z−H−2nL)²/2σz²) + exp(−(z+H−2nL)²/2σz²)
 *
 * (the multiple-reflection vertical term of Turner's 1970 Workbook and of the ISC3 user's guide,
 * EPA-454/B-95-003b vol. II), summed here until a further block of images adds less than 1e-7 of the
 * sum. Once σz > 1.6·L the plume is taken as well mixed below the lid,
 * C = Q/(√(2π)·u·σy·L)·exp(−y²/2σy²), as ISC3 does; at the switch the image sum and the well-mixed
 * form differ by about 1e-5 (relative; Poisson summation puts the first neglected Fourier term at
 * exp(−π²·1.6²/2) ≈ 3e-6), so the switch is smooth. Receptors above the lid get 0 from a source
 * below it (the lid traps the plume).
 *
 * A source above the lid (H > L): ISC3 assumes such a plume never reaches the ground (zero
 * concentration below the lid), and so does this model: 0 at every receptor at or below the lid.
 * A receptor above the lid (a drone flying in the residual layer) sees the plume with the lid as its
 * floor: reflection at the lid, none at the ground. The alternative, 0 everywhere, would leave an
 * inversion no way to explain elevated readings aloft; the reflecting floor conserves mass above
 * the lid. The surface-layer sigma curves are kept, which is a rough model of the air above a lid.
 */

import {
  FAMILY_ISC3_RURAL,
  type PlumeOptions,
  briggsSigmaY,
  briggsSigmaZ,
  isc3SigmaY,
  isc3SigmaZ,
  sigmaFamily,
  stabilityIndex,
} from './sigmas.ts';
import { averagingTimeFactor, sigmaThetaRad, sigmaThetaSpreadM } from './lateral.ts';
import { PlumetraceError } from '../errors.ts';

const INV_TWO_PI = 1 / (2 * Math.PI);

/** A plume kernel with its options fixed: (xM, yM, zM, sourceHeightM, windSpeedMps) → (kg/m³)/(kg/s). */
export type PlumeKernelFn = (xM: number, yM: number, zM: number, sourceHeightM: number, windSpeedMps: number) => number;

function kernelWithSigmas(sy: number, sz: number, yM: number, zM: number, h: number, u: number): number {
  const a = yM / sy;
  const dm = (zM - h) / sz;
  const dp = (zM + h) / sz;
  return (INV_TWO_PI * Math.exp(-0.5 * a * a) * (Math.exp(-0.5 * dm * dm) + Math.exp(-0.5 * dp * dp))) / (u * sy * sz);
}

const SQRT_TWO_PI = Math.sqrt(2 * Math.PI);
/** σz / L beyond which the plume is taken as well mixed below the lid (ISC3). */
export const WELL_MIXED_SIGMA_Z_RATIO = 1.6;
/** Image blocks (the four terms of one n) are added until one adds less than this fraction of the sum. */
const IMAGE_SUM_REL_TOL = 1e-7;
/** At σz ≤ 1.6·L about 6 image blocks reach the tolerance; this only bounds the loop. */
const MAX_IMAGE_BLOCKS = 64;
/** Images are skipped when the nearest is below e^−19 (5.6e-9) of the n = 0 term (see kernelWithLid). */
const IMAGES_NEGLIGIBLE_EXPONENT = 19;

/**
 * The plume between the ground and a lid at lidM (see the file comment). The n = 0 terms are computed
 * exactly as kernelWithSigmas does, so a lid far above the plume gives the unbounded plume's numbers.
 * Terms of image block n decrease with n, and each block is less than about half the previous one
 * while σz ≤ 1.6·L, so stopping when a block adds < 1e-7 of the sum leaves an error below 1e-7.
 * The common cases stay in this small function (so the engine can inline it into the callers' loops
 * without boxing doubles); the image loop and sources above the lid live in helpers.
 */
function kernelWithLid(sy: number, sz: number, yM: number, zM: number, h: number, u: number, lidM: number): number {
  if (h > lidM || zM > lidM) return kernelAboveLid(sy, sz, yM, zM, h, u, lidM);
  const a = yM / sy;
  if (sz > WELL_MIXED_SIGMA_Z_RATIO * lidM) return Math.exp(-0.5 * a * a) / (SQRT_TWO_PI * u * sy * lidM);
  const dm = (zM - h) / sz;
  const dp = (zM + h) / sz;
  const sum = Math.exp(-0.5 * dm * dm) + Math.exp(-0.5 * dp * dp);
  // For 0 <= z, H <= L the nearest image beyond n = 0 is at min(2L − z − H, 2L − |z − H|) and the
  // larger n = 0 term is the direct one, at |z − H| (outside that range, always sum the images). When the nearest image is below e^−19 of it,
  // all further blocks add under 1e-7 (block 1 has 4 terms; later blocks shrink geometrically), and
  // they are skipped: the common case near the ground short of the lid, and it gives the unbounded
  // plume's numbers.
  const near = 2 * lidM - Math.max(zM + h, Math.abs(zM - h));
  const far = near * near - (zM - h) * (zM - h);
  const needImages = far <= 2 * IMAGES_NEGLIGIBLE_EXPONENT * sz * sz || zM < 0 || h < 0;
  const vertical = needImages ? addImages(sum, dm, dp, (2 * lidM) / sz) : sum;
  return (INV_TWO_PI * Math.exp(-0.5 * a * a) * vertical) / (u * sy * sz);
}

/** The n = 0 sum plus image blocks n = 1, 2, … until a block adds less than 1e-7 of the sum. */
function addImages(sum0: number, dm: number, dp: number, step: number): number {
  let sum = sum0;
  for (let n = 1; n <= MAX_IMAGE_BLOCKS; n++) {
    const s = n * step;
    const t1 = dm - s;
    const t2 = dm + s;
    const t3 = dp - s;
    const t4 = dp + s;
    const block =
      Math.exp(-0.5 * t1 * t1) + Math.exp(-0.5 * t2 * t2) + Math.exp(-0.5 * t3 * t3) + Math.exp(-0.5 * t4 * t4);
    sum += block;
    if (block <= IMAGE_SUM_REL_TOL * sum) break;
  }
  return sum;
}

/** Receptor or source above the lid: 0 unless both are; then the lid is the plume's reflecting floor. */
function kernelAboveLid(sy: number, sz: number, yM: number, zM: number, h: number, u: number, lidM: number): number {
  if (h <= lidM || zM <= lidM) return 0;
  const a = yM / sy;
  const dm = (zM - h) / sz;
  const dl = (zM + h - 2 * lidM) / sz;
  return (INV_TWO_PI * Math.exp(-0.5 * a * a) * (Math.exp(-0.5 * dm * dm) + Math.exp(-0.5 * dl * dl))) / (u * sy * sz);
}

/**
 * PlumeOptions decoded once, for inner loops. `plain`: none of mixingHeightM, sigmaThetaDeg,
 * averagingS is set, and the original formula applies unchanged.
 */
export interface DecodedPlumeOptions {
  readonly isc3: boolean;
  /** Class index 0..5 (A..F). */
  readonly k: number;
  /** Briggs table row (family·6 + k); unused for ISC3. */
  readonly row: number;
  /** Factor on the curve sigma_y for the averaging time (1 without averagingS). */
  readonly averagingFactor: number;
  /** σθ in radians; 0 without sigmaThetaDeg (σθ = 0 never widens the curve sigma_y either). */
  readonly sigmaThetaRad: number;
  /** Lid height (m); +Infinity without one. */
  readonly lidM: number;
  readonly plain: boolean;
}

/** Validates and decodes PlumeOptions; throws PT_ERR_BAD_REQUEST for anything out of range. */
export function decodePlumeOptions(opts: PlumeOptions): DecodedPlumeOptions {
  const family = sigmaFamily(opts);
  const k = stabilityIndex(opts.stability);
  const lid = opts.mixingHeightM;
  if (lid !== undefined && !(lid > 0)) {
    throw new PlumetraceError(
      'PT_ERR_BAD_REQUEST',
      `mixingHeightM must be a height in metres > 0, or Infinity for no lid (got ${lid})`,
    );
  }
  return {
    isc3: family === FAMILY_ISC3_RURAL,
    k,
    row: family * 6 + k,
    averagingFactor: opts.averagingS === undefined ? 1 : averagingTimeFactor(opts.averagingS),
    sigmaThetaRad: opts.sigmaThetaDeg === undefined ? 0 : sigmaThetaRad(opts.sigmaThetaDeg),
    lidM: lid ?? Number.POSITIVE_INFINITY,
    plain: lid === undefined && opts.sigmaThetaDeg === undefined && opts.averagingS === undefined,
  };
}

/** sigma_y (m) of decoded options at xM > 0 in wind u: the curve, scaled for averaging, widened by σθ. */
export function decodedSigmaY(d: DecodedPlumeOptions, xM: number, u: number): number {
  const sy = (d.isc3 ? isc3SigmaY(d.k, xM) : briggsSigmaY(d.row, xM)) * d.averagingFactor;
  return d.sigmaThetaRad > 0 ? Math.max(sy, sigmaThetaSpreadM(d.sigmaThetaRad, xM, u)) : sy;
}

/** sigma_z (m) of decoded options at xM > 0. */
export function decodedSigmaZ(d: DecodedPlumeOptions, xM: number): number {
  return d.isc3 ? isc3SigmaZ(d.k, xM) : briggsSigmaZ(d.row, xM);
}

/**
 * The kernel for options with a lid, σθ or averaging time (the general path): one small closure per
 * sigma family and lid/no lid, so that an engine can inline all of it into a caller's loop (the
 * path-mean quadrature) without boxing doubles at call boundaries.
 */
function generalKernel(d: DecodedPlumeOptions): PlumeKernelFn {
  const k = d.k;
  const row = d.row;
  const avg = d.averagingFactor;
  const theta = d.sigmaThetaRad;
  const lidM = d.lidM;
  if (lidM < Number.POSITIVE_INFINITY) {
    if (d.isc3) {
      return (xM, yM, zM, h, u) => {
        if (!(xM > 0)) return 0;
        const sy = isc3SigmaY(k, xM) * avg;
        const st = theta > 0 ? sigmaThetaSpreadM(theta, xM, u) : 0;
        return kernelWithLid(Math.max(sy, st), isc3SigmaZ(k, xM), yM, zM, h, u, lidM);
      };
    }
    return (xM, yM, zM, h, u) => {
      if (!(xM > 0)) return 0;
      const sy = briggsSigmaY(row, xM) * avg;
      const st = theta > 0 ? sigmaThetaSpreadM(theta, xM, u) : 0;
      return kernelWithLid(Math.max(sy, st), briggsSigmaZ(row, xM), yM, zM, h, u, lidM);
    };
  }
  if (d.isc3) {
    return (xM, yM, zM, h, u) => {
      if (!(xM > 0)) return 0;
      const sy = isc3SigmaY(k, xM) * avg;
      const st = theta > 0 ? sigmaThetaSpreadM(theta, xM, u) : 0;
      return kernelWithSigmas(Math.max(sy, st), isc3SigmaZ(k, xM), yM, zM, h, u);
    };
  }
  return (xM, yM, zM, h, u) => {
    if (!(xM > 0)) return 0;
    const sy = briggsSigmaY(row, xM) * avg;
    const st = theta > 0 ? sigmaThetaSpreadM(theta, xM, u) : 0;
    return kernelWithSigmas(Math.max(sy, st), briggsSigmaZ(row, xM), yM, zM, h, u);
  };
}

/**
 * Concentration (kg/m³) per unit emission rate (1 kg/s) at a receptor xM downwind, yM crosswind and
 * zM above ground, for a source at sourceHeightM in a wind of windSpeedMps (the wind at the release
 * height; see transportWindMps). Reflection at the ground (and at the lid, with mixingHeightM);
 * sigma_y from plumeSigmaY (averaging time, σθ); 0 upwind (xM <= 0, or xM NaN).
 * Allocation-free; for a loop over many receptors with fixed options, makePlumeKernel saves the
 * option decoding.
 */
export function plumeKernel(
  xM: number,
  yM: number,
  zM: number,
  sourceHeightM: number,
  windSpeedMps: number,
  opts: PlumeOptions,
): number {
  if (opts.mixingHeightM !== undefined || opts.sigmaThetaDeg !== undefined || opts.averagingS !== undefined) {
    const d = decodePlumeOptions(opts);
    if (!(xM > 0)) return 0;
    const sy = decodedSigmaY(d, xM, windSpeedMps);
    const sz = decodedSigmaZ(d, xM);
    return d.lidM < Number.POSITIVE_INFINITY
      ? kernelWithLid(sy, sz, yM, zM, sourceHeightM, windSpeedMps, d.lidM)
      : kernelWithSigmas(sy, sz, yM, zM, sourceHeightM, windSpeedMps);
  }
  // The original options: the original code path, unchanged.
  if (!(xM > 0)) return 0;
  const family = sigmaFamily(opts);
  const k = stabilityIndex(opts.stability);
  let sy: number;
  let sz: number;
  if (family === FAMILY_ISC3_RURAL) {
    sy = isc3SigmaY(k, xM);
    sz = isc3SigmaZ(k, xM);
  } else {
    const row = family * 6 + k;
    sy = briggsSigmaY(row, xM);
    sz = briggsSigmaZ(row, xM);
  }
  return kernelWithSigmas(sy, sz, yM, zM, sourceHeightM, windSpeedMps);
}

/**
 * plumeKernel with its options decoded once (throws here for a bad stability/terrain/scheme).
 * The returned function gives the same numbers as plumeKernel.
 */
export function makePlumeKernel(opts: PlumeOptions): PlumeKernelFn {
  const d = decodePlumeOptions(opts);
  if (!d.plain) return generalKernel(d);
  // The original options: the original closures, so old callers keep their numbers and speed.
  const family = sigmaFamily(opts);
  const k = stabilityIndex(opts.stability);
  if (family === FAMILY_ISC3_RURAL) {
    return (xM, yM, zM, h, u) => (xM > 0 ? kernelWithSigmas(isc3SigmaY(k, xM), isc3SigmaZ(k, xM), yM, zM, h, u) : 0);
  }
  const row = family * 6 + k;
  return (xM, yM, zM, h, u) =>
    xM > 0 ? kernelWithSigmas(briggsSigmaY(row, xM), briggsSigmaZ(row, xM), yM, zM, h, u) : 0;
}

/**
 * The Gaussian plume with given sigmas (m): concentration per unit emission rate, same units as
 * plumeKernel. For checks against worked examples that state their sigmas. With mixingHeightM, the
 * lid model of plumeKernel (images, well-mixed beyond σz > 1.6·L).
 */
export function plumeWithSigmas(
  sigmaYM: number,
  sigmaZM: number,
  yM: number,
  zM: number,
  sourceHeightM: number,
  windSpeedMps: number,
  mixingHeightM?: number,
): number {
  if (mixingHeightM !== undefined && mixingHeightM !== Number.POSITIVE_INFINITY) {
    if (!(mixingHeightM > 0)) {
      throw new PlumetraceError('PT_ERR_BAD_REQUEST', `mixingHeightM must be > 0 (got ${mixingHeightM})`);
    }
    return kernelWithLid(sigmaYM, sigmaZM, yM, zM, sourceHeightM, windSpeedMps, mixingHeightM);
  }
  return kernelWithSigmas(sigmaYM, sigmaZM, yM, zM, sourceHeightM, windSpeedMps);
}
