/**
 * Which way does the sonic's (WindX, WindY) point in the geometry frame of geometry_and_truth.csv?
 *
 * The dataset says only that the sonic axes are "as far as we know" those of the local frame. This
 * module lists the eight axis conventions a two-axis record can have (identity, sign flip, swap,
 * mirrors, ±90° rotations) and tests each against the methane the beams saw, for each candidate
 * source, in two ways:
 *
 * - plume correlation: a Gaussian plume (core/dispersion plumeKernel, Briggs rural sigmas) from the
 *   candidate source, driven by every 3-s sonic sample of the minute, averaged along each beam, gives
 *   a predicted path-mean enhancement per beam-minute; Pearson r against the observed minute mean
 *   minus the beam's background, and the rate that fits best (least squares through the origin);
 * - centreline crossings (no dispersion model): for each beam-minute, does the centreline of the
 *   minute's mean wind from the source cross the beam, and did the beam see a column above a
 *   threshold? The agreement is the fraction of beam-minutes where the two say the same.
 *
 * See README.md for what rel02 gives.
 */
import { ppmPerKgPerM3 } from '../../core/units.ts';
import { makePlumeKernel } from '../../core/dispersion/index.ts';
import type { StabilityClass } from '../../core/types.ts';
import type { LdsRecord, ReleaseGeometry } from './parse.ts';

/**
 * The eight conventions, as (a, b, c, d) in u = a·X + b·Y, v = c·X + d·Y, where (u, v) is the wind
 * toward +x / +y of the geometry frame and (X, Y) the sonic's WindX/WindY.
 */
export const WIND_CONVENTIONS = {
  'u=X,v=Y': { m: [1, 0, 0, 1], label: 'as given' },
  'u=-X,v=-Y': { m: [-1, 0, 0, -1], label: 'sign-flipped (a from-vector, meteorological sense)' },
  'u=Y,v=X': { m: [0, 1, 1, 0], label: 'swapped' },
  'u=-Y,v=-X': { m: [0, -1, -1, 0], label: 'swapped and sign-flipped' },
  'u=-X,v=Y': { m: [-1, 0, 0, 1], label: 'x mirrored' },
  'u=X,v=-Y': { m: [1, 0, 0, -1], label: 'y mirrored' },
  'u=-Y,v=X': { m: [0, -1, 1, 0], label: 'rotated +90° (X is +y, Y is −x)' },
  'u=Y,v=-X': { m: [0, 1, -1, 0], label: 'rotated −90° (X is −y, Y is +x)' },
} as const satisfies Record<string, { m: readonly [number, number, number, number]; label: string }>;

export type WindConvention = keyof typeof WIND_CONVENTIONS;

export const WIND_CONVENTION_NAMES = Object.keys(WIND_CONVENTIONS) as WindConvention[];

/** The convention the rel02 data support (README.md, wind-frame.test.ts). */
export const CHILBOLTON_WIND_CONVENTION: WindConvention = 'u=-Y,v=X';

/** (u, v) toward +x / +y of the geometry frame from the sonic's (X, Y) under a convention. */
export function applyWindConvention(convention: WindConvention, x: number, y: number): [u: number, v: number] {
  const [a, b, c, d] = WIND_CONVENTIONS[convention].m;
  return [a * x + b * y, c * x + d * y];
}

/** Pooled sonic samples and per-beam minute means of CH4, by UTC minute (minute index = floor(ms / 60000)). */
export interface BeamMinutes {
  /** minute index → sonic samples (X, Y) of every beam file in that minute. */
  wind: Map<number, { x: number[]; y: number[] }>;
  /** beam → minute index → { mean ppm, samples, mean T (K), mean P (Pa) }. */
  ch4: Map<number, Map<number, { ppm: number; n: number; tempK: number; pressPa: number }>>;
}

/** Groups the records by UTC minute. `utcOffsetHours` is the loggers' clock offset (BST: 1). */
export function groupByMinute(records: readonly LdsRecord[], utcOffsetHours: number): BeamMinutes {
  const wind = new Map<number, { x: number[]; y: number[] }>();
  const sums = new Map<number, Map<number, { s: number; n: number; t: number; p: number }>>();
  for (const rec of records) {
    const perBeam = sums.get(rec.beam) ?? new Map();
    sums.set(rec.beam, perBeam);
    const t0 = rec.startClockMs - utcOffsetHours * 3_600_000;
    for (let i = 0; i < rec.elapsedS.length; i++) {
      const minute = Math.floor((t0 + rec.elapsedS[i] * 1000) / 60_000);
      if (Number.isFinite(rec.windX[i]) && Number.isFinite(rec.windY[i])) {
        const w = wind.get(minute) ?? { x: [], y: [] };
        wind.set(minute, w);
        w.x.push(rec.windX[i]);
        w.y.push(rec.windY[i]);
      }
      const c = rec.ch4Ppm[i];
      if (!(c > 0) || !Number.isFinite(c)) continue;
      const acc = perBeam.get(minute) ?? { s: 0, n: 0, t: 0, p: 0 };
      perBeam.set(minute, acc);
      acc.s += c;
      acc.n++;
      acc.t += rec.tempK[i];
      acc.p += rec.pressPa[i];
    }
  }
  const ch4 = new Map<number, Map<number, { ppm: number; n: number; tempK: number; pressPa: number }>>();
  for (const [beam, perBeam] of sums) {
    const out = new Map<number, { ppm: number; n: number; tempK: number; pressPa: number }>();
    for (const [minute, a] of perBeam)
      out.set(minute, { ppm: a.s / a.n, n: a.n, tempK: a.t / a.n, pressPa: a.p / a.n });
    ch4.set(beam, out);
  }
  return { wind, ch4 };
}

export interface FrameCheckOptions {
  stability: StabilityClass;
  /** UTC release window (ms), e.g. from the weigh scale. */
  releaseStartMs: number;
  releaseEndMs: number;
  utcOffsetHours: number;
  /** Points per beam for the path mean (default 40). */
  pointsPerBeam?: number;
  /** Beam-minutes with fewer CH4 samples are left out (default 10). */
  minSamples?: number;
  /** Column (ppm·m) above which a beam-minute counts as "saw the plume" (default 20). */
  columnThresholdPpmM?: number;
}

export interface FrameCheckRow {
  convention: WindConvention;
  source: string;
  /** Pearson r of predicted vs observed path-mean enhancement over all beam-minutes. */
  r: number;
  /** Rate (kg/h) that scales the prediction best onto the observation. */
  fittedRateKgPerHour: number;
  /** Fraction of beam-minutes where "the mean-wind centreline crosses the beam" equals "the beam saw the plume". */
  crossingAgreement: number;
  /** Mean number of beams (of those measuring) the centreline crosses per minute. */
  meanBeamsCrossed: number;
}

export interface FrameCheckResult {
  rows: FrameCheckRow[];
  /** UTC minute indices used (release minutes). */
  minutes: number[];
  beamMinutes: number;
  /** Fraction of the used beam-minutes whose column exceeded the threshold. */
  observedSeenFraction: number;
  /** Background (ppm) per beam: median of minute means outside the release. */
  backgroundPpm: Map<number, number>;
}

function median(v: number[]): number {
  const s = [...v].sort((a, b) => a - b);
  const h = s.length >> 1;
  return s.length % 2 ? s[h] : (s[h - 1] + s[h]) / 2;
}

function pearson(p: number[], o: number[]): number {
  const n = p.length;
  let mp = 0;
  let mo = 0;
  for (let i = 0; i < n; i++) {
    mp += p[i];
    mo += o[i];
  }
  mp /= n;
  mo /= n;
  let spp = 0;
  let soo = 0;
  let spo = 0;
  for (let i = 0; i < n; i++) {
    spp += (p[i] - mp) ** 2;
    soo += (o[i] - mo) ** 2;
    spo += (p[i] - mp) * (o[i] - mo);
  }
  return spp > 0 && soo > 0 ? spo / Math.sqrt(spp * soo) : Number.NaN;
}

/** Does the ray from (sx, sy) along (ux, uy) cross the segment (ax, ay)–(bx, by)? */
function rayCrossesSegment(
  sx: number,
  sy: number,
  ux: number,
  uy: number,
  ax: number,
  ay: number,
  bx: number,
  by: number,
): boolean {
  const dx = bx - ax;
  const dy = by - ay;
  const det = ux * -dy - uy * -dx;
  if (Math.abs(det) < 1e-12) return false;
  const rx = ax - sx;
  const ry = ay - sy;
  const t = (rx * -dy - ry * -dx) / det;
  const s = (ux * ry - uy * rx) / det;
  return t > 0 && s >= 0 && s <= 1;
}

/** Tests every wind convention against every candidate source of the geometry (see the module comment). */
export function checkWindFrame(
  records: readonly LdsRecord[],
  geometry: ReleaseGeometry,
  opts: FrameCheckOptions,
): FrameCheckResult {
  const nPts = opts.pointsPerBeam ?? 40;
  const minSamples = opts.minSamples ?? 10;
  const threshold = opts.columnThresholdPpmM ?? 20;
  const grouped = groupByMinute(records, opts.utcOffsetHours);
  const kernel = makePlumeKernel({ stability: opts.stability });
  const inst = geometry.instrument;

  // Release minutes: the whole minute within [start + 120 s, end + 60 s] (the scale window is good to
  // about a minute, and the gas needs time to reach the beams). Background: minutes wholly outside
  // [start − 60 s, end + 120 s].
  const firstMinute = Math.ceil((opts.releaseStartMs + 120_000) / 60_000);
  const lastMinute = Math.floor((opts.releaseEndMs + 60_000) / 60_000) - 1;
  const backgroundPpm = new Map<number, number>();
  for (const [beam, perBeam] of grouped.ch4) {
    const outside: number[] = [];
    for (const [minute, v] of perBeam) {
      const t0 = minute * 60_000;
      if (v.n >= minSamples && (t0 + 60_000 <= opts.releaseStartMs - 60_000 || t0 >= opts.releaseEndMs + 120_000)) {
        outside.push(v.ppm);
      }
    }
    if (outside.length > 0) backgroundPpm.set(beam, median(outside));
  }

  interface Cell {
    beam: number;
    minute: number;
    obsPpm: number;
    lengthM: number;
    ppmPerKgM3: number;
  }
  const cells: Cell[] = [];
  const minutes: number[] = [];
  for (let minute = firstMinute; minute <= lastMinute; minute++) {
    let any = false;
    for (const rec of records) {
      const v = grouped.ch4.get(rec.beam)?.get(minute);
      const bg = backgroundPpm.get(rec.beam);
      const refl = geometry.reflectors[rec.beam];
      if (!v || v.n < minSamples || bg === undefined || !refl || !grouped.wind.has(minute)) continue;
      cells.push({
        beam: rec.beam,
        minute,
        obsPpm: v.ppm - bg,
        lengthM: Math.hypot(refl.xM - inst.xM, refl.yM - inst.yM, refl.zM - inst.zM),
        ppmPerKgM3: ppmPerKgPerM3('CH4', v.tempK, v.pressPa),
      });
      any = true;
    }
    if (any) minutes.push(minute);
  }

  const seen = cells.map((c) => c.obsPpm * c.lengthM > threshold);
  const rows: FrameCheckRow[] = [];
  for (const convention of WIND_CONVENTION_NAMES) {
    for (const src of geometry.sources) {
      const pred: number[] = [];
      const obs: number[] = [];
      let agree = 0;
      let crossed = 0;
      for (let k = 0; k < cells.length; k++) {
        const c = cells[k];
        const refl = geometry.reflectors[c.beam]!;
        const w = grouped.wind.get(c.minute)!;
        let sum = 0;
        let mux = 0;
        let muy = 0;
        for (let j = 0; j < w.x.length; j++) {
          const [u, v] = applyWindConvention(convention, w.x[j], w.y[j]);
          const speed = Math.hypot(u, v);
          if (!(speed > 0)) continue;
          const ex = u / speed;
          const ey = v / speed;
          mux += ex;
          muy += ey;
          for (let p = 0; p < nPts; p++) {
            const f = (p + 0.5) / nPts;
            const dx = inst.xM + f * (refl.xM - inst.xM) - src.xM;
            const dy = inst.yM + f * (refl.yM - inst.yM) - src.yM;
            const z = inst.zM + f * (refl.zM - inst.zM);
            sum += kernel(dx * ex + dy * ey, -dx * ey + dy * ex, z, src.zM, Math.max(speed, 0.5));
          }
        }
        pred.push((sum / (w.x.length * nPts)) * c.ppmPerKgM3);
        obs.push(c.obsPpm);
        const crosses = rayCrossesSegment(src.xM, src.yM, mux, muy, inst.xM, inst.yM, refl.xM, refl.yM);
        if (crosses) crossed++;
        if (crosses === seen[k]) agree++;
      }
      let spo = 0;
      let spp = 0;
      for (let i = 0; i < pred.length; i++) {
        spo += pred[i] * obs[i];
        spp += pred[i] * pred[i];
      }
      rows.push({
        convention,
        source: src.name,
        r: pearson(pred, obs),
        fittedRateKgPerHour: spp > 0 ? (spo / spp) * 3600 : Number.NaN,
        crossingAgreement: cells.length > 0 ? agree / cells.length : Number.NaN,
        meanBeamsCrossed: minutes.length > 0 ? crossed / minutes.length : Number.NaN,
      });
    }
  }
  rows.sort((a, b) => (Number.isNaN(b.r) ? -2 : b.r) - (Number.isNaN(a.r) ? -2 : a.r));
  return {
    rows,
    minutes,
    beamMinutes: cells.length,
    observedSeenFraction: cells.length > 0 ? seen.filter(Boolean).length / cells.length : Number.NaN,
    backgroundPpm,
  };
}

export interface WindTurbulence {
  /** Circular standard deviation of the horizontal wind direction, sqrt(−2 ln R), degrees. */
  sigmaThetaDeg: number;
  /** Standard deviation of the wind's elevation angle atan(w / horizontal speed), degrees. */
  sigmaPhiDeg: number;
  meanSpeedMps: number;
  samples: number;
}

/**
 * Turbulence of the sonic samples (all beam files pooled) between two UTC times: the inputs of the
 * σA / σE stability criteria (US EPA meteorological monitoring guidance, EPA-454/R-99-005). Both
 * are the same under every axis convention, so they can pick the dispersion class for the frame check
 * without presupposing the frame.
 */
export function windTurbulence(
  records: readonly LdsRecord[],
  utcOffsetHours: number,
  startMs: number,
  endMs: number,
): WindTurbulence {
  let cs = 0;
  let sn = 0;
  let sp = 0;
  let sphi = 0;
  let sphi2 = 0;
  let n = 0;
  for (const rec of records) {
    const t0 = rec.startClockMs - utcOffsetHours * 3_600_000;
    for (let i = 0; i < rec.elapsedS.length; i++) {
      const t = t0 + rec.elapsedS[i] * 1000;
      const x = rec.windX[i];
      const y = rec.windY[i];
      const z = rec.windZ[i];
      if (t < startMs || t >= endMs || !Number.isFinite(x) || !Number.isFinite(y) || !Number.isFinite(z)) continue;
      const h = Math.hypot(x, y);
      if (!(h > 0)) continue;
      cs += x / h;
      sn += y / h;
      sp += h;
      const phi = Math.atan2(z, h);
      sphi += phi;
      sphi2 += phi * phi;
      n++;
    }
  }
  const R = Math.hypot(cs, sn) / n;
  const meanPhi = sphi / n;
  return {
    sigmaThetaDeg: Math.sqrt(-2 * Math.log(R)) * (180 / Math.PI),
    sigmaPhiDeg: Math.sqrt(Math.max(0, sphi2 / n - meanPhi * meanPhi)) * (180 / Math.PI),
    meanSpeedMps: sp / n,
    samples: n,
  };
}
