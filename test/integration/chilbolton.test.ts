/**
 * Real-data validation of the source locator: the Chilbolton 2017 controlled methane release
 * (rel02; Hirst et al. 2020, CC-BY), 7 open-path beams. The converter's CSV (1-minute means per
 * beam) is cut to the release window the weigh scale gives, then `plumetrace locate` runs on it as
 * a user would. The data point to source 1 (src/io/chilbolton/README.md); the estimate is compared
 * with the nearest of the four listed sources.
 *
 * Bounds: the targets — within 10 m of a true source and the rate within a factor of 1.5 of
 * that source's listed rate. Measured: 3.7 m from source 1, 1.09 kg/h against 1.36 (factor 1.25,
 * low; 90% interval 0.80–1.43), with each beam's plume carried by the wind of its travel time
 * earlier. σA over 15 minutes is 23° (class A by the EPA σA table, the prior 0.75 A / 0.25 B; the
 * posterior 0.94 A); with class B alone the rate is 1.04 (factor 1.31). One source at probability
 * 0.69, two at 0.31 as reported (calibrated; the posterior gives 0.89 and 0.11): the count is the
 * thinner margin. See the README's validation section.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { distanceM } from '../../src/core/geo/local-frame.ts';
import { convertChilboltonRelease } from '../../src/io/chilbolton/convert.ts';

const root = new URL('../..', import.meta.url).pathname;

it('Chilbolton rel02: locate finds the release within 10 m of source 1 and its rate within a factor of 1.5', () => {
  const { csv, truth } = convertChilboltonRelease(join(root, 'data/chilbolton_ch4_2017'), 'rel02');
  const [header, ...rows] = csv.trim().split('\n');
  const t0 = Date.parse(truth.releaseWindow.start);
  const t1 = Date.parse(truth.releaseWindow.end);
  const inRelease = rows.filter((r) => {
    const t = Date.parse(r.slice(0, r.indexOf(',')));
    return t >= t0 && t <= t1;
  });
  expect(inRelease.length).toBeGreaterThan(100);
  const dir = mkdtempSync(join(tmpdir(), 'plumetrace-chilbolton-'));
  const file = join(dir, 'rel02.csv');
  writeFileSync(file, `${[header, ...inRelease].join('\n')}\n`);
  const out = join(dir, 'rel02.json');
  // The release points are 0.3 m above ground: a height prior up to 1 m says what an analyst knows.
  const r = spawnSync(
    process.execPath,
    [join(root, 'bin/plumetrace.js'), 'locate', file, '--height-max', '1', '--json', out],
    {
      encoding: 'utf8',
      env: { ...process.env, PLUMETRACE_NO_PROGRESS: '1' },
    },
  );
  expect(r.status, r.stderr).toBe(0);
  const result = JSON.parse(readFileSync(out, 'utf8'));
  expect(result.sources.length).toBeGreaterThanOrEqual(1);
  const [s] = result.sources;
  const nearest = truth.sources
    .map((t) => ({ ...t, d: distanceM(s.lat, s.lon, t.lat, t.lon) }))
    .sort((a, b) => a.d - b.d)[0];
  const factor = Math.max(s.rateKgPerHour / nearest.rateKgPerHour, nearest.rateKgPerHour / s.rateKgPerHour);
  process.stdout.write(
    `Chilbolton rel02: nearest ${nearest.name} at ${nearest.d.toFixed(1)} m, rate ${s.rateKgPerHour.toFixed(2)} kg/h (90% ${s.rateKgPerHourCi90.map((v: number) => v.toFixed(2)).join('–')}) vs ${nearest.rateKgPerHour} kg/h, factor ${factor.toFixed(2)}; P(one) ${result.sourceCountProbabilities['1'].toFixed(2)}, P(two) ${result.sourceCountProbabilities['2'].toFixed(2)}\n`,
  );
  expect(nearest.name).toBe('source_1');
  expect(nearest.d).toBeLessThan(10);
  expect(factor).toBeLessThan(1.5);
  // The interval is honest: it holds the listed rate.
  expect(s.rateKgPerHourCi90[0]).toBeLessThanOrEqual(nearest.rateKgPerHour);
  expect(s.rateKgPerHourCi90[1]).toBeGreaterThanOrEqual(nearest.rateKgPerHour);
});
