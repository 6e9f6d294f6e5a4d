import { describe, expect, it } from 'vitest';
import { pathMeanKernel, plumeKernel, transportWindMps } from '../core/dispersion/index.ts';
import { localFrame } from '../core/geo/local-frame.ts';
import { STABILITY_CLASSES } from '../core/types.ts';
import { ppmPerKgPerM3 } from '../core/units.ts';
import {
  CLEAR_PLUME_SNR,
  DEFAULT_SITE_LAT,
  DEFAULT_SITE_LON,
  makeScenario,
  type Scenario,
  type ScenarioOptions,
  scenarioSuite,
} from './scenarios.ts';

const FRAME = localFrame(DEFAULT_SITE_LAT, DEFAULT_SITE_LON);
const PPM_PER_KG_M3 = ppmPerKgPerM3('CH4');
const DEG = Math.PI / 180;

const BASE: ScenarioOptions = {
  seed: 7,
  sensor: 'point',
  sources: 1,
  stability: 'D',
  windSpeedMps: 3,
  windFromDeg: 230,
  samples: 300,
};

const SUITE = scenarioSuite(200, 2026);

function xy(lat: number, lon: number): [number, number] {
  return FRAME.toXY(lat, lon);
}

/** Downwind (along the true mean wind) and crosswind offsets of (e, n) from (e0, n0). */
function windFrame(truthFromDeg: number, e: number, n: number, e0: number, n0: number): [number, number] {
  const to = (truthFromDeg + 180) * DEG;
  const dx = e - e0;
  const dy = n - n0;
  return [dx * Math.sin(to) + dy * Math.cos(to), dx * Math.cos(to) - dy * Math.sin(to)];
}

/** Per-source expected peaks recomputed from the truth and the rows, independently of the generator. */
function recomputePeaks(sc: Scenario): number[] {
  const { truth, series } = sc;
  return truth.sources.map((s) => {
    const [se, sn] = xy(s.lat, s.lon);
    const u = transportWindMps(truth.windSpeedMps, s.heightM, truth.stability);
    const q = s.rateKgPerHour / 3600;
    let peak = 0;
    for (let i = 0; i < series.ppm.length; i++) {
      const [e1, n1] = xy(series.lat[i], series.lon[i]);
      const [x1, y1] = windFrame(truth.windFromDeg, e1, n1, se, sn);
      let c: number;
      if (series.kind && series.kind[i] === 1) {
        const [e2, n2] = xy(series.lat2![i], series.lon2![i]);
        const [x2, y2] = windFrame(truth.windFromDeg, e2, n2, se, sn);
        c = pathMeanKernel(x1, y1, series.altM[i], x2, y2, series.alt2M![i], s.heightM, u, {
          stability: truth.stability,
        });
      } else {
        c = plumeKernel(x1, y1, series.altM[i], s.heightM, u, { stability: truth.stability });
      }
      peak = Math.max(peak, q * c * PPM_PER_KG_M3);
    }
    return peak;
  });
}

describe('makeScenario', () => {
  it('is deterministic: same options, same output; another seed, other output', () => {
    for (const sensor of ['point', 'path'] as const) {
      const a = makeScenario({ ...BASE, sensor, sources: 2 });
      const b = makeScenario({ ...BASE, sensor, sources: 2 });
      expect(b).toEqual(a);
      const c = makeScenario({ ...BASE, sensor, sources: 2, seed: 8 });
      expect(c.series.ppm).not.toEqual(a.series.ppm);
      expect(c.truth.sources).not.toEqual(a.truth.sources);
    }
    expect(scenarioSuite(8, 3)).toEqual(scenarioSuite(8, 3));
  });

  it('writes exactly `samples` rows with non-decreasing times, for both sensors and odd counts', () => {
    for (const sensor of ['point', 'path'] as const) {
      for (const samples of [1, 10, 37, 1000]) {
        const { series, truth } = makeScenario({ ...BASE, sensor, samples });
        expect(series.ppm.length).toBe(samples);
        expect(truth.sampleCount).toBe(samples);
        for (const col of [series.timeMs, series.lat, series.lon, series.altM, series.windU!, series.windV!]) {
          expect(col.length).toBe(samples);
        }
        for (let i = 1; i < samples; i++) expect(series.timeMs[i]).toBeGreaterThanOrEqual(series.timeMs[i - 1]);
      }
    }
  });

  it('point rows: 1 Hz, 2–5 m altitude (±jitter), averagingS 1, noise 0.01–0.05 ppm, no path columns', () => {
    const { series, truth } = makeScenario({ ...BASE, samples: 500 });
    expect(series.kind).toBeUndefined();
    expect(series.lat2).toBeUndefined();
    expect(truth.passCount).toBeGreaterThan(1);
    for (let i = 0; i < series.ppm.length; i++) {
      if (i > 0) expect(series.timeMs[i] - series.timeMs[i - 1]).toBe(1000);
      expect(series.altM[i]).toBeGreaterThan(1.2);
      expect(series.altM[i]).toBeLessThan(5.8);
      expect(series.averagingS![i]).toBe(1);
      expect(series.sigmaPpm![i]).toBe(truth.noisePpm);
    }
    expect(truth.noisePpm).toBeGreaterThanOrEqual(0.01);
    expect(truth.noisePpm).toBeLessThanOrEqual(0.05);
    // A 10-sample flight is one short pass: ground speed 3–5 m/s → 27–45 m covered.
    const short = makeScenario({ ...BASE, samples: 10 }).series;
    const [ea, na] = xy(short.lat[0], short.lon[0]);
    const [eb, nb] = xy(short.lat[9], short.lon[9]);
    expect(Math.hypot(eb - ea, nb - na)).toBeGreaterThanOrEqual(27 - 1e-6);
    expect(Math.hypot(eb - ea, nb - na)).toBeLessThanOrEqual(45 + 1e-6);
  });

  it('path rows: kind 1, 4–8 valid beams of 30–150 m at 1–2 m, one row per beam and minute', () => {
    for (const seed of [1, 2, 3, 4, 5, 6]) {
      const samples = 97;
      const { series, truth } = makeScenario({ ...BASE, seed, sensor: 'path', samples });
      const nb = truth.beamCount;
      expect(nb).toBeGreaterThanOrEqual(4);
      expect(nb).toBeLessThanOrEqual(8);
      expect(truth.noisePpm).toBeGreaterThanOrEqual(0.005);
      expect(truth.noisePpm).toBeLessThanOrEqual(0.02);
      const beams = new Set<string>();
      for (let i = 0; i < samples; i++) {
        expect(series.kind![i]).toBe(1);
        const [e1, n1] = xy(series.lat[i], series.lon[i]);
        const [e2, n2] = xy(series.lat2![i], series.lon2![i]);
        const len = Math.hypot(e2 - e1, n2 - n1);
        expect(len).toBeGreaterThanOrEqual(30 - 1e-6);
        expect(len).toBeLessThanOrEqual(150 + 1e-6);
        for (const z of [series.altM[i], series.alt2M![i]]) {
          expect(z).toBeGreaterThanOrEqual(1);
          expect(z).toBeLessThanOrEqual(2);
        }
        expect(series.averagingS![i]).toBe(60);
        expect(series.windDirStdDeg![i]).toBeGreaterThanOrEqual(0);
        expect(series.windDirStdDeg![i]).toBeLessThan(30);
        expect(Number.isFinite(series.windU![i]) && Number.isFinite(series.windV![i])).toBe(true);
        // Row i is beam i % nb in minute ⌊i / nb⌋; all beams of a minute share its centre time.
        expect(series.timeMs[i] - series.timeMs[0]).toBe(Math.floor(i / nb) * 60_000);
        beams.add([series.lat[i], series.lon[i], series.lat2![i], series.lon2![i]].join());
      }
      expect(beams.size).toBe(nb);
    }
  });

  it('places sources as documented: 20–200 m upwind of the sensors, rates 0.5–50 kg/h, heights 0–5 m, ≥ 30 m apart', () => {
    for (const sc of SUITE) {
      const { truth, series } = sc;
      let minAlongOfSensors = Number.POSITIVE_INFINITY;
      const [s0e, s0n] = xy(truth.sources[0]?.lat ?? DEFAULT_SITE_LAT, truth.sources[0]?.lon ?? DEFAULT_SITE_LON);
      for (let i = 0; i < series.ppm.length; i++) {
        const [e, n] = xy(series.lat[i], series.lon[i]);
        minAlongOfSensors = Math.min(minAlongOfSensors, windFrame(truth.windFromDeg, e, n, s0e, s0n)[0]);
      }
      for (const s of truth.sources) {
        expect(s.rateKgPerHour).toBeGreaterThanOrEqual(0.5);
        expect(s.rateKgPerHour).toBeLessThanOrEqual(50);
        expect(s.heightM).toBeGreaterThanOrEqual(0);
        expect(s.heightM).toBeLessThanOrEqual(5);
        const [e, n] = xy(s.lat, s.lon);
        // Sensors' most upwind position (along the mean wind) relative to this source.
        const along = minAlongOfSensors - windFrame(truth.windFromDeg, e, n, s0e, s0n)[0];
        expect(along).toBeGreaterThanOrEqual(20 - 1e-6);
        expect(along).toBeLessThanOrEqual(200 + 1e-6);
      }
      // sourceRegion: the 180 m × 60 m rectangle along the mean wind that holds every source.
      const corners = truth.sourceRegion.map(([lat, lon]) => xy(lat, lon));
      expect(corners).toHaveLength(4);
      const edge = (k: number) => [corners[(k + 1) % 4][0] - corners[k][0], corners[(k + 1) % 4][1] - corners[k][1]];
      expect(Math.hypot(...edge(0))).toBeCloseTo(180, 3);
      expect(Math.hypot(...edge(1))).toBeCloseTo(60, 3);
      expect(Math.hypot(...edge(2))).toBeCloseTo(180, 3);
      const [ax, ay] = edge(0);
      const [bx, by] = edge(1);
      // The first edge runs downwind, the second across it.
      expect(windFrame(truth.windFromDeg, ax, ay, 0, 0)[0]).toBeCloseTo(180, 3);
      expect(Math.abs(ax * bx + ay * by)).toBeLessThan(1e-6);
      for (const s of truth.sources) {
        const [e, n] = xy(s.lat, s.lon);
        const fa = ((e - corners[0][0]) * ax + (n - corners[0][1]) * ay) / 180 ** 2;
        const fb = ((e - corners[0][0]) * bx + (n - corners[0][1]) * by) / 60 ** 2;
        expect(fa).toBeGreaterThanOrEqual(-1e-9);
        expect(fa).toBeLessThanOrEqual(1 + 1e-9);
        expect(fb).toBeGreaterThanOrEqual(-1e-9);
        expect(fb).toBeLessThanOrEqual(1 + 1e-9);
      }
      if (truth.sources.length === 2) {
        const [ea, na] = xy(truth.sources[0].lat, truth.sources[0].lon);
        const [eb, nb] = xy(truth.sources[1].lat, truth.sources[1].lon);
        expect(Math.hypot(eb - ea, nb - na)).toBeGreaterThanOrEqual(30 - 1e-6);
      }
    }
  });

  it('a scenario without sources shows no enhancement beyond noise and the few-ppb drift', () => {
    for (const sensor of ['point', 'path'] as const) {
      for (const seed of [11, 12, 13]) {
        const { series, truth } = makeScenario({ ...BASE, seed, sensor, sources: 0, samples: 800 });
        expect(truth.sources).toEqual([]);
        expect(truth.clearPlume).toBe(false);
        expect(truth.expectedPeakEnhancementPpm).toBe(0);
        const sigma = truth.noisePpm;
        let sum = 0;
        for (const v of series.ppm) {
          const d = v - truth.backgroundPpm;
          sum += d;
          // 5σ noise plus the drift bound (4 ppb sinusoid + 1.5 ppb half-trend).
          expect(Math.abs(d)).toBeLessThan(5 * sigma + 0.0055);
        }
        expect(Math.abs(sum / series.ppm.length)).toBeLessThan(0.0055 + (4 * sigma) / Math.sqrt(series.ppm.length));
      }
    }
    // The same check fails for a source that shows: the test can fail.
    const withSource = makeScenario({ ...BASE, sources: 1, rateKgPerHour: 20, samples: 800 });
    expect(withSource.truth.clearPlume).toBe(true);
    const maxDev = Math.max(...Array.from(withSource.series.ppm, (v) => v - withSource.truth.backgroundPpm));
    expect(maxDev).toBeGreaterThan(5 * withSource.truth.noisePpm + 0.0055);
  });

  it('clearPlume is computed from the noiseless mean model as documented', () => {
    const checked = [
      ...SUITE.filter((s) => s.truth.sources.length > 0).slice(0, 60),
      makeScenario({ ...BASE, rateKgPerHour: 1e-4 }),
      makeScenario({ ...BASE, sensor: 'path', sources: 2, rateKgPerHour: 1e-4 }),
      makeScenario({ ...BASE, sensor: 'path', sources: 2, rateKgPerHour: 40, stability: 'F', windSpeedMps: 2 }),
    ];
    let clear = 0;
    let notClear = 0;
    for (const sc of checked) {
      const peaks = recomputePeaks(sc);
      const t = sc.truth;
      expect(t.expectedPeakBySourcePpm.length).toBe(peaks.length);
      for (let k = 0; k < peaks.length; k++) {
        expect(Math.abs(t.expectedPeakBySourcePpm[k] - peaks[k])).toBeLessThanOrEqual(2e-3 * peaks[k] + 1e-12);
      }
      const peak = Math.max(...peaks);
      const threshold = CLEAR_PLUME_SNR * sc.series.sigmaPpm![0];
      // Point rows agree to rounding; path rows to the generator's quadrature tolerance (1e-3).
      expect(Math.abs(t.expectedPeakEnhancementPpm - peak)).toBeLessThanOrEqual(2e-3 * peak);
      expect(t.clearPlume, sc.name).toBe(peak > threshold);
      expect(t.allSourcesClear, sc.name).toBe(peaks.every((p) => p > threshold));
      if (t.clearPlume) clear++;
      else notClear++;
    }
    expect(clear).toBeGreaterThan(5);
    expect(notClear).toBeGreaterThan(1);
    expect(checked.at(-3)!.truth.clearPlume).toBe(false);
    expect(checked.at(-1)!.truth.clearPlume).toBe(true);
  });

  it('allSourcesSeen says whether the realised rows show every plume above the clear threshold', () => {
    let seen = 0;
    let missed = 0;
    for (const sc of SUITE) {
      const t = sc.truth;
      const threshold = CLEAR_PLUME_SNR * t.noisePpm;
      expect(t.realizedPeakBySourcePpm.length).toBe(t.sources.length);
      expect(t.allSourcesSeen, sc.name).toBe(
        t.sources.length > 0 && t.realizedPeakBySourcePpm.every((p) => p > threshold),
      );
      if (t.sources.length !== 1) continue;
      // One source: the data's largest excess over b0 is its realised peak to within 6σ noise and
      // the drift bound (4 ppb sinusoid + 1.5 ppb half-trend).
      const maxExcess = Math.max(...Array.from(sc.series.ppm, (v) => v - t.backgroundPpm));
      const slack = 6 * t.noisePpm + 0.0055;
      if (t.allSourcesSeen) {
        expect(maxExcess, sc.name).toBeGreaterThan(threshold - slack);
        seen++;
      } else {
        expect(maxExcess, sc.name).toBeLessThan(threshold + slack);
        missed++;
      }
    }
    expect(seen).toBeGreaterThan(50);
    expect(missed).toBeGreaterThan(0);
  });

  it('is not the locator model: the realised plume meanders and puffs around the mean model', () => {
    const sc = makeScenario({ ...BASE, rateKgPerHour: 30, samples: 1000, stability: 'C' });
    const { series, truth } = sc;
    const s = truth.sources[0];
    const [se, sn] = xy(s.lat, s.lon);
    const u = transportWindMps(truth.windSpeedMps, s.heightM, truth.stability);
    const logRatios: number[] = [];
    for (let i = 0; i < series.ppm.length; i++) {
      const [e, n] = xy(series.lat[i], series.lon[i]);
      const [x, y] = windFrame(truth.windFromDeg, e, n, se, sn);
      const mean =
        (s.rateKgPerHour / 3600) * plumeKernel(x, y, series.altM[i], s.heightM, u, { stability: 'C' }) * PPM_PER_KG_M3;
      const obs = series.ppm[i] - truth.backgroundPpm;
      if (mean > 50 * truth.noisePpm && obs > 10 * truth.noisePpm) logRatios.push(Math.log(obs / mean));
    }
    expect(logRatios.length).toBeGreaterThan(20);
    const m = logRatios.reduce((a, b) => a + b, 0) / logRatios.length;
    const sd = Math.sqrt(logRatios.reduce((a, b) => a + (b - m) ** 2, 0) / logRatios.length);
    expect(sd).toBeGreaterThan(0.3);
  });

  it('reports the wind it simulated: point rows scatter around the true mean, path rows carry σθ', () => {
    const { series, truth } = makeScenario({ ...BASE, samples: 1000, stability: 'F', windSpeedMps: 5 });
    let su = 0;
    let sv = 0;
    for (let i = 0; i < series.ppm.length; i++) {
      su += series.windU![i];
      sv += series.windV![i];
    }
    const n = series.ppm.length;
    const to = (truth.windFromDeg + 180) * DEG;
    expect(su / n).toBeCloseTo(5 * Math.sin(to), 0);
    expect(sv / n).toBeCloseTo(5 * Math.cos(to), 0);
    // 1-s sensor noise: neighbouring samples differ by about √2·0.2 m/s (the meander adds little).
    let d2 = 0;
    for (let i = 1; i < n; i++) d2 += (series.windU![i] - series.windU![i - 1]) ** 2;
    expect(Math.sqrt(d2 / (n - 1))).toBeGreaterThan(0.2);
    expect(Math.sqrt(d2 / (n - 1))).toBeLessThan(0.45);
    const path = makeScenario({ ...BASE, sensor: 'path', stability: 'A', windSpeedMps: 2, samples: 400 }).series;
    const stds = Array.from(path.windDirStdDeg!);
    expect(Math.max(...stds)).toBeGreaterThan(1);
  });

  it('rejects bad options with PT_ERR_BAD_REQUEST naming the field', () => {
    const cases: [Partial<ScenarioOptions>, string][] = [
      [{ samples: 0 }, 'samples'],
      [{ samples: 2.5 }, 'samples'],
      [{ windSpeedMps: 0 }, 'windSpeedMps'],
      [{ stability: 'G' as never }, 'stability'],
      [{ sensor: 'radar' as never }, 'sensor'],
      [{ sources: 3 as never }, 'sources'],
      [{ seed: Number.NaN }, 'seed'],
    ];
    for (const [patch, field] of cases) {
      expect(() => makeScenario({ ...BASE, ...patch })).toThrow(
        expect.objectContaining({ code: 'PT_ERR_BAD_REQUEST' }),
      );
      expect(() => makeScenario({ ...BASE, ...patch })).toThrow(field);
    }
  });
});

describe('scenarioSuite', () => {
  it('covers classes A–F, both sensors, 0/1/2 sources (~10% none), 10–1000 samples, wind 1–8 m/s', () => {
    expect(SUITE.length).toBe(200);
    const classes = new Set(SUITE.map((s) => s.truth.stability));
    expect([...classes].sort()).toEqual([...STABILITY_CLASSES]);
    for (const c of STABILITY_CLASSES) {
      const ofClass = SUITE.filter((s) => s.truth.stability === c);
      expect(new Set(ofClass.map((s) => s.truth.sensor)).size, `class ${c} sensors`).toBe(2);
    }
    const sensors = SUITE.map((s) => s.truth.sensor);
    expect(sensors.filter((s) => s === 'point').length).toBe(100);
    expect(sensors.filter((s) => s === 'path').length).toBe(100);
    const counts = [0, 1, 2].map((k) => SUITE.filter((s) => s.truth.sources.length === k).length);
    expect(counts).toEqual([20, 120, 60]);
    const samples = SUITE.map((s) => s.truth.sampleCount);
    expect(Math.min(...samples)).toBeLessThanOrEqual(20);
    expect(Math.max(...samples)).toBeGreaterThanOrEqual(900);
    expect(Math.min(...samples)).toBeGreaterThanOrEqual(10);
    expect(Math.max(...samples)).toBeLessThanOrEqual(1000);
    for (const sensor of ['point', 'path'] as const) {
      const ofSensor = SUITE.filter((s) => s.truth.sensor === sensor).map((s) => s.truth.sampleCount);
      expect(Math.min(...ofSensor), sensor).toBeLessThanOrEqual(40);
      expect(Math.max(...ofSensor), sensor).toBeGreaterThanOrEqual(500);
    }
    const winds = SUITE.map((s) => s.truth.windSpeedMps);
    expect(Math.min(...winds)).toBeGreaterThanOrEqual(1);
    expect(Math.max(...winds)).toBeLessThanOrEqual(8);
    expect(Math.min(...winds)).toBeLessThan(1.5);
    expect(Math.max(...winds)).toBeGreaterThan(7);
    // Rows carry the truth's sample count and non-decreasing times; names are unique.
    for (const s of SUITE) {
      expect(s.series.ppm.length).toBe(s.truth.sampleCount);
      for (let i = 1; i < s.series.timeMs.length; i++) {
        expect(s.series.timeMs[i]).toBeGreaterThanOrEqual(s.series.timeMs[i - 1]);
      }
    }
    expect(new Set(SUITE.map((s) => s.name)).size).toBe(200);
    // Neither trivial nor hopeless: most, not all, scenarios with sources have a clear plume.
    const withSources = SUITE.filter((s) => s.truth.sources.length > 0);
    const clear = withSources.filter((s) => s.truth.clearPlume).length;
    expect(clear / withSources.length).toBeGreaterThan(0.5);
    expect(clear / withSources.length).toBeLessThan(0.98);
  });
});
