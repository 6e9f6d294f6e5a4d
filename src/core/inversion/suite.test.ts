import { describe, expect, it } from 'vitest';
import { DEFAULT_SOURCE_COUNT_PRIOR } from './ste.ts';
import { type SuiteRow, countRightByThreshold, summarise, summariseBySensor } from './suite.ts';

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
