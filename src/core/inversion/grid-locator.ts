/**
 * The simplest honest source locator for in-situ series: search candidate source positions (and a
 * few release heights) on a grid that refines around the best cells; at each candidate the
 * Gaussian-plume prediction is linear in the emission rate, so the rate and the background follow
 * from a weighted least-squares fit (rate constrained to be non-negative). The candidate with the
 * smallest residual wins. The rate's 1-sigma comes from the fit's covariance, scaled by the
 * residual so that a poor fit widens it.
 *
 * The Bayesian source-term estimation (issue 3) replaces this stage behind the same LocateResult.
 */
import { PlumetraceError } from '../errors.ts';
import { localFrame } from '../geo/local-frame.ts';
import { type Terrain, makePlumeKernel, transportWindMps } from '../dispersion/index.ts';
import type { InSituSeries, LocateResult, StabilityClass } from '../types.ts';
import { kgPerM3ToPpm } from '../units.ts';

export const GRID_LOCATOR_METHOD = 'insitu-grid-lsq';
export const GRID_LOCATOR_VERSION = `${GRID_LOCATOR_METHOD}/0.1.0`;

export interface GridLocatorOptions {
  /** Pasquill–Gifford class; default D (neutral), the usual choice when nothing is known. */
  stability?: StabilityClass;
  terrain?: Terrain;
  /** Wind overrides (used when the rows carry no wind, or to force one). */
  windSpeedMps?: number;
  /** Bearing the wind blows toward, degrees clockwise from north. */
  windToDeg?: number;
  /** Height at which the wind was measured (the simulator reports 10 m wind). */
  windRefHeightM?: number;
  /** Candidate release heights above ground (m). */
  sourceHeightsM?: number[];
  /** Search bounds [minLon, minLat, maxLon, maxLat]; default: the samples' extent with a wide margin. */
  area?: [number, number, number, number];
  /** Cells per side of the coarse grid. */
  coarseCells?: number;
  /**
   * A source is reported only when rate / sigma(rate) reaches this (default 5). The search picks
   * the best of thousands of candidates, so pure noise already fits at about 3 sigma.
   */
  minSignificance?: number;
  onProgress?: (fraction: number) => void;
}

interface Fit {
  rssW: number;
  rateKgPerHour: number;
  backgroundPpm: number;
  rateVar: number;
}

export function locateGridLsq(series: InSituSeries, options: GridLocatorOptions = {}): LocateResult {
  const t0 = performance.now();
  const stability = options.stability ?? 'D';
  const terrain = options.terrain ?? 'rural';
  const heights = options.sourceHeightsM ?? [0, 2, 5, 10];
  const refHeight = options.windRefHeightM ?? 10;
  const minSignificance = options.minSignificance ?? 5;
  const kernel = makePlumeKernel({ stability, terrain });

  // Usable samples: finite concentration.
  const keep: number[] = [];
  for (let i = 0; i < series.ppm.length; i++) if (Number.isFinite(series.ppm[i])) keep.push(i);
  if (keep.length === 0) {
    throw new PlumetraceError('PT_ERR_TOO_FEW_SAMPLES', 'every concentration value is empty or NaN');
  }
  if (keep.length < 6) {
    throw new PlumetraceError(
      'PT_ERR_TOO_FEW_SAMPLES',
      `only ${keep.length} samples have a concentration; at least 6 are needed`,
    );
  }

  const wind = meanWind(series, options);
  const n = keep.length;
  let lat0 = 0;
  let lon0 = 0;
  for (const i of keep) {
    lat0 += series.lat[i] / n;
    lon0 += series.lon[i] / n;
  }
  const frame = localFrame(lat0, lon0);
  const px = new Float64Array(n);
  const py = new Float64Array(n);
  const pz = new Float64Array(n);
  const c = new Float64Array(n);
  const w = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    const i = keep[j];
    const [x, y] = frame.toXY(series.lat[i], series.lon[i]);
    px[j] = x;
    py[j] = y;
    pz[j] = Math.max(0, series.altM[i]);
    c[j] = series.ppm[i];
    const s = series.sigmaPpm?.[i];
    w[j] = s !== undefined && Number.isFinite(s) && s > 0 ? 1 / (s * s) : 1;
  }
  const hasSigmas = series.sigmaPpm !== undefined && w.some((v) => v !== 1);

  // Unit vector the wind blows toward (east, north).
  const theta = (wind.toDeg * Math.PI) / 180;
  const ex = Math.sin(theta);
  const ey = Math.cos(theta);
  // ppm at the receptor per kg/h emitted, per unit of the kernel (kg/m3 per kg/s).
  const ppmPerKernelPerKgH = kgPerM3ToPpm(1, series.gas) / 3600;
  const windAtH = heights.map((h) => transportWindMps(wind.speedMps, h, stability, terrain, refHeight));

  const fitAt = (sx: number, sy: number, hIndex: number): Fit => {
    const h = heights[hIndex];
    const u = windAtH[hIndex];
    let sw = 0;
    let sk = 0;
    let skk = 0;
    let sc = 0;
    let skc = 0;
    let scc = 0;
    for (let j = 0; j < n; j++) {
      const dx = px[j] - sx;
      const dy = py[j] - sy;
      const down = dx * ex + dy * ey;
      const k = down > 0 ? kernel(down, dy * ex - dx * ey, pz[j], h, u) * ppmPerKernelPerKgH : 0;
      const wj = w[j];
      const cj = c[j];
      sw += wj;
      sk += wj * k;
      skk += wj * k * k;
      sc += wj * cj;
      skc += wj * k * cj;
      scc += wj * cj * cj;
    }
    const det = sw * skk - sk * sk;
    let q = det > 1e-300 * sw * skk ? (sw * skc - sk * sc) / det : 0;
    if (!(q > 0)) q = 0;
    const b = (sc - q * sk) / sw;
    const rss = scc - 2 * b * sc - 2 * q * skc + b * b * sw + 2 * b * q * sk + q * q * skk;
    return {
      rssW: Math.max(rss, 0),
      rateKgPerHour: q,
      backgroundPpm: b,
      rateVar: det > 0 ? sw / det : Number.POSITIVE_INFINITY,
    };
  };

  // Search bounds in the local frame.
  let [minX, minY, maxX, maxY] = [Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY, -Infinity, -Infinity];
  if (options.area) {
    const [aMinLon, aMinLat, aMaxLon, aMaxLat] = options.area;
    [minX, minY] = frame.toXY(aMinLat, aMinLon);
    [maxX, maxY] = frame.toXY(aMaxLat, aMaxLon);
  } else {
    for (let j = 0; j < n; j++) {
      minX = Math.min(minX, px[j]);
      maxX = Math.max(maxX, px[j]);
      minY = Math.min(minY, py[j]);
      maxY = Math.max(maxY, py[j]);
    }
    const margin = Math.max(100, 0.75 * Math.max(maxX - minX, maxY - minY));
    minX -= margin;
    minY -= margin;
    maxX += margin;
    maxY += margin;
  }

  // Coarse grid over the area, then refine around the best distinct cells.
  const cells = options.coarseCells ?? 40;
  const stepX = (maxX - minX) / (cells - 1);
  const stepY = (maxY - minY) / (cells - 1);
  type Cand = { x: number; y: number; h: number; fit: Fit };
  const coarse: Cand[] = [];
  const refineLevels = 4;
  const seeds = 6;
  const totalWork = cells + seeds * refineLevels;
  for (let a = 0; a < cells; a++) {
    for (let bIdx = 0; bIdx < cells; bIdx++) {
      const x = minX + a * stepX;
      const y = minY + bIdx * stepY;
      for (let h = 0; h < heights.length; h++) coarse.push({ x, y, h, fit: fitAt(x, y, h) });
    }
    options.onProgress?.((a + 1) / totalWork);
  }
  coarse.sort((p, q) => p.fit.rssW - q.fit.rssW);
  const starts: Cand[] = [];
  for (const cand of coarse) {
    if (starts.length >= seeds) break;
    if (starts.every((s) => Math.hypot(s.x - cand.x, s.y - cand.y) > 1.5 * Math.max(stepX, stepY))) starts.push(cand);
  }

  const evaluated: Cand[] = [];
  let best = coarse[0];
  let done = cells;
  for (const start of starts) {
    let cur = start;
    let sx = stepX;
    let sy = stepY;
    for (let level = 0; level < refineLevels; level++) {
      const center = cur;
      for (let a = -4; a <= 4; a++) {
        for (let bIdx = -4; bIdx <= 4; bIdx++) {
          const x = center.x + (a * sx) / 4;
          const y = center.y + (bIdx * sy) / 4;
          for (let h = 0; h < heights.length; h++) {
            const fit = fitAt(x, y, h);
            evaluated.push({ x, y, h, fit });
            if (fit.rssW < cur.fit.rssW) cur = { x, y, h, fit };
          }
        }
      }
      sx /= 4;
      sy /= 4;
      options.onProgress?.(++done / totalWork);
    }
    if (cur.fit.rssW < best.fit.rssW) best = cur;
  }

  // Uncertainty. s2: residual variance per unit weight (the noise scale when no sigma_ppm is given).
  const dof = Math.max(1, n - 2);
  const s2 = hasSigmas ? Math.max(1, best.fit.rssW / dof) : best.fit.rssW / dof;
  const fitSigma = Math.sqrt(best.fit.rateVar * s2);
  // Profile over position and height: the spread of the fitted rate among candidates within
  // delta-chi2 = 1 of the best, and the radius of the 68% joint region of the position (delta-chi2 = 2.30).
  let rateLo = best.fit.rateKgPerHour;
  let rateHi = rateLo;
  let radius68 = 0;
  for (const cand of [...coarse, ...evaluated]) {
    const d = (cand.fit.rssW - best.fit.rssW) / s2;
    if (d <= 1) {
      rateLo = Math.min(rateLo, cand.fit.rateKgPerHour);
      rateHi = Math.max(rateHi, cand.fit.rateKgPerHour);
    }
    if (d <= 2.3) radius68 = Math.max(radius68, Math.hypot(cand.x - best.x, cand.y - best.y));
  }
  const positionSigma = (rateHi - rateLo) / 2;
  // The rate scales with the wind speed: its standard error over the survey (1-minute decorrelation).
  const independentMinutes = Math.max(1, wind.durationS / 60);
  const windRelSigma = wind.speedStdMps / wind.speedMps / Math.sqrt(independentMinutes);
  // The mean wind direction's error moves the source sideways by that angle times the distance
  // to the samples that see the plume.
  let sumK = 0;
  let sumKD = 0;
  for (let j = 0; j < n; j++) {
    const dx = px[j] - best.x;
    const dy = py[j] - best.y;
    const down = dx * ex + dy * ey;
    if (down > 0) {
      const k = kernel(down, dy * ex - dx * ey, pz[j], heights[best.h], windAtH[best.h]);
      sumK += k;
      sumKD += k * down;
    }
  }
  const plumeDistanceM = sumK > 0 ? sumKD / sumK : 0;
  const directionLocationSigmaM = (wind.directionStdRad / Math.sqrt(independentMinutes)) * plumeDistanceM;
  const rate = best.fit.rateKgPerHour;
  const rateSigma = Math.sqrt(fitSigma ** 2 + positionSigma ** 2 + (rate * windRelSigma) ** 2);
  const significant = rate > 0 && rate >= minSignificance * fitSigma;
  let sumW = 0;
  for (let j = 0; j < n; j++) sumW += w[j];
  const [lat, lon] = frame.toLatLon(best.x, best.y);
  return {
    gas: series.gas,
    backgroundPpm: significant ? best.fit.backgroundPpm : weightedMean(c, w),
    sources: significant
      ? [
          {
            lat,
            lon,
            heightM: heights[best.h],
            rateKgPerHour: rate,
            rateSigmaKgPerHour: rateSigma,
            locationUncertaintyM: Math.hypot(
              radius68,
              directionLocationSigmaM,
              Math.min(stepX, stepY) / 4 ** refineLevels,
            ),
          },
        ]
      : [],
    windSpeedMps: wind.speedMps,
    windToDeg: wind.toDeg,
    stability,
    sampleCount: n,
    residualRmsPpm: Math.sqrt(best.fit.rssW / sumW),
    algorithmVersion: GRID_LOCATOR_VERSION,
    elapsedMs: performance.now() - t0,
  };
}

function weightedMean(v: Float64Array, w: Float64Array): number {
  let s = 0;
  let sw = 0;
  for (let i = 0; i < v.length; i++) {
    s += v[i] * w[i];
    sw += w[i];
  }
  return s / sw;
}

/** The mean wind: vector mean for the direction, mean speed for the speed. Options override. */
export function meanWind(
  series: InSituSeries,
  options: GridLocatorOptions,
): { speedMps: number; toDeg: number; speedStdMps: number; directionStdRad: number; durationS: number } {
  let su = 0;
  let sv = 0;
  let ss = 0;
  let sss = 0;
  let count = 0;
  if (series.windU && series.windV) {
    for (let i = 0; i < series.windU.length; i++) {
      const u = series.windU[i];
      const v = series.windV[i];
      if (Number.isFinite(u) && Number.isFinite(v)) {
        su += u;
        sv += v;
        const sp = Math.hypot(u, v);
        ss += sp;
        sss += sp * sp;
        count++;
      }
    }
  }
  const haveRows = count > 0;
  if (!haveRows && (options.windSpeedMps === undefined || options.windToDeg === undefined)) {
    throw new PlumetraceError(
      'PT_ERR_NO_WIND',
      'no row carries wind_u/wind_v; give the wind with --wind-speed and --wind-from-deg',
    );
  }
  const speedMps = options.windSpeedMps ?? ss / count;
  const toDeg = options.windToDeg ?? ((((Math.atan2(su, sv) * 180) / Math.PI) % 360) + 360) % 360;
  if (!(speedMps > 0.1)) {
    throw new PlumetraceError(
      'PT_ERR_NO_WIND',
      `the mean wind speed (${speedMps.toFixed(2)} m/s) is too low for a plume model`,
    );
  }
  const n = series.timeMs.length;
  const durationS = n > 1 ? (series.timeMs[n - 1] - series.timeMs[0]) / 1000 : 0;
  let speedStdMps: number;
  let directionStdRad: number;
  if (options.windSpeedMps !== undefined || count < 2) {
    // A given wind: its error is unknown here; assume 10% in speed and 10 degrees in direction.
    speedStdMps = 0.1 * speedMps * Math.sqrt(Math.max(1, durationS / 60));
    directionStdRad = ((10 * Math.PI) / 180) * Math.sqrt(Math.max(1, durationS / 60));
  } else {
    speedStdMps = Math.sqrt(Math.max(0, sss / count - (ss / count) ** 2));
    // Direction spread: the standard deviation of the crosswind component over the speed.
    const th = (toDeg * Math.PI) / 180;
    let scc = 0;
    for (let i = 0; i < series.windU!.length; i++) {
      const cw = series.windV![i] * Math.sin(th) - series.windU![i] * Math.cos(th);
      if (Number.isFinite(cw)) scc += cw * cw;
    }
    directionStdRad = Math.sqrt(scc / count) / speedMps;
  }
  return { speedMps, toDeg, speedStdMps, directionStdRad, durationS };
}
