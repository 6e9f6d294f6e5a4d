/**
 * Plain data types of the longwave-infrared (LWIR, 7–14 µm) path. Pure: no Node APIs.
 *
 * Units: wavenumber in cm⁻¹, radiance in µW/(cm² sr cm⁻¹), temperature in K, column amount in
 * ppm·m, absorbance decadic (base 10) per ppm·m. Spectra are typed arrays on a wavenumber grid
 * given beside them; arrays of one grid have equal length.
 */

/**
 * One gas of the library: decadic absorbance per ppm·m on its own wavenumber grid (ascending or
 * descending; readers of the gas library fill it, e.g. from a NIST quantitative JCAMP-DX file).
 * Transmittance of a column c·l (ppm·m) is 10^(−absorbancePerPpmM·c·l). The ppm·m are those of the
 * spectrum's reference conditions (NIST quantitative spectra: 296.15 K, 101.325 kPa); a column
 * counted at another temperature or pressure holds a different number of molecules.
 */
export interface GasAbsorbance {
  /** Display name, e.g. "acetone". */
  readonly name: string;
  /** CAS registry number, e.g. "67-64-1"; empty when unknown (synthetic gases). */
  readonly cas: string;
  readonly wavenumberCm1: Float64Array;
  /** Decadic absorbance per ppm·m, same length as wavenumberCm1. */
  readonly absorbancePerPpmM: Float64Array;
}

/**
 * The atmosphere between the ground and the sensor, on a fine wavenumber grid: nadir transmittance
 * τ_atm, upwelling path radiance L↑ and downwelling radiance L↓ (hemispherical irradiance / π, the
 * term a Lambertian surface reflects).
 */
export interface LwirAtmosphere {
  /** Name or index of the atmosphere, e.g. "grosskc-17". */
  readonly name: string;
  readonly wavenumberCm1: Float64Array;
  readonly transmittance: Float64Array;
  readonly pathRadiance: Float64Array;
  readonly downwellingRadiance: Float64Array;
}

/** Sensor channels: Gaussian spectral response of each channel, centre and FWHM in cm⁻¹. */
export interface LwirChannels {
  readonly centerCm1: Float64Array;
  readonly fwhmCm1: Float64Array;
}

/** A set of emissivity spectra (materials) on one wavenumber grid, material-major. */
export interface EmissivityLibrary {
  readonly name: string;
  readonly materialNames: readonly string[];
  readonly wavenumberCm1: Float64Array;
  /** emissivity[m · nWavenumbers + i], 0–1; NaN where the material is not defined. */
  readonly emissivity: Float64Array;
}

/**
 * The fields of a gas-library spectrum (src/core/spectral/gas-library.ts `GasSpectrum`, built on
 * another branch) that the forward model needs, named as there; kept structural so this module
 * does not depend on the library. `toGasAbsorbance` turns one into a GasAbsorbance.
 */
export interface LibraryGasSpectrumLike {
  readonly id?: string;
  readonly name: string;
  readonly cas: string | null;
  /** True when `absorbance` is decadic absorbance per ppm·m (false: band shape only). */
  readonly quantitative: boolean;
  readonly wavenumberCm: Float64Array;
  readonly absorbance: Float64Array;
}
