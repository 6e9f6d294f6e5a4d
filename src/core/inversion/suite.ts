/**
 * The simulated-truth suite of the source-term estimation: run the estimator on seeded scenarios
 * with known sources and report how often its 90% intervals hold the truth, the median location
 * error and rate error factor, and how often the source count is right. Used by the suite test and
 * by `npm run bench` (a smaller suite).
 */
import { distanceM } from '../geo/local-frame.ts';
import type { InSituSeries } from '../types.ts';
import {
  DEFAULT_SOURCE_COUNT_PRIOR,
  type SteOptions,
  type SteResult,
  argMax,
  estimateSources,
  pairLikelihoodGain,
  reportedCountProbabilities,
} from './ste.ts';

export interface SuiteScenario {
  name: string;
  series: InSituSeries;
  truth: {
    /** Release height (m): only the oracle of `runSuiteScenario` reads it (0 when absent). */
    sources: { lat: number; lon: number; rateKgPerHour: number; heightM?: number }[];
    clearPlume: boolean;
    allSourcesClear?: boolean;
    /** Every source's plume shows in the realised noiseless rows (see src/sim/scenarios.ts). */
    allSourcesSeen?: boolean;
    stability: string;
    sensor: string;
    /** The rectangle the sources were drawn from: four [lat, lon] corners in order (SteOptions.areaCorners). */
    sourceRegion?: [number, number][];
    /** The sources' heights were drawn from 0 to this (m). */
    sourceHeightMaxM?: number;
  };
}

/**
 * The options the suite runs a scenario with: the true stability class; the estimator's own search
 * area and height prior, as for a user who gives neither (a quarter of the suite's sources lie
 * outside that area). With `matchedPrior`, the prior the scenario's sources were drawn from as well —
 * their rectangle (`sourceRegion`) as the search area and their height range — so that the 90%
 * intervals are tested under the prior that made the truth, as simulation-based calibration requires
 * (Talts et al. 2018; docs/source-estimation.md, session 10).
 */
export function suiteOptions(sc: SuiteScenario, o: { seed?: number; matchedPrior?: boolean } = {}): SteOptions {
  const { sourceRegion, sourceHeightMaxM, stability } = sc.truth;
  if (o.matchedPrior && !(sourceRegion && sourceHeightMaxM))
    throw new Error(`suite scenario ${sc.name} carries no source region for the matched prior`);
  return {
    stabilityPrior: { [stability]: 1 },
    ...(o.seed !== undefined ? { seed: o.seed } : {}),
    ...(o.matchedPrior ? { areaCorners: sourceRegion, heightMaxM: sourceHeightMaxM } : {}),
  };
}

export interface SuiteRow {
  name: string;
  /** The scenario's sensor ('point' or 'path', SuiteScenario.truth.sensor). */
  sensor: string;
  trueCount: number;
  estimatedCount: number;
  clear: boolean;
  /** Per matched true source: distance (m), rate factor, inside the 90% ellipse, inside the rate interval. */
  matches: { distanceM: number; rateFactor: number; inEllipse: boolean; inRateCi: boolean }[];
  elapsedMs: number;
  /** log evidence of 0, 1 and 2 sources (SteResult.diagnostics.logEvidence). */
  logEvidence: [number, number, number];
  /** Two-source scenarios run with the oracle: what the data show of the true pair (pairLikelihoodGain). */
  pairGain?: { gainNats: number; occamNats: number };
}

export interface SuiteSummary {
  scenarios: number;
  locationCoverage90: number;
  rateCoverage90: number;
  medianLocationErrorM: number;
  medianRateErrorFactor: number;
  countRightClear: number;
  countRightAll: number;
  clearScenarios: number;
  medianElapsedMs: number;
}

/** Is (lat, lon) inside the 90% ellipse of a located source? */
export function insideEllipse(src: SteResult['sources'][number], lat: number, lon: number): boolean {
  const north = distanceM(src.lat, src.lon, lat, src.lon) * Math.sign(lat - src.lat);
  const east = distanceM(src.lat, src.lon, src.lat, lon) * Math.sign(lon - src.lon);
  const az = (src.locationCi90.azimuthDeg * Math.PI) / 180;
  // Major axis along (sin az, cos az) in (east, north).
  const a = east * Math.sin(az) + north * Math.cos(az);
  const b = east * Math.cos(az) - north * Math.sin(az);
  const { semiMajorM: A, semiMinorM: B } = src.locationCi90;
  return (a / Math.max(A, 1e-9)) ** 2 + (b / Math.max(B, 1e-9)) ** 2 <= 1;
}

/**
 * Runs the estimator on one scenario and matches its sources to the truth. With `oracle`, a
 * two-source scenario also gets `pairGain`: how much better the true pair explains the data than the
 * best single source, under the estimator's own model (pairLikelihoodGain).
 */
export function runSuiteScenario(sc: SuiteScenario, options: SteOptions, o: { oracle?: boolean } = {}): SuiteRow {
  const r = estimateSources(sc.series, options);
  const pairGain =
    o.oracle && sc.truth.sources.length === 2
      ? pairLikelihoodGain(
          sc.series,
          options,
          sc.truth.sources.map((t) => ({ lat: t.lat, lon: t.lon, heightM: t.heightM ?? 0 })),
        )
      : undefined;
  const matches: SuiteRow['matches'] = [];
  // Pair true and located sources so that the total distance of the min(true, located) pairs is
  // smallest (at most two of each: try every assignment) — not in the truth's order, which would
  // give a single located source to whichever true source happens to come first.
  const dist = sc.truth.sources.map((t) => r.sources.map((s) => distanceM(s.lat, s.lon, t.lat, t.lon)));
  let best: [number, number][] = [];
  let bestTotal = Number.POSITIVE_INFINITY;
  const pairs = Math.min(sc.truth.sources.length, r.sources.length);
  const assign = (ti: number, used: Set<number>, acc: [number, number][], total: number) => {
    if (acc.length === pairs) {
      if (total < bestTotal) {
        bestTotal = total;
        best = [...acc];
      }
      return;
    }
    if (ti >= sc.truth.sources.length) return;
    // Either leave true source ti unmatched (when there are fewer located sources) or pair it.
    if (sc.truth.sources.length - ti > pairs - acc.length) assign(ti + 1, used, acc, total);
    r.sources.forEach((_, si) => {
      if (used.has(si)) return;
      used.add(si);
      acc.push([ti, si]);
      assign(ti + 1, used, acc, total + dist[ti][si]);
      acc.pop();
      used.delete(si);
    });
  };
  assign(0, new Set(), [], 0);
  for (const [ti, si] of best) {
    const t = sc.truth.sources[ti];
    const s = r.sources[si];
    matches.push({
      distanceM: dist[ti][si],
      rateFactor: Math.max(s.rateKgPerHour / t.rateKgPerHour, t.rateKgPerHour / s.rateKgPerHour),
      inEllipse: insideEllipse(s, t.lat, t.lon),
      inRateCi: s.rateKgPerHourCi90[0] <= t.rateKgPerHour && t.rateKgPerHour <= s.rateKgPerHourCi90[1],
    });
  }
  return {
    name: sc.name,
    sensor: sc.truth.sensor,
    trueCount: sc.truth.sources.length,
    estimatedCount: r.sources.length,
    // A scenario "with a clear plume": every source clear in the mean model and seen in the data.
    clear:
      sc.truth.sources.length === 0 ||
      ((sc.truth.allSourcesClear ?? sc.truth.clearPlume) && (sc.truth.allSourcesSeen ?? true)),
    matches,
    elapsedMs: r.elapsedMs,
    logEvidence: r.diagnostics.logEvidence,
    ...(pairGain ? { pairGain: { gainNats: pairGain.gainNats, occamNats: pairGain.occamNats } } : {}),
  };
}

/**
 * What the oracle says of the clear two-source rows (those with `pairGain`): how many true pairs
 * explain the data better than one source by at least the second source's prior volume
 * (`occamNats`) — the pairs the data show, as the model reads them — and how many of each kind were
 * reported as two; and the count right over the clear rows without the pairs the data do not show
 * (a diagnostic of where the count's misses come from, not the suite's target).
 */
export function pairVisibility(rows: SuiteRow[]): {
  clearPairs: number;
  shown: number;
  shownFound: number;
  hiddenFound: number;
  countRightClearShown: number;
} {
  const pairs = rows.filter((r) => r.clear && r.pairGain);
  const shownOf = (r: SuiteRow) => r.pairGain!.gainNats >= r.pairGain!.occamNats;
  const shown = pairs.filter(shownOf);
  const kept = rows.filter((r) => r.clear && !(r.pairGain && !shownOf(r)));
  return {
    clearPairs: pairs.length,
    shown: shown.length,
    shownFound: shown.filter((r) => r.estimatedCount === 2).length,
    hiddenFound: pairs.filter((r) => !shownOf(r) && r.estimatedCount === 2).length,
    countRightClearShown: kept.filter((r) => r.estimatedCount === r.trueCount).length / kept.length,
  };
}

/**
 * How often the count of the clear-plume rows would be right if a second source needed `t` nats of
 * evidence over one (a count prior with P(0) = P(1) and P(2) = P(1)·e^−t; the default prior is
 * t = ln(0.4875/0.025) ≈ 2.97), for each t: what calibrates the count prior from a suite run without
 * running the estimator again (the prior enters the count alone). The count is decided as the
 * estimator decides it: the most probable of the reported probabilities (reportedCountProbabilities).
 */
export function countRightByThreshold(
  rows: SuiteRow[],
  thresholdsNats: number[],
): { thresholdNats: number; countRightClear: number }[] {
  const clear = rows.filter((r) => r.clear);
  return thresholdsNats.map((t) => {
    const right = clear.filter((r) => {
      return argMax(reportedCountProbabilities(r.logEvidence, [1, 1, Math.exp(-t)])) === r.trueCount;
    }).length;
    return { thresholdNats: t, countRightClear: right / clear.length };
  });
}

/**
 * How honest the reported count probabilities would be, over all rows, with each calibration
 * (temperature, floor) of reportedCountProbabilities (the default prior): the mean log probability
 * given to the true count (higher is better; ln 1/3 = −1.10 for a guess) and the Brier score (lower
 * is better). How COUNT_PROBABILITY_TEMPERATURE and COUNT_PROBABILITY_FLOOR are fitted.
 */
export function countProbabilityScores(
  rows: SuiteRow[],
  calibrations: { temperature: number; floor: number }[],
): { temperature: number; floor: number; logScore: number; brier: number }[] {
  return calibrations.map(({ temperature, floor }) => {
    let logScore = 0;
    let brier = 0;
    for (const r of rows) {
      const p = reportedCountProbabilities(r.logEvidence, DEFAULT_SOURCE_COUNT_PRIOR, temperature, floor);
      logScore += Math.log(Math.max(p[r.trueCount], 1e-300)) / rows.length;
      brier += p.reduce((a, pk, k) => a + (pk - (k === r.trueCount ? 1 : 0)) ** 2, 0) / rows.length;
    }
    return { temperature, floor, logScore, brier };
  });
}

/**
 * Reliability of the reported count probability (reportedCountProbabilities, as calibrated): the
 * rows binned by the probability of the count reported, with how often that count was right (a row
 * whose reported count has a probability under the first edge, possible with three counts, is left
 * out).
 */
export function countReliability(
  rows: SuiteRow[],
  edges = [0.5, 0.7, 0.9, 0.99, 1],
): { from: number; to: number; rows: number; right: number }[] {
  const bins = edges.slice(0, -1).map((from, i) => ({ from, to: edges[i + 1], rows: 0, right: 0 }));
  for (const r of rows) {
    const p = reportedCountProbabilities(r.logEvidence, DEFAULT_SOURCE_COUNT_PRIOR);
    const k = argMax(p);
    const bin = bins.find((b) => p[k] >= b.from && (p[k] < b.to || b.to === 1));
    if (!bin) continue;
    bin.rows++;
    if (k === r.trueCount) bin.right++;
  }
  return bins;
}

const median = (v: number[]) => {
  if (v.length === 0) return Number.NaN;
  const s = [...v].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};

export function summarise(rows: SuiteRow[]): SuiteSummary {
  const m = rows.flatMap((r) => r.matches);
  const clear = rows.filter((r) => r.clear);
  return {
    scenarios: rows.length,
    locationCoverage90: m.filter((x) => x.inEllipse).length / m.length,
    rateCoverage90: m.filter((x) => x.inRateCi).length / m.length,
    medianLocationErrorM: median(m.map((x) => x.distanceM)),
    medianRateErrorFactor: median(m.map((x) => x.rateFactor)),
    countRightClear: clear.filter((r) => r.estimatedCount === r.trueCount).length / clear.length,
    countRightAll: rows.filter((r) => r.estimatedCount === r.trueCount).length / rows.length,
    clearScenarios: clear.length,
    medianElapsedMs: median(rows.map((r) => r.elapsedMs)),
  };
}

/**
 * The summary per sensor kind (point and path records differ in what limits them: see
 * docs/source-estimation.md), in order of first appearance.
 */
export function summariseBySensor(rows: SuiteRow[]): Record<string, SuiteSummary> {
  const out: Record<string, SuiteSummary> = {};
  for (const sensor of new Set(rows.map((r) => r.sensor)))
    out[sensor] = summarise(rows.filter((r) => r.sensor === sensor));
  return out;
}
