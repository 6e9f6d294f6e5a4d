/**
 * Seeded scenario draws for suites of LWIR scenes (detection and identification benchmarks): each
 * seed gives one `LwirSceneOptions` — plume-free, one gas or a two-gas mixture — over the real
 * atmospheres. Pure.
 *
 * Draws (all uniform unless said): kind by `plumeFreeFraction` (default 0.2) and
 * `mixtureFraction` of the plume scenes (default 0.3); the gases without replacement from `gases`;
 * each peak column log-uniform in [minPeakPpmM, maxPeakPpmM] (defaults 20–2000 ppm·m, to be scaled
 * per gas by the caller through `peakScale`, e.g. to multiples of its noise-equivalent column); the
 * gas–ground contrast in ±[minAbsContrastK, maxAbsContrastK] (default 2–10 K, either sign, so a
 * plume shows in emission or in absorption; 0–0 gives the vanishing case); the atmosphere among
 * all of them; the puff centre in the middle half of the scene, σ along 8–25% and across 4–10% of
 * the scene's size, any direction.
 */

import { PlumetraceError } from '../../core/errors.ts';
import { Rng } from '../../core/random.ts';
import type { GasAbsorbance } from '../../core/spectral/lwir-types.ts';
import type { LwirSceneOptions } from './scene.ts';

export interface LwirScenarioDraw {
  lines?: number;
  samples?: number;
  atmosphereCount: number;
  plumeFreeFraction?: number;
  mixtureFraction?: number;
  minPeakPpmM?: number;
  maxPeakPpmM?: number;
  /** Multiplies the drawn peak column of a gas (default 1 for every gas). */
  peakScale?: (gas: GasAbsorbance) => number;
  minAbsContrastK?: number;
  maxAbsContrastK?: number;
}

export function drawLwirScenario(seed: number, gases: readonly GasAbsorbance[], d: LwirScenarioDraw): LwirSceneOptions {
  const lines = d.lines ?? 64;
  const samples = d.samples ?? 64;
  const pFree = d.plumeFreeFraction ?? 0.2;
  const pMix = d.mixtureFraction ?? 0.3;
  const lo = d.minPeakPpmM ?? 20;
  const hi = d.maxPeakPpmM ?? 2000;
  const cLo = d.minAbsContrastK ?? 2;
  const cHi = d.maxAbsContrastK ?? 10;
  const bad = (detail: string): never => {
    throw new PlumetraceError('PT_ERR_BAD_REQUEST', detail);
  };
  if (!(pFree >= 0 && pFree <= 1) || !(pMix >= 0 && pMix <= 1)) bad('plume-free and mixture fractions must be in 0–1');
  if (!(lo > 0 && hi >= lo)) bad(`peak column range ${lo}–${hi} ppm·m must satisfy 0 < min <= max`);
  if (!(cLo >= 0 && cHi >= cLo)) bad(`contrast range ${cLo}–${cHi} K must satisfy 0 <= min <= max`);
  if (!Number.isInteger(d.atmosphereCount) || d.atmosphereCount < 1) bad('atmosphereCount must be an integer >= 1');
  if (gases.length < 1) bad('no gases to draw from');

  const rng = new Rng(seed);
  const atmosphereIndex = rng.int(d.atmosphereCount);
  const base: LwirSceneOptions = { seed, lines, samples, atmosphereIndex, plume: null };
  if (rng.uniform() < pFree) return base;
  const n = gases.length >= 2 && rng.uniform() < pMix ? 2 : 1;
  const pool = [...gases];
  const chosen: GasAbsorbance[] = [];
  for (let i = 0; i < n; i++) chosen.push(pool.splice(rng.int(pool.length), 1)[0]);
  const size = Math.min(lines, samples);
  const contrast = (cLo + (cHi - cLo) * rng.uniform()) * (rng.uniform() < 0.5 ? -1 : 1);
  return {
    ...base,
    plume: {
      gases: chosen.map((gas) => ({
        gas,
        peakColumnPpmM:
          Math.exp(Math.log(lo) + (Math.log(hi) - Math.log(lo)) * rng.uniform()) * (d.peakScale?.(gas) ?? 1),
      })),
      centerLine: Math.round(lines * (0.25 + 0.5 * rng.uniform())),
      centerSample: Math.round(samples * (0.25 + 0.5 * rng.uniform())),
      sigmaAlongPx: size * (0.08 + 0.17 * rng.uniform()),
      sigmaAcrossPx: size * (0.04 + 0.06 * rng.uniform()),
      directionDeg: 360 * rng.uniform(),
      contrastK: contrast,
    },
  };
}
