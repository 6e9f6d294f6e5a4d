import { describe, expect, it } from 'vitest';
import { PlumetraceError } from './errors.ts';
import { createRng, Rng } from './random.ts';

function draws(seed: number, n: number): number[] {
  const r = new Rng(seed);
  return Array.from({ length: n }, () => r.uint32());
}

describe('Rng', () => {
  it('is deterministic per seed and differs between seeds (including seeds beyond 2^32)', () => {
    expect(draws(42, 16)).toEqual(draws(42, 16));
    expect(draws(42, 16)).not.toEqual(draws(43, 16));
    expect(draws(0, 16)).not.toEqual(draws(2 ** 32, 16));
    expect(draws(-1, 16)).not.toEqual(draws(1, 16));
    expect(createRng(7).uniform()).toBe(new Rng(7).uniform());
  });

  it('gives uniforms in [0, 1) with mean 1/2 and variance 1/12', () => {
    const r = new Rng(1);
    const n = 200_000;
    let s = 0;
    let s2 = 0;
    let min = 1;
    let max = 0;
    for (let i = 0; i < n; i++) {
      const u = r.uniform();
      s += u;
      s2 += u * u;
      min = Math.min(min, u);
      max = Math.max(max, u);
    }
    const mean = s / n;
    expect(min).toBeGreaterThanOrEqual(0);
    expect(max).toBeLessThan(1);
    // Standard error of the mean: sqrt(1/12/n) ≈ 6.5e-4; allow 5 of them.
    expect(Math.abs(mean - 0.5)).toBeLessThan(3.3e-3);
    expect(Math.abs(s2 / n - mean * mean - 1 / 12)).toBeLessThan(2e-3);
  });

  it('gives normals with the asked mean and sd, and Gaussian tails', () => {
    const r = new Rng(2);
    const n = 200_000;
    const x = r.fillNormal(new Float64Array(n), 3, 2);
    let s = 0;
    let s2 = 0;
    let beyond2 = 0;
    for (const v of x) {
      s += v;
      s2 += v * v;
      if (Math.abs(v - 3) > 4) beyond2++;
    }
    const mean = s / n;
    const sd = Math.sqrt(s2 / n - mean * mean);
    expect(Math.abs(mean - 3)).toBeLessThan(0.025); // 5 standard errors (2/sqrt(n) ≈ 0.0045)
    expect(Math.abs(sd / 2 - 1)).toBeLessThan(0.01);
    // P(|z| > 2) = 0.0455; binomial sd ≈ 0.00047.
    expect(Math.abs(beyond2 / n - 0.0455)).toBeLessThan(0.0025);
  });

  it('int(n) covers [0, n) evenly', () => {
    const r = new Rng(3);
    const counts = new Array(6).fill(0);
    for (let i = 0; i < 60_000; i++) counts[r.int(6)]++;
    for (const c of counts) expect(Math.abs(c - 10_000)).toBeLessThan(500);
  });

  it('rejects a non-finite seed', () => {
    expect(() => new Rng(Number.NaN)).toThrow(PlumetraceError);
  });
});
