import { describe, expect, it } from 'vitest';
import { plumeKernel, transportWindMps } from '../dispersion/index.ts';
import type { PlumetraceError } from '../errors.ts';
import { distanceM, localFrame } from '../geo/local-frame.ts';
import { Rng } from '../random.ts';
import { type InSituSeries, SAMPLE_KIND_PATH } from '../types.ts';
import { kgPerM3ToPpm } from '../units.ts';
import {
  COUNT_PROBABILITY_FLOOR,
  STRUCTURAL_ALONG,
  STRUCTURAL_GAMMA_FULL,
  STRUCTURAL_TRACKED_SCALE,
  STRUCTURAL_UNTRACKED_LOCATION_SCALE,
  alignPairLabels,
  estimateSources,
  pairLikelihoodGain,
} from './ste.ts';
import { insideEllipse } from './suite.ts';

const frame = localFrame(51.15, -1.44);
const PPM_PER_KGM3 = kgPerM3ToPpm(1, 'CH4');

interface Src {
  x: number;
  y: number;
  h: number;
  rateKgPerHour: number;
}

/** Modelled mole fraction (ppm) at (x, y, z) from sources, wind toward `toDeg` at 10 m speed u10, class D. */
function model(srcs: Src[], x: number, y: number, z: number, toDeg: number, u10: number): number {
  const th = (toDeg * Math.PI) / 180;
  let c = 0;
  for (const s of srcs) {
    const dx = x - s.x;
    const dy = y - s.y;
    const down = dx * Math.sin(th) + dy * Math.cos(th);
    const cross = dy * Math.sin(th) - dx * Math.cos(th);
    const u = transportWindMps(u10, s.h, 'D');
    c += (plumeKernel(down, cross, z, s.h, u, { stability: 'D' }) * PPM_PER_KGM3 * s.rateKgPerHour) / 3600;
  }
  return c;
}

/** A drone's crosswind transects downwind of the origin (1 Hz, 4 m/s), wind toward `toDeg`. */
function transects(
  srcs: Src[],
  opts: { noisePpm: number; seed: number; toDeg?: number; windNoise?: number },
): InSituSeries {
  const toDeg = opts.toDeg ?? 60;
  const th = (toDeg * Math.PI) / 180;
  const [ex, ey] = [Math.sin(th), Math.cos(th)];
  const u10 = 4;
  const rng = new Rng(opts.seed);
  const rows: number[][] = [];
  for (const down of [40, 80, 120, 160]) {
    for (let cross = -100; cross <= 100; cross += 4) {
      const x = down * ex + cross * ey;
      const y = down * ey - cross * ex;
      rows.push([x, y, 1.9 + model(srcs, x, y, 2, toDeg, u10) + opts.noisePpm * rng.normal()]);
    }
  }
  const n = rows.length;
  const wn = opts.windNoise ?? 0;
  const s: InSituSeries = {
    gas: 'CH4',
    timeMs: Float64Array.from(rows, (_, i) => Date.UTC(2026, 4, 9, 10) + i * 1000),
    lat: new Float64Array(n),
    lon: new Float64Array(n),
    altM: new Float64Array(n).fill(2),
    ppm: Float64Array.from(rows, (r) => r[2]),
    windU: Float64Array.from(rows, () => u10 * ex + wn * rng.normal()),
    windV: Float64Array.from(rows, () => u10 * ey + wn * rng.normal()),
    sigmaPpm: new Float64Array(n).fill(Math.max(opts.noisePpm, 1e-3)),
  };
  rows.forEach(([x, y], i) => {
    [s.lat[i], s.lon[i]] = frame.toLatLon(x, y);
  });
  return s;
}

const origin = (src: { lat: number; lon: number }) => distanceM(src.lat, src.lon, 51.15, -1.44);
const D_ONLY = { stabilityPrior: { D: 1 } };

describe('Bayesian source-term estimation', () => {
  it('recovers a source from its own noiseless model: position within 3 m and inside its 90% ellipse, rate within 20% and inside its 90% interval', () => {
    const r = estimateSources(transects([{ x: 0, y: 0, h: 2, rateKgPerHour: 10 }], { noisePpm: 0, seed: 1 }), D_ONLY);
    expect(r.sources).toHaveLength(1);
    // Near the most the calibrated probabilities give one source (1 − floor/2 = 0.9).
    expect(r.sourceCountProbabilities['1']).toBeGreaterThan(0.85);
    expect(r.sourceCountProbabilities['1']).toBeLessThanOrEqual(1 - COUNT_PROBABILITY_FLOOR / 2 + 1e-12);
    const [s] = r.sources;
    expect(origin(s)).toBeLessThan(3);
    expect(insideEllipse(s, 51.15, -1.44)).toBe(true);
    // The release height trades off against the rate (ground-level samples): the interval says so.
    expect(s.rateKgPerHour).toBeGreaterThan(8);
    expect(s.rateKgPerHour).toBeLessThan(12);
    expect(s.rateKgPerHourCi90[0]).toBeLessThan(10);
    expect(s.rateKgPerHourCi90[1]).toBeGreaterThan(10);
    expect(r.backgroundPpm).toBeCloseTo(1.9, 2);
    expect(r.algorithmVersion).toMatch(/^insitu-bayes-ais\//);
  });

  it('with noisy samples and wind, its 90% intervals hold the truth and the rate interval is not absurdly wide', () => {
    let covered = 0;
    let rateCovered = 0;
    const seeds = [1, 2, 3, 4, 5, 6];
    for (const seed of seeds) {
      const r = estimateSources(
        transects([{ x: 0, y: 0, h: 1, rateKgPerHour: 5 }], { noisePpm: 0.05, seed, toDeg: 200, windNoise: 0.3 }),
        { ...D_ONLY, maxSources: 1 },
      );
      expect(r.sources).toHaveLength(1);
      const [s] = r.sources;
      expect(origin(s)).toBeLessThan(15);
      // Inside the 90% ellipse? (Compare the distance with the semi-major axis: conservative.)
      if (origin(s) <= s.locationCi90.semiMajorM) covered++;
      if (s.rateKgPerHourCi90[0] <= 5 && 5 <= s.rateKgPerHourCi90[1]) rateCovered++;
      // The interval carries the structural term (ste.ts STRUCTURAL_*, at most a factor e^(2·1.645·0.5)
      // = 5.2 on its own), scaled by the model error the data show: within a factor 12 here.
      expect(s.rateKgPerHourCi90[1] / s.rateKgPerHourCi90[0]).toBeLessThan(12);
    }
    expect(covered).toBeGreaterThanOrEqual(4);
    expect(rateCovered).toBeGreaterThanOrEqual(4);
  });

  it('scales the structural location error of 1-s samples about the wind track and of other rows by their own scales', () => {
    expect(STRUCTURAL_TRACKED_SCALE).toBe(0.25);
    expect(STRUCTURAL_UNTRACKED_LOCATION_SCALE).toBe(0.65);
    const survey = transects([{ x: 0, y: 0, h: 1, rateKgPerHour: 5 }], { noisePpm: 0.05, seed: 3, windNoise: 0.3 });
    const oneSecond = { ...survey, averagingS: new Float64Array(survey.timeMs.length).fill(1) };
    for (const [series, share, factor] of [
      [survey, 0, STRUCTURAL_UNTRACKED_LOCATION_SCALE],
      [oneSecond, 1, STRUCTURAL_TRACKED_SCALE],
    ] as const) {
      const r = estimateSources(series, { ...D_ONLY, maxSources: 1 });
      expect(r.sources).toHaveLength(1);
      const st = r.diagnostics.structuralError[0];
      expect(st.trackedShare).toBeCloseTo(share, 12);
      const full = STRUCTURAL_ALONG * Math.min(1, st.gamma / STRUCTURAL_GAMMA_FULL) * st.travelM;
      expect(full).toBeGreaterThan(0);
      expect(st.alongM / full).toBeCloseTo(factor, 12);
    }
  });

  it('says there is no source when there is only noise', () => {
    for (const seed of [1, 2, 3]) {
      const r = estimateSources(transects([], { noisePpm: 0.05, seed }), D_ONLY);
      expect(r.sources).toHaveLength(0);
      expect(r.sourceCountProbabilities['0']).toBeGreaterThan(0.5);
      expect(r.backgroundPpm).toBeCloseTo(1.9, 1);
    }
  });

  it('prefers two sources when two plumes are clearly there, and places both', () => {
    const truth = [
      { x: 0, y: 0, h: 1, rateKgPerHour: 8 },
      { x: 45, y: -30, h: 1, rateKgPerHour: 6 },
    ];
    const r = estimateSources(transects(truth, { noisePpm: 0.03, seed: 7, toDeg: 0 }), D_ONLY);
    expect(r.sourceCountProbabilities['2']).toBeGreaterThan(0.5);
    expect(r.sources).toHaveLength(2);
    for (const t of truth) {
      const [lat, lon] = frame.toLatLon(t.x, t.y);
      const nearest = Math.min(...r.sources.map((s) => distanceM(s.lat, s.lon, lat, lon)));
      expect(nearest).toBeLessThan(10);
    }
  });

  it('measures what the data show of a pair (pairLikelihoodGain): far beyond the Occam cost for two clear plumes, nothing for a source where no plume passes', () => {
    const truth = [
      { x: 0, y: 0, h: 1, rateKgPerHour: 8 },
      { x: 45, y: -30, h: 1, rateKgPerHour: 6 },
    ];
    const at = (t: { x: number; y: number; h: number }) => {
      const [lat, lon] = frame.toLatLon(t.x, t.y);
      return { lat, lon, heightM: t.h };
    };
    const both = pairLikelihoodGain(transects(truth, { noisePpm: 0.03, seed: 7, toDeg: 0 }), D_ONLY, truth.map(at));
    // ln of the default area (the samples' extent with its margin) times 10 m of heights.
    expect(both.occamNats).toBeGreaterThan(8);
    expect(both.gainNats).toBeGreaterThan(3 * both.occamNats);
    expect(Math.max(...both.movedM)).toBeLessThan(5);
    // One source; the "pair" adds one 80 m across the wind, whose plume would cross the transects
    // where they read only background. Its rate, integrated over its prior, is pinned near zero by
    // those readings (a few nats of the rate's own Occam factor: −3.9 here), and it fits little
    // noise with its position: well below zero gain, and far below the position's Occam cost.
    const one = transects([truth[0]], { noisePpm: 0.03, seed: 7, toDeg: 0 });
    const phantom = pairLikelihoodGain(one, D_ONLY, [at(truth[0]), at({ x: 80, y: -30, h: 1 })]);
    expect(phantom.gainNats).toBeGreaterThan(-8);
    expect(phantom.gainNats).toBeLessThan(0);
    expect(() => pairLikelihoodGain(one, D_ONLY, [at(truth[0])])).toThrow(/two sources/);
  });

  it('summarises two sources with their labels aligned: each draw takes the labelling of the most probable one', () => {
    const rng = new Rng(5);
    const A = { x: 0, y: 0, h: 1 };
    const B = { x: 54, y: -10, h: 3 };
    const draws = Array.from({ length: 400 }, (_, i) => {
      const jitter = (p: typeof A) => ({ x: p.x + rng.normal(), y: p.y + rng.normal(), h: p.h + 0.1 * rng.normal() });
      const swap = i % 2 === 1; // half the particles labelled the other way round
      const [p, q] = swap ? [B, A] : [A, B];
      const [qp, qq] = swap ? [6, 2] : [2, 6];
      return {
        src: [jitter(p), jitter(q)],
        logT: i === 0 ? 0 : -1 - rng.uniform(),
        m: { rateMean: Float64Array.of(qp, qq), rateVar: Float64Array.of(qp / 10, qq / 10) },
      };
    });
    const aligned = alignPairLabels(draws);
    expect(aligned).toHaveLength(draws.length);
    for (const d of aligned) {
      expect(Math.hypot(d.src[0].x - A.x, d.src[0].y - A.y)).toBeLessThan(6);
      expect(Math.hypot(d.src[1].x - B.x, d.src[1].y - B.y)).toBeLessThan(6);
      expect([d.m.rateMean[0], d.m.rateMean[1], d.m.rateVar[0], d.m.rateVar[1]]).toEqual([2, 6, 0.2, 0.6]);
    }
    expect(aligned[0]).toBe(draws[0]); // the pivot keeps its labels
    // One-source draws pass through untouched.
    const one = [{ src: [A], logT: 0, m: { rateMean: Float64Array.of(1), rateVar: Float64Array.of(1) } }];
    expect(alignPairLabels(one)).toBe(one);
  });

  it('uses path samples: the mean along each beam', () => {
    // Two beams across the plume and two along it (either side of the centre line, so that the
    // crosswind position has one answer), 1-minute means for 20 minutes.
    const toDeg = 90;
    const src = [{ x: 0, y: 0, h: 0.5, rateKgPerHour: 2 }];
    const beams = [
      [60, -40, 60, 40],
      [90, -50, 90, 30],
      [40, 10, 120, 10],
      [40, -15, 120, -15],
    ];
    const rng = new Rng(3);
    const rows: { t: number; b: number[]; ppm: number }[] = [];
    for (let m = 0; m < 20; m++) {
      for (const b of beams) {
        let acc = 0;
        const steps = 400;
        for (let k = 0; k < steps; k++) {
          const f = (k + 0.5) / steps;
          acc += model(src, b[0] + f * (b[2] - b[0]), b[1] + f * (b[3] - b[1]), 1.5, toDeg, 3) / steps;
        }
        rows.push({ t: Date.UTC(2026, 4, 9, 12, m, 30), b, ppm: 1.95 + acc + 0.002 * rng.normal() });
      }
    }
    const n = rows.length;
    const series: InSituSeries = {
      gas: 'CH4',
      timeMs: Float64Array.from(rows, (r) => r.t),
      lat: new Float64Array(n),
      lon: new Float64Array(n),
      altM: new Float64Array(n).fill(1.5),
      ppm: Float64Array.from(rows, (r) => r.ppm),
      windU: new Float64Array(n).fill(3),
      windV: new Float64Array(n).fill(0),
      sigmaPpm: new Float64Array(n).fill(0.002),
      kind: new Uint8Array(n).fill(SAMPLE_KIND_PATH),
      lat2: new Float64Array(n),
      lon2: new Float64Array(n),
      alt2M: new Float64Array(n).fill(1.5),
    };
    rows.forEach((r, i) => {
      [series.lat[i], series.lon[i]] = frame.toLatLon(r.b[0], r.b[1]);
      [series.lat2![i], series.lon2![i]] = frame.toLatLon(r.b[2], r.b[3]);
    });
    const r = estimateSources(series, { ...D_ONLY, maxSources: 1 });
    expect(r.diagnostics.pathSamples).toBe(n);
    expect(r.sources).toHaveLength(1);
    const [est] = r.sources;
    // The beams pin the source's crosswind position (north here, the wind blows east) much better
    // than its distance upwind; the ellipse must hold the truth.
    const north = (est.lat - 51.15) * frame.metresPerDegLat;
    expect(Math.abs(north)).toBeLessThan(5);
    expect(insideEllipse(est, 51.15, -1.44)).toBe(true);
    expect(est.rateKgPerHour / 2).toBeGreaterThan(0.5);
    expect(est.rateKgPerHour / 2).toBeLessThan(2);
  });

  it('searches the rectangle of any orientation its corners give (areaCorners), and names bad corners', () => {
    const s = transects([{ x: 0, y: 0, h: 2, rateKgPerHour: 4 }], { noisePpm: 0.02, seed: 3 });
    // Wind toward 60°: rectangles along it, `along` metres downwind of the origin, `cross` across.
    const [ex, ey] = [Math.sin(Math.PI / 3), Math.cos(Math.PI / 3)];
    const corners = (a0: number, a1: number, c0: number, c1: number): [number, number][] =>
      [
        [a0, c0],
        [a1, c0],
        [a1, c1],
        [a0, c1],
      ].map(([a, c]) => frame.toLatLon(a * ex + c * ey, a * ey - c * ex));
    // Holding the source: found near it.
    const around = estimateSources(s, { ...D_ONLY, maxSources: 1, areaCorners: corners(-100, 20, -30, 30) });
    expect(origin(around.sources[0])).toBeLessThan(10);
    // Beside it, 60–120 m across the wind: no source there can make this plume.
    const beside = estimateSources(s, { ...D_ONLY, maxSources: 1, areaCorners: corners(-100, 20, 60, 120) });
    expect(beside.sources).toHaveLength(0);
    expect(beside.sourceCountProbabilities['0']).toBeGreaterThan(0.8);
    const message = (areaCorners: [number, number][]) => {
      try {
        estimateSources(s, { ...D_ONLY, areaCorners });
      } catch (e) {
        return `${(e as PlumetraceError).code}: ${(e as Error).message}`;
      }
      return 'none';
    };
    expect(message(corners(-100, 20, -30, 30).slice(0, 3))).toMatch(
      /^PT_ERR_BAD_REQUEST: .*areaCorners must be four \[lat, lon\] corners, got 3/,
    );
    const skewed = corners(-100, 20, -30, 30);
    skewed[2] = frame.toLatLon(40 * ex + 30 * ey, 40 * ey - 30 * ex);
    expect(message(skewed)).toMatch(/^PT_ERR_BAD_REQUEST: .*areaCorners must make a rectangle/);
  });

  it('is reproducible for a seed', () => {
    const s = transects([{ x: 0, y: 0, h: 2, rateKgPerHour: 3 }], { noisePpm: 0.05, seed: 9 });
    const a = estimateSources(s, { ...D_ONLY, seed: 5 });
    const b = estimateSources(s, { ...D_ONLY, seed: 5 });
    expect(b.sources).toEqual(a.sources);
    expect(b.sourceCountProbabilities).toEqual(a.sourceCountProbabilities);
  });

  it('errors clearly on all-NaN concentrations and missing wind, and takes a given wind', () => {
    const s = transects([{ x: 0, y: 0, h: 2, rateKgPerHour: 4 }], { noisePpm: 0.02, seed: 1 });
    const code = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return (e as PlumetraceError).code;
      }
      return 'none';
    };
    expect(code(() => estimateSources({ ...s, ppm: s.ppm.map(() => Number.NaN) }, D_ONLY))).toBe(
      'PT_ERR_TOO_FEW_SAMPLES',
    );
    expect(code(() => estimateSources({ ...s, windU: undefined, windV: undefined }, D_ONLY))).toBe('PT_ERR_NO_WIND');
    const given = estimateSources(
      { ...s, windU: undefined, windV: undefined },
      { ...D_ONLY, wind: { speedMps: 4, toDeg: 60 }, maxSources: 1 },
    );
    expect(given.sources).toHaveLength(1);
    expect(origin(given.sources[0])).toBeLessThan(10);
  });
});
