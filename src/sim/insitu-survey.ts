/**
 * In-situ drone survey simulator: a drone with a point gas sensor flies crosswind transects
 * (boustrophedon, joined by straight downwind legs) downwind of a known source and samples at 1 Hz.
 *
 * Model (the truth written beside the data says the same):
 * - concentration = background + Gaussian plume (src/core/dispersion, ground reflection) × rate,
 *   converted to ppm at 288.15 K and 101325 Pa, + white Gaussian sensor noise;
 * - the plume is carried by the power-law wind at the release height (transportWindMps: at least
 *   1 m, as the locator assumes) derived from the configured 10 m wind;
 * - the reported wind (wind_u toward east, wind_v toward north) is the true 10 m mean wind plus
 *   independent white noise per component and sample;
 * - no turbulent fluctuation or meander: the concentration field is the plume's ensemble mean.
 *
 * Pure (no Node APIs); writing files is in write.ts.
 */

import {
  makePlumeKernel,
  type SigmaScheme,
  stabilityIndex,
  type Terrain,
  transportWindMps,
} from '../core/dispersion/index.ts';
import { PlumetraceError } from '../core/errors.ts';
import { localFrame } from '../core/geo/local-frame.ts';
import type { InSituSeries, StabilityClass } from '../core/types.ts';
import { ppmPerKgPerM3 } from '../core/units.ts';
import { Rng } from '../core/random.ts';

/** Version of the simulator's model; bump when the numbers it produces for a config change. */
export const INSITU_SIM_VERSION = 'plumetrace-sim-insitu/1';

export interface InSituSurveyConfig {
  seed: number;
  source: { lat: number; lon: number; heightM: number; rateKgPerHour: number };
  /** Default 'CH4'. */
  gas?: string;
  /** Mean wind at 10 m. */
  windSpeedMps: number;
  /** Bearing the wind blows TOWARD, degrees clockwise from north. */
  windToDeg: number;
  stability: StabilityClass;
  /** Default 'rural'. */
  terrain?: Terrain;
  /** Sigma curves, default 'briggs' (see PlumeOptions). */
  scheme?: SigmaScheme;
  /** Default 1.95. */
  backgroundPpm?: number;
  /** 1-sigma white sensor noise, default 0.02. */
  sensorNoisePpm?: number;
  /** 1-sigma noise per component on the reported wind, default 0.3. */
  windNoiseMps?: number;
  /** Downwind distances of the crosswind transects, default [40, 80, 120, 160, 200]. */
  transectDistancesM?: number[];
  /** Default 120. */
  transectHalfWidthM?: number;
  /** Sensor height above ground, default 2. */
  altitudeM?: number;
  /** Drone ground speed, default 4. */
  speedMps?: number;
  /** ISO-8601 time of the first sample, default '2026-05-09T10:00:00Z'. */
  startTime?: string;
}

/** One crosswind transect of the flight: its downwind distance and its samples [startIndex, endIndex]. */
export interface TransectTruth {
  downwindM: number;
  startIndex: number;
  endIndex: number;
}

/** What the simulator knew: the resolved configuration (defaults filled in) and derived values. */
export interface InSituSurveyTruth {
  modelVersion: string;
  seed: number;
  source: { lat: number; lon: number; heightM: number; rateKgPerHour: number };
  gas: string;
  windSpeedMps: number;
  windToDeg: number;
  /** True mean 10 m wind toward east / north (m/s). */
  windUMps: number;
  windVMps: number;
  /** Wind speed that carries the plume (at max(source height, 1 m)). */
  transportWindMps: number;
  stability: StabilityClass;
  terrain: Terrain;
  scheme: SigmaScheme;
  backgroundPpm: number;
  sensorNoisePpm: number;
  windNoiseMps: number;
  transectDistancesM: number[];
  transectHalfWidthM: number;
  altitudeM: number;
  speedMps: number;
  startTime: string;
  sampleCount: number;
  transects: TransectTruth[];
  note: string;
}

export interface InSituSurvey {
  series: InSituSeries;
  truth: InSituSurveyTruth;
}

const DEFAULTS = {
  gas: 'CH4',
  terrain: 'rural' as Terrain,
  scheme: 'briggs' as SigmaScheme,
  backgroundPpm: 1.95,
  sensorNoisePpm: 0.02,
  windNoiseMps: 0.3,
  transectDistancesM: [40, 80, 120, 160, 200],
  transectHalfWidthM: 120,
  altitudeM: 2,
  speedMps: 4,
  startTime: '2026-05-09T10:00:00Z',
};

const SAMPLE_INTERVAL_MS = 1000;
/** Refuse configurations that would make absurdly long series (a typo in a distance, say). */
const MAX_SAMPLES = 10_000_000;

function bad(field: string, detail: string): PlumetraceError {
  return new PlumetraceError('PT_ERR_BAD_REQUEST', `${field}: ${detail}`, { column: field });
}

function finite(field: string, v: unknown, opts: { min?: number; positive?: boolean } = {}): number {
  if (typeof v !== 'number' || !Number.isFinite(v))
    return fail(bad(field, `must be a finite number, got ${String(v)}`));
  if (opts.positive && !(v > 0)) return fail(bad(field, `must be > 0, got ${v}`));
  if (opts.min !== undefined && v < opts.min) return fail(bad(field, `must be >= ${opts.min}, got ${v}`));
  return v;
}

function fail(e: PlumetraceError): never {
  throw e;
}

/** Validates the configuration and fills in defaults (without the derived fields of the truth). */
function resolve(cfg: InSituSurveyConfig) {
  const src = cfg.source;
  if (typeof src !== 'object' || src === null) throw bad('source', 'missing');
  const lat = finite('source.lat', src.lat);
  const lon = finite('source.lon', src.lon);
  if (Math.abs(lat) > 89) throw bad('source.lat', `must be within ±89°, got ${lat}`);
  if (Math.abs(lon) > 180) throw bad('source.lon', `must be within ±180°, got ${lon}`);
  const stability = cfg.stability;
  try {
    stabilityIndex(stability);
  } catch {
    throw bad('stability', `must be one of A–F, got ${String(stability)}`);
  }
  const terrain = cfg.terrain ?? DEFAULTS.terrain;
  if (terrain !== 'rural' && terrain !== 'urban')
    throw bad('terrain', `must be rural or urban, got ${String(terrain)}`);
  const scheme = cfg.scheme ?? DEFAULTS.scheme;
  if (scheme !== 'briggs' && scheme !== 'isc3') throw bad('scheme', `must be briggs or isc3, got ${String(scheme)}`);
  const transectDistancesM = [...(cfg.transectDistancesM ?? DEFAULTS.transectDistancesM)];
  if (transectDistancesM.length === 0) throw bad('transectDistancesM', 'needs at least one transect');
  transectDistancesM.forEach((d, i) => {
    finite(`transectDistancesM[${i}]`, d, { positive: true });
  });
  const startTime = cfg.startTime ?? DEFAULTS.startTime;
  const startMs = Date.parse(startTime);
  if (Number.isNaN(startMs)) throw bad('startTime', `not an ISO-8601 time: "${startTime}"`);
  const gas = String(cfg.gas ?? DEFAULTS.gas)
    .trim()
    .toUpperCase();
  let ppmPerKgM3: number;
  try {
    ppmPerKgM3 = ppmPerKgPerM3(gas);
  } catch {
    throw bad('gas', `unknown gas "${gas}"`);
  }
  return {
    seed: finite('seed', cfg.seed),
    source: {
      lat,
      lon,
      heightM: finite('source.heightM', src.heightM, { min: 0 }),
      rateKgPerHour: finite('source.rateKgPerHour', src.rateKgPerHour, { min: 0 }),
    },
    gas,
    windSpeedMps: finite('windSpeedMps', cfg.windSpeedMps, { positive: true }),
    windToDeg: finite('windToDeg', cfg.windToDeg),
    stability,
    terrain,
    scheme,
    backgroundPpm: finite('backgroundPpm', cfg.backgroundPpm ?? DEFAULTS.backgroundPpm, { min: 0 }),
    sensorNoisePpm: finite('sensorNoisePpm', cfg.sensorNoisePpm ?? DEFAULTS.sensorNoisePpm, { min: 0 }),
    windNoiseMps: finite('windNoiseMps', cfg.windNoiseMps ?? DEFAULTS.windNoiseMps, { min: 0 }),
    transectDistancesM,
    transectHalfWidthM: finite('transectHalfWidthM', cfg.transectHalfWidthM ?? DEFAULTS.transectHalfWidthM, {
      positive: true,
    }),
    altitudeM: finite('altitudeM', cfg.altitudeM ?? DEFAULTS.altitudeM, { min: 0 }),
    speedMps: finite('speedMps', cfg.speedMps ?? DEFAULTS.speedMps, { positive: true }),
    startTime,
    startMs,
    ppmPerKgM3,
  };
}

/**
 * Simulates a survey. Deterministic: the same config (seed included) gives identical output.
 * Throws PT_ERR_BAD_REQUEST naming the field for an invalid config.
 */
export function simulateInSituSurvey(cfg: InSituSurveyConfig): InSituSurvey {
  const r = resolve(cfg);
  const frame = localFrame(r.source.lat, r.source.lon);
  const theta = (r.windToDeg * Math.PI) / 180;
  // Downwind unit vector (east, north) and crosswind unit vector (to the right looking downwind).
  const dE = Math.sin(theta);
  const dN = Math.cos(theta);
  const cE = Math.cos(theta);
  const cN = -Math.sin(theta);

  // Flight plan in (along, cross) coordinates: transect i runs across the wind at distance d_i, in
  // alternating directions; a straight downwind leg joins the end of one transect to the next.
  const w = r.transectHalfWidthM;
  const nT = r.transectDistancesM.length;
  const wpAlong: number[] = [];
  const wpCross: number[] = [];
  for (let i = 0; i < nT; i++) {
    const side = i % 2 === 0 ? 1 : -1;
    wpAlong.push(r.transectDistancesM[i], r.transectDistancesM[i]);
    wpCross.push(-side * w, side * w);
  }
  // Cumulative path length at each waypoint.
  const cum = new Float64Array(wpAlong.length);
  for (let k = 1; k < wpAlong.length; k++) {
    cum[k] = cum[k - 1] + Math.hypot(wpAlong[k] - wpAlong[k - 1], wpCross[k] - wpCross[k - 1]);
  }
  const stepM = (r.speedMps * SAMPLE_INTERVAL_MS) / 1000;
  const totalM = cum[cum.length - 1];
  const n = Math.floor(totalM / stepM + 1e-9) + 1;
  if (n > MAX_SAMPLES) throw bad('transectDistancesM', `the flight would take ${n} samples (limit ${MAX_SAMPLES})`);

  const timeMs = new Float64Array(n);
  const lat = new Float64Array(n);
  const lon = new Float64Array(n);
  const altM = new Float64Array(n).fill(r.altitudeM);
  const ppm = new Float64Array(n);
  const windU = new Float64Array(n);
  const windV = new Float64Array(n);
  const sigmaPpm = new Float64Array(n).fill(r.sensorNoisePpm);

  const kernel = makePlumeKernel({ stability: r.stability, terrain: r.terrain, scheme: r.scheme });
  const uTransport = transportWindMps(r.windSpeedMps, r.source.heightM, r.stability, r.terrain);
  const rateKgPerS = r.source.rateKgPerHour / 3600;
  const ppmScale = rateKgPerS * r.ppmPerKgM3;
  const trueU = r.windSpeedMps * dE;
  const trueV = r.windSpeedMps * dN;
  const rng = new Rng(r.seed);

  const transects: TransectTruth[] = r.transectDistancesM.map((d) => ({ downwindM: d, startIndex: -1, endIndex: -1 }));
  const lastSeg = cum.length - 2;
  let seg = 0; // current segment: waypoint seg → seg + 1; even segments are transects
  for (let s = 0; s < n; s++) {
    const pathM = Math.min(s * stepM, totalM);
    while (seg < lastSeg && pathM >= cum[seg + 1]) seg++;
    const len = cum[seg + 1] - cum[seg];
    const f = len > 0 ? (pathM - cum[seg]) / len : 0;
    const along = wpAlong[seg] + f * (wpAlong[seg + 1] - wpAlong[seg]);
    const cross = wpCross[seg] + f * (wpCross[seg + 1] - wpCross[seg]);
    // A sample exactly at a transect's end (the start of the next leg) still belongs to the transect.
    const ti = seg % 2 === 0 ? seg / 2 : pathM <= cum[seg] + 1e-9 ? (seg - 1) / 2 : -1;
    if (ti >= 0) {
      const t = transects[ti];
      if (t.startIndex < 0) t.startIndex = s;
      t.endIndex = s;
    }
    const east = along * dE + cross * cE;
    const north = along * dN + cross * cN;
    const [la, lo] = frame.toLatLon(east, north);
    lat[s] = la;
    lon[s] = lo;
    timeMs[s] = r.startMs + s * SAMPLE_INTERVAL_MS;
    const c = kernel(along, cross, r.altitudeM, r.source.heightM, uTransport);
    ppm[s] = r.backgroundPpm + c * ppmScale + rng.normal(0, r.sensorNoisePpm);
    windU[s] = trueU + rng.normal(0, r.windNoiseMps);
    windV[s] = trueV + rng.normal(0, r.windNoiseMps);
  }

  const truth: InSituSurveyTruth = {
    modelVersion: INSITU_SIM_VERSION,
    seed: r.seed,
    source: { ...r.source },
    gas: r.gas,
    windSpeedMps: r.windSpeedMps,
    windToDeg: r.windToDeg,
    windUMps: trueU,
    windVMps: trueV,
    transportWindMps: uTransport,
    stability: r.stability,
    terrain: r.terrain,
    scheme: r.scheme,
    backgroundPpm: r.backgroundPpm,
    sensorNoisePpm: r.sensorNoisePpm,
    windNoiseMps: r.windNoiseMps,
    transectDistancesM: r.transectDistancesM,
    transectHalfWidthM: r.transectHalfWidthM,
    altitudeM: r.altitudeM,
    speedMps: r.speedMps,
    startTime: r.startTime,
    sampleCount: n,
    transects,
    note:
      `Gaussian plume (${r.scheme} ${r.terrain} sigmas, stability ${r.stability}, ground reflection, no plume rise) ` +
      `carried by the power-law wind at max(source height, 1 m) = ${uTransport.toFixed(3)} m/s from the 10 m wind; ` +
      `ppm at 288.15 K, 101325 Pa; white Gaussian sensor noise; reported wind = true 10 m mean wind + white noise ` +
      `per component; mean plume only (no turbulent fluctuations or meander). Sampled at 1 Hz along crosswind ` +
      `transects joined by downwind legs.`,
  };

  return {
    series: { gas: r.gas, timeMs, lat, lon, altM, ppm, windU, windV, sigmaPpm },
    truth,
  };
}

function fixed(v: number, digits: number): string {
  return Number.isFinite(v) ? v.toFixed(digits) : '';
}

/**
 * The series as CSV: header `time,lat,lon,alt_m,ppm,wind_u,wind_v,sigma_ppm,gas`, ISO-8601 UTC times
 * with milliseconds, lat/lon with 7 decimals (~1 cm), ppm with 5, wind with 3, altitude with 2,
 * sigma with 4. Missing values (NaN, or an absent column) are empty fields. Ends with a newline.
 */
export function surveyToCsv(series: InSituSeries): string {
  const n = series.timeMs.length;
  const lines = new Array<string>(n + 1);
  lines[0] = 'time,lat,lon,alt_m,ppm,wind_u,wind_v,sigma_ppm,gas';
  const gas = series.gas;
  for (let i = 0; i < n; i++) {
    lines[i + 1] = [
      new Date(series.timeMs[i]).toISOString(),
      fixed(series.lat[i], 7),
      fixed(series.lon[i], 7),
      fixed(series.altM[i], 2),
      fixed(series.ppm[i], 5),
      series.windU ? fixed(series.windU[i], 3) : '',
      series.windV ? fixed(series.windV[i], 3) : '',
      series.sigmaPpm ? fixed(series.sigmaPpm[i], 4) : '',
      gas,
    ].join(',');
  }
  return `${lines.join('\n')}\n`;
}
