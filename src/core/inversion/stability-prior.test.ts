import { describe, expect, it } from 'vitest';
import type { InSituSeries } from '../types.ts';
import { SIGMA_A_WINDOW_S, sigmaA15, stabilityPrior } from './stability-prior.ts';

const DEG = Math.PI / 180;
const T0 = Date.parse('2026-06-01T12:00:00Z');

/** Minute rows (one per minute) with the given wind directions (toward, degrees) and σθ (degrees). */
function minuteRows(dirsDeg: number[], sigmaThetaDeg: number[] | number, speed = 3): InSituSeries {
  const n = dirsDeg.length;
  const f = (g: (i: number) => number) => Float64Array.from({ length: n }, (_, i) => g(i));
  return {
    gas: 'CH4',
    timeMs: f((i) => T0 + i * 60_000),
    lat: f(() => 51.15),
    lon: f(() => -1.44),
    altM: f(() => 2),
    ppm: f(() => 2),
    windU: f((i) => speed * Math.sin(dirsDeg[i] * DEG)),
    windV: f((i) => speed * Math.cos(dirsDeg[i] * DEG)),
    windDirStdDeg: f((i) => (Array.isArray(sigmaThetaDeg) ? sigmaThetaDeg[i] : sigmaThetaDeg)),
    averagingS: f(() => 60),
  };
}

describe('sigmaA15: σA over 15-minute windows (EPA-454/R-99-005)', () => {
  it('is the rows’ σθ when the mean direction does not move', () => {
    expect(sigmaA15(minuteRows(Array(10).fill(200), 10))).toBeCloseTo(10, 10);
    // Root mean square of the within-minute values, not their mean.
    expect(sigmaA15(minuteRows([200, 200, 200, 200], [6, 8, 6, 8]))).toBeCloseTo(Math.sqrt(50), 10);
  });

  it('adds the swings of the minute-mean direction within a window', () => {
    // Directions alternating ±25° about 200°: mean resultant length R = cos 25°, variance −2 ln R.
    const dirs = Array.from({ length: 10 }, (_, i) => 200 + (i % 2 ? 25 : -25));
    const between = -2 * Math.log(Math.cos(25 * DEG)) * (180 / Math.PI) ** 2;
    expect(sigmaA15(minuteRows(dirs, 10))).toBeCloseTo(Math.sqrt(100 + between), 9);
    expect(Math.sqrt(100 + between)).toBeCloseTo(27.31, 2);
    // Across north (350° and 10°) the same as about any other bearing.
    const north = Array.from({ length: 10 }, (_, i) => (i % 2 ? 25 : 335));
    expect(sigmaA15(minuteRows(north, 10))).toBeCloseTo(Math.sqrt(100 + between), 9);
  });

  it('is the root mean square over the windows; swings between windows do not count', () => {
    const perWindow = SIGMA_A_WINDOW_S / 60;
    // First window steady at 90° with σθ 6°, the second steady at 180° with σθ 8°.
    const dirs = [...Array(perWindow).fill(90), ...Array(perWindow).fill(180)];
    const st = [...Array(perWindow).fill(6), ...Array(perWindow).fill(8)];
    expect(sigmaA15(minuteRows(dirs, st))).toBeCloseTo(Math.sqrt((36 + 64) / 2), 9);
  });

  it('is NaN when too few rows carry σθ and wind', () => {
    expect(sigmaA15(minuteRows([200, 200], 10))).toBeNaN();
    const s = minuteRows(Array(6).fill(200), [10, Number.NaN, Number.NaN, Number.NaN, Number.NaN, 10]);
    expect(sigmaA15(s)).toBeNaN();
    const { windDirStdDeg: _, ...noSigma } = minuteRows(Array(6).fill(200), 10);
    expect(sigmaA15(noSigma)).toBeNaN();
  });
});

describe('stabilityPrior', () => {
  it('puts 0.6 on the σA class and 0.2 on each neighbour (renormalised at the ends)', () => {
    const d = stabilityPrior(minuteRows(Array(10).fill(200), 10), 3);
    expect(d.prior).toEqual({ C: 0.2, D: 0.6, E: 0.2 });
    expect(d.basis).toMatch(/sigma-A 10\.0°/);
    // Minute σθ of 10° (class D by itself) with ±25° swings between minutes: σA 27° → class A.
    const swings = Array.from({ length: 10 }, (_, i) => 200 + (i % 2 ? 25 : -25));
    const a = stabilityPrior(minuteRows(swings, 10), 3);
    expect(a.prior.A).toBeCloseTo(0.75, 12);
    expect(a.prior.B).toBeCloseTo(0.25, 12);
  });

  it("falls back to Turner's table without σθ", () => {
    const { windDirStdDeg: _, ...noSigma } = minuteRows(Array(10).fill(200), 10);
    expect(stabilityPrior(noSigma, 3).basis).toMatch(/^Turner's table/);
  });
});
