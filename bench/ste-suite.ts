/**
 * The simulated-truth suite of the source-term estimation (issue 3): seeded scenarios from
 * src/sim/scenarios.ts (classes A–F, wind 1–8 m/s, 10–1,000 samples, point and path sensors, zero,
 * one or two sources) run through the estimator with the true stability class given. Prints the
 * coverage of the 90% intervals, the median location error and rate error factor, and how often
 * the source count is right (all scenarios, and those with a clear plume: every source clear in the
 * mean model and seen in the realised rows) as JSON; with --rows, one line per scenario on stderr.
 * The suite of test/integration/ste-suite.test.ts is `200 2027`; the default is a quick look.
 *
 *   node --import tsx bench/ste-suite.ts [count=40] [seed=2026] [--rows]
 */
import { runSuiteScenario, summarise } from '../src/core/inversion/suite.ts';
import { scenarioSuite } from '../src/sim/scenarios.ts';

const args = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const rowsWanted = process.argv.includes('--rows');
const count = Number(args[0] ?? 40);
const seed = Number(args[1] ?? 2026);
const t0 = performance.now();
const rows = scenarioSuite(count, seed).map((sc) => {
  const row = runSuiteScenario(sc, { stabilityPrior: { [sc.truth.stability]: 1 } });
  if (rowsWanted) {
    const m = row.matches.map(
      (x) =>
        `d=${x.distanceM.toFixed(1)}m f=${x.rateFactor.toFixed(2)} ${x.inEllipse ? 'E' : '-'}${x.inRateCi ? 'R' : '-'}`,
    );
    process.stderr.write(
      `${sc.name} true ${row.trueCount} est ${row.estimatedCount}${row.clear ? ' clear' : ''} ${m.join(' | ')}\n`,
    );
  }
  return row;
});
process.stdout.write(
  `${JSON.stringify({ benchmark: 'ste-suite', seed, ...summarise(rows), wallS: Math.round((performance.now() - t0) / 1000) }, null, 2)}\n`,
);
