/**
 * Benchmark: sparse, albedo-corrected matched filter (mag1c-style, src/core/spectral/mag1c.ts) vs
 * the column-wise matched filter on the same 512 × 512 × 72-band synthetic cube as
 * bench/spectral-cmf.ts (same seed, same 200 implanted 1500 ppm·m pixels), both measured in this
 * run on this machine, single thread. After a warm-up of each, runs alternate and the best of
 * `REPEATS` of each is reported, plus every run. Prints one JSON object.
 *
 *   node --import tsx bench/spectral-mag1c.ts
 */
import { sparseMatchedFilter } from '../src/core/spectral/mag1c.ts';
import { matchedFilter } from '../src/core/spectral/matched-filter.ts';
import { BANDS, cube, IMPLANT_PPM_M, LINES, plume, REPEATS, SAMPLES, target, time } from './spectral-setup.ts';

matchedFilter(cube, target); // warm-up (JIT)
sparseMatchedFilter(cube, target);
const sparseRunsMs: number[] = [];
const cmfRunsMs: number[] = [];
let sparse = sparseMatchedFilter(cube, target);
let cmf = matchedFilter(cube, target);
for (let i = 0; i < REPEATS; i++) {
  const [r, ms] = time(() => sparseMatchedFilter(cube, target));
  sparse = r;
  sparseRunsMs.push(ms);
  const [c, cms] = time(() => matchedFilter(cube, target));
  cmf = c;
  cmfRunsMs.push(cms);
}
const sparseMs = Math.min(...sparseRunsMs);
const cmfMs = Math.min(...cmfRunsMs);

// Quality on the implanted pixels and the background, for context.
let zeros = 0;
let background = 0;
let sparseErr = 0;
let cmfErr = 0;
for (let p = 0; p < LINES * SAMPLES; p++) {
  if (plume[p] === 1) {
    sparseErr += Math.abs(sparse.enhancementPpmM[p] - IMPLANT_PPM_M);
    cmfErr += Math.abs(cmf.enhancementPpmM[p] - IMPLANT_PPM_M);
  } else {
    background++;
    if (sparse.enhancementPpmM[p] === 0) zeros++;
  }
}
const mean = (a: Float64Array) => a.reduce((s, v) => s + v, 0) / a.length;

const round = (v: number, d = 1) => Math.round(v * 10 ** d) / 10 ** d;
console.log(
  JSON.stringify(
    {
      cube: `${LINES}x${SAMPLES}x${BANDS}`,
      sparseMs: round(sparseMs),
      cmfMs: round(cmfMs),
      iterations: sparse.iterations,
      pixelsPerSecond: Math.round((LINES * SAMPLES) / (sparseMs / 1000)),
      sparseOverCmf: round(sparseMs / cmfMs, 2),
      sparseRunsMs: sparseRunsMs.map((v) => round(v)),
      cmfRunsMs: cmfRunsMs.map((v) => round(v)),
      statisticsUpdates: { lowRank: sparse.lowRankUpdates, fullRecompute: sparse.fullRecomputes },
      backgroundZeroFraction: round(zeros / background, 4),
      implantedMeanAbsErrorPpmM: { sparse: round(sparseErr / 200), cmf: round(cmfErr / 200) },
      meanNoiseSigmaPpmM: { sparse: round(mean(sparse.noiseSigmaPpmM)), cmf: round(mean(cmf.noiseSigmaPpmM)) },
      columnGroups: sparse.groups.groupPixels.length,
      threads: 1,
      node: process.version,
      algorithmVersion: sparse.algorithmVersion,
    },
    null,
    2,
  ),
);
