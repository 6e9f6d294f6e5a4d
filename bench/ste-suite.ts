/**
 * The simulated-truth suite of the source-term estimation (issue 3): seeded scenarios from
 * src/sim/scenarios.ts (classes A–F, wind 1–8 m/s, 10–1,000 samples, point and path sensors, zero,
 * one or two sources) run through the estimator with the true stability class given. Prints the
 * coverage of the 90% intervals, the median location error and rate error factor, and how often
 * the source count is right (all scenarios, and those with a clear plume: every source clear in the
 * mean model and seen in the realised rows) as JSON; with --rows, one line per scenario on stderr
 * (counts, log evidences of 0, 1 and 2 sources, and each true source's match).
 * The suite of test/integration/ste-suite.test.ts is `200 2027`; the default is a quick look.
 *
 *   node --import tsx bench/ste-suite.ts [count=40] [seed=2026] [--rows] [--jobs=N] [--sampler-seeds=1,2,3] [--sensor=point|path] [--default-prior] [--oracle]
 *
 * --jobs=N splits the scenarios over N processes (default 1; the per-estimate times are only
 * comparable between runs with the same load). --sampler-seeds runs the whole suite once per
 * seed of the estimator's sampler (`SteOptions.seed`; default 1 alone) and adds the spread of each
 * figure over them: where a second source is marginal the sampler's evidence scatters by a few
 * nats, which moves the count by a few scenarios, so a change to the estimator is only worth its
 * figure when it beats that spread. Each run also gives countRightClearByThresholdNats: the count
 * right (clear plumes) if a second source needed t nats of evidence over one, for t = 1.5–6 — how the
 * count prior is calibrated (the default, 0.4875/0.4875/0.025, is t ≈ 2.97; see
 * countRightByThreshold in src/core/inversion/suite.ts). countProbabilityCalibration scores the reported
 * count probabilities (log score, Brier) for pairs of temperature and floor of
 * reportedCountProbabilities — how they are calibrated — and countReliability bins the scenarios by
 * the probability of the count reported, with how often it was right. bySensor gives the same summary for the
 * point (drone) and the path (open-path beam) records apart; --sensor=point (or path) runs only those
 * scenarios of the suite (the same scenarios as in the whole suite: to calibrate one kind quickly).
 * Each scenario runs with the true class and the prior its sources were drawn from, as the suite test
 * does: their rectangle as the search area, their height range (suiteOptions in
 * src/core/inversion/suite.ts; docs/source-estimation.md, sessions 10–11). --default-prior leaves
 * the estimator its own search area and height prior instead (as for a user who gives neither; a
 * quarter of the sources lie outside that area). --matched-prior, the default, is still accepted.
 * --oracle adds, for each two-source scenario, what the data show of the true pair under the
 * estimator's own likelihood (`gain G/O` in the rows: pairLikelihoodGain in
 * src/core/inversion/ste.ts, the pair's log-likelihood gain over the best single source against the
 * second source's Occam cost), and to the JSON `pairVisibility`: how many clear pairs the data show,
 * how many of them and of the others were reported as two, and the count right over the clear
 * scenarios without the pairs the data do not show (a diagnostic of where the misses come from, not
 * the target). About one second more per pair.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import {
  type SuiteRow,
  type SuiteSummary,
  countProbabilityScores,
  countReliability,
  countRightByThreshold,
  pairVisibility,
  runSuiteScenario,
  summarise,
  summariseBySensor,
  suiteOptions,
} from '../src/core/inversion/suite.ts';
import { scenarioSuite } from '../src/sim/scenarios.ts';

const flag = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
const args = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const rowsWanted = process.argv.includes('--rows');
const oracle = process.argv.includes('--oracle');
const matchedPrior = !process.argv.includes('--default-prior');
const prior = matchedPrior ? 'matched' : 'default';
/** A whole number of at least `min` from the command line, or exit 2 naming what is wrong. */
const whole = (name: string, text: string, min: number): number => {
  const v = Number(text);
  if (Number.isInteger(v) && v >= min && text.trim() !== '') return v;
  process.stderr.write(`ste-suite: ${name} must be a whole number >= ${min} (got '${text}')\n`);
  process.exit(2);
};
const count = whole('count', args[0] ?? '40', 1);
const seed = whole('seed', args[1] ?? '2026', 0);
const jobs = whole('--jobs', flag('jobs') ?? '1', 1);
const samplerSeeds = (flag('sampler-seeds') ?? '1').split(',').map((t) => whole('--sampler-seeds', t, 0));
const sensor = flag('sensor');
if (sensor !== undefined && sensor !== 'point' && sensor !== 'path') {
  process.stderr.write(`ste-suite: --sensor must be 'point' or 'path' (got '${sensor}')\n`);
  process.exit(2);
}
const child = flag('child'); // "shard/of": run that share of the scenarios, print its rows

type Row = SuiteRow & { index: number; samplerSeed: number };
/** Two-source evidence thresholds (nats) of countRightClearByThresholdNats: the count prior's calibration. */
const THRESHOLDS = [1.5, 2, 2.5, 3, 3.5, 4, 5, 6];
/** (temperature, floor) pairs of countProbabilityCalibration: the count probabilities' calibration. */
const CALIBRATIONS = [1, 0.7, 0.5, 0.3, 0.2].flatMap((temperature) =>
  [0, 0.1, 0.2, 0.3].map((floor) => ({ temperature, floor })),
);

/** The rows of the scenarios with index ≡ shard (mod of), each run with every sampler seed. */
function runShare(shard: number, of: number): Row[] {
  const out: Row[] = [];
  scenarioSuite(count, seed).forEach((sc, index) => {
    if (index % of !== shard || (sensor && sc.truth.sensor !== sensor)) return;
    for (const samplerSeed of samplerSeeds) {
      const row = runSuiteScenario(sc, suiteOptions(sc, { seed: samplerSeed, matchedPrior }), { oracle });
      if (rowsWanted) {
        const m = row.matches.map(
          (x) =>
            `d=${x.distanceM.toFixed(1)}m f=${x.rateFactor.toFixed(2)} ${x.inEllipse ? 'E' : '-'}${x.inRateCi ? 'R' : '-'}`,
        );
        process.stderr.write(
          `${sc.name}${samplerSeeds.length > 1 ? ` sampler ${samplerSeed}` : ''} true ${row.trueCount} est ${row.estimatedCount}${row.clear ? ' clear' : ''} lz ${row.logEvidence.map((v) => v.toFixed(1)).join(',')}${row.pairGain ? ` gain ${row.pairGain.gainNats.toFixed(1)}/${row.pairGain.occamNats.toFixed(1)}` : ''} ${m.join(' | ')}\n`,
        );
      }
      out.push({ ...row, index, samplerSeed });
    }
  });
  return out;
}

/** Runs one share in a child process of this script (same loader flags); resolves to its rows. */
function runChild(shard: number): Promise<Row[]> {
  const argv = [...process.execArgv, fileURLToPath(import.meta.url), String(count), String(seed)];
  if (rowsWanted) argv.push('--rows');
  if (!matchedPrior) argv.push('--default-prior');
  if (oracle) argv.push('--oracle');
  if (sensor) argv.push(`--sensor=${sensor}`);
  argv.push(`--sampler-seeds=${samplerSeeds.join(',')}`, `--child=${shard}/${jobs}`);
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, argv, { stdio: ['ignore', 'pipe', 'inherit'] });
    let text = '';
    p.stdout.on('data', (d) => {
      text += d;
    });
    p.on('error', reject);
    p.on('close', (code) =>
      code === 0 ? resolve(JSON.parse(text)) : reject(new Error(`ste-suite: share ${shard}/${jobs} exited ${code}`)),
    );
  });
}

if (child) {
  const [shard, of] = child.split('/').map(Number);
  process.stdout.write(JSON.stringify(runShare(shard, of)));
} else {
  const t0 = performance.now();
  const rows =
    jobs === 1
      ? runShare(0, 1)
      : (await Promise.all(Array.from({ length: jobs }, (_, shard) => runChild(shard)))).flat();
  rows.sort((a, b) => a.index - b.index);
  const runs = samplerSeeds.map((s) => {
    const own = rows.filter((r) => r.samplerSeed === s);
    return {
      samplerSeed: s,
      ...summarise(own),
      countRightClearByThresholdNats: countRightByThreshold(own, THRESHOLDS),
      countProbabilityCalibration: countProbabilityScores(own, CALIBRATIONS),
      countReliability: countReliability(own),
      bySensor: summariseBySensor(own),
      ...(oracle ? { pairVisibility: pairVisibility(own) } : {}),
    };
  });
  const wallS = Math.round((performance.now() - t0) / 1000);
  if (runs.length === 1) {
    process.stdout.write(`${JSON.stringify({ benchmark: 'ste-suite', seed, prior, ...runs[0], wallS }, null, 2)}\n`);
  } else {
    // Mean, least and greatest of each figure over the sampler seeds.
    const spread: Record<string, { mean: number; min: number; max: number }> = {};
    // Over the summary's figures (its keys; summarise([]) only names them).
    for (const key of Object.keys(summarise([])) as (keyof SuiteSummary)[]) {
      if (key === 'scenarios' || key === 'clearScenarios') continue;
      const v = runs.map((r) => r[key]);
      spread[key] = { mean: v.reduce((a, b) => a + b, 0) / v.length, min: Math.min(...v), max: Math.max(...v) };
    }
    process.stdout.write(
      `${JSON.stringify({ benchmark: 'ste-suite', seed, prior, samplerSeeds, spread, runs, wallS }, null, 2)}\n`,
    );
  }
}
