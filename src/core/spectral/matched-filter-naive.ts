/**
 * Naive reference column-wise matched filter: the same estimator as matched-filter.ts written the
 * plain way — float64 throughout, full covariance with both triangles, Ledoit–Wolf from its
 * definition (explicit Σ_k ‖x_k x_kᵀ − S‖²), Gaussian elimination instead of Cholesky. Slow on
 * purpose; tests and the benchmark compare the fast path against it. It shares only the pixel
 * rules and column grouping (cube.ts), which have their own tests.
 */

import type { RadianceCube } from './cube.ts';
import { DEFAULT_MIN_PIXELS_PER_BAND, classifyPixels, planColumnGroups } from './cube.ts';
import { gaussianSolve } from '../linalg.ts';
import type { StatisticsOptions } from './statistics.ts';

export interface NaiveMatchedFilterOptions extends StatisticsOptions {
  /** Only these samples (columns) get an output (others NaN); their groups' statistics are computed in full. */
  readonly onlySamples?: readonly number[];
}

/**
 * The pixel classes and column groups of cube.ts, and the columns of each group that has a column
 * in `onlySamples` (default: every group) — what both naive references iterate over.
 */
export function naiveColumnGroups(
  cube: RadianceCube,
  options: StatisticsOptions & { readonly onlySamples?: readonly number[] },
): { classes: ReturnType<typeof classifyPixels>; wanted: Set<number>; groupColumns: number[][] } {
  const { lines, samples, bands } = cube;
  const classes = classifyPixels(cube, options);
  const groups = planColumnGroups(
    classes.inStatistics,
    lines,
    samples,
    bands,
    options.minPixelsPerBand ?? DEFAULT_MIN_PIXELS_PER_BAND,
  );
  const wanted = new Set(options.onlySamples ?? Array.from({ length: samples }, (_, s) => s));
  const groupColumns: number[][] = [];
  for (let g = 0; g < groups.groupPixels.length; g++) {
    const cols: number[] = [];
    for (let s = groups.groupStart[g]; s < groups.groupStart[g + 1]; s++) cols.push(s);
    if (cols.some((s) => wanted.has(s))) groupColumns.push(cols);
  }
  return { classes, wanted, groupColumns };
}

/** Enhancement per pixel (lines × samples), ppm·m, NaN where no data. */
export function matchedFilterNaive(
  cube: RadianceCube,
  targetPerPpmM: Float64Array,
  options: NaiveMatchedFilterOptions = {},
): Float64Array {
  const { lines, samples, bands: p, data } = cube;
  const { classes, wanted, groupColumns } = naiveColumnGroups(cube, options);
  const shrinkage = options.shrinkage ?? { kind: 'ledoit-wolf' };
  const out = new Float64Array(lines * samples).fill(Number.NaN);
  for (const cols of groupColumns) {
    // Statistics pixels of the group.
    const pix: number[] = [];
    for (let l = 0; l < lines; l++)
      for (const s of cols) if (classes.inStatistics[l * samples + s]) pix.push(l * samples + s);
    const { mu, C } = naiveMeanAndCovariance(
      pix.map((q) => data.subarray(q * p, q * p + p)),
      p,
      shrinkage,
    );
    const tPrime = mu.map((v, i) => v * targetPerPpmM[i]);
    const w = gaussianSolve(C, p, tPrime);
    let norm = 0;
    for (let i = 0; i < p; i++) norm += tPrime[i] * w[i];
    for (let l = 0; l < lines; l++) {
      for (const s of cols) {
        const q = l * samples + s;
        if (!wanted.has(s) || !classes.isData[q]) continue;
        let a = 0;
        for (let i = 0; i < p; i++) a += (data[q * p + i] - mu[i]) * w[i];
        out[q] = a / norm;
      }
    }
  }
  return out;
}

/**
 * Mean and shrunk covariance of the rows `ys` (each of length p), the plain way: both triangles
 * summed from the rows, Ledoit–Wolf from its definition Σ_k ‖y_k y_kᵀ − S‖²_F, or a fixed fraction of
 * the mean variance added to the diagonal. Shared by the naive references (this file, mag1c-naive.ts).
 */
export function naiveMeanAndCovariance(
  ys: readonly ArrayLike<number>[],
  p: number,
  shrinkage: NonNullable<StatisticsOptions['shrinkage']>,
): { mu: number[]; C: number[] } {
  const n = ys.length;
  const mu = new Array<number>(p).fill(0);
  for (const y of ys) for (let i = 0; i < p; i++) mu[i] += y[i];
  for (let i = 0; i < p; i++) mu[i] /= n;
  const S = new Array<number>(p * p).fill(0);
  for (let i = 0; i < p; i++) {
    for (let j = 0; j < p; j++) {
      let acc = 0;
      for (const y of ys) acc += (y[i] - mu[i]) * (y[j] - mu[j]);
      S[i * p + j] = acc / n;
    }
  }
  let m = 0;
  for (let i = 0; i < p; i++) m += S[i * p + i];
  m /= p;
  const C = S.slice();
  if (shrinkage.kind === 'ledoit-wolf') {
    let d2 = 0;
    for (let i = 0; i < p; i++) for (let j = 0; j < p; j++) d2 += (S[i * p + j] - (i === j ? m : 0)) ** 2;
    d2 /= p;
    let b2 = 0;
    for (const y of ys) {
      for (let i = 0; i < p; i++) {
        for (let j = 0; j < p; j++) b2 += ((y[i] - mu[i]) * (y[j] - mu[j]) - S[i * p + j]) ** 2;
      }
    }
    b2 /= n * n * p;
    const rho = d2 > 0 ? Math.min(b2, d2) / d2 : 1;
    for (let i = 0; i < p; i++)
      for (let j = 0; j < p; j++) C[i * p + j] = (1 - rho) * S[i * p + j] + (i === j ? rho * m : 0);
  } else {
    for (let i = 0; i < p; i++) C[i * p + i] += shrinkage.fraction * m;
  }
  return { mu, C };
}
