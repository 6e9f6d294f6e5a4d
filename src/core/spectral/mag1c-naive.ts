/**
 * Naive reference of the sparse, albedo-corrected matched filter of mag1c.ts: the same estimator
 * (see that file's comment for the model, the reweighted-L1 α-step and the scaling of λ and ε)
 * written the plain way — float64 arrays, every statistics step recomputed from the pixels (mean,
 * full covariance with both triangles, Ledoit–Wolf from its definition Σ_k ‖y_k y_kᵀ − S‖²_F), the
 * covariance inverted explicitly (Gauss–Jordan with partial pivoting), medians by sorting. No
 * moments about a centre, no low-rank updates, no Cholesky. Slow on purpose: the tests and
 * bench/spectral-swir.ts compare mag1c.ts against it. It shares only the pixel rules and column
 * grouping (cube.ts), which have their own tests.
 */

import type { RadianceCube } from './cube.ts';
import {
  MAG1C_DEFAULT_EPSILON_NOISE_SIGMAS,
  MAG1C_DEFAULT_ITERATIONS,
  MAG1C_DEFAULT_SPARSITY_NOISE_SIGMAS,
  type SparseMatchedFilterOptions,
} from './mag1c.ts';
import { naiveColumnGroups, naiveMeanAndCovariance } from './matched-filter-naive.ts';

export interface NaiveSparseOptions extends SparseMatchedFilterOptions {
  /** Only these samples (columns) get an output (others NaN); their groups are computed in full. */
  readonly onlySamples?: readonly number[];
}

/** Enhancement per pixel (lines × samples), ppm·m; NaN where no data, where the group failed, or outside `onlySamples`. */
export function sparseMatchedFilterNaive(
  cube: RadianceCube,
  targetPerPpmM: Float64Array,
  options: NaiveSparseOptions = {},
): Float64Array {
  const { lines, samples, bands: p, data } = cube;
  const K = options.iterations ?? MAG1C_DEFAULT_ITERATIONS;
  const kappa = options.sparsityNoiseSigmas ?? MAG1C_DEFAULT_SPARSITY_NOISE_SIGMAS;
  const epsSigmas = options.epsilonNoiseSigmas ?? MAG1C_DEFAULT_EPSILON_NOISE_SIGMAS;
  const nonNegative = options.nonNegative ?? true;
  const shrinkage = options.shrinkage ?? { kind: 'ledoit-wolf' };
  const { classes, wanted, groupColumns } = naiveColumnGroups(cube, options);
  const out = new Float64Array(lines * samples).fill(Number.NaN);
  for (const cols of groupColumns) {
    // The group's data pixels (line-major, as mag1c.ts gathers them) and which feed the statistics.
    const pix: number[] = [];
    const inStats: boolean[] = [];
    for (let l = 0; l < lines; l++) {
      for (const s of cols) {
        const q = l * samples + s;
        if (classes.isData[q] === 0) continue;
        pix.push(q);
        inStats.push(classes.inStatistics[q] === 1);
      }
    }
    const nD = pix.length;
    const alpha = new Array<number>(nD).fill(0);
    const removed = new Array<number>(nD).fill(0); // α·a of the signal removed from the statistics
    let tRemoved = new Array<number>(p).fill(0);
    let ok = true;
    for (let it = 0; it < K && ok; it++) {
      // Statistics of y = x − (α·a)·t'_removed over the statistics pixels.
      const ys: number[][] = [];
      for (let k = 0; k < nD; k++) {
        if (!inStats[k]) continue;
        const y: number[] = [];
        for (let i = 0; i < p; i++) y.push(data[pix[k] * p + i] - removed[k] * tRemoved[i]);
        ys.push(y);
      }
      const { mu, C } = naiveMeanAndCovariance(ys, p, shrinkage);
      const Cinv = invert(C, p);
      if (Cinv === null) {
        ok = false;
        break;
      }
      // α-step: t' = μ⊙t, v = C⁻¹t', N = t'ᵀv; per pixel a = xᵀμ/μᵀμ, û = (x − μ)ᵀv / (a·N).
      const tPrime = mu.map((v, i) => v * targetPerPpmM[i]);
      const v = new Array<number>(p).fill(0);
      for (let i = 0; i < p; i++) for (let j = 0; j < p; j++) v[i] += Cinv[i * p + j] * tPrime[j];
      let N = 0;
      let mm = 0;
      for (let i = 0; i < p; i++) {
        N += tPrime[i] * v[i];
        mm += mu[i] * mu[i];
      }
      if (!(N > 0) || !(mm > 0)) {
        ok = false;
        break;
      }
      const a = new Array<number>(nD);
      const uhat = new Array<number>(nD);
      for (let k = 0; k < nD; k++) {
        let xm = 0;
        let z = 0;
        for (let i = 0; i < p; i++) {
          const x = data[pix[k] * p + i];
          xm += x * mu[i];
          z += (x - mu[i]) * v[i];
        }
        a[k] = xm / mm;
        uhat[k] = a[k] > 0 ? z / (a[k] * N) : 0;
      }
      // σ_g = 1.4826 · MAD of a·(û − α_prev) over the statistics pixels.
      const resid: number[] = [];
      for (let k = 0; k < nD; k++) if (inStats[k]) resid.push(a[k] * (uhat[k] - alpha[k]));
      const med = median(resid);
      const sigma = 1.4826 * median(resid.map((r) => Math.abs(r - med)));
      const sg = sigma > 0 && Number.isFinite(sigma) ? sigma : 0;
      const eps = sg > 0 ? epsSigmas * sg : 1;
      const lambda = kappa * sg * eps * N;
      for (let k = 0; k < nD; k++) {
        let al = 0;
        if (a[k] > 0) {
          const penalty = lambda === 0 ? 0 : lambda / (alpha[k] + eps);
          al = uhat[k] - penalty / (a[k] * a[k] * N);
          if (nonNegative && !(al > 0)) al = 0;
        }
        alpha[k] = al;
        removed[k] = al * a[k];
      }
      tRemoved = tPrime;
    }
    if (!ok) continue;
    for (let k = 0; k < nD; k++) if (wanted.has(pix[k] % samples)) out[pix[k]] = alpha[k];
  }
  return out;
}

/** Explicit inverse by Gauss–Jordan elimination with partial pivoting; null when singular. */
function invert(A: number[], p: number): number[] | null {
  const M = A.slice();
  const inv = new Array<number>(p * p).fill(0);
  for (let i = 0; i < p; i++) inv[i * p + i] = 1;
  for (let c = 0; c < p; c++) {
    let piv = c;
    for (let r = c + 1; r < p; r++) if (Math.abs(M[r * p + c]) > Math.abs(M[piv * p + c])) piv = r;
    if (!(Math.abs(M[piv * p + c]) > 0)) return null;
    if (piv !== c) {
      for (let j = 0; j < p; j++) {
        [M[c * p + j], M[piv * p + j]] = [M[piv * p + j], M[c * p + j]];
        [inv[c * p + j], inv[piv * p + j]] = [inv[piv * p + j], inv[c * p + j]];
      }
    }
    const d = M[c * p + c];
    for (let j = 0; j < p; j++) {
      M[c * p + j] /= d;
      inv[c * p + j] /= d;
    }
    for (let r = 0; r < p; r++) {
      if (r === c) continue;
      const f = M[r * p + c];
      if (f === 0) continue;
      for (let j = 0; j < p; j++) {
        M[r * p + j] -= f * M[c * p + j];
        inv[r * p + j] -= f * inv[c * p + j];
      }
    }
  }
  return inv;
}

/** Median by sorting a copy (mean of the two middle values for an even count). */
function median(a: number[]): number {
  const s = [...a].sort((x, y) => x - y);
  const n = s.length;
  if (n === 0) return Number.NaN;
  return n % 2 === 1 ? s[n >> 1] : 0.5 * (s[n / 2 - 1] + s[n / 2]);
}
