/**
 * Seeded spatial fields of the LWIR simulator. Pure.
 *
 * - `smoothGaussianField`: white Gaussian noise blurred by three passes of a separable box filter
 *   of half-width round(correlationPx / 2) (≈ a Gaussian kernel), rescaled to mean 0, sd 1.
 * - `materialAbundances`: K smooth fields → softmax(sharpness·g_k) per pixel: spatially smooth
 *   patches of mostly one material, mixed along their borders; abundances sum to 1.
 * - `temperatureField`: T = min + (max − min)·logistic(1.702·g), g one smooth field (the logistic
 *   approximates the normal CDF, so T spreads over the range without hard clipping).
 * - `gaussianPuffShape`: a 2-D Gaussian puff, 1 at its centre:
 *   exp(−½·(a²/σ_along² + c²/σ_across²)), a along `directionDeg` (clockwise from north, i.e. from
 *   up in the image), c across it; pixel centres at integer (line, sample), line growing south.
 */

import { PlumetraceError } from '../../core/errors.ts';
import type { Rng } from '../../core/random.ts';

function checkSize(lines: number, samples: number): void {
  if (!Number.isInteger(lines) || !Number.isInteger(samples) || lines < 1 || samples < 1) {
    throw new PlumetraceError('PT_ERR_BAD_REQUEST', `scene size ${lines} × ${samples} must be positive integers`);
  }
}

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

/** Pixel-major abundances (pixel · K + k) of K materials, each pixel summing to 1. */
export function materialAbundances(
  lines: number,
  samples: number,
  k: number,
  rng: Rng,
  correlationPx: number,
  sharpness: number,
): Float64Array {
  if (!Number.isInteger(k) || k < 1)
    throw new PlumetraceError('PT_ERR_BAD_REQUEST', `material count ${k} must be >= 1`);
  if (!(sharpness >= 0)) throw new PlumetraceError('PT_ERR_BAD_REQUEST', `patch sharpness ${sharpness} must be >= 0`);
  const n = lines * samples;
  const out = new Float64Array(n * k);
  if (k === 1) return out.fill(1);
  const fields = Array.from({ length: k }, () => smoothGaussianField(lines, samples, rng, correlationPx));
  for (let p = 0; p < n; p++) {
    let max = -Infinity;
    for (let m = 0; m < k; m++) max = Math.max(max, fields[m][p]);
    let sum = 0;
    for (let m = 0; m < k; m++) {
      const e = Math.exp(sharpness * (fields[m][p] - max));
      out[p * k + m] = e;
      sum += e;
    }
    for (let m = 0; m < k; m++) out[p * k + m] /= sum;
  }
  return out;
}

/** Surface temperature, K, spread over [minK, maxK] (see the module comment). */
export function temperatureField(
  lines: number,
  samples: number,
  rng: Rng,
  minK: number,
  maxK: number,
  correlationPx: number,
): Float64Array {
  if (!(minK > 0) || !(maxK >= minK) || !Number.isFinite(maxK)) {
    throw new PlumetraceError(
      'PT_ERR_BAD_REQUEST',
      `surface temperature range ${minK}–${maxK} K must satisfy 0 < min <= max`,
    );
  }
  if (maxK === minK) return new Float64Array(lines * samples).fill(minK);
  const g = smoothGaussianField(lines, samples, rng, correlationPx);
  for (let i = 0; i < g.length; i++) g[i] = minK + (maxK - minK) / (1 + Math.exp(-1.702 * g[i]));
  return g;
}

export interface PuffGeometry {
  centerLine: number;
  centerSample: number;
  sigmaAlongPx: number;
  sigmaAcrossPx: number;
  /** Direction of the long axis, degrees clockwise from north (up). */
  directionDeg: number;
}

/** The puff's shape, 1 at the centre, `lines × samples` row-major. */
export function gaussianPuffShape(lines: number, samples: number, g: PuffGeometry): Float64Array {
  checkSize(lines, samples);
  if (!(g.sigmaAlongPx > 0) || !(g.sigmaAcrossPx > 0)) {
    throw new PlumetraceError(
      'PT_ERR_BAD_REQUEST',
      `puff sigmas ${g.sigmaAlongPx} and ${g.sigmaAcrossPx} px must be > 0`,
    );
  }
  if (![g.centerLine, g.centerSample, g.directionDeg].every(Number.isFinite)) {
    throw new PlumetraceError('PT_ERR_BAD_REQUEST', 'puff centre and direction must be finite');
  }
  const th = (g.directionDeg * Math.PI) / 180;
  const dirE = Math.sin(th);
  const dirN = Math.cos(th);
  const out = new Float64Array(lines * samples);
  for (let l = 0; l < lines; l++) {
    const north = -(l - g.centerLine);
    for (let s = 0; s < samples; s++) {
      const east = s - g.centerSample;
      const a = (east * dirE + north * dirN) / g.sigmaAlongPx;
      const c = (east * dirN - north * dirE) / g.sigmaAcrossPx;
      out[l * samples + s] = Math.exp(-0.5 * (a * a + c * c));
    }
  }
  return out;
}
