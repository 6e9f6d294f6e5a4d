import { describe, expect, it } from 'vitest';
import {
  COUNT_PROBABILITY_FLOOR,
  COUNT_PROBABILITY_TEMPERATURE,
  DEFAULT_SOURCE_COUNT_PRIOR,
  reportedCountProbabilities,
  sourceCountPosterior,
} from './ste.ts';
import {
  type SuiteRow,
  type SuiteScenario,
  countProbabilityScores,
  countReliability,
  countRightByThreshold,
  pairVisibility,
  summarise,
  summariseBySensor,
  suiteOptions,
} from './suite.ts';

const row = (
  trueCount: number,
  logEvidence: [number, number, number],
  clear = true,
  sensor = 'point',
  estimatedCount = -1,
): SuiteRow => ({
  name: `r${trueCount}`,
  sensor,
  trueCount,
  estimatedCount,
  clear,
  matches: [],
  elapsedMs: 0,
  logEvidence,
});

describe('countRightByThreshold', () => {
  it('decides each clear row as if a second source needed t nats over one', () => {
    const rows = [
      row(1, [0, 10, 12]), // two ahead by 2 nats: right (one) once t > 2
      row(2, [0, 10, 14]), // two ahead by 4 nats: right (two) while t < 4
      row(0, [5, 4, 3]), // none ahead at any t ≥ 0: always right
      row(2, [0, 10, 30], false), // not clear: never counted
    ];
    expect(countRightByThreshold(rows, [1, 3, 5])).toEqual([
      { thresholdNats: 1, countRightClear: 2 / 3 },
      { thresholdNats: 3, countRightClear: 1 },
      { thresholdNats: 5, countRightClear: 2 / 3 },
    ]);
  });

  it('matches the default count prior at t = ln(P(1)/P(2))', () => {
    // With the default prior 0.4875/0.4875/0.025, two sources win when log Z2 − log Z1 > ln 19.5.
    const [p0, p1, p2] = DEFAULT_SOURCE_COUNT_PRIOR;
    expect(p0).toBe(p1);
    const t = Math.log(p1 / p2);
    expect(t).toBeCloseTo(2.97, 2);
    const rows = [row(2, [0, 10, 12.96]), row(2, [0, 10, 12.98])];
    expect(countRightByThreshold(rows, [t])[0].countRightClear).toBe(0.5);
  });

  it('counts a log evidence lost to JSON (null for −∞) as −∞', () => {
    // As 0 the lost evidence would beat the others (−20, −10) and count two sources.
    const lost = JSON.parse(JSON.stringify([row(1, [-20, -10, Number.NEGATIVE_INFINITY])])) as SuiteRow[];
    expect(lost[0].logEvidence[2]).toBeNull();
    expect(countRightByThreshold(lost, [3])[0].countRightClear).toBe(1);
  });
});

describe('pairVisibility', () => {
  it('splits the clear pairs by what the data show (gain against the Occam cost) and counts without the hidden ones', () => {
    const pair = (estimatedCount: number, gainNats: number, clear = true): SuiteRow => ({
      ...row(2, [0, 0, 0], clear, 'path', estimatedCount),
      pairGain: { gainNats, occamNats: 10 },
    });
    const rows = [
      pair(2, 25), // shown, found
      pair(1, 12), // shown, missed
      pair(2, 3), // hidden, reported as two: left out of the count
      pair(1, -1), // hidden, missed: left out
      pair(1, 40, false), // not clear: not counted at all
      row(1, [0, 5, 0], true, 'path', 1), // right
      row(1, [0, 5, 9], true, 'path', 2), // a phantom: wrong
      row(0, [5, 0, 0], true, 'point', 0), // right
    ];
    expect(pairVisibility(rows)).toEqual({
      clearPairs: 4,
      shown: 2,
      shownFound: 1,
      hiddenFound: 1,
      // Of the two shown pairs and three other clear rows, three are right.
      countRightClearShown: 3 / 5,
    });
  });
});

describe('summariseBySensor', () => {
  it('summarises the point and the path rows apart', () => {
    const match = (distanceM: number, inEllipse: boolean) => ({
      distanceM,
      rateFactor: 1.5,
      inEllipse,
      inRateCi: true,
    });
    const rows = [
      { ...row(1, [0, 5, 5], true, 'point', 1), matches: [match(10, true)] },
      { ...row(2, [0, 5, 9], true, 'point', 1), matches: [match(30, false)] },
      { ...row(1, [0, 5, 5], true, 'path', 1), matches: [match(4, true)] },
      row(0, [5, 0, 0], false, 'path', 0),
    ];
    const by = summariseBySensor(rows);
    expect(Object.keys(by)).toEqual(['point', 'path']);
    expect(by.point).toEqual(summarise(rows.slice(0, 2)));
    expect(by.point.countRightClear).toBe(0.5);
    expect(by.point.locationCoverage90).toBe(0.5);
    expect(by.path.scenarios).toBe(2);
    expect(by.path.clearScenarios).toBe(1);
    expect(by.path.medianLocationErrorM).toBe(4);
  });
});

describe('the reported count probabilities', () => {
  it("a temperature λ raises each count's posterior term to λ: the odds to the power λ, the same most probable count", () => {
    const logZ = [0, 10, 12];
    const [p0, p1, p2] = DEFAULT_SOURCE_COUNT_PRIOR;
    const odds21 = Math.exp(2) * (p2 / p1); // two against one at λ = 1
    for (const t of [1, 0.5, 0.1]) {
      const p = sourceCountPosterior(logZ, DEFAULT_SOURCE_COUNT_PRIOR, t);
      expect(p[0] + p[1] + p[2]).toBeCloseTo(1, 12);
      expect(p[2] / p[1]).toBeCloseTo(odds21 ** t, 10);
      expect(p[1] / p[0]).toBeCloseTo((Math.exp(10) * (p1 / p0)) ** t, 6);
      // 2 nats do not pay for a second source (ln 19.5 ≈ 3 a priori), at any temperature.
      expect(p.indexOf(Math.max(...p))).toBe(1);
    }
  });

  it('spreads a floor of the probability of some source over one and two sources, after the temperature', () => {
    expect([COUNT_PROBABILITY_TEMPERATURE, COUNT_PROBABILITY_FLOOR]).toEqual([0.5, 0.2]);
    const logZ = [-50, 0, 1];
    const tempered = sourceCountPosterior(logZ, DEFAULT_SOURCE_COUNT_PRIOR, 0.5);
    const p = reportedCountProbabilities(logZ, DEFAULT_SOURCE_COUNT_PRIOR);
    const some = tempered[1] + tempered[2];
    expect(p[0]).toBe(tempered[0]);
    expect(p[1]).toBeCloseTo(0.8 * tempered[1] + 0.1 * some, 12);
    expect(p[2]).toBeCloseTo(0.8 * tempered[2] + 0.1 * some, 12);
    expect(p[0] + p[1] + p[2]).toBeCloseTo(1, 12);
    // Overwhelming evidence for one source: one at 1 − floor/2, two at floor/2.
    const sure = reportedCountProbabilities([-1e4, 0, -1e3], DEFAULT_SOURCE_COUNT_PRIOR);
    expect(sure[1]).toBeCloseTo(0.9, 12);
    expect(sure[2]).toBeCloseTo(0.1, 12);
    // Without calibration (λ = 1, no floor): the posterior.
    expect(reportedCountProbabilities(logZ, DEFAULT_SOURCE_COUNT_PRIOR, 1, 0)).toEqual(
      sourceCountPosterior(logZ, DEFAULT_SOURCE_COUNT_PRIOR),
    );
  });

  it('scores the probability given to the true count (log score, Brier) for each calibration', () => {
    // Rows whose evidences, with the default prior, give a second source log-odds +2 and −2 over one.
    const t2 = Math.log(DEFAULT_SOURCE_COUNT_PRIOR[1] / DEFAULT_SOURCE_COUNT_PRIOR[2]);
    const rows = [row(2, [-1e3, 0, t2 + 2]), row(1, [-1e3, 0, t2 - 2])];
    const [one, half, floored] = countProbabilityScores(rows, [
      { temperature: 1, floor: 0 },
      { temperature: 0.5, floor: 0 },
      { temperature: 1, floor: 0.2 },
    ]);
    // Both rows give the true count the probability σ(2·λ) (count 0 negligible), less the floor's share.
    const sig = (x: number) => 1 / (1 + Math.exp(-x));
    expect(one.logScore).toBeCloseTo(Math.log(sig(2)), 10);
    expect(half.logScore).toBeCloseTo(Math.log(sig(1)), 10);
    expect(floored.logScore).toBeCloseTo(Math.log(0.8 * sig(2) + 0.1), 10);
    expect(one.brier).toBeCloseTo(2 * (1 - sig(2)) ** 2, 10);
    expect([half.temperature, half.floor]).toEqual([0.5, 0]);
  });

  it('bins the rows by the probability of the count reported, with how often it was right', () => {
    const t2 = Math.log(DEFAULT_SOURCE_COUNT_PRIOR[1] / DEFAULT_SOURCE_COUNT_PRIOR[2]);
    // The margin (nats, two over one) at which the count reported gets probability p: p = (1 − f)·σ(λ·m) + f/2.
    const margin = (p: number) => {
      const q = (p - COUNT_PROBABILITY_FLOOR / 2) / (1 - COUNT_PROBABILITY_FLOOR);
      return Math.log(q / (1 - q)) / COUNT_PROBABILITY_TEMPERATURE;
    };
    const rows = [
      row(2, [-1e4, 0, t2 + margin(0.6)]), // two at 0.6: right
      row(1, [-1e4, 0, t2 + margin(0.6)]), // two at 0.6: wrong
      row(1, [-1e4, 0, t2 - margin(0.8)]), // one at 0.8: right
      row(2, [-1e4, 0, t2 - margin(0.88)]), // one at 0.88: wrong
    ];
    expect(countReliability(rows, [0.5, 0.7, 0.9, 1])).toEqual([
      { from: 0.5, to: 0.7, rows: 2, right: 1 },
      { from: 0.7, to: 0.9, rows: 2, right: 1 },
      { from: 0.9, to: 1, rows: 0, right: 0 },
    ]);
  });
});

describe('suiteOptions', () => {
  const sc: SuiteScenario = {
    name: 'sc',
    series: {} as SuiteScenario['series'],
    truth: {
      sources: [],
      clearPlume: false,
      stability: 'E',
      sensor: 'point',
      sourceRegion: [
        [51, -1],
        [51.001, -1],
        [51.001, -0.999],
        [51, -0.999],
      ],
      sourceHeightMaxM: 5,
    },
  };
  it("gives the true class and the estimator's own area and height prior, or with matchedPrior the scenario's", () => {
    expect(suiteOptions(sc)).toEqual({ stabilityPrior: { E: 1 } });
    expect(suiteOptions(sc, { seed: 3, matchedPrior: true })).toEqual({
      stabilityPrior: { E: 1 },
      seed: 3,
      areaCorners: sc.truth.sourceRegion,
      heightMaxM: 5,
    });
    const bare = { ...sc, truth: { ...sc.truth, sourceRegion: undefined } };
    expect(() => suiteOptions(bare, { matchedPrior: true })).toThrow(/carries no source region/);
  });
});
