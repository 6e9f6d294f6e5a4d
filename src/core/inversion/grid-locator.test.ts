import { describe, expect, it } from 'vitest';
import { Rng } from '../random.ts';
import { plumeKernel, windAtHeight } from '../dispersion/index.ts';
import type { PlumetraceError } from '../errors.ts';
import { distanceM, localFrame } from '../geo/local-frame.ts';
import type { InSituSeries } from '../types.ts';
import { kgPerM3ToPpm } from '../units.ts';
import { locateGridLsq } from './grid-locator.ts';

/** Crosswind transects downwind of a source, modelled with the same plume the locator uses. */
function transects(opts: {
  rateKgPerHour: number;
  noisePpm: number;
  seed: number;
  toDeg?: number;
  heightM?: number;
}): InSituSeries {
  const frame = localFrame(51.15, -1.44);
  const toDeg = opts.toDeg ?? 60;
  const th = (toDeg * Math.PI) / 180;
  const [ex, ey] = [Math.sin(th), Math.cos(th)];
  const h = opts.heightM ?? 2;
  const u10 = 4;
  const rng = new Rng(opts.seed);
  const rows: number[][] = [];
  for (const down of [40, 80, 120, 160]) {
    for (let cross = -100; cross <= 100; cross += 4) {
      const x = down * ex + cross * ey;
      const y = down * ey - cross * ex;
      const k = plumeKernel(down, cross, 2, h, windAtHeight(u10, 10, Math.max(h, 1), 'D'), { stability: 'D' });
      const ppm = 1.9 + (k * kgPerM3ToPpm(1, 'CH4') * opts.rateKgPerHour) / 3600 + opts.noisePpm * rng.normal();
      rows.push([x, y, ppm]);
    }
  }
  const n = rows.length;
  const s: InSituSeries = {
    gas: 'CH4',
    timeMs: Float64Array.from(rows, (_, i) => 1e12 + i * 1000),
    lat: new Float64Array(n),
    lon: new Float64Array(n),
    altM: new Float64Array(n).fill(2),
    ppm: Float64Array.from(rows, (r) => r[2]),
    windU: new Float64Array(n).fill(u10 * ex),
    windV: new Float64Array(n).fill(u10 * ey),
  };
  rows.forEach(([x, y], i) => {
    [s.lat[i], s.lon[i]] = frame.toLatLon(x, y);
  });
  return s;
}

describe('grid least-squares locator', () => {
  it('recovers position, height and rate exactly from noiseless samples of its own model', () => {
    const r = locateGridLsq(transects({ rateKgPerHour: 10, noisePpm: 0, seed: 1 }));
    expect(r.sources).toHaveLength(1);
    const [s] = r.sources;
    expect(distanceM(s.lat, s.lon, 51.15, -1.44)).toBeLessThan(1);
    expect(s.heightM).toBe(2);
    expect(s.rateKgPerHour).toBeCloseTo(10, 1);
    expect(r.backgroundPpm).toBeCloseTo(1.9, 3);
    expect(r.windToDeg).toBeCloseTo(60, 6);
    expect(r.windSpeedMps).toBeCloseTo(4, 9);
  });

  it('with sensor noise, lands within 20 m and its rate sigma is of the size of the actual error', () => {
    const errors: number[] = [];
    for (let seed = 1; seed <= 8; seed++) {
      const r = locateGridLsq(transects({ rateKgPerHour: 5, noisePpm: 0.05, seed, toDeg: 200 }));
      expect(r.sources).toHaveLength(1);
      const [s] = r.sources;
      expect(distanceM(s.lat, s.lon, 51.15, -1.44)).toBeLessThan(20);
      errors.push((s.rateKgPerHour - 5) / s.rateSigmaKgPerHour);
    }
    // Standardised errors: none beyond 4 sigma, RMS between 0.3 and 3 (sigma neither tiny nor huge).
    const rms = Math.sqrt(errors.reduce((a, e) => a + e * e, 0) / errors.length);
    expect(Math.max(...errors.map(Math.abs))).toBeLessThan(4);
    expect(rms).toBeGreaterThan(0.3);
    expect(rms).toBeLessThan(3);
  });

  it('reports no source when there is only noise', () => {
    // The best of thousands of candidates fits noise at about 2.5–3.1 sigma (seeds 1–6); the
    // default threshold of 5 sigma must reject every one of these.
    for (let seed = 1; seed <= 6; seed++) {
      const r = locateGridLsq(transects({ rateKgPerHour: 0, noisePpm: 0.05, seed }), { coarseCells: 24 });
      expect(r.sources).toHaveLength(0);
      expect(r.backgroundPpm).toBeCloseTo(1.9, 1);
    }
  });

  it('errors clearly on all-NaN concentrations and on missing wind', () => {
    const s = transects({ rateKgPerHour: 1, noisePpm: 0, seed: 1 });
    const code = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return (e as PlumetraceError).code;
      }
      return 'none';
    };
    expect(code(() => locateGridLsq({ ...s, ppm: s.ppm.map(() => Number.NaN) }))).toBe('PT_ERR_TOO_FEW_SAMPLES');
    expect(code(() => locateGridLsq({ ...s, windU: undefined, windV: undefined }))).toBe('PT_ERR_NO_WIND');
    const withFlags = locateGridLsq({ ...s, windU: undefined, windV: undefined }, { windSpeedMps: 4, windToDeg: 60 });
    expect(withFlags.sources).toHaveLength(1);
  });
});
