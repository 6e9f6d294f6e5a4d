/**
 * Column-wise matched filter (CMF) and adaptive coherence estimator (ACE) for methane.
 *
 * Per column group g (see planColumnGroups) with mean μ and shrunk covariance Σ (statistics.ts):
 *   radiance-space target   t' = μ ⊙ t      (t: unit absorption, d ln L / d(ppm·m), per band)
 *   CMF enhancement         α(x) = (x − μ)ᵀ Σ⁻¹ t' / (t'ᵀ Σ⁻¹ t')      [ppm·m]
 *   ACE score               ((x − μ)ᵀ Σ⁻¹ t')² / ((t'ᵀ Σ⁻¹ t') · (x − μ)ᵀ Σ⁻¹ (x − μ))   ∈ [0, 1]
 * α follows from a linearised Beer–Lambert law: x ≈ μ ⊙ exp(t·α) ≈ μ + α·t'. Because t' is scaled
 * by the mean radiance, α also scales with a pixel's brightness relative to its group (x ≈ a·μ
 * gives a·α): the classic CMF's known albedo bias.
 *
 * Every data pixel gets an output, including saturated or bright pixels that were kept out of the
 * statistics (their values are unreliable: see `statistics.classes`). No-data pixels and pixels of
 * a group whose covariance could not be factored get NaN.
 */

import { PlumetraceError } from '../errors.ts';
import type { RadianceCube } from './cube.ts';
import { backSubstituteTransposed, forwardSubstitute } from '../linalg.ts';
import { type BackgroundStatistics, type StatisticsOptions, backgroundStatistics } from './statistics.ts';

export const CMF_ALGORITHM_VERSION = 'plumetrace-cmf-columnwise-lw/1';
export const ACE_ALGORITHM_VERSION = 'plumetrace-ace-columnwise-lw/1';

export interface DetectorOptions extends StatisticsOptions {
  /** Statistics computed before for this cube (with the same options); computed here when absent. */
  readonly statistics?: BackgroundStatistics;
}

export interface MatchedFilterResult {
  /** Methane enhancement per pixel (lines × samples), ppm·m; NaN where no data. */
  readonly enhancementPpmM: Float64Array;
  /**
   * Per group: RMS of α over the group's statistics pixels (their mean α is 0 by construction), ppm·m
   * — the background noise of the filter. In-sample, so slightly optimistic for other pixels; the
   * model value 1/√(t'ᵀΣ⁻¹t') is not used because shrinkage inflates Σ.
   */
  readonly noiseSigmaPpmM: Float64Array;
  readonly statistics: BackgroundStatistics;
  readonly algorithmVersion: string;
}

export interface AceResult {
  /** ACE score per pixel (lines × samples), in [0, 1]; NaN where no data. */
  readonly score: Float64Array;
  readonly statistics: BackgroundStatistics;
  readonly algorithmVersion: string;
}

/**
 * Classic column-wise matched filter. `targetPerPpmM`: unit absorption per band, d ln L / d(ppm·m)
 * (`unitAbsorptionTarget(...).targetPerPpmM`, not the ×1e5 form).
 */
export function matchedFilter(
  cube: RadianceCube,
  targetPerPpmM: Float64Array,
  options: DetectorOptions = {},
): MatchedFilterResult {
  const stats = statisticsFor(cube, targetPerPpmM, options);
  const { lines, samples, bands, data } = cube;
  const { groups, mean, choleskyFactor, groupOk } = stats;
  const { isData, inStatistics } = stats.classes;
  const nGroups = groups.groupPixels.length;
  const out = new Float64Array(lines * samples).fill(Number.NaN);
  const sigma = new Float64Array(nGroups).fill(Number.NaN);
  const tPrime = new Float64Array(bands);
  const w = new Float64Array(bands);
  const mu = new Float64Array(bands);
  for (let g = 0; g < nGroups; g++) {
    if (groupOk[g] === 0) continue;
    const mo = g * bands;
    for (let b = 0; b < bands; b++) {
      mu[b] = mean[mo + b];
      tPrime[b] = mu[b] * targetPerPpmM[b];
    }
    // w = Σ⁻¹ t' / (t'ᵀ Σ⁻¹ t'): one solve per group, then one dot product per pixel.
    const fo = g * bands * bands;
    forwardSubstitute(choleskyFactor, bands, tPrime, w, fo);
    backSubstituteTransposed(choleskyFactor, bands, w, w, fo);
    let norm = 0;
    for (let b = 0; b < bands; b++) norm += tPrime[b] * w[b];
    if (!(norm > 0)) continue; // a zero target: nothing to detect
    for (let b = 0; b < bands; b++) w[b] /= norm;
    const s0 = groups.groupStart[g];
    const s1 = groups.groupStart[g + 1];
    let sumSq = 0;
    for (let l = 0; l < lines; l++) {
      for (let s = s0; s < s1; s++) {
        const p = l * samples + s;
        if (isData[p] === 0) continue;
        const o = p * bands;
        let a = 0;
        for (let b = 0; b < bands; b++) a += (data[o + b] - mu[b]) * w[b];
        out[p] = a;
        sumSq += a * a * inStatistics[p];
      }
    }
    sigma[g] = Math.sqrt(sumSq / groups.groupPixels[g]);
  }
  return { enhancementPpmM: out, noiseSigmaPpmM: sigma, statistics: stats, algorithmVersion: CMF_ALGORITHM_VERSION };
}

/** ACE score with the same statistics as the matched filter (see the file comment). */
export function aceScore(cube: RadianceCube, targetPerPpmM: Float64Array, options: DetectorOptions = {}): AceResult {
  const stats = statisticsFor(cube, targetPerPpmM, options);
  const { lines, samples, bands, data } = cube;
  const { groups, mean, choleskyFactor: L, groupOk } = stats;
  const isData = stats.classes.isData;
  const nGroups = groups.groupPixels.length;
  const out = new Float64Array(lines * samples).fill(Number.NaN);
  const tPrime = new Float64Array(bands);
  const sw = new Float64Array(bands); // L⁻¹ t'
  const z = new Float64Array(bands); // L⁻¹ (x − μ)
  for (let g = 0; g < nGroups; g++) {
    if (groupOk[g] === 0) continue;
    const mo = g * bands;
    const fo = g * bands * bands;
    for (let b = 0; b < bands; b++) tPrime[b] = mean[mo + b] * targetPerPpmM[b];
    forwardSubstitute(L, bands, tPrime, sw, fo);
    let tt = 0;
    for (let b = 0; b < bands; b++) tt += sw[b] * sw[b];
    if (!(tt > 0)) continue;
    const s0 = groups.groupStart[g];
    const s1 = groups.groupStart[g + 1];
    for (let l = 0; l < lines; l++) {
      for (let s = s0; s < s1; s++) {
        const p = l * samples + s;
        if (isData[p] === 0) continue;
        const o = p * bands;
        let zt = 0;
        let zz = 0;
        for (let i = 0; i < bands; i++) {
          const ri = fo + i * bands;
          let v = data[o + i] - mean[mo + i];
          for (let k = 0; k < i; k++) v -= L[ri + k] * z[k];
          v /= L[ri + i];
          z[i] = v;
          zt += v * sw[i];
          zz += v * v;
        }
        // Cauchy–Schwarz keeps this in [0, 1]; the clamp only absorbs rounding.
        out[p] = zz > 0 ? Math.min(1, (zt * zt) / (tt * zz)) : 0;
      }
    }
  }
  return { score: out, statistics: stats, algorithmVersion: ACE_ALGORITHM_VERSION };
}

function statisticsFor(
  cube: RadianceCube,
  targetPerPpmM: Float64Array,
  options: DetectorOptions,
): BackgroundStatistics {
  if (targetPerPpmM.length !== cube.bands) {
    throw new PlumetraceError(
      'PT_ERR_SPECTRAL_INPUT',
      `target has ${targetPerPpmM.length} bands, the cube ${cube.bands}`,
    );
  }
  for (let b = 0; b < targetPerPpmM.length; b++) {
    if (!Number.isFinite(targetPerPpmM[b])) {
      throw new PlumetraceError('PT_ERR_SPECTRAL_INPUT', `target band ${b} is ${targetPerPpmM[b]}`);
    }
  }
  const stats = options.statistics ?? backgroundStatistics(cube, options);
  if (stats.lines !== cube.lines || stats.samples !== cube.samples || stats.bands !== cube.bands) {
    throw new PlumetraceError(
      'PT_ERR_SPECTRAL_INPUT',
      `statistics are for a ${stats.lines}×${stats.samples}×${stats.bands} cube, not ${cube.lines}×${cube.samples}×${cube.bands}`,
    );
  }
  return stats;
}
