/**
 * Observations prepared for source-term estimation: samples in a local metric frame, the wind each
 * row was advected by (smoothed to the averaging time of the plume model) and the same winds as a
 * track in time (the plume at a receptor left the source a travel time earlier, with the wind of
 * then), and receptor points — one per point sample, several along each open-path beam (the model
 * of a path sample is the mean modelled concentration along the beam).
 */
import { PlumetraceError } from '../errors.ts';
import { type LocalFrame, localFrame } from '../geo/local-frame.ts';
import { type InSituSeries, SAMPLE_KIND_PATH } from '../types.ts';

export interface WindOverride {
  /** Mean wind speed at the reference height (m/s). */
  speedMps: number;
  /** Bearing the wind blows toward, degrees clockwise from north. */
  toDeg: number;
}

export interface PreparedObservations {
  /** Number of rows used (finite concentration). */
  n: number;
  /** Row times (ms since the epoch). */
  timeMs: Float64Array;
  /** Sensor channel of each row: the beam's geometry for a path row, 'point' for the point sensor. */
  channel: string[];
  /** Time block of each row (blocks of BLOCK_S seconds; rows are in time order, so blocks are contiguous). */
  block: Int32Array;
  /** Median number of rows per non-empty block. */
  rowsPerBlock: number;
  /** Index of each used row in the input series. */
  rowIndex: Int32Array;
  frame: LocalFrame;
  /** Observed mole fraction (ppm) and stated instrument variance (ppm², 0 when unknown). */
  y: Float64Array;
  instrVar: Float64Array;
  /** Per row: wind speed at the reference height, direction the wind blows toward (rad from north), sigma-theta (rad, 0 unknown). */
  windSpeed: Float64Array;
  windToRad: Float64Array;
  sigmaThetaRad: Float64Array;
  /** Receptors: row r owns receptors [recStart[r], recStart[r+1]); weights within a row sum to 1. */
  recStart: Int32Array;
  rx: Float64Array;
  ry: Float64Array;
  rz: Float64Array;
  rw: Float64Array;
  /** Number of path rows. */
  pathRows: number;
  /** Extent of all receptors (m). */
  minX: number;
  maxX: number;
  minY: number;
  maxY: number;
  /** Survey duration (s) and the mean wind: speed (mean of speeds) and direction (vector mean). */
  durationS: number;
  meanSpeedMps: number;
  meanToRad: number;
  /** Standard deviation of the per-sample wind direction (rad) and of the speed (m/s) before smoothing. */
  rawDirStdRad: number;
  rawSpeedStdMps: number;
  /** True when the rows carried their own wind (false: a single override wind). */
  windFromRows: boolean;
  /**
   * The row winds as a track on a regular time grid from the first row to the last (see
   * `windTrack`): the unit vector (sin, cos) of the direction the wind blows toward and the speed
   * per step, and each row's step. Absent with a single override wind (nothing changes in time).
   */
  windTrack?: WindTrack;
}

export interface WindTrack {
  stepS: number;
  sin: Float64Array;
  cos: Float64Array;
  speed: Float64Array;
  /** Per row: its step on the track. */
  rowStep: Int32Array;
}

/** Receptors along a beam: L/48 apart, but at least 0.5 m and at most 3 m (a plume near its source is narrow). */
const BEAM_POINTS = 48;
const BEAM_STEP_MIN_M = 0.5;
const BEAM_STEP_MAX_M = 3;
/** Rows averaged over less than this are smoothed to it: the plume model is a time average. */
export const WIND_SMOOTHING_S = 60;
/** Most steps of the wind track; its step (1 s at least) grows on longer records. */
const TRACK_MAX_STEPS = 40_000;
/** Length of the blocks that share one wind-direction error (s). */
export const BLOCK_S = 60;

export function prepareObservations(series: InSituSeries, override?: WindOverride): PreparedObservations {
  const keep: number[] = [];
  for (let i = 0; i < series.ppm.length; i++) if (Number.isFinite(series.ppm[i])) keep.push(i);
  if (keep.length === 0)
    throw new PlumetraceError('PT_ERR_TOO_FEW_SAMPLES', 'every concentration value is empty or NaN');
  if (keep.length < 6) {
    throw new PlumetraceError(
      'PT_ERR_TOO_FEW_SAMPLES',
      `only ${keep.length} samples have a concentration; at least 6 are needed`,
    );
  }
  const n = keep.length;
  let lat0 = 0;
  let lon0 = 0;
  for (const i of keep) {
    lat0 += series.lat[i] / n;
    lon0 += series.lon[i] / n;
  }
  const frame = localFrame(lat0, lon0);
  const rowIndex = Int32Array.from(keep);
  const y = new Float64Array(n);
  const instrVar = new Float64Array(n);
  for (let r = 0; r < n; r++) {
    const i = keep[r];
    y[r] = series.ppm[i];
    const s = series.sigmaPpm?.[i];
    instrVar[r] = s !== undefined && Number.isFinite(s) && s > 0 ? s * s : 0;
  }

  // Wind per row.
  const windSpeed = new Float64Array(n);
  const windToRad = new Float64Array(n);
  const sigmaThetaRad = new Float64Array(n);
  const times = Float64Array.from(keep, (i) => series.timeMs[i]);
  const durationS = (times[n - 1] - times[0]) / 1000;
  let rawDirStdRad = 0;
  let rawSpeedStdMps = 0;
  let windFromRows = false;
  if (override) {
    if (!(override.speedMps > 0.1)) {
      throw new PlumetraceError(
        'PT_ERR_NO_WIND',
        `the wind speed (${override.speedMps} m/s) is too low for a plume model`,
      );
    }
    windSpeed.fill(override.speedMps);
    windToRad.fill((override.toDeg * Math.PI) / 180);
  } else {
    const u = new Float64Array(n).fill(Number.NaN);
    const v = new Float64Array(n).fill(Number.NaN);
    let have = 0;
    if (series.windU && series.windV) {
      for (let r = 0; r < n; r++) {
        const i = keep[r];
        if (Number.isFinite(series.windU[i]) && Number.isFinite(series.windV[i])) {
          u[r] = series.windU[i];
          v[r] = series.windV[i];
          have++;
        }
      }
    }
    if (have === 0) {
      throw new PlumetraceError(
        'PT_ERR_NO_WIND',
        'no row carries wind_u/wind_v; give the wind with --wind-speed and --wind-from-deg',
      );
    }
    windFromRows = true;
    const stats = rawWindStats(u, v);
    rawDirStdRad = stats.dirStdRad;
    rawSpeedStdMps = stats.speedStdMps;
    smoothWind(times, u, v, keep, series.averagingS, windSpeed, windToRad);
  }
  for (let r = 0; r < n; r++) {
    const d = series.windDirStdDeg?.[keep[r]];
    sigmaThetaRad[r] = d !== undefined && Number.isFinite(d) ? (d * Math.PI) / 180 : 0;
  }
  let su = 0;
  let sv = 0;
  let ss = 0;
  for (let r = 0; r < n; r++) {
    su += windSpeed[r] * Math.sin(windToRad[r]);
    sv += windSpeed[r] * Math.cos(windToRad[r]);
    ss += windSpeed[r];
  }
  const meanSpeedMps = ss / n;
  if (!(meanSpeedMps > 0.1)) {
    throw new PlumetraceError(
      'PT_ERR_NO_WIND',
      `the mean wind speed (${meanSpeedMps.toFixed(2)} m/s) is too low for a plume model`,
    );
  }
  const meanToRad = Math.atan2(su, sv);

  // Receptors.
  const recStart = new Int32Array(n + 1);
  const rxs: number[] = [];
  const rys: number[] = [];
  const rzs: number[] = [];
  const rws: number[] = [];
  let pathRows = 0;
  const channel: string[] = new Array(n).fill('point');
  for (let r = 0; r < n; r++) {
    const i = keep[r];
    recStart[r] = rxs.length;
    const [x1, y1] = frame.toXY(series.lat[i], series.lon[i]);
    const z1 = Math.max(0, series.altM[i]);
    if (series.kind?.[i] === SAMPLE_KIND_PATH && series.lat2 && series.lon2 && series.alt2M) {
      pathRows++;
      channel[r] = `${series.lat[i]},${series.lon[i]},${series.lat2[i]},${series.lon2[i]}`;
      const [x2, y2] = frame.toXY(series.lat2[i], series.lon2[i]);
      const z2 = Math.max(0, series.alt2M[i]);
      const len = Math.hypot(x2 - x1, y2 - y1, z2 - z1);
      // Composite midpoint rule along the beam.
      const step = Math.min(BEAM_STEP_MAX_M, Math.max(BEAM_STEP_MIN_M, len / BEAM_POINTS));
      const m = Math.max(4, Math.ceil(len / step));
      for (let j = 0; j < m; j++) {
        const t = (j + 0.5) / m;
        rxs.push(x1 + t * (x2 - x1));
        rys.push(y1 + t * (y2 - y1));
        rzs.push(z1 + t * (z2 - z1));
        rws.push(1 / m);
      }
    } else {
      rxs.push(x1);
      rys.push(y1);
      rzs.push(z1);
      rws.push(1);
    }
  }
  recStart[n] = rxs.length;
  const rx = Float64Array.from(rxs);
  const ry = Float64Array.from(rys);
  let [minX, maxX, minY, maxY] = [
    Number.POSITIVE_INFINITY,
    Number.NEGATIVE_INFINITY,
    Number.POSITIVE_INFINITY,
    Number.NEGATIVE_INFINITY,
  ];
  for (let k = 0; k < rx.length; k++) {
    minX = Math.min(minX, rx[k]);
    maxX = Math.max(maxX, rx[k]);
    minY = Math.min(minY, ry[k]);
    maxY = Math.max(maxY, ry[k]);
  }
  const block = new Int32Array(n);
  const counts = new Map<number, number>();
  for (let r = 0; r < n; r++) {
    block[r] = Math.floor((times[r] - times[0]) / (BLOCK_S * 1000));
    counts.set(block[r], (counts.get(block[r]) ?? 0) + 1);
  }
  const perBlock = [...counts.values()].sort((a, b) => a - b);
  return {
    windTrack: windFromRows ? windTrack(times, windSpeed, windToRad) : undefined,
    n,
    timeMs: times,
    channel,
    block,
    rowsPerBlock: perBlock[Math.floor(perBlock.length / 2)],
    rowIndex,
    frame,
    y,
    instrVar,
    windSpeed,
    windToRad,
    sigmaThetaRad,
    recStart,
    rx,
    ry,
    rz: Float64Array.from(rzs),
    rw: Float64Array.from(rws),
    pathRows,
    minX,
    maxX,
    minY,
    maxY,
    durationS,
    meanSpeedMps,
    meanToRad,
    rawDirStdRad,
    rawSpeedStdMps,
    windFromRows,
  };
}

/**
 * The row winds on a regular grid in time, from the first row to the last: at each distinct row
 * time the mean unit vector and mean speed of its rows (the beams of one minute share a time),
 * linearly interpolated between those times. A plume observed at time t and distance x downwind left
 * the source at t − x/u and was carried by the wind of then: a wind that swings turns the near part
 * of the plume first (Taylor's frozen turbulence). Taking the wind of the row's own time instead
 * puts the plume where the wind points now, wrong by the swing over the travel time — minutes for a
 * source 100–200 m upwind in light wind.
 */
function windTrack(times: Float64Array, speed: Float64Array, toRad: Float64Array): WindTrack {
  const n = times.length;
  const tt: number[] = [];
  const ss: number[] = [];
  const cc: number[] = [];
  const sp: number[] = [];
  for (let r = 0; r < n; ) {
    let k = r;
    let a = 0;
    let b = 0;
    let v = 0;
    for (; k < n && times[k] === times[r]; k++) {
      a += Math.sin(toRad[k]);
      b += Math.cos(toRad[k]);
      v += speed[k];
    }
    tt.push((times[r] - times[0]) / 1000);
    ss.push(a / (k - r));
    cc.push(b / (k - r));
    sp.push(v / (k - r));
    r = k;
  }
  const span = tt[tt.length - 1];
  const stepS = Math.max(1, span / TRACK_MAX_STEPS);
  const m = Math.floor(span / stepS) + 1;
  const sin = new Float64Array(m);
  const cos = new Float64Array(m);
  const spd = new Float64Array(m);
  let j = 0;
  for (let g = 0; g < m; g++) {
    const t = g * stepS;
    while (j + 1 < tt.length && tt[j + 1] <= t) j++;
    const f = j + 1 < tt.length ? (t - tt[j]) / (tt[j + 1] - tt[j]) : 0;
    const k = j + 1 < tt.length ? j + 1 : j;
    const a = ss[j] + f * (ss[k] - ss[j]);
    const b = cc[j] + f * (cc[k] - cc[j]);
    const norm = Math.hypot(a, b) || 1;
    sin[g] = a / norm;
    cos[g] = b / norm;
    spd[g] = sp[j] + f * (sp[k] - sp[j]);
  }
  const rowStep = Int32Array.from(times, (t) => Math.min(m - 1, Math.round((t - times[0]) / 1000 / stepS)));
  return { stepS, sin, cos, speed: spd, rowStep };
}

function rawWindStats(u: Float64Array, v: Float64Array): { dirStdRad: number; speedStdMps: number } {
  let su = 0;
  let sv = 0;
  let ss = 0;
  let sss = 0;
  let c = 0;
  for (let r = 0; r < u.length; r++) {
    if (!Number.isFinite(u[r])) continue;
    const sp = Math.hypot(u[r], v[r]);
    su += u[r];
    sv += v[r];
    ss += sp;
    sss += sp * sp;
    c++;
  }
  const meanSpeed = ss / c;
  const th = Math.atan2(su, sv);
  let scc = 0;
  for (let r = 0; r < u.length; r++) {
    if (!Number.isFinite(u[r])) continue;
    const cw = v[r] * Math.sin(th) - u[r] * Math.cos(th);
    scc += cw * cw;
  }
  return {
    dirStdRad: Math.sqrt(scc / c) / Math.max(meanSpeed, 0.1),
    speedStdMps: Math.sqrt(Math.max(0, sss / c - meanSpeed * meanSpeed)),
  };
}

/**
 * Wind per row, as the vector mean over a centred window of WIND_SMOOTHING_S minus the row's own
 * averaging time (rows that are already minute means are used as they are). Rows without wind take
 * the smoothed wind around them; the speed is the mean of speeds in the window (a vector mean would
 * shrink it when the direction wanders).
 */
function smoothWind(
  times: Float64Array,
  u: Float64Array,
  v: Float64Array,
  keep: number[],
  averagingS: Float64Array | undefined,
  outSpeed: Float64Array,
  outToRad: Float64Array,
): void {
  const n = times.length;
  let lo = 0;
  let hi = 0;
  let su = 0;
  let sv = 0;
  let ss = 0;
  let c = 0;
  const add = (k: number, sign: number) => {
    if (!Number.isFinite(u[k])) return;
    su += sign * u[k];
    sv += sign * v[k];
    ss += sign * Math.hypot(u[k], v[k]);
    c += sign;
  };
  let lastSpeed = Number.NaN;
  let lastDir = Number.NaN;
  for (let r = 0; r < n; r++) {
    const avg = averagingS?.[keep[r]];
    const half = (Math.max(0, WIND_SMOOTHING_S - (avg !== undefined && Number.isFinite(avg) ? avg : 1)) / 2) * 1000;
    while (hi < n && times[hi] <= times[r] + half) add(hi++, 1);
    while (lo < hi && times[lo] < times[r] - half) add(lo++, -1);
    if (c > 0) {
      lastSpeed = ss / c;
      lastDir = Math.atan2(su, sv);
    }
    outSpeed[r] = lastSpeed;
    outToRad[r] = lastDir;
  }
  // Leading rows before the first wind: take the first known wind.
  let first = 0;
  while (first < n && !Number.isFinite(outSpeed[first])) first++;
  for (let r = 0; r < first; r++) {
    outSpeed[r] = outSpeed[first];
    outToRad[r] = outToRad[first];
  }
}
