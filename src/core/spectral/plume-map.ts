/**
 * Plume mask for enhancement maps whose per-pixel noise is high and depends on the surface: an
 * albedo-corrected, inverse-variance-weighted spatial filter of the matched-filter output, then
 * two-scale hysteresis. Used by `detectMethane` for the CMF.
 *
 * Why: a methane plume is spatially extended while the filter's background clutter is nearly
 * independent from pixel to pixel; and a pixel of relative brightness r (its radiance ≈ r · the
 * group mean) sees only r · ΔX of a plume's enhancement ΔX in the classic CMF, while its clutter
 * grows as r falls (dark water pixels carry almost no methane signal). So, per pixel p:
 *
 *  1. albedo r_p = x_pᵀμ / μᵀμ (μ: the mean radiance of the pixel's column group);
 *  2. the CMF noise σ(r): pixels of the background statistics are sorted by r into `albedoBins`
 *     quantile bins; per bin σ = 1.4826 · MAD of α; σ(r_p) interpolates linearly between the bins'
 *     median r (constant beyond the ends);
 *  3. albedo-corrected enhancement v_p = α_p / r_p with noise s_p = σ(r_p) / r_p and weight
 *     w_p = 1 / s_p² (0 for r_p < `minAlbedo`; such pixels still get the weighted mean of their
 *     neighbours; no-data pixels get nothing);
 *  4. for a Gaussian kernel k of σ_k px: the weighted local mean v̄ = Σ k w v / Σ k w, its noise under
 *     independent pixels sd = √(Σ k² w) / Σ k w, and z = v̄ / sd; z is then divided by its own local
 *     robust spread (`localNoise` of plumes.ts, lower-half MAD over `tileSizePx` tiles), which takes
 *     up what the independence assumption misses (spatially correlated clutter);
 *  5. seeds: z ≥ `seedZ` at the small scale (`seedSmoothingPx`); candidates: v̄ ≥ `growPpmM` at the
 *     large scale (`growSmoothingPx`) — the outline follows a concentration, not a significance,
 *     so it does not shrink or swell with the local noise; components of candidates holding a seed
 *     are merged within `mergeDistancePx` and kept from `minPixels` pixels (labelPlumes);
 *  6. for the noise of the sums (below), c is estimated again without the plumes found (grown by
 *     2 σ_k of the large kernel): a plume filling much of a tile inflates it. The detection keeps
 *     the first, conservative c (with c re-estimated, the Jasper confusers seed more often).
 *
 * The plumes' sums (IME) run over v̄ at the large scale. Their noise: v̄ of neighbouring pixels is
 * correlated over ≈ 4π σ_k² pixels, so each pixel counts with σ_p = sd_p · c_p · √(4π) · σ_k, where
 * c_p is the local spread of step 4 (for uniform weights Σ σ_p² is the raw sum's variance Σ s_p²).
 *
 * Pure (no Node APIs).
 */

import { PlumetraceError } from '../errors.ts';
import type { RadianceCube } from './cube.ts';
import { medianInPlace } from './cube.ts';
import {
  labelPlumes,
  localNoise,
  localNoiseExcluding,
  type PlumeMaskResult,
  resolvePlumeMaskOptions,
} from './plumes.ts';
import { forwardSubstitute } from '../linalg.ts';
import type { BackgroundStatistics } from './statistics.ts';

export const ALBEDO_WEIGHTED_MASK_ALGORITHM_VERSION = 'plumetrace-plume-mask-albedo-weighted/1';

const MAD_TO_SIGMA = 1.482602218505602;

export const DEFAULT_ALBEDO_WEIGHTED_MASK_OPTIONS = {
  albedoBins: 10,
  minAlbedo: 0.05,
  seedSmoothingPx: 1.5,
  growSmoothingPx: 3,
  seedZ: 5,
  growPpmM: 300,
  tileSizePx: 32,
  minTilePixels: 64,
  mergeDistancePx: 5,
  minPixels: 10,
  minSpread: 0,
  growMinZ: Number.NEGATIVE_INFINITY,
} as const;

export interface AlbedoWeightedMaskOptions {
  /** Quantile bins of albedo for the noise model. Default 10. */
  readonly albedoBins?: number;
  /** Pixels darker than this (relative to their group mean) get no weight. Default 0.05. */
  readonly minAlbedo?: number;
  /** σ of the Gaussian kernel for the seeds, px. Default 1.5. */
  readonly seedSmoothingPx?: number;
  /** σ of the Gaussian kernel for the outline and the sums, px. Default 3. */
  readonly growSmoothingPx?: number;
  /** Seeds need z ≥ this at the seed scale. Default 5. */
  readonly seedZ?: number;
  /** Plume pixels need a smoothed enhancement ≥ this, ppm·m. Default 300. */
  readonly growPpmM?: number;
  readonly tileSizePx?: number;
  readonly minTilePixels?: number;
  readonly mergeDistancePx?: number;
  readonly minPixels?: number;
  /**
   * Floor of the local spread c (step 4). Default 0 (none). On a sparse map (mag1c: ≈ 99.9% exact
   * zeros) the lower-half MAD behind c can be near 0 and z unbounded; with 1, z is never larger
   * than the independent-pixel model gives.
   */
  readonly minSpread?: number;
  /**
   * Outline pixels also need z ≥ this at the large scale. Default −∞ (the outline follows the
   * concentration alone). For a map that is biased upward where it is noisy (mag1c's α ≥ 0 over
   * dark ground), a concentration alone would outline noise.
   */
  readonly growMinZ?: number;
}

export interface AlbedoWeightedMaskInput {
  /** Matched-filter enhancement α, ppm·m (lines × samples; NaN = no data). */
  readonly enhancementPpmM: Float64Array;
  /** Relative brightness r per pixel (`albedoFactor`). */
  readonly albedo: Float64Array;
  /** 1 for pixels that may feed the noise model (the filter's background statistics pixels). */
  readonly statisticsPixels: Uint8Array;
  readonly lines: number;
  readonly samples: number;
  /**
   * false: the map is already albedo-independent in its units (ACE's score, mag1c's albedo-corrected
   * ppm·m): v_p = α_p and s_p = σ(r_p), the albedo only bins the noise model. Default true.
   */
  readonly correctAlbedo?: boolean;
  /** Per-pixel noise σ of α, in the map's units: replaces the albedo-binned model (step 2). */
  readonly noiseSigma?: Float64Array;
}

export interface AlbedoWeightedMaskResult {
  /** Labels, z (seed scale, normalised), per-pixel σ for the sums, plumes summed over `smoothedPpmM`. */
  readonly mask: PlumeMaskResult;
  /** Albedo-corrected, weighted local mean of the enhancement at the large scale, ppm·m. */
  readonly smoothedPpmM: Float64Array;
  /** The noise model: bin centres (median albedo) and σ of α there, ppm·m. */
  readonly albedoNoise: { readonly albedo: Float64Array; readonly sigmaPpmM: Float64Array };
  /** Median over data pixels of the seed-scale noise sd · c, ppm·m (what a seed must exceed seedZ times). */
  readonly seedNoiseSigmaPpmM: number;
  /** Per pixel, the seed-scale noise sd · c, ppm·m (NaN where no data or no weight nearby). */
  readonly seedNoiseMapPpmM: Float64Array;
}

/** r_p = x_pᵀμ_g / μ_gᵀμ_g per pixel (μ_g: mean radiance of the pixel's column group); NaN for no data. */
export function albedoFactor(cube: RadianceCube, stats: BackgroundStatistics): Float64Array {
  const { lines, samples, bands, data } = cube;
  const g = stats.groups.groupOfSample;
  const nGroups = stats.groups.groupPixels.length;
  const muNorm = new Float64Array(nGroups);
  for (let k = 0; k < nGroups; k++) {
    let s = 0;
    for (let b = 0; b < bands; b++) s += stats.mean[k * bands + b] ** 2;
    muNorm[k] = s;
  }
  const out = new Float64Array(lines * samples).fill(Number.NaN);
  for (let p = 0; p < out.length; p++) {
    if (stats.classes.isData[p] === 0) continue;
    const k = g[p % samples];
    if (!(muNorm[k] > 0)) continue;
    const o = p * bands;
    const mo = k * bands;
    let s = 0;
    for (let b = 0; b < bands; b++) s += data[o + b] * stats.mean[mo + b];
    out[p] = s / muNorm[k];
  }
  return out;
}

/** The mask of the file comment. */
export function albedoWeightedPlumeMask(
  input: AlbedoWeightedMaskInput,
  options: AlbedoWeightedMaskOptions = {},
): AlbedoWeightedMaskResult {
  const o = { ...DEFAULT_ALBEDO_WEIGHTED_MASK_OPTIONS, ...options };
  const { enhancementPpmM: alpha, albedo, statisticsPixels, lines, samples } = input;
  const n = lines * samples;
  for (const [name, a] of [
    ['enhancementPpmM', alpha],
    ['albedo', albedo],
    ['statisticsPixels', statisticsPixels],
  ] as const) {
    if (a.length !== n) {
      throw new PlumetraceError('PT_ERR_SPECTRAL_INPUT', `${name} has ${a.length} values, not ${lines}×${samples}`);
    }
  }
  const bad = (name: string, v: unknown): never => {
    throw new PlumetraceError('PT_ERR_SPECTRAL_INPUT', `plume mask option ${name} is invalid: ${String(v)}`);
  };
  if (!Number.isInteger(o.albedoBins) || o.albedoBins < 1) bad('albedoBins', o.albedoBins);
  if (!(o.minAlbedo > 0)) bad('minAlbedo', o.minAlbedo);
  if (!(o.seedSmoothingPx > 0) || !Number.isFinite(o.seedSmoothingPx)) bad('seedSmoothingPx', o.seedSmoothingPx);
  if (!(o.growSmoothingPx > 0) || !Number.isFinite(o.growSmoothingPx)) bad('growSmoothingPx', o.growSmoothingPx);
  if (!Number.isFinite(o.seedZ)) bad('seedZ', o.seedZ);
  if (!Number.isFinite(o.growPpmM)) bad('growPpmM', o.growPpmM);
  if (!(o.minSpread >= 0) || !Number.isFinite(o.minSpread)) bad('minSpread', o.minSpread);
  if (Number.isNaN(o.growMinZ)) bad('growMinZ', o.growMinZ);

  if (input.noiseSigma !== undefined && input.noiseSigma.length !== n) {
    throw new PlumetraceError(
      'PT_ERR_SPECTRAL_INPUT',
      `noiseSigma has ${input.noiseSigma.length} values, not ${lines}×${samples}`,
    );
  }
  const correct = input.correctAlbedo ?? true;
  const albedoNoise =
    input.noiseSigma === undefined
      ? noiseByAlbedo(alpha, albedo, statisticsPixels, o.albedoBins, o.minAlbedo)
      : { albedo: new Float64Array(0), sigmaPpmM: new Float64Array(0) };
  // Albedo-corrected value times weight, and weight.
  const wv = new Float64Array(n);
  const w = new Float64Array(n);
  const valid = new Uint8Array(n);
  for (let p = 0; p < n; p++) {
    const r = albedo[p];
    const a = alpha[p];
    if (!Number.isFinite(a)) continue;
    valid[p] = 1;
    if (!(r >= o.minAlbedo)) continue;
    const sigmaAlpha =
      input.noiseSigma === undefined ? interpolate(albedoNoise.albedo, albedoNoise.sigmaPpmM, r) : input.noiseSigma[p];
    const s = correct ? sigmaAlpha / r : sigmaAlpha;
    if (!(s > 0)) continue;
    w[p] = 1 / (s * s);
    wv[p] = (w[p] * a) / (correct ? r : 1);
  }
  const pass = () => {
    const seed = smoothedZ(wv, w, valid, lines, samples, o.seedSmoothingPx, o.tileSizePx, o.minTilePixels, o.minSpread);
    const grow = smoothedZ(wv, w, valid, lines, samples, o.growSmoothingPx, o.tileSizePx, o.minTilePixels, o.minSpread);
    const candidates = new Uint8Array(n);
    const sigma = new Float64Array(n);
    const corr = Math.sqrt(4 * Math.PI) * o.growSmoothingPx;
    for (let p = 0; p < n; p++) {
      if (Number.isFinite(grow.mean[p]) && Number.isFinite(seed.z[p]))
        candidates[p] = grow.mean[p] >= o.growPpmM && !(grow.z[p] < o.growMinZ) ? 1 : 0;
      sigma[p] = grow.sd[p] * grow.spread[p] * corr;
    }
    const mask = labelPlumes(
      {
        enhancementPpmM: grow.mean,
        zScore: seed.z,
        seedScore: seed.z,
        sigmaPpmM: sigma,
        backgroundPpmM: new Float64Array(n),
        candidates,
        lines,
        samples,
      },
      resolved,
    );
    return { seed, grow, mask };
  };
  const resolved = {
    ...resolvePlumeMaskOptions({
      seedZ: o.seedZ,
      growZ: Math.min(o.seedZ, 0),
      tileSizePx: o.tileSizePx,
      minTilePixels: o.minTilePixels,
      morphology: 'none',
      mergeDistancePx: o.mergeDistancePx,
      minPixels: o.minPixels,
    }),
    noise: 'albedo-weighted' as const,
  };
  const { seed, grow, mask: found } = pass();
  let mask = found;
  if (mask.plumes.length > 0) {
    // The noise of the sums: a plume filling much of a noise tile inflates the local spread (as in
    // plumeMask), so for the sums it is estimated again without the plumes, grown by the large
    // kernel's 2σ. The detection keeps the first, conservative spread.
    const exclude = Uint8Array.from(mask.labels, (v) => (v > 0 ? 1 : 0));
    dilateSquare(exclude, lines, samples, Math.ceil(2 * o.growSmoothingPx));
    // Where too few pixels are left to estimate it again (a plume over most of the scene), the first spread stays.
    const spread = localNoiseExcluding(grow.zRaw, lines, samples, exclude, o.tileSizePx, o.minTilePixels).sigmaPpmM.map(
      (c, p) => (Number.isFinite(c) ? Math.max(c, o.minSpread) : grow.spread[p]),
    );
    const corr = Math.sqrt(4 * Math.PI) * o.growSmoothingPx;
    const sigma = Float64Array.from(grow.sd, (sd, p) => sd * spread[p] * corr);
    const variance = new Float64Array(mask.plumes.length + 1);
    for (let p = 0; p < n; p++) if (mask.labels[p] > 0) variance[mask.labels[p]] += sigma[p] * sigma[p];
    mask = {
      ...mask,
      noiseSigmaPpmM: sigma,
      plumes: mask.plumes.map((pl) => ({ ...pl, sumNoiseVariancePpmM2: variance[pl.label] })),
    };
  }
  const seedNoiseMap = Float64Array.from(seed.sd, (v, p) => v * seed.spread[p]);
  const seedNoise = seedNoiseMap.filter(Number.isFinite);
  return {
    mask: { ...mask, algorithmVersion: ALBEDO_WEIGHTED_MASK_ALGORITHM_VERSION },
    smoothedPpmM: grow.mean,
    albedoNoise,
    seedNoiseSigmaPpmM: seedNoise.length > 0 ? medianInPlace(seedNoise) : Number.NaN,
    seedNoiseMapPpmM: seedNoiseMap,
  };
}

/** Step 2: σ of α per albedo quantile bin (bin centre = median albedo of the bin). */
function noiseByAlbedo(
  alpha: Float64Array,
  albedo: Float64Array,
  use: Uint8Array,
  nBins: number,
  minAlbedo: number,
): { albedo: Float64Array; sigmaPpmM: Float64Array } {
  const ids: number[] = [];
  for (let p = 0; p < alpha.length; p++) {
    if (use[p] !== 0 && Number.isFinite(alpha[p]) && albedo[p] >= minAlbedo) ids.push(p);
  }
  if (ids.length < 2 * nBins) {
    throw new PlumetraceError(
      'PT_ERR_TOO_FEW_SAMPLES',
      `${ids.length} background pixels brighter than ${minAlbedo} of their group mean; the noise model needs ${2 * nBins}`,
    );
  }
  ids.sort((a, b) => albedo[a] - albedo[b]);
  const centre: number[] = [];
  const sigma: number[] = [];
  for (let q = 0; q < nBins; q++) {
    const i0 = Math.floor((q * ids.length) / nBins);
    const i1 = Math.floor(((q + 1) * ids.length) / nBins);
    const v = new Float64Array(i1 - i0);
    const r = new Float64Array(i1 - i0);
    for (let i = i0; i < i1; i++) {
      v[i - i0] = alpha[ids[i]];
      r[i - i0] = albedo[ids[i]];
    }
    const m = medianInPlace(v.slice());
    for (let i = 0; i < v.length; i++) v[i] = Math.abs(v[i] - m);
    const s = MAD_TO_SIGMA * medianInPlace(v);
    if (s > 0) {
      centre.push(medianInPlace(r));
      sigma.push(s);
    }
  }
  if (centre.length === 0) {
    throw new PlumetraceError('PT_ERR_SPECTRAL_INPUT', 'the enhancement map has no spread: no noise model');
  }
  return { albedo: Float64Array.from(centre), sigmaPpmM: Float64Array.from(sigma) };
}

function interpolate(x: Float64Array, y: Float64Array, at: number): number {
  const last = x.length - 1;
  if (at <= x[0] || last === 0) return y[0];
  if (at >= x[last]) return y[last];
  let i = 0;
  while (x[i + 1] < at) i++;
  const f = (at - x[i]) / (x[i + 1] - x[i]);
  return y[i] + f * (y[i + 1] - y[i]);
}

interface SmoothedZ {
  /** Σ k w v / Σ k w, ppm·m (NaN where Σ k w = 0). */
  readonly mean: Float64Array;
  /** √(Σ k² w) / Σ k w, ppm·m. */
  readonly sd: Float64Array;
  /** mean / sd, normalised by its local robust spread and background. */
  readonly z: Float64Array;
  /** That local spread (c of the file comment). */
  readonly spread: Float64Array;
  /** mean / sd before the normalisation. */
  readonly zRaw: Float64Array;
}

/** Step 4 at one scale. */
function smoothedZ(
  wv: Float64Array,
  w: Float64Array,
  valid: Uint8Array,
  lines: number,
  samples: number,
  sigmaPx: number,
  tileSizePx: number,
  minTilePixels: number,
  minSpread: number,
): SmoothedZ {
  const r = Math.max(1, Math.ceil(3 * sigmaPx));
  const k = new Float64Array(2 * r + 1);
  for (let i = -r; i <= r; i++) k[i + r] = Math.exp((-i * i) / (2 * sigmaPx * sigmaPx));
  const k2 = k.map((v) => v * v);
  const num = convolve(wv, lines, samples, k, r);
  const den = convolve(w, lines, samples, k, r);
  const den2 = convolve(w, lines, samples, k2, r);
  const n = lines * samples;
  const mean = new Float64Array(n).fill(Number.NaN);
  const sd = new Float64Array(n).fill(Number.NaN);
  const zRaw = new Float64Array(n).fill(Number.NaN);
  for (let p = 0; p < n; p++) {
    if (!(den[p] > 0) || valid[p] === 0) continue;
    mean[p] = num[p] / den[p];
    sd[p] = Math.sqrt(den2[p]) / den[p];
    zRaw[p] = mean[p] / sd[p];
  }
  const local = localNoise(zRaw, lines, samples, tileSizePx, minTilePixels);
  const bg = local.backgroundPpmM;
  const spread = minSpread > 0 ? local.sigmaPpmM.map((c) => Math.max(c, minSpread)) : local.sigmaPpmM;
  const z = new Float64Array(n);
  for (let p = 0; p < n; p++) z[p] = (zRaw[p] - bg[p]) / spread[p];
  return { mean, sd, z, spread, zRaw };
}

/** Square dilation by `r` px in place (separable running max over a 0/1 mask). */
function dilateSquare(mask: Uint8Array, lines: number, samples: number, r: number): void {
  const tmp = new Uint8Array(mask.length);
  for (let l = 0; l < lines; l++) {
    for (let s = 0; s < samples; s++) {
      let v = 0;
      for (let i = Math.max(0, s - r); i <= Math.min(samples - 1, s + r) && v === 0; i++) v = mask[l * samples + i];
      tmp[l * samples + s] = v;
    }
  }
  for (let l = 0; l < lines; l++) {
    for (let s = 0; s < samples; s++) {
      let v = 0;
      for (let i = Math.max(0, l - r); i <= Math.min(lines - 1, l + r) && v === 0; i++) v = tmp[i * samples + s];
      mask[l * samples + s] = v;
    }
  }
}

/** Separable convolution with a symmetric kernel of radius r; outside the map counts as 0. */
function convolve(src: Float64Array, lines: number, samples: number, k: Float64Array, r: number): Float64Array {
  const tmp = new Float64Array(src.length);
  const out = new Float64Array(src.length);
  for (let l = 0; l < lines; l++) {
    const row = l * samples;
    for (let s = 0; s < samples; s++) {
      let a = 0;
      const i0 = Math.max(-r, -s);
      const i1 = Math.min(r, samples - 1 - s);
      for (let i = i0; i <= i1; i++) a += k[i + r] * src[row + s + i];
      tmp[row + s] = a;
    }
  }
  for (let l = 0; l < lines; l++) {
    const i0 = Math.max(-r, -l);
    const i1 = Math.min(r, lines - 1 - l);
    for (let s = 0; s < samples; s++) {
      let a = 0;
      for (let i = i0; i <= i1; i++) a += k[i + r] * tmp[(l + i) * samples + s];
      out[l * samples + s] = a;
    }
  }
  return out;
}

/**
 * Spectral coherence of regions of a label map: the whitened mean residual of their pixels against
 * the whitened target. Per pixel p of column group g: z_p = L_g⁻¹(x_p − μ_g) and s_g = L_g⁻¹(μ_g ⊙ t)
 * (Σ_g = L_g L_gᵀ); over a region z̄ = mean z_p, s̄ = mean s_g, and its coherence is
 * cos² = (z̄ᵀs̄)² / (|z̄|² |s̄|²) with the sign of z̄ᵀs̄ (absorption positive). A methane plume's mean
 * residual points along the target (its noise averages out over the pixels); a surface whose
 * spectrum merely projects onto the target (asphalt, roofs, some soils: the classic 2.3 µm
 * confusers) leaves most of its residual elsewhere. Returns coherence[label] for labels 1..nLabels
 * (NaN for an empty label; index 0 unused).
 */
export function coherenceByLabel(
  cube: RadianceCube,
  stats: BackgroundStatistics,
  targetPerPpmM: Float64Array,
  labels: Int32Array,
  nLabels: number,
): Float64Array {
  const { bands, data, samples } = cube;
  const { mean, choleskyFactor: lf, groupOk } = stats;
  const g = stats.groups.groupOfSample;
  const zSum = new Float64Array((nLabels + 1) * bands);
  const sSum = new Float64Array((nLabels + 1) * bands);
  const count = new Int32Array(nLabels + 1);
  const x = new Float64Array(bands);
  const z = new Float64Array(bands);
  const sOfGroup = new Float64Array(stats.groups.groupPixels.length * bands);
  for (let k = 0; k < stats.groups.groupPixels.length; k++) {
    if (groupOk[k] === 0) continue;
    for (let b = 0; b < bands; b++) x[b] = mean[k * bands + b] * targetPerPpmM[b];
    forwardSubstitute(lf, bands, x, z, k * bands * bands);
    sOfGroup.set(z, k * bands);
  }
  for (let p = 0; p < labels.length; p++) {
    const lab = labels[p];
    const k = g[p % samples];
    if (lab <= 0 || lab > nLabels || groupOk[k] === 0) continue;
    const mo = k * bands;
    for (let b = 0; b < bands; b++) x[b] = data[p * bands + b] - mean[mo + b];
    forwardSubstitute(lf, bands, x, z, k * bands * bands);
    const o = lab * bands;
    for (let b = 0; b < bands; b++) {
      zSum[o + b] += z[b];
      sSum[o + b] += sOfGroup[mo + b];
    }
    count[lab]++;
  }
  const out = new Float64Array(nLabels + 1).fill(Number.NaN);
  for (let lab = 1; lab <= nLabels; lab++) {
    if (count[lab] === 0) continue;
    let zs = 0;
    let zz = 0;
    let ss = 0;
    for (let b = lab * bands; b < (lab + 1) * bands; b++) {
      zs += zSum[b] * sSum[b];
      zz += zSum[b] * zSum[b];
      ss += sSum[b] * sSum[b];
    }
    out[lab] = zz > 0 && ss > 0 ? (Math.sign(zs) * zs * zs) / (zz * ss) : 0;
  }
  return out;
}

/** Coherence (coherenceByLabel) of each plume of `mask`, in the order of `mask.plumes`. */
export function plumeSpectralCoherence(
  cube: RadianceCube,
  stats: BackgroundStatistics,
  targetPerPpmM: Float64Array,
  mask: PlumeMaskResult,
): Float64Array {
  const c = coherenceByLabel(cube, stats, targetPerPpmM, mask.labels, mask.plumes.length);
  return Float64Array.from(mask.plumes, (pl) => c[pl.label]);
}

/**
 * Per plume, the largest coherence (coherenceByLabel) among its seed clusters: 8-connected groups of
 * at least `minClusterPixels` plume pixels with zScore ≥ seedZ. A plume that merged with a confuser
 * keeps the coherence of its own seeds; a confuser alone has only incoherent seeds.
 */
export function seedClusterCoherence(
  cube: RadianceCube,
  stats: BackgroundStatistics,
  targetPerPpmM: Float64Array,
  mask: PlumeMaskResult,
  seedZ: number,
  minClusterPixels = 3,
): Float64Array {
  const { labels, zScore, lines, samples } = mask;
  const cluster = new Int32Array(labels.length);
  const owner: number[] = [0];
  const size: number[] = [0];
  const stack: number[] = [];
  let n = 0;
  for (let p0 = 0; p0 < labels.length; p0++) {
    if (labels[p0] === 0 || cluster[p0] !== 0 || !(zScore[p0] >= seedZ)) continue;
    n++;
    cluster[p0] = n;
    stack.push(p0);
    let count = 0;
    while (stack.length > 0) {
      const p = stack.pop() as number;
      count++;
      const l = (p / samples) | 0;
      const s = p - l * samples;
      for (let ll = Math.max(0, l - 1); ll <= Math.min(lines - 1, l + 1); ll++) {
        for (let ss = Math.max(0, s - 1); ss <= Math.min(samples - 1, s + 1); ss++) {
          const q = ll * samples + ss;
          if (labels[q] !== 0 && cluster[q] === 0 && zScore[q] >= seedZ) {
            cluster[q] = n;
            stack.push(q);
          }
        }
      }
    }
    owner.push(labels[p0]);
    size.push(count);
  }
  const c = coherenceByLabel(cube, stats, targetPerPpmM, cluster, n);
  const best = new Float64Array(mask.plumes.length + 1).fill(Number.NEGATIVE_INFINITY);
  for (let k = 1; k <= n; k++) {
    if (size[k] >= minClusterPixels && c[k] > best[owner[k]]) best[owner[k]] = c[k];
  }
  return Float64Array.from(mask.plumes, (pl) => best[pl.label]);
}
