/**
 * Bayesian source-term estimation for in-situ point and open-path samples.
 *
 * Posterior over the source position (x, y), release height h, the error δ of the mean wind
 * direction, and (when not given) the stability class; the rates and background are integrated out
 * analytically and the model error is learned (likelihood.ts). Position is searched smartly:
 *   1. coarse grids of profile least-squares fits (widened and physical plumes), refined around
 *      the best cells, find the mode(s) per stability class;
 *   2. a Laplace approximation at each mode gives a Student-t proposal (plus a defensive component:
 *      the prior);
 *   3. sequential Monte Carlo tempers from that proposal to the posterior, giving the posterior
 *      draws and the model evidence.
 * The same machinery with two sources (δ shared) gives the evidence of the two-source model; the
 * background-only model's evidence is analytic. Wind-speed error scales every rate, so it is applied
 * to the rate draws as a log-normal factor.
 */
import { PlumetraceError } from '../errors.ts';
import type { Terrain } from '../dispersion/index.ts';
import { choleskySolve } from '../linalg.ts';
import { normalCdf } from '../normal.ts';
import { Rng } from '../random.ts';
import type { InSituSeries, StabilityClass } from '../types.ts';
import {
  type HyperGrid,
  type KernelContext,
  type Marginal,
  type SourcePosition,
  type Workspace,
  hyperGrid,
  kernelContext,
  kernelRows,
  marginal,
  workspace,
} from './likelihood.ts';
import { type PreparedObservations, type WindOverride, prepareObservations } from './observations.ts';
import { stabilityPrior } from './stability-prior.ts';

export const STE_METHOD = 'insitu-bayes-ais';
export const STE_VERSION = `${STE_METHOD}/0.3.0`;
/** Prior probabilities of 0, 1 and 2 sources (see SteOptions.sourceCountPrior). */
export const DEFAULT_SOURCE_COUNT_PRIOR: [number, number, number] = [0.4875, 0.4875, 0.025];

export interface SteOptions {
  /** Prior probability of each stability class; default: from σθ or Turner's table (stability-prior.ts). */
  stabilityPrior?: Partial<Record<StabilityClass, number>>;
  terrain?: Terrain;
  /** A single wind for all rows (when they carry none). */
  wind?: WindOverride;
  /** Search bounds [minLon, minLat, maxLon, maxLat]; default: the samples' extent with a wide margin. */
  area?: [number, number, number, number];
  /**
   * Search bounds as a rectangle of any orientation: its four [lat, lon] corners in order around it
   * (in place of `area`; e.g. a strip upwind of the survey along the wind, or the region a suite
   * scenario draws its sources from, ScenarioTruth.sourceRegion).
   */
  areaCorners?: [number, number][];
  /** Largest number of simultaneous sources considered (0, 1 or 2; default 2). */
  maxSources?: number;
  /** Height above ground of the wind measurement (m, default 10: the meteorological standard). */
  windHeightM?: number;
  /** Upper bound of the release-height prior (m, default 10). */
  heightMaxM?: number;
  /**
   * Prior probabilities of 0, 1 and 2 sources (default DEFAULT_SOURCE_COUNT_PRIOR: 0.4875, 0.4875,
   * 0.025). Two simultaneous sources are rarer, and the evidence for a second one must exceed
   * ln(0.4875/0.025) ≈ 3 nats: model errors the likelihood does not describe give phantom second
   * sources a few nats. Calibrated on seed 2026 of the simulated suite (the count is most often right
   * with 2.5–3.5 nats there, over two sampler seeds; README, "Validation and figures").
   */
  sourceCountPrior?: [number, number, number];
  /** Sampling effort (default 1000): the sequential Monte Carlo runs max(100, samples/5) particles. */
  samples?: number;
  seed?: number;
  onProgress?: (fraction: number) => void;
}

export interface SteSource {
  lat: number;
  lon: number;
  heightM: number;
  rateKgPerHour: number;
  rateSigmaKgPerHour: number;
  rateKgPerHourCi90: [number, number];
  locationCi90: { semiMajorM: number; semiMinorM: number; azimuthDeg: number };
}

export interface SteResult {
  gas: string;
  backgroundPpm: number;
  sources: SteSource[];
  /** Probabilities of no, one and two sources in the search area, calibrated (reportedCountProbabilities). */
  sourceCountProbabilities: { '0': number; '1': number; '2': number };
  algorithmVersion: string;
  elapsedMs: number;
  diagnostics: {
    sampleCount: number;
    pathSamples: number;
    windSpeedMps: number;
    windFromDeg: number;
    windDirectionSigmaDeg: number;
    windSpeedRelSigma: number;
    stabilityPrior: Partial<Record<StabilityClass, number>>;
    stabilityBasis: string;
    stabilityPosterior: Partial<Record<StabilityClass, number>>;
    logEvidence: [number, number, number];
    effectiveSampleSize: [number, number];
    noiseScalePpm: number;
    /** Forward-model evaluations (kernel vectors) the estimate took. */
    modelEvaluations: number;
    /** Per source (same order as `sources`): the structural error added to its posterior. */
    structuralError: StructuralError[];
  };
}

const CLASSES: StabilityClass[] = ['A', 'B', 'C', 'D', 'E', 'F'];

/** The structural error added to one located source (see STRUCTURAL_ALONG). */
export interface StructuralError {
  /** Concentration-weighted downwind distance from the source to the rows it reaches (m). */
  travelM: number;
  /**
   * Share of the source's modelled signal (over the rows it reaches) on short samples modelled
   * about the wind track (0–1; see STRUCTURAL_TRACKED_SCALE).
   */
  trackedShare: number;
  /** Posterior mean of the relative model-error factor γ (0–1). */
  gamma: number;
  /**
   * Structural sd of the location along and across the mean wind (m; in the ellipse), and of the
   * log rate (carried from the location terms before STRUCTURAL_UNTRACKED_LOCATION_SCALE).
   */
  alongM: number;
  crossM: number;
  rateLnSd: number;
}
const CHI2_2DOF_90 = 4.605170185988091;

interface Ctx {
  obs: PreparedObservations;
  hyper: HyperGrid;
  ws: Workspace;
  kctx: Map<StabilityClass, KernelContext>;
  area: SearchArea;
  hMax: number;
  sigmaDelta: number;
  rng: Rng;
  k1: Float64Array;
  k2: Float64Array;
  d1: Float64Array;
  d2: Float64Array;
  evals: number;
}

/** One draw (a particle): class, source(s), δ, its log weight and rate moments. */
interface Draw {
  cls: StabilityClass;
  src: SourcePosition[];
  delta: number;
  /** log weight; for proposal draws log T − log q. */
  logW: number;
  /** log of the unnormalised posterior (likelihood × prior) and of the proposal density. */
  logT: number;
  logQ: number;
  m: Marginal;
}

/** Everything the estimate needs that follows from the data and the options alone. */
function makeContext(series: InSituSeries, options: SteOptions) {
  const obs = prepareObservations(series, options.wind);
  const hyper = hyperGrid(obs);
  const auto = options.stabilityPrior ? null : stabilityPrior(series, obs.meanSpeedMps);
  const prior = normalisePrior(options.stabilityPrior ?? auto!.prior);
  const terrain = options.terrain ?? 'rural';
  const kctx = new Map<StabilityClass, KernelContext>();
  for (const c of Object.keys(prior) as StabilityClass[]) {
    kctx.set(c, kernelContext(obs, series.gas, c, terrain, series.averagingS, options.windHeightM ?? 10));
  }
  const independentMinutes = Math.max(1, obs.durationS / 60);
  // Error of the mean wind direction: its scatter over the survey (minute-scale decorrelation) and a
  // 5° floor for how well one anemometer represents the wind that carried the plume.
  const fiveDeg = (5 * Math.PI) / 180;
  const sigmaDelta = obs.windFromRows
    ? Math.hypot(obs.rawDirStdRad / Math.sqrt(independentMinutes), fiveDeg)
    : (10 * Math.PI) / 180;
  const speedRelSigma = obs.windFromRows
    ? Math.hypot(obs.rawSpeedStdMps / obs.meanSpeedMps / Math.sqrt(independentMinutes), 0.1)
    : 0.15;
  const ctx: Ctx = {
    obs,
    hyper,
    ws: workspace(obs.n, hyper),
    kctx,
    area: searchArea(obs, options.area, options.areaCorners),
    hMax: Math.max(0.1, options.heightMaxM ?? 10),
    sigmaDelta,
    rng: new Rng(options.seed ?? 1),
    k1: new Float64Array(obs.n),
    k2: new Float64Array(obs.n),
    d1: new Float64Array(obs.n),
    d2: new Float64Array(obs.n),
    evals: 0,
  };
  return { ctx, obs, hyper, prior, auto, speedRelSigma };
}

/** The stability class a prior gives the most probability. */
function mostProbableClass(prior: Partial<Record<StabilityClass, number>>): StabilityClass {
  return (Object.entries(prior) as [StabilityClass, number][]).sort((a, b) => b[1] - a[1])[0][0];
}

/**
 * The one-source posterior density the estimator samples, for comparisons (the benchmark runs a
 * plain random-walk Metropolis sampler on it): v = [x, y, h, δ] in the local frame (m, m, m, rad),
 * stability fixed to the prior's most probable class.
 */
export function oneSourcePosterior(series: InSituSeries, options: SteOptions = {}) {
  const { ctx, prior } = makeContext(series, options);
  const cls = mostProbableClass(prior);
  const vec = new Float64Array(3);
  const hs = new Float64Array(1);
  return {
    logDensity(v: Float64Array): number {
      vec[0] = v[0];
      vec[1] = v[1];
      vec[2] = v[3];
      hs[0] = v[2];
      const lp = logPriorOf(ctx, prior, 1, cls, vec, hs);
      return Number.isFinite(lp) ? logTarget(ctx, cls, 1, vec, hs).m.logZ + lp : Number.NEGATIVE_INFINITY;
    },
    /** A uniform draw from the prior's support. */
    draw(u: () => number): Float64Array {
      const a = ctx.area;
      const [x, y] = areaPoint(a, a.d0 + u() * (a.d1 - a.d0), a.c0 + u() * (a.c1 - a.c0));
      return Float64Array.of(x, y, u() * ctx.hMax, 0);
    },
    toLatLon: (x: number, y: number) => ctx.obs.frame.toLatLon(x, y),
    toXY: (lat: number, lon: number) => ctx.obs.frame.toXY(lat, lon),
  };
}

/**
 * What the data show of a given pair of sources under the estimator's own model — a diagnostic for
 * the simulated suite (`bench/ste-suite.ts --oracle`), not part of an estimate. The log likelihood of
 * the pair (rates, background and model-error terms integrated out as in the estimate — so the
 * rates' own Occam factors are in it — with the wind-direction offset's prior), each source moved to
 * its best fit near the given position, minus that of the best single source (from the one-source
 * search and from each given position). The evidence for a second source is about this gain less
 * what its position's prior volume costs (`occamNats`, ln of the search area times the height range,
 * before the posterior's own width gives some of it back): a pair whose gain stays below that is
 * not in the data as the model reads them, and no search or sampler can find it. Stability: the
 * prior's most probable class.
 */
export function pairLikelihoodGain(
  series: InSituSeries,
  options: SteOptions,
  pair: { lat: number; lon: number; heightM: number }[],
): { gainNats: number; occamNats: number; movedM: number[] } {
  if (pair.length !== 2) throw new Error(`pairLikelihoodGain: needs two sources (got ${pair.length})`);
  const { ctx, prior } = makeContext(series, options);
  const cls = mostProbableClass(prior);
  const at = pair.map((s) => {
    const [x, y] = ctx.obs.frame.toXY(s.lat, s.lon);
    return { x, y, h: Math.min(ctx.hMax, Math.max(0, s.heightM)) };
  });
  const mode = findMode(ctx, cls, null).src;
  const one = Math.max(...[mode, ...at].map((s) => localMaximum(ctx, cls, [s]).lp));
  const two = localMaximum(ctx, cls, at);
  const a = ctx.area;
  return {
    gainNats: two.lp - one,
    occamNats: Math.log((a.d1 - a.d0) * (a.c1 - a.c0) * ctx.hMax),
    movedM: at.map((s, k) => Math.hypot(two.src[k].x - s.x, two.src[k].y - s.y)),
  };
}

/**
 * The log posterior density of K sources (logTarget), maximised by a compass search over their
 * positions (steps 8 m down to 0.5 m, each within LOCAL_RADIUS_M of its start), heights (within the
 * prior's range) and the direction offset δ, from `start` (δ = 0).
 */
const LOCAL_RADIUS_M = 30;
function localMaximum(ctx: Ctx, cls: StabilityClass, start: SourcePosition[]): { lp: number; src: SourcePosition[] } {
  const K = start.length;
  const v = new Float64Array(2 * K + 1);
  const hs = new Float64Array(K);
  start.forEach((s, k) => {
    v[2 * k] = s.x;
    v[2 * k + 1] = s.y;
    hs[k] = s.h;
  });
  const inside = (k: number) =>
    hs[k] >= 0 && hs[k] <= ctx.hMax && Math.hypot(v[2 * k] - start[k].x, v[2 * k + 1] - start[k].y) <= LOCAL_RADIUS_M;
  const value = () => (start.every((_, k) => inside(k)) ? logTarget(ctx, cls, K, v, hs).lp : Number.NEGATIVE_INFINITY);
  let best = value();
  for (const step of [8, 4, 2, 1, 0.5]) {
    // [vector, index, step] of each coordinate: positions by the step (m), heights by a quarter of it
    // (m), δ by a quarter of it in degrees.
    const coords: [Float64Array, number, number][] = [
      ...Array.from({ length: 2 * K }, (_, i): [Float64Array, number, number] => [v, i, step]),
      ...Array.from({ length: K }, (_, k): [Float64Array, number, number] => [hs, k, step / 4]),
      [v, 2 * K, ((step / 4) * Math.PI) / 180],
    ];
    for (let round = 0, improved = true; improved && round < 30; round++) {
      improved = false;
      for (const [vec, i, d] of coords) {
        for (const sign of [1, -1]) {
          const old = vec[i];
          vec[i] = old + sign * d;
          const lp = value();
          if (lp > best + 1e-9) {
            best = lp;
            improved = true;
          } else vec[i] = old;
        }
      }
    }
  }
  return { lp: best, src: start.map((_, k) => ({ x: v[2 * k], y: v[2 * k + 1], h: hs[k] })) };
}

export function estimateSources(series: InSituSeries, options: SteOptions = {}): SteResult {
  const t0 = performance.now();
  const progress = options.onProgress ?? (() => {});
  const maxSources = Math.max(0, Math.min(2, options.maxSources ?? 2));
  const nSamples = Math.max(200, options.samples ?? 1000);
  const { ctx, obs, hyper, prior, auto, speedRelSigma } = makeContext(series, options);
  const sigmaDelta = ctx.sigmaDelta;
  const countPrior = options.sourceCountPrior ?? DEFAULT_SOURCE_COUNT_PRIOR;

  // Modes of the one-source model per stability class (profile least squares).
  const modes1 = maxSources >= 1 ? (Object.keys(prior) as StabilityClass[]).map((cls) => findMode(ctx, cls, null)) : [];
  progress(0.25);

  // Model 0: background only.
  const m0 = marginal(obs, hyper, [], ctx.ws);
  const logZ: [number, number, number] = [m0.logZ, Number.NEGATIVE_INFINITY, Number.NEGATIVE_INFINITY];
  const ess: [number, number] = [0, 0];

  // Model 1.
  let post1: Draw[] = [];
  if (maxSources >= 1) {
    const r = samplePosterior(ctx, prior, modes1, 1, nSamples, (f) => progress(0.25 + 0.3 * f));
    post1 = r.draws;
    logZ[1] = r.logZ;
    ess[0] = r.ess;
  }
  progress(0.55);

  // Model 2 (two simultaneous sources), around candidate pairs (see candidatePairs).
  let post2: Draw[] = [];
  if (maxSources >= 2 && post1.length > 0) {
    const pairs = candidatePairs(
      ctx,
      modes1.reduce((a, b) => (b.rss < a.rss ? b : a)),
    );
    const r = samplePosterior(ctx, { [pairs[0].cls]: 1 }, pairs, 2, nSamples, (f) => progress(0.6 + 0.35 * f));
    post2 = r.draws;
    logZ[2] = r.logZ + Math.LN2; // two labellings of the same pair
    ess[1] = r.ess;
  }
  progress(0.97);

  // The most probable count: the posterior's (the calibration keeps it, but for a near tie of none
  // against some source, where the reported probabilities decide).
  const probs = reportedCountProbabilities(logZ, countPrior);
  const kBest = argMax(probs);

  const draws = kBest === 2 ? alignPairLabels(post2) : kBest === 1 ? post1 : [];
  const structural: StructuralError[] = [];
  const sources = kBest === 0 ? [] : summarise(ctx, draws, kBest, speedRelSigma, structural);
  const backgroundPpm = kBest === 0 ? m0.backgroundMean : weightedMean(draws, (d) => d.m.backgroundMean);
  const stabilityPosterior: Partial<Record<StabilityClass, number>> = {};
  if (post1.length > 0) {
    const tw = normalisedWeights(post1);
    post1.forEach((d, i) => {
      stabilityPosterior[d.cls] = (stabilityPosterior[d.cls] ?? 0) + tw[i];
    });
  }
  progress(1);
  const windFromDeg = ((((obs.meanToRad * 180) / Math.PI + 180) % 360) + 360) % 360;
  return {
    gas: series.gas,
    backgroundPpm,
    sources,
    sourceCountProbabilities: { '0': probs[0], '1': probs[1], '2': probs[2] },
    algorithmVersion: STE_VERSION,
    elapsedMs: performance.now() - t0,
    diagnostics: {
      sampleCount: obs.n,
      pathSamples: obs.pathRows,
      windSpeedMps: obs.meanSpeedMps,
      windFromDeg,
      windDirectionSigmaDeg: (sigmaDelta * 180) / Math.PI,
      windSpeedRelSigma: speedRelSigma,
      stabilityPrior: prior,
      stabilityBasis: auto ? auto.basis : 'given',
      stabilityPosterior,
      logEvidence: logZ,
      effectiveSampleSize: ess,
      noiseScalePpm: hyper.noiseScalePpm,
      modelEvaluations: ctx.evals,
      structuralError: structural,
    },
  };
}

/**
 * Posterior probabilities of 0, 1 and 2 sources from their log evidences and a prior on the count
 * (need not sum to 1); with a temperature λ, each count's term (prior × evidence) raised to λ. A log
 * evidence that is not a finite number (−∞: a count not tried; null after a JSON round trip) gets
 * probability 0.
 */
export function sourceCountPosterior(
  logZ: readonly number[],
  prior: readonly number[],
  temperature = 1,
): [number, number, number] {
  const logPost = [0, 1, 2].map((k) =>
    Number.isFinite(logZ[k]) ? temperature * (logZ[k] + Math.log(prior[k])) : Number.NEGATIVE_INFINITY,
  );
  const mx = Math.max(...logPost);
  const w = logPost.map((l) => (Number.isFinite(l) ? Math.exp(l - mx) : 0));
  const sw = w.reduce((a, b) => a + b, 0);
  return w.map((v) => v / sw) as [number, number, number];
}

/**
 * How far the count posterior is to be trusted. On the simulated-truth suite its probabilities are
 * far too sure: the count it reports with a probability over 0.99 was right in 84% (seed 2026) and
 * 80% (seed 2027) of the scenarios, and its mean log probability of the true count, −1.17 and −3.27,
 * is worse than a guess (ln 1/3 = −1.10) — a wrong count often has hundreds of nats behind it (model
 * errors the likelihood does not describe: phantom second sources, pairs the model takes for one;
 * docs/source-estimation.md). The reported probabilities are therefore calibrated: each count's
 * posterior term raised to COUNT_PROBABILITY_TEMPERATURE (the odds to that power), then a share
 * COUNT_PROBABILITY_FLOOR of the probability of "some source" spread evenly over one and two
 * sources — the estimator's 1-or-2 call is wrong about that often even when the evidence looks
 * overwhelming. Fitted on seed 2026 by the mean log probability of the true count (over temperatures
 * 0.1–1 and floors 0–0.5 the score is flat for 0.5–1 and 0.2–0.4), checked on 2027: the score rose
 * from −1.17 to −0.56 (2026) and from −3.27 to −0.62 (2027), the Brier score fell from 0.39 to
 * 0.35 and from 0.47 to 0.40, and the count reported at 0.7–0.9 was right in 82% and 73% of those
 * scenarios (`bench/ste-suite.ts`: countProbabilityCalibration, countReliability). The suite has
 * two sources in a quarter of its scenarios: where pairs are rarer, P(two) is on the high side.
 * The most probable count stays the posterior's but for a near tie of none against some source.
 */
export const COUNT_PROBABILITY_TEMPERATURE = 0.5;
export const COUNT_PROBABILITY_FLOOR = 0.2;

/** The count probabilities an estimate reports: the posterior calibrated (see COUNT_PROBABILITY_TEMPERATURE). */
export function reportedCountProbabilities(
  logZ: readonly number[],
  prior: readonly number[],
  temperature = COUNT_PROBABILITY_TEMPERATURE,
  floor = COUNT_PROBABILITY_FLOOR,
): [number, number, number] {
  const [p0, p1, p2] = sourceCountPosterior(logZ, prior, temperature);
  const some = p1 + p2;
  return [p0, (1 - floor) * p1 + (floor * some) / 2, (1 - floor) * p2 + (floor * some) / 2];
}

function normalisePrior(p: Partial<Record<StabilityClass, number>>): Partial<Record<StabilityClass, number>> {
  const out: Partial<Record<StabilityClass, number>> = {};
  let s = 0;
  for (const c of CLASSES) s += Math.max(0, p[c] ?? 0);
  if (!(s > 0)) throw new PlumetraceError('PT_ERR_BAD_REQUEST', 'the stability prior gives no class a positive weight');
  for (const c of CLASSES) if ((p[c] ?? 0) > 0) out[c] = (p[c] ?? 0) / s;
  return out;
}

/**
 * The region the prior spreads the source over: a rectangle with axes (d, c) = (along, across) a
 * unit vector (ux, uy). d = x·ux + y·uy, c = y·ux − x·uy; x = d·ux − c·uy, y = d·uy + c·ux.
 */
interface SearchArea {
  ux: number;
  uy: number;
  d0: number;
  d1: number;
  c0: number;
  c1: number;
}

const alongOf = (a: SearchArea, x: number, y: number) => x * a.ux + y * a.uy;
const acrossOf = (a: SearchArea, x: number, y: number) => y * a.ux - x * a.uy;
const areaPoint = (a: SearchArea, d: number, c: number): [number, number] => [d * a.ux - c * a.uy, d * a.uy + c * a.ux];
const insideArea = (a: SearchArea, x: number, y: number) => {
  const d = alongOf(a, x, y);
  const c = acrossOf(a, x, y);
  return d >= a.d0 && d <= a.d1 && c >= a.c0 && c <= a.c1;
};

/**
 * The given bounds, or by default the region a survey can see a source in: from the downwind edge of
 * the samples to well upwind of them (the larger of 100 m and the samples' extent), and across the
 * samples' crosswind span with a 20% margin. The source-count probabilities refer to this region.
 */
function searchArea(
  obs: PreparedObservations,
  area?: [number, number, number, number],
  corners?: [number, number][],
): SearchArea {
  if (corners) return rectangleArea(obs, corners);
  if (area) {
    const [minLon, minLat, maxLon, maxLat] = area;
    const [minX, minY] = obs.frame.toXY(minLat, minLon);
    const [maxX, maxY] = obs.frame.toXY(maxLat, maxLon);
    // Axes east (d) and north (c = y·1 − x·0 with ux = 1, uy = 0).
    return { ux: 1, uy: 0, d0: minX, d1: maxX, c0: minY, c1: maxY };
  }
  const a: SearchArea = { ux: Math.sin(obs.meanToRad), uy: Math.cos(obs.meanToRad), d0: 0, d1: 0, c0: 0, c1: 0 };
  let [d0, d1, c0, c1] = [
    Number.POSITIVE_INFINITY,
    Number.NEGATIVE_INFINITY,
    Number.POSITIVE_INFINITY,
    Number.NEGATIVE_INFINITY,
  ];
  for (let j = 0; j < obs.rx.length; j++) {
    const d = alongOf(a, obs.rx[j], obs.ry[j]);
    const c = acrossOf(a, obs.rx[j], obs.ry[j]);
    d0 = Math.min(d0, d);
    d1 = Math.max(d1, d);
    c0 = Math.min(c0, c);
    c1 = Math.max(c1, c);
  }
  const upwind = Math.max(100, d1 - d0, c1 - c0);
  const across = Math.max(20, 0.2 * (c1 - c0));
  return { ...a, d0: d0 - upwind, d1: d1 + 5, c0: c0 - across, c1: c1 + across };
}

/**
 * The search area of four [lat, lon] corners in order: its axes along the first edge and across it.
 * Throws PT_ERR_BAD_REQUEST unless the corners make a rectangle (edges of at least 1 m, corners
 * square to within 1°).
 */
function rectangleArea(obs: PreparedObservations, corners: [number, number][]): SearchArea {
  const bad = (why: string) => new PlumetraceError('PT_ERR_BAD_REQUEST', `areaCorners ${why}`);
  if (corners.length !== 4) throw bad(`must be four [lat, lon] corners, got ${corners.length}`);
  if (!corners.every((c) => c.length === 2 && c.every(Number.isFinite)))
    throw bad('must be four [lat, lon] corners of finite numbers');
  const xy = corners.map(([lat, lon]) => obs.frame.toXY(lat, lon));
  for (let k = 0; k < 4; k++) {
    const [a, b, c] = [xy[k], xy[(k + 1) % 4], xy[(k + 2) % 4]];
    const e1 = [b[0] - a[0], b[1] - a[1]];
    const e2 = [c[0] - b[0], c[1] - b[1]];
    const l1 = Math.hypot(e1[0], e1[1]);
    const l2 = Math.hypot(e2[0], e2[1]);
    if (!(l1 >= 1 && l2 >= 1)) throw bad(`must be at least 1 m apart (corners ${k + 1} and ${k + 2})`);
    if (Math.abs(e1[0] * e2[0] + e1[1] * e2[1]) / (l1 * l2) > Math.sin(Math.PI / 180))
      throw bad(`must make a rectangle: the corner at ${k + 2} is not square`);
  }
  const len = Math.hypot(xy[1][0] - xy[0][0], xy[1][1] - xy[0][1]);
  const a: SearchArea = {
    ux: (xy[1][0] - xy[0][0]) / len,
    uy: (xy[1][1] - xy[0][1]) / len,
    d0: 0,
    d1: 0,
    c0: 0,
    c1: 0,
  };
  const d = xy.map(([x, y]) => alongOf(a, x, y));
  const c = xy.map(([x, y]) => acrossOf(a, x, y));
  return { ...a, d0: Math.min(...d), d1: Math.max(...d), c0: Math.min(...c), c1: Math.max(...c) };
}

// ---- mode search: coarse-to-fine profile least squares ----------------------------------------

interface Mode {
  cls: StabilityClass;
  src: SourcePosition;
  rss: number;
  pair?: Mode;
}

/**
 * Residual sum of squares of the best non-negative fit of background + rates·kernels (weights from
 * the stated noise plus the noise scale), for the search only.
 */
function profileRss(ctx: Ctx, kernels: Float64Array[]): number {
  const { y } = ctx.obs;
  const n = ctx.obs.n;
  const s02 = ctx.hyper.noiseScalePpm ** 2;
  const K = kernels.length;
  if (K === 1) {
    const k = kernels[0];
    let sw = 0;
    let sk = 0;
    let skk = 0;
    let sy = 0;
    let sky = 0;
    let syy = 0;
    for (let i = 0; i < n; i++) {
      const w = 1 / (ctx.obs.instrVar[i] + s02);
      const ki = k[i];
      const yi = y[i];
      sw += w;
      sk += w * ki;
      skk += w * ki * ki;
      sy += w * yi;
      sky += w * ki * yi;
      syy += w * yi * yi;
    }
    const det = sw * skk - sk * sk;
    let q = det > 1e-300 ? (sw * sky - sk * sy) / det : 0;
    if (!(q > 0)) q = 0;
    const b = (sy - q * sk) / sw;
    return syy - 2 * b * sy - 2 * q * sky + b * b * sw + 2 * b * q * sk + q * q * skk;
  }
  // Two sources: solve the 3×3 normal equations, dropping a negative rate.
  const [ka, kb] = kernels;
  const G = new Float64Array(9);
  const g = new Float64Array(3);
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const w = 1 / (ctx.obs.instrVar[i] + s02);
    const a = ka[i];
    const b = kb[i];
    const yi = y[i];
    G[0] += w;
    G[1] += w * a;
    G[2] += w * b;
    G[4] += w * a * a;
    G[5] += w * a * b;
    G[8] += w * b * b;
    g[0] += w * yi;
    g[1] += w * a * yi;
    g[2] += w * b * yi;
    syy += w * yi * yi;
  }
  const rssOf = (b: number, qa: number, qb: number) =>
    syy -
    2 * (b * g[0] + qa * g[1] + qb * g[2]) +
    b * b * G[0] +
    qa * qa * G[4] +
    qb * qb * G[8] +
    2 * (b * qa * G[1] + b * qb * G[2] + qa * qb * G[5]);
  const fit1 = (gi: number, Gii: number, G0i: number): [number, number] => {
    const det = G[0] * Gii - G0i * G0i;
    let q = det > 1e-300 ? (G[0] * gi - G0i * g[0]) / det : 0;
    if (!(q > 0)) q = 0;
    return [(g[0] - q * G0i) / G[0], q];
  };
  // Full solve by Cramer's rule.
  const m00 = G[0];
  const m01 = G[1];
  const m02 = G[2];
  const m11 = G[4];
  const m12 = G[5];
  const m22 = G[8];
  const det = m00 * (m11 * m22 - m12 * m12) - m01 * (m01 * m22 - m12 * m02) + m02 * (m01 * m12 - m11 * m02);
  let best = Number.POSITIVE_INFINITY;
  if (Math.abs(det) > 1e-300) {
    const b =
      (g[0] * (m11 * m22 - m12 * m12) - m01 * (g[1] * m22 - m12 * g[2]) + m02 * (g[1] * m12 - m11 * g[2])) / det;
    const qa =
      (m00 * (g[1] * m22 - m12 * g[2]) - g[0] * (m01 * m22 - m12 * m02) + m02 * (m01 * g[2] - g[1] * m02)) / det;
    const qb =
      (m00 * (m11 * g[2] - g[1] * m12) - m01 * (m01 * g[2] - g[1] * m02) + g[0] * (m01 * m12 - m11 * m02)) / det;
    if (qa >= 0 && qb >= 0) best = rssOf(b, qa, qb);
  }
  if (!Number.isFinite(best)) {
    const [ba, qa] = fit1(g[1], m11, m01);
    const [bb, qb] = fit1(g[2], m22, m02);
    best = Math.min(rssOf(ba, qa, 0), rssOf(bb, 0, qb));
  }
  return best;
}

/** Finds the best single source (fixed: null) or the best second source beside `fixed`. */
function findMode(ctx: Ctx, cls: StabilityClass, fixed: Mode | null): Mode {
  const kc = ctx.kctx.get(cls)!;
  const { area, hMax } = ctx;
  const heights = fixed ? [0, hMax / 2] : [0, hMax / 3, hMax];
  const fixedK = new Float64Array(ctx.obs.n);
  type Cand = { x: number; y: number; h: number; rss: number };
  const evalAt = (x: number, y: number, h: number): Cand => {
    kernelRows(kc, { x, y, h }, 0, ctx.k1);
    ctx.evals++;
    return { x, y, h, rss: profileRss(ctx, fixed ? [fixedK, ctx.k1] : [ctx.k1]) };
  };
  // Two coarse grids — widened plumes (a smoothed likelihood that leads to the right basin when the
  // plume is narrow) and the physical plumes (when widening blurs away what the geometry tells) —
  // then refinement around the best distinct cells of each, the widened ones narrowing step by step.
  const schedules = [
    [3, 2.2, 1.6, 1.25, 1],
    [1, 1, 1, 1, 1],
  ];
  const cells = fixed ? 12 : 14;
  const stepD = (area.d1 - area.d0) / (cells - 1);
  const stepC = (area.c1 - area.c0) / (cells - 1);
  const finals: Cand[] = [];
  for (const widening of schedules) {
    kc.syScale = widening[0];
    if (fixed) kernelRows(kc, fixed.src, 0, fixedK);
    const coarse: Cand[] = [];
    for (let a = 0; a < cells; a++) {
      for (let b = 0; b < cells; b++) {
        const [x, y] = areaPoint(area, area.d0 + a * stepD, area.c0 + b * stepC);
        for (const h of heights) coarse.push(evalAt(x, y, h));
      }
    }
    coarse.sort((p, q) => p.rss - q.rss);
    const seeds: Cand[] = [];
    for (const c of coarse) {
      if (seeds.length >= 2) break;
      if (seeds.every((s) => Math.hypot(s.x - c.x, s.y - c.y) > 1.5 * Math.max(stepD, stepC))) seeds.push(c);
    }
    for (const seed of seeds) {
      let cur = seed;
      // Refine on the same (d, c) axes as the coarse grid.
      let sd = stepD;
      let sc = stepC;
      let sh = hMax / 4;
      for (let level = 0; level + 1 < widening.length; level++) {
        kc.syScale = widening[level + 1];
        if (fixed) kernelRows(kc, fixed.src, 0, fixedK);
        cur = evalAt(cur.x, cur.y, cur.h);
        const center = cur;
        for (let a = -2; a <= 2; a++) {
          for (let b = -2; b <= 2; b++) {
            for (const dh of [-1, 0, 1]) {
              if (a === 0 && b === 0 && dh === 0) continue;
              const h = Math.min(hMax, Math.max(0, center.h + dh * sh));
              const [dx, dy] = areaPoint(area, (a * sd) / 2.5, (b * sc) / 2.5);
              const c = evalAt(center.x + dx, center.y + dy, h);
              if (c.rss < cur.rss) cur = c;
            }
          }
        }
        sd /= 2.5;
        sc /= 2.5;
        sh /= 2;
      }
      finals.push(cur);
    }
  }
  kc.syScale = 1;
  const best = finals.reduce((a, b) => (b.rss < a.rss ? b : a));
  return {
    cls,
    src: { x: best.x, y: best.y, h: best.h },
    rss: best.rss,
  };
}

/**
 * Candidate pairs of sources, by alternating searches: the best second source beside the best
 * single one, then the best first source beside that second one, and so on while the pair's fit
 * improves (at most PAIR_ROUNDS pairs). With two real sources the best single source often lies
 * between them, and a second source searched only beside it misses the real pair. Every pair found
 * seeds the two-source sampler (the least-squares fit that ranks them is not the posterior).
 */
const PAIR_ROUNDS = 3;
const PAIR_MIN_GAIN = 0.02;
function candidatePairs(ctx: Ctx, single: Mode): Mode[] {
  const pairs: Mode[] = [{ ...single, pair: findMode(ctx, single.cls, single) }];
  while (pairs.length < PAIR_ROUNDS) {
    // A pair's rss is that of its second source's search (beside its first).
    const last = pairs[pairs.length - 1].pair as Mode;
    const other = findMode(ctx, single.cls, last);
    // Only a clearly better pair (rss is a weighted χ²): near-copies would only slow the sampler.
    if (!(other.rss < Math.min(last.rss * (1 - PAIR_MIN_GAIN), last.rss - 4))) break;
    pairs.push({ ...last, pair: other });
  }
  return pairs;
}

// ---- proposals and sequential Monte Carlo ----------------------------------------------------
//
// Proposal over v = [x1, y1, (x2, y2,) δ]: a Student-t per stability class from a Laplace
// approximation at the mode, and per source a height proposal: half uniform over [0, hMax], half a
// truncated normal around the mode's height. The SMC starts from it and tempers to the posterior.

interface Component {
  cls: StabilityClass;
  weight: number;
  mean: Float64Array;
  chol: Float64Array;
  logDet: number;
  hMean: Float64Array;
  hSd: Float64Array;
}

const T_DOF = 5;
const DEFENSIVE = 0.1;

function choleskyLower(S: Float64Array, d: number): { L: Float64Array; logDet: number; ok: boolean } {
  const L = new Float64Array(d * d);
  let logDet = 0;
  let ok = true;
  for (let i = 0; i < d; i++) {
    for (let j = 0; j <= i; j++) {
      let s = S[i * d + j];
      for (let k = 0; k < j; k++) s -= L[i * d + k] * L[j * d + k];
      if (i === j) {
        if (!(s > 0)) ok = false;
        const v = Math.max(s, 1e-12);
        L[i * d + i] = Math.sqrt(v);
        logDet += Math.log(v);
      } else {
        L[i * d + j] = s / L[j * d + j];
      }
    }
  }
  return { L, logDet, ok };
}

function logGammaHalfInt(k: number): number {
  // log Γ(k/2) for an integer k ≥ 1.
  let r = k % 2 === 0 ? 0 : 0.5 * Math.log(Math.PI);
  for (let m = k % 2 === 0 ? 1 : 0.5; m < k / 2; m += 1) r += Math.log(m);
  return r;
}

function tLogDensity(c: Component, x: Float64Array, d: number): number {
  const z = new Float64Array(d);
  for (let i = 0; i < d; i++) {
    let s = x[i] - c.mean[i];
    for (let k = 0; k < i; k++) s -= c.chol[i * d + k] * z[k];
    z[i] = s / c.chol[i * d + i];
  }
  let q = 0;
  for (let i = 0; i < d; i++) q += z[i] * z[i];
  const nu = T_DOF;
  return (
    logGammaHalfInt(nu + d) -
    logGammaHalfInt(nu) -
    (d / 2) * Math.log(nu * Math.PI) -
    0.5 * c.logDet -
    ((nu + d) / 2) * Math.log(1 + q / nu)
  );
}

function tSample(c: Component, d: number, rng: Rng, out: Float64Array): void {
  let chi = 0;
  for (let k = 0; k < T_DOF; k++) {
    const z = rng.normal();
    chi += z * z;
  }
  const scale = Math.sqrt(T_DOF / chi);
  const z = new Float64Array(d);
  for (let i = 0; i < d; i++) z[i] = rng.normal() * scale;
  for (let i = 0; i < d; i++) {
    let s = c.mean[i];
    for (let k = 0; k <= i; k++) s += c.chol[i * d + k] * z[k];
    out[i] = s;
  }
}

/** Density on [0, hMax] of the height proposal: half uniform, half a truncated normal. */
function heightLogDensity(h: number, mean: number, sd: number, hMax: number): number {
  const tn =
    Math.exp(-0.5 * ((h - mean) / sd) ** 2) /
    (sd * Math.sqrt(2 * Math.PI) * Math.max(1e-12, normalCdf((hMax - mean) / sd) - normalCdf(-mean / sd)));
  return Math.log(0.5 / hMax + 0.5 * tn);
}

function heightSample(mean: number, sd: number, hMax: number, rng: Rng): number {
  if (rng.uniform() < 0.5) return rng.uniform() * hMax;
  for (let t = 0; t < 100; t++) {
    const h = rng.normal(mean, sd);
    if (h >= 0 && h <= hMax) return h;
  }
  return Math.min(hMax, Math.max(0, mean));
}

/** Log posterior density (up to the position prior, constant over the area) at v with heights hs. */
function logTarget(
  ctx: Ctx,
  cls: StabilityClass,
  K: number,
  v: Float64Array,
  hs: Float64Array,
): { lp: number; m: Marginal } {
  const kc = ctx.kctx.get(cls)!;
  const delta = v[2 * K];
  const kernels = [ctx.k1, ctx.k2].slice(0, K);
  const derivs = [ctx.d1, ctx.d2].slice(0, K);
  for (let k = 0; k < K; k++) kernelRows(kc, { x: v[2 * k], y: v[2 * k + 1], h: hs[k] }, delta, kernels[k], derivs[k]);
  ctx.evals++;
  const m = marginal(ctx.obs, ctx.hyper, kernels, ctx.ws, derivs);
  return { lp: m.logZ - (0.5 * delta * delta) / (ctx.sigmaDelta * ctx.sigmaDelta), m };
}

/**
 * Laplace approximation at the mode: a compass search to the maximum of the log posterior (over
 * positions, heights and δ), finite-difference steps adapted per coordinate to the local curvature,
 * and the inverse negative Hessian (over positions and δ) as covariance.
 */
function laplace(
  ctx: Ctx,
  cls: StabilityClass,
  K: number,
  v0: Float64Array,
  h0: Float64Array,
): { mean: Float64Array; cov: Float64Array; hs: Float64Array } {
  const d = 2 * K + 1;
  const hs = Float64Array.from(h0);
  let v = Float64Array.from(v0);
  const f = (vv: Float64Array, hh: Float64Array = hs) => logTarget(ctx, cls, K, vv, hh).lp;
  let f0 = f(v);
  // Compass search over [v, hs].
  const step = new Float64Array(d + K);
  for (let i = 0; i < d + K; i++) step[i] = i < d - 1 ? 4 : i === d - 1 ? 0.5 * ctx.sigmaDelta : ctx.hMax / 8;
  // Only a centre for the proposal is needed (the sampler corrects): centimetres are plenty.
  const tol = (i: number) => (i < d - 1 ? 0.05 : i === d - 1 ? 1e-4 : 0.05);
  const budget = ctx.evals + 40 * (d + K);
  for (let it = 0; it < 400 && ctx.evals < budget; it++) {
    let improved = false;
    for (let i = 0; i < d + K; i++) {
      if (step[i] < tol(i)) continue;
      for (const sign of [1, -1]) {
        const vt = Float64Array.from(v);
        const ht = Float64Array.from(hs);
        if (i < d) vt[i] += sign * step[i];
        else ht[i - d] = Math.min(ctx.hMax, Math.max(0, ht[i - d] + sign * step[i]));
        const ft = f(vt, ht);
        if (ft > f0) {
          v = vt;
          hs.set(ht);
          f0 = ft;
          improved = true;
          break;
        }
      }
    }
    if (!improved) {
      let active = false;
      for (let i = 0; i < d + K; i++) {
        step[i] /= 2;
        if (step[i] >= tol(i)) active = true;
      }
      if (!active) break;
    }
  }
  // Finite-difference steps: the log density should drop by 0.5–20 on either side.
  const fd = new Float64Array(d);
  for (let i = 0; i < d; i++) {
    fd[i] = i === d - 1 ? 0.1 * ctx.sigmaDelta : 0.5;
    for (let t = 0; t < 30; t++) {
      const vp = Float64Array.from(v);
      const vm = Float64Array.from(v);
      vp[i] += fd[i];
      vm[i] -= fd[i];
      const drop = f0 - 0.5 * (f(vp) + f(vm));
      if (drop < 0.5 && fd[i] < (i === d - 1 ? 3 * ctx.sigmaDelta : 1000)) fd[i] *= 2;
      else if (drop > 20 && fd[i] > 1e-6) fd[i] /= 2;
      else break;
    }
  }
  const at = (i: number, si: number, j: number, sj: number) => {
    const w = Float64Array.from(v);
    w[i] += si * fd[i];
    if (j >= 0) w[j] += sj * fd[j];
    return f(w);
  };
  const negH = new Float64Array(d * d);
  for (let i = 0; i < d; i++) negH[i * d + i] = -(at(i, 1, -1, 0) - 2 * f0 + at(i, -1, -1, 0)) / (fd[i] * fd[i]);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < i; j++) {
      const hij = -(at(i, 1, j, 1) - at(i, 1, j, -1) - at(i, -1, j, 1) + at(i, -1, j, -1)) / (4 * fd[i] * fd[j]);
      negH[i * d + j] = hij;
      negH[j * d + i] = hij;
    }
  }
  const cov = new Float64Array(d * d);
  const { L, ok } = choleskyLower(negH, d);
  if (ok) {
    for (let j = 0; j < d; j++) {
      const e = new Float64Array(d);
      e[j] = 1;
      const col = choleskySolve(L, d, e);
      for (let i = 0; i < d; i++) cov[i * d + j] = col[i];
    }
  } else {
    for (let i = 0; i < d; i++) cov[i * d + i] = fd[i] * fd[i];
  }
  return { mean: v, cov, hs };
}

function componentFrom(
  cls: StabilityClass,
  weight: number,
  mean: Float64Array,
  cov: Float64Array,
  inflate: number,
  hMean: Float64Array,
  hSd: Float64Array,
): Component {
  const d = mean.length;
  const S = cov.map((x) => x * inflate);
  for (let i = 0; i < d - 1; i++) S[i * d + i] += 1e-4; // 1 cm floor on positions
  S[(d - 1) * d + d - 1] += 1e-8;
  const { L, logDet } = choleskyLower(S, d);
  return { cls, weight, mean, chol: L, logDet, hMean, hSd };
}

function samplePosterior(
  ctx: Ctx,
  prior: Partial<Record<StabilityClass, number>>,
  modes: Mode[],
  K: number,
  n: number,
  progress: (f: number) => void,
): { draws: Draw[]; logZ: number; ess: number } {
  const d = 2 * K + 1;
  const comps: Component[] = modes.map((mode) => {
    const srcs = K === 2 && mode.pair ? [mode.src, mode.pair.src] : [mode.src];
    const v0 = new Float64Array(d);
    const hs = new Float64Array(K);
    srcs.forEach((s, k) => {
      v0[2 * k] = s.x;
      v0[2 * k + 1] = s.y;
      hs[k] = s.h;
    });
    const { mean, cov, hs: hMode } = laplace(ctx, mode.cls, K, v0, hs);
    return componentFrom(mode.cls, prior[mode.cls] ?? 0, mean, cov, 2, hMode, new Float64Array(K).fill(ctx.hMax / 6));
  });
  normaliseWeights(comps);
  progress(0.1);
  return temperedSmc(ctx, prior, comps, K, n, (f) => progress(0.1 + 0.9 * f));
}

/**
 * Sequential Monte Carlo from the proposal q to the posterior through the bridge q^(1−β)·T^β:
 * particles start as draws of q; at each step β rises as far as keeps half the particles'
 * effective weight, the particles are resampled and moved by random-walk Metropolis steps (scaled
 * to the particles' spread) that leave the bridge invariant. The product of the mean incremental
 * weights estimates the evidence (q is normalised). Robust where a single importance batch fails:
 * narrow, curved or multi-modal posteriors.
 */
function temperedSmc(
  ctx: Ctx,
  prior: Partial<Record<StabilityClass, number>>,
  comps: Component[],
  K: number,
  n: number,
  progress: (f: number) => void,
): { draws: Draw[]; logZ: number; ess: number } {
  const { rng } = ctx;
  const d = 2 * K + 1;
  const D = d + K; // moves act on [positions, δ, heights]
  const N = Math.max(100, Math.round(n / 5));
  let parts = drawBatch(ctx, prior, comps, K, N, () => {});
  let beta = 0;
  let logZ = 0;
  let ess = N;
  for (let step = 0; step < 40 && beta < 1; step++) {
    const inc = parts.map((p) => p.logT - p.logQ);
    // Next β by bisection: effective sample size of the incremental weights = N/2.
    const essAt = (b: number) => {
      const lw = inc.map((v) => (Number.isFinite(v) ? (b - beta) * v : Number.NEGATIVE_INFINITY));
      const mx = Math.max(...lw);
      let s1 = 0;
      let s2 = 0;
      for (const v of lw) {
        const w = Math.exp(v - mx);
        s1 += w;
        s2 += w * w;
      }
      return (s1 * s1) / s2;
    };
    let next = 1;
    if (essAt(1) < N / 2) {
      let lo = beta;
      let hi = 1;
      for (let it = 0; it < 30; it++) {
        const mid = (lo + hi) / 2;
        if (essAt(mid) < N / 2) hi = mid;
        else lo = mid;
      }
      next = Math.max(lo, beta + 1e-6);
    }
    const lw = inc.map((v) => (Number.isFinite(v) ? (next - beta) * v : Number.NEGATIVE_INFINITY));
    logZ += logMeanExp(lw);
    ess = essAt(next);
    beta = next;
    // Resample (systematic).
    const mx = Math.max(...lw);
    const w = lw.map((v) => Math.exp(v - mx));
    const total = w.reduce((a, b) => a + b, 0);
    const chosen: Draw[] = [];
    const u = rng.uniform() / N;
    let acc = 0;
    let i = 0;
    for (let j = 0; j < N; j++) {
      const target = u + j / N;
      while (i < N - 1 && acc + w[i] / total < target) {
        acc += w[i] / total;
        i++;
      }
      chosen.push(parts[i]);
    }
    // Random-walk proposal covariance from the particles (per class).
    const vecOf = (p: Draw): Float64Array => {
      const v = new Float64Array(D);
      toVector(p, K, v);
      for (let k = 0; k < K; k++) v[d + k] = p.src[k].h;
      return v;
    };
    const byClass = new Map<StabilityClass, Float64Array>();
    for (const cls of new Set(chosen.map((p) => p.cls))) {
      const vs = chosen.filter((p) => p.cls === cls).map(vecOf);
      const mean = new Float64Array(D);
      for (const v of vs) for (let a = 0; a < D; a++) mean[a] += v[a] / vs.length;
      const S = new Float64Array(D * D);
      for (const v of vs)
        for (let a = 0; a < D; a++)
          for (let b = 0; b < D; b++) S[a * D + b] += ((v[a] - mean[a]) * (v[b] - mean[b])) / vs.length;
      for (let a = 0; a < D; a++) S[a * D + a] += a < d - 1 ? 1e-4 : a === d - 1 ? 1e-8 : 1e-4;
      const scale = (2.38 * 2.38) / D;
      byClass.set(
        cls,
        choleskyLower(
          S.map((x) => x * scale),
          D,
        ).L,
      );
    }
    // Metropolis moves that leave q^(1−β)·T^β invariant.
    const moved: Draw[] = [];
    const vec = new Float64Array(d);
    const hs = new Float64Array(K);
    const z = new Float64Array(D);
    for (const p of chosen) {
      let cur = p;
      const L = byClass.get(p.cls)!;
      for (let m = 0; m < 2; m++) {
        const v = vecOf(cur);
        for (let a = 0; a < D; a++) z[a] = rng.normal();
        for (let a = 0; a < D; a++) {
          let sum = 0;
          for (let b = 0; b <= a; b++) sum += L[a * D + b] * z[b];
          v[a] += sum;
        }
        vec.set(v.subarray(0, d));
        for (let k = 0; k < K; k++) hs[k] = v[d + k];
        const prop = evaluateDraw(ctx, prior, comps, K, cur.cls, vec, hs);
        if (!Number.isFinite(prop.logT)) continue;
        const logA = beta * (prop.logT - cur.logT) + (1 - beta) * (prop.logQ - cur.logQ);
        if (Math.log(rng.uniform()) < logA) cur = prop;
      }
      moved.push(cur);
    }
    parts = moved;
    progress(beta);
  }
  const draws = parts.map((p) => ({ ...p, logW: 0 }));
  return { draws, logZ, ess };
}

function normaliseWeights(comps: Component[]): void {
  const s = comps.reduce((a, c) => a + c.weight, 0);
  for (const c of comps) c.weight = s > 0 ? c.weight / s : 1 / comps.length;
}

function toVector(dr: Draw, K: number, out: Float64Array): void {
  for (let k = 0; k < K; k++) {
    out[2 * k] = dr.src[k].x;
    out[2 * k + 1] = dr.src[k].y;
  }
  out[2 * K] = dr.delta;
}

function drawBatch(
  ctx: Ctx,
  prior: Partial<Record<StabilityClass, number>>,
  comps: Component[],
  K: number,
  n: number,
  progress: (f: number) => void,
): Draw[] {
  const d = 2 * K + 1;
  const { area, hMax, rng, sigmaDelta } = ctx;
  const classes = Object.keys(prior) as StabilityClass[];
  const vec = new Float64Array(d);
  const hs = new Float64Array(K);
  const draws: Draw[] = [];
  const report = Math.max(1, Math.floor(n / 20));
  const pick = <T extends { weight: number }>(items: T[]): T => {
    const u = rng.uniform();
    let acc = 0;
    for (const it of items) {
      acc += it.weight;
      if (u < acc) return it;
    }
    return items[items.length - 1];
  };
  for (let s = 0; s < n; s++) {
    let cls: StabilityClass;
    if (rng.uniform() < DEFENSIVE) {
      // Defensive component: the prior.
      cls = pick(classes.map((c) => ({ c, weight: prior[c] ?? 0 }))).c;
      for (let k = 0; k < K; k++) {
        const [x, y] = areaPoint(
          area,
          area.d0 + rng.uniform() * (area.d1 - area.d0),
          area.c0 + rng.uniform() * (area.c1 - area.c0),
        );
        vec[2 * k] = x;
        vec[2 * k + 1] = y;
        hs[k] = rng.uniform() * hMax;
      }
      vec[d - 1] = rng.normal(0, sigmaDelta);
    } else {
      const comp = pick(comps);
      cls = comp.cls;
      tSample(comp, d, rng, vec);
      for (let k = 0; k < K; k++) hs[k] = heightSample(comp.hMean[k], comp.hSd[k], hMax, rng);
    }
    draws.push(evaluateDraw(ctx, prior, comps, K, cls, vec, hs));
    if (s % report === 0) progress(s / n);
  }
  return draws;
}

/** Log prior density of a parameter vector (−∞ outside the support). */
function logPriorOf(
  ctx: Ctx,
  prior: Partial<Record<StabilityClass, number>>,
  K: number,
  cls: StabilityClass,
  vec: Float64Array,
  hs: Float64Array,
): number {
  const { area, hMax, sigmaDelta } = ctx;
  const d = 2 * K + 1;
  const delta = vec[d - 1];
  if (!(Math.abs(delta) < Math.PI / 2)) return Number.NEGATIVE_INFINITY;
  for (let k = 0; k < K; k++) {
    if (!insideArea(area, vec[2 * k], vec[2 * k + 1]) || !(hs[k] >= 0 && hs[k] <= hMax))
      return Number.NEGATIVE_INFINITY;
  }
  const areaSize = (area.d1 - area.d0) * (area.c1 - area.c0);
  return (
    -K * (Math.log(areaSize) + Math.log(hMax)) +
    Math.log(prior[cls] ?? 0) -
    0.5 * Math.log(2 * Math.PI * sigmaDelta * sigmaDelta) -
    (0.5 * delta * delta) / (sigmaDelta * sigmaDelta)
  );
}

/** Log density of the mixture proposal (defensive prior part + Student-t components) at a draw. */
function logProposal(
  ctx: Ctx,
  comps: Component[],
  K: number,
  cls: StabilityClass,
  vec: Float64Array,
  hs: Float64Array,
  logPrior: number,
): number {
  const d = 2 * K + 1;
  const parts: number[] = [Math.log(DEFENSIVE) + logPrior];
  for (const c of comps) {
    if (c.cls !== cls) continue;
    let lh = 0;
    for (let k = 0; k < K; k++) lh += heightLogDensity(hs[k], c.hMean[k], c.hSd[k], ctx.hMax);
    parts.push(Math.log((1 - DEFENSIVE) * c.weight) + tLogDensity(c, vec, d) + lh);
  }
  return logSumExp(parts);
}

/** Evaluates the posterior and the proposal at a parameter vector. */
function evaluateDraw(
  ctx: Ctx,
  prior: Partial<Record<StabilityClass, number>>,
  comps: Component[],
  K: number,
  cls: StabilityClass,
  vec: Float64Array,
  hs: Float64Array,
): Draw {
  const src: SourcePosition[] = [];
  for (let k = 0; k < K; k++) src.push({ x: vec[2 * k], y: vec[2 * k + 1], h: hs[k] });
  const delta = vec[2 * K];
  const logPrior = logPriorOf(ctx, prior, K, cls, vec, hs);
  if (!Number.isFinite(logPrior)) {
    return {
      cls,
      src,
      delta,
      logW: Number.NEGATIVE_INFINITY,
      logT: Number.NEGATIVE_INFINITY,
      logQ: 0,
      m: emptyMarginal(K),
    };
  }
  const { m } = logTarget(ctx, cls, K, vec, hs);
  const logQ = logProposal(ctx, comps, K, cls, vec, hs, logPrior);
  const logT = m.logZ + logPrior;
  return { cls, src, delta, logW: logT - logQ, logT, logQ, m };
}

function emptyMarginal(K: number): Marginal {
  return {
    logZ: Number.NEGATIVE_INFINITY,
    rateMean: new Float64Array(K),
    rateVar: new Float64Array(K),
    backgroundMean: 0,
    gammaMean: 0,
  };
}

function logSumExp(v: number[]): number {
  const mx = Math.max(...v);
  if (!Number.isFinite(mx)) return mx;
  let s = 0;
  for (const x of v) s += Math.exp(x - mx);
  return mx + Math.log(s);
}

function logMeanExp(v: number[]): number {
  return logSumExp(v) - Math.log(v.length);
}

function normalisedWeights(draws: Draw[]): Float64Array {
  const mx = Math.max(...draws.map((d) => d.logW));
  const w = Float64Array.from(draws, (d) => (Number.isFinite(d.logW) ? Math.exp(d.logW - mx) : 0));
  const s = w.reduce((a, b) => a + b, 0);
  for (let i = 0; i < w.length; i++) w[i] /= s;
  return w;
}

function weightedMean(draws: Draw[], f: (d: Draw) => number): number {
  const w = normalisedWeights(draws);
  let s = 0;
  draws.forEach((d, i) => {
    if (w[i] > 0) s += w[i] * f(d);
  });
  return s;
}

// ---- posterior summaries -------------------------------------------------------------------

/**
 * The two-source posterior is symmetric in its sources' labels, and the sampler's particles carry
 * both labellings (the pair search proposes pairs either way round, and a particle keeps its
 * labelling as it moves): summaries per label would average the two sources — on seed 2027 of the
 * suite, up to 86% of the weight of a reported pair was labelled the other way round, which put two
 * sources 54 m apart 4 m apart (docs/source-estimation.md, session 11). Each draw takes the labelling
 * closest to the most probable draw's (a pivot, Marin, Mengersen & Robert 2005), by the squared
 * distances of positions and heights; its rate moments go with it.
 */
export function alignPairLabels<
  D extends { src: SourcePosition[]; logT: number; m: { rateMean: Float64Array; rateVar: Float64Array } },
>(draws: D[]): D[] {
  if (draws.length === 0 || draws[0].src.length !== 2) return draws;
  let pivot = 0;
  for (let i = 1; i < draws.length; i++) if (draws[i].logT > draws[pivot].logT) pivot = i;
  const [a, b] = draws[pivot].src;
  const d2 = (s: SourcePosition, t: SourcePosition) => (s.x - t.x) ** 2 + (s.y - t.y) ** 2 + (s.h - t.h) ** 2;
  return draws.map((d) => {
    const [s0, s1] = d.src;
    if (d2(s0, a) + d2(s1, b) <= d2(s0, b) + d2(s1, a)) return d;
    const { rateMean: q, rateVar: v } = d.m;
    return {
      ...d,
      src: [s1, s0],
      m: { ...d.m, rateMean: Float64Array.of(q[1], q[0]), rateVar: Float64Array.of(v[1], v[0]) },
    };
  });
}

function summarise(
  ctx: Ctx,
  draws: Draw[],
  K: number,
  speedRelSigma: number,
  structural: StructuralError[] = [],
): SteSource[] {
  const w = normalisedWeights(draws);
  const out: SteSource[] = [];
  const sigmaLn = Math.sqrt(Math.log(1 + speedRelSigma * speedRelSigma));
  for (let k = 0; k < K; k++) {
    let mx = 0;
    let my = 0;
    let mh = 0;
    draws.forEach((d, i) => {
      mx += w[i] * d.src[k].x;
      my += w[i] * d.src[k].y;
      mh += w[i] * d.src[k].h;
    });
    let sxx = 0;
    let syy = 0;
    let sxy = 0;
    draws.forEach((d, i) => {
      const dx = d.src[k].x - mx;
      const dy = d.src[k].y - my;
      sxx += w[i] * dx * dx;
      syy += w[i] * dy * dy;
      sxy += w[i] * dx * dy;
    });
    // Structural error (see STRUCTURAL_* below): in the mean-wind frame, proportional to the
    // distance the plume travelled to the sensors that saw it.
    const cls = draws[argMax(w)].cls;
    const { travelM: distM, trackedShare } = plumeTravelM(ctx, cls, { x: mx, y: my, h: mh });
    const gamma = weightedMean(draws, (d) => d.m.gammaMean);
    const scale = Math.min(1, gamma / STRUCTURAL_GAMMA_FULL) * (1 - trackedShare * (1 - STRUCTURAL_TRACKED_SCALE));
    const sdM = scale * distM;
    const rateLnSd = structuralRateLn(ctx, cls, draws, w, K, k, STRUCTURAL_ALONG * sdM, STRUCTURAL_CROSS * sdM);
    // The ellipse's terms: those of the rows not modelled about the wind track scaled once more.
    const location = 1 - (1 - trackedShare) * (1 - STRUCTURAL_UNTRACKED_LOCATION_SCALE);
    const alongM = STRUCTURAL_ALONG * location * sdM;
    const crossM = STRUCTURAL_CROSS * location * sdM;
    structural.push({ travelM: distM, trackedShare, gamma, alongM, crossM, rateLnSd });
    const sa = alongM ** 2;
    const sc = crossM ** 2;
    const ux = Math.sin(ctx.obs.meanToRad);
    const uy = Math.cos(ctx.obs.meanToRad);
    sxx += sa * ux * ux + sc * uy * uy;
    syy += sa * uy * uy + sc * ux * ux;
    sxy += (sa - sc) * ux * uy;
    // Ellipse axes from the eigen-decomposition of the 2×2 covariance (x east, y north).
    const tr = sxx + syy;
    const disc = Math.sqrt(Math.max(0, ((sxx - syy) / 2) ** 2 + sxy * sxy));
    const l1 = tr / 2 + disc;
    const l2 = Math.max(0, tr / 2 - disc);
    // Major axis (east, north) = (sxy, l1 − sxx); azimuth clockwise from north, in [0, 180).
    let azimuth = sxy !== 0 ? (Math.atan2(sxy, l1 - sxx) * 180) / Math.PI : sxx >= syy ? 90 : 0;
    azimuth = ((azimuth % 180) + 180) % 180;
    // Rate draws: resample by weight, draw the conditional rate, scale by the wind-speed error.
    const nDraw = 4000;
    const rates = new Float64Array(nDraw);
    let meanPosterior = 0;
    const cdf = new Float64Array(w.length);
    let acc = 0;
    for (let i = 0; i < w.length; i++) {
      acc += w[i];
      cdf[i] = acc;
    }
    for (let j = 0; j < nDraw; j++) {
      const u = ctx.rng.uniform() * acc;
      let lo = 0;
      let hi = cdf.length - 1;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (cdf[mid] < u) lo = mid + 1;
        else hi = mid;
      }
      const d = draws[lo];
      const sd = Math.sqrt(d.m.rateVar[k]);
      let q = -1;
      for (let t = 0; t < 20 && q < 0; t++) q = d.m.rateMean[k] + sd * ctx.rng.normal();
      if (q < 0) q = 0;
      const qWind = q * Math.exp(sigmaLn * ctx.rng.normal() - 0.5 * sigmaLn * sigmaLn);
      meanPosterior += qWind / nDraw;
      // The structural factor is median-neutral: it widens the interval, it does not move the estimate.
      rates[j] = qWind * Math.exp(rateLnSd * ctx.rng.normal());
    }
    const sorted = Float64Array.from(rates).sort();
    let mean = 0;
    let sq = 0;
    for (const r of rates) {
      mean += r / nDraw;
      sq += (r * r) / nDraw;
    }
    const [lat, lon] = ctx.obs.frame.toLatLon(mx, my);
    out.push({
      lat,
      lon,
      heightM: mh,
      rateKgPerHour: meanPosterior,
      rateSigmaKgPerHour: Math.sqrt(Math.max(0, sq - mean * mean)),
      rateKgPerHourCi90: [sorted[Math.floor(0.05 * nDraw)], sorted[Math.floor(0.95 * nDraw)]],
      locationCi90: {
        semiMajorM: Math.sqrt(CHI2_2DOF_90 * l1),
        semiMinorM: Math.sqrt(CHI2_2DOF_90 * l2),
        azimuthDeg: azimuth,
      },
    });
  }
  // Order sources by rate, largest first (their structural errors with them).
  const order = out.map((_, i) => i).sort((a, b) => out[b].rateKgPerHour - out[a].rateKgPerHour);
  structural.splice(0, structural.length, ...order.map((i) => structural[i]));
  return order.map((i) => out[i]);
}

/** Index of the largest value (the first of equals). */
export function argMax(v: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < v.length; i++) if (v[i] > v[best]) best = i;
  return best;
}

/**
 * Structural (model-form) error of a located source, added to the posterior. The Gaussian plume is
 * a time-averaged, ensemble-mean model; the plume a survey meets is one realisation of it (the
 * meander of its minutes, its puffs, an effective height and spread that differ from the curves'),
 * and that departure does not average away as the record grows: the posterior of a long record
 * shrinks, the error does not. Its scale grows with the distance D the plume travelled to the
 * sensors (a direction error becomes a crosswind offset, a spread or height error an along-wind
 * one) and with how far the data depart from the mean plume, which the likelihood learns as the
 * relative model-error factor γ (posterior mean γ̂): sd along the mean wind
 * = STRUCTURAL_ALONG·s·D, across = STRUCTURAL_CROSS·s·D, s = min(1, γ̂/STRUCTURAL_GAMMA_FULL) (times
 * STRUCTURAL_TRACKED_SCALE for 1-s samples modelled about the wind track; the location terms of
 * other rows times STRUCTURAL_UNTRACKED_LOCATION_SCALE), D the modelled concentration-weighted
 * downwind distance from the source to the rows. The rate gets the same position error carried
 * through the fit (structuralRateLn) as a median-neutral log-normal factor. Calibrated on the simulated-truth scenarios of seed 2026 (not the suite test's seed 2027):
 * there the posterior alone held the truth in 30% (location) and 62% (rate) of the 103 located
 * sources, with these terms in 89% and 78% (the rate term is capped, see STRUCTURAL_RATE_LN_MAX). The errors covered are heavy-tailed — one source in ten
 * is placed at about twice or half its true distance (release height traded against distance) or
 * stands for two (a wrong source count) — so the terms are large: the honest price of those
 * failures until the search and the count improve (see docs/source-estimation.md).
 */
export const STRUCTURAL_ALONG = 0.5;
export const STRUCTURAL_CROSS = 0.2;
export const STRUCTURAL_GAMMA_FULL = 0.3;
/**
 * The structural error of short samples modelled about the wind track (1-s drone samples that
 * carry their averaging time and wind; likelihood.ts TRACKED_SPREAD_S) relative to the rows the
 * terms above were calibrated on: they are scaled by 1 − t·(1 − STRUCTURAL_TRACKED_SCALE), t the
 * share of the source's modelled signal on such rows. Modelled about the tracked plume, these
 * samples place a source closer, for its travel distance, than minute-mean beams do. Calibrated on
 * the point records of seed 2026 under the prior their sources were drawn from
 * (`node --import tsx bench/ste-suite.ts 200 2026 --jobs=2 --sensor=point`): their
 * ellipses hold 97.8% of the truths at 0.6, 91.4% at 0.3, 89.2% at 0.25, 84.9% at 0.2; checked on
 * seed 2027: 100%, 96.2% at 0.3, 94.3% at 0.25 (measured before alignPairLabels, which moved them
 * little: 88.2% and 93.3% at 0.25). Under the default area, with a quarter of the truths outside
 * it, 0.6 was chosen (docs/source-estimation.md, sessions 9–11).
 */
export const STRUCTURAL_TRACKED_SCALE = 0.25;
/**
 * The location terms (not the rate's) of rows not modelled about the wind track — minute-mean
 * beams, point rows without an averaging time — scaled by 1 − (1 − t)·(1 − this). Calibrated on the
 * path records of seed 2026 under the matched prior: their ellipses hold 95.5% of the truths at 1,
 * 94.6% at 0.8, 93.7% at 0.65 (seed 2027: 95.1%, 94.2%, 92.2%). Their misses are far ones (a wrong
 * count, a height traded against distance), so narrower ellipses gain little coverage; the rate term keeps the unscaled terms,
 * since the path records' rate intervals (83.8% on seed 2026) are below the target already.
 */
export const STRUCTURAL_UNTRACKED_LOCATION_SCALE = 0.65;

/**
 * Cap of the structural log-sd of a rate (a factor e^0.5 = 1.65 per σ): the propagation is linear,
 * the position error is not. Most sources reach it (165 of the 221 located on seed 2026), so it sets
 * the rate intervals' width. A cap of 0.7 would hold the truth in 85% of them on seed 2026 instead of
 * 82%, but makes the interval of a clean survey 14× wide; the misses are mostly two-source scenarios
 * (a wrong count, or an ambiguous split of the rate), which a wider interval for every source does
 * not mend.
 */
export const STRUCTURAL_RATE_LN_MAX = 0.5;

/**
 * The structural error of the position carried into the rate: the rate refitted (rates and
 * background integrated out as in the posterior) with source k moved by ± one structural sd along
 * and across the wind, the others at their means; log-sd = √(Σ_axes ((ln q₊ − ln q₋)/2)²), capped.
 */
function structuralRateLn(
  ctx: Ctx,
  cls: StabilityClass,
  draws: Draw[],
  w: Float64Array,
  K: number,
  k: number,
  alongM: number,
  crossM: number,
): number {
  const kc = ctx.kctx.get(cls);
  if (!kc) return 0;
  const means: SourcePosition[] = [];
  for (let j = 0; j < K; j++) {
    const m = { x: 0, y: 0, h: 0 };
    draws.forEach((d, i) => {
      m.x += w[i] * d.src[j].x;
      m.y += w[i] * d.src[j].y;
      m.h += w[i] * d.src[j].h;
    });
    means.push(m);
  }
  const kernels = means.map((m) => {
    const out = new Float64Array(ctx.obs.n);
    kernelRows(kc, m, 0, out);
    return out;
  });
  const ux = Math.sin(ctx.obs.meanToRad);
  const uy = Math.cos(ctx.obs.meanToRad);
  const q0 = marginal(ctx.obs, ctx.hyper, kernels, ctx.ws).rateMean[k];
  if (!(q0 > 0)) return STRUCTURAL_RATE_LN_MAX;
  let v = 0;
  for (const [dx, dy] of [
    [ux * alongM, uy * alongM],
    [-uy * crossM, ux * crossM],
  ]) {
    const ln: number[] = [];
    for (const sgn of [1, -1]) {
      kernelRows(kc, { x: means[k].x + sgn * dx, y: means[k].y + sgn * dy, h: means[k].h }, 0, kernels[k]);
      ln.push(Math.log(Math.max(marginal(ctx.obs, ctx.hyper, kernels, ctx.ws).rateMean[k], 1e-3 * q0)));
    }
    v += ((ln[0] - ln[1]) / 2) ** 2;
  }
  ctx.evals += 4;
  return Math.min(STRUCTURAL_RATE_LN_MAX, Math.sqrt(v));
}

/**
 * Concentration-weighted downwind distance (m) from `src` to the rows it reaches (the receptors'
 * centre per row), and the share of that weight on rows modelled about the wind track.
 */
function plumeTravelM(ctx: Ctx, cls: StabilityClass, src: SourcePosition): { travelM: number; trackedShare: number } {
  const { obs } = ctx;
  const kc = ctx.kctx.get(cls);
  if (!kc) return { travelM: 0, trackedShare: 0 };
  kernelRows(kc, src, 0, ctx.k1);
  const ux = Math.sin(obs.meanToRad);
  const uy = Math.cos(obs.meanToRad);
  let sw = 0;
  let sd = 0;
  let st = 0;
  for (let r = 0; r < obs.n; r++) {
    const k = ctx.k1[r];
    if (!(k > 0)) continue;
    let cx = 0;
    let cy = 0;
    for (let j = obs.recStart[r]; j < obs.recStart[r + 1]; j++) {
      cx += obs.rw[j] * obs.rx[j];
      cy += obs.rw[j] * obs.ry[j];
    }
    const down = (cx - src.x) * ux + (cy - src.y) * uy;
    if (!(down > 0)) continue;
    sw += k;
    sd += k * down;
    st += kc.tracked[r] * k;
  }
  return sw > 0 ? { travelM: sd / sw, trackedShare: st / sw } : { travelM: 0, trackedShare: 0 };
}
