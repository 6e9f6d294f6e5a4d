/**
 * Seeded smooth random fields shared by the simulators: white Gaussian noise blurred by three
 * passes of a separable box filter of half-width round(correlationPx / 2) (≈ a Gaussian kernel,
 * mirrored at the edges), rescaled to mean 0, sd 1. The SWIR plume texture and the LWIR materials
 * and temperatures are drawn from it. Pure.
 */
import { PlumetraceError } from '../core/errors.ts';
import type { Rng } from '../core/random.ts';

export function checkSize(lines: number, samples: number): void {
  if (!Number.isInteger(lines) || !Number.isInteger(samples) || lines < 1 || samples < 1) {
    throw new PlumetraceError('PT_ERR_BAD_REQUEST', `scene size ${lines} × ${samples} must be positive integers`);
  }
}

/** A seeded field of mean 0 and sd 1, correlated over about `correlationPx` pixels. */
export function smoothGaussianField(lines: number, samples: number, rng: Rng, correlationPx: number): Float64Array {
  checkSize(lines, samples);
  if (!(correlationPx >= 1)) {
    throw new PlumetraceError('PT_ERR_BAD_REQUEST', `correlation length ${correlationPx} px must be >= 1`);
  }
  let g: Float64Array = new Float64Array(lines * samples);
  for (let i = 0; i < g.length; i++) g[i] = rng.normal();
  const r = Math.max(1, Math.round(correlationPx / 2));
  for (let pass = 0; pass < 3; pass++) {
    g = boxBlur(g, lines, samples, r, true);
    g = boxBlur(g, lines, samples, r, false);
  }
  let mean = 0;
  for (let i = 0; i < g.length; i++) mean += g[i];
  mean /= g.length;
  let v = 0;
  for (let i = 0; i < g.length; i++) v += (g[i] - mean) ** 2;
  const sd = Math.sqrt(v / g.length) || 1;
  for (let i = 0; i < g.length; i++) g[i] = (g[i] - mean) / sd;
  return g;
}

function boxBlur(src: Float64Array, lines: number, samples: number, r: number, alongSamples: boolean): Float64Array {
  const out = new Float64Array(src.length);
  const len = alongSamples ? samples : lines;
  const other = alongSamples ? lines : samples;
  for (let o = 0; o < other; o++) {
    for (let i = 0; i < len; i++) {
      let sum = 0;
      for (let d = -r; d <= r; d++) {
        let k = i + d;
        // Mirror at the edges; clamp when the scene is narrower than the kernel.
        if (k < 0) k = -k - 1;
        if (k >= len) k = 2 * len - k - 1;
        k = Math.min(Math.max(k, 0), len - 1);
        sum += alongSamples ? src[o * samples + k] : src[k * samples + o];
      }
      if (alongSamples) out[o * samples + i] = sum / (2 * r + 1);
      else out[i * samples + o] = sum / (2 * r + 1);
    }
  }
  return out;
}
