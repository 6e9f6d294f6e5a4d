/**
 * Integrated mass enhancement (IME) and emission rate per plume, after `plumeMask`.
 *
 *   IME  = k · A_pixel · Σ ΔX_i                     [kg]   (ΔX_i: enhancement in ppm·m, raw)
 *   k    = 1e-6 · P/(R·T) · M_CH4 per ppm·m         [kg/m² per ppm·m]
 *        = 1e-6 · 101325 / (8.314462618 · 273.15) · 0.016043 = 7.1576e-7 at 101325 Pa, 273.15 K
 *          (ppm·m read as 1 m of pure CH4 diluted to 1 ppm, at standard temperature and pressure;
 *          pass `kgPerM2PerPpmM` for another convention, e.g. kgPerM2PerPpmM(101325, 288.15) = 6.785e-7)
 *   L    = √(N · A_pixel)                           [m]    (default, the length the calibration assumes)
 *          or the largest distance from the origin to a plume pixel centre ('max-distance-from-origin')
 *   U_eff = a + b · U10                             [m/s]  default a = 0.43 m/s, b = 0.36
 *          (Varon et al. 2018-style linear calibration for point sources at ~30 m pixels, with L = √area;
 *          pass `calibration` for another sensor or mask)
 *   Q    = U_eff · IME / L · 3600                   [kg/h]
 *
 * Uncertainty (1σ, independent terms in quadrature, the length L taken as exact):
 *   σ_Ueff = b · σ_U10, σ_U10 = max(windSpeedSigmaMps, windSpeedRelSigma · U10), default 1.5 m/s
 *   σ_IME  = k · A_pixel · √(Σ σ_i²)   (σ_i: the per-pixel noise of the mask; √N·σ·A·k for constant σ)
 *   σ_Q/Q  = √((σ_Ueff/U_eff)² + (σ_IME/IME)²)
 * The calibration's own scatter is not included; add it through `calibrationRelSigma` if known.
 * σ_Q is a 1σ (68%) half-width. With SMOOTHED_MASK_5M_UEFF_CALIBRATION on the implanted-plume suite
 * (bench/swir-suite.ts, both backgrounds, a 20% wind error declared) it covers the truth for ≈ 70%
 * of the rated plumes at 1σ and ≥ 95% at 2σ (the 95th percentile of |error|/σ_Q is ≈ 1.7), so
 * Q ± 2σ_Q is the 95% interval; the error is closer to log-normal than normal (overestimates at
 * 1–1.5 m/s reach ×2).
 *
 * Origin: with `windFromDeg` (meteorological: the direction the wind blows from, degrees clockwise
 * from north; the map is taken as north-up: line grows southward, sample eastward), the most upwind
 * pixel among the plume's pixels with z ≥ `originMinZ` (default: the mask's seedZ); ties go to the
 * larger enhancement. Without wind direction: the pixel of maximum enhancement.
 *
 * Pure (no Node APIs).
 */

import { PlumetraceError } from '../errors.ts';
import { ppmToKgPerM3 } from '../units.ts';
import type { PlumeMaskResult } from './plumes.ts';

export const IME_ALGORITHM_VERSION = 'plumetrace-ime-ueff/1';

export const STANDARD_PRESSURE_PA = 101325;
export const STANDARD_TEMPERATURE_K = 273.15;

/** kg/m² of CH4 per ppm·m at the given pressure and temperature (1 ppm over a 1 m column). */
export function kgPerM2PerPpmM(
  pressurePa: number = STANDARD_PRESSURE_PA,
  temperatureK: number = STANDARD_TEMPERATURE_K,
): number {
  return ppmToKgPerM3(1, 'CH4', temperatureK, pressurePa);
}

/** ≈ 7.1575e-7 kg/m² per ppm·m (101325 Pa, 273.15 K). */
export const CH4_KG_PER_M2_PER_PPM_M = kgPerM2PerPpmM();

export interface UeffCalibration {
  /** Intercept, m/s. */
  readonly aMps: number;
  /** Slope on the 10 m wind speed, dimensionless. */
  readonly b: number;
}

/** U_eff = 0.43 + 0.36·U10 (m/s), for L = √area at ~30 m pixels. */
export const DEFAULT_UEFF_CALIBRATION: UeffCalibration = { aMps: 0.43, b: 0.36 };
export const DEFAULT_WIND_SPEED_SIGMA_MPS = 1.5;

/**
 * U_eff for the CMF's albedo-weighted smoothed mask (plume-map.ts) at 5 m pixels (AVIRIS-NG-like),
 * L = √area, IME over the mask's smoothed map: fitted as Varon et al. 2018 (AMT 11, 5673) do, on
 * simulated plumes of known rate — here the Gaussian plumes of src/sim/swir in both AVIRIS
 * backgrounds, Jasper Ridge (seed 7) and Moffett Field (seed 107):
 * `node --import tsx bench/swir-suite.ts calibrate 120 7` — 48 detected plumes above the stated
 * detection limit, true wind; fit a = 0.669 m/s, b = 0.451 (per scene: Jasper 0.73 + 0.48·U10 ±18%,
 * n = 20; Moffett 0.48 + 0.47·U10 ±28%, n = 28). relSigma: RMS of the per-plume U_eff about the
 * pooled fit (0.252; its 68% quantile of |U_eff/fit − 1| is 0.265, the 95% one 0.51), the
 * calibration's own relative 1σ — it takes up, on average, what the IME and
 * the length L get wrong (mask truncation, plume shape). Valid for that mask and pixel size only,
 * and only as far as a Gaussian plume stands for a real one (Varon et al. fit LES plumes, whose
 * U_eff is lower than U10).
 */
export const SMOOTHED_MASK_5M_UEFF_CALIBRATION: UeffCalibration & { readonly relSigma: number } = {
  aMps: 0.67,
  b: 0.45,
  relSigma: 0.25,
};

export type PlumeLengthDefinition = 'sqrt-area' | 'max-distance-from-origin';

export interface QuantifyOptions {
  /** Side of a (square) pixel, m. */
  readonly pixelSizeM: number;
  /** 10 m wind speed, m/s. */
  readonly windSpeedMps: number;
  /** Absolute 1σ of the wind speed, m/s. Default 1.5. */
  readonly windSpeedSigmaMps?: number;
  /** Relative 1σ of the wind speed (0.5 = 50 %); the larger of the two applies. Default 0. */
  readonly windSpeedRelSigma?: number;
  /** Wind direction (from), degrees clockwise from north; north-up map assumed. */
  readonly windFromDeg?: number;
  readonly calibration?: UeffCalibration;
  /** Relative 1σ of the calibration itself, added in quadrature. Default 0. */
  readonly calibrationRelSigma?: number;
  /** Default CH4_KG_PER_M2_PER_PPM_M. */
  readonly kgPerM2PerPpmM?: number;
  /** Default 'sqrt-area' (what the default calibration assumes). */
  readonly lengthDefinition?: PlumeLengthDefinition;
  /** Origin candidates need z ≥ this. Default: the mask's seedZ. */
  readonly originMinZ?: number;
}

export interface PlumeQuantification {
  readonly label: number;
  readonly pixelCount: number;
  readonly maxEnhancementPpmM: number;
  readonly imeKg: number;
  readonly imeSigmaKg: number;
  /** Origin pixel. */
  readonly originLine: number;
  readonly originSample: number;
  readonly lengthM: number;
  readonly lengthDefinition: PlumeLengthDefinition;
  readonly ueffMps: number;
  readonly ueffSigmaMps: number;
  readonly rateKgPerHour: number;
  readonly rateSigmaKgPerHour: number;
  /** The mask's ranking score (Σz/√N). */
  readonly score: number;
  readonly algorithmVersion: string;
}

/** U_eff (m/s) from the 10 m wind speed. */
export function effectiveWindSpeedMps(
  windSpeedMps: number,
  calibration: UeffCalibration = DEFAULT_UEFF_CALIBRATION,
): number {
  return calibration.aMps + calibration.b * windSpeedMps;
}

/** Q = U_eff · IME / L, in kg/h. */
export function emissionRateKgPerHour(
  imeKg: number,
  lengthM: number,
  windSpeedMps: number,
  calibration: UeffCalibration = DEFAULT_UEFF_CALIBRATION,
): number {
  return ((effectiveWindSpeedMps(windSpeedMps, calibration) * imeKg) / lengthM) * 3600;
}

/** IME, length, origin and emission rate of every plume of `mask` (see the file comment). */
export function quantifyPlumes(
  mask: PlumeMaskResult,
  enhancementPpmM: Float64Array | Float32Array,
  options: QuantifyOptions,
): PlumeQuantification[] {
  const { lines, samples, labels, zScore, plumes } = mask;
  if (enhancementPpmM.length !== lines * samples) {
    throw new PlumetraceError(
      'PT_ERR_SPECTRAL_INPUT',
      `enhancement map has ${enhancementPpmM.length} values, the mask ${lines}×${samples}`,
    );
  }
  const o = resolve(options, mask.options.seedZ);
  const areaM2 = o.pixelSizeM * o.pixelSizeM;
  const cal = o.calibration;
  const ueff = effectiveWindSpeedMps(o.windSpeedMps, cal);
  if (!(ueff > 0)) {
    throw new PlumetraceError(
      'PT_ERR_SPECTRAL_INPUT',
      `effective wind speed ${ueff} m/s is not positive (U10 ${o.windSpeedMps} m/s, a ${cal.aMps}, b ${cal.b})`,
    );
  }
  const windSigma = Math.max(o.windSpeedSigmaMps, o.windSpeedRelSigma * o.windSpeedMps);
  const ueffSigma = Math.abs(cal.b) * windSigma;

  // Downwind unit vector in (line, sample) coordinates of a north-up map.
  let dLine = 0;
  let dSample = 0;
  const hasDirection = o.windFromDeg !== undefined;
  if (hasDirection) {
    const rad = ((o.windFromDeg as number) * Math.PI) / 180;
    dSample = -Math.sin(rad); // east
    dLine = Math.cos(rad); // −north
  }

  return plumes.map((plume) => {
    let originPixel = plume.maxPixel;
    if (hasDirection) {
      let best = Number.POSITIVE_INFINITY;
      let bestX = Number.NEGATIVE_INFINITY;
      for (let l = plume.lineMin; l <= plume.lineMax; l++) {
        for (let s = plume.sampleMin; s <= plume.sampleMax; s++) {
          const p = l * samples + s;
          if (labels[p] !== plume.label || !(zScore[p] >= o.originMinZ)) continue;
          const proj = l * dLine + s * dSample;
          const x = enhancementPpmM[p];
          if (proj < best - 1e-9 || (Math.abs(proj - best) <= 1e-9 && x > bestX)) {
            best = proj;
            bestX = x;
            originPixel = p;
          }
        }
      }
    }
    const originLine = (originPixel / samples) | 0;
    const originSample = originPixel - originLine * samples;

    let lengthM: number;
    if (o.lengthDefinition === 'sqrt-area') {
      lengthM = Math.sqrt(plume.pixelCount * areaM2);
    } else {
      let d2 = 0;
      for (let l = plume.lineMin; l <= plume.lineMax; l++) {
        for (let s = plume.sampleMin; s <= plume.sampleMax; s++) {
          if (labels[l * samples + s] !== plume.label) continue;
          const dl = l - originLine;
          const ds = s - originSample;
          if (dl * dl + ds * ds > d2) d2 = dl * dl + ds * ds;
        }
      }
      // At least one pixel long: a one-pixel plume is A_pixel^(1/2) across.
      lengthM = Math.max(1, Math.sqrt(d2)) * o.pixelSizeM;
    }

    const imeKg = o.kgPerM2PerPpmM * areaM2 * plume.sumEnhancementPpmM;
    const imeSigmaKg = o.kgPerM2PerPpmM * areaM2 * Math.sqrt(plume.sumNoiseVariancePpmM2);
    const rateKgPerHour = ((ueff * imeKg) / lengthM) * 3600;
    const rel = Math.sqrt(
      (ueffSigma / ueff) ** 2 + (imeKg !== 0 ? (imeSigmaKg / imeKg) ** 2 : 0) + o.calibrationRelSigma ** 2,
    );
    const rateSigmaKgPerHour = imeKg !== 0 ? Math.abs(rateKgPerHour) * rel : ((ueff * imeSigmaKg) / lengthM) * 3600;
    return {
      label: plume.label,
      pixelCount: plume.pixelCount,
      maxEnhancementPpmM: plume.maxEnhancementPpmM,
      imeKg,
      imeSigmaKg,
      originLine,
      originSample,
      lengthM,
      lengthDefinition: o.lengthDefinition,
      ueffMps: ueff,
      ueffSigmaMps: ueffSigma,
      rateKgPerHour,
      rateSigmaKgPerHour,
      score: plume.score,
      algorithmVersion: IME_ALGORITHM_VERSION,
    };
  });
}

interface Resolved {
  readonly pixelSizeM: number;
  readonly windSpeedMps: number;
  readonly windSpeedSigmaMps: number;
  readonly windSpeedRelSigma: number;
  readonly windFromDeg: number | undefined;
  readonly calibration: UeffCalibration;
  readonly calibrationRelSigma: number;
  readonly kgPerM2PerPpmM: number;
  readonly lengthDefinition: PlumeLengthDefinition;
  readonly originMinZ: number;
}

function resolve(o: QuantifyOptions, seedZ: number): Resolved {
  if (!Number.isFinite(o.windSpeedMps) || o.windSpeedMps < 0) {
    throw new PlumetraceError('PT_ERR_NO_WIND', `wind speed must be a finite number ≥ 0 m/s, got ${o.windSpeedMps}`);
  }
  const r: Resolved = {
    pixelSizeM: o.pixelSizeM,
    windSpeedMps: o.windSpeedMps,
    windSpeedSigmaMps: o.windSpeedSigmaMps ?? DEFAULT_WIND_SPEED_SIGMA_MPS,
    windSpeedRelSigma: o.windSpeedRelSigma ?? 0,
    windFromDeg: o.windFromDeg,
    calibration: o.calibration ?? DEFAULT_UEFF_CALIBRATION,
    calibrationRelSigma: o.calibrationRelSigma ?? 0,
    kgPerM2PerPpmM: o.kgPerM2PerPpmM ?? CH4_KG_PER_M2_PER_PPM_M,
    lengthDefinition: o.lengthDefinition ?? 'sqrt-area',
    originMinZ: o.originMinZ ?? seedZ,
  };
  const bad = (name: string, v: unknown): never => {
    throw new PlumetraceError('PT_ERR_SPECTRAL_INPUT', `IME option ${name} is invalid: ${String(v)}`);
  };
  if (!(r.pixelSizeM > 0) || !Number.isFinite(r.pixelSizeM)) bad('pixelSizeM', r.pixelSizeM);
  if (!(r.windSpeedSigmaMps >= 0) || !Number.isFinite(r.windSpeedSigmaMps))
    bad('windSpeedSigmaMps', r.windSpeedSigmaMps);
  if (!(r.windSpeedRelSigma >= 0) || !Number.isFinite(r.windSpeedRelSigma))
    bad('windSpeedRelSigma', r.windSpeedRelSigma);
  if (r.windFromDeg !== undefined && !Number.isFinite(r.windFromDeg)) bad('windFromDeg', r.windFromDeg);
  if (!Number.isFinite(r.calibration.aMps) || !Number.isFinite(r.calibration.b))
    bad('calibration', JSON.stringify(r.calibration));
  if (!(r.calibrationRelSigma >= 0) || !Number.isFinite(r.calibrationRelSigma))
    bad('calibrationRelSigma', r.calibrationRelSigma);
  if (!(r.kgPerM2PerPpmM > 0) || !Number.isFinite(r.kgPerM2PerPpmM)) bad('kgPerM2PerPpmM', r.kgPerM2PerPpmM);
  if (r.lengthDefinition !== 'sqrt-area' && r.lengthDefinition !== 'max-distance-from-origin') {
    bad('lengthDefinition', r.lengthDefinition);
  }
  if (!Number.isFinite(r.originMinZ)) bad('originMinZ', r.originMinZ);
  return r;
}
