import { describe, expect, it } from 'vitest';
import { PlumetraceError } from '../errors.ts';
import { Rng } from '../random.ts';
import { localNoise, plumeMask } from './plumes.ts';

const N = 128;

/** White noise with σ (ppm·m) from `sigmaAt(line, sample)`. */
function noiseField(
  seed: number,
  lines: number,
  samples: number,
  sigmaAt: (l: number, s: number) => number,
): Float64Array {
  const rng = new Rng(seed);
  const out = new Float64Array(lines * samples);
  for (let l = 0; l < lines; l++) for (let s = 0; s < samples; s++) out[l * samples + s] = rng.normal(0, sigmaAt(l, s));
  return out;
}

/** Adds a round Gaussian blob; returns the sum of what it added (ppm·m · pixels). */
function addBlob(f: Float64Array, samples: number, l0: number, s0: number, peakPpmM: number, widthPx: number): number {
  let sum = 0;
  const lines = f.length / samples;
  for (let l = 0; l < lines; l++) {
    for (let s = 0; s < samples; s++) {
      const v = peakPpmM * Math.exp(-((l - l0) ** 2 + (s - s0) ** 2) / (2 * widthPx * widthPx));
      f[l * samples + s] += v;
      sum += v;
    }
  }
  return sum;
}

function labelAt(labels: Int32Array, samples: number, l: number, s: number): number {
  return labels[l * samples + s];
}

describe('localNoise', () => {
  it('recovers a spatially varying σ and ignores a bright plume tail', () => {
    const sigmaAt = (_l: number, s: number) => 20 + (40 * s) / (N - 1);
    const f = noiseField(1, N, N, sigmaAt);
    addBlob(f, N, 64, 64, 300, 3);
    const { sigmaPpmM, backgroundPpmM } = localNoise(f, N, N);
    for (const [l, s] of [
      [20, 20],
      [64, 64],
      [100, 110],
    ]) {
      const p = l * N + s;
      expect(sigmaPpmM[p] / sigmaAt(l, s)).toBeGreaterThan(0.88);
      expect(sigmaPpmM[p] / sigmaAt(l, s)).toBeLessThan(1.12);
      expect(Math.abs(backgroundPpmM[p])).toBeLessThan(0.3 * sigmaAt(l, s));
    }
  });
});

describe('plumeMask', () => {
  it('estimates the noise again without a strong plume that inflates it', () => {
    const f = noiseField(8, N, N, () => 30);
    addBlob(f, N, 64, 64, 3000, 4);
    const first = localNoise(f, N, N).sigmaPpmM[64 * N + 64];
    expect(first / 30).toBeGreaterThan(1.3); // the plume fills ~40 % of the 32 px window
    const m = plumeMask(f, N, N);
    expect(m.plumes.length).toBe(1);
    expect(m.noiseSigmaPpmM[64 * N + 64] / 30).toBeGreaterThan(0.9);
    expect(m.noiseSigmaPpmM[64 * N + 64] / 30).toBeLessThan(1.12);
  });

  it('finds one Gaussian plume on noise, with its maximum', () => {
    const f = noiseField(2, N, N, () => 25);
    addBlob(f, N, 60, 70, 2000, 3);
    const m = plumeMask(f, N, N);
    expect(m.plumes.length).toBe(1);
    const p = m.plumes[0];
    expect(p.label).toBe(1);
    expect(Math.abs(p.maxEnhancementPpmM - 2000)).toBeLessThan(100); // 4σ of the noise
    const ml = (p.maxPixel / N) | 0;
    expect(Math.abs(ml - 60)).toBeLessThanOrEqual(1);
    expect(Math.abs(p.maxPixel - ml * N - 70)).toBeLessThanOrEqual(1);
    expect(labelAt(m.labels, N, 60, 70)).toBe(1);
    // The z ≥ 2 region of the blob is a disk of radius 3·√(2 ln 40) ≈ 8.2 px: ≈ 210 pixels.
    expect(p.pixelCount).toBeGreaterThan(170);
    expect(p.pixelCount).toBeLessThan(260);
    expect(p.score).toBeGreaterThan(10);
    let count = 0;
    for (const v of m.labels) if (v === 1) count++;
    expect(count).toBe(p.pixelCount);
  });

  it('merges components closer than mergeDistancePx and keeps them apart otherwise', () => {
    // Two 8×8 squares with 3 empty columns between them: closest pixel centres 4 px apart.
    const f = noiseField(3, N, N, () => 10);
    for (let l = 40; l < 48; l++) {
      for (let s = 20; s < 28; s++) f[l * N + s] += 500;
      for (let s = 31; s < 39; s++) f[l * N + s] += 500;
    }
    const merged = plumeMask(f, N, N, { mergeDistancePx: 5 });
    expect(merged.plumes.length).toBe(1);
    expect(merged.plumes[0].pixelCount).toBe(128);
    expect(labelAt(merged.labels, N, 44, 29)).toBe(0); // merged plumes keep their pixels, not the gap
    const apart = plumeMask(f, N, N, { mergeDistancePx: 2 });
    expect(apart.plumes.length).toBe(2);
    expect(apart.plumes.map((p) => p.pixelCount)).toEqual([64, 64]);
    expect(labelAt(apart.labels, N, 44, 22)).not.toBe(labelAt(apart.labels, N, 44, 35));
    // Exactly 4 px apart: "closer than 4" does not merge.
    expect(plumeMask(f, N, N, { mergeDistancePx: 4 }).plumes.length).toBe(2);
  });

  it('drops plumes under minPixels and unseeded components', () => {
    const f = noiseField(4, N, N, () => 10);
    for (let l = 10; l < 13; l++) for (let s = 10; s < 13; s++) f[l * N + s] += 100; // 9 px, z ≈ 10
    for (let l = 60; l < 70; l++) for (let s = 60; s < 70; s++) f[l * N + s] = 30; // z ≈ 3: never a seed
    expect(plumeMask(f, N, N).plumes.length).toBe(0);
    const m = plumeMask(f, N, N, { minPixels: 9 });
    expect(m.plumes.length).toBe(1);
    expect(m.plumes[0].pixelCount).toBe(9);
  });

  it('gives plumes in at most 5 % of pure-noise fields with spatially varying σ', () => {
    let fieldsWithPlumes = 0;
    const sigmaAt = (l: number, s: number) =>
      20 * (1 + (2 * s) / (N - 1)) * (1 + 0.5 * Math.sin((2 * Math.PI * l) / N));
    for (let seed = 1000; seed < 1100; seed++) {
      const m = plumeMask(noiseField(seed, N, N, sigmaAt), N, N);
      if (m.plumes.length > 0) fieldsWithPlumes++;
    }
    expect(fieldsWithPlumes).toBeLessThanOrEqual(5);
  });

  it('a lower threshold without morphology does raise false alarms (the test can fail)', () => {
    let fieldsWithPlumes = 0;
    for (let seed = 1000; seed < 1020; seed++) {
      const m = plumeMask(
        noiseField(seed, N, N, () => 30),
        N,
        N,
        {
          seedZ: 3,
          growZ: 1.5,
          morphology: 'none',
          minPixels: 3,
        },
      );
      if (m.plumes.length > 0) fieldsWithPlumes++;
    }
    expect(fieldsWithPlumes).toBeGreaterThan(5);
  });

  it('never puts no-data pixels in a mask', () => {
    const f = new Float32Array(noiseField(5, N, N, () => 25));
    const g = new Float64Array(f.length);
    addBlob(g, N, 64, 64, 1500, 5);
    for (let i = 0; i < f.length; i++) f[i] += g[i];
    const rng = new Rng(6);
    for (let i = 0; i < f.length; i++) if (rng.uniform() < 0.1) f[i] = Number.NaN;
    for (let l = 62; l < 66; l++) for (let s = 62; s < 66; s++) f[l * N + s] = Number.NaN; // a hole in the plume
    f[0] = Number.POSITIVE_INFINITY;
    const m = plumeMask(f, N, N);
    expect(m.plumes.length).toBe(1);
    let nanInMask = 0;
    for (let i = 0; i < f.length; i++) if (!Number.isFinite(f[i]) && m.labels[i] !== 0) nanInMask++;
    expect(nanInMask).toBe(0);
    expect(Number.isNaN(m.zScore[64 * N + 64])).toBe(true);
    expect(Number.isFinite(m.plumes[0].sumEnhancementPpmM)).toBe(true);
  });

  it('uses a caller σ when given', () => {
    const f = noiseField(7, N, N, () => 25);
    addBlob(f, N, 30, 90, 600, 3);
    const m = plumeMask(f, N, N, { sigmaPpmM: new Float64Array(N * N).fill(25) });
    expect(m.options.noise).toBe('caller');
    expect(m.plumes.length).toBe(1);
    expect(m.plumes[0].sumNoiseVariancePpmM2).toBeCloseTo(m.plumes[0].pixelCount * 625, 6);
  });

  it('rejects bad input with PT_ERR_SPECTRAL_INPUT', () => {
    const f = new Float64Array(100);
    const code = (fn: () => unknown) => {
      try {
        fn();
      } catch (e) {
        return e instanceof PlumetraceError ? e.code : 'other';
      }
      return 'none';
    };
    expect(code(() => plumeMask(f, 10, 11))).toBe('PT_ERR_SPECTRAL_INPUT');
    expect(code(() => plumeMask(f, 10, 10, { seedZ: 2, growZ: 3 }))).toBe('PT_ERR_SPECTRAL_INPUT');
    expect(code(() => plumeMask(f, 10, 10, { mergeDistancePx: -1 }))).toBe('PT_ERR_SPECTRAL_INPUT');
    expect(code(() => plumeMask(f, 10, 10, { sigmaPpmM: new Float64Array(3) }))).toBe('PT_ERR_SPECTRAL_INPUT');
    expect(code(() => plumeMask(f, 10, 10))).toBe('none'); // all zero: no noise, no plumes, no error
  });
});
