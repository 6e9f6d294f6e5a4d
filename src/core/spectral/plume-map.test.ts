import { describe, expect, it } from 'vitest';
import { Rng } from '../random.ts';
import { albedoWeightedPlumeMask, coherenceByLabel } from './plume-map.ts';
import { keepPlumes } from './plumes.ts';
import { backgroundStatistics } from './statistics.ts';
import { implantEnhancement, syntheticBackgroundCube } from './synthetic-cube.ts';

const N = 100;
const SIGMA_BRIGHT = 1000; // ppm·m, CMF noise of pixels at the group mean brightness

/**
 * A CMF-like map: albedo 1 everywhere except a dark band (samples 60–79, albedo 0.1) whose α noise
 * is 5× larger; a plume ΔX (Gaussian blob, peak `peak` ppm·m, σ 6 px at line 40, sample 30) shows in
 * α as albedo · ΔX.
 */
function map(seed: number, peak: number) {
  const rng = new Rng(seed);
  const alpha = new Float64Array(N * N);
  const albedo = new Float64Array(N * N);
  const truth = new Float64Array(N * N);
  for (let l = 0; l < N; l++) {
    for (let s = 0; s < N; s++) {
      const p = l * N + s;
      const dark = s >= 60 && s < 80;
      albedo[p] = dark ? 0.1 : 1;
      truth[p] = peak * Math.exp(-((l - 40) ** 2 + (s - 30) ** 2) / (2 * 36));
      alpha[p] = albedo[p] * truth[p] + rng.normal(0, dark ? 5 * SIGMA_BRIGHT : SIGMA_BRIGHT);
    }
  }
  return { alpha, albedo, truth, use: new Uint8Array(N * N).fill(1) };
}

describe('albedoWeightedPlumeMask', () => {
  it('models the noise by albedo, finds the plume and sums it within 15%', () => {
    const m = map(1, 3000);
    const r = albedoWeightedPlumeMask({
      enhancementPpmM: m.alpha,
      albedo: m.albedo,
      statisticsPixels: m.use,
      lines: N,
      samples: N,
    });
    const { albedo: rBins, sigmaPpmM } = r.albedoNoise;
    expect(rBins[0]).toBeCloseTo(0.1, 10);
    expect(sigmaPpmM[0] / (5 * SIGMA_BRIGHT)).toBeGreaterThan(0.9);
    expect(sigmaPpmM[0] / (5 * SIGMA_BRIGHT)).toBeLessThan(1.1);
    // The plume inflates the bright bins' MAD a little (it is in the statistics here).
    expect(sigmaPpmM[sigmaPpmM.length - 1] / SIGMA_BRIGHT).toBeGreaterThan(0.95);
    expect(sigmaPpmM[sigmaPpmM.length - 1] / SIGMA_BRIGHT).toBeLessThan(1.2);
    expect(r.mask.plumes).toHaveLength(1);
    const pl = r.mask.plumes[0];
    expect(r.mask.labels[40 * N + 30]).toBe(1);
    // No plume pixel in the dark band far from the blob.
    for (let l = 0; l < N; l++) for (let s = 70; s < 80; s++) expect(r.mask.labels[l * N + s]).toBe(0);
    // Its sum over the smoothed map against the true ΔX over the same pixels.
    let truthSum = 0;
    for (let p = 0; p < N * N; p++) if (r.mask.labels[p] === 1) truthSum += m.truth[p];
    expect(pl.sumEnhancementPpmM / truthSum).toBeGreaterThan(0.85);
    expect(pl.sumEnhancementPpmM / truthSum).toBeLessThan(1.15);
    // √(Σσ²) is the noise of that sum: for uniform weights √N · σ_bright within a factor 1.5.
    const expected = Math.sqrt(pl.pixelCount) * SIGMA_BRIGHT;
    expect(Math.sqrt(pl.sumNoiseVariancePpmM2) / expected).toBeGreaterThan(0.67);
    expect(Math.sqrt(pl.sumNoiseVariancePpmM2) / expected).toBeLessThan(1.5);
  });

  it('reports no plume on 20 plume-free maps', () => {
    for (let seed = 10; seed < 30; seed++) {
      const m = map(seed, 0);
      const r = albedoWeightedPlumeMask({
        enhancementPpmM: m.alpha,
        albedo: m.albedo,
        statisticsPixels: m.use,
        lines: N,
        samples: N,
      });
      expect(r.mask.plumes).toHaveLength(0);
    }
  });

  it('a sparse, soft-thresholded map (mag1c-like) with given noise, spread floor 1 and outline z ≥ 1: no plume in noise, the plume found', () => {
    // α = max(0, û − 3σ) for û = ΔX + N(0, σ): ≈ 0.1% of background pixels non-zero, as mag1c's.
    const sigma = 300;
    const rng = new Rng(11);
    const make = (peak: number) =>
      Float64Array.from({ length: N * N }, (_, p) => {
        const l = Math.floor(p / N);
        const s = p % N;
        const dx = peak * Math.exp(-((l - 40) ** 2 + (s - 30) ** 2) / (2 * 36));
        return Math.max(0, dx + rng.normal(0, sigma) - 3 * sigma);
      });
    const input = (alpha: Float64Array) => ({
      enhancementPpmM: alpha,
      albedo: new Float64Array(N * N).fill(1),
      statisticsPixels: new Uint8Array(N * N).fill(1),
      lines: N,
      samples: N,
      correctAlbedo: false,
      noiseSigma: new Float64Array(N * N).fill(sigma),
    });
    const free = make(0);
    expect(free.filter((v) => v > 0).length).toBeLessThan(0.01 * N * N);
    expect(albedoWeightedPlumeMask(input(free), { minSpread: 1, growMinZ: 1 }).mask.plumes).toHaveLength(0);
    const r = albedoWeightedPlumeMask(input(make(3000)), { minSpread: 1, growMinZ: 1 });
    expect(r.mask.plumes).toHaveLength(1);
    const pl = r.mask.plumes[0];
    expect(Math.abs(Math.floor(pl.maxPixel / N) - 40)).toBeLessThanOrEqual(3);
    expect(Math.abs((pl.maxPixel % N) - 30)).toBeLessThanOrEqual(3);
    expect(r.seedNoiseMapPpmM.every((v) => v > 0)).toBe(true);
  });

  it('rejects maps of the wrong size', () => {
    const m = map(1, 0);
    expect(() =>
      albedoWeightedPlumeMask({
        enhancementPpmM: m.alpha.subarray(1),
        albedo: m.albedo,
        statisticsPixels: m.use,
        lines: N,
        samples: N,
      }),
    ).toThrow(/enhancementPpmM has 9999 values/);
  });
});

describe('coherenceByLabel', () => {
  it('is near 1 for a methane region and low for a broad surface feature of the same CMF sign', () => {
    const bands = 40;
    const cube = syntheticBackgroundCube({ lines: 60, samples: 60, bands, seed: 5 });
    const t = Float64Array.from({ length: bands }, (_, b) => -1.5e-5 * Math.abs(Math.sin(b * 1.7)) ** 4);
    const labels = new Int32Array(60 * 60);
    for (let l = 10; l < 20; l++) {
      for (let s = 10; s < 20; s++) {
        implantEnhancement(cube, l * 60 + s, t, 3000);
        labels[l * 60 + s] = 1;
      }
    }
    // A confuser: a broad absorption (5% deep, 10 bands wide) centred where t is large on average.
    for (let l = 35; l < 45; l++) {
      for (let s = 35; s < 45; s++) {
        const o = (l * 60 + s) * bands;
        for (let b = 0; b < bands; b++) cube.data[o + b] *= 1 - 0.05 * Math.exp(-(((b - 20) / 5) ** 2));
        labels[l * 60 + s] = 2;
      }
    }
    const stats = backgroundStatistics(cube);
    const c = coherenceByLabel(cube, stats, t, labels, 2);
    expect(c[1]).toBeGreaterThan(0.8);
    expect(Math.abs(c[2])).toBeLessThan(0.5);
  });
});

describe('keepPlumes', () => {
  it('drops plumes and relabels the rest 1..K in order', () => {
    const m = map(1, 3000);
    const r = albedoWeightedPlumeMask({
      enhancementPpmM: m.alpha,
      albedo: m.albedo,
      statisticsPixels: m.use,
      lines: N,
      samples: N,
    });
    const none = keepPlumes(r.mask, [false]);
    expect(none.plumes).toHaveLength(0);
    expect(none.labels.every((v) => v === 0)).toBe(true);
    const same = keepPlumes(r.mask, [true]);
    expect(same.plumes[0].label).toBe(1);
    expect(Array.from(same.labels)).toEqual(Array.from(r.mask.labels));
    expect(() => keepPlumes(r.mask, [])).toThrow(/keep has 0 entries/);
  });
});
