/**
 * Implanted-plume suite of the SWIR methane detection (issue 6): plumes of 100–5,000 kg/h in winds
 * of 1–8 m/s implanted into the real Jasper Ridge AVIRIS background (100 × 100 and mirror-tiled
 * 150 × 150 scenes, 5 m pixels), detected with the chain of `plumetrace detect` and compared with the
 * baseline "CMF > 500 ppm·m, then a 3×3 opening" in the same run (src/sim/swir/suite.ts). Prints JSON.
 *
 *   node --import tsx bench/swir-suite.ts [plumes=50] [plumeFree=20] [seed=1]
 *   node --import tsx bench/swir-suite.ts calibrate [plumes=150] [seed=7]
 *
 * `calibrate` fits U_eff = a + b·U10 (Varon et al. 2018) on detected plumes, with the true wind: the
 * numbers of SMOOTHED_MASK_5M_UEFF_CALIBRATION in src/core/spectral/ime.ts came from
 * `calibrate 150 7`; the suite and its test use other seeds.
 */
import { join } from 'node:path';
import { SMOOTHED_MASK_5M_UEFF_CALIBRATION } from '../src/core/spectral/index.ts';
import { readMag1cLut } from '../src/io/lut/read.ts';
import { DEFAULT_DATA_DIR, f1Score, fitUeffCalibration, loadSwirInputs, runSwirSuite } from '../src/sim/swir/index.ts';

const args = process.argv.slice(2);
const calibrate = args[0] === 'calibrate';
const nums = (calibrate ? args.slice(1) : args).map(Number);
const table = await readMag1cLut(join(DEFAULT_DATA_DIR, 'detection/mag1c_ch4.lut'));
const inputs = await loadSwirInputs('jasper', table);
const t0 = performance.now();
const WIND_REL_SIGMA = 0.2;

if (calibrate) {
  const [plumes = 150, seed = 7] = nums;
  const r = runSwirSuite(inputs, {
    plumes,
    plumeFree: 10,
    seed,
    pixelSizeM: 5,
    sizes: [100, 150],
    windRelSigma: 0,
    calibration: { aMps: 0, b: 1 },
    calibrationRelSigma: 0,
  });
  const fit = fitUeffCalibration(r.cases);
  const fitAllDetected = fitUeffCalibration(r.cases, false);
  process.stdout.write(
    `${JSON.stringify({ benchmark: 'swir-ueff-calibration', plumes, seed, pixelSizeM: 5, ...fit, fitAllDetected, wallS: Math.round((performance.now() - t0) / 1000) }, null, 2)}\n`,
  );
} else {
  const [plumes = 50, plumeFree = 20, seed = 1] = nums;
  const cal = SMOOTHED_MASK_5M_UEFF_CALIBRATION;
  const r = runSwirSuite(inputs, {
    plumes,
    plumeFree,
    seed,
    pixelSizeM: 5,
    sizes: [100, 150],
    windRelSigma: WIND_REL_SIGMA,
    calibration: cal,
    calibrationRelSigma: cal.relSigma,
  });
  const above = r.cases.filter((c) => c.rateKgPerHour >= c.detectionLimitKgPerHour);
  const frac = (f: (c: (typeof above)[number]) => boolean) =>
    Number((above.filter(f).length / Math.max(1, above.length)).toFixed(3));
  process.stdout.write(
    `${JSON.stringify(
      {
        benchmark: 'swir-suite',
        plumes,
        plumeFreeTiles: plumeFree,
        seed,
        pixelSizeM: 5,
        pixelF1: Number(f1Score(r.ours).toFixed(3)),
        baselinePixelF1: Number(f1Score(r.baseline).toFixed(3)),
        f1Ratio: Number((f1Score(r.ours) / f1Score(r.baseline)).toFixed(2)),
        plumeFreeTilesWithAPlume: r.plumeFreeTilesWithAPlume / plumeFree,
        baselinePlumeFreeTilesWithAPlume: r.baselinePlumeFreeTilesWithAPlume / plumeFree,
        cmfNoiseSigmaPpmM: Math.round(r.cmfNoiseSigmaPpmM),
        seedNoiseSigmaPpmM: Math.round(r.seedNoiseSigmaPpmM),
        detectionLimitKgPerHourAt3Mps: Math.round(
          r.cases.length ? (r.cases[0].detectionLimitKgPerHour / r.cases[0].windSpeedMps) * 3 : 0,
        ),
        detectedPlumes: r.cases.filter((c) => c.detected).length,
        plumesAboveDetectionLimit: above.length,
        detectedAboveLimit: frac((c) => c.detected),
        rateWithin50Percent: frac((c) => c.detected && Math.abs(c.estimateKgPerHour / c.rateKgPerHour - 1) <= 0.5),
        rateWithin1Sigma: frac(
          (c) => c.detected && Math.abs(c.estimateKgPerHour - c.rateKgPerHour) <= c.sigmaKgPerHour,
        ),
        rateWithin2Sigma: frac(
          (c) => c.detected && Math.abs(c.estimateKgPerHour - c.rateKgPerHour) <= 2 * c.sigmaKgPerHour,
        ),
        wallS: Math.round((performance.now() - t0) / 1000),
      },
      null,
      2,
    )}\n`,
  );
}
