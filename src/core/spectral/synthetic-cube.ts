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

import { PlumetraceError } from '../errors.ts';
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
  const noise = spec.noiseFraction ?? 0.005;
  const rng = new Rng(seed);
  const m = drawModel(spec, rng);
  const data = new Float32Array(lines * samples * bands);
  const brightness = new Float64Array(lines * samples);
  for (let l = 0; l < lines; l++) drawLine(m, rng, noise, samples, bands, data, brightness, l);
  return { data, lines, samples, bands, brightness };
}

/**
 * Lines [line0, line0 + count) of a long synthetic flightline, BIP float32: the same base spectrum,
 * loadings and column gains as `syntheticBackgroundCube(spec)` (so the same background statistics
 * along the whole line), but each line's pixels drawn from its own seeded stream, so any window can
 * be made alone and a flightline far larger than memory written chunk by chunk. (The pixels differ
 * from syntheticBackgroundCube's, which draws all lines from one stream.) `spec.lines` is the
 * flightline's length.
 */
export function syntheticBackgroundLines(spec: SyntheticCubeSpec, line0: number, count: number): Float32Array {
  const { lines, samples, bands, seed } = spec;
  if (!Number.isInteger(line0) || !Number.isInteger(count) || line0 < 0 || count < 0 || line0 + count > lines) {
    throw new PlumetraceError('PT_ERR_SPECTRAL_INPUT', `lines ${line0}…${line0 + count} are outside 0…${lines}`);
  }
  const m = drawModel(spec, new Rng(seed));
  const noise = spec.noiseFraction ?? 0.005;
  const data = new Float32Array(count * samples * bands);
  const brightness = new Float64Array(count * samples);
  for (let l = 0; l < count; l++) {
    const rng = new Rng(seed * 1_000_003 + line0 + l + 1);
    drawLine(m, rng, noise, samples, bands, data, brightness, l);
  }
  return data;
}

interface BackgroundModel {
  readonly nf: number;
  readonly base: Float64Array;
  readonly loading: Float64Array;
  readonly gain: Float64Array;
  readonly f: Float64Array;
}

function drawModel(spec: SyntheticCubeSpec, rng: Rng): BackgroundModel {
  const { samples, bands } = spec;
  const nf = spec.factors ?? 6;
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
  return { nf, base, loading, gain, f: new Float64Array(nf) };
}

/** Draws line `l` of `data` (and `brightness`) from `rng`. */
function drawLine(
  m: BackgroundModel,
  rng: Rng,
  noise: number,
  samples: number,
  bands: number,
  data: Float32Array,
  brightness: Float64Array,
  l: number,
): void {
  const { nf, base, loading, gain, f } = m;
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
