/**
 * Issue 6, done-when criteria of the SWIR methane chain on implanted plumes over BOTH shipped AVIRIS
 * backgrounds, our method and the baseline computed in the same run (src/sim/swir/suite.ts; the same
 * numbers as `node --import tsx bench/swir-suite.ts 200 15 3`, which prints them per scene and pooled):
 *  - 200 plumes of 100–5,000 kg/h in winds of 1–8 m/s in each of Jasper Ridge (seed 3; 100 × 100 and
 *    mirror-tiled 150 × 150) and Moffett Field (seed 103; its 50 × 50 cube mirror-tiled to 100 × 100
 *    and 150 × 150; beyond ≈ 2.26 µm its reflectance is a non-negative ECOSTRESS mixture fitted on
 *    its measured SWIR, so the CH4 window's clutter there is the library's, src/sim/swir/README.md),
 *    5 m pixels: pixel F1 of our masks ≥ 1.5× the baseline's "CMF > 500 ppm·m, then a 3×3 opening",
 *    pooled and per scene;
 *  - ≤ 10% of 15 plume-free tiles of each background report a plume (pooled and per scene);
 *  - above the stated detection limit (suite.ts `detectionLimitKgPerHour`, from the plume map's
 *    seed noise around each source, so dark ground raises it): the rate within ±50% for ≥ 80% of
 *    the plumes pooled (Jasper alone too; Moffett alone measures ≈ 0.7 and is not asserted), and
 *    σ_Q covering the truth about as often as it claims (1σ: 68%, 2σ: 95%, pooled).
 * U_eff: SMOOTHED_MASK_5M_UEFF_CALIBRATION and the detection-limit margin were fitted on seeds 7 and
 * 107; this test runs seeds 3 and 103. The wind given to the quantification carries a 20% error,
 * declared as its σ.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { SMOOTHED_MASK_5M_UEFF_CALIBRATION } from '../../src/core/spectral/ime.ts';
import { readMag1cLut } from '../../src/io/lut/read.ts';
import { DEFAULT_CH4_LUT } from '../../src/pipeline/imaging.ts';
import { loadSwirInputs, type SwirBackgroundName } from '../../src/sim/swir/load.ts';
import {
  runSwirSuite,
  type SwirSuiteResult,
  type SwirSuiteSummary,
  summarizeSwirSuite,
} from '../../src/sim/swir/suite.ts';

// 200 plumes per scene: ≈ 85 above the detection limit pooled, enough for the binomial checks of σ_Q.
const PLUMES = 200;
const PLUME_FREE = 15;
const SCENES: readonly [SwirBackgroundName, number][] = [
  ['jasper', 3],
  ['moffett', 103],
];
const results: Record<string, SwirSuiteResult> = {};
const summary: Record<string, SwirSuiteSummary> = {};

beforeAll(async () => {
  const table = await readMag1cLut(DEFAULT_CH4_LUT);
  const cal = SMOOTHED_MASK_5M_UEFF_CALIBRATION;
  for (const [scene, seed] of SCENES) {
    results[scene] = runSwirSuite(await loadSwirInputs(scene, table), {
      plumes: PLUMES,
      plumeFree: PLUME_FREE,
      seed,
      pixelSizeM: 5,
      sizes: [100, 150],
      windRelSigma: 0.2,
      calibration: cal,
      calibrationRelSigma: cal.relSigma,
    });
    summary[scene] = summarizeSwirSuite([results[scene]]);
  }
  summary.pooled = summarizeSwirSuite(Object.values(results));
  for (const [k, s] of Object.entries(summary)) {
    const f = (v: number) => v.toFixed(2);
    process.stdout.write(
      `swir suite ${k}: F1 ${f(s.pixelF1)} vs ${f(s.baselinePixelF1)}, plume-free with a plume ${f(s.plumeFreeTilesWithAPlume)}, ` +
        `${s.plumesAboveDetectionLimit} above the limit (${s.ratedAboveLimit} rated): detected ${f(s.detectedAboveLimit)}, ` +
        `±50% ${f(s.rateWithin50Percent)}, 1σ ${f(s.rateWithin1Sigma)}, 2σ ${f(s.rateWithin2Sigma)}, p95 |err|/σ ${f(s.p95AbsErrorOverSigma)}\n`,
    );
  }
}, 600_000);

describe('SWIR implanted-plume suite (Jasper Ridge seed 3, Moffett Field seed 103, 5 m pixels)', () => {
  it('runs 200 plumes of 100–5,000 kg/h in 1–8 m/s winds on each background', () => {
    for (const [scene] of SCENES) {
      const r = results[scene];
      expect(r.cases).toHaveLength(PLUMES);
      for (const c of r.cases) {
        expect(c.background).toBe(scene);
        expect(c.rateKgPerHour).toBeGreaterThanOrEqual(100);
        expect(c.rateKgPerHour).toBeLessThanOrEqual(5000);
        expect(c.windSpeedMps).toBeGreaterThanOrEqual(1);
        expect(c.windSpeedMps).toBeLessThanOrEqual(8);
      }
      expect(r.ours.tp + r.ours.fn).toBeGreaterThan(0);
    }
  });

  it('pixel F1 of the masks is at least 1.5× the baseline’s, pooled and on each background', () => {
    for (const k of ['pooled', 'jasper', 'moffett']) {
      const s = summary[k];
      expect(s.baselinePixelF1, k).toBeGreaterThan(0);
      expect(s.f1Ratio, `${k}: F1 ${s.pixelF1.toFixed(3)} vs ${s.baselinePixelF1.toFixed(3)}`).toBeGreaterThanOrEqual(
        1.5,
      );
    }
  });

  it('at most 10% of the plume-free tiles of each background report a plume', () => {
    for (const k of ['pooled', 'jasper', 'moffett']) {
      expect(summary[k].plumeFreeTilesWithAPlume, k).toBeLessThanOrEqual(0.1);
    }
  });

  it('rates within ±50% for ≥ 80% of the plumes above the detection limit, σ_Q calibrated (pooled)', () => {
    const s = summary.pooled;
    const msg = `${s.plumesAboveDetectionLimit} above the limit, ${s.ratedAboveLimit} rated: ±50% ${s.rateWithin50Percent.toFixed(2)}, 1σ ${s.rateWithin1Sigma.toFixed(2)}, 2σ ${s.rateWithin2Sigma.toFixed(2)}`;
    // Both backgrounds contribute: the limit follows each source's local noise.
    expect(summary.jasper.plumesAboveDetectionLimit).toBeGreaterThanOrEqual(15);
    expect(summary.moffett.plumesAboveDetectionLimit).toBeGreaterThanOrEqual(15);
    expect(s.rateWithin50Percent, msg).toBeGreaterThanOrEqual(0.8);
    expect(summary.jasper.rateWithin50Percent, 'jasper').toBeGreaterThanOrEqual(0.8);
    // σ_Q is a claim about the rates that were estimated: the detected plumes above the limit.
    const n = s.ratedAboveLimit;
    expect(n).toBeGreaterThanOrEqual(50);
    // About as often as claimed: within two binomial standard errors of 68.3% and 95.4% for n plumes.
    const se = (p: number) => Math.sqrt((p * (1 - p)) / n);
    expect(Math.abs(s.rateWithin1Sigma - 0.683), msg).toBeLessThanOrEqual(2 * se(0.683));
    expect(s.rateWithin2Sigma, msg).toBeGreaterThanOrEqual(0.954 - 2 * se(0.954));
  });
});
