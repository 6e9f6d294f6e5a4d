import { beforeAll, describe, expect, it } from 'vitest';
import { readMag1cLut } from '../../io/lut/read.ts';
import { PlumetraceError } from '../errors.ts';
import { choleskySolve } from '../linalg.ts';
import type { RadianceCube } from './cube.ts';
import { MAG1C_SPARSE_ALGORITHM_VERSION, type SparseMatchedFilterOptions, sparseMatchedFilter } from './mag1c.ts';
import { matchedFilter } from './matched-filter.ts';
import { backgroundStatistics } from './statistics.ts';
import { type SyntheticCube, implantEnhancement, syntheticBackgroundCube } from './synthetic-cube.ts';
import { unitAbsorptionTarget } from './target.ts';

// 128 lines ≥ 1.5 × 50 bands: every column is its own group. EMIT-like bands, mag1c's LUT.
const LINES = 128;
const SAMPLES = 32;
const BANDS = 50;
let target: Float64Array;
let tMax: number;

beforeAll(async () => {
  const lut = await readMag1cLut(new URL('../../../data/detection/mag1c_ch4.lut', import.meta.url).pathname);
  target = unitAbsorptionTarget(lut, {
    centerNm: Float64Array.from({ length: BANDS }, (_, i) => 2122 + 7.4 * i),
    fwhmNm: new Float64Array(BANDS).fill(8.5),
  }).targetPerPpmM;
  tMax = target.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
});

function cube(seed: number): SyntheticCube {
  return syntheticBackgroundCube({ lines: LINES, samples: SAMPLES, bands: BANDS, seed });
}

/**
 * A compact plume: lines 50–61 × samples 10–21 (12 of 128 lines in each plume column, so it
 * contaminates those columns' statistics), 2000 ppm·m at the edge rising to 5000 at the centre.
 */
function withPlume(seed: number): { c: SyntheticCube; truth: Float64Array } {
  const c = cube(seed);
  const truth = new Float64Array(LINES * SAMPLES);
  for (let l = 50; l < 62; l++) {
    for (let s = 10; s < 22; s++) {
      const q = 2000 + 3000 * Math.exp(-(((l - 56) / 4) ** 2 + ((s - 16) / 4) ** 2));
      truth[l * SAMPLES + s] = q;
      implantEnhancement(c, l * SAMPLES + s, target, q);
    }
  }
  return { c, truth };
}

/** a_i = x_iᵀμ/μᵀμ with μ the group mean of the pixel's column (one column per group here). */
function albedoOf(c: RadianceCube, mean: Float64Array, p: number, g: number): number {
  let xm = 0;
  let mm = 0;
  for (let b = 0; b < BANDS; b++) {
    const mu = mean[g * BANDS + b];
    xm += c.data[p * BANDS + b] * mu;
    mm += mu * mu;
  }
  return xm / mm;
}

describe('sparse matched filter on an implanted Beer–Lambert plume', () => {
  it('is sparse on the background and closer to the truth than the CMF on the plume', () => {
    const { c, truth } = withPlume(21);
    const r = sparseMatchedFilter(c, target);
    const cmf = matchedFilter(c, target);
    expect(r.algorithmVersion).toBe(MAG1C_SPARSE_ALGORITHM_VERSION);
    expect(r.iterations).toBe(10);
    let zeros = 0;
    let background = 0;
    let sparseErr = 0;
    let cmfErr = 0;
    let plume = 0;
    for (let p = 0; p < LINES * SAMPLES; p++) {
      const a = r.enhancementPpmM[p];
      expect(a).toBeGreaterThanOrEqual(0); // non-negative everywhere
      if (truth[p] === 0) {
        background++;
        if (a === 0) zeros++;
      } else {
        plume++;
        sparseErr += Math.abs(a - truth[p]);
        cmfErr += Math.abs(cmf.enhancementPpmM[p] - truth[p]);
      }
    }
    // A pixel at α^prev = 0 stays at 0 unless û > 3σ/a²; a ≤ ~1.5 here (brightness 1 ± 0.15·N),
    // so at most P(Z > 3/1.5) ≈ 2.3 % of background pixels can pass: ≥ 97.5 % exactly zero.
    expect(zeros / background).toBeGreaterThan(0.975);
    // The CMF's plume columns have a mean pulled down by the plume, and its α carries the albedo
    // bias; the sparse filter removes the plume from its statistics and divides by the albedo.
    expect(sparseErr / plume).toBeLessThan(0.8 * (cmfErr / plume));
  });

  it('converges to the truth within a tolerance derived from the noise, penalty and linearisation', () => {
    const { c, truth } = withPlume(21);
    // Heavily contaminated columns converge slowly for dark pixels (threshold 3σ/a²): iterate to
    // the fixed point here.
    const r = sparseMatchedFilter(c, target, { iterations: 30 });
    const stats = backgroundStatistics(c);
    for (let p = 0; p < LINES * SAMPLES; p++) {
      if (truth[p] === 0) continue;
      const g = r.groups.groupOfSample[p % SAMPLES];
      const sigma = r.noiseSigmaPpmM[g]; // CMF-scale noise of the group (plume removed)
      const eps = r.epsilonPpmM[g];
      const alpha = r.enhancementPpmM[p];
      const a = albedoOf(c, stats.mean, p, g);
      const q = truth[p];
      // Noise of û = z/(a·N): σ/a, 4.5 of it; the reweighted-L1 shrinkage left at the fixed point,
      // κ·σ·ε/((α + ε)·a²); linearising exp(t·q): at most |t|max·q²/2.
      const tol = (4.5 * sigma) / a + (3 * sigma * eps) / ((alpha + eps) * a * a) + (tMax * q * q) / 2;
      expect(Math.abs(alpha - q)).toBeLessThan(tol);
    }
  });

  it('no-data pixels are NaN (and only they), saturated pixels get a value; results are deterministic', () => {
    const { c } = withPlume(22);
    const nan = 3 * SAMPLES + 5;
    const masked = 70 * SAMPLES + 17;
    const saturated = 90 * SAMPLES + 12;
    c.data[nan * BANDS + 7] = Number.NaN;
    c.data.fill(1e4, saturated * BANDS, (saturated + 1) * BANDS);
    const validMask = new Uint8Array(LINES * SAMPLES).fill(1);
    validMask[masked] = 0;
    const options: SparseMatchedFilterOptions = { validMask, saturationRadiance: 1000 };
    const r = sparseMatchedFilter(c, target, options);
    let nans = 0;
    for (let p = 0; p < LINES * SAMPLES; p++) if (Number.isNaN(r.enhancementPpmM[p])) nans++;
    expect(nans).toBe(2);
    expect(Number.isNaN(r.enhancementPpmM[nan])).toBe(true);
    expect(Number.isNaN(r.enhancementPpmM[masked])).toBe(true);
    expect(r.classes.inStatistics[saturated]).toBe(0);
    expect(Number.isFinite(r.enhancementPpmM[saturated])).toBe(true);
    // The saturated pixel does not touch the statistics: same as excluding it by hand.
    const exclude = new Uint8Array(LINES * SAMPLES);
    exclude[saturated] = 1;
    const ref = sparseMatchedFilter(c, target, { validMask, excludeFromStatistics: exclude });
    expect(ref.enhancementPpmM).toEqual(r.enhancementPpmM);
    // Deterministic: the same input gives bit-identical output.
    const again = sparseMatchedFilter(c, target, options);
    expect(again.enhancementPpmM).toEqual(r.enhancementPpmM);
    expect(again.noiseSigmaPpmM).toEqual(r.noiseSigmaPpmM);
  });
});

describe('reductions and the low-rank statistics update', () => {
  for (const nonNegative of [false, true]) {
    it(`λ = 0 and one iteration is the albedo-corrected CMF (nonNegative ${nonNegative})`, () => {
      const { c } = withPlume(23);
      const r = sparseMatchedFilter(c, target, { sparsityNoiseSigmas: 0, iterations: 1, nonNegative });
      const stats = backgroundStatistics(c);
      let checked = 0;
      let negatives = 0;
      for (let p = 0; p < LINES * SAMPLES; p += 7) {
        const g = stats.groups.groupOfSample[p % SAMPLES];
        const mu = stats.mean.subarray(g * BANDS, (g + 1) * BANDS);
        const tp = Float64Array.from(mu, (m, b) => m * target[b]);
        const ct = choleskySolve(stats.choleskyFactor, BANDS, tp, g * BANDS * BANDS);
        let z = 0;
        let n = 0;
        for (let b = 0; b < BANDS; b++) {
          z += (c.data[p * BANDS + b] - mu[b]) * ct[b];
          n += tp[b] * ct[b];
        }
        const a = albedoOf(c, stats.mean, p, g);
        let expected = z / (a * n); // (r_iᵀC⁻¹(x − μ))/(r_iᵀC⁻¹r_i), r_i = a·μ⊙t
        if (expected < 0) negatives++;
        if (nonNegative) expected = Math.max(0, expected);
        expect(Math.abs(r.enhancementPpmM[p] - expected)).toBeLessThan(1e-6 * (1 + Math.abs(expected)));
        checked++;
      }
      expect(checked).toBeGreaterThan(500);
      expect(negatives).toBeGreaterThan(100); // the clamp is exercised
    });
  }

  it('low-rank updates and full recomputation of the statistics agree to rounding', () => {
    const { c } = withPlume(24);
    const updated = sparseMatchedFilter(c, target, { lowRankUpdateMaxFraction: 1 });
    const recomputed = sparseMatchedFilter(c, target, { lowRankUpdateMaxFraction: 0 });
    expect(updated.fullRecomputes).toBe(0);
    expect(updated.lowRankUpdates).toBe(SAMPLES * 9);
    expect(recomputed.fullRecomputes).toBeGreaterThan(0);
    let maxDiff = 0;
    for (let p = 0; p < LINES * SAMPLES; p++) {
      maxDiff = Math.max(maxDiff, Math.abs(updated.enhancementPpmM[p] - recomputed.enhancementPpmM[p]));
    }
    expect(maxDiff).toBeLessThan(1e-6);
    // The default switches on the fraction of changed pixels; here few change: all low rank.
    const byDefault = sparseMatchedFilter(c, target);
    expect(byDefault.lowRankUpdates).toBe(SAMPLES * 9);
  });

  it('rejects bad options and mismatched targets with PT_ERR_SPECTRAL_INPUT', () => {
    const c = cube(25);
    const code = (f: () => unknown): string => {
      try {
        f();
      } catch (e) {
        expect(e).toBeInstanceOf(PlumetraceError);
        return (e as PlumetraceError).code;
      }
      return 'no error';
    };
    for (const options of [
      { iterations: 0 },
      { iterations: 2.5 },
      { sparsityNoiseSigmas: -1 },
      { epsilonNoiseSigmas: 0 },
      { lowRankUpdateMaxFraction: 2 },
    ]) {
      expect(code(() => sparseMatchedFilter(c, target, options))).toBe('PT_ERR_SPECTRAL_INPUT');
    }
    expect(code(() => sparseMatchedFilter(c, new Float64Array(BANDS - 1)))).toBe('PT_ERR_SPECTRAL_INPUT');
  });

  it('a degenerate group (all pixels identical) gives NaN rather than throwing', () => {
    const c: RadianceCube = { data: new Float32Array(8 * 4 * 3).fill(2), lines: 8, samples: 4, bands: 3 };
    const r = sparseMatchedFilter(c, Float64Array.of(-1e-5, -2e-5, -1e-5));
    expect(r.groupOk.every((v) => v === 0)).toBe(true);
    expect(r.enhancementPpmM.every((v) => Number.isNaN(v))).toBe(true);
  });
});
