import { beforeAll, describe, expect, it } from 'vitest';
import { readMag1cLut } from '../../io/lut/read.ts';
import { sparseMatchedFilter } from './mag1c.ts';
import { sparseMatchedFilterNaive } from './mag1c-naive.ts';
import { implantEnhancement, syntheticBackgroundCube } from './synthetic-cube.ts';
import { unitAbsorptionTarget } from './target.ts';

// 96 lines ≥ 1.5 × 40 bands: one column per group at the default; 6 per band: groups of 4 columns.
const LINES = 96;
const SAMPLES = 24;
const BANDS = 40;
let target: Float64Array;

beforeAll(async () => {
  const lut = await readMag1cLut(new URL('../../../data/detection/mag1c_ch4.lut', import.meta.url).pathname);
  target = unitAbsorptionTarget(lut, {
    centerNm: Float64Array.from({ length: BANDS }, (_, i) => 2122 + 9 * i),
    fwhmNm: new Float64Array(BANDS).fill(10),
  }).targetPerPpmM;
});

/** A background with a compact plume (lines 40–47 × samples 6–15, 3,000–7,000 ppm·m) that contaminates its columns. */
function plumeCube(seed: number) {
  const c = syntheticBackgroundCube({ lines: LINES, samples: SAMPLES, bands: BANDS, seed });
  for (let l = 40; l < 48; l++) {
    for (let s = 6; s < 16; s++) {
      implantEnhancement(
        c,
        l * SAMPLES + s,
        target,
        3000 + 4000 * Math.exp(-(((l - 44) / 3) ** 2 + ((s - 11) / 3) ** 2)),
      );
    }
  }
  return c;
}

describe('naive sparse matched filter (reference of mag1c.ts)', () => {
  for (const [name, options] of [
    ['defaults (10 reweighted steps, Ledoit–Wolf, one column per group)', {}],
    [
      'groups of 4 columns, 25 steps, diagonal loading',
      { minPixelsPerBand: 6, iterations: 25, shrinkage: { kind: 'diagonal-loading', fraction: 0.01 } },
    ],
  ] as const) {
    it(`agrees with the fast filter to 1e-6 ppm·m + 1e-9 relative: ${name}`, () => {
      const c = plumeCube(31);
      const fast = sparseMatchedFilter(c, target, options);
      const naive = sparseMatchedFilterNaive(c, target, options);
      let maxDiff = 0;
      let positives = 0;
      let zeros = 0;
      for (let p = 0; p < LINES * SAMPLES; p++) {
        const a = fast.enhancementPpmM[p];
        const b = naive[p];
        expect(Number.isFinite(b)).toBe(true);
        const d = Math.abs(a - b) / (1e-6 + 1e-9 * Math.abs(a));
        maxDiff = Math.max(maxDiff, d);
        if (b > 0) positives++;
        else zeros++;
      }
      // Both regimes exercised: the plume (> 50 of its 80 pixels positive) and the thresholded background.
      expect(positives).toBeGreaterThan(50);
      expect(zeros).toBeGreaterThan(2000);
      // Measured: at most 0.6% of the tolerance (defaults), 0.02% (the other options).
      expect(maxDiff).toBeLessThan(1);
    });
  }

  it('onlySamples: the chosen columns agree, the others are NaN', () => {
    const c = plumeCube(32);
    const fast = sparseMatchedFilter(c, target);
    const naive = sparseMatchedFilterNaive(c, target, { onlySamples: [3, 11] });
    for (let p = 0; p < LINES * SAMPLES; p++) {
      const s = p % SAMPLES;
      if (s === 3 || s === 11)
        expect(Math.abs(naive[p] - fast.enhancementPpmM[p])).toBeLessThan(1e-6 + 1e-9 * Math.abs(naive[p]));
      else expect(Number.isNaN(naive[p])).toBe(true);
    }
  });
});
