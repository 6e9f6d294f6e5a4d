/**
 * Benchmark: LWIR detection and identification (`detectLwirGases`, defaults) on a seeded 128 × 128
 * HyTES-like scene (252 channels, one of the real Gross atmospheres, an acetone + tetrachloroethene
 * plume) with every quantitative gas of the shipped library (28) as a candidate, against the naive
 * reference matched filter (src/core/spectral/lwir-detect-naive.ts: one pass, explicit Σ⁻¹, full
 * products), both measured in this run on this machine. Prints one JSON object.
 *
 * Rounds alternate the fast path (full chain: up to 5 background passes, ACE, masks,
 * identification), the fast path with one pass (the same estimator as the naive reference) and the
 * naive reference, after a warm-up of each; the best of `REPEATS` of each is reported, plus every
 * run, so load from other processes cannot favour one side. The one-pass columns are checked against
 * the naive ones (largest difference in units of each gas's NEC).
 *
 *   node --import tsx bench/lwir-detect.ts
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { toGasAbsorbance } from '../src/core/spectral/lwir-channels.ts';
import { channelAbsorbance, detectLwirGases, type LwirDetectInput } from '../src/core/spectral/lwir-detect.ts';
import { lwirMatchedFilterNaive } from '../src/core/spectral/lwir-detect-naive.ts';
import type { GasAbsorbance } from '../src/core/spectral/lwir-types.ts';
import { DEFAULT_GAS_LIBRARY_DIR, readGasSpectrumFile } from '../src/io/gas-library.ts';
import { atmosphereOnChannels, loadLwirInputs, simulateLwirScene } from '../src/sim/lwir/index.ts';

const SIZE = 128;
const REPEATS = 3;

const inputs = loadLwirInputs('grosskc');
const gases: GasAbsorbance[] = [];
for (const f of readdirSync(DEFAULT_GAS_LIBRARY_DIR).sort()) {
  const spec = await readGasSpectrumFile(join(DEFAULT_GAS_LIBRARY_DIR, f));
  if (spec.quantitative) gases.push(toGasAbsorbance(spec));
}
const byName = (n: string) => gases.find((g) => g.name === n) as GasAbsorbance;
const scene = simulateLwirScene(
  {
    seed: 20261126,
    lines: SIZE,
    samples: SIZE,
    atmosphereIndex: 17,
    plume: {
      gases: [
        { gas: byName('Acetone'), peakColumnPpmM: 300 },
        { gas: byName('Tetrachloroethene'), peakColumnPpmM: 60 },
      ],
      centerLine: 64,
      centerSample: 40,
      sigmaAlongPx: 14,
      sigmaAcrossPx: 5,
      directionDeg: 80,
      contrastK: 6,
    },
  },
  inputs,
);
const ch = { centerCm1: scene.centerCm1, fwhmCm1: scene.fwhmCm1 };
const input: LwirDetectInput = {
  radiance: scene.radiance,
  lines: scene.lines,
  samples: scene.samples,
  bands: scene.bands,
  centerCm1: scene.centerCm1,
  gases: gases.map((g) => ({ name: g.name, cas: g.cas, absorbancePerPpmM: channelAbsorbance(g, ch) })),
  ...atmosphereOnChannels(scene, inputs),
};
const opts = { gasTemperatureK: scene.truth.gasTemperatureK };

function time<T>(f: () => T): [T, number] {
  const t0 = performance.now();
  const r = f();
  return [r, performance.now() - t0];
}

detectLwirGases(input, opts); // warm-up (JIT)
detectLwirGases(input, { ...opts, passes: 1 });
lwirMatchedFilterNaive(input, opts);
const fullMs: number[] = [];
const onePassMs: number[] = [];
const naiveMs: number[] = [];
let full = detectLwirGases(input, opts);
let one = full;
let naive = lwirMatchedFilterNaive(input, opts);
for (let i = 0; i < REPEATS; i++) {
  let ms: number;
  [full, ms] = time(() => detectLwirGases(input, opts));
  fullMs.push(ms);
  [one, ms] = time(() => detectLwirGases(input, { ...opts, passes: 1 }));
  onePassMs.push(ms);
  [naive, ms] = time(() => lwirMatchedFilterNaive(input, opts));
  naiveMs.push(ms);
}
let worst = 0;
one.gases.forEach((g, i) => {
  for (let p = 0; p < g.columnPpmM.length; p++) {
    worst = Math.max(worst, Math.abs(g.columnPpmM[p] - naive.columnPpmM[i][p]) / naive.necPpmM[i]);
  }
});
const round = (v: number, d = 1) => Math.round(v * 10 ** d) / 10 ** d;
const npx = SIZE * SIZE;
const best = (v: number[]) => Math.min(...v);
const top = [...full.plumes].sort((a, b) => b.pixelCount - a.pixelCount)[0];
console.log(
  JSON.stringify(
    {
      cube: `${SIZE}x${SIZE}x${scene.bands}`,
      candidateGases: gases.length,
      fullMs: round(best(fullMs)),
      fullPixelsPerSecond: Math.round(npx / (best(fullMs) / 1000)),
      onePassMs: round(best(onePassMs)),
      onePassPixelsPerSecond: Math.round(npx / (best(onePassMs) / 1000)),
      naiveMs: round(best(naiveMs)),
      naivePixelsPerSecond: Math.round(npx / (best(naiveMs) / 1000)),
      speedupOnePassVsNaive: round(best(naiveMs) / best(onePassMs), 2),
      runsMs: {
        full: fullMs.map((v) => round(v)),
        onePass: onePassMs.map((v) => round(v)),
        naive: naiveMs.map((v) => round(v)),
      },
      onePassVsNaiveMaxDiffNec: worst,
      plumes: full.plumes.length,
      largestPlume: top ? { pixels: top.pixelCount, gases: top.gases.map((g) => g.name) } : null,
      truth: scene.truth.gases.map((g) => g.name),
      threads: 1,
      node: process.version,
      algorithmVersion: full.algorithmVersion,
    },
    null,
    2,
  ),
);
