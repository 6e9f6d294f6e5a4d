import { beforeAll, describe, expect, it } from 'vitest';
import { readMag1cLut } from '../../io/lut/read.ts';
import { PlumetraceError } from '../errors.ts';
import { Rng } from '../random.ts';
import { type RadianceCube, classifyPixels, medianInPlace, planColumnGroups } from './cube.ts';
import {
  backSubstituteTransposed,
  choleskyInPlace,
  choleskySolve,
  forwardSubstitute,
  gaussianSolve,
} from '../linalg.ts';
import { aceScore, matchedFilter } from './matched-filter.ts';
import { matchedFilterNaive } from './matched-filter-naive.ts';
import { backgroundStatistics } from './statistics.ts';
import { type SyntheticCube, implantEnhancement, syntheticBackgroundCube } from './synthetic-cube.ts';
import { unitAbsorptionTarget } from './target.ts';

// 50 bands, 2122–2484.6 nm every 7.4 nm (EMIT-like), target from mag1c's LUT.
const LINES = 64;
const SAMPLES = 40;
const BANDS = 50;
let target: Float64Array;

beforeAll(async () => {
  const lut = await readMag1cLut(new URL('../../../data/detection/mag1c_ch4.lut', import.meta.url).pathname);
  target = unitAbsorptionTarget(lut, {
    centerNm: Float64Array.from({ length: BANDS }, (_, i) => 2122 + 7.4 * i),
    fwhmNm: new Float64Array(BANDS).fill(8.5),
  }).targetPerPpmM;
});

function cube(seed: number): SyntheticCube {
  return syntheticBackgroundCube({ lines: LINES, samples: SAMPLES, bands: BANDS, seed });
}

function copyCube(c: RadianceCube): RadianceCube {
  return { ...c, data: c.data.slice() };
}

function rms(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  let n = 0;
  for (let i = 0; i < a.length; i++) {
    if (Number.isNaN(a[i]) && Number.isNaN(b[i])) continue;
    s += (a[i] - b[i]) ** 2;
    n++;
  }
  return Math.sqrt(s / n);
}

describe('matched filter: fast path vs naive reference', () => {
  for (const shrinkage of [{ kind: 'ledoit-wolf' }, { kind: 'diagonal-loading', fraction: 1e-3 }] as const) {
    it(`agrees within 1e-3 ppm·m RMS (${shrinkage.kind}), with plume, no-data and a saturated pixel`, () => {
      const c = cube(11);
      for (let i = 0; i < 30; i++) implantEnhancement(c, ((5 * i) % LINES) * SAMPLES + i, target, 1500);
      c.data[(3 * SAMPLES + 7) * BANDS + 4] = Number.NaN;
      c.data.fill(1e4, (9 * SAMPLES + 12) * BANDS, (9 * SAMPLES + 13) * BANDS);
      const options = { shrinkage, saturationRadiance: 1000 };
      const fast = matchedFilter(c, target, options);
      const naive = matchedFilterNaive(c, target, options);
      // 64 lines < 1.5 × 50 bands: columns pair up.
      expect(fast.statistics.groups.groupPixels.length).toBe(20);
      expect(rms(fast.enhancementPpmM, naive)).toBeLessThan(1e-3);
      expect(Number.isNaN(fast.enhancementPpmM[3 * SAMPLES + 7])).toBe(true);
      expect(Number.isNaN(naive[3 * SAMPLES + 7])).toBe(true);
    });
  }

  it('the naive filter can run on a subset of columns (as the benchmark does) with the same values', () => {
    const c = cube(12);
    const all = matchedFilterNaive(c, target);
    const some = matchedFilterNaive(c, target, { onlySamples: [3, 17] });
    for (let p = 0; p < LINES * SAMPLES; p++) {
      const s = p % SAMPLES;
      if (s === 3 || s === 17) expect(some[p]).toBe(all[p]);
      else expect(Number.isNaN(some[p])).toBe(true);
    }
  });
});

describe('matched filter: implanted Beer–Lambert enhancement', () => {
  it('recovers 2000 ppm·m within a tolerance derived from the measured background noise', () => {
    const q = 2000;
    const c = cube(2);
    // One plume pixel and one control pixel per column pair (group), both kept out of the
    // statistics as a second CMF pass would keep flagged pixels out: no self-dilution.
    const plume: number[] = [];
    const control: number[] = [];
    for (let g = 0; g < SAMPLES / 2; g++) {
      plume.push(((7 * g) % LINES) * SAMPLES + 2 * g);
      control.push(((7 * g + 30) % LINES) * SAMPLES + 2 * g + 1);
    }
    const exclude = new Uint8Array(LINES * SAMPLES);
    for (const p of [...plume, ...control]) exclude[p] = 1;
    for (const p of plume) implantEnhancement(c, p, target, q);
    const r = matchedFilter(c, target, { excludeFromStatistics: exclude });
    const { groups, classes } = r.statistics;

    // Out-of-sample background noise σ: RMS of α at the control pixels (true enhancement 0).
    const sigma = Math.sqrt(control.reduce((s, p) => s + r.enhancementPpmM[p] ** 2, 0) / control.length);
    // The in-sample RMS the filter reports is the same noise to within sampling (and mildly optimistic).
    const sigmaIn = r.noiseSigmaPpmM.reduce((a, b) => a + b, 0) / r.noiseSigmaPpmM.length;
    expect(sigmaIn / sigma).toBeGreaterThan(0.5);
    expect(sigmaIn / sigma).toBeLessThan(1.5);
    expect(sigma).toBeLessThan(q / 4);

    // The classic CMF reports α scaled by the pixel's brightness relative to its group mean
    // (t' = μ ⊙ t): expected α = q · a_p / ā_group.
    const brightSum = new Float64Array(groups.groupPixels.length);
    for (let p = 0; p < LINES * SAMPLES; p++) {
      if (classes.inStatistics[p]) brightSum[groups.groupOfSample[p % SAMPLES]] += c.brightness[p];
    }
    const residual = plume.map((p) => {
      const g = groups.groupOfSample[p % SAMPLES];
      return r.enhancementPpmM[p] - (q * c.brightness[p] * groups.groupPixels[g]) / brightSum[g];
    });
    // Model error allowance: linearising exp(t·q) costs up to |t|max·q/2 ≈ 1.5% at 2000 ppm·m, and
    // the brightness ratio is approximate (factors shift μ): 3% of q in all.
    const modelBias = 0.03 * q;
    for (const e of residual) expect(Math.abs(e)).toBeLessThan(4.5 * sigma + modelBias);
    const meanResidual = residual.reduce((a, b) => a + b, 0) / residual.length;
    expect(Math.abs(meanResidual)).toBeLessThan((3 * sigma) / Math.sqrt(residual.length) + modelBias);
  });

  it('scaling the whole cube by a constant does not change α (ppm·m is a relative measure)', () => {
    const c = cube(3);
    const scaled = copyCube(c);
    for (let i = 0; i < scaled.data.length; i++) scaled.data[i] *= 4;
    const a = matchedFilter(c, target).enhancementPpmM;
    const b = matchedFilter(scaled, target).enhancementPpmM;
    expect(rms(a, b)).toBeLessThan(1e-2);
  });
});

describe('no-data and saturated pixels', () => {
  it('no-data pixels (NaN, ±Infinity, the no-data value, validMask 0) give NaN and do not change the statistics', () => {
    const base = cube(4);
    const noData = [5 * SAMPLES + 3, 20 * SAMPLES + 3, 40 * SAMPLES + 30, 63 * SAMPLES + 39];
    const marked = copyCube(base);
    marked.data[noData[0] * BANDS + 10] = Number.NaN;
    marked.data[noData[1] * BANDS + 49] = Number.POSITIVE_INFINITY;
    marked.data.fill(-9999, noData[2] * BANDS, (noData[2] + 1) * BANDS);
    marked.data.fill(1e9, noData[3] * BANDS, (noData[3] + 1) * BANDS); // garbage, but masked
    const validMask = new Uint8Array(LINES * SAMPLES).fill(1);
    validMask[noData[3]] = 0;
    const a = matchedFilter(marked, target, { noDataValue: -9999, validMask });

    // Reference: the clean cube with the same pixels masked, whatever values they hold.
    const maskAll = new Uint8Array(LINES * SAMPLES).fill(1);
    for (const p of noData) maskAll[p] = 0;
    const b = matchedFilter(base, target, { validMask: maskAll });
    for (const p of noData) expect(Number.isNaN(a.enhancementPpmM[p])).toBe(true);
    expect(a.statistics.mean).toEqual(b.statistics.mean);
    expect(a.statistics.choleskyFactor).toEqual(b.statistics.choleskyFactor);
    expect(a.enhancementPpmM).toEqual(b.enhancementPpmM);
    // And no NaN leaked anywhere else.
    let nan = 0;
    for (const v of a.enhancementPpmM) if (Number.isNaN(v)) nan++;
    expect(nan).toBe(noData.length);
  });

  it('a saturated pixel still gets a value but does not change the statistics', () => {
    const base = cube(5);
    const p = 17 * SAMPLES + 21;
    const sat = copyCube(base);
    for (let b = 0; b < BANDS; b += 3) sat.data[p * BANDS + b] = 65535;
    const exclude = new Uint8Array(LINES * SAMPLES);
    exclude[p] = 1;
    const reference = matchedFilter(base, target, { excludeFromStatistics: exclude });
    const withSaturation = matchedFilter(sat, target, { saturationRadiance: 60000 });
    expect(withSaturation.statistics.classes.inStatistics[p]).toBe(0);
    expect(withSaturation.statistics.classes.excludedBright).toBe(1);
    expect(withSaturation.statistics.choleskyFactor).toEqual(reference.statistics.choleskyFactor);
    expect(withSaturation.statistics.mean).toEqual(reference.statistics.mean);
    for (let q = 0; q < LINES * SAMPLES; q++) {
      if (q !== p) expect(withSaturation.enhancementPpmM[q]).toBe(reference.enhancementPpmM[q]);
    }
    expect(Number.isFinite(withSaturation.enhancementPpmM[p])).toBe(true);
  });

  it('a flare (all bands ×30, no saturation value given) is caught by the bright-outlier rule', () => {
    const base = cube(6);
    const p = 33 * SAMPLES + 8;
    const flare = copyCube(base);
    for (let b = 0; b < BANDS; b++) flare.data[p * BANDS + b] *= 30;
    const exclude = new Uint8Array(LINES * SAMPLES);
    exclude[p] = 1;
    const reference = matchedFilter(base, target, { excludeFromStatistics: exclude });
    const r = matchedFilter(flare, target);
    expect(r.statistics.classes.excludedBright).toBe(1);
    expect(r.statistics.classes.inStatistics[p]).toBe(0);
    expect(r.statistics.mean).toEqual(reference.statistics.mean);
    // Without the rule the flare enters the statistics and changes them.
    const off = matchedFilter(flare, target, { brightOutlierMads: Number.POSITIVE_INFINITY });
    expect(off.statistics.mean).not.toEqual(reference.statistics.mean);
  });

  it('a scene mostly of dark water keeps its bright land in the statistics; a flare is still caught', () => {
    // 60% of the pixels at 3% of the land's radiance (water, Moffett Field-like), 40% land, one flare ×30.
    const c = copyCube(cube(8));
    const n = LINES * SAMPLES;
    for (let p = 0; p < n; p++) {
      if (p % 5 < 3) for (let b = 0; b < BANDS; b++) c.data[p * BANDS + b] *= 0.03;
    }
    const flare = 20 * SAMPLES + 4; // p % 5 = 4: land
    for (let b = 0; b < BANDS; b++) c.data[flare * BANDS + b] *= 30;
    const classes = classifyPixels(c);
    expect(classes.excludedBright).toBe(1);
    expect(classes.inStatistics[flare]).toBe(0);
    let land = 0;
    for (let p = 0; p < n; p++) if (p % 5 >= 3 && classes.inStatistics[p] === 1) land++;
    expect(land).toBe((2 * n) / 5 - 1);
  });

  it('a degenerate group (all pixels identical) gives NaN rather than throwing', () => {
    const c: RadianceCube = { data: new Float32Array(8 * 4 * 3).fill(2), lines: 8, samples: 4, bands: 3 };
    const r = matchedFilter(c, Float64Array.of(-1e-5, -2e-5, -1e-5));
    expect(r.statistics.groupOk.every((v) => v === 0)).toBe(true);
    expect(r.enhancementPpmM.every((v) => Number.isNaN(v))).toBe(true);
  });
});

describe('ACE', () => {
  it('is in [0, 1] for every data pixel, NaN for no data, and high on plume pixels', () => {
    const c = cube(7);
    const plume: number[] = [];
    for (let i = 0; i < 20; i++) plume.push(((11 * i + 3) % LINES) * SAMPLES + 2 * i);
    for (const p of plume) implantEnhancement(c, p, target, 3000);
    c.data[(10 * SAMPLES + 10) * BANDS] = Number.NaN;
    const exclude = new Uint8Array(LINES * SAMPLES);
    for (const p of plume) exclude[p] = 1;
    const r = aceScore(c, target, { excludeFromStatistics: exclude });
    const background: number[] = [];
    for (let p = 0; p < r.score.length; p++) {
      const v = r.score[p];
      if (p === 10 * SAMPLES + 10) {
        expect(Number.isNaN(v)).toBe(true);
        continue;
      }
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThanOrEqual(1);
      if (!plume.includes(p)) background.push(v);
    }
    background.sort((x, y) => x - y);
    const p99 = background[Math.floor(0.99 * background.length)];
    const plumeScores = plume.map((p) => r.score[p]).sort((x, y) => x - y);
    expect(plumeScores[plumeScores.length >> 1]).toBeGreaterThan(p99);
  });

  it('equals the closed form on a pixel (same statistics as the CMF)', () => {
    const c = cube(8);
    const stats = backgroundStatistics(c);
    const r = aceScore(c, target, { statistics: stats });
    const p = 12 * SAMPLES + 5;
    const g = stats.groups.groupOfSample[5];
    const mu = stats.mean.subarray(g * BANDS, (g + 1) * BANDS);
    const tp = Float64Array.from(mu, (m, b) => m * target[b]);
    const d = Float64Array.from(mu, (m, b) => c.data[p * BANDS + b] - m);
    const off = g * BANDS * BANDS;
    const ct = choleskySolve(stats.choleskyFactor, BANDS, tp, off);
    const cd = choleskySolve(stats.choleskyFactor, BANDS, d, off);
    const dot = (x: ArrayLike<number>, y: ArrayLike<number>) => {
      let s = 0;
      for (let i = 0; i < x.length; i++) s += x[i] * y[i];
      return s;
    };
    const expected = dot(d, ct) ** 2 / (dot(tp, ct) * dot(d, cd));
    expect(r.score[p]).toBeCloseTo(expected, 6);
  });
});

describe('pixel rules and column groups', () => {
  it('groups sparse columns with their neighbours and merges a short right edge', () => {
    // 4 lines × 5 samples, bands 2 → min pixels ceil(1.5 × 2) = 3.
    const inStats = new Uint8Array(20);
    const counts = [4, 1, 1, 4, 2];
    for (let s = 0; s < 5; s++) for (let l = 0; l < counts[s]; l++) inStats[l * 5 + s] = 1;
    const g = planColumnGroups(inStats, 4, 5, 2);
    expect(g.minPixels).toBe(3);
    expect(Array.from(g.groupStart)).toEqual([0, 1, 5]);
    expect(Array.from(g.groupOfSample)).toEqual([0, 1, 1, 1, 1]);
    expect(Array.from(g.groupPixels)).toEqual([4, 8]);
    const one = planColumnGroups(inStats, 4, 5, 2, 5); // needs 10: one group
    expect(Array.from(one.groupPixels)).toEqual([12]);
  });

  it('too few pixels for the statistics is a PT_ERR_TOO_FEW_SAMPLES', () => {
    const c: RadianceCube = { data: new Float32Array(2 * 2 * 10).fill(1), lines: 2, samples: 2, bands: 10 };
    expect(() => matchedFilter(c, new Float64Array(10))).toThrowError(/PT_ERR_TOO_FEW_SAMPLES/);
  });

  it('rejects mismatched sizes with PT_ERR_SPECTRAL_INPUT', () => {
    const c = cube(9);
    const err = (f: () => unknown): string => {
      try {
        f();
      } catch (e) {
        expect(e).toBeInstanceOf(PlumetraceError);
        expect((e as PlumetraceError).code).toBe('PT_ERR_SPECTRAL_INPUT');
        return (e as Error).message;
      }
      throw new Error('expected a PlumetraceError');
    };
    expect(err(() => matchedFilter(c, new Float64Array(BANDS - 1)))).toMatch(/target has 49 bands/);
    expect(err(() => matchedFilter({ ...c, lines: LINES + 1 }, target))).toMatch(/expected lines 65/);
    expect(err(() => matchedFilter(c, target, { validMask: new Uint8Array(3) }))).toMatch(/validMask has 3/);
  });

  it('classifyPixels and medianInPlace', () => {
    const c: RadianceCube = {
      data: Float32Array.of(1, 1, 2, 2, Number.NaN, 1, 5, 5, -1, -1),
      lines: 1,
      samples: 5,
      bands: 2,
    };
    const k = classifyPixels(c, {
      noDataValue: -1,
      saturationRadiance: 5,
      brightOutlierMads: Number.POSITIVE_INFINITY,
    });
    expect(Array.from(k.isData)).toEqual([1, 1, 0, 1, 0]);
    expect(Array.from(k.inStatistics)).toEqual([1, 1, 0, 0, 0]);
    expect(medianInPlace(Float64Array.of(5, 1, 4, 2, 3))).toBe(3);
    expect(medianInPlace(Float64Array.of(4, 1, 3, 2))).toBe(2.5);
    const rng = new Rng(1);
    const v = Float64Array.from({ length: 1001 }, () => rng.normal());
    const sorted = v.slice().sort();
    expect(medianInPlace(v)).toBe(sorted[500]);
  });
});

describe('Cholesky', () => {
  it('factors an SPD matrix and solves like Gaussian elimination; refuses an indefinite one', () => {
    const n = 37;
    const rng = new Rng(3);
    const m = Float64Array.from({ length: n * n }, () => rng.normal());
    const a = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        let s = i === j ? 0.5 : 0;
        for (let k = 0; k < n; k++) s += m[i * n + k] * m[j * n + k];
        a[i * n + j] = s;
      }
    }
    const l = a.slice();
    expect(choleskyInPlace(l, n)).toBe(true);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let k = 0; k < n; k++) s += l[i * n + k] * l[j * n + k];
        expect(s).toBeCloseTo(a[i * n + j], 9);
      }
    }
    const b = Float64Array.from({ length: n }, () => rng.normal());
    const x1 = choleskySolve(l, n, b);
    const x2 = gaussianSolve(a, n, b);
    for (let i = 0; i < n; i++) expect(x1[i]).toBeCloseTo(x2[i], 8);
    const y = new Float64Array(n);
    forwardSubstitute(l, n, b, y);
    backSubstituteTransposed(l, n, y, y);
    expect(Array.from(y)).toEqual(Array.from(x1));
    const bad = Float64Array.of(1, 2, 2, 1);
    expect(choleskyInPlace(bad, 2)).toBe(false);
  });
});
