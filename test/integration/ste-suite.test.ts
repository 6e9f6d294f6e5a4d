/**
 * The simulated-truth suite of the source-term estimation (issue 3), as a test: 200 seeded
 * scenarios from src/sim/scenarios.ts (classes A–F, 10 m wind 1–8 m/s, 10–1,000 samples, point and
 * path sensors, zero, one or two sources) run through the estimator with the true stability class
 * given, as `npm run bench:suite` does. The scenarios are made by a simulator that is NOT the
 * estimator's model (meandering, puffing plumes; see src/sim/scenarios.ts), so this measures how
 * honest the intervals are on data the estimator did not write itself.
 *
 * Targets (issue 3): the 90% intervals (rate interval and location ellipse) hold the truth in
 * 85–95% of the located true sources; the source count is right in ≥ 90% of the scenarios with a
 * clear plume (every source clear in the mean model and seen in the realised data).
 *
 * The estimator gets the true stability class and the prior the scenario's sources were drawn from
 * (`suiteOptions(sc, { matchedPrior: true })`: their 180 × 60 m rectangle as the search area, heights
 * up to 5 m): coverage is only promised under the prior that made the truth (simulation-based
 * calibration, Talts et al. 2018). With the estimator's default area a quarter of the truths lay
 * outside it (docs/source-estimation.md, session 10).
 *
 * Measured on this suite (seed 2027, since session 11): location ellipses hold the truth for 0.928
 * of the located true sources, rate intervals for 0.913 (targets met), source count right in 0.822
 * of the clear-plume scenarios (148/180; target NOT met), median location error 16.8 m, median rate
 * error factor 1.37 (0.933 / 0.899 / 0.822 / 17.8 m / 1.41 before the two sources' labels were
 * aligned, `alignPairLabels`). Under the default prior, as the test ran before session 11
 * (structural scales calibrated for it): 0.9495 / 0.899 / 0.772 (139/180) / 21.7 m / 1.41. The
 * intervals include the structural (model-form) error of src/core/inversion/ste.ts
 * (STRUCTURAL_*), calibrated on seed 2026, not on this seed; without it the posterior alone held
 * the truth for 0.31 (location) and 0.71 (rate), measured before the suite paired true and located
 * sources by total distance. Where the
 * target is not met the lower bound is today's figure less about two scenarios' worth of slack — a
 * regression guard, not the target; the upper bounds are the target's (intervals wider than 95%
 * would be dishonest the other way); the error bounds guard today's figures with some slack.
 * docs/source-estimation.md says what limits the estimator. The estimator is seeded, so the figures
 * are exact: a change that moves them must update them. They are those of sampler seed 1; over
 * sampler seeds 1–3 the ellipses hold 0.890–0.942, the rate intervals 0.890–0.913, the count is
 * 0.806–0.822, the median error 16.8–17.9 m and the rate factor 1.37–1.41, and about one clear
 * scenario in seven changes between right and wrong from one sampler seed to another
 * (`node --import tsx bench/ste-suite.ts 200 2027 --jobs=2 --sampler-seeds=1,2,3`).
 *
 * Where the count's misses come from (session 12; `--oracle` in the bench): of the 47 clear pairs,
 * the data show 17 under the estimator's own likelihood — the true pair, each source moved to its
 * best fit within 30 m, beats the best single source by more than the second source's prior volume
 * costs (ln of 180 × 60 m × 5 m = 10.9 nats; pairLikelihoodGain) — and the estimator reports 16 of
 * them as two. The other 30 it cannot find whatever its search does (19 reported as one, 11 as two
 * for other reasons, some of them 45–110 m off). Over the clear scenarios without those 30 the count
 * is right in 0.913 (137/150). With them, an estimator that found every pair the data show and made
 * no phantom, the hidden pairs coming out as they do now, would be right in 161 of 180 (0.894).
 */
import { expect, it } from 'vitest';
import { pairVisibility, runSuiteScenario, suiteOptions, summarise } from '../../src/core/inversion/suite.ts';
import { scenarioSuite } from '../../src/sim/scenarios.ts';

const COUNT = 200;
const SEED = 2027;

it(`simulated-truth suite: ${COUNT} seeded scenarios, 90% interval coverage and source counts`, () => {
  const scenarios = scenarioSuite(COUNT, SEED);
  // The suite spans the ranges (the generator's own tests check the draws in detail).
  const samples = scenarios.map((s) => s.truth.sampleCount);
  expect(Math.min(...samples)).toBeLessThanOrEqual(12);
  expect(Math.max(...samples)).toBeGreaterThanOrEqual(900);
  expect(new Set(scenarios.map((s) => s.truth.stability)).size).toBe(6);
  expect(new Set(scenarios.map((s) => s.truth.sources.length)).size).toBe(3);
  const rows = scenarios.map((sc) => runSuiteScenario(sc, suiteOptions(sc, { matchedPrior: true }), { oracle: true }));
  const s = summarise(rows);
  const pairs = pairVisibility(rows);
  process.stdout.write(`ste suite (${COUNT} scenarios, seed ${SEED}): ${JSON.stringify({ ...s, pairs })}\n`);
  expect(s.scenarios).toBe(COUNT);
  expect(s.clearScenarios).toBeGreaterThan(0.6 * COUNT);
  // Issue targets where met; regression floors (see the file comment) where not.
  expect(s.locationCoverage90).toBeGreaterThanOrEqual(0.85);
  expect(s.locationCoverage90).toBeLessThanOrEqual(0.95);
  expect(s.rateCoverage90).toBeGreaterThanOrEqual(0.85);
  expect(s.rateCoverage90).toBeLessThanOrEqual(0.95);
  expect(s.countRightClear).toBeGreaterThanOrEqual(0.81);
  expect(s.medianLocationErrorM).toBeLessThan(20);
  expect(s.medianRateErrorFactor).toBeLessThan(1.5);
  // The pairs the data show (the true pair beats one source by more than its prior volume costs,
  // under the estimator's own likelihood: pairLikelihoodGain) are found: 16 of 17 today. A search or
  // sampler that lost them would fail here; the pairs the data do not show (30 of 47) are what the
  // count's target needs a better likelihood for.
  expect(pairs.clearPairs).toBe(47);
  expect(pairs.shown).toBeGreaterThanOrEqual(15);
  expect(pairs.shownFound / pairs.shown).toBeGreaterThanOrEqual(0.85);
}, 1_800_000);
