import { describe, expect, it } from 'vitest';
import { PlumetraceError } from '../errors.ts';
import { Rng } from '../random.ts';
import { type PlumeMaskResult, plumeMask } from './plumes.ts';
import {
  MIN_SEGMENT_LINES,
  mergedPlumeMask,
  planSegments,
  SEGMENT_HALO_LINES,
  SegmentPlumeMerger,
} from './segments.ts';

describe('planSegments', () => {
  it('a flightline of at most the window length is one window, the whole scene', () => {
    expect(planSegments(2000, 2000)).toEqual([{ line0: 0, lines: 2000, coreLine0: 0, coreLine1: 2000 }]);
    expect(planSegments(7, 128)).toEqual([{ line0: 0, lines: 7, coreLine0: 0, coreLine1: 7 }]);
  });

  for (const [lines, n] of [
    [5000, 2000],
    [20000, 2000],
    [300, 128],
    [129, 128],
  ] as const) {
    it(`${lines} lines in windows of ≤ ${n}: cores partition the lines, each window is its core ± the overlap`, () => {
      const plan = planSegments(lines, n);
      expect(plan.length).toBeGreaterThan(1);
      let next = 0;
      for (const w of plan) {
        expect(w.coreLine0).toBe(next);
        next = w.coreLine1;
        expect(w.lines).toBeLessThanOrEqual(n);
        expect(w.line0).toBe(Math.max(0, w.coreLine0 - SEGMENT_HALO_LINES));
        expect(w.line0 + w.lines).toBe(Math.min(lines, w.coreLine1 + SEGMENT_HALO_LINES));
      }
      expect(next).toBe(lines);
    });
  }

  it('refuses a window shorter than four overlaps, or not an integer, with PT_ERR_USAGE', () => {
    for (const n of [MIN_SEGMENT_LINES - 1, 0, 500.5, Number.NaN]) {
      let code = 'none';
      try {
        planSegments(1000, n);
      } catch (e) {
        expect(e).toBeInstanceOf(PlumetraceError);
        code = (e as PlumetraceError).code;
        expect((e as Error).message).toContain('--segment-lines');
      }
      expect(code).toBe('PT_ERR_USAGE');
    }
  });
});

/** The rows [line0, line0 + lines) of a whole-scene mask, as a window's mask. */
function windowOf(m: PlumeMaskResult, line0: number, lines: number): PlumeMaskResult {
  const S = m.samples;
  const a = line0 * S;
  const b = (line0 + lines) * S;
  return {
    ...m,
    lines,
    labels: m.labels.slice(a, b),
    zScore: m.zScore.slice(a, b),
    noiseSigmaPpmM: m.noiseSigmaPpmM.slice(a, b),
    backgroundPpmM: m.backgroundPpmM.slice(a, b),
  };
}

describe('SegmentPlumeMerger', () => {
  // Noise of 100 ppm·m and blobs: one inside a core, one across a core boundary (line 128 of 384
  // in windows of 128: cores of 64), and two blobs 4 lines apart on either side of the boundary at 256
  // (the mask's merge-within-distance step joins them: they never touch).
  const L = 384;
  const S = 40;
  const rng = new Rng(11);
  const map = Float64Array.from({ length: L * S }, () => 100 * rng.normal());
  const blob = (cl: number, cs: number, sl: number, ss: number, peak: number, lines?: [number, number]) => {
    for (let l = 0; l < L; l++) {
      if (lines && (l < lines[0] || l > lines[1])) continue;
      for (let s = 0; s < S; s++)
        map[l * S + s] += peak * Math.exp(-0.5 * (((l - cl) / sl) ** 2 + ((s - cs) / ss) ** 2));
    }
  };
  blob(32 + 60, 10, 5, 3, 1500);
  blob(128, 28, 12, 3, 1500);
  blob(252, 12, 6, 3, 1500, [240, 253]);
  blob(260, 12, 6, 3, 1500, [257, 272]);
  const whole = plumeMask(map, L, S, { sigmaPpmM: new Float64Array(L * S).fill(100) });

  it('given the whole-scene mask window by window, returns exactly its plumes (sums, maxima, boxes)', () => {
    expect(whole.plumes.length).toBeGreaterThanOrEqual(3);
    const plan = planSegments(L, 128);
    expect(plan.length).toBe(6);
    const merger = new SegmentPlumeMerger(plan, S);
    plan.forEach((w, k) => {
      merger.add(k, windowOf(whole, w.line0, w.lines), map.slice(w.line0 * S, (w.line0 + w.lines) * S));
    });
    const merged = merger.finish();
    expect(merged.length).toBe(whole.plumes.length);
    for (const pl of whole.plumes) {
      // The merged plume holding this plume's max pixel.
      const m = merged.find((x) => x.pixels.includes(pl.maxPixel));
      expect(m).toBeDefined();
      const r = (m as (typeof merged)[number]).region;
      expect(r.pixelCount).toBe(pl.pixelCount);
      expect(r.maxPixel).toBe(pl.maxPixel);
      expect(r.maxEnhancementPpmM).toBe(pl.maxEnhancementPpmM);
      expect([r.lineMin, r.lineMax, r.sampleMin, r.sampleMax]).toEqual([
        pl.lineMin,
        pl.lineMax,
        pl.sampleMin,
        pl.sampleMax,
      ]);
      expect(Math.abs(r.sumEnhancementPpmM - pl.sumEnhancementPpmM)).toBeLessThan(
        1e-9 * Math.abs(pl.sumEnhancementPpmM),
      );
      expect(Math.abs(r.sumNoiseVariancePpmM2 - pl.sumNoiseVariancePpmM2)).toBeLessThan(
        1e-9 * pl.sumNoiseVariancePpmM2,
      );
      expect(Math.abs(r.score - pl.score)).toBeLessThan(1e-9 * Math.abs(pl.score));
    }
    // The plume across line 128 spans cores 1 and 2 and was seen by windows 1–3 (or more).
    const across = merged.find((x) => x.region.lineMin < 128 && x.region.lineMax >= 128);
    expect(across?.windows.length).toBeGreaterThanOrEqual(2);
    // The two blobs around line 256 never touch, yet are one plume (joined within the merge distance).
    const joined = merged.filter((x) => x.region.lineMin <= 253 && x.region.lineMax >= 257 && x.region.sampleMin < 20);
    expect(joined.length).toBe(1);
    // The one-plume mask over its box carries the same sums.
    const sub = mergedPlumeMask(joined[0], S, whole.algorithmVersion, whole.options);
    let count = 0;
    for (const v of sub.mask.labels) count += v;
    expect(count).toBe(joined[0].region.pixelCount);
    expect(sub.mask.plumes[0].sumEnhancementPpmM).toBe(joined[0].region.sumEnhancementPpmM);
  });

  it('a skipped window contributes nothing and links nothing; the others still merge', () => {
    const plan = planSegments(L, 128);
    const merger = new SegmentPlumeMerger(plan, S);
    plan.forEach((w, k) => {
      if (k === 2) merger.skip(k);
      else merger.add(k, windowOf(whole, w.line0, w.lines), map.slice(w.line0 * S, (w.line0 + w.lines) * S));
    });
    const merged = merger.finish();
    // Core 2 (lines 128–191) is gone: the plume across line 128 keeps only its pixels above 128.
    for (const m of merged) {
      for (const p of m.pixels) expect(Math.floor(p / S) < 128 || Math.floor(p / S) >= 192).toBe(true);
    }
    // The plume across line 128 (samples ≈ 28) ends at line 127 and was seen by window 1 only.
    const part = merged.find((m) => m.region.sampleMin > 20 && m.region.lineMin < 128);
    expect(part?.region.lineMax).toBe(127);
    expect(part?.windows).toEqual([1]);
    // The blobs around line 256 (cores 3 and 4) are still one plume.
    expect(
      merged.filter((x) => x.region.lineMin <= 253 && x.region.lineMax >= 257 && x.region.sampleMin < 20),
    ).toHaveLength(1);
  });

  it('refuses windows out of order and an unfinished run', () => {
    const plan = planSegments(L, 128);
    const merger = new SegmentPlumeMerger(plan, S);
    expect(() => merger.add(1, windowOf(whole, plan[1].line0, plan[1].lines), new Float64Array(0))).toThrow(
      PlumetraceError,
    );
    expect(() => merger.finish()).toThrow(/0 of 6 segments/);
  });
});
