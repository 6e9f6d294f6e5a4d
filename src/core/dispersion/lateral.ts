/**
 * Lateral spread (sigma_y) beyond the stability-class curves: the sample averaging-time correction
 * and the spread implied by a measured standard deviation of wind direction, σθ.
 *
 * Kept apart from sigmas.ts on purpose: adding these functions to that module measurably slowed the
 * original Briggs kernel (about 5 ns of 64 per call in V8), and the original options must keep
 * their speed as well as their numbers.
 */

import { PlumetraceError } from '../errors.ts';
import { type PlumeOptions, sigmaY } from './sigmas.ts';

/** Averaging time (s) the Pasquill–Gifford / Briggs sigma_y curves stand for: about 10 minutes. */
export const AVERAGING_BASIS_S = 600;
/** Exponent p of the averaging-time power law sigma_y ∝ t^p (Turner 1970; Gifford 1975: 0.17–0.2). */
export const AVERAGING_EXPONENT = 0.2;
/** Draxler's (1976) time scale T_i (s) of the lateral function f_y. */
export const DRAXLER_TIME_SCALE_S = 1000;

/**
 * Factor on the curve sigma_y for samples averaged over averagingS seconds:
 * (averagingS / 600)^0.2. The Pasquill–Gifford curves describe short-term averages (Turner 1970,
 * *Workbook of Atmospheric Dispersion Estimates*, takes concentrations from them as representative
 * of sampling times of about 10 minutes, the basis here). Over a shorter time the plume meanders less and is narrower. The power law is the
 * one Turner (1970) and Gifford (1975) give for peak-to-mean concentration with sampling time,
 * C ∝ t^-p, p ≈ 0.17–0.2, recommended for about 3 minutes to a few hours; read as sigma_y ∝ t^p
 * (the centreline concentration is ∝ 1/sigma_y). p = 0.2 here. Far outside that range (e.g. 1-s
 * in-situ samples, factor 0.28) it is an extrapolation. Throws PT_ERR_BAD_REQUEST unless
 * averagingS is finite and > 0.
 */
export function averagingTimeFactor(averagingS: number): number {
  if (!(averagingS > 0) || !Number.isFinite(averagingS)) {
    throw new PlumetraceError(
      'PT_ERR_BAD_REQUEST',
      `averagingS must be a finite number of seconds > 0 (got ${averagingS})`,
    );
  }
  return (averagingS / AVERAGING_BASIS_S) ** AVERAGING_EXPONENT;
}

/**
 * Draxler's (1976) lateral function f_y(t) = 1 / (1 + 0.9·sqrt(t / T_i)), T_i = 1000 s, with t the
 * travel time x/u (s). (Draxler, R. R., 1976: Determination of atmospheric diffusion parameters.
 * Atmos. Environ. 10, 99–105; as used for sigma_y = σθ·x·f_y by Irwin 1983, J. Climate Appl.
 * Meteor. 22, 92–114.) Written in travel time, as Draxler fitted it: the distance form
 * f(x) = 1/(1 + 0.9·sqrt(x/1000 m)) is the same function at u = 1 m/s, and gives a narrower plume
 * than this one in faster winds (at 5 m/s and 1 km: 0.53 against 0.71).
 */
export function draxlerFy(travelTimeS: number): number {
  return 1 / (1 + 0.9 * Math.sqrt(travelTimeS / DRAXLER_TIME_SCALE_S));
}

/**
 * The sigma_y (m) the plume kernel uses at xM downwind in a transport wind of windSpeedMps:
 * curve·(averagingS/600)^0.2 (factor 1 without averagingS), widened to σθ·x·f_y(x/u) when
 * sigmaThetaDeg is given and that is larger. The σθ-based spread is not scaled for averaging time:
 * σθ measured over the sample's own averaging time already carries it. NaN for xM <= 0.
 * Without sigmaThetaDeg and averagingS it equals sigmaY(xM, opts) exactly.
 */
export function plumeSigmaY(xM: number, windSpeedMps: number, opts: PlumeOptions): number {
  let sy = sigmaY(xM, opts);
  if (opts.averagingS !== undefined) sy *= averagingTimeFactor(opts.averagingS);
  if (opts.sigmaThetaDeg !== undefined) {
    sy = Math.max(sy, sigmaThetaSpreadM(sigmaThetaRad(opts.sigmaThetaDeg), xM, windSpeedMps));
  }
  return sy;
}

/** σθ in radians from degrees; throws PT_ERR_BAD_REQUEST unless finite and >= 0. */
export function sigmaThetaRad(sigmaThetaDeg: number): number {
  if (!(sigmaThetaDeg >= 0) || !Number.isFinite(sigmaThetaDeg)) {
    throw new PlumetraceError(
      'PT_ERR_BAD_REQUEST',
      `sigmaThetaDeg must be a finite number of degrees >= 0 (got ${sigmaThetaDeg})`,
    );
  }
  return (sigmaThetaDeg * Math.PI) / 180;
}

/** σθ·x·f_y(x/u) (m), the sigma_y implied by the wind-direction spread (σθ in radians). */
export function sigmaThetaSpreadM(sigmaThetaRadians: number, xM: number, windSpeedMps: number): number {
  return (sigmaThetaRadians * xM) / (1 + 0.9 * Math.sqrt(xM / (windSpeedMps * DRAXLER_TIME_SCALE_S)));
}
