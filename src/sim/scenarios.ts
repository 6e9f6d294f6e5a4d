/**
 * Seeded scenarios with known truth for the simulated-truth suite of the source locator: drone
 * (point sensor) transects and open-path laser beam networks downwind of zero, one or two sources.
 *
 * The locator assumes a time-averaged Gaussian plume in a steady wind. The data here is NOT made
 * from exactly that model, so that the suite tests the locator on data it did not write itself:
 *
 * Wind. A true mean wind (speed at 10 m, direction) plus slow meander: the direction offset that
 * carries the plume is an AR(1) process (time scale MEANDER_TIME_S = 100 s, stationary std
 * MEANDER_STD_DEG by class: A 9.8°, B 7.1°, C 4.9°, D 3.6°, E 2.7°, F 1.8°), and the speed is multiplied by
 * 1 + an AR(1) process (same time scale, std SPEED_FLUCT_REL = 10%, factor floored at 0.3). The
 * plume at a receptor is carried by the wind of the travel time earlier, t − x/u (x the distance
 * downwind of the source along the mean wind, u the mean transport wind, lag capped at
 * PREROLL_S = 1200 s), so it snakes rather than swinging as a rigid fan.
 *
 * Point rows (1 Hz). Concentration = background(t) + Σ sources rate · K(x, y, z) · F(t) + noise, with
 * K the Gaussian plume (Briggs rural sigmas, ground reflection) in the source's instantaneous
 * (lagged, meandering) wind frame, its sigma_y scaled by (EFFECTIVE_AVERAGING_S/600)^0.2 with
 * EFFECTIVE_AVERAGING_S = 60 s (a 1-s sigma_y from the 10-minute curves would be (1/600)^0.2 = 0.28 of
 * the curve: absurdly narrow, since 1-s snapshots still contain the sub-minute eddies), and the
 * transport speed the power-law wind at max(h, 1 m) from the instantaneous 10 m speed. F is a
 * mean-one lognormal puff factor exp(σ·ξ − σ²/2), σ = POINT_FLUCT_SIGMA_LN = 0.5, ξ an AR(1) with
 * time scale FLUCT_TIME_S = 5 s, independent per source. White noise 0.01–0.05 ppm (sigmaPpm).
 * Reported wind = true instantaneous 10 m wind + white noise of WIND_NOISE_MPS = 0.2 m/s per
 * component; averagingS = 1; no windDirStdDeg column.
 *
 * Path rows (1-minute means per beam). For each of the 60 one-second steps of the minute, the
 * path-mean kernel (the same 60-s-sigma plume, adaptive quadrature along the beam) in each source's
 * instantaneous frame, times a mean-one lognormal factor per beam and source (σ = PATH_FLUCT_SIGMA_LN
 * = 0.3: the beam and its crossing average out most of the point-scale puffiness; time scale 5 s);
 * the row is the mean of the 60 steps plus white noise 0.005–0.02 ppm. Reported wind = minute mean
 * of the true 10 m wind vector + white noise 0.2/√60 m/s per component (1-s sensor noise averaged);
 * windDirStdDeg = population std of the true wind direction over the minute's 60 seconds;
 * averagingS = 60. Row time = the minute's centre; all beams of a minute share it.
 *
 * Background = b0 (1.90–2.00 ppm) + a sinusoidal drift (amplitude 1–4 ppb, period 10–60 min) + a
 * linear trend (±3 ppb over the record). Sources: rate log-uniform 0.5–50 kg/h, height 0–5 m,
 * 20–200 m upwind of the most upwind sensor position, crosswind ±30 m of the sensors' centre line,
 * two sources at least 30 m apart.
 *
 * clearPlume: from the noiseless MEAN model — the Gaussian plume the locator assumes (10-minute
 * Briggs rural sigmas, true mean wind, transport wind by transportWindMps, no meander, no puffs, no
 * background): each source's peak enhancement over the rows (point kernel at the sample, or the
 * path-mean kernel along the beam) is expectedPeakBySourcePpm; the strongest source at the sensors
 * (the largest of these) gives expectedPeakEnhancementPpm, and clearPlume =
 * expectedPeakEnhancementPpm > CLEAR_PLUME_SNR (10) × noisePpm. allSourcesClear: every source's
 * peak exceeds it (what a fair count test of two-source scenarios needs). allSourcesSeen: every
 * source's peak in the REALISED noiseless rows (meander and puffs, before noise;
 * realizedPeakBySourcePpm) exceeds the same threshold — the data did show each plume. The suite
 * counts a scenario as one "with a clear plume" when both hold.
 *
 * Deterministic: one Rng(seed) stream, drawn in a fixed order. Pure (no Node APIs).
 */

import { makePathMeanKernel, makePlumeKernel, plumeSigmaY, transportWindMps } from '../core/dispersion/index.ts';
import { PlumetraceError } from '../core/errors.ts';
import { localFrame } from '../core/geo/local-frame.ts';
import { Rng } from '../core/random.ts';
import { type InSituSeries, STABILITY_CLASSES, type StabilityClass } from '../core/types.ts';
import { ppmPerKgPerM3 } from '../core/units.ts';

/** Version of the scenario model; bump when the numbers produced for a seed change. */
export const SCENARIO_SIM_VERSION = 'plumetrace-sim-scenarios/2';

/** Default site (near Chilbolton, Hampshire). */
export const DEFAULT_SITE_LAT = 51.15;
export const DEFAULT_SITE_LON = -1.44;

/**
 * Stationary std (degrees) of the meandering wind direction, by class. Chosen so that the
 * simulator's ensemble-mean plume is the Pasquill–Gifford one the locator assumes: the
 * instantaneous spread (σy at 60 s, 0.63 of the 10-minute curve) and the meander θ·x add up to
 * the 10-minute σy, i.e. θ ≈ 0.78·σy/x with the Briggs rural σy/x (0.22, 0.16, 0.11, 0.08, 0.06,
 * 0.04). The model error the locator meets is then random (meander over a short survey, puffs),
 * not a systematic bias — which no time-averaged model could be calibrated for.
 */
export const MEANDER_STD_DEG: Readonly<Record<StabilityClass, number>> = Object.freeze({
  A: 9.8,
  B: 7.1,
  C: 4.9,
  D: 3.6,
  E: 2.7,
  F: 1.8,
});
/** Time scale (s) of the AR(1) direction meander and speed fluctuation. */
export const MEANDER_TIME_S = 100;
/** Relative std of the wind-speed fluctuation. */
export const SPEED_FLUCT_REL = 0.1;
/** Floor of the wind-speed factor (keeps the plume moving). */
const SPEED_FACTOR_MIN = 0.3;
/** Averaging time (s) whose sigma_y stands for the instantaneous (1-s) plume spread. */
export const EFFECTIVE_AVERAGING_S = 60;
/** Lognormal puff factor: σ of ln for point samples and for 1-s path means; AR(1) time scale (s). */
export const POINT_FLUCT_SIGMA_LN = 0.5;
export const PATH_FLUCT_SIGMA_LN = 0.3;
export const FLUCT_TIME_S = 5;
/** White noise (m/s) per component on the reported 1-s wind. */
export const WIND_NOISE_MPS = 0.2;
/** Averaging time (s) of a path row. */
export const PATH_AVERAGING_S = 60;
/** clearPlume threshold: expected peak enhancement over noise. */
export const CLEAR_PLUME_SNR = 10;
/** Wind history simulated before the first sample (s); also the cap on the travel-time lag. */
export const PREROLL_S = 1200;
/** 10 m wind-speed ranges (m/s) the suite draws per class (where the Pasquill table puts each class). */
export const SUITE_WIND_RANGE_MPS: Readonly<Record<StabilityClass, readonly [number, number]>> = Object.freeze({
  A: [1, 3],
  B: [1, 5],
  C: [2, 8],
  D: [1, 8],
  E: [2, 5],
  F: [1, 3],
});

const DEG = Math.PI / 180;
const GAS = 'CH4';
const DEFAULT_START_MS = Date.parse('2026-06-01T08:00:00Z');
/** Relative tolerance of the path-mean quadrature (the data's own noise is far larger). */
const PATH_REL_TOL = 1e-3;
/** A beam whose closest downwind point lies beyond this many sigma_y of the plume axis sees nothing (exp(−32)). */
const PATH_CULL_SIGMAS = 8;
/**
 * Step (rad) of the table of a beam's path mean against the wind-direction offset (0.1°): with
 * sigma_y at 60 s the narrowest plume (class F) is about 1.4° wide (1σ), so linear interpolation
 * errs by under 0.1% of the peak.
 */
const DIR_TABLE_STEP_RAD = 0.1 * (Math.PI / 180);

/**
 * Whether the beam (plume frame, x downwind, y crosswind) misses the plume: its downwind part lies
 * more than PATH_CULL_SIGMAS·sigma_y(x_max) from the axis (sigma_y grows with x, so that bounds it).
 */
function beamMissesPlume(x1: number, y1: number, x2: number, y2: number, sigmaYAt: (xM: number) => number): boolean {
  if (!(x1 > 0) && !(x2 > 0)) return true;
  // Clip to x > 0.
  let ax = x1;
  let ay = y1;
  let bx = x2;
  let by = y2;
  if (!(ax > 0)) {
    const f = -ax / (bx - ax);
    ax = 0;
    ay = ay + f * (by - ay);
  } else if (!(bx > 0)) {
    const f = -bx / (ax - bx);
    bx = 0;
    by = by + f * (ay - by);
  }
  if ((ay <= 0 && by >= 0) || (ay >= 0 && by <= 0)) return false;
  const minAbsY = Math.min(Math.abs(ay), Math.abs(by));
  return minAbsY > PATH_CULL_SIGMAS * sigmaYAt(Math.max(ax, bx));
}

export interface ScenarioSource {
  lat: number;
  lon: number;
  heightM: number;
  rateKgPerHour: number;
}

export interface ScenarioTruth {
  seed: number;
  sources: ScenarioSource[];
  stability: StabilityClass;
  /** True mean wind at 10 m. */
  windSpeedMps: number;
  /** Bearing the true mean wind blows FROM, degrees clockwise from north. */
  windFromDeg: number;
  sensor: 'point' | 'path';
  /** Rows in the series. */
  sampleCount: number;
  /** b0: the background before drift (the drift is a few ppb). */
  backgroundPpm: number;
  /**
   * The strongest source at the sensors (largest expected peak enhancement over the rows, noiseless
   * mean model) exceeds CLEAR_PLUME_SNR × noisePpm. False without sources. See the file comment.
   */
  clearPlume: boolean;
  notes: string;
  modelVersion: string;
  /** 1-sigma white sensor noise on every row (ppm), as in sigmaPpm. */
  noisePpm: number;
  /** max(expectedPeakBySourcePpm), 0 without sources. */
  expectedPeakEnhancementPpm: number;
  /** Per source (order of `sources`): its peak enhancement over the rows in the noiseless mean model (ppm). */
  expectedPeakBySourcePpm: number[];
  /** Every source's expected peak exceeds CLEAR_PLUME_SNR × noisePpm (false without sources). */
  allSourcesClear: boolean;
  /**
   * Per source: its peak enhancement over the rows in the realised noiseless data (the meandering,
   * puffing plume the rows were made from, before sensor noise).
   */
  realizedPeakBySourcePpm: number[];
  /**
   * Every source's realised peak exceeds CLEAR_PLUME_SNR × noisePpm: the data did show each plume
   * (false without sources). A short survey can miss a plume that the mean model says is clear (the
   * meander carried it elsewhere while the sensor was there); no estimator can count such a source.
   */
  allSourcesSeen: boolean;
  /**
   * The rectangle every source of this scenario was drawn from (SOURCE_UPWIND_M by ±SOURCE_CROSS_M in
   * the mean-wind frame): four [lat, lon] corners in order, as SteOptions.areaCorners takes them.
   */
  sourceRegion: [number, number][];
  /** The sources' heights were drawn from 0 to this (m): SOURCE_HEIGHT_MAX_M. */
  sourceHeightMaxM: number;
  /** Path sensor: number of beams; point sensor: number of crosswind passes. */
  beamCount: number;
  passCount: number;
}

export interface Scenario {
  name: string;
  series: InSituSeries;
  truth: ScenarioTruth;
}

export interface ScenarioOptions {
  seed: number;
  sensor: 'point' | 'path';
  sources: 0 | 1 | 2;
  stability: StabilityClass;
  /** True mean wind at 10 m (m/s, > 0). */
  windSpeedMps: number;
  /** Bearing the wind blows FROM (degrees clockwise from north). */
  windFromDeg: number;
  /** Rows: 1-Hz samples (point) or beam-minutes (path). */
  samples: number;
  /** Default `${sensor}-${stability}-${sources}src-${samples}-s${seed}`. */
  name?: string;
  /** Every source's rate (kg/h) instead of the log-uniform 0.5–50 draw. */
  rateKgPerHour?: number;
  /** Sensor noise (ppm) instead of the draw (point 0.01–0.05, path 0.005–0.02). */
  noisePpm?: number;
  /** Site of the local frame, default DEFAULT_SITE_LAT / DEFAULT_SITE_LON. */
  siteLat?: number;
  siteLon?: number;
  /** Time of the first row (ms since the epoch), default 2026-06-01T08:00Z plus 0–8 h drawn. */
  startMs?: number;
}

function bad(field: string, detail: string): PlumetraceError {
  return new PlumetraceError('PT_ERR_BAD_REQUEST', `${field}: ${detail}`, { column: field });
}

function uniform(rng: Rng, lo: number, hi: number): number {
  return lo + (hi - lo) * rng.uniform();
}

/** AR(1) series of n values, time step 1 s, time scale tauS, stationary std sd (starts stationary). */
function ar1(rng: Rng, n: number, tauS: number, sd: number): Float64Array {
  const out = new Float64Array(n);
  const phi = Math.exp(-1 / tauS);
  const innov = sd * Math.sqrt(1 - phi * phi);
  let v = rng.normal(0, sd);
  for (let i = 0; i < n; i++) {
    out[i] = v;
    v = phi * v + rng.normal(0, innov);
  }
  return out;
}

/** Linear interpolation of a 1-s series at a fractional index (clamped to its ends). */
function at(series: Float64Array, idx: number): number {
  if (idx <= 0) return series[0];
  const last = series.length - 1;
  if (idx >= last) return series[last];
  const i = Math.floor(idx);
  const f = idx - i;
  return series[i] + f * (series[i + 1] - series[i]);
}

function validate(o: ScenarioOptions): void {
  if (!Number.isFinite(o.seed)) throw bad('seed', `must be a finite number, got ${String(o.seed)}`);
  if (o.sensor !== 'point' && o.sensor !== 'path')
    throw bad('sensor', `must be point or path, got ${String(o.sensor)}`);
  if (o.sources !== 0 && o.sources !== 1 && o.sources !== 2) throw bad('sources', `must be 0, 1 or 2`);
  if (!STABILITY_CLASSES.includes(o.stability))
    throw bad('stability', `must be one of A–F, got ${String(o.stability)}`);
  if (!(o.windSpeedMps > 0) || !Number.isFinite(o.windSpeedMps)) throw bad('windSpeedMps', 'must be > 0');
  if (!Number.isFinite(o.windFromDeg)) throw bad('windFromDeg', 'must be a finite bearing');
  if (!Number.isInteger(o.samples) || o.samples < 1 || o.samples > 1_000_000)
    throw bad('samples', `must be an integer in 1..1000000, got ${String(o.samples)}`);
  if (o.rateKgPerHour !== undefined && !(o.rateKgPerHour >= 0)) throw bad('rateKgPerHour', 'must be >= 0');
  if (o.noisePpm !== undefined && !(o.noisePpm > 0)) throw bad('noisePpm', 'must be > 0');
}

/** Sensor geometry in the mean-wind frame (along = downwind, cross = to the right), plus timing. */
interface PointLayout {
  along: Float64Array;
  cross: Float64Array;
  altM: Float64Array;
  passCount: number;
}

/**
 * Drone flight: crosswind passes (boustrophedon) at K distinct downwind distances spaced Δ apart,
 * visited in ping-pong order (0, 1, …, K−1, K−2, …, 0, 1, …), joined by straight downwind legs of Δ;
 * n samples at 1 Hz at a constant ground speed. The pass half-width is at most wMax; longer flights
 * repeat the passes.
 */
function pointLayout(rng: Rng, n: number): PointLayout {
  const speedMps = uniform(rng, 3, 5);
  const altitudeM = uniform(rng, 2, 5);
  const k = 3 + rng.int(4); // 3..6 distances
  const spacingM = uniform(rng, 20, 40);
  const wMaxM = uniform(rng, 60, 150);
  const totalM = (n - 1) * speedMps;
  const passes = Math.max(1, Math.ceil((totalM + spacingM) / (2 * wMaxM + spacingM)));
  const halfWidthM = passes === 1 ? totalM / 2 : (totalM - (passes - 1) * spacingM) / (2 * passes);
  // Waypoints.
  const wpAlong: number[] = [];
  const wpCross: number[] = [];
  let idx = 0;
  let dir = 1;
  for (let p = 0; p < passes; p++) {
    const side = p % 2 === 0 ? 1 : -1;
    wpAlong.push(idx * spacingM, idx * spacingM);
    wpCross.push(-side * halfWidthM, side * halfWidthM);
    if (k > 1) {
      if (idx + dir < 0 || idx + dir >= k) dir = -dir;
      idx += dir;
    }
  }
  const cum = new Float64Array(wpAlong.length);
  for (let i = 1; i < wpAlong.length; i++)
    cum[i] = cum[i - 1] + Math.hypot(wpAlong[i] - wpAlong[i - 1], wpCross[i] - wpCross[i - 1]);
  const along = new Float64Array(n);
  const cross = new Float64Array(n);
  const altM = new Float64Array(n);
  let seg = 0;
  const lastSeg = wpAlong.length - 2;
  for (let s = 0; s < n; s++) {
    const d = Math.min(s * speedMps, cum[cum.length - 1]);
    while (seg < lastSeg && d > cum[seg + 1]) seg++;
    const len = cum[seg + 1] - cum[seg];
    const f = len > 0 ? (d - cum[seg]) / len : 0;
    along[s] = wpAlong[seg] + f * (wpAlong[seg + 1] - wpAlong[seg]);
    cross[s] = wpCross[seg] + f * (wpCross[seg + 1] - wpCross[seg]);
    altM[s] = Math.max(0.5, altitudeM + rng.normal(0, 0.15));
  }
  return { along, cross, altM, passCount: passes };
}

interface BeamLayout {
  /** Per beam: instrument end (along, cross, alt) and reflector end. */
  a1: Float64Array;
  c1: Float64Array;
  z1: Float64Array;
  a2: Float64Array;
  c2: Float64Array;
  z2: Float64Array;
}

/**
 * Beam network: one instrument at along 0 (the most upwind point of the network), crosswind offset
 * ±30 m, 1–2 m high; 4–8 reflectors fanned over the downwind half-plane (angles from the crosswind
 * axis evenly spread over 0–180° with ±8° jitter), 30–150 m away, each 1–2 m high.
 */
function beamLayout(rng: Rng): BeamLayout {
  const nb = 4 + rng.int(5);
  const a1 = new Float64Array(nb);
  const c1 = new Float64Array(nb);
  const z1 = new Float64Array(nb);
  const a2 = new Float64Array(nb);
  const c2 = new Float64Array(nb);
  const z2 = new Float64Array(nb);
  const instCross = uniform(rng, -30, 30);
  const instAlt = uniform(rng, 1, 2);
  for (let j = 0; j < nb; j++) {
    const angle = Math.min(179, Math.max(1, (180 * (j + 0.5)) / nb + uniform(rng, -8, 8))) * DEG;
    const lengthM = uniform(rng, 30, 150);
    a1[j] = 0;
    c1[j] = instCross;
    z1[j] = instAlt;
    a2[j] = lengthM * Math.sin(angle);
    c2[j] = instCross + lengthM * Math.cos(angle);
    z2[j] = uniform(rng, 1, 2);
  }
  return { a1, c1, z1, a2, c2, z2 };
}

/**
 * Where the sources are drawn: this far upwind of the most upwind sensor position (m, along the
 * mean wind), within ±SOURCE_CROSS_M of the sensors' centre line, up to SOURCE_HEIGHT_MAX_M high.
 */
export const SOURCE_UPWIND_M: readonly [number, number] = [20, 200];
export const SOURCE_CROSS_M = 30;
export const SOURCE_HEIGHT_MAX_M = 5;

/** Sources in the mean-wind frame: upwind of along 0 by 20–200 m, cross ±30 m of centre, ≥ 30 m apart. */
function drawSources(
  rng: Rng,
  count: number,
  centreCrossM: number,
  rateKgPerHour: number | undefined,
): { along: number; cross: number; heightM: number; rateKgPerHour: number }[] {
  const out: { along: number; cross: number; heightM: number; rateKgPerHour: number }[] = [];
  for (let k = 0; k < count; k++) {
    let along = 0;
    let cross = 0;
    for (let tries = 0; tries < 10_000; tries++) {
      along = -uniform(rng, SOURCE_UPWIND_M[0], SOURCE_UPWIND_M[1]);
      cross = centreCrossM + uniform(rng, -SOURCE_CROSS_M, SOURCE_CROSS_M);
      if (out.every((s) => Math.hypot(s.along - along, s.cross - cross) >= 30)) break;
    }
    const heightM = uniform(rng, 0, SOURCE_HEIGHT_MAX_M);
    const rate = rateKgPerHour ?? 0.5 * 100 ** rng.uniform();
    out.push({ along, cross, heightM, rateKgPerHour: rate });
  }
  return out;
}

/**
 * One scenario (see the file comment for the physics). Deterministic in opts (seed included).
 * Throws PT_ERR_BAD_REQUEST naming the field for invalid options.
 */
export function makeScenario(opts: ScenarioOptions): Scenario {
  validate(opts);
  const { seed, sensor, stability, windSpeedMps, windFromDeg } = opts;
  const n = opts.samples;
  const rng = new Rng(seed);
  const siteLat = opts.siteLat ?? DEFAULT_SITE_LAT;
  const siteLon = opts.siteLon ?? DEFAULT_SITE_LON;
  const frame = localFrame(siteLat, siteLon);
  const ppmFactor = ppmPerKgPerM3(GAS);

  // Mean-wind frame: downwind (dE, dN), crosswind to the right (cE, cN).
  const toRad = (windFromDeg + 180) * DEG;
  const dE = Math.sin(toRad);
  const dN = Math.cos(toRad);
  const cE = Math.cos(toRad);
  const cN = -Math.sin(toRad);
  const east = (along: number, cross: number) => along * dE + cross * cE;
  const north = (along: number, cross: number) => along * dN + cross * cN;

  // Scenario-level draws (fixed order).
  const noisePpm = opts.noisePpm ?? (sensor === 'point' ? uniform(rng, 0.01, 0.05) : uniform(rng, 0.005, 0.02));
  const b0 = uniform(rng, 1.9, 2.0);
  const driftAmpPpm = uniform(rng, 0.001, 0.004);
  const driftPeriodS = uniform(rng, 600, 3600);
  const driftPhase = uniform(rng, 0, 2 * Math.PI);
  const trendPpm = uniform(rng, -0.003, 0.003);
  const startOffsetMs = rng.int(8 * 3600) * 1000;
  const startMs = opts.startMs ?? DEFAULT_START_MS + startOffsetMs;

  const point = sensor === 'point' ? pointLayout(rng, n) : undefined;
  const beams = sensor === 'path' ? beamLayout(rng) : undefined;
  const nb = beams ? beams.a1.length : 0;
  const minutes = beams ? Math.ceil(n / nb) : 0;
  const durationS = point ? n : minutes * 60;
  const centreCross = beams ? beams.c1[0] : 0;
  const src = drawSources(rng, opts.sources, centreCross, opts.rateKgPerHour);
  // The rectangle the sources are drawn from, corners in order (SteOptions.areaCorners takes it).
  const [far, near] = [-SOURCE_UPWIND_M[1], -SOURCE_UPWIND_M[0]];
  const sourceRegion = [
    [far, -SOURCE_CROSS_M],
    [near, -SOURCE_CROSS_M],
    [near, SOURCE_CROSS_M],
    [far, SOURCE_CROSS_M],
  ].map(([a, c]) => frame.toLatLon(east(a, centreCross + c), north(a, centreCross + c)));
  const ns = src.length;

  // Wind history: index PREROLL_S + t is second t of the record.
  const nWind = PREROLL_S + durationS + 1;
  const dirOffRad = ar1(rng, nWind, MEANDER_TIME_S, MEANDER_STD_DEG[stability] * DEG);
  const speedFactor = ar1(rng, nWind, MEANDER_TIME_S, SPEED_FLUCT_REL);
  for (let i = 0; i < nWind; i++) speedFactor[i] = Math.max(SPEED_FACTOR_MIN, 1 + speedFactor[i]);

  // Sources in local metres; mean transport winds.
  const srcE = new Float64Array(ns);
  const srcN = new Float64Array(ns);
  const srcH = new Float64Array(ns);
  const srcQ = new Float64Array(ns); // kg/s
  const srcU = new Float64Array(ns); // mean transport wind
  const sources: ScenarioSource[] = [];
  for (let k = 0; k < ns; k++) {
    const s = src[k];
    srcE[k] = east(s.along, s.cross);
    srcN[k] = north(s.along, s.cross);
    srcH[k] = s.heightM;
    srcQ[k] = s.rateKgPerHour / 3600;
    srcU[k] = transportWindMps(windSpeedMps, s.heightM, stability);
    const [lat, lon] = frame.toLatLon(srcE[k], srcN[k]);
    sources.push({ lat, lon, heightM: s.heightM, rateKgPerHour: s.rateKgPerHour });
  }
  const background = (tS: number) =>
    b0 + driftAmpPpm * Math.sin((2 * Math.PI * tS) / driftPeriodS + driftPhase) + trendPpm * (tS / durationS - 0.5);

  const kernel = makePlumeKernel({ stability, averagingS: EFFECTIVE_AVERAGING_S });
  const meanKernel = makePlumeKernel({ stability });

  const timeMs = new Float64Array(n);
  const lat = new Float64Array(n);
  const lon = new Float64Array(n);
  const altM = new Float64Array(n);
  const ppm = new Float64Array(n);
  const windU = new Float64Array(n);
  const windV = new Float64Array(n);
  const sigmaPpm = new Float64Array(n).fill(noisePpm);
  const averagingS = new Float64Array(n);
  let series: InSituSeries;
  // Per source: peak enhancement over the rows in the noiseless mean model (for clearPlume).
  const peakBySource = new Float64Array(ns);
  // Per source: peak of its realised noiseless enhancement over the rows (meander and puffs included).
  const seenBySource = new Float64Array(ns);

  if (point) {
    const puffs: Float64Array[] = [];
    for (let k = 0; k < ns; k++) puffs.push(ar1(rng, n, FLUCT_TIME_S, 1));
    const puffBias = 0.5 * POINT_FLUCT_SIGMA_LN * POINT_FLUCT_SIGMA_LN;
    for (let i = 0; i < n; i++) {
      const e = east(point.along[i], point.cross[i]);
      const no = north(point.along[i], point.cross[i]);
      const [la, lo] = frame.toLatLon(e, no);
      lat[i] = la;
      lon[i] = lo;
      altM[i] = point.altM[i];
      timeMs[i] = startMs + i * 1000;
      averagingS[i] = 1;
      let c = 0;
      for (let k = 0; k < ns; k++) {
        const dx = e - srcE[k];
        const dy = no - srcN[k];
        const xMean = dx * dE + dy * dN;
        const lag = Math.min(PREROLL_S, Math.max(0, xMean / srcU[k]));
        const idx = PREROLL_S + i - lag;
        const th = toRad + at(dirOffRad, idx);
        const sn = Math.sin(th);
        const cs = Math.cos(th);
        const x = dx * sn + dy * cs;
        const y = dx * cs - dy * sn;
        const u = srcU[k] * at(speedFactor, idx);
        const puff = Math.exp(POINT_FLUCT_SIGMA_LN * puffs[k][i] - puffBias);
        const ck = srcQ[k] * kernel(x, y, altM[i], srcH[k], u) * puff;
        c += ck;
        if (ck * ppmFactor > seenBySource[k]) seenBySource[k] = ck * ppmFactor;
        const cm = srcQ[k] * meanKernel(xMean, dx * cE + dy * cN, altM[i], srcH[k], srcU[k]) * ppmFactor;
        if (cm > peakBySource[k]) peakBySource[k] = cm;
      }
      ppm[i] = background(i) + c * ppmFactor + rng.normal(0, noisePpm);
      const w = PREROLL_S + i;
      const th = toRad + dirOffRad[w];
      const sp = windSpeedMps * speedFactor[w];
      windU[i] = sp * Math.sin(th) + rng.normal(0, WIND_NOISE_MPS);
      windV[i] = sp * Math.cos(th) + rng.normal(0, WIND_NOISE_MPS);
    }
    series = { gas: GAS, timeMs, lat, lon, altM, ppm, windU, windV, sigmaPpm, averagingS };
  } else {
    const b = beams!;
    const pathKernel = makePathMeanKernel({ stability, averagingS: EFFECTIVE_AVERAGING_S }, PATH_REL_TOL);
    const meanPathKernel = makePathMeanKernel({ stability }, PATH_REL_TOL);
    const instantOpts = { stability, averagingS: EFFECTIVE_AVERAGING_S };
    const sigmaYAt = (xM: number) => plumeSigmaY(xM, 1, instantOpts);
    // Beam ends in local metres.
    const e1 = new Float64Array(nb);
    const n1 = new Float64Array(nb);
    const e2 = new Float64Array(nb);
    const n2 = new Float64Array(nb);
    for (let j = 0; j < nb; j++) {
      e1[j] = east(b.a1[j], b.c1[j]);
      n1[j] = north(b.a1[j], b.c1[j]);
      e2[j] = east(b.a2[j], b.c2[j]);
      n2[j] = north(b.a2[j], b.c2[j]);
    }
    // Per beam and source: travel-time lag (beam midpoint), puffs, and the path mean in unit wind
    // tabulated against the direction offset over the range the record visits.
    const lagS = new Float64Array(nb * ns);
    const puffs: Float64Array[] = [];
    const tables: Float64Array[] = [];
    const tableLo = new Float64Array(nb * ns);
    for (let j = 0; j < nb; j++) {
      for (let k = 0; k < ns; k++) {
        const jk = j * ns + k;
        const ax = e1[j] - srcE[k];
        const ay = n1[j] - srcN[k];
        const bx = e2[j] - srcE[k];
        const by = n2[j] - srcN[k];
        const mx = 0.5 * (ax + bx);
        const my = 0.5 * (ay + by);
        const lag = Math.min(PREROLL_S, Math.max(0, (mx * dE + my * dN) / srcU[k]));
        lagS[jk] = lag;
        puffs.push(ar1(rng, durationS, FLUCT_TIME_S, 1));
        const i0 = Math.max(0, Math.floor(PREROLL_S - lag));
        const i1 = Math.min(nWind - 1, Math.ceil(PREROLL_S + durationS - 1 - lag));
        let lo = dirOffRad[i0];
        let hi = lo;
        for (let i = i0 + 1; i <= i1; i++) {
          const v = dirOffRad[i];
          if (v < lo) lo = v;
          else if (v > hi) hi = v;
        }
        const nGrid = Math.ceil((hi - lo) / DIR_TABLE_STEP_RAD) + 2;
        const table = new Float64Array(nGrid);
        for (let g = 0; g < nGrid; g++) {
          const th = toRad + lo + g * DIR_TABLE_STEP_RAD;
          const sn = Math.sin(th);
          const cs = Math.cos(th);
          const x1 = ax * sn + ay * cs;
          const y1 = ax * cs - ay * sn;
          const x2 = bx * sn + by * cs;
          const y2 = bx * cs - by * sn;
          table[g] = beamMissesPlume(x1, y1, x2, y2, sigmaYAt)
            ? 0
            : pathKernel(x1, y1, b.z1[j], x2, y2, b.z2[j], srcH[k], 1);
        }
        tables.push(table);
        tableLo[jk] = lo;
      }
    }
    // Mean model over the beams that have rows.
    for (let j = 0; j < Math.min(nb, n); j++) {
      for (let k = 0; k < ns; k++) {
        const ax = e1[j] - srcE[k];
        const ay = n1[j] - srcN[k];
        const bx = e2[j] - srcE[k];
        const by = n2[j] - srcN[k];
        const x1 = ax * dE + ay * dN;
        const y1 = ax * cE + ay * cN;
        const x2 = bx * dE + by * dN;
        const y2 = bx * cE + by * cN;
        const cm = srcQ[k] * meanPathKernel(x1, y1, b.z1[j], x2, y2, b.z2[j], srcH[k], srcU[k]) * ppmFactor;
        if (cm > peakBySource[k]) peakBySource[k] = cm;
      }
    }
    const puffBias = 0.5 * PATH_FLUCT_SIGMA_LN * PATH_FLUCT_SIGMA_LN;
    const windNoiseMean = WIND_NOISE_MPS / Math.sqrt(PATH_AVERAGING_S);
    const lat2 = new Float64Array(n);
    const lon2 = new Float64Array(n);
    const alt2M = new Float64Array(n);
    const kind = new Uint8Array(n).fill(1);
    const windDirStdDeg = new Float64Array(n);
    for (let m = 0; m < minutes; m++) {
      const t0 = m * 60;
      // Minute mean of the true 10 m wind and the std of its direction.
      let su = 0;
      let sv = 0;
      let sd = 0;
      let sd2 = 0;
      for (let s = 0; s < 60; s++) {
        const w = PREROLL_S + t0 + s;
        const th = toRad + dirOffRad[w];
        const sp = windSpeedMps * speedFactor[w];
        su += sp * Math.sin(th);
        sv += sp * Math.cos(th);
        sd += dirOffRad[w];
        sd2 += dirOffRad[w] * dirOffRad[w];
      }
      const meanDir = sd / 60;
      const dirStdDeg = Math.sqrt(Math.max(0, sd2 / 60 - meanDir * meanDir)) / DEG;
      const uMean = su / 60 + rng.normal(0, windNoiseMean);
      const vMean = sv / 60 + rng.normal(0, windNoiseMean);
      const rowsThisMinute = Math.min(nb, n - m * nb);
      for (let j = 0; j < rowsThisMinute; j++) {
        const r = m * nb + j;
        timeMs[r] = startMs + (t0 + 30) * 1000;
        [lat[r], lon[r]] = frame.toLatLon(e1[j], n1[j]);
        [lat2[r], lon2[r]] = frame.toLatLon(e2[j], n2[j]);
        altM[r] = b.z1[j];
        alt2M[r] = b.z2[j];
        kind[r] = 1;
        averagingS[r] = PATH_AVERAGING_S;
        windDirStdDeg[r] = dirStdDeg;
        windU[r] = uMean;
        windV[r] = vMean;
        let c = 0;
        for (let k = 0; k < ns; k++) {
          const jk = j * ns + k;
          const puff = puffs[jk];
          const table = tables[jk];
          const lo = tableLo[jk];
          const last = table.length - 2;
          let sum = 0;
          for (let s = 0; s < 60; s++) {
            const idx = PREROLL_S + t0 + s - lagS[jk];
            const f = (at(dirOffRad, idx) - lo) / DIR_TABLE_STEP_RAD;
            const g = Math.min(last, Math.max(0, Math.floor(f)));
            const w = f - g;
            const kv = (table[g] + w * (table[g + 1] - table[g])) / (srcU[k] * at(speedFactor, idx));
            if (kv > 0) sum += kv * Math.exp(PATH_FLUCT_SIGMA_LN * puff[t0 + s] - puffBias);
          }
          const ck = (srcQ[k] * sum) / 60;
          c += ck;
          if (ck * ppmFactor > seenBySource[k]) seenBySource[k] = ck * ppmFactor;
        }
        ppm[r] = background(t0 + 30) + c * ppmFactor + rng.normal(0, noisePpm);
      }
    }
    series = {
      gas: GAS,
      timeMs,
      lat,
      lon,
      altM,
      ppm,
      windU,
      windV,
      sigmaPpm,
      kind,
      lat2,
      lon2,
      alt2M,
      windDirStdDeg,
      averagingS,
    };
  }

  const threshold = CLEAR_PLUME_SNR * noisePpm;
  let expectedPeak = 0;
  for (let k = 0; k < ns; k++) if (peakBySource[k] > expectedPeak) expectedPeak = peakBySource[k];
  const clearPlume = ns > 0 && expectedPeak > threshold;
  const allSourcesClear = ns > 0 && peakBySource.every((v) => v > threshold);
  const allSourcesSeen = ns > 0 && seenBySource.every((v) => v > threshold);
  const notes =
    `${sensor === 'point' ? `drone, ${point!.passCount} crosswind passes at 1 Hz` : `${nb} open-path beams, 1-min means`}; ` +
    `${ns} source(s); class ${stability}, 10 m wind ${windSpeedMps.toFixed(2)} m/s from ${windFromDeg.toFixed(1)}°; ` +
    `meander AR(1) ${MEANDER_TIME_S} s, σθ ${MEANDER_STD_DEG[stability]}°, speed ±${SPEED_FLUCT_REL * 100}%, travel-time lag; ` +
    `instantaneous plume = Briggs rural sigmas with sigma_y at ${EFFECTIVE_AVERAGING_S} s averaging; ` +
    `lognormal puffs σln ${sensor === 'point' ? POINT_FLUCT_SIGMA_LN : PATH_FLUCT_SIGMA_LN} (${FLUCT_TIME_S} s); ` +
    `noise ${noisePpm.toFixed(4)} ppm; background ${b0.toFixed(4)} ppm + drift ${(driftAmpPpm * 1000).toFixed(1)} ppb ` +
    `sinusoid, ${(trendPpm * 1000).toFixed(1)} ppb trend; expected peak ${expectedPeak.toPrecision(3)} ppm ` +
    `(mean model, strongest source at the sensors), clear plume: ${clearPlume}, all sources clear: ${allSourcesClear}.`;

  return {
    name: opts.name ?? `${sensor}-${stability}-${ns}src-${n}-s${seed}`,
    series,
    truth: {
      seed,
      sources,
      stability,
      windSpeedMps,
      windFromDeg,
      sensor,
      sampleCount: n,
      backgroundPpm: b0,
      clearPlume,
      notes,
      modelVersion: SCENARIO_SIM_VERSION,
      noisePpm,
      expectedPeakEnhancementPpm: expectedPeak,
      expectedPeakBySourcePpm: Array.from(peakBySource),
      allSourcesClear,
      realizedPeakBySourcePpm: Array.from(seenBySource),
      allSourcesSeen,
      sourceRegion,
      sourceHeightMaxM: SOURCE_HEIGHT_MAX_M,
      beamCount: nb,
      passCount: point ? point.passCount : 0,
    },
  };
}

function shuffle<T>(rng: Rng, arr: T[]): T[] {
  for (let i = arr.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = arr[i];
    arr[i] = arr[j];
    arr[j] = t;
  }
  return arr;
}

/**
 * The simulated-truth suite: `count` scenarios, stratified so that even a small suite spreads over
 * the space: classes A–F in equal shares; point and path sensors half each; sources 0 in 10%,
 * 2 in 30%, 1 in the rest; samples log-uniform 10–1000 (one draw per equal stratum of log samples,
 * strata shuffled); 10 m wind uniform in the class's range (SUITE_WIND_RANGE_MPS: A 1–3, B 1–5,
 * C 2–8, D 1–8, E 2–5, F 1–3 m/s); direction uniform 0–360°. Deterministic in (count, seed).
 */
export function scenarioSuite(count: number, seed: number): Scenario[] {
  if (!Number.isInteger(count) || count < 0) throw bad('count', `must be an integer >= 0, got ${String(count)}`);
  if (!Number.isFinite(seed)) throw bad('seed', `must be a finite number, got ${String(seed)}`);
  const rng = new Rng(seed);
  const classes = shuffle(
    rng,
    Array.from({ length: count }, (_, i) => STABILITY_CLASSES[i % 6]),
  );
  const sensors = shuffle(
    rng,
    Array.from({ length: count }, (_, i) => (i % 2 === 0 ? 'point' : 'path') as 'point' | 'path'),
  );
  const nZero = Math.round(0.1 * count);
  const nTwo = Math.round(0.3 * count);
  const sourceCounts = shuffle(
    rng,
    Array.from({ length: count }, (_, i) => (i < nZero ? 0 : i < nZero + nTwo ? 2 : 1) as 0 | 1 | 2),
  );
  const strata = shuffle(
    rng,
    Array.from({ length: count }, (_, i) => i),
  );
  const out: Scenario[] = [];
  for (let i = 0; i < count; i++) {
    const stability = classes[i];
    const [wLo, wHi] = SUITE_WIND_RANGE_MPS[stability];
    const windSpeedMps = uniform(rng, wLo, wHi);
    const windFromDeg = uniform(rng, 0, 360);
    const samples = Math.round(10 * 100 ** ((strata[i] + rng.uniform()) / count));
    const scenarioSeed = rng.uint32();
    const sensor = sensors[i];
    const sources = sourceCounts[i];
    out.push(
      makeScenario({
        seed: scenarioSeed,
        sensor,
        sources,
        stability,
        windSpeedMps,
        windFromDeg,
        samples,
        name: `suite${seed}-${String(i).padStart(3, '0')}-${sensor}-${stability}-${sources}src-${samples}`,
      }),
    );
  }
  return out;
}
