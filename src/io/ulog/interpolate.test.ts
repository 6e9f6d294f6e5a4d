import { describe, expect, it } from 'vitest';
import { INTERP_AFTER, INTERP_BEFORE, INTERP_GAP, INTERP_OK, interpolateLinear } from './interpolate.ts';

const f64 = (a: number[]) => Float64Array.from(a);

describe('interpolateLinear', () => {
  it('interpolates inside, is exact at the samples, and marks queries before, after and in gaps', () => {
    const t = f64([0, 1, 2, 10, 11]);
    const v = f64([0, 10, 30, 40, 50]);
    const r = interpolateLinear(t, [v], f64([-1, 0, 0.25, 1.5, 2, 5, 10.5, 11, 12]), { maxGap: 3 });
    expect(Array.from(r.status)).toEqual([
      INTERP_BEFORE,
      INTERP_OK,
      INTERP_OK,
      INTERP_OK,
      INTERP_OK,
      INTERP_GAP,
      INTERP_OK,
      INTERP_OK,
      INTERP_AFTER,
    ]);
    const got = Array.from(r.values[0]);
    expect(got.slice(1, 5)).toEqual([0, 2.5, 20, 30]);
    expect(got.slice(6, 8)).toEqual([45, 50]);
    expect([got[0], got[5], got[8]].every(Number.isNaN)).toBe(true);
  });

  it('takes the later of two samples at the same time, and handles a single sample', () => {
    const r = interpolateLinear(f64([0, 1, 1, 2]), [f64([0, 5, 7, 9])], f64([1, 1.5]));
    expect(Array.from(r.values[0])).toEqual([7, 8]);
    const one = interpolateLinear(f64([3]), [f64([4])], f64([3, 2.9]));
    expect(one.values[0][0]).toBe(4);
    expect(one.status[1]).toBe(INTERP_BEFORE);
    const none = interpolateLinear(f64([]), [f64([])], f64([1]));
    expect(none.status[0]).toBe(INTERP_BEFORE);
  });

  it('interpolates longitude the short way across the antimeridian', () => {
    const r = interpolateLinear(f64([0, 1]), [f64([179.9, -179.9]), f64([179.9, -179.9])], f64([0.25, 0.75]), {
      longitudeColumns: [0],
    });
    expect(r.values[0][0]).toBeCloseTo(179.95, 9);
    expect(r.values[0][1]).toBeCloseTo(-179.95, 9);
    // A plain column goes the long way, as numbers do.
    expect(r.values[1][0]).toBeCloseTo(89.95, 9);
  });
});
