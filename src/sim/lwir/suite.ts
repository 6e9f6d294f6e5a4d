/**
 * The seeded scene suite of the LWIR detection and identification (issue 5), shared by
 * test/integration/lwir-suite.test.ts and any experiment, so both measure the same thing. Pure:
 * the simulator inputs and the gases come in.
 *
 * Scenes, in this order: `plumeFree` plume-free, `mixtures` two-gas and `singles` one-gas scenes,
 * each from `drawLwirScenario(seed·10000 + i, drawGases, …)` (i from 0, 1000 and 2000 by kind) with the kind forced (the draw's
 * fractions set to 0 or 1), so the counts are exact. Each drawn gas's peak optical depth at its
 * strongest channel is log-uniform in [minPeakDepth, maxPeakDepth] (peak column = depth / its
 * largest channel absorbance); contrast ±2–10 K; one of the real atmospheres per scene.
 *
 * Detection runs with `candidates` (typically every quantitative library gas, not only the drawn
 * ones), told the scene's atmosphere (τ, L↑ on the channels) and the true gas temperature, nothing
 * of the surface. The scene's answer is the largest plume's gases.
 *
 * Noise-equivalent column: NEC_g = (t_gᵀΣ⁻¹t_g)^−½ (the matched filter's per-pixel 1σ, from the
 * measured background covariance Σ of the scene, as `detectLwirGases` reports it in `necPpmM`). A
 * plume counts as above the detection limit when the peak column of every one of its gases is at
 * least `snrMin` × that gas's NEC in the scene.
 */

import { applyChannelResponse, interpolateToGrid } from '../../core/spectral/lwir-channels.ts';
import {
  channelAbsorbance,
  detectLwirGases,
  type LwirDetectGas,
  type LwirDetectOptions,
  type LwirDetectResult,
} from '../../core/spectral/lwir-detect.ts';
import type { GasAbsorbance } from '../../core/spectral/lwir-types.ts';
import { drawLwirScenario } from './scenarios.ts';
import { type LwirInputs, type LwirScene, simulateLwirScene } from './scene.ts';

/**
 * The twelve quantitative NIST gases (file stems in data/gas/nist_ir_jcamp, decadic absorbance per
 * ppm·m) with bands in the HyTES window that the LWIR suites draw their plumes from.
 */
export const LWIR_SUITE_GASES: readonly string[] = [
  'sulphur_hexafluoride',
  'acetone',
  'isopropyl_alcohol',
  'tetrachloroethene',
  'ethyl_acetate',
  '2-butanone',
  'chloroform',
  'dichloromethane',
  '1,4-dimethylbenzene',
  '1,1,1-trichloroethane',
  'acrylonitrile',
  '1,1-dichloroethene',
];

export interface LwirSuiteOptions {
  seed: number;
  plumeFree: number;
  mixtures: number;
  singles: number;
  lines: number;
  samples: number;
  /** Peak optical depth (decadic, at the gas's strongest channel) range. Default 0.02–0.3. */
  minPeakDepth?: number;
  maxPeakDepth?: number;
  /**
   * Multiplies the drawn puff σ along and across (drawLwirScenario draws 8–25% and 4–10% of the
   * scene's size). Default 1.
   */
  plumeSizeScale?: number;
  /** Above the detection limit: every gas's peak column ≥ snrMin · NEC. Default 5. */
  snrMin?: number;
  detect?: LwirDetectOptions;
  /** Called after each scene (progress). */
  onCase?: (c: LwirSuiteCase) => void;
}

export interface LwirSuiteCase {
  seed: number;
  kind: 'free' | 'single' | 'mixture';
  truth: string[];
  peakColumnPpmM: number[];
  /** NEC of each true gas in this scene as the detector reports it (scene-mean contrast), ppm·m. */
  necPpmM: number[];
  /** Robust spread of each true gas's column over the background (the z-score's unit), ppm·m. */
  robustSigmaPpmM: number[];
  /** Largest |z| of the scene over all gases and pixels. */
  maxAbsZ: number;
  /** Contrast T_g − T̄_s, K. */
  contrastK: number | null;
  aboveLimit: boolean;
  plumes: number;
  /** Gases of the largest plume, best first. */
  found: string[];
  foundColumnPpmM: number[];
  /** Confidence of each gas in `found` (same order), 0–1. */
  foundConfidence: number[];
  /** Correlation area of the largest plume's evidence (best vs second model), pixels; NaN without a plume or with it off. */
  correlationAreaPx: number;
  /** Per true gas: |estimated column| / true mean column over the plume's pixels (NaN if not reported). */
  columnRatio: number[];
}

export interface LwirSuiteSummary {
  cases: LwirSuiteCase[];
  singles: { above: number; rightFirst: number; alone: number };
  mixtures: { above: number; both: number; oneRightFirst: number };
  free: { scenes: number; alarms: number };
  /** Ratios of correctly named gases (singles and mixtures above the limit). */
  columnRatios: number[];
  /** Median NEC per drawn gas over the scenes, ppm·m. */
  necByGas: Map<string, number>;
}

/** The scene's atmosphere (τ, L↑) on its channels. */
export function atmosphereOnChannels(
  scene: LwirScene,
  inputs: LwirInputs,
): { transmittance: Float64Array; pathRadiance: Float64Array } {
  const atm = inputs.atmospheres[scene.truth.atmosphereIndex];
  const on = (a: Float64Array) =>
    applyChannelResponse(scene.response, interpolateToGrid(atm.wavenumberCm1, a, scene.gridCm1)) as Float64Array;
  return { transmittance: on(atm.transmittance), pathRadiance: on(atm.pathRadiance) };
}

function median(v: number[]): number {
  const s = [...v].sort((a, b) => a - b);
  const n = s.length;
  if (n === 0) return Number.NaN;
  return n % 2 ? s[(n - 1) / 2] : 0.5 * (s[n / 2 - 1] + s[n / 2]);
}

export function runLwirSuite(
  inputs: LwirInputs,
  drawGases: readonly GasAbsorbance[],
  candidates: readonly GasAbsorbance[],
  o: LwirSuiteOptions,
): LwirSuiteSummary {
  const lo = o.minPeakDepth ?? 0.02;
  const hi = o.maxPeakDepth ?? 0.3;
  const snrMin = o.snrMin ?? 5;
  const peakAbs = new Map<string, number>();
  for (const g of drawGases) peakAbs.set(g.name, Math.max(...channelAbsorbance(g, inputs.channels)));
  const cases: LwirSuiteCase[] = [];
  const necSeen = new Map<string, number[]>();
  const candidatesOn = new Map<string, LwirDetectGas[]>();
  const kinds: LwirSuiteCase['kind'][] = [
    ...Array<'free'>(o.plumeFree).fill('free'),
    ...Array<'mixture'>(o.mixtures).fill('mixture'),
    ...Array<'single'>(o.singles).fill('single'),
  ];
  kinds.forEach((kind, i) => {
    // Seeds by kind (free 0–999, mixtures 1000–1999, singles 2000–…), so the counts of one kind
    // leave the scenes of the others unchanged.
    const offset = kind === 'free' ? 0 : kind === 'mixture' ? 1000 - o.plumeFree : 2000 - o.plumeFree - o.mixtures;
    const seed = o.seed * 10000 + offset + i;
    const drawn = drawLwirScenario(seed, drawGases, {
      atmosphereCount: inputs.atmospheres.length,
      lines: o.lines,
      samples: o.samples,
      plumeFreeFraction: kind === 'free' ? 1 : 0,
      mixtureFraction: kind === 'mixture' ? 1 : 0,
      minPeakPpmM: lo,
      maxPeakPpmM: hi,
      peakScale: (g) => 1 / (peakAbs.get(g.name) as number),
    });
    const k = o.plumeSizeScale ?? 1;
    const opts = drawn.plume
      ? {
          ...drawn,
          plume: {
            ...drawn.plume,
            sigmaAlongPx: drawn.plume.sigmaAlongPx * k,
            sigmaAcrossPx: drawn.plume.sigmaAcrossPx * k,
          },
        }
      : drawn;
    const scene = simulateLwirScene(opts, inputs);
    const key = `${scene.bands}:${scene.centerCm1[0]}`;
    let cand = candidatesOn.get(key);
    if (!cand) {
      const ch = { centerCm1: scene.centerCm1, fwhmCm1: scene.fwhmCm1 };
      cand = candidates.map((g) => ({ name: g.name, cas: g.cas, absorbancePerPpmM: channelAbsorbance(g, ch) }));
      candidatesOn.set(key, cand);
    }
    const gasT = scene.truth.gasTemperatureK;
    const res: LwirDetectResult = detectLwirGases(
      {
        radiance: scene.radiance,
        lines: scene.lines,
        samples: scene.samples,
        bands: scene.bands,
        centerCm1: scene.centerCm1,
        gases: cand,
        ...atmosphereOnChannels(scene, inputs),
      },
      { ...o.detect, gasTemperatureK: Number.isFinite(gasT) ? gasT : undefined },
    );
    const truth = scene.truth.gases.map((g) => g.name);
    const nec = truth.map((n) => res.gases.find((x) => x.name === n)?.necPpmM ?? Number.NaN);
    const robust = truth.map((n) => res.gases.find((x) => x.name === n)?.robustSigmaPpmM ?? Number.NaN);
    let maxAbsZ = 0;
    for (const g of res.gases) for (const v of g.z) maxAbsZ = Math.max(maxAbsZ, Math.abs(v));
    const peaks = scene.truth.gases.map((g) => g.peakColumnPpmM);
    truth.forEach((n, j) => {
      const list = necSeen.get(n) ?? [];
      list.push(nec[j]);
      necSeen.set(n, list);
    });
    const top = [...res.plumes].sort((a, b) => b.pixelCount - a.pixelCount)[0];
    const found = top ? top.gases.map((g) => g.name) : [];
    const columnRatio = truth.map((n, j) => {
      const hit = top?.gases.find((g) => g.name === n);
      if (!hit) return Number.NaN;
      let s = 0;
      for (const p of top.pixels) s += scene.truth.columnPpmM[j][p];
      return Math.abs(hit.columnPpmM) / (s / top.pixels.length);
    });
    const c: LwirSuiteCase = {
      seed,
      kind,
      truth,
      peakColumnPpmM: peaks,
      necPpmM: nec,
      robustSigmaPpmM: robust,
      maxAbsZ,
      contrastK: scene.truth.contrastK,
      aboveLimit: kind !== 'free' && peaks.every((p, j) => p >= snrMin * nec[j]),
      plumes: res.plumes.length,
      found,
      foundColumnPpmM: top ? top.gases.map((g) => g.columnPpmM) : [],
      foundConfidence: top ? top.gases.map((g) => g.confidence) : [],
      correlationAreaPx: top?.correlationAreaPx ?? Number.NaN,
      columnRatio,
    };
    cases.push(c);
    o.onCase?.(c);
  });
  const singles = { above: 0, rightFirst: 0, alone: 0 };
  const mixtures = { above: 0, both: 0, oneRightFirst: 0 };
  const free = { scenes: 0, alarms: 0 };
  const columnRatios: number[] = [];
  for (const c of cases) {
    if (c.kind === 'free') {
      free.scenes++;
      if (c.plumes > 0) free.alarms++;
      continue;
    }
    if (!c.aboveLimit) continue;
    for (const r of c.columnRatio) if (Number.isFinite(r)) columnRatios.push(r);
    if (c.kind === 'single') {
      singles.above++;
      if (c.found[0] === c.truth[0]) {
        singles.rightFirst++;
        if (c.found.length === 1) singles.alone++;
      }
    } else {
      mixtures.above++;
      if (c.found.length === 2 && c.truth.every((n) => c.found.includes(n))) mixtures.both++;
      if (c.truth.includes(c.found[0])) mixtures.oneRightFirst++;
    }
  }
  const necByGas = new Map<string, number>();
  for (const [n, v] of necSeen) necByGas.set(n, median(v));
  return { cases, singles, mixtures, free, columnRatios, necByGas };
}

/**
 * Several suite runs (e.g. one per seed) as one: counts summed, cases and column ratios joined, the
 * NEC per gas the median of the runs' medians.
 */
export function poolLwirSuites(runs: readonly LwirSuiteSummary[]): LwirSuiteSummary {
  const sum = <T extends Record<string, number>>(pick: (r: LwirSuiteSummary) => T): T => {
    const out = { ...pick(runs[0]) };
    for (const r of runs.slice(1)) for (const k of Object.keys(out) as (keyof T)[]) (out[k] as number) += pick(r)[k];
    return out;
  };
  const nec = new Map<string, number[]>();
  for (const r of runs) for (const [n, v] of r.necByGas) nec.set(n, [...(nec.get(n) ?? []), v]);
  return {
    cases: runs.flatMap((r) => r.cases),
    singles: sum((r) => r.singles),
    mixtures: sum((r) => r.mixtures),
    free: sum((r) => r.free),
    columnRatios: runs.flatMap((r) => r.columnRatios),
    necByGas: new Map([...nec].map(([n, v]) => [n, median(v)])),
  };
}

/** One bin of a reliability diagram. */
export interface LwirReliabilityBin {
  /** Confidence range [lo, hi) (the last bin includes 1). */
  lo: number;
  hi: number;
  count: number;
  meanConfidence: number;
  /** Share of the bin's first gases that are right. */
  fractionRight: number;
}

export interface LwirCalibration {
  /** Reported gases scored (first: one per scene whose largest plume names a gas). */
  count: number;
  right: number;
  bins: LwirReliabilityBin[];
  /** Mean of (confidence − right)², right ∈ {0, 1}. */
  brier: number;
  /** Expected calibration error: Σ_bins (count/total)·|mean confidence − fraction right|. */
  ece: number;
  meanConfidenceRight: number;
  meanConfidenceWrong: number;
}

/**
 * Calibration of the reported confidences: over the cases whose largest plume names a gas (all
 * kinds: a plume-free scene's alarm is a wrong first gas) and that `include` keeps, the first gas
 * (`which` 'first') or every reported gas ('every') is right when it is one of the true gases.
 * Reliability bins of equal width (`bins`, default 10) over
 * [0, 1], Brier score and expected calibration error (ECE).
 */
export function lwirCalibration(
  cases: readonly LwirSuiteCase[],
  bins = 10,
  include: (c: LwirSuiteCase) => boolean = () => true,
  which: 'first' | 'every' = 'first',
): LwirCalibration {
  if (!Number.isInteger(bins) || bins < 1) throw new RangeError(`bins ${bins} must be an integer >= 1`);
  const used: { p: number; y: number }[] = [];
  for (const c of cases) {
    if (!include(c)) continue;
    const gases = which === 'first' ? c.found.slice(0, 1) : c.found;
    gases.forEach((g, i) => {
      used.push({ p: c.foundConfidence[i], y: c.truth.includes(g) ? 1 : 0 });
    });
  }
  const acc = Array.from({ length: bins }, () => ({ count: 0, conf: 0, right: 0 }));
  let brier = 0;
  let right = 0;
  let confRight = 0;
  let confWrong = 0;
  for (const { p, y } of used) {
    const b = acc[Math.min(bins - 1, Math.floor(p * bins))];
    b.count++;
    b.conf += p;
    b.right += y;
    brier += (p - y) ** 2;
    right += y;
    if (y) confRight += p;
    else confWrong += p;
  }
  const n = used.length;
  let ece = 0;
  const out: LwirReliabilityBin[] = acc.map((b, i) => {
    const meanConfidence = b.count ? b.conf / b.count : Number.NaN;
    const fractionRight = b.count ? b.right / b.count : Number.NaN;
    if (b.count) ece += (b.count / n) * Math.abs(meanConfidence - fractionRight);
    return { lo: i / bins, hi: (i + 1) / bins, count: b.count, meanConfidence, fractionRight };
  });
  return {
    count: n,
    right,
    bins: out,
    brier: n ? brier / n : Number.NaN,
    ece: n ? ece : Number.NaN,
    meanConfidenceRight: right ? confRight / right : Number.NaN,
    meanConfidenceWrong: n - right ? confWrong / (n - right) : Number.NaN,
  };
}
