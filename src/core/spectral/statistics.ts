/**
 * Background statistics per detector-column group: mean radiance and a shrunk covariance, kept as
 * its Cholesky factor. Shared by the matched filter and ACE.
 *
 * Fast path, one group at a time:
 *   1. copy the group's statistics pixels once into a float64 panel (rows padded to a multiple of
 *      4 with zeros) while summing them → mean;
 *   2. centre the panel in place, summing ‖x − μ‖⁴ for Ledoit–Wolf on the way;
 *   3. Gram matrix XᵀX of the centred panel: upper triangle only, 4×4 register tiles in float64
 *      (16 accumulators, each panel row read as two 4-vectors), so no cancellation and half the work;
 *   4. shrink, factor (Cholesky), done: the matched filter then needs one solve per group.
 *
 * Covariance estimate: S = XᵀX / n (n statistics pixels of the group), then
 *   - Ledoit–Wolf (default; Ledoit & Wolf 2004, J. Multivariate Anal. 88, 365) toward the scaled
 *     identity m·I, m = tr(S)/p:  Σ = ρ·m·I + (1 − ρ)·S with
 *       d² = ‖S − m·I‖²_F / p,   b̄² = (Σ_k ‖x_k‖⁴ − n·‖S‖²_F) / (n²·p),   ρ = min(b̄², d²) / d²;
 *   - or diagonal loading:  Σ = S + ε·m·I  with a fixed fraction ε.
 * The filters are invariant to the scale of Σ, so 1/n versus 1/(n − 1) does not matter.
 */

import { PlumetraceError } from '../errors.ts';
import {
  type ColumnGroups,
  DEFAULT_MIN_PIXELS_PER_BAND,
  type PixelClasses,
  type PixelRules,
  type RadianceCube,
  classifyPixels,
  planColumnGroups,
} from './cube.ts';
import { choleskyInPlace } from '../linalg.ts';

export type Shrinkage =
  | { readonly kind: 'ledoit-wolf' }
  | { readonly kind: 'diagonal-loading'; readonly fraction: number };

export interface StatisticsOptions extends PixelRules {
  /** Minimum statistics pixels per band for a column group (see planColumnGroups). Default 1.5. */
  readonly minPixelsPerBand?: number;
  /** Covariance shrinkage. Default Ledoit–Wolf. */
  readonly shrinkage?: Shrinkage;
}

export interface BackgroundStatistics {
  readonly lines: number;
  readonly samples: number;
  readonly bands: number;
  readonly classes: PixelClasses;
  readonly groups: ColumnGroups;
  /** Mean radiance per group: `mean[g * bands + b]`. */
  readonly mean: Float64Array;
  /** Lower Cholesky factor L of each group's shrunk covariance (Σ = L·Lᵀ): `choleskyFactor[g * bands² + i * bands + j]`. */
  readonly choleskyFactor: Float64Array;
  /** Per group: Ledoit–Wolf intensity ρ, or the diagonal-loading fraction ε. */
  readonly shrinkageIntensity: Float64Array;
  /** Per group: 1 when the covariance factored; 0 (degenerate group: outputs NaN) otherwise. */
  readonly groupOk: Uint8Array;
}

/** Computes the background statistics of `cube` (fast path; see the file comment). */
export function backgroundStatistics(cube: RadianceCube, options: StatisticsOptions = {}): BackgroundStatistics {
  const classes = classifyPixels(cube, options);
  const { lines, samples, bands, data } = cube;
  const groups = planColumnGroups(
    classes.inStatistics,
    lines,
    samples,
    bands,
    options.minPixelsPerBand ?? DEFAULT_MIN_PIXELS_PER_BAND,
  );
  const shrinkage = options.shrinkage ?? { kind: 'ledoit-wolf' };
  if (shrinkage.kind === 'diagonal-loading' && !(shrinkage.fraction >= 0 && Number.isFinite(shrinkage.fraction))) {
    throw new PlumetraceError(
      'PT_ERR_SPECTRAL_INPUT',
      `diagonal loading fraction must be ≥ 0, got ${shrinkage.fraction}`,
    );
  }
  const nGroups = groups.groupPixels.length;
  const stride = (bands + 3) & ~3;
  let maxPixels = 0;
  for (let g = 0; g < nGroups; g++) maxPixels = Math.max(maxPixels, groups.groupPixels[g]);
  const panel = new Float64Array(maxPixels * stride);
  const gram = new Float64Array(stride * stride);
  const sum = new Float64Array(bands);
  const mean = new Float64Array(nGroups * bands);
  const factor = new Float64Array(nGroups * bands * bands);
  const intensity = new Float64Array(nGroups);
  const groupOk = new Uint8Array(nGroups);
  const inStats = classes.inStatistics;

  for (let g = 0; g < nGroups; g++) {
    const s0 = groups.groupStart[g];
    const s1 = groups.groupStart[g + 1];
    // 1. Copy the statistics pixels into the panel and sum them.
    sum.fill(0);
    let n = 0;
    for (let l = 0; l < lines; l++) {
      for (let s = s0; s < s1; s++) {
        const p = l * samples + s;
        if (inStats[p] === 0) continue;
        const src = p * bands;
        const dst = n * stride;
        for (let b = 0; b < bands; b++) {
          const v = data[src + b];
          panel[dst + b] = v;
          sum[b] += v;
        }
        n++;
      }
    }
    const mo = g * bands;
    for (let b = 0; b < bands; b++) mean[mo + b] = sum[b] / n;
    // 2. Centre, and Σ‖x‖⁴ for Ledoit–Wolf.
    let sumNorm4 = 0;
    for (let k = 0; k < n; k++) {
      const o = k * stride;
      let sq = 0;
      for (let b = 0; b < bands; b++) {
        const c = panel[o + b] - mean[mo + b];
        panel[o + b] = c;
        sq += c * c;
      }
      sumNorm4 += sq * sq;
    }
    // 3. Upper triangle of XᵀX.
    gramUpper4x4(panel, n, stride, gram);
    // 4. Shrink into the lower triangle of this group's factor slot, then factor.
    const fo = g * bands * bands;
    const invN = 1 / n;
    let trace = 0;
    let frob2 = 0;
    for (let i = 0; i < bands; i++) {
      const sii = gram[i * stride + i] * invN;
      trace += sii;
      frob2 += sii * sii;
      for (let j = i + 1; j < bands; j++) {
        const sij = gram[i * stride + j] * invN;
        frob2 += 2 * sij * sij;
      }
    }
    const m = trace / bands;
    let rho: number;
    let scaleS: number;
    let diag: number;
    if (shrinkage.kind === 'ledoit-wolf') {
      const d2 = (frob2 - (trace * trace) / bands) / bands;
      const b2bar = Math.max(0, (sumNorm4 - n * frob2) / (n * n * bands));
      rho = d2 > 0 ? Math.min(b2bar, d2) / d2 : 1;
      scaleS = 1 - rho;
      diag = rho * m;
    } else {
      rho = shrinkage.fraction;
      scaleS = 1;
      diag = rho * m;
    }
    intensity[g] = rho;
    for (let i = 0; i < bands; i++) {
      for (let j = 0; j <= i; j++) factor[fo + i * bands + j] = scaleS * gram[j * stride + i] * invN;
      factor[fo + i * bands + i] += diag;
    }
    if (choleskyInPlace(factor, bands, fo)) groupOk[g] = 1;
    else factor.fill(Number.NaN, fo, fo + bands * bands);
  }
  return {
    lines,
    samples,
    bands,
    classes,
    groups,
    mean,
    choleskyFactor: factor,
    shrinkageIntensity: intensity,
    groupOk,
  };
}

/**
 * out[i * stride + j] = Σ_k x[k, i] · x[k, j] for the 4×4 tiles on or above the diagonal
 * (i, j < stride; stride a multiple of 4; rows k < n of x, row-major with `stride`). Entries below
 * the diagonal inside diagonal tiles are written too; tiles wholly below it are not touched.
 */
export function gramUpper4x4(x: Float64Array, n: number, stride: number, out: Float64Array): void {
  for (let bi = 0; bi < stride; bi += 4) {
    for (let bj = bi; bj < stride; bj += 4) {
      let c00 = 0;
      let c01 = 0;
      let c02 = 0;
      let c03 = 0;
      let c10 = 0;
      let c11 = 0;
      let c12 = 0;
      let c13 = 0;
      let c20 = 0;
      let c21 = 0;
      let c22 = 0;
      let c23 = 0;
      let c30 = 0;
      let c31 = 0;
      let c32 = 0;
      let c33 = 0;
      const end = n * stride;
      for (let o = 0; o < end; o += stride) {
        const a0 = x[o + bi];
        const a1 = x[o + bi + 1];
        const a2 = x[o + bi + 2];
        const a3 = x[o + bi + 3];
        const b0 = x[o + bj];
        const b1 = x[o + bj + 1];
        const b2 = x[o + bj + 2];
        const b3 = x[o + bj + 3];
        c00 += a0 * b0;
        c01 += a0 * b1;
        c02 += a0 * b2;
        c03 += a0 * b3;
        c10 += a1 * b0;
        c11 += a1 * b1;
        c12 += a1 * b2;
        c13 += a1 * b3;
        c20 += a2 * b0;
        c21 += a2 * b1;
        c22 += a2 * b2;
        c23 += a2 * b3;
        c30 += a3 * b0;
        c31 += a3 * b1;
        c32 += a3 * b2;
        c33 += a3 * b3;
      }
      let r = bi * stride + bj;
      out[r] = c00;
      out[r + 1] = c01;
      out[r + 2] = c02;
      out[r + 3] = c03;
      r += stride;
      out[r] = c10;
      out[r + 1] = c11;
      out[r + 2] = c12;
      out[r + 3] = c13;
      r += stride;
      out[r] = c20;
      out[r + 1] = c21;
      out[r + 2] = c22;
      out[r + 3] = c23;
      r += stride;
      out[r] = c30;
      out[r + 1] = c31;
      out[r + 2] = c32;
      out[r + 3] = c33;
    }
  }
}
