/**
 * Unit conversions between mass concentration and mole fraction, by the ideal-gas law.
 *
 *   ppm = c[kg/m³] / M[kg/mol] · R·T / p · 1e6
 *
 * Pure (no Node APIs).
 */

import { PlumetraceError } from './errors.ts';

/** Molar masses (g/mol), IUPAC standard atomic weights (conventional values). Keys upper case. */
export const MOLAR_MASS_G_PER_MOL: Readonly<Record<string, number>> = Object.freeze({
  CH4: 16.043,
  CO2: 44.009,
  NH3: 17.031,
  H2S: 34.081,
});

/** Molar gas constant, J/(mol·K) (exact, SI 2019). */
export const GAS_CONSTANT_J_PER_MOL_K = 8.314462618;
/** Standard temperature (15 °C) and pressure used by default, as in the ICAO standard atmosphere at sea level. */
export const STANDARD_TEMP_K = 288.15;
export const STANDARD_PRESSURE_PA = 101325;

/** Molar mass (kg/mol) of a gas by name (case-insensitive); PT_ERR_BAD_REQUEST for an unknown gas. */
export function molarMassKgPerMol(gas: string): number {
  const key = String(gas).trim().toUpperCase();
  const g = Object.hasOwn(MOLAR_MASS_G_PER_MOL, key) ? MOLAR_MASS_G_PER_MOL[key] : undefined;
  if (g === undefined) {
    throw new PlumetraceError(
      'PT_ERR_BAD_REQUEST',
      `unknown gas "${gas}" (known: ${Object.keys(MOLAR_MASS_G_PER_MOL).join(', ')})`,
    );
  }
  return g / 1000;
}

/** Cubic metres per mole of air at tempK and pressurePa (ideal gas). */
function molarVolumeM3(tempK: number, pressurePa: number): number {
  return (GAS_CONSTANT_J_PER_MOL_K * tempK) / pressurePa;
}

/** Mass concentration (kg/m³) of `gas` → mole fraction (ppm) at tempK, pressurePa. */
export function kgPerM3ToPpm(
  c: number,
  gas: string,
  tempK = STANDARD_TEMP_K,
  pressurePa = STANDARD_PRESSURE_PA,
): number {
  return (c / molarMassKgPerMol(gas)) * molarVolumeM3(tempK, pressurePa) * 1e6;
}

/** Mole fraction (ppm) of `gas` → mass concentration (kg/m³) at tempK, pressurePa. */
export function ppmToKgPerM3(
  ppm: number,
  gas: string,
  tempK = STANDARD_TEMP_K,
  pressurePa = STANDARD_PRESSURE_PA,
): number {
  return ((ppm * 1e-6) / molarVolumeM3(tempK, pressurePa)) * molarMassKgPerMol(gas);
}

/** The factor f with ppm = f · c[kg/m³] for `gas` (hoist it out of a loop instead of converting per sample). */
export function ppmPerKgPerM3(gas: string, tempK = STANDARD_TEMP_K, pressurePa = STANDARD_PRESSURE_PA): number {
  return kgPerM3ToPpm(1, gas, tempK, pressurePa);
}
