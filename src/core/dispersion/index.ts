/**
 * Gaussian plume forward model: sigma curves (Briggs, ISC3) with sampling-time and wind-direction
 * (σθ) corrections, mixing-height lid, power-law wind, the point and path-mean plume kernels, and
 * Pasquill stability classes from meteorology (with the solar elevation they need).
 */
export {
  AVERAGING_BASIS_S,
  averagingTimeFactor,
  DRAXLER_TIME_SCALE_S,
  draxlerFy,
  plumeSigmaY,
} from './lateral.ts';
export {
  ISC3_SIGMA_Z_MAX_M,
  type PlumeOptions,
  type SigmaScheme,
  sigmaY,
  sigmaZ,
  stabilityIndex,
  type Terrain,
} from './sigmas.ts';
export {
  makePlumeKernel,
  type PlumeKernelFn,
  plumeKernel,
  plumeWithSigmas,
  WELL_MIXED_SIGMA_Z_RATIO,
} from './plume.ts';
export { makePathMeanKernel, PATH_MEAN_REL_TOL, type PathMeanKernelFn, pathMeanKernel } from './path.ts';
export {
  MIN_TRANSPORT_HEIGHT_M,
  transportWindMps,
  WIND_EXPONENTS_RURAL,
  WIND_EXPONENTS_URBAN,
  windAtHeight,
  windProfileExponent,
} from './wind.ts';
export {
  type Insolation,
  insolationFromSun,
  type PasquillMet,
  type SkyCondition,
  stabilityFromMet,
  stabilityFromSun,
  stabilityRangeFromMet,
} from './stability.ts';
export { solarElevationDeg } from './solar.ts';
