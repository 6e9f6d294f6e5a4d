/**
 * Gases the exposure estimate can report in ppm: those of core/units.ts plus a few more that matter
 * around clandestine laboratories. Kept here so units.ts stays as it is. Pure (no Node APIs).
 *
 *   ppm = c[kg/m³] / M[kg/mol] · R·T / p · 1e6, at 15 °C and 1 atm (units.ts's standard state).
 */

import { PlumetraceError } from '../errors.ts';
import { GAS_CONSTANT_J_PER_MOL_K, MOLAR_MASS_G_PER_MOL, STANDARD_PRESSURE_PA, STANDARD_TEMP_K } from '../units.ts';

/** Molar masses (g/mol) of the extra gases, from IUPAC standard atomic weights. Keys upper case. */
export const EXTRA_MOLAR_MASS_G_PER_MOL: Readonly<Record<string, number>> = Object.freeze({
  /** Phosphine (red-phosphorus methamphetamine synthesis). */
  PH3: 33.998,
  /** Hydrogen chloride (salting out a drug base). */
  HCL: 36.461,
  CO: 28.01,
  SO2: 64.066,
  CL2: 70.906,
});

/** Every gas the exposure module knows, upper case. */
export function exposureGases(): string[] {
  return [...Object.keys(MOLAR_MASS_G_PER_MOL), ...Object.keys(EXTRA_MOLAR_MASS_G_PER_MOL)];
}

/**
 * The factor f with ppm = f · c[kg/m³] for `gas` (case-insensitive) at 15 °C and 101325 Pa.
 * PT_ERR_BAD_REQUEST naming the field `gas` for an unknown gas.
 */
export function exposurePpmPerKgPerM3(gas: unknown): number {
  const key = typeof gas === 'string' ? gas.trim().toUpperCase() : '';
  const g = Object.hasOwn(MOLAR_MASS_G_PER_MOL, key)
    ? MOLAR_MASS_G_PER_MOL[key]
    : Object.hasOwn(EXTRA_MOLAR_MASS_G_PER_MOL, key)
      ? EXTRA_MOLAR_MASS_G_PER_MOL[key]
      : undefined;
  if (g === undefined) {
    throw new PlumetraceError(
      'PT_ERR_BAD_REQUEST',
      `gas: unknown gas ${JSON.stringify(gas)} (known: ${exposureGases().join(', ')})`,
    );
  }
  return ((GAS_CONSTANT_J_PER_MOL_K * STANDARD_TEMP_K) / STANDARD_PRESSURE_PA / (g / 1000)) * 1e6;
}
