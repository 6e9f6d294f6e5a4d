/**
 * Downwind exposure estimates for referrals: distances to thresholds, areas above them, peak
 * concentrations with the rate's uncertainty and the plausible stability classes, and a gridded
 * ground-level field for maps. See README.md for the assumptions.
 */
export {
  EXPOSURE_ASSUMPTIONS,
  type ExposureCase,
  type ExposureEstimate,
  type ExposureGrid,
  type ExposureGridInput,
  type ExposureInput,
  type ExposurePeak,
  type ExposureSpread,
  exposureEstimate,
  exposureGrid,
  MAX_GRID_CELLS,
  MIN_DISTANCE_M,
  type StabilityPrior,
  type ThresholdCrossing,
  type ThresholdExposure,
} from './exposure.ts';
export { contourRings, type ExposureContour, exposureContours, type LonLatPolygon } from './contour.ts';
export { EXTRA_MOLAR_MASS_G_PER_MOL, exposureGases, exposurePpmPerKgPerM3 } from './gases.ts';
