/**
 * Seeded synthetic radiance cubes with a known methane enhancement, for tests and benchmarks of the
 * detectors (not a scene simulator: src/sim builds scenarios from real backgrounds).
 *
 * Background pixel (line l, sample s):
 *   x = g_s · ( a_{l,s} · base + Σ_k f_{k,l,s} · loading_k ) + white noise
 * with a smooth positive base spectrum, a per-pixel brightness a ~ 1 + 0.15·N(0,1), a per-column
 * gain g_s ~ 1 + 0.02·N(0,1), `factors` latent spectral factors (random smooth loadings) and white
 * noise of `noiseFraction` × base per band: a correlated, column-dependent background.
 * Plume pixels are then multiplied band by band by exp(t_b · q) (Beer–Lambert), q in ppm·m.
 */

import { Rng } from '../random.ts';
import type { RadianceCube } from './cube.ts';

export interface SyntheticCubeSpec {
  readonly lines: number;
  readonly samples: number;
  readonly bands: number;
  readonly seed: number;
  /** Latent correlated factors; default 6. */
  readonly factors?: number;
  /** White-noise standard deviation as a fraction of the base spectrum; default 0.005. */
  readonly noiseFraction?: number;
}

export interface SyntheticCube extends RadianceCube {
  /** Per pixel (lines × samples): its brightness factor g_s · a_{l,s}, so tests know the expected CMF albedo bias. */
  readonly brightness: Float64Array;
}

export function syntheticBackgroundCube(spec: SyntheticCubeSpec): SyntheticCube {
  const { lines, samples, bands, seed } = spec;
  const nf = spec.factors ?? 6;
  const noise = spec.noiseFraction ?? 0.005;
  const rng = new Rng(seed);
  const base = new Float64Array(bands);
  for (let b = 0; b < bands; b++) {
    const u = b / Math.max(1, bands - 1);
    base[b] = 4 + 2 * Math.sin(Math.PI * u) + 0.5 * Math.cos(7 * u) + 0.2 * rng.normal();
  }
  const loading = new Float64Array(nf * bands);
  for (let k = 0; k < nf; k++) {
    // Smooth loadings: random walk, scaled to a few % of the base.
    let v = 0;
    for (let b = 0; b < bands; b++) {
      v = 0.8 * v + rng.normal();
      loading[k * bands + b] = (0.03 / (k + 1)) * v * base[b];
    }
  }
  const gain = new Float64Array(samples);
  for (let s = 0; s < samples; s++) gain[s] = 1 + 0.02 * rng.normal();
  const data = new Float32Array(lines * samples * bands);
  const brightness = new Float64Array(lines * samples);
  const f = new Float64Array(nf);
  for (let l = 0; l < lines; l++) {
    for (let s = 0; s < samples; s++) {
      const o = (l * samples + s) * bands;
      const a = 1 + 0.15 * rng.normal();
      for (let k = 0; k < nf; k++) f[k] = rng.normal();
      const gs = gain[s];
      brightness[l * samples + s] = gs * a;
      for (let b = 0; b < bands; b++) {
        let v = a * base[b];
        for (let k = 0; k < nf; k++) v += f[k] * loading[k * bands + b];
        data[o + b] = gs * v + noise * base[b] * rng.normal();
      }
    }
  }
  return { data, lines, samples, bands, brightness };
}

/** Multiplies pixel `pixel` (line × samples + sample) of `cube` in place by exp(t_b · enhancementPpmM). */
export function implantEnhancement(
  cube: RadianceCube,
  pixel: number,
  targetPerPpmM: Float64Array,
  enhancementPpmM: number,
): void {
  const o = pixel * cube.bands;
  for (let b = 0; b < cube.bands; b++) cube.data[o + b] *= Math.exp(targetPerPpmM[b] * enhancementPpmM);
}
