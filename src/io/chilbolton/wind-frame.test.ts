/**
 * The wind-frame check of README.md, on the real rel02 data: which axis convention of the sonic,
 * and which source, explain what the seven beams saw. Numbers asserted with margins; the README
 * quotes them.
 */
import { describe, expect, it } from 'vitest';
import { readChilboltonRelease, scaleRelease } from './convert.ts';
import {
  applyWindConvention,
  CHILBOLTON_WIND_CONVENTION,
  checkWindFrame,
  type FrameCheckResult,
  WIND_CONVENTION_NAMES,
  windTurbulence,
} from './wind-frame.ts';

const dataDir = new URL('../../../data/chilbolton_ch4_2017/', import.meta.url).pathname;
const files = readChilboltonRelease(dataDir, 'rel02');
const scale = scaleRelease(files.weight, 1)!;
const base = { releaseStartMs: scale.startMs, releaseEndMs: scale.endMs, utcOffsetHours: 1 };
const cache = new Map<string, FrameCheckResult>();
const check = (stability: 'B' | 'C' | 'D'): FrameCheckResult => {
  let r = cache.get(stability);
  if (!r) {
    r = checkWindFrame(files.records, files.geometry, { ...base, stability });
    cache.set(stability, r);
  }
  return r;
};
const WINNER = { convention: 'u=-Y,v=X', source: 'source_1' };
const isWinner = (row: { convention: string; source: string }) =>
  row.convention === WINNER.convention && row.source === WINNER.source;

describe('sonic wind frame of Chilbolton rel02', () => {
  it('has eight distinct axis conventions, each a rotation or reflection', () => {
    const images = WIND_CONVENTION_NAMES.map((c) => applyWindConvention(c, 3, 1).join(','));
    expect(new Set(images).size).toBe(8);
    for (const c of WIND_CONVENTION_NAMES) expect(Math.hypot(...applyWindConvention(c, 3, 4))).toBe(5);
    // WindX = 1 is a wind toward +y (north); WindY = 1 toward −x (west).
    expect(applyWindConvention(CHILBOLTON_WIND_CONVENTION, 1, 0).map((c) => c + 0)).toEqual([0, 1]);
    expect(applyWindConvention(CHILBOLTON_WIND_CONVENTION, 0, 1).map((c) => c + 0)).toEqual([-1, 0]);
  });

  it('was unstable (classes A–C) by the sonic turbulence, whatever the axes', () => {
    const t = windTurbulence(files.records, 1, scale.startMs + 120_000, scale.endMs + 60_000);
    expect(t.samples).toBeGreaterThan(2000);
    // σA ≥ 17.5° → class A or B; σE ≥ 7.8° → class A–C (EPA-454/R-99-005 turbulence criteria).
    expect(t.sigmaThetaDeg).toBeGreaterThan(22);
    expect(t.sigmaThetaDeg).toBeLessThan(29);
    expect(t.sigmaPhiDeg).toBeGreaterThan(9.5);
    expect(t.sigmaPhiDeg).toBeLessThan(12.5);
    expect(t.meanSpeedMps).toBeGreaterThan(2.4);
    expect(t.meanSpeedMps).toBeLessThan(3.0);
  });

  it('uses 19 release minutes, 127 beam-minutes, nearly all of which saw the plume', () => {
    const r = check('B');
    expect(r.minutes.length).toBe(19);
    expect(r.beamMinutes).toBe(127);
    expect(r.observedSeenFraction).toBeGreaterThan(0.97);
    expect(r.backgroundPpm.get(4)).toBeCloseTo(1.9, 2);
    expect(r.backgroundPpm.get(1)).toBeCloseTo(2.13, 2);
  });

  it('centreline crossings (no dispersion model) pick (−Y, X) and source 1 by a wide margin', () => {
    const rows = check('B').rows;
    const winner = rows.find(isWinner)!;
    expect(winner.crossingAgreement).toBeGreaterThan(0.95); // 125 of 127 beam-minutes
    expect(winner.meanBeamsCrossed).toBeGreaterThan(6);
    for (const row of rows) if (!isWinner(row)) expect(row.crossingAgreement).toBeLessThan(0.8);
    const asGiven = Math.max(...rows.filter((r) => r.convention === 'u=X,v=Y').map((r) => r.crossingAgreement));
    expect(asGiven).toBeLessThan(0.76);
  });

  it('a Gaussian plume in class B picks (−Y, X) and source 1 (r ≈ 0.74, next 0.52), at about the true rate', () => {
    const rows = check('B').rows;
    expect(isWinner(rows[0])).toBe(true);
    expect(rows[0].r).toBeGreaterThan(0.65);
    expect(rows[0].r - rows[1].r).toBeGreaterThan(0.15);
    expect(rows[0].fittedRateKgPerHour).toBeGreaterThan(1.0);
    expect(rows[0].fittedRateKgPerHour).toBeLessThan(1.6);
    const asGiven = Math.max(...rows.filter((r) => r.convention === 'u=X,v=Y').map((r) => r.r));
    expect(asGiven).toBeLessThan(0.3);
  });

  it('in class C the same pair still wins, by less (r ≈ 0.50 vs 0.46)', () => {
    const rows = check('C').rows;
    expect(isWinner(rows[0])).toBe(true);
    expect(rows[0].r).toBeGreaterThan(0.45);
    expect(rows[0].r - rows[1].r).toBeGreaterThan(0.02);
    expect(rows[0].fittedRateKgPerHour).toBeGreaterThan(1.0);
    expect(rows[0].fittedRateKgPerHour).toBeLessThan(1.6);
    const asGiven = Math.max(...rows.filter((r) => r.convention === 'u=X,v=Y').map((r) => r.r));
    expect(asGiven).toBeLessThan(0.36);
  });

  it('in class D (neutral, not what the turbulence says) the plume correlation cannot decide', () => {
    const rows = check('D').rows;
    const winner = rows.find(isWinner)!;
    expect(rows[0].r - winner.r).toBeLessThan(0.05);
    expect(rows[0].r).toBeLessThan(0.45);
  });
});
