import { describe, expect, it } from 'vitest';
import { Rng } from '../random.ts';
import { type InSituSeries, SAMPLE_KIND_PATH } from '../types.ts';
import { averagingTimeFactor } from '../dispersion/index.ts';
import {
  MIN_PIECES_PER_CHANNEL,
  TRACKED_SPREAD_S,
  hyperGrid,
  independentFraction,
  kernelContext,
  kernelRows,
} from './likelihood.ts';
import { prepareObservations } from './observations.ts';

const T0 = Date.UTC(2026, 5, 1, 10);

/** n values of g(i). */
const arr = (n: number, g: (i: number) => number) => Float64Array.from({ length: n }, (_, i) => g(i));

/** A drone's 1-Hz point record of n rows (wind 3 m/s toward east), ppm from `ppmAt`. */
function pointRecord(n: number, ppmAt: (i: number) => number): InSituSeries {
  const f = (g: (i: number) => number) => arr(n, g);
  return {
    gas: 'CH4',
    timeMs: f((i) => T0 + i * 1000),
    lat: f(() => 51.15),
    lon: f((i) => -1.44 + i * 5e-5),
    altM: f(() => 3),
    ppm: f(ppmAt),
    windU: f(() => 3),
    windV: f(() => 0),
  };
}

describe('hyperGrid noise scale', () => {
  it('measures the noise, not a plume that fills up to half of a short record', () => {
    const rng = new Rng(5);
    const sigma = 0.02;
    // 21 samples; a plume of 7 ppm peak over the middle 9, crossed in 9 s.
    const plume = (i: number) => 7 * Math.exp(-(((i - 10) / 2.5) ** 2));
    const s = pointRecord(21, (i) => 1.95 + plume(i) + sigma * rng.normal());
    const h = hyperGrid(prepareObservations(s));
    // The lower quartile of |successive differences| holds the noise within a factor of 2 (the
    // median of them, the former estimate, is on the plume: several ppm).
    expect(h.noiseScalePpm).toBeGreaterThan(sigma / 2);
    expect(h.noiseScalePpm).toBeLessThan(2 * sigma);
  });

  it('is the noise of a record without a plume (within 15% for 2,000 samples)', () => {
    const rng = new Rng(9);
    const s = pointRecord(2000, () => 1.95 + 0.03 * rng.normal());
    expect(hyperGrid(prepareObservations(s)).noiseScalePpm).toBeCloseTo(0.03, 2);
  });
});

describe('independentFraction', () => {
  it('one piece per minute and channel, at least MIN_PIECES_PER_CHANNEL, at least 0.1 of the rows', () => {
    expect(MIN_PIECES_PER_CHANNEL).toBe(8);
    // A 20-s crossing: 8 pieces of 20 rows.
    expect(independentFraction(prepareObservations(pointRecord(20, () => 2)))).toBeCloseTo(8 / 20, 12);
    // Seven rows: all of them.
    expect(independentFraction(prepareObservations(pointRecord(7, () => 2)))).toBe(1);
    // Ten minutes at 1 Hz: 10 pieces of 600 rows, floored at 0.1.
    expect(independentFraction(prepareObservations(pointRecord(600, () => 2)))).toBeCloseTo(0.1, 12);
  });

  it('counts every beam-minute of a path network (a channel per beam)', () => {
    const beams = 4;
    const minutes = 6;
    const n = beams * minutes;
    const f = (g: (i: number) => number) => arr(n, g);
    const s: InSituSeries = {
      gas: 'CH4',
      timeMs: f((i) => T0 + Math.floor(i / beams) * 60_000),
      lat: f(() => 51.15),
      lon: f(() => -1.44),
      altM: f(() => 1.5),
      ppm: f(() => 2),
      windU: f(() => 3),
      windV: f(() => 0),
      kind: Uint8Array.from({ length: n }, () => SAMPLE_KIND_PATH),
      lat2: f((i) => 51.15 + ((i % beams) + 1) * 2e-4),
      lon2: f((i) => -1.44 + (i % beams) * 3e-4),
      alt2M: f(() => 1.5),
      averagingS: f(() => 60),
    };
    expect(independentFraction(prepareObservations(s))).toBe(1);
  });
});

describe('kernelRows and the wind track', () => {
  it('carries the plume with the wind of the travel time earlier', () => {
    // A fixed receptor 50 m north of a ground source; wind 5 m/s toward north until t = 100 s, then
    // toward east. Rows every 10 s, already 60-s means (used as they are, not smoothed). The travel
    // time is 10 s: the row at t = 100 s still sees the northward plume that left at 90 s; the row at
    // 120 s sees the plume of 110 s, blown east, past the receptor.
    const n = 21;
    const f = (g: (i: number) => number) => arr(n, g);
    const turned = (i: number) => i * 10 >= 100;
    const s: InSituSeries = {
      gas: 'CH4',
      timeMs: f((i) => T0 + i * 10_000),
      lat: f(() => 51.15),
      lon: f(() => -1.44),
      altM: f(() => 1),
      ppm: f(() => 2),
      windU: f((i) => (turned(i) ? 5 : 0)),
      windV: f((i) => (turned(i) ? 0 : 5)),
      averagingS: f(() => 60),
    };
    const obs = prepareObservations(s);
    expect(obs.windTrack?.stepS).toBe(1);
    const kc = kernelContext(obs, 'CH4', 'D', 'rural', s.averagingS);
    const k = new Float64Array(n);
    kernelRows(kc, { x: 0, y: -50, h: 0 }, 0, k);
    expect(k[5]).toBeGreaterThan(0);
    // t = 100 s: the row's own wind points east, the plume it sees left at 90 s heading north.
    expect(k[10]).toBeCloseTo(k[5], 12);
    // t = 120 s and later: the plume left after the turn.
    for (let i = 12; i < n; i++) expect(k[i]).toBe(0);
    // Without the track (the row's own wind), the turn would show at once.
    const still = { ...obs, windTrack: undefined };
    kernelRows(kernelContext(still, 'CH4', 'D', 'rural', s.averagingS), { x: 0, y: -50, h: 0 }, 0, k);
    expect(k[10]).toBe(0);
  });
});

describe('kernelContext: the plume spread per row', () => {
  it('1-s samples under a wind track take the TRACKED_SPREAD_S spread; minute means theirs; rows without an averaging time or a track the 10-minute one', () => {
    expect(TRACKED_SPREAD_S).toBe(200);
    const s = pointRecord(120, () => 2);
    // Rows 0–59: 1-s samples; 60–89: 60-s means; 90–119: no averaging time.
    s.averagingS = arr(120, (i) => (i < 60 ? 1 : i < 90 ? 60 : Number.NaN));
    const obs = prepareObservations(s);
    expect(obs.windTrack).toBeDefined();
    const kc = kernelContext(obs, 'CH4', 'D', 'rural', s.averagingS);
    const f200 = (200 / 600) ** 0.2;
    expect(averagingTimeFactor(TRACKED_SPREAD_S)).toBeCloseTo(f200, 12);
    for (let r = 0; r < obs.n; r++) {
      const t = s.averagingS[obs.rowIndex[r]];
      if (t === 1) {
        expect(kc.avgFactor[r]).toBeCloseTo(f200, 12);
        expect(kc.tracked[r]).toBe(1);
      } else {
        expect(kc.avgFactor[r]).toBeCloseTo(t === 60 ? 0.1 ** 0.2 : 1, 12);
        expect(kc.tracked[r]).toBe(0);
      }
    }
    // Without a wind track (a wind given for the whole survey) the 1-s rows keep the 10-minute spread.
    const still = kernelContext({ ...obs, windTrack: undefined }, 'CH4', 'D', 'rural', s.averagingS);
    expect(Math.max(...still.avgFactor.subarray(0, 60))).toBe(1);
    expect(still.tracked.every((v) => v === 0)).toBe(true);
  });
});
