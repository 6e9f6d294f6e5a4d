import { describe, expect, it } from 'vitest';
import { plumeKernel, transportWindMps } from '../core/dispersion/index.ts';
import { PlumetraceError } from '../core/errors.ts';
import { localFrame } from '../core/geo/local-frame.ts';
import { kgPerM3ToPpm } from '../core/units.ts';
import { type InSituSurveyConfig, simulateInSituSurvey, surveyToCsv } from './insitu-survey.ts';

const BASE: InSituSurveyConfig = {
  seed: 20260509,
  source: { lat: 51.1445, lon: -1.4373, heightM: 1, rateKgPerHour: 5 },
  windSpeedMps: 3.5,
  windToDeg: 60,
  stability: 'D',
};

/** The noiseless model at each sample, computed independently of the simulator from lat/lon. */
function noiselessEnhancementPpm(cfg: InSituSurveyConfig, lat: Float64Array, lon: Float64Array): Float64Array {
  const frame = localFrame(cfg.source.lat, cfg.source.lon);
  const th = (cfg.windToDeg * Math.PI) / 180;
  const u = transportWindMps(cfg.windSpeedMps, cfg.source.heightM, cfg.stability);
  const out = new Float64Array(lat.length);
  for (let i = 0; i < lat.length; i++) {
    const [e, n] = frame.toXY(lat[i], lon[i]);
    const along = e * Math.sin(th) + n * Math.cos(th);
    const cross = e * Math.cos(th) - n * Math.sin(th);
    const c = plumeKernel(along, cross, cfg.altitudeM ?? 2, cfg.source.heightM, u, { stability: cfg.stability });
    out[i] = kgPerM3ToPpm((c * cfg.source.rateKgPerHour) / 3600, cfg.gas ?? 'CH4');
  }
  return out;
}

function meanSd(xs: ArrayLike<number>): { mean: number; sd: number } {
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i];
  const mean = s / xs.length;
  let v = 0;
  for (let i = 0; i < xs.length; i++) v += (xs[i] - mean) ** 2;
  return { mean, sd: Math.sqrt(v / (xs.length - 1)) };
}

describe('simulateInSituSurvey', () => {
  const survey = simulateInSituSurvey(BASE);
  const { series, truth } = survey;

  it('is reproducible: same seed, identical output; another seed, different noise', () => {
    const again = simulateInSituSurvey(BASE);
    expect(surveyToCsv(again.series)).toBe(surveyToCsv(series));
    expect(again.truth).toEqual(truth);
    const other = simulateInSituSurvey({ ...BASE, seed: BASE.seed + 1 });
    expect(other.series.lat).toEqual(series.lat); // same flight
    expect(other.series.ppm).not.toEqual(series.ppm);
    expect(other.series.windU).not.toEqual(series.windU);
  });

  it('flies the default plan: 5 crosswind transects ±120 m at 40..200 m downwind, 1 Hz at 4 m/s', () => {
    expect(truth.sampleCount).toBe(series.ppm.length);
    // 5 transects of 240 m + 4 legs of 40 m = 1360 m at 4 m per sample → 341 samples.
    expect(truth.sampleCount).toBe(341);
    expect(truth.transects.map((t) => t.downwindM)).toEqual([40, 80, 120, 160, 200]);
    const frame = localFrame(BASE.source.lat, BASE.source.lon);
    const th = (BASE.windToDeg * Math.PI) / 180;
    for (const t of truth.transects) {
      for (let i = t.startIndex; i <= t.endIndex; i++) {
        const [e, n] = frame.toXY(series.lat[i], series.lon[i]);
        expect(e * Math.sin(th) + n * Math.cos(th)).toBeCloseTo(t.downwindM, 4);
        expect(Math.abs(e * Math.cos(th) - n * Math.sin(th))).toBeLessThanOrEqual(120 + 1e-4);
      }
      expect(t.endIndex - t.startIndex).toBe(60);
    }
    for (let i = 1; i < series.ppm.length; i++) {
      expect(series.timeMs[i] - series.timeMs[i - 1]).toBe(1000);
      const [e0, n0] = frame.toXY(series.lat[i - 1], series.lon[i - 1]);
      const [e1, n1] = frame.toXY(series.lat[i], series.lon[i]);
      expect(Math.hypot(e1 - e0, n1 - n0)).toBeCloseTo(4, 4); // straight legs, corners on sample points
    }
    expect(series.timeMs[0]).toBe(Date.parse('2026-05-09T10:00:00Z'));
    expect(series.altM.every((a) => a === 2)).toBe(true);
    expect(series.gas).toBe('CH4');
  });

  it('peak on the nearest transect is within 5 % of the noiseless model', () => {
    const model = noiselessEnhancementPpm(BASE, series.lat, series.lon);
    const t = truth.transects[0];
    let obsPeak = Number.NEGATIVE_INFINITY;
    let modelPeak = Number.NEGATIVE_INFINITY;
    for (let i = t.startIndex; i <= t.endIndex; i++) {
      obsPeak = Math.max(obsPeak, series.ppm[i] - truth.backgroundPpm);
      modelPeak = Math.max(modelPeak, model[i]);
    }
    expect(modelPeak).toBeGreaterThan(1); // a clear plume, well above the 0.02 ppm noise
    expect(Math.abs(obsPeak / modelPeak - 1)).toBeLessThan(0.05);
  });

  it('noise of far-off-plume samples has sd ≈ sensorNoisePpm (15 %) and mean ≈ background', () => {
    const model = noiselessEnhancementPpm(BASE, series.lat, series.lon);
    const off: number[] = [];
    for (let i = 0; i < model.length; i++) if (model[i] < 1e-6) off.push(series.ppm[i] - truth.backgroundPpm);
    expect(off.length).toBeGreaterThan(150);
    const { mean, sd } = meanSd(off);
    expect(Math.abs(sd / 0.02 - 1)).toBeLessThan(0.15);
    expect(Math.abs(mean)).toBeLessThan((4 * 0.02) / Math.sqrt(off.length));
  });

  it('reported wind averages to the true 10 m wind, with the stated noise', () => {
    const th = (BASE.windToDeg * Math.PI) / 180;
    const u = meanSd(series.windU!);
    const v = meanSd(series.windV!);
    const se = 0.3 / Math.sqrt(series.ppm.length);
    expect(truth.windUMps).toBeCloseTo(3.5 * Math.sin(th), 12);
    expect(truth.windVMps).toBeCloseTo(3.5 * Math.cos(th), 12);
    expect(Math.abs(u.mean - truth.windUMps)).toBeLessThan(4 * se);
    expect(Math.abs(v.mean - truth.windVMps)).toBeLessThan(4 * se);
    expect(Math.abs(u.sd / 0.3 - 1)).toBeLessThan(0.15);
    expect(Math.abs(v.sd / 0.3 - 1)).toBeLessThan(0.15);
  });

  it('with zero noise reproduces the model exactly', () => {
    const cfg = { ...BASE, sensorNoisePpm: 0, windNoiseMps: 0 };
    const s = simulateInSituSurvey(cfg);
    const model = noiselessEnhancementPpm(cfg, s.series.lat, s.series.lon);
    for (let i = 0; i < model.length; i++) {
      expect(s.series.ppm[i] - 1.95).toBeCloseTo(model[i], 6);
      expect(s.series.windU![i]).toBe(s.truth.windUMps);
    }
  });

  it('echoes the resolved configuration in the truth', () => {
    expect(truth).toMatchObject({
      seed: BASE.seed,
      source: BASE.source,
      gas: 'CH4',
      windSpeedMps: 3.5,
      windToDeg: 60,
      stability: 'D',
      terrain: 'rural',
      scheme: 'briggs',
      backgroundPpm: 1.95,
      sensorNoisePpm: 0.02,
      windNoiseMps: 0.3,
      transectHalfWidthM: 120,
      altitudeM: 2,
      speedMps: 4,
      startTime: '2026-05-09T10:00:00Z',
      sampleCount: 341,
    });
    expect(truth.modelVersion).toMatch(/^plumetrace-sim-insitu\//);
    expect(truth.note).toMatch(/Gaussian plume/);
  });

  it('rejects bad configurations with PT_ERR_BAD_REQUEST naming the field', () => {
    const cases: [Partial<InSituSurveyConfig>, RegExp][] = [
      [{ windSpeedMps: 0 }, /windSpeedMps/],
      [{ stability: 'Q' as never }, /stability/],
      [{ gas: 'XE' }, /gas/],
      [{ transectDistancesM: [] }, /transectDistancesM/],
      [{ transectDistancesM: [40, -1] }, /transectDistancesM\[1\]/],
      [{ source: { ...BASE.source, rateKgPerHour: Number.NaN } }, /source\.rateKgPerHour/],
      [{ startTime: 'yesterday' }, /startTime/],
      [{ speedMps: 0 }, /speedMps/],
    ];
    for (const [patch, field] of cases) {
      const run = () => simulateInSituSurvey({ ...BASE, ...patch });
      expect(run).toThrow(PlumetraceError);
      expect(run).toThrow(field);
    }
  });
});

describe('surveyToCsv', () => {
  it('writes the header, ISO times with ms, 7-decimal lat/lon and one row per sample', () => {
    const s = simulateInSituSurvey({ ...BASE, gas: 'co2', backgroundPpm: 420 });
    const lines = surveyToCsv(s.series).split('\n');
    expect(lines[0]).toBe('time,lat,lon,alt_m,ppm,wind_u,wind_v,sigma_ppm,gas');
    expect(lines.at(-1)).toBe('');
    expect(lines.length).toBe(s.truth.sampleCount + 2);
    const first = lines[1].split(',');
    expect(first[0]).toBe('2026-05-09T10:00:00.000Z');
    expect(first[1]).toMatch(/^-?\d+\.\d{7}$/);
    expect(first[2]).toMatch(/^-?\d+\.\d{7}$/);
    expect(Number(first[1])).toBeCloseTo(s.series.lat[0], 7);
    expect(Number(first[4])).toBeCloseTo(s.series.ppm[0], 5);
    expect(first[8]).toBe('CO2');
  });

  it('leaves missing values empty', () => {
    const s = simulateInSituSurvey(BASE).series;
    const row = surveyToCsv({ ...s, windU: undefined, windV: undefined, sigmaPpm: undefined }).split('\n')[1];
    expect(row.split(',').slice(5, 8)).toEqual(['', '', '']);
    const nan = surveyToCsv({ ...s, ppm: s.ppm.map(() => Number.NaN) }).split('\n')[1];
    expect(nan.split(',')[4]).toBe('');
  });
});
