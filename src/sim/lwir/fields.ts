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
import { checkSize, smoothGaussianField } from '../smooth-field.ts';

export { smoothGaussianField };

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
