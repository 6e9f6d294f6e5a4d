/**
 * The implanted-plume suite of the SWIR methane chain (issue 6), shared by bench/swir-suite.ts and
 * test/integration/swir-suite.test.ts so both measure the same thing. Pure (inputs come in).
 *
 * Each case: a seeded scene from `simulateSwirScene` (the inputs' background — Jasper Ridge or
 * Moffett Field — mirror-tiled to the case's size), rate 100–5,000 kg/h (log-uniform), wind 1–8 m/s,
 * direction 60–120° (toward the east-ish), the source at a random pixel of the left part; plume-free
 * cases have no plume. The scene's 2100–2450 nm bands go through `detectMethane(…, 'cmf')` (ours)
 * and through the baseline "CMF > 500 ppm·m, then a 3×3 opening" on the single-pass CMF with the same
 * column groups. Pixel F1 against the truth mask (ΔX ≥ 200 ppm·m) is accumulated over all plume
 * cases (micro-average). `summarizeSwirSuite` gives the figures of one run or of several pooled.
 *
 * Rates: Q = U_eff · IME / L (src/core/spectral/ime.ts, L = √area) for the plume whose pixels come
 * closest to the true source (within `matchRadiusPx`); the wind given to it is the true 10 m wind
 * times (1 + windRelSigma · N(0, 1)), as from a forecast, with that relative σ declared.
 *
 * Detection limit (stated, derived from the measured noise where the plume starts): a plume is
 * seeded when its smoothed enhancement reaches seedZ × the seed-scale noise σ_seed of the plume map
 * (plume-map.ts), taken here in the plume's near field (`nearFieldNoise`: the median within 2 px of
 * the segment from the source 6 px downwind, along the wind direction given to the quantification)
 * — so a source over dark ground, or on a shore with the wind toward the water (water: half of
 * Moffett Field, a third of Jasper Ridge), gets the high limit its noise implies.
 * Near the source a plume of rate Q in a wind U carries Q/U kg per metre downwind; spread crosswind
 * over the seed kernel (Gaussian of σ_k = seedSmoothingPx · pixel) at most (Q/U) / (√(2π) σ_k) kg/m²
 * reach one smoothed pixel. So Q_min = DETECTION_LIMIT_MARGIN · seedZ · σ_seed · k · √(2π) · σ_k · U,
 * with k the kg/m² per ppm·m. DETECTION_LIMIT_MARGIN = 2 accounts for what the bound leaves out (the
 * CMF recovers ≈ 0.7 of the implanted enhancement, the kernel centred at the source overlaps the
 * plume only downwind) and was set on the calibration run (seed 7, both backgrounds, 120 plumes
 * each) as the smallest round margin above which ≥ 90% of the plumes were detected on each
 * background (Jasper 100%, Moffett 97%); the test checks it on other seeds.
 */

import { PlumetraceError } from '../../core/errors.ts';
import { Rng } from '../../core/random.ts';
import { DETECT_MIN_PIXELS_PER_BAND, type DetectOptions, detectMethane } from '../../core/spectral/detect.ts';
import {
  DEFAULT_ALBEDO_WEIGHTED_MASK_OPTIONS,
  type PlumeLengthDefinition,
  type UeffCalibration,
  matchedFilter,
  quantifyPlumes,
  unitAbsorptionTarget,
} from '../../core/spectral/index.ts';
import { KG_PER_M2_PER_PPM_M } from './plume-field.ts';
import { type SwirInputs, type SwirScene, simulateSwirScene } from './scene.ts';

export const SUITE_WINDOW_NM: readonly [number, number] = [2100, 2450];
export const BASELINE_THRESHOLD_PPM_M = 500;
export const DETECTION_LIMIT_MARGIN = 2;

export interface SwirSuiteOptions {
  plumes: number;
  plumeFree: number;
  seed: number;
  pixelSizeM: number;
  /** Scene sizes (square), used in turn; larger than 100 mirror-tiles the background. */
  sizes: readonly number[];
  /** Relative 1σ error of the wind given to the quantification. */
  windRelSigma: number;
  calibration: UeffCalibration;
  /** Relative 1σ of the U_eff calibration itself. */
  calibrationRelSigma: number;
  /** L of Q = U_eff · IME / L. Default 'sqrt-area'. */
  lengthDefinition?: PlumeLengthDefinition;
  /** 1σ error of the wind direction given to the quantification (for the origin), degrees. Default 15. */
  windDirectionSigmaDeg?: number;
  /** Tuning of the detection chain (default: its defaults). */
  detect?: DetectOptions;
  /** A plume matches the truth when one of its pixels lies this close to the source, px. Default 5. */
  matchRadiusPx?: number;
}

export interface SwirSuiteCase {
  /** The scene's seed and the source pixel (to rerun one case). */
  sceneSeed: number;
  sourceLine: number;
  sourceSample: number;
  windToDeg: number;
  rateKgPerHour: number;
  windSpeedMps: number;
  /** The wind given to the quantification. */
  windGivenMps: number;
  size: number;
  truthImeKg: number;
  detected: boolean;
  estimateKgPerHour: number;
  sigmaKgPerHour: number;
  imeKg: number;
  /** √area of the matched plume, m. */
  lengthM: number;
  /** The background's name. */
  background: string;
  /** Seed-scale noise of the plume map in the plume's near field (`nearFieldNoise`), ppm·m; Infinity when none. */
  localSeedNoisePpmM: number;
  /** Q_min at this case's wind and local noise (`detectionLimitKgPerHour`). */
  detectionLimitKgPerHour: number;
}

export interface Counts {
  tp: number;
  fp: number;
  fn: number;
}

export interface SwirSuiteResult {
  cases: SwirSuiteCase[];
  ours: Counts;
  baseline: Counts;
  plumeFreeTiles: number;
  plumeFreeTilesWithAPlume: number;
  baselinePlumeFreeTilesWithAPlume: number;
  /** Median over plume-free tiles of the seed-scale noise, ppm·m. */
  seedNoiseSigmaPpmM: number;
  /** Median over plume-free tiles of the CMF per-pixel noise (column groups), ppm·m. */
  cmfNoiseSigmaPpmM: number;
}

export const f1Score = (c: Counts): number => (2 * c.tp) / Math.max(1, 2 * c.tp + c.fp + c.fn);

/** Q_min (kg/h) at wind U (m/s) for seed noise σ_seed (ppm·m) and pixel size (m); see the file comment. */
export function detectionLimitKgPerHour(seedNoiseSigmaPpmM: number, windSpeedMps: number, pixelSizeM: number): number {
  const o = DEFAULT_ALBEDO_WEIGHTED_MASK_OPTIONS;
  const sigmaKernelM = o.seedSmoothingPx * pixelSizeM;
  return (
    DETECTION_LIMIT_MARGIN *
    o.seedZ *
    seedNoiseSigmaPpmM *
    KG_PER_M2_PER_PPM_M *
    Math.sqrt(2 * Math.PI) *
    sigmaKernelM *
    windSpeedMps *
    3600
  );
}

/** The methane window of a scene as a cube, with its target. */
export function methaneWindowCube(scene: SwirScene, absorption: SwirInputs['absorptionTable']) {
  const idx: number[] = [];
  scene.wavelengthNm.forEach((w, i) => {
    if (w >= SUITE_WINDOW_NM[0] && w <= SUITE_WINDOW_NM[1]) idx.push(i);
  });
  const n = scene.lines * scene.samples;
  const nb = idx.length;
  const data = new Float32Array(n * nb);
  for (let p = 0; p < n; p++) for (let k = 0; k < nb; k++) data[p * nb + k] = scene.radiance[p * scene.bands + idx[k]];
  const target = unitAbsorptionTarget(absorption, {
    centerNm: Float64Array.from(idx, (i) => scene.wavelengthNm[i]),
    fwhmNm: Float64Array.from(idx, (i) => scene.fwhmNm[i]),
  });
  return { cube: { data, lines: scene.lines, samples: scene.samples, bands: nb }, target: target.targetPerPpmM };
}

/** Baseline mask: ΔX > threshold, then a 3×3 opening (erosion then dilation; outside = background). */
export function baselineMask(e: Float64Array, lines: number, samples: number, threshold = BASELINE_THRESHOLD_PPM_M) {
  const above = Uint8Array.from(e, (v) => (v > threshold ? 1 : 0));
  const morph = (src: Uint8Array, erode: boolean) => {
    const out = new Uint8Array(src.length);
    for (let l = 0; l < lines; l++) {
      for (let s = 0; s < samples; s++) {
        let all = 1;
        let any = 0;
        for (let dl = -1; dl <= 1; dl++) {
          for (let ds = -1; ds <= 1; ds++) {
            const ll = l + dl;
            const ss = s + ds;
            const v = ll >= 0 && ll < lines && ss >= 0 && ss < samples ? src[ll * samples + ss] : 0;
            all &= v;
            any |= v;
          }
        }
        out[l * samples + s] = erode ? all : any;
      }
    }
    return out;
  };
  return morph(morph(above, true), false);
}

function addCounts(c: Counts, mask: ArrayLike<number>, truth: Uint8Array): void {
  for (let i = 0; i < truth.length; i++) {
    const m = mask[i] > 0 ? 1 : 0;
    if (m && truth[i]) c.tp++;
    else if (m) c.fp++;
    else if (truth[i]) c.fn++;
  }
}

/** Pixels within NEAR_FIELD_RADIUS_PX of the segment from the source NEAR_FIELD_LENGTH_PX downwind. */
export const NEAR_FIELD_LENGTH_PX = 6;
export const NEAR_FIELD_RADIUS_PX = 2;

/**
 * The seed-scale noise a plume meets in its near field: the median of the plume map's seed noise
 * over the pixels within NEAR_FIELD_RADIUS_PX of the segment from the source NEAR_FIELD_LENGTH_PX
 * downwind (the given wind direction, from which it blows, degrees; north-up map). A source on a
 * shore whose plume blows over water meets the water's noise. Infinity when no pixel has a value.
 */
export function nearFieldNoise(
  map: Float64Array | undefined,
  size: number,
  source: { line: number; sample: number },
  windFromDeg: number,
): number {
  if (!map) return Number.POSITIVE_INFINITY;
  const rad = (windFromDeg * Math.PI) / 180;
  const dl = Math.cos(rad); // downwind: line grows southward
  const ds = -Math.sin(rad);
  const values: number[] = [];
  const reach = NEAR_FIELD_LENGTH_PX + NEAR_FIELD_RADIUS_PX;
  for (let l = Math.max(0, source.line - reach); l <= Math.min(size - 1, source.line + reach); l++) {
    for (let s = Math.max(0, source.sample - reach); s <= Math.min(size - 1, source.sample + reach); s++) {
      const x = l - source.line;
      const y = s - source.sample;
      const t = Math.min(NEAR_FIELD_LENGTH_PX, Math.max(0, x * dl + y * ds));
      const v = map[l * size + s];
      if ((x - t * dl) ** 2 + (y - t * ds) ** 2 <= NEAR_FIELD_RADIUS_PX ** 2 && Number.isFinite(v)) values.push(v);
    }
  }
  return values.length > 0 ? median(values) : Number.POSITIVE_INFINITY;
}

function median(values: number[]): number {
  const a = [...values].sort((x, y) => x - y);
  return a.length === 0 ? Number.NaN : a.length % 2 ? a[a.length >> 1] : 0.5 * (a[a.length / 2 - 1] + a[a.length / 2]);
}

/** Runs the suite (see the file comment). Plume-free tiles run first, so the detection limit is known for the plumes. */
export function runSwirSuite(inputs: SwirInputs, o: SwirSuiteOptions): SwirSuiteResult {
  if (o.sizes.length === 0) throw new PlumetraceError('PT_ERR_BAD_REQUEST', 'the suite needs at least one scene size');
  const rng = new Rng(o.seed);
  const radius = o.matchRadiusPx ?? 5;
  const ours: Counts = { tp: 0, fp: 0, fn: 0 };
  const baseline: Counts = { tp: 0, fp: 0, fn: 0 };
  const seedNoise: number[] = [];
  const cmfNoise: number[] = [];
  let fa = 0;
  let baseFa = 0;
  const cases: SwirSuiteCase[] = [];
  for (let i = 0; i < o.plumeFree + o.plumes; i++) {
    const free = i < o.plumeFree;
    const size = o.sizes[i % o.sizes.length];
    const rate = 100 * 50 ** rng.uniform();
    const wind = 1 + 7 * rng.uniform();
    const windToDeg = 60 + 60 * rng.uniform();
    const source = {
      line: Math.round(0.2 * size) + rng.int(Math.round(0.6 * size)),
      sample: Math.round(0.1 * size) + rng.int(Math.round(0.2 * size)),
    };
    const windGiven = wind * Math.max(0.2, 1 + o.windRelSigma * rng.normal());
    const windFromGiven = windToDeg + 180 + (o.windDirectionSigmaDeg ?? 15) * rng.normal();
    const scene = simulateSwirScene(
      {
        seed: o.seed * 1000 + i,
        source,
        rateKgPerHour: free ? 0 : rate,
        windSpeedMps: wind,
        windToDeg,
        stability: wind < 3 ? 'B' : wind < 5 ? 'C' : 'D',
        pixelSizeM: o.pixelSizeM,
        lines: size,
        samples: size,
      },
      inputs,
    );
    const { cube, target } = methaneWindowCube(scene, inputs.absorptionTable);
    const det = detectMethane(cube, target, 'cmf', o.detect);
    const single = matchedFilter(cube, target, { minPixelsPerBand: DETECT_MIN_PIXELS_PER_BAND });
    const base = baselineMask(single.enhancementPpmM, size, size);
    if (free) {
      if (det.mask.plumes.length > 0) fa++;
      if (base.some((v) => v > 0)) baseFa++;
      seedNoise.push(det.seedNoiseSigmaPpmM);
      cmfNoise.push(median(Array.from(single.noiseSigmaPpmM)));
      continue;
    }
    addCounts(ours, det.mask.labels, scene.truth.mask);
    addCounts(baseline, base, scene.truth.mask);
    const q = quantifyPlumes(det.mask, det.quantificationPpmM, {
      pixelSizeM: o.pixelSizeM,
      windSpeedMps: windGiven,
      windSpeedSigmaMps: 0,
      windSpeedRelSigma: o.windRelSigma,
      windFromDeg: windFromGiven,
      lengthDefinition: o.lengthDefinition ?? 'sqrt-area',
      calibration: o.calibration,
      calibrationRelSigma: o.calibrationRelSigma,
      kgPerM2PerPpmM: KG_PER_M2_PER_PPM_M,
    });
    // The plume with a pixel nearest the source.
    let best = -1;
    let bestD = Number.POSITIVE_INFINITY;
    const { labels } = det.mask;
    det.mask.plumes.forEach((pl, k) => {
      for (let l = pl.lineMin; l <= pl.lineMax; l++) {
        for (let s = pl.sampleMin; s <= pl.sampleMax; s++) {
          if (labels[l * size + s] !== pl.label) continue;
          const d = Math.hypot(l - source.line, s - source.sample);
          if (d < bestD) {
            bestD = d;
            best = k;
          }
        }
      }
    });
    const hit = best >= 0 && bestD <= radius ? q[best] : undefined;
    const localSigma = nearFieldNoise(det.seedNoiseMapPpmM, size, source, windFromGiven);
    cases.push({
      sceneSeed: o.seed * 1000 + i,
      sourceLine: source.line,
      sourceSample: source.sample,
      windToDeg,
      rateKgPerHour: rate,
      windSpeedMps: wind,
      windGivenMps: windGiven,
      size,
      truthImeKg: scene.truth.imeKg,
      detected: hit !== undefined,
      estimateKgPerHour: hit?.rateKgPerHour ?? 0,
      sigmaKgPerHour: hit?.rateSigmaKgPerHour ?? 0,
      imeKg: hit?.imeKg ?? 0,
      lengthM: hit?.lengthM ?? 0,
      background: inputs.background.name,
      localSeedNoisePpmM: localSigma,
      detectionLimitKgPerHour: detectionLimitKgPerHour(localSigma, wind, o.pixelSizeM),
    });
  }
  const sigmaSeed = median(seedNoise);
  return {
    cases,
    ours,
    baseline,
    plumeFreeTiles: o.plumeFree,
    plumeFreeTilesWithAPlume: fa,
    baselinePlumeFreeTilesWithAPlume: baseFa,
    seedNoiseSigmaPpmM: sigmaSeed,
    cmfNoiseSigmaPpmM: median(cmfNoise),
  };
}

/**
 * Varon et al. (2018, AMT 11, 5673) calibration of U_eff = a + b · U10 from detected plumes of known
 * rate: per plume the U_eff that makes Q right, U_eff = Q · L / IME (kg/s, m, kg), then ordinary
 * least squares on U10; relSigma is the RMS of U_eff / fit − 1, rel68 and rel95 its 68.3% and 95.4%
 * quantiles of |U_eff / fit − 1| (the RMS of a heavy-tailed scatter overstates the 68% half-width).
 */
export function fitUeffCalibration(
  cases: readonly SwirSuiteCase[],
  aboveDetectionLimitOnly = true,
): UeffCalibration & { relSigma: number; rel68: number; rel95: number; n: number } {
  const pts = cases
    .filter((c) => c.detected && c.imeKg > 0)
    .filter((c) => !aboveDetectionLimitOnly || c.rateKgPerHour >= c.detectionLimitKgPerHour)
    .map((c) => [c.windSpeedMps, ((c.rateKgPerHour / 3600) * c.lengthM) / c.imeKg] as const);
  const n = pts.length;
  if (n < 3) throw new PlumetraceError('PT_ERR_BAD_REQUEST', `${n} detected plumes: too few to fit U_eff`);
  const mx = pts.reduce((s, p) => s + p[0], 0) / n;
  const my = pts.reduce((s, p) => s + p[1], 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (const [x, y] of pts) {
    sxy += (x - mx) * (y - my);
    sxx += (x - mx) ** 2;
  }
  const b = sxy / sxx;
  const a = my - b * mx;
  const dev = pts.map(([x, y]) => y / (a + b * x) - 1);
  const relSigma = Math.sqrt(dev.reduce((s, d) => s + d * d, 0) / n);
  const abs = dev.map(Math.abs).sort((x, y) => x - y);
  const q = (f: number) => abs[Math.min(n - 1, Math.ceil(f * n) - 1)];
  return { aMps: a, b, relSigma, rel68: q(0.683), rel95: q(0.954), n };
}

/** The figures of one suite run (or of several pooled): what the bench prints and the test asserts. */
export interface SwirSuiteSummary {
  plumes: number;
  plumeFreeTiles: number;
  pixelF1: number;
  baselinePixelF1: number;
  f1Ratio: number;
  plumeFreeTilesWithAPlume: number;
  baselinePlumeFreeTilesWithAPlume: number;
  detectedPlumes: number;
  plumesAboveDetectionLimit: number;
  /** Fractions of the plumes above the detection limit. */
  detectedAboveLimit: number;
  rateWithin50Percent: number;
  /** Fractions of the detected plumes above the limit whose |error| ≤ 1σ, 2σ of rateSigma. */
  ratedAboveLimit: number;
  rateWithin1Sigma: number;
  rateWithin2Sigma: number;
  /** 95th percentile of |error| / σ_Q over the rated plumes above the limit. */
  p95AbsErrorOverSigma: number;
}

/** Summary of one run, or of several pooled (counts and cases added; each case keeps its scene's limit). */
export function summarizeSwirSuite(results: readonly SwirSuiteResult[]): SwirSuiteSummary {
  const ours: Counts = { tp: 0, fp: 0, fn: 0 };
  const base: Counts = { tp: 0, fp: 0, fn: 0 };
  let free = 0;
  let fa = 0;
  let baseFa = 0;
  const cases: SwirSuiteCase[] = [];
  for (const r of results) {
    for (const k of ['tp', 'fp', 'fn'] as const) {
      ours[k] += r.ours[k];
      base[k] += r.baseline[k];
    }
    free += r.plumeFreeTiles;
    fa += r.plumeFreeTilesWithAPlume;
    baseFa += r.baselinePlumeFreeTilesWithAPlume;
    cases.push(...r.cases);
  }
  const above = cases.filter((c) => c.rateKgPerHour >= c.detectionLimitKgPerHour);
  const rated = above.filter((c) => c.detected);
  const err = (c: SwirSuiteCase) => Math.abs(c.estimateKgPerHour - c.rateKgPerHour);
  const frac = (set: SwirSuiteCase[], f: (c: SwirSuiteCase) => boolean) =>
    set.length ? set.filter(f).length / set.length : Number.NaN;
  const z = rated.map((c) => err(c) / c.sigmaKgPerHour).sort((a, b) => a - b);
  return {
    plumes: cases.length,
    plumeFreeTiles: free,
    pixelF1: f1Score(ours),
    baselinePixelF1: f1Score(base),
    f1Ratio: f1Score(ours) / f1Score(base),
    plumeFreeTilesWithAPlume: free ? fa / free : Number.NaN,
    baselinePlumeFreeTilesWithAPlume: free ? baseFa / free : Number.NaN,
    detectedPlumes: cases.filter((c) => c.detected).length,
    plumesAboveDetectionLimit: above.length,
    detectedAboveLimit: frac(above, (c) => c.detected),
    rateWithin50Percent: frac(above, (c) => c.detected && err(c) <= 0.5 * c.rateKgPerHour),
    ratedAboveLimit: rated.length,
    rateWithin1Sigma: frac(rated, (c) => err(c) <= c.sigmaKgPerHour),
    rateWithin2Sigma: frac(rated, (c) => err(c) <= 2 * c.sigmaKgPerHour),
    p95AbsErrorOverSigma: z.length ? z[Math.min(z.length - 1, Math.ceil(0.95 * z.length) - 1)] : Number.NaN,
  };
}
