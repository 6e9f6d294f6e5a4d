/**
 * The methane detection chain of `plumetrace detect`, on a cube already cut to the methane window:
 * filter (two-pass CMF, ACE on the CMF's statistics, or the sparse mag1c filter), then the plume
 * mask: for every method the albedo-weighted, smoothed plume map of plume-map.ts, on the method's
 * own output and noise (see each branch), with the spectral-coherence check for the CMF and ACE.
 * Pure, so the command, the pipeline and the benchmarks run exactly the same steps.
 */
import { sparseMatchedFilter } from './mag1c.ts';
import { aceScore, matchedFilter } from './matched-filter.ts';
import type { RadianceCube } from './cube.ts';
import {
  type AlbedoWeightedMaskOptions,
  albedoFactor,
  DEFAULT_ALBEDO_WEIGHTED_MASK_OPTIONS,
  albedoWeightedPlumeMask,
  plumeSpectralCoherence,
  seedClusterCoherence,
} from './plume-map.ts';
import { keepPlumes, type PlumeMaskResult, plumeMask } from './plumes.ts';
import { type BackgroundStatistics, backgroundStatistics } from './statistics.ts';

export const DETECTION_METHODS = ['cmf', 'ace', 'mag1c'] as const;
export type DetectionMethod = (typeof DETECTION_METHODS)[number];

/** First pass of the two-pass CMF: a looser mask, grown by EXCLUSION_GROW_PX, leaves the statistics. */
const FIRST_PASS_MASK = { seedZ: 3, growZ: 2, minPixels: 5 } as const;
const EXCLUSION_GROW_PX = 2;
/**
 * Statistics pixels per band of a CMF column group: a column with fewer pools with its neighbours.
 * 1.5 (the filters' floor) leaves a 35-band covariance from ~53 pixels, whose estimation error
 * shows as heavy-tailed clutter; 10 per band is the usual rule for sample covariances.
 */
export const DETECT_MIN_PIXELS_PER_BAND = 10;
/**
 * Surface confusers: a CMF plume is kept only when its spectral coherence (plume-map.ts) over the
 * whole plume reaches MIN_PLUME_COHERENCE or the best of its seed clusters reaches
 * MIN_SEED_CLUSTER_COHERENCE (a plume merged with a confuser keeps its own seeds' coherence). Set on
 * the calibration seed of bench/swir-suite.ts (seed 7): there the plume-like patches of the Jasper
 * Ridge background (asphalt-like surfaces) scored at most 0.50 whole and 0.55 by seed clusters;
 * implanted plumes above the detection limit mostly 0.55–0.97 on one or the other.
 */
export const MIN_PLUME_COHERENCE = 0.55;
/** mag1c's outline pixels need z ≥ this at the large scale (plume-map.ts growMinZ): its α ≥ 0 is biased upward where noisy. */
export const MAG1C_GROW_MIN_Z = 1;
/** ACE's outline pixels need z ≥ this at the large scale: ACE also lights up weak surface structure a ppm·m outline ignores. */
export const ACE_GROW_MIN_Z = 1;
export const MIN_SEED_CLUSTER_COHERENCE = 0.6;

export interface MethaneDetection {
  /** Enhancement map, ppm·m (lines × samples). */
  enhancementPpmM: Float64Array;
  /** The plume mask, with sums and maxima over the ppm·m map (also for ACE). */
  mask: PlumeMaskResult;
  /**
   * The map the plumes' sums (IME) and maxima run over, ppm·m: for the CMF the albedo-corrected,
   * weighted local mean of plume-map.ts; for the other methods `enhancementPpmM`.
   */
  quantificationPpmM: Float64Array;
  /** Filter noise per column group, ppm·m. */
  columnNoiseSigmaPpmM: Float64Array;
  /** For the CMF: the noise a plume seed must exceed seedZ times (plume-map.ts), ppm·m; else NaN. */
  seedNoiseSigmaPpmM: number;
  /** Per pixel, the seed-scale noise of the plume map (plume-map.ts), ppm·m; absent without one. */
  seedNoiseMapPpmM?: Float64Array;
  /** Versions of the filter (and ACE) used, joined with '+'. */
  filterVersion: string;
}

/** Tuning of the CMF chain (defaults: DEFAULT_ALBEDO_WEIGHTED_MASK_OPTIONS, MIN_PLUME_COHERENCE). */
export interface DetectOptions {
  readonly mask?: AlbedoWeightedMaskOptions;
  readonly minCoherence?: number;
  readonly minSeedCoherence?: number;
}

export function detectMethane(
  cube: RadianceCube,
  targetPerPpmM: Float64Array,
  method: DetectionMethod,
  options: DetectOptions = {},
): MethaneDetection {
  const { lines, samples } = cube;
  if (method === 'mag1c') {
    // Sparse, albedo-corrected filter: its reweighting keeps plume pixels from diluting the
    // statistics. Its output is already albedo-corrected ppm·m (no division here) and mostly exact
    // zeros (α ≥ 0), so the plume map takes the filter's per-column noise σ_g instead of a MAD
    // (which would be 0), as σ_g / r per pixel (an albedo-corrected estimate is 1/r noisier on a
    // pixel of relative brightness r), floors the local spread at 1, and keeps the CMF's outline
    // threshold (same units). The coherence check runs on the CMF's (single-pass) statistics.
    const sparse = sparseMatchedFilter(cube, targetPerPpmM);
    const statistics = backgroundStatistics(cube, { minPixelsPerBand: DETECT_MIN_PIXELS_PER_BAND });
    const albedo = albedoFactor(cube, statistics);
    const g = sparse.groups.groupOfSample;
    const a = sparse.enhancementPpmM;
    const sigma = Float64Array.from(a, (_, p) => sparse.noiseSigmaPpmM[g[p % samples]] / albedo[p]);
    const weighted = albedoWeightedPlumeMask(
      {
        enhancementPpmM: a,
        albedo,
        statisticsPixels: Uint8Array.from(a, (v) => (Number.isFinite(v) ? 1 : 0)),
        lines,
        samples,
        correctAlbedo: false,
        noiseSigma: sigma,
      },
      { minSpread: 1, growMinZ: MAG1C_GROW_MIN_Z, ...options.mask },
    );
    return {
      enhancementPpmM: a,
      mask: keepCoherent(cube, statistics, targetPerPpmM, weighted.mask, options),
      quantificationPpmM: weighted.smoothedPpmM,
      columnNoiseSigmaPpmM: sparse.noiseSigmaPpmM,
      seedNoiseSigmaPpmM: weighted.seedNoiseSigmaPpmM,
      seedNoiseMapPpmM: weighted.seedNoiseMapPpmM,
      filterVersion: sparse.algorithmVersion,
    };
  }
  // Two passes: plume pixels of the first are kept out of the second pass's background statistics,
  // so a wide plume does not dilute its own signal.
  const stats = { minPixelsPerBand: DETECT_MIN_PIXELS_PER_BAND };
  const first = matchedFilter(cube, targetPerPpmM, stats);
  const firstMask = plumeMask(first.enhancementPpmM, lines, samples, FIRST_PASS_MASK);
  const exclude = grownMask(firstMask.labels, lines, samples, EXCLUSION_GROW_PX);
  const cmf = exclude.some((v) => v > 0)
    ? matchedFilter(cube, targetPerPpmM, { ...stats, excludeFromStatistics: exclude })
    : first;
  const e = cmf.enhancementPpmM;
  const albedo = albedoFactor(cube, cmf.statistics);
  const weighted = albedoWeightedPlumeMask(
    { enhancementPpmM: e, albedo, statisticsPixels: cmf.statistics.classes.inStatistics, lines, samples },
    options.mask,
  );
  const coherent = (mask: PlumeMaskResult) => keepCoherent(cube, cmf.statistics, targetPerPpmM, mask, options);
  if (method === 'cmf') {
    return {
      enhancementPpmM: e,
      mask: coherent(weighted.mask),
      quantificationPpmM: weighted.smoothedPpmM,
      columnNoiseSigmaPpmM: cmf.noiseSigmaPpmM,
      seedNoiseSigmaPpmM: weighted.seedNoiseSigmaPpmM,
      seedNoiseMapPpmM: weighted.seedNoiseMapPpmM,
      filterVersion: cmf.algorithmVersion,
    };
  }
  // ACE on the CMF's statistics, signed (ACE has no sign, the CMF does: absorption, not emission,
  // is a plume), through the same plume map: ACE is scale-invariant, so no albedo division (the
  // albedo only bins its noise model); seeds on its own z; the outline threshold is the CMF's
  // growPpmM scaled to ACE units by the ratio of the two maps' seed-scale noise. The plumes' sums
  // (IME) run over the CMF's smoothed ppm·m map with its noise, and the coherence check applies.
  const ace = aceScore(cube, targetPerPpmM, { statistics: cmf.statistics });
  const signed = ace.score.map((v, i) => (e[i] > 0 ? v : -v));
  const growPpmM = options.mask?.growPpmM ?? DEFAULT_ALBEDO_WEIGHTED_MASK_OPTIONS.growPpmM;
  const aceInput = {
    enhancementPpmM: signed,
    albedo,
    statisticsPixels: cmf.statistics.classes.inStatistics,
    lines,
    samples,
    correctAlbedo: false,
  };
  const probe = albedoWeightedPlumeMask(aceInput, { ...options.mask, growPpmM: Number.MAX_VALUE });
  const aceGrow = (growPpmM * probe.seedNoiseSigmaPpmM) / weighted.seedNoiseSigmaPpmM;
  const aceMap = albedoWeightedPlumeMask(aceInput, { growMinZ: ACE_GROW_MIN_Z, ...options.mask, growPpmM: aceGrow });
  return {
    enhancementPpmM: e,
    mask: coherent(inPpmM(aceMap.mask, weighted.smoothedPpmM, weighted.mask.noiseSigmaPpmM)),
    quantificationPpmM: weighted.smoothedPpmM,
    columnNoiseSigmaPpmM: cmf.noiseSigmaPpmM,
    seedNoiseSigmaPpmM: weighted.seedNoiseSigmaPpmM,
    seedNoiseMapPpmM: weighted.seedNoiseMapPpmM,
    filterVersion: `${cmf.algorithmVersion}+${ace.algorithmVersion}`,
  };
}

/** The plumes of `mask` that pass the spectral-coherence check (whole plume or best seed cluster). */
function keepCoherent(
  cube: RadianceCube,
  statistics: BackgroundStatistics,
  targetPerPpmM: Float64Array,
  mask: PlumeMaskResult,
  options: DetectOptions,
): PlumeMaskResult {
  const whole = plumeSpectralCoherence(cube, statistics, targetPerPpmM, mask);
  const seeds = seedClusterCoherence(cube, statistics, targetPerPpmM, mask, mask.options.seedZ);
  const minWhole = options.minCoherence ?? MIN_PLUME_COHERENCE;
  const minSeeds = options.minSeedCoherence ?? MIN_SEED_CLUSTER_COHERENCE;
  return keepPlumes(
    mask,
    Array.from(whole, (c, i) => c >= minWhole || seeds[i] >= minSeeds),
  );
}

/** 1 where labels > 0, dilated by `grow` px (square). */
function grownMask(labels: Int32Array, lines: number, samples: number, grow: number): Uint8Array {
  const out = new Uint8Array(lines * samples);
  for (let l = 0; l < lines; l++) {
    for (let s = 0; s < samples; s++) {
      if (labels[l * samples + s] === 0) continue;
      for (let dl = Math.max(0, l - grow); dl <= Math.min(lines - 1, l + grow); dl++) {
        out.fill(1, dl * samples + Math.max(0, s - grow), dl * samples + Math.min(samples - 1, s + grow) + 1);
      }
    }
  }
  return out;
}

/** The mask with its plumes' sums and maxima taken over the ppm·m map (for a mask made on ACE scores). */
function inPpmM(mask: PlumeMaskResult, enhancement: Float64Array, sigma: Float64Array): PlumeMaskResult {
  const { labels, samples } = mask;
  const plumes = mask.plumes.map((r) => {
    let sum = 0;
    let v = 0;
    let max = Number.NEGATIVE_INFINITY;
    let maxPixel = r.maxPixel;
    for (let l = r.lineMin; l <= r.lineMax; l++) {
      for (let s = r.sampleMin; s <= r.sampleMax; s++) {
        const p = l * samples + s;
        if (labels[p] !== r.label) continue;
        sum += enhancement[p];
        v += sigma[p] * sigma[p];
        if (enhancement[p] > max) {
          max = enhancement[p];
          maxPixel = p;
        }
      }
    }
    return { ...r, sumEnhancementPpmM: sum, sumNoiseVariancePpmM2: v, maxEnhancementPpmM: max, maxPixel };
  });
  return { ...mask, plumes, noiseSigmaPpmM: sigma };
}
