/**
 * LWIR radiative transfer for a gas plume near the ground. Pure (no Node APIs), typed arrays,
 * no allocation in the per-spectrum functions when `out` is given.
 *
 * Units: wavenumber ν in cm⁻¹, radiance in µW/(cm² sr cm⁻¹), temperature in K, column c·l in
 * ppm·m, absorbance A decadic per ppm·m.
 *
 * Planck:  B(ν, T) = c1·ν³ / (exp(c2·ν/T) − 1), c1 = 2hc² = 1.191042972e-6 µW cm² sr⁻¹,
 *          c2 = hc/k = 1.438776877 cm K (CODATA 2018). B(1000 cm⁻¹, 300 K) = 9.924 µW/(cm² sr cm⁻¹).
 * Brightness temperature (the inverse): T_b(ν, L) = c2·ν / ln(1 + c1·ν³/L).
 *
 * At-sensor radiance, three layers (ground, plume, atmosphere above the plume):
 *
 *   L = τ_atm·[ τ_g·L_s + (1 − τ_g)·B(T_g) ] + L↑
 *   L_s = ε·B(T_s) + (1 − ε)·L↓            surface-leaving radiance (Lambertian, L↓ = E↓/π)
 *   τ_g = 10^(−D),  D = Σ_i A_i·(c·l)_i     several gases add their optical depths
 *
 * Assumption: the plume sits near the ground, below (nearly) all of the atmosphere, so the whole
 * path transmittance τ_atm and path radiance L↑ lie above it, the downwelling radiance L↓ reaches
 * the ground through the plume without change (the plume's own downward emission and its
 * absorption of L↓ are neglected: both are second order, (1 − ε)·(1 − τ_g), and vanish for ε → 1),
 * and the plume has one temperature T_g. Nadir view, no scattering.
 *
 * Linearised (small-column) form, exact to first order in D (error ≈ ln10·D/2 of the signal):
 *
 *   L ≈ L₀ + τ_atm·(B(T_g) − L_s)·ln10·Σ_i A_i·(c·l)_i,   L₀ = τ_atm·L_s + L↑  (no gas)
 *
 * and its Jacobian with respect to gas i's column, the target spectrum of matched filters:
 *
 *   ∂L/∂(c·l)_i = τ_atm·(B(T_g) − L_s)·ln10·A_i·τ_g   (τ_g = 1 at zero column).
 *
 * Thermal contrast: B(T_g) − L_s ≈ ∂B/∂T(ν, T_bg)·ΔT with T_bg = T_b(ν, L_s), the brightness
 * temperature of the surface-leaving radiance (the background), and ΔT = T_g − T_bg. A gas warmer
 * than the background shows in emission (ΔL > 0 in its bands), a colder gas in absorption, and a
 * gas at the background's brightness temperature not at all: no detector can see it, whatever
 * its column. ΔT depends on ν where ε < 1 (reflected sky), so "no contrast" means T_g = T_bg
 * over the gas's bands.
 */

import { PlumetraceError } from '../errors.ts';

/** 2hc², µW cm² sr⁻¹ (so B is in µW/(cm² sr cm⁻¹) with ν in cm⁻¹). */
export const PLANCK_C1_UW_CM2_PER_SR = 1.191042972e-6;
/** hc/k, cm K. */
export const PLANCK_C2_CM_K = 1.438776877;
export const LN10 = Math.LN10;

/** Planck radiance B(ν, T), µW/(cm² sr cm⁻¹). 0 at T = 0. */
export function planckRadiance(wavenumberCm1: number, temperatureK: number): number {
  if (!(temperatureK > 0)) return 0;
  const v = wavenumberCm1;
  return (PLANCK_C1_UW_CM2_PER_SR * v * v * v) / Math.expm1((PLANCK_C2_CM_K * v) / temperatureK);
}

/** ∂B/∂T(ν, T), µW/(cm² sr cm⁻¹ K). */
export function planckDerivativeK(wavenumberCm1: number, temperatureK: number): number {
  if (!(temperatureK > 0)) return 0;
  const v = wavenumberCm1;
  const x = (PLANCK_C2_CM_K * v) / temperatureK;
  const em1 = Math.expm1(x);
  // d/dT [c1 v³ / (e^x − 1)] = c1 v³ e^x x / (T (e^x − 1)²)
  return (PLANCK_C1_UW_CM2_PER_SR * v * v * v * (em1 + 1) * x) / (temperatureK * em1 * em1);
}

/** B(ν_i, T) for every ν_i of the grid, into `out` (allocated when absent). */
export function planckSpectrum(
  wavenumberCm1: ArrayLike<number>,
  temperatureK: number,
  out = new Float64Array(wavenumberCm1.length),
): Float64Array {
  for (let i = 0; i < wavenumberCm1.length; i++) out[i] = planckRadiance(wavenumberCm1[i], temperatureK);
  return out;
}

/** Brightness temperature T_b(ν, L), K: the blackbody temperature of radiance L. NaN for L ≤ 0. */
export function brightnessTemperature(wavenumberCm1: number, radiance: number): number {
  if (!(radiance > 0)) return Number.NaN;
  const v = wavenumberCm1;
  return (PLANCK_C2_CM_K * v) / Math.log1p((PLANCK_C1_UW_CM2_PER_SR * v * v * v) / radiance);
}

/** T_b for each (ν_i, L_i), into `out`. */
export function brightnessTemperatureSpectrum(
  wavenumberCm1: ArrayLike<number>,
  radiance: ArrayLike<number>,
  out = new Float64Array(wavenumberCm1.length),
): Float64Array {
  for (let i = 0; i < wavenumberCm1.length; i++) out[i] = brightnessTemperature(wavenumberCm1[i], radiance[i]);
  return out;
}

/** The atmospheric terms on the grid of the computation (all the same length). */
export interface LwirPathTerms {
  readonly wavenumberCm1: Float64Array;
  /** τ_atm, ground to sensor. */
  readonly transmittance: ArrayLike<number>;
  /** L↑, path radiance, µW/(cm² sr cm⁻¹). */
  readonly pathRadiance: ArrayLike<number>;
  /** L↓, downwelling radiance (E↓/π), µW/(cm² sr cm⁻¹). */
  readonly downwellingRadiance: ArrayLike<number>;
}

/** The gas layer: absorbance per ppm·m of each gas on the grid, the columns and one temperature. */
export interface LwirGasLayer {
  /** One decadic absorbance-per-ppm·m spectrum per gas, each on the grid. */
  readonly absorbancePerPpmM: readonly ArrayLike<number>[];
  /** One column per gas, ppm·m. */
  readonly columnPpmM: ArrayLike<number>;
  readonly temperatureK: number;
}

/** Checks that the path terms have one length; returns it. */
export function checkPathTerms(t: LwirPathTerms): number {
  const n = t.wavenumberCm1.length;
  for (const [key, a] of [
    ['transmittance', t.transmittance],
    ['pathRadiance', t.pathRadiance],
    ['downwellingRadiance', t.downwellingRadiance],
  ] as const) {
    if (a.length !== n) {
      throw new PlumetraceError(
        'PT_ERR_SPECTRAL_INPUT',
        `LWIR path term ${key} has ${a.length} values for ${n} wavenumbers`,
      );
    }
  }
  return n;
}

function checkGas(gas: LwirGasLayer, n: number): void {
  if (gas.absorbancePerPpmM.length !== gas.columnPpmM.length) {
    throw new PlumetraceError(
      'PT_ERR_SPECTRAL_INPUT',
      `gas layer has ${gas.absorbancePerPpmM.length} absorbance spectra but ${gas.columnPpmM.length} columns`,
    );
  }
  for (let g = 0; g < gas.absorbancePerPpmM.length; g++) {
    if (gas.absorbancePerPpmM[g].length !== n) {
      throw new PlumetraceError(
        'PT_ERR_SPECTRAL_INPUT',
        `absorbance spectrum of gas ${g} has ${gas.absorbancePerPpmM[g].length} values for ${n} wavenumbers`,
      );
    }
    if (!Number.isFinite(gas.columnPpmM[g])) {
      throw new PlumetraceError('PT_ERR_SPECTRAL_INPUT', `column of gas ${g} is not finite (${gas.columnPpmM[g]})`);
    }
  }
  if (!(gas.temperatureK > 0) || !Number.isFinite(gas.temperatureK)) {
    throw new PlumetraceError('PT_ERR_SPECTRAL_INPUT', `gas temperature must be > 0 K (got ${gas.temperatureK})`);
  }
}

/** L_s = ε·B(T_s) + (1 − ε)·L↓ on the grid, into `out`. */
export function surfaceLeavingRadiance(
  terms: LwirPathTerms,
  emissivity: ArrayLike<number>,
  surfaceTemperatureK: number,
  out = new Float64Array(terms.wavenumberCm1.length),
): Float64Array {
  const v = terms.wavenumberCm1;
  const ld = terms.downwellingRadiance;
  for (let i = 0; i < v.length; i++) {
    const e = emissivity[i];
    out[i] = e * planckRadiance(v[i], surfaceTemperatureK) + (1 - e) * ld[i];
  }
  return out;
}

/** Decadic optical depth D = Σ A_i·(c·l)_i on the grid, into `out`. */
export function gasOpticalDepth(
  absorbancePerPpmM: readonly ArrayLike<number>[],
  columnPpmM: ArrayLike<number>,
  n: number,
  out = new Float64Array(n),
): Float64Array {
  out.fill(0);
  for (let g = 0; g < absorbancePerPpmM.length; g++) {
    const a = absorbancePerPpmM[g];
    const c = columnPpmM[g];
    if (c === 0) continue;
    for (let i = 0; i < n; i++) out[i] += a[i] * c;
  }
  return out;
}

/**
 * Full model from the surface-leaving radiance: L = τ_atm·[10^(−D)·L_s + (1 − 10^(−D))·B_g] + L↑.
 * `gasPlanck` is B(ν, T_g) on the grid; `opticalDepth` is D (null: no gas).
 */
export function atSensorRadianceFromSurface(
  terms: LwirPathTerms,
  surfaceLeaving: ArrayLike<number>,
  gasPlanck: ArrayLike<number> | null,
  opticalDepth: ArrayLike<number> | null,
  out = new Float64Array(terms.wavenumberCm1.length),
): Float64Array {
  const n = terms.wavenumberCm1.length;
  const ta = terms.transmittance;
  const lu = terms.pathRadiance;
  for (let i = 0; i < n; i++) {
    let below = surfaceLeaving[i];
    if (opticalDepth !== null && gasPlanck !== null && opticalDepth[i] !== 0) {
      const tg = 10 ** -opticalDepth[i];
      below = tg * below + (1 - tg) * gasPlanck[i];
    }
    out[i] = ta[i] * below + lu[i];
  }
  return out;
}

/** Full at-sensor radiance for a surface (ε on the grid, T_s) under an optional gas layer. */
export function lwirAtSensorRadiance(
  terms: LwirPathTerms,
  emissivity: ArrayLike<number>,
  surfaceTemperatureK: number,
  gas: LwirGasLayer | null,
  out = new Float64Array(terms.wavenumberCm1.length),
): Float64Array {
  const n = checkPathTerms(terms);
  if (emissivity.length !== n) {
    throw new PlumetraceError(
      'PT_ERR_SPECTRAL_INPUT',
      `emissivity has ${emissivity.length} values for ${n} wavenumbers`,
    );
  }
  if (!(surfaceTemperatureK > 0)) {
    throw new PlumetraceError(
      'PT_ERR_SPECTRAL_INPUT',
      `surface temperature must be > 0 K (got ${surfaceTemperatureK})`,
    );
  }
  const ls = surfaceLeavingRadiance(terms, emissivity, surfaceTemperatureK);
  if (gas === null) return atSensorRadianceFromSurface(terms, ls, null, null, out);
  checkGas(gas, n);
  const bg = planckSpectrum(terms.wavenumberCm1, gas.temperatureK);
  const d = gasOpticalDepth(gas.absorbancePerPpmM, gas.columnPpmM, n);
  return atSensorRadianceFromSurface(terms, ls, bg, d, out);
}

/**
 * Linearised at-sensor radiance: L₀ + τ_atm·(B(T_g) − L_s)·ln10·Σ A_i·(c·l)_i (see the module
 * comment). Same inputs as lwirAtSensorRadiance.
 */
export function lwirAtSensorRadianceLinear(
  terms: LwirPathTerms,
  emissivity: ArrayLike<number>,
  surfaceTemperatureK: number,
  gas: LwirGasLayer,
  out = new Float64Array(terms.wavenumberCm1.length),
): Float64Array {
  const n = checkPathTerms(terms);
  checkGas(gas, n);
  const ls = surfaceLeavingRadiance(terms, emissivity, surfaceTemperatureK);
  const d = gasOpticalDepth(gas.absorbancePerPpmM, gas.columnPpmM, n);
  const v = terms.wavenumberCm1;
  for (let i = 0; i < n; i++) {
    const ta = terms.transmittance[i];
    out[i] = ta * ls[i] + terms.pathRadiance[i] + ta * (planckRadiance(v[i], gas.temperatureK) - ls[i]) * LN10 * d[i];
  }
  return out;
}

/**
 * ∂L/∂(c·l)_i for each gas, µW/(cm² sr cm⁻¹) per ppm·m, at the columns of `gas` (pass zeros for
 * the small-column target): τ_atm·(B(T_g) − L_s)·ln10·A_i·10^(−D). One Float64Array per gas.
 */
export function lwirColumnJacobian(
  terms: LwirPathTerms,
  emissivity: ArrayLike<number>,
  surfaceTemperatureK: number,
  gas: LwirGasLayer,
): Float64Array[] {
  const n = checkPathTerms(terms);
  checkGas(gas, n);
  const ls = surfaceLeavingRadiance(terms, emissivity, surfaceTemperatureK);
  const d = gasOpticalDepth(gas.absorbancePerPpmM, gas.columnPpmM, n);
  const v = terms.wavenumberCm1;
  const common = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    common[i] = terms.transmittance[i] * (planckRadiance(v[i], gas.temperatureK) - ls[i]) * LN10 * 10 ** -d[i];
  }
  return gas.absorbancePerPpmM.map((a) => {
    const j = new Float64Array(n);
    for (let i = 0; i < n; i++) j[i] = common[i] * a[i];
    return j;
  });
}

/**
 * Thermal contrast ΔT(ν) = T_g − T_b(ν, L_s), K, the gas temperature minus the background's
 * brightness temperature, into `out`. The small-column signal is ≈ τ_atm·∂B/∂T(ν, T_b)·ΔT·ln10·D.
 */
export function thermalContrastK(
  wavenumberCm1: ArrayLike<number>,
  surfaceLeaving: ArrayLike<number>,
  gasTemperatureK: number,
  out = new Float64Array(wavenumberCm1.length),
): Float64Array {
  for (let i = 0; i < wavenumberCm1.length; i++) {
    out[i] = gasTemperatureK - brightnessTemperature(wavenumberCm1[i], surfaceLeaving[i]);
  }
  return out;
}
