/**
 * Power-law wind profile u(z) = u_ref·(z / z_ref)^p, with the exponents ISC3 uses (EPA-454/B-95-003b,
 * vol. II, section 1.1.5): rural after Irwin (1979), urban the ISC3 urban set.
 */

import type { StabilityClass } from '../types.ts';
import { stabilityIndex, type Terrain } from './sigmas.ts';

/** Power-law exponents for classes A..F over rural terrain (ISC3, Irwin 1979). */
export const WIND_EXPONENTS_RURAL: readonly number[] = Object.freeze([0.07, 0.07, 0.1, 0.15, 0.35, 0.55]);
/** Power-law exponents for classes A..F over urban terrain (ISC3). */
export const WIND_EXPONENTS_URBAN: readonly number[] = Object.freeze([0.15, 0.15, 0.2, 0.25, 0.3, 0.3]);

/** The power-law exponent p for a stability class and terrain (default rural). */
export function windProfileExponent(stability: StabilityClass, terrain: Terrain = 'rural'): number {
  const k = stabilityIndex(stability);
  return terrain === 'urban' ? WIND_EXPONENTS_URBAN[k] : WIND_EXPONENTS_RURAL[k];
}

/**
 * Wind speed (m/s) at height zM from the speed measured at refHeightM, by the power law.
 * `exponent`, when given, overrides the tabulated exponent of the class and terrain.
 * Pure power law: 0 at zM = 0, NaN for a negative height or a non-positive reference height.
 */
export function windAtHeight(
  speedMps: number,
  refHeightM: number,
  zM: number,
  stability: StabilityClass,
  terrain: Terrain = 'rural',
  exponent?: number,
): number {
  if (!(refHeightM > 0) || zM < 0) return Number.NaN;
  const p = exponent ?? windProfileExponent(stability, terrain);
  return speedMps * (zM / refHeightM) ** p;
}

/**
 * Lowest height (m) at which the transport wind of a plume is taken: the power law tends to zero at
 * the ground, so a ground-level release would get an unbounded concentration. Releases below this
 * height are carried by the wind at this height.
 */
export const MIN_TRANSPORT_HEIGHT_M = 1;

/**
 * The wind speed (m/s) that carries a plume released at sourceHeightM, from the wind measured at
 * refHeightM (10 m by convention): windAtHeight at max(sourceHeightM, MIN_TRANSPORT_HEIGHT_M).
 * Simulator and locator both use this, so that a simulated survey and its inversion agree.
 */
export function transportWindMps(
  speedMps: number,
  sourceHeightM: number,
  stability: StabilityClass,
  terrain: Terrain = 'rural',
  refHeightM = 10,
): number {
  const z = Math.max(sourceHeightM, MIN_TRANSPORT_HEIGHT_M);
  return windAtHeight(speedMps, refHeightM, z, stability, terrain);
}
