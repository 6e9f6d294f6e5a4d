/**
 * Data shapes shared across plumetrace's layers. Numeric series are typed arrays, one per column.
 */

/** A time series of in-situ gas samples from one sensor on one flight (one gas). */
export interface InSituSeries {
  /** Gas name as given in the data, upper case (e.g. "CH4"). */
  gas: string;
  /** Sample times, milliseconds since the Unix epoch (UTC). */
  timeMs: Float64Array;
  lat: Float64Array;
  lon: Float64Array;
  /** Sensor altitude above ground, metres. */
  altM: Float64Array;
  /** Mole fraction, parts per million. */
  ppm: Float64Array;
  /** Wind toward east / toward north (m/s), NaN where a row has none; absent when no row has any. */
  windU?: Float64Array;
  windV?: Float64Array;
  /** Stated 1-sigma measurement noise (ppm), NaN where a row has none. */
  sigmaPpm?: Float64Array;
  /**
   * Sample kind per row: 0 = point sample at (lat, lon, altM); 1 = path sample, the mean mole
   * fraction along a beam from (lat, lon, altM) to (lat2, lon2, alt2M). Absent: all points.
   */
  kind?: Uint8Array;
  /** Far end of a path sample's beam (NaN on point rows). Present whenever `kind` has a path. */
  lat2?: Float64Array;
  lon2?: Float64Array;
  alt2M?: Float64Array;
  /** Standard deviation of the horizontal wind direction over the averaging time (degrees), NaN where unknown. */
  windDirStdDeg?: Float64Array;
  /** Averaging time of each sample (s), NaN where unknown. */
  averagingS?: Float64Array;
}

export const SAMPLE_KIND_POINT = 0;
export const SAMPLE_KIND_PATH = 1;

export type StabilityClass = 'A' | 'B' | 'C' | 'D' | 'E' | 'F';
export const STABILITY_CLASSES: readonly StabilityClass[] = ['A', 'B', 'C', 'D', 'E', 'F'];
