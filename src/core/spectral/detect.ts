/**
 * The methane detection chain of `plumetrace detect`, on a cube already cut to the methane window:
 * filter (two-pass CMF, ACE on the CMF's statistics, or the sparse mag1c filter), then the plume
 * mask (for the CMF the albedo-weighted, smoothed mask of plume-map.ts; for ACE and mag1c the
 * per-pixel hysteresis mask of plumes.ts). Pure, so the command, the pipeline and the benchmarks run exactly the same steps.
 */
import { sparseMatchedFilter } from './mag1c.ts';
import { aceScore, matchedFilter } from './matched-filter.ts';
import type { RadianceCube } from './cube.ts';
import {
  type AlbedoWeightedMaskOptions,
  albedoFactor,
  albedoWeightedPlumeMask,
  plumeSpectralCoherence,
  seedClusterCoherence,
} from './plume-map.ts';
import { keepPlumes, type PlumeMaskResult, plumeMask } from './plumes.ts';

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
    // statistics. α ≥ 0, so the mask takes the filter's per-column noise (a local lower-half
    // estimate would see mostly zeros).
    const sparse = sparseMatchedFilter(cube, targetPerPpmM);
    const g = sparse.groups.groupOfSample;
    const sigma = new Float64Array(lines * samples);
    for (let p = 0; p < sigma.length; p++) sigma[p] = sparse.noiseSigmaPpmM[g[p % samples]];
    return {
      enhancementPpmM: sparse.enhancementPpmM,
      mask: plumeMask(sparse.enhancementPpmM, lines, samples, { sigmaPpmM: sigma }),
      quantificationPpmM: sparse.enhancementPpmM,
      columnNoiseSigmaPpmM: sparse.noiseSigmaPpmM,
      seedNoiseSigmaPpmM: Number.NaN,
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
  if (method === 'cmf') {
    const weighted = albedoWeightedPlumeMask(
      {
        enhancementPpmM: e,
        albedo: albedoFactor(cube, cmf.statistics),
        statisticsPixels: cmf.statistics.classes.inStatistics,
        lines,
        samples,
      },
      options.mask,
    );
    const whole = plumeSpectralCoherence(cube, cmf.statistics, targetPerPpmM, weighted.mask);
    const seeds = seedClusterCoherence(cube, cmf.statistics, targetPerPpmM, weighted.mask, weighted.mask.options.seedZ);
    const minWhole = options.minCoherence ?? MIN_PLUME_COHERENCE;
    const minSeeds = options.minSeedCoherence ?? MIN_SEED_CLUSTER_COHERENCE;
    return {
      enhancementPpmM: e,
      mask: keepPlumes(
        weighted.mask,
        Array.from(whole, (c, i) => c >= minWhole || seeds[i] >= minSeeds),
      ),
      quantificationPpmM: weighted.smoothedPpmM,
      columnNoiseSigmaPpmM: cmf.noiseSigmaPpmM,
      seedNoiseSigmaPpmM: weighted.seedNoiseSigmaPpmM,
      filterVersion: cmf.algorithmVersion,
    };
  }
  // ACE on the CMF's statistics; a signed score (ACE has no sign, the CMF does: absorption, not
  // emission, is a plume). The plumes' sums come from the ppm·m map with its own noise.
  const ace = aceScore(cube, targetPerPpmM, { statistics: cmf.statistics });
  const aceMask = plumeMask(
    ace.score.map((v, i) => (e[i] > 0 ? v : -v)),
    lines,
    samples,
  );
  const ppmmNoise = plumeMask(e, lines, samples).noiseSigmaPpmM;
  return {
    enhancementPpmM: e,
    mask: inPpmM(aceMask, e, ppmmNoise),
    quantificationPpmM: e,
    columnNoiseSigmaPpmM: cmf.noiseSigmaPpmM,
    seedNoiseSigmaPpmM: Number.NaN,
    filterVersion: `${cmf.algorithmVersion}+${ace.algorithmVersion}`,
  };
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
