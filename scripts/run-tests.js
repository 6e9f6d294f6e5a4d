#!/usr/bin/env node
// Runs every test lane (unit, integration, e2e) in one vitest run, then checks that each lane
// actually ran tests: a lane that silently finds nothing must fail CI, not pass it.
// With PLUMETRACE_REQUIRE_BROWSER=1 (set by .ci/run) a skipped browser test is a failure too.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';

const lanes = ['unit', 'integration', 'e2e'];
const report = 'test-artifacts/vitest-report.json';
mkdirSync('test-artifacts', { recursive: true });
const run = spawnSync(
  process.execPath,
  [
    'node_modules/vitest/vitest.mjs',
    'run',
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${report}`,
    ...process.argv.slice(2),
  ],
  { stdio: 'inherit' },
);
if (run.status !== 0) process.exit(run.status ?? 1);

const result = JSON.parse(readFileSync(report, 'utf8'));
const counts = Object.fromEntries(lanes.map((l) => [l, { passed: 0, skipped: 0, failed: 0 }]));
for (const file of result.testResults) {
  const rel = file.name.replace(`${process.cwd()}/`, '');
  const lane = rel.startsWith('src/')
    ? 'unit'
    : rel.startsWith('test/integration/')
      ? 'integration'
      : rel.startsWith('test/e2e/')
        ? 'e2e'
        : undefined;
  if (!lane) continue;
  for (const t of file.assertionResults) {
    if (t.status === 'passed') counts[lane].passed++;
    else if (t.status === 'failed') counts[lane].failed++;
    else counts[lane].skipped++;
  }
}
let ok = true;
for (const lane of lanes) {
  const c = counts[lane];
  console.log(`lane ${lane.padEnd(12)} passed ${c.passed}  skipped ${c.skipped}  failed ${c.failed}`);
  if (c.passed === 0) {
    console.error(`lane ${lane}: no test passed — a lane that runs nothing is a failure`);
    ok = false;
  }
  if (process.env.PLUMETRACE_REQUIRE_BROWSER === '1' && lane === 'e2e' && c.skipped > 0) {
    console.error('lane e2e: browser tests were skipped but PLUMETRACE_REQUIRE_BROWSER=1');
    ok = false;
  }
}
process.exit(ok ? 0 : 1);
