/**
 * Albedo-corrected, sparsity-regularised matched filter (after mag1c: Foote et al. 2020, "Fast and
 * Accurate Retrieval of Methane Concentration From Imaging Spectrometer Data Using Sparsity Prior",
 * IEEE TGRS 58(9)). Written from the paper's model, not from its code.
 *
 * Model, per column group g (planColumnGroups, same pixel rules as the CMF) and data pixel i:
 *   x_i = μ + α_i·r_i + n_i,   n_i ~ N(0, C),   α_i ≥ 0 (ppm·m),
 *   r_i = a_i · (μ ⊙ t)        (t: unit absorption d ln L / d(ppm·m) per band)
 *   a_i = (x_iᵀ μ) / (μᵀ μ)    (albedo: the pixel's brightness along the group mean; raw x_i)
 * and the estimate minimises ½ Σ_i ‖x_i − μ − α_i r_i‖²_{C⁻¹} + λ Σ_i w_i α_i by alternating:
 *
 *   α-step (closed form per pixel; with t' = μ⊙t, z_i = t'ᵀC⁻¹(x_i − μ), N = t'ᵀC⁻¹t'):
 *     α_i = max(0, (r_iᵀC⁻¹(x_i − μ) − λ·w_i) / (r_iᵀC⁻¹r_i)) = max(0, (a_i·z_i − λ·w_i) / (a_i²·N))
 *     w_i = 1 / (α_i^prev + ε)    (reweighted L1; α^prev = 0 before the first step, so the first
 *                                  step is a plain L1 soft threshold)
 *   statistics step: μ and C re-estimated, exactly as statistics.ts does (mean, Ledoit–Wolf or
 *     diagonal loading, Cholesky), from the group's statistics pixels with the current plume
 *     signal removed: x_i − α_i·r_i (r_i with the a_i and μ of the α-step that produced α_i).
 *
 * Iteration k = 1…K: statistics (k = 1: of the raw pixels, i.e. the CMF's statistics), then α.
 * So K = 1 with λ = 0 is the albedo-corrected CMF: α_i = max(0, z_i / (a_i·N)) = max(0, α_CMF,i / a_i).
 * Pixels with a_i ≤ 0 carry no absorption signal along μ and get α = 0.
 *
 * Scaling of λ and ε, per group g and step (defaults κ = 3, e = 1, K = 10):
 *   σ_g = 1.4826 · MAD over the group's statistics pixels of the fit residual projected on the
 *         target, z_i/N − a_i·α_i^prev (ppm·m; the CMF's noise scale; at the first step α^prev = 0,
 *         so it is the spread of the CMF itself, plume-contaminated and so conservative; as the
 *         plume leaves the statistics it falls to the background noise). Reported per group from
 *         the last step as `noiseSigmaPpmM`.
 *   ε_g = e · σ_g                    (`epsilonNoiseSigmas`)
 *   λ_g = κ · σ_g · ε_g · N          (`sparsityNoiseSigmas`; N of the same step)
 * So for a pixel at α^prev = 0 the threshold on û_i = z_i/(a_i·N) (the unpenalised,
 * albedo-corrected estimate) is κ·σ_g/a_i²: with a ≈ 1 a 3σ soft threshold, ≈ 99.9 % of background
 * pixels exactly 0 (dark pixels, whose û is noisier, are held to a higher threshold — the price of
 * a penalty on α rather than on a·α). A pixel already at α^prev ≫ ε is shrunk by only
 * ≈ κ·σ_g·ε_g/(α^prev·a²), so strong plumes come out nearly unbiased (the point of reweighting).
 * Zeroed pixels keep the full threshold, so where a large plume fills much of a column they come
 * back only as the statistics clean up: such columns need more than the default 10 steps (the
 * tests iterate 30 to reach the fixed point).
 *
 * Cheap re-estimation: the statistics are kept as moments about a fixed centre c (the first mean):
 * n, Σy, Σyyᵀ (upper triangle), Σ‖y‖², Σ‖y‖⁴, Σ‖y‖²y with y = x − α·r − c. Only pixels whose
 * removed signal changed (α ≠ 0 before or after) change y; when they are at most a quarter of the
 * group's statistics pixels each one is a rank-1 downdate + update of the moments, otherwise the
 * moments are recomputed with statistics.ts's 4×4-blocked Gram kernel. The Ledoit–Wolf fourth
 * moment Σ‖y − ȳ‖⁴ follows from the stored moments by expanding the square.
 */

import { PlumetraceError } from '../errors.ts';
import {
  type ColumnGroups,
  DEFAULT_MIN_PIXELS_PER_BAND,
  type PixelClasses,
  type RadianceCube,
  classifyPixels,
  medianInPlace,
  planColumnGroups,
} from './cube.ts';
import { backSubstituteTransposed, choleskyInPlace, forwardSubstitute } from '../linalg.ts';
import { type StatisticsOptions, gramUpper4x4 } from './statistics.ts';

export const MAG1C_SPARSE_ALGORITHM_VERSION = 'mag1c-sparse/1';
export const MAG1C_DEFAULT_ITERATIONS = 10;
export const MAG1C_DEFAULT_SPARSITY_NOISE_SIGMAS = 3;
export const MAG1C_DEFAULT_EPSILON_NOISE_SIGMAS = 1;
export const MAG1C_DEFAULT_LOW_RANK_MAX_FRACTION = 0.25;

export interface SparseMatchedFilterOptions extends StatisticsOptions {
  /** K: statistics + α steps (≥ 1). Default 10. */
  readonly iterations?: number;
  /** κ: the L1 threshold at α^prev = 0, in units of the group's noise σ_g (≥ 0; 0 = no penalty). Default 3. */
  readonly sparsityNoiseSigmas?: number;
  /** ε of the reweighting, in units of σ_g (> 0). Default 1. */
  readonly epsilonNoiseSigmas?: number;
  /** Clamp α at 0 (the model's prior). Default true; false only for checks against the plain CMF form. */
  readonly nonNegative?: boolean;
  /**
   * Re-estimate the statistics by low-rank update while the changed statistics pixels are at most
   * this fraction of the group's; above it, recompute. Default 0.25 (a rank-1 swap costs about two
   * Gram rows). 0 recomputes whenever anything changed, 1 always updates; the results agree to rounding.
   */
  readonly lowRankUpdateMaxFraction?: number;
}

export interface SparseMatchedFilterResult {
  /** Methane enhancement per pixel (lines × samples), ppm·m; NaN where no data or the group failed. */
  readonly enhancementPpmM: Float64Array;
  /** Per group: σ_g of the last step (1.4826·MAD of z/N − a·α^prev over the statistics pixels), ppm·m; NaN: group failed. */
  readonly noiseSigmaPpmM: Float64Array;
  /** Per group, last step: λ_g (units of the data term, Mahalanobis²) and ε_g (ppm·m) of the reweighted L1. */
  readonly penaltyLambda: Float64Array;
  readonly epsilonPpmM: Float64Array;
  /** Per group: 1 when every statistics step factored; 0 otherwise (outputs NaN). */
  readonly groupOk: Uint8Array;
  readonly classes: PixelClasses;
  readonly groups: ColumnGroups;
  readonly iterations: number;
  /** Statistics re-estimations done by low-rank update vs by full recomputation (all groups). */
  readonly lowRankUpdates: number;
  readonly fullRecomputes: number;
  readonly algorithmVersion: string;
}

/**
 * Sparse, albedo-corrected matched filter (see the file comment). `targetPerPpmM`: unit absorption
 * per band, d ln L / d(ppm·m) (`unitAbsorptionTarget(...).targetPerPpmM`).
 */
export function sparseMatchedFilter(
  cube: RadianceCube,
  targetPerPpmM: Float64Array,
  options: SparseMatchedFilterOptions = {},
): SparseMatchedFilterResult {
  const iterations = options.iterations ?? MAG1C_DEFAULT_ITERATIONS;
  const kappa = options.sparsityNoiseSigmas ?? MAG1C_DEFAULT_SPARSITY_NOISE_SIGMAS;
  const epsSigmas = options.epsilonNoiseSigmas ?? MAG1C_DEFAULT_EPSILON_NOISE_SIGMAS;
  const nonNegative = options.nonNegative ?? true;
  const lowRankMax = options.lowRankUpdateMaxFraction ?? MAG1C_DEFAULT_LOW_RANK_MAX_FRACTION;
  if (!(lowRankMax >= 0 && lowRankMax <= 1)) {
    throw new PlumetraceError('PT_ERR_SPECTRAL_INPUT', `lowRankUpdateMaxFraction must be in [0, 1], got ${lowRankMax}`);
  }
  if (!Number.isInteger(iterations) || iterations < 1) {
    throw new PlumetraceError('PT_ERR_SPECTRAL_INPUT', `iterations must be an integer ≥ 1, got ${iterations}`);
  }
  if (!(kappa >= 0 && Number.isFinite(kappa))) {
    throw new PlumetraceError('PT_ERR_SPECTRAL_INPUT', `sparsityNoiseSigmas must be ≥ 0, got ${kappa}`);
  }
  if (!(epsSigmas > 0 && Number.isFinite(epsSigmas))) {
    throw new PlumetraceError('PT_ERR_SPECTRAL_INPUT', `epsilonNoiseSigmas must be > 0, got ${epsSigmas}`);
  }
  const shrinkage = options.shrinkage ?? { kind: 'ledoit-wolf' };
  if (shrinkage.kind === 'diagonal-loading' && !(shrinkage.fraction >= 0 && Number.isFinite(shrinkage.fraction))) {
    throw new PlumetraceError(
      'PT_ERR_SPECTRAL_INPUT',
      `diagonal loading fraction must be ≥ 0, got ${shrinkage.fraction}`,
    );
  }
  const classes = classifyPixels(cube, options); // checks the cube
  const { lines, samples, bands, data } = cube;
  if (targetPerPpmM.length !== bands) {
    throw new PlumetraceError('PT_ERR_SPECTRAL_INPUT', `target has ${targetPerPpmM.length} bands, the cube ${bands}`);
  }
  for (let b = 0; b < bands; b++) {
    if (!Number.isFinite(targetPerPpmM[b])) {
      throw new PlumetraceError('PT_ERR_SPECTRAL_INPUT', `target band ${b} is ${targetPerPpmM[b]}`);
    }
  }
  const groups = planColumnGroups(
    classes.inStatistics,
    lines,
    samples,
    bands,
    options.minPixelsPerBand ?? DEFAULT_MIN_PIXELS_PER_BAND,
  );
  const { isData, inStatistics } = classes;
  const nGroups = groups.groupPixels.length;
  const out = new Float64Array(lines * samples).fill(Number.NaN);
  const noise = new Float64Array(nGroups).fill(Number.NaN);
  const lambdaOut = new Float64Array(nGroups).fill(Number.NaN);
  const epsOut = new Float64Array(nGroups).fill(Number.NaN);
  const groupOk = new Uint8Array(nGroups);

  // Scratch, sized for the largest group.
  const stride = (bands + 3) & ~3;
  let maxData = 0;
  for (let g = 0; g < nGroups; g++) {
    let n = 0;
    for (let s = groups.groupStart[g]; s < groups.groupStart[g + 1]; s++) {
      for (let l = 0; l < lines; l++) n += isData[l * samples + s];
    }
    if (n > maxData) maxData = n;
  }
  const x = new Float64Array(maxData * bands); // the group's data pixels, float64
  const pixel = new Int32Array(maxData); // their pixel indices
  const statRow = new Int32Array(maxData); // row in the statistics panel, −1 if not a statistics pixel
  const alpha = new Float64Array(maxData);
  const beta = new Float64Array(maxData); // α·a of the signal removed from the moments
  const betaNew = new Float64Array(maxData);
  const uhat = new Float64Array(maxData);
  const resid = new Float64Array(maxData);
  const albedo = new Float64Array(maxData);
  const panel = new Float64Array(maxData * stride);
  const m: Moments = {
    n: 0,
    s1: new Float64Array(bands),
    s2: new Float64Array(stride * stride),
    a2: 0,
    a4: 0,
    v3: new Float64Array(bands),
  };
  const c = new Float64Array(bands);
  const mu = new Float64Array(bands);
  const tPrime = new Float64Array(bands);
  const tRemoved = new Float64Array(bands); // μ⊙t of the step whose α·a is in `beta`
  const v = new Float64Array(bands);
  const factor = new Float64Array(bands * bands);
  const yo = new Float64Array(bands);
  const yn = new Float64Array(bands);
  let lowRank = 0;
  let full = 0;

  for (let g = 0; g < nGroups; g++) {
    const s0 = groups.groupStart[g];
    const s1 = groups.groupStart[g + 1];
    // Gather the group's data pixels; centre c = mean of its statistics pixels.
    let nD = 0;
    let nS = 0;
    c.fill(0);
    for (let l = 0; l < lines; l++) {
      for (let s = s0; s < s1; s++) {
        const p = l * samples + s;
        if (isData[p] === 0) continue;
        const src = p * bands;
        const dst = nD * bands;
        for (let b = 0; b < bands; b++) x[dst + b] = data[src + b];
        pixel[nD] = p;
        if (inStatistics[p] === 1) {
          for (let b = 0; b < bands; b++) c[b] += x[dst + b];
          statRow[nD] = nS++;
        } else statRow[nD] = -1;
        nD++;
      }
    }
    for (let b = 0; b < bands; b++) c[b] /= nS;
    alpha.fill(0, 0, nD);
    beta.fill(0, 0, nD);
    tRemoved.fill(0);
    recomputeMoments(m, x, statRow, beta, tRemoved, c, nD, nS, bands, stride, panel);
    let ok = true;
    for (let it = 0; it < iterations; it++) {
      // Statistics step (the moments already hold the current removal).
      if (!shrunkFactor(m, c, shrinkage, bands, stride, mu, factor)) {
        ok = false;
        break;
      }
      let mm = 0;
      for (let b = 0; b < bands; b++) {
        tPrime[b] = mu[b] * targetPerPpmM[b];
        mm += mu[b] * mu[b];
      }
      forwardSubstitute(factor, bands, tPrime, v);
      backSubstituteTransposed(factor, bands, v, v);
      let nrm = 0;
      let vmu = 0;
      for (let b = 0; b < bands; b++) {
        nrm += tPrime[b] * v[b];
        vmu += v[b] * mu[b];
      }
      if (!(nrm > 0) || !(mm > 0)) {
        ok = false;
        break;
      }
      // α-step. û = z/(a·N) for every pixel first (σ needs it in the first step).
      const invMm = 1 / mm;
      const invN = 1 / nrm;
      for (let k = 0; k < nD; k++) {
        const o = k * bands;
        let xv = 0;
        let xm = 0;
        for (let b = 0; b < bands; b++) {
          const xb = x[o + b];
          xv += xb * v[b];
          xm += xb * mu[b];
        }
        const a = xm * invMm;
        albedo[k] = a;
        uhat[k] = a > 0 ? ((xv - vmu) * invN) / a : 0;
      }
      const last = it === iterations - 1;
      // Noise σ_g: robust spread of the fit residual projected on the target, z/N − a·α^prev, over
      // the statistics pixels (α^prev = 0 before the first step: there it is the CMF's spread).
      for (let k = 0; k < nD; k++) resid[k] = albedo[k] * (uhat[k] - alpha[k]);
      const sigma = robustSigma(resid, statRow, nD, nS, panel);
      const sg = sigma > 0 && Number.isFinite(sigma) ? sigma : 0;
      const eps = sg > 0 ? epsSigmas * sg : 1;
      const lambda = kappa * sg * eps * nrm;
      noise[g] = sigma;
      lambdaOut[g] = lambda;
      epsOut[g] = eps;
      for (let k = 0; k < nD; k++) {
        const a = albedo[k];
        let al = 0;
        if (a > 0) {
          // (a·z − λ·w)/(a²·N) = û/… : a·z = a²·N·û.
          const pen = lambda === 0 ? 0 : lambda / (alpha[k] + eps);
          al = uhat[k] - pen / (a * a * nrm);
          if (nonNegative && !(al > 0)) al = 0;
        }
        alpha[k] = al;
        betaNew[k] = al * a;
      }
      if (last) break;
      // Remove the new plume signal from the moments: low rank when few pixels change.
      let changed = 0;
      for (let k = 0; k < nD; k++) if (statRow[k] >= 0 && (beta[k] !== 0 || betaNew[k] !== 0)) changed++;
      if (changed <= lowRankMax * nS) {
        lowRank++;
        for (let k = 0; k < nD; k++) {
          if (statRow[k] < 0 || (beta[k] === 0 && betaNew[k] === 0)) continue;
          const o = k * bands;
          const bo = beta[k];
          const bn = betaNew[k];
          for (let b = 0; b < bands; b++) {
            const d = x[o + b] - c[b];
            yo[b] = d - bo * tRemoved[b];
            yn[b] = d - bn * tPrime[b];
          }
          rankOneSwap(m, yo, yn, bands, stride);
        }
        for (let k = 0; k < nD; k++) beta[k] = betaNew[k];
        tRemoved.set(tPrime);
      } else {
        full++;
        for (let k = 0; k < nD; k++) beta[k] = betaNew[k];
        tRemoved.set(tPrime);
        recomputeMoments(m, x, statRow, beta, tRemoved, c, nD, nS, bands, stride, panel);
      }
    }
    if (!ok) {
      noise[g] = Number.NaN;
      lambdaOut[g] = Number.NaN;
      epsOut[g] = Number.NaN;
      continue;
    }
    groupOk[g] = 1;
    for (let k = 0; k < nD; k++) out[pixel[k]] = alpha[k];
  }
  return {
    enhancementPpmM: out,
    noiseSigmaPpmM: noise,
    penaltyLambda: lambdaOut,
    epsilonPpmM: epsOut,
    groupOk,
    classes,
    groups,
    iterations,
    lowRankUpdates: lowRank,
    fullRecomputes: full,
    algorithmVersion: MAG1C_SPARSE_ALGORITHM_VERSION,
  };
}

/** Raw moments of y = x − β·t'_removed − c over a group's statistics pixels (see the file comment). */
interface Moments {
  n: number;
  /** Σ y */
  readonly s1: Float64Array;
  /** Σ y yᵀ, upper triangle, row stride `stride` */
  readonly s2: Float64Array;
  /** Σ ‖y‖² */
  a2: number;
  /** Σ ‖y‖⁴ */
  a4: number;
  /** Σ ‖y‖² y */
  readonly v3: Float64Array;
}

function recomputeMoments(
  m: Moments,
  x: Float64Array,
  statRow: Int32Array,
  beta: Float64Array,
  tRemoved: Float64Array,
  c: Float64Array,
  nD: number,
  nS: number,
  bands: number,
  stride: number,
  panel: Float64Array,
): void {
  m.s1.fill(0);
  m.v3.fill(0);
  let a2 = 0;
  let a4 = 0;
  for (let k = 0; k < nD; k++) {
    const r = statRow[k];
    if (r < 0) continue;
    const o = k * bands;
    const dst = r * stride;
    const bk = beta[k];
    let sq = 0;
    for (let b = 0; b < bands; b++) {
      const y = x[o + b] - c[b] - bk * tRemoved[b];
      panel[dst + b] = y;
      m.s1[b] += y;
      sq += y * y;
    }
    for (let b = bands; b < stride; b++) panel[dst + b] = 0;
    for (let b = 0; b < bands; b++) m.v3[b] += sq * panel[dst + b];
    a2 += sq;
    a4 += sq * sq;
  }
  m.n = nS;
  m.a2 = a2;
  m.a4 = a4;
  gramUpper4x4(panel, nS, stride, m.s2);
}

/** Moments: remove pixel value yo, add yn. */
function rankOneSwap(m: Moments, yo: Float64Array, yn: Float64Array, bands: number, stride: number): void {
  let so = 0;
  let sn = 0;
  for (let b = 0; b < bands; b++) {
    so += yo[b] * yo[b];
    sn += yn[b] * yn[b];
  }
  m.a2 += sn - so;
  m.a4 += sn * sn - so * so;
  const { s1, s2, v3 } = m;
  for (let i = 0; i < bands; i++) {
    const oi = yo[i];
    const ni = yn[i];
    s1[i] += ni - oi;
    v3[i] += sn * ni - so * oi;
    const row = i * stride;
    for (let j = i; j < bands; j++) s2[row + j] += ni * yn[j] - oi * yo[j];
  }
}

/**
 * Mean μ = c + ȳ and the lower Cholesky factor of the shrunk covariance, with the formulas of
 * statistics.ts (S = Σ(y − ȳ)(y − ȳ)ᵀ / n; Ledoit–Wolf toward tr(S)/p · I, or diagonal loading).
 * Returns false when the factorisation fails.
 */
function shrunkFactor(
  m: Moments,
  c: Float64Array,
  shrinkage: NonNullable<StatisticsOptions['shrinkage']>,
  bands: number,
  stride: number,
  mu: Float64Array,
  factor: Float64Array,
): boolean {
  const { n, s1, s2, v3 } = m;
  const invN = 1 / n;
  // ȳ in `mu` for now.
  let ybar2 = 0;
  let v3y = 0;
  let s1y = 0;
  for (let b = 0; b < bands; b++) {
    const yb = s1[b] * invN;
    mu[b] = yb;
    ybar2 += yb * yb;
    v3y += v3[b] * yb;
    s1y += s1[b] * yb;
  }
  // S into the lower triangle of `factor`; ȳᵀ(Σyyᵀ)ȳ on the way.
  let trace = 0;
  let frob2 = 0;
  let quad = 0;
  for (let i = 0; i < bands; i++) {
    for (let j = 0; j <= i; j++) {
      const raw = s2[j * stride + i];
      quad += (i === j ? 1 : 2) * raw * mu[i] * mu[j];
      const sij = raw * invN - mu[i] * mu[j];
      factor[i * bands + j] = sij;
      if (i === j) {
        trace += sij;
        frob2 += sij * sij;
      } else frob2 += 2 * sij * sij;
    }
  }
  // Σ‖y − ȳ‖⁴ expanded in the stored moments.
  const sumNorm4 = m.a4 - 4 * v3y + 4 * quad + 2 * ybar2 * m.a2 - 4 * ybar2 * s1y + n * ybar2 * ybar2;
  const mTrace = trace / bands;
  let scaleS = 1;
  let diag: number;
  if (shrinkage.kind === 'ledoit-wolf') {
    const d2 = (frob2 - (trace * trace) / bands) / bands;
    const b2bar = Math.max(0, (sumNorm4 - n * frob2) / (n * n * bands));
    const rho = d2 > 0 ? Math.min(b2bar, d2) / d2 : 1;
    scaleS = 1 - rho;
    diag = rho * mTrace;
  } else diag = shrinkage.fraction * mTrace;
  for (let i = 0; i < bands; i++) {
    const ri = i * bands;
    for (let j = 0; j <= i; j++) factor[ri + j] *= scaleS;
    factor[ri + i] += diag;
  }
  for (let b = 0; b < bands; b++) mu[b] += c[b];
  return choleskyInPlace(factor, bands);
}

/** 1.4826 · MAD of `u` over the statistics pixels (uses `scratch`). */
function robustSigma(u: Float64Array, statRow: Int32Array, nD: number, nS: number, scratch: Float64Array): number {
  const w = scratch.subarray(0, nS);
  let j = 0;
  for (let k = 0; k < nD; k++) if (statRow[k] >= 0) w[j++] = u[k];
  const med = medianInPlace(w);
  for (let i = 0; i < nS; i++) w[i] = Math.abs(w[i] - med);
  return 1.4826 * medianInPlace(w);
}
