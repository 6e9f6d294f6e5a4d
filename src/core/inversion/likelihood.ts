/**
 * The forward model of source-term estimation and its marginal likelihood.
 *
 * y_i = b + Σ_k Q_k·K_ik(θ_k) + e_i,   e_i ~ N(0, σ_i² + τ² + (γ·m̂_i)²)
 *
 * K_ik: modelled mole fraction (ppm) at row i per kg/h from source k (mean over a beam's receptors
 * for a path row; the plume at each receptor carried by the wind of its travel time earlier, from the
 * wind track of `prepareObservations`); b: background (ppm); σ_i: stated instrument noise; τ: additive model error;
 * γ: model error proportional to the modelled enhancement m̂_i (the plume is a time-averaged model:
 * instantaneous samples scatter around it, most where the plume is). On top, the wind direction
 * that carried the plume differs from the measured one by an error δ_j shared by all rows of a
 * time block j (a minute): linearised, it adds δ_j·u_i with u_i = Σ_k Q̂_k·∂K_ik/∂φ to the rows of
 * the block, a rank-one term per block in the error covariance, handled exactly by
 * Sherman–Morrison. This keeps the intervals honest when the plume is sharp and the instrument
 * quiet: errors of neighbouring samples are correlated, not independent. The rates and the background
 * enter linearly, so they are integrated out analytically: Gaussian prior on b, half-normal priors
 * on Q_k ≥ 0 whose scale is itself a mixture over decades (1–1,000 kg/h). τ, γ and the
 * per-minute direction error are learned from the data: the likelihood is averaged over a grid of
 * them (uniform weights on each grid). Finally the likelihood is raised to the fraction of rows
 * that carry independent information (`independentFraction`), a coarsened posterior.
 */
import {
  type Terrain,
  averagingTimeFactor,
  draxlerFy,
  plumeWithSigmas,
  transportWindMps,
} from '../dispersion/index.ts';
import { sigmaFamily, sigmaYFor, sigmaZFor, stabilityIndex } from '../dispersion/sigmas.ts';
import {
  backSubstituteTransposed,
  choleskyInPlace,
  choleskyLogDet,
  choleskySolve,
  forwardSubstitute,
} from '../linalg.ts';
import type { StabilityClass } from '../types.ts';
import { normalCdf, normalPdf } from '../normal.ts';
import { kgPerM3ToPpm } from '../units.ts';
import type { PreparedObservations } from './observations.ts';

const LOG_2PI = Math.log(2 * Math.PI);

// Hot-loop functions bound once: a transpiler that turns ESM imports into property reads of a
// module object (tsx, vite-node) would otherwise pay a getter call per receptor.
const sigmaYAt = sigmaYFor;
const sigmaZAt = sigmaZFor;
const fy = draxlerFy;
const plume = plumeWithSigmas;

/** A source position in the local frame, with its release height. */
export interface SourcePosition {
  x: number;
  y: number;
  h: number;
}

export interface KernelContext {
  obs: PreparedObservations;
  stability: StabilityClass;
  terrain: Terrain;
  /** ppm per (kg/m³) at standard conditions, divided by 3600 s/h: turns the kernel into ppm per kg/h. */
  ppmPerKernel: number;
  family: number;
  classIndex: number;
  refHeightM: number;
  /** Per row: sigma_y multiplier for the row's averaging time ((t/600)^0.2; 1 when unknown). */
  avgFactor: Float64Array;
  /** Per row: 1 where the row is a short sample modelled about the wind track (TRACKED_SPREAD_S). */
  tracked: Uint8Array;
  /**
   * Extra widening of the plume (1 = the physical model). The search starts with wide plumes,
   * which smooth the likelihood so the right basin is found, and narrows them step by step.
   */
  syScale: number;
}

/**
 * Averaging time (s) whose plume spread models a sample shorter than a minute taken under a wind
 * track (1-s drone data with the rows' winds): the track follows the meander of minutes, not the
 * meander and turbulence between the anemometer and the plume. The likelihood at the true source of
 * the one-source point records of the suite (seed 2027) was best with the one-minute spread in 35 of
 * 52, with the 200-s one in 13 and with the 10-minute one or wider in 4; the one-minute spread adds
 * phantom second sources in stable air (README, sessions 5–6), 200 s does not (session 9: median
 * location error of point records 32 → 18 m on seed 2026, 36 → 22 m on 2027).
 */
export const TRACKED_SPREAD_S = 200;

export function kernelContext(
  obs: PreparedObservations,
  gas: string,
  stability: StabilityClass,
  terrain: Terrain,
  averagingS: Float64Array | undefined,
  refHeightM = 10,
): KernelContext {
  const avgFactor = new Float64Array(obs.n).fill(1);
  const tracked = new Uint8Array(obs.n);
  if (averagingS) {
    for (let r = 0; r < obs.n; r++) {
      const t = averagingS[obs.rowIndex[r]];
      // Plume spread grows with averaging time as t^0.2 (Turner 1970) around the 10-minute basis of
      // the P–G curves — for rows averaged over a minute or more. Shorter samples (1-s drone data)
      // scatter around the meandering plume: without a wind track about the ensemble-mean one (the
      // 10-minute spread); with one, the track carries the slow meander and the spread is that of a
      // TRACKED_SPREAD_S average about it.
      if (Number.isFinite(t) && t >= 60) avgFactor[r] = averagingTimeFactor(Math.min(t, 600));
      else if (Number.isFinite(t) && obs.windTrack) {
        avgFactor[r] = averagingTimeFactor(TRACKED_SPREAD_S);
        tracked[r] = 1;
      }
    }
  }
  const opts = { stability, terrain };
  return {
    obs,
    stability,
    terrain,
    ppmPerKernel: kgPerM3ToPpm(1, gas) / 3600,
    family: sigmaFamily(opts),
    classIndex: stabilityIndex(stability),
    refHeightM,
    avgFactor,
    tracked,
    syScale: 1,
  };
}

/**
 * Fills out[r] with the modelled mole fraction (ppm) at row r per kg/h emitted at `src`, with the
 * wind turned by deltaRad. Each receptor takes the wind of its travel time earlier from the wind
 * track, when the rows carry wind.
 */
export function kernelRows(
  ctx: KernelContext,
  src: SourcePosition,
  deltaRad: number,
  out: Float64Array,
  dOut?: Float64Array,
): void {
  const { obs, family, classIndex, avgFactor } = ctx;
  const { recStart, rx, ry, rz, rw, windSpeed, windToRad, sigmaThetaRad } = obs;
  // Transport wind = row speed × (height factor), the same factor for every row.
  const hFactor = transportWindMps(1, src.h, ctx.stability, ctx.terrain, ctx.refHeightM);
  const scale = ctx.ppmPerKernel;
  const track = obs.windTrack;
  const cosD = Math.cos(deltaRad);
  const sinD = Math.sin(deltaRad);
  for (let r = 0; r < obs.n; r++) {
    // The row's own wind, turned by δ — used as it is only without a track.
    const rowEx = track ? 0 : Math.sin(windToRad[r] + deltaRad);
    const rowEy = track ? 0 : Math.cos(windToRad[r] + deltaRad);
    const rowU = windSpeed[r] * hFactor;
    const st = sigmaThetaRad[r];
    const af = avgFactor[r] * ctx.syScale;
    let acc = 0;
    let dAcc = 0;
    for (let j = recStart[r], end = recStart[r + 1]; j < end; j++) {
      const dx = rx[j] - src.x;
      const dy = ry[j] - src.y;
      let ex = rowEx;
      let ey = rowEy;
      let u = rowU;
      if (track) {
        // The air here left the source a travel time earlier (its distance from the source at the
        // row's wind speed): the wind of then, turned by δ.
        const g = track.rowStep[r] - Math.round(Math.sqrt(dx * dx + dy * dy) / rowU / track.stepS);
        const k = Math.max(g, 0);
        const ts = track.sin[k];
        const tc = track.cos[k];
        ex = ts * cosD + tc * sinD;
        ey = tc * cosD - ts * sinD;
        u = track.speed[k] * hFactor;
      }
      const down = dx * ex + dy * ey;
      if (down <= 0) continue;
      const cross = dy * ex - dx * ey;
      let sy = sigmaYAt(family, classIndex, down) * af;
      if (st > 0) {
        // Measured direction variability (Draxler 1976): sigma_y = sigma_theta·x·f(travel time).
        const syTheta = st * down * fy(down / u);
        if (syTheta > sy) sy = syTheta;
      }
      if (cross > 7 * sy || cross < -7 * sy) continue;
      const c = rw[j] * plume(sy, sigmaZAt(family, classIndex, down), cross, rz[j], src.h, u);
      acc += c;
      // ∂/∂φ of the wind bearing: the plume swings sideways (the along-wind term is O(σy²/x²) smaller).
      dAcc -= (c * cross * down) / (sy * sy);
    }
    out[r] = acc * scale;
    if (dOut) dOut[r] = dAcc * scale;
  }
}

// ---- marginal likelihood -------------------------------------------------------------------

export interface HyperGrid {
  /** Additive model-error variances τ² (ppm²). */
  tau2: Float64Array;
  /** Relative model-error factors γ. */
  gamma: Float64Array;
  /** Scales of the half-normal rate prior mixture (kg/h). */
  rateScales: Float64Array;
  /** Power of the likelihood (1: plain; below 1: a coarsened posterior for misspecified models). */
  kappa: number;
  /** Robust noise scale of the data (ppm): median absolute successive difference / √2. */
  noiseScalePpm: number;
  /** Background prior mean and sd (ppm). */
  b0: number;
  sb: number;
  /** Variances (rad²) of the per-block error of the wind direction: a grid, learned like τ and γ. */
  blockDirVar: Float64Array;
  /** Per τ: 1/(σ_i² + τ²) and log(σ_i² + τ²) for every row, and their sums (the off-plume baseline). */
  baseW: Float64Array[];
  baseLogV: Float64Array[];
  baseSums: { sw: number; sy: number; syy: number; slogv: number }[];
}

export function hyperGrid(obs: PreparedObservations): HyperGrid {
  const y = obs.y;
  const sorted = Float64Array.from(y).sort();
  const median = sorted[Math.floor(sorted.length / 2)];
  // Noise scale from successive differences within each sensor channel (rows with the same
  // geometry: one beam, or the single moving point sensor), robust: the lower quartile of the absolute
  // differences. Not their median: a record that crosses a plume briefly has about as many
  // differences on the plume as off it, and the median then measures the plume (3–90× the noise on
  // short suite records), which lets the background-only model explain the plume as noise.
  const diffs: number[] = [];
  const last = new Map<string, number>();
  for (let i = 0; i < y.length; i++) {
    const key = obs.channel[i];
    const prev = last.get(key);
    if (prev !== undefined) diffs.push(Math.abs(y[i] - prev));
    last.set(key, y[i]);
  }
  diffs.sort((a, b) => a - b);
  // |d| of N(0, 2σ²): its lower quartile is √2·σ·Φ⁻¹(0.625) = √2·σ·0.31864.
  const q25 = diffs.length > 0 ? diffs[Math.floor((diffs.length - 1) / 4)] : 0;
  const s0 = Math.max(q25 / (0.318639 * Math.SQRT2), 1e-4 * Math.abs(median), 1e-6);
  const tauFactors = [0.2, 1, 5];
  const tau2 = Float64Array.from(tauFactors, (f) => (f * s0) ** 2);
  const baseW: Float64Array[] = [];
  const baseLogV: Float64Array[] = [];
  const baseSums: HyperGrid['baseSums'] = [];
  for (const t2 of tau2) {
    const w = new Float64Array(y.length);
    const lv = new Float64Array(y.length);
    const sums = { sw: 0, sy: 0, syy: 0, slogv: 0 };
    for (let i = 0; i < y.length; i++) {
      const v = obs.instrVar[i] + t2;
      w[i] = 1 / v;
      lv[i] = Math.log(v);
      sums.sw += w[i];
      sums.sy += w[i] * y[i];
      sums.syy += w[i] * y[i] * y[i];
      sums.slogv += lv[i];
    }
    baseW.push(w);
    baseLogV.push(lv);
    baseSums.push(sums);
  }
  return {
    tau2,
    baseW,
    baseLogV,
    baseSums,
    gamma: Float64Array.of(0, 0.3, 1),
    rateScales: Float64Array.of(1, 10, 100, 1000),
    kappa: independentFraction(obs),
    noiseScalePpm: s0,
    b0: median,
    sb: Math.max(10 * s0, 0.05 * Math.abs(median), 1e-3),
    // The direction that carried the plume wanders by a few degrees (stable air, long averages) to
    // twenty and more (convective air); the measurement's own noise over a block adds to it.
    blockDirVar: Float64Array.from(
      [2, 5, 10, 20],
      (deg) => ((deg * Math.PI) / 180) ** 2 + obs.rawDirStdRad ** 2 / Math.max(1, obs.rowsPerBlock),
    ),
  };
}

/** Decorrelation time of the errors of a time-averaged plume model (meander, puffs): about a minute or two. */
export const ERROR_DECORRELATION_S = 60;

/**
 * Fewest independent pieces a sensor channel counts for (or its rows, if fewer). The per-minute
 * count leaves a short record — a drone's single crossing of a plume in 10–60 s — about two pieces
 * (with the 0.1 floor below), which no plume, however clear, can turn into evidence enough to pay for
 * a source's prior volume (position, height, rate): on seed 2026 of the suite, 7 of the 72 clear
 * records under a minute had a single source reported as none and 13 two sources as one or none.
 * Calibrated there (right counts on those records 43/72 with 1 piece, 48 with 4, 52 with 6, 59 with
 * 8, 60 with 10, 58 with 15; longer records unchanged). In the coarsened posterior's terms (Miller &
 * Dunson 2019) a floor on the effective sample size, which their method calibrates as well.
 */
export const MIN_PIECES_PER_CHANNEL = 8;

/**
 * The fraction of rows that carry independent information: each sensor channel contributes one
 * independent piece per ERROR_DECORRELATION_S of its record (at least MIN_PIECES_PER_CHANNEL, at
 * most its rows), and the fraction is at least 0.1. The likelihood is raised to this power (a
 * coarsened posterior, Miller & Dunson 2019), so that correlated model errors are not counted as
 * independent evidence — which would make the intervals far too narrow and add spurious sources.
 */
export function independentFraction(obs: PreparedObservations): number {
  const spans = new Map<string, [number, number, number]>();
  for (let i = 0; i < obs.n; i++) {
    const key = obs.channel[i];
    const sp = spans.get(key);
    if (sp) {
      sp[1] = obs.timeMs[i];
      sp[2]++;
    } else spans.set(key, [obs.timeMs[i], obs.timeMs[i], 1]);
  }
  let pieces = 0;
  for (const [t0, t1, count] of spans.values())
    pieces += Math.min(count, Math.max(MIN_PIECES_PER_CHANNEL, Math.ceil((t1 - t0) / 1000 / ERROR_DECORRELATION_S)));
  return Math.min(1, Math.max(0.1, pieces / obs.n));
}

/** Result of integrating the linear parameters out, over the hyper grid. */
export interface Marginal {
  /** log p(y | positions, δ): the marginal likelihood. */
  logZ: number;
  /** Posterior mean and variance of each rate Q_k (kg/h) and of the background, mixed over the hyper grid. */
  rateMean: Float64Array;
  rateVar: Float64Array;
  backgroundMean: number;
  /** Posterior mean of the relative model-error factor γ (how far the data depart from the mean plume). */
  gammaMean: number;
}

/** Scratch space so the hot loop allocates nothing. */
/** The most simultaneous sources the likelihood handles (the workspace is sized for them). */
export const MAX_SOURCES = 2;

export interface Workspace {
  /** Per hyper-grid component: background and rate moments (scratch for `marginal`). */
  moments: Float64Array;
  /** Per block with a plume: Σwu², Σwuy, then Σwu·x_a for the d design columns. */
  blocks: Float64Array;
  v: Float64Array;
  u: Float64Array;
  /** Per row: its weight 1/variance in the current hyper-grid component. */
  w: Float64Array;
  on: Int32Array;
  comps: Float64Array;
  /** Small dense scratch (up to (MAX_SOURCES+1)² entries each) reused by every `marginal` call. */
  dense: DenseScratch;
}

interface DenseScratch {
  G: Float64Array;
  g: Float64Array;
  Gb: Float64Array;
  gb: Float64Array;
  A: Float64Array;
  L: Float64Array;
  mu: Float64Array;
  rhs: Float64Array;
  Ainv: Float64Array;
  col: Float64Array;
  second: Float64Array;
}

function denseScratch(): DenseScratch {
  const d = MAX_SOURCES + 1;
  const m = () => new Float64Array(d * d);
  const v = () => new Float64Array(d);
  return { G: m(), g: v(), Gb: m(), gb: v(), A: m(), L: m(), mu: v(), rhs: v(), Ainv: m(), col: v(), second: v() };
}

export function workspace(n: number, hyper: HyperGrid): Workspace {
  const comps = hyper.tau2.length * hyper.gamma.length * hyper.blockDirVar.length * hyper.rateScales.length;
  return {
    blocks: new Float64Array(n * (MAX_SOURCES + 3)),
    v: new Float64Array(n),
    u: new Float64Array(n),
    w: new Float64Array(n),
    on: new Int32Array(n),
    comps: new Float64Array(comps),
    dense: denseScratch(),
    // Moments per hyper-grid component, for up to MAX_SOURCES rates and the background.
    moments: new Float64Array(3 * (MAX_SOURCES + 1) * comps),
  };
}

/**
 * Marginal likelihood of K = kernels.length sources (0, 1 or 2) with the rates and background
 * integrated out. `kernels[k][i]`: ppm per kg/h at row i.
 */
export function marginal(
  obs: PreparedObservations,
  hyper: HyperGrid,
  kernels: Float64Array[],
  ws: Workspace,
  derivs?: Float64Array[],
): Marginal {
  const n = obs.n;
  const K = kernels.length;
  const y = obs.y;
  const d = K + 1;
  // Plug-in modelled enhancement for the relative error term: non-negative least squares on rates.
  const qHat = plugInRates(y, kernels);
  const mHat = ws.v;
  const uVec = ws.u;
  const wRow = ws.w;
  const { G, g, Gb, gb, A, L, mu, rhs, Ainv, col } = ws.dense;
  const blockSums = ws.blocks;
  // Rows the plume(s) reach: only they differ from the off-plume baseline sums.
  // A row is on a plume when some kernel there exceeds a millionth of that kernel's maximum; the
  // rest are treated as exactly off-plume (their share of the sums is below rounding).
  const on = ws.on;
  let nOn = 0;
  const floor = new Float64Array(K);
  for (let k = 0; k < K; k++) {
    let mx = 0;
    const kk = kernels[k];
    for (let i = 0; i < n; i++) if (kk[i] > mx) mx = kk[i];
    floor[k] = 1e-6 * mx;
  }
  for (let i = 0; i < n; i++) {
    let m = 0;
    let any = false;
    for (let k = 0; k < K; k++) {
      const kv = kernels[k][i];
      if (kv > floor[k]) any = true;
      m += qHat[k] * kv;
    }
    mHat[i] = m * m;
    if (derivs) {
      let u = 0;
      for (let k = 0; k < K; k++) u += qHat[k] * derivs[k][i];
      uVec[i] = u;
    }
    if (any) on[nOn++] = i;
  }
  const rateMean = new Float64Array(K);
  const rateVar = new Float64Array(K);
  let backgroundMean = 0;
  // Accumulators: G = XᵀWX (d×d, X = [1, K_1.., K_K]), g = XᵀWy, syy, slogv (scratch: d×d of the (MAX_SOURCES+1)² used).
  let maxLog = Number.NEGATIVE_INFINITY;
  let comp = 0;
  const logs = ws.comps;
  const mom = ws.moments;
  for (let ti = 0; ti < hyper.tau2.length; ti++) {
    for (let gi = 0; gi < hyper.gamma.length; gi++) {
      const tau2 = hyper.tau2[ti];
      const gam2 = hyper.gamma[gi] * hyper.gamma[gi];
      G.fill(0);
      g.fill(0);
      const baseSums = hyper.baseSums[ti];
      const bw = hyper.baseW[ti];
      const blv = hyper.baseLogV[ti];
      let syy = baseSums.syy;
      let slogv = baseSums.slogv;
      G[0] = baseSums.sw;
      g[0] = baseSums.sy;
      // Without the relative term (γ = 0) a row's weight is its off-plume one: nothing to correct.
      const relative = gam2 > 0;
      for (let t = 0; t < nOn; t++) {
        const i = on[t];
        const yi = y[i];
        let w = bw[i];
        if (relative) {
          const v = obs.instrVar[i] + tau2 + gam2 * mHat[i];
          w = 1 / v;
          const dw = w - bw[i];
          slogv += Math.log(v) - blv[i];
          syy += dw * yi * yi;
          G[0] += dw;
          g[0] += dw * yi;
        }
        wRow[i] = w;
        for (let a = 0; a < K; a++) {
          const ka = kernels[a][i] * w;
          G[(a + 1) * d] += ka;
          g[a + 1] += ka * yi;
          for (let bb = 0; bb <= a; bb++) G[(a + 1) * d + bb + 1] += ka * kernels[bb][i];
        }
      }
      for (let a = 1; a < d; a++) for (let bb = 0; bb < a; bb++) G[bb * d + a] = G[a * d + bb];
      // Correlated wind-direction error per time block: C_j = W_j⁻¹ + σb²·u_j·u_jᵀ. Sums per block
      // first (they do not depend on σb), then one Sherman–Morrison correction per block and σb.
      let nBlocks = 0;
      if (derivs) {
        let t = 0;
        while (t < nOn) {
          const blk = obs.block[on[t]];
          let suu = 0;
          let suy = 0;
          const o = nBlocks * (d + 2);
          for (let a = 0; a < d; a++) blockSums[o + 2 + a] = 0;
          for (; t < nOn && obs.block[on[t]] === blk; t++) {
            const i = on[t];
            const u = uVec[i];
            if (u === 0) continue;
            const wu = wRow[i] * u;
            suu += wu * u;
            suy += wu * y[i];
            blockSums[o + 2] += wu;
            for (let a = 0; a < K; a++) blockSums[o + 3 + a] += wu * kernels[a][i];
          }
          if (suu > 0) {
            blockSums[o] = suu;
            blockSums[o + 1] = suy;
            nBlocks++;
          }
        }
      }
      for (let bi = 0; bi < hyper.blockDirVar.length; bi++) {
        const sb2 = derivs ? hyper.blockDirVar[bi] : 0;
        Gb.set(G);
        gb.set(g);
        let syyB = syy;
        let slogvB = slogv;
        for (let blk = 0; blk < nBlocks; blk++) {
          const o = blk * (d + 2);
          const suu = blockSums[o];
          const suy = blockSums[o + 1];
          const c = 1 / (1 / sb2 + suu);
          for (let a = 0; a < d; a++) {
            const sa = blockSums[o + 2 + a];
            gb[a] -= c * sa * suy;
            for (let bb = 0; bb < d; bb++) Gb[a * d + bb] -= c * sa * blockSums[o + 2 + bb];
          }
          syyB -= c * suy * suy;
          slogvB += Math.log(1 + sb2 * suu);
        }
        // Power likelihood (coarsened posterior): every data term times kappa.
        const kappa = hyper.kappa;
        if (kappa !== 1) {
          for (let a = 0; a < d * d; a++) Gb[a] *= kappa;
          for (let a = 0; a < d; a++) gb[a] *= kappa;
          syyB *= kappa;
        }
        const base = -0.5 * kappa * (slogvB + n * LOG_2PI);
        for (let si = 0; si < hyper.rateScales.length; si++) {
          const sq = hyper.rateScales[si];
          // Posterior precision A = G + P0⁻¹, rhs = g + P0⁻¹ β0.
          A.set(Gb);
          A[0] += 1 / (hyper.sb * hyper.sb);
          for (let a = 1; a < d; a++) A[a * d + a] += 1 / (sq * sq);
          rhs.set(gb);
          rhs[0] += hyper.b0 / (hyper.sb * hyper.sb);
          const logDetA = factor(A, L, d);
          if (!Number.isFinite(logDetA)) {
            logs[comp++] = Number.NEGATIVE_INFINITY;
            continue;
          }
          forwardSubstitute(L, d, rhs, mu);
          backSubstituteTransposed(L, d, mu, mu);
          inverseFromFactor(L, d, Ainv, col);
          let quad = syyB + (hyper.b0 * hyper.b0) / (hyper.sb * hyper.sb);
          for (let a = 0; a < d; a++) quad -= mu[a] * rhs[a];
          const logDetP0 = Math.log(hyper.sb * hyper.sb) + K * Math.log(sq * sq);
          // Half-normal priors: factor 2 per rate times P(all rates ≥ 0) under the Gaussian posterior.
          const positive = orthantProbability(mu, Ainv, d);
          const lz =
            base - 0.5 * logDetP0 - 0.5 * logDetA - 0.5 * quad + K * Math.LN2 + Math.log(Math.max(positive, 1e-300));
          logs[comp] = lz;
          if (lz > maxLog) maxLog = lz;
          // Moments of the truncated rate posteriors (marginal truncation per rate: a close approximation).
          const o = comp * 3 * (K + 1);
          mom[o] = mu[0];
          for (let a = 0; a < K; a++) {
            const m = mu[a + 1];
            const s = Math.sqrt(Ainv[(a + 1) * d + a + 1]);
            const [tm, tv] = truncatedNormalMoments(m, s);
            mom[o + 3 * (a + 1)] = tm;
            mom[o + 3 * (a + 1) + 1] = tv;
          }
          comp++;
        }
      }
    }
  }
  // Mix over the hyper grid (uniform prior weights).
  let sumW = 0;
  for (let c = 0; c < comp; c++) sumW += Math.exp(logs[c] - maxLog);
  const logZ = maxLog + Math.log(sumW / comp);
  const second = ws.dense.second.fill(0);
  const perGamma = hyper.blockDirVar.length * hyper.rateScales.length;
  let gammaMean = 0;
  for (let c = 0; c < comp; c++) {
    const w = Math.exp(logs[c] - maxLog) / sumW;
    if (w === 0) continue;
    const o = c * 3 * (K + 1);
    backgroundMean += w * mom[o];
    gammaMean += w * hyper.gamma[Math.floor(c / perGamma) % hyper.gamma.length];
    for (let a = 0; a < K; a++) {
      const m = mom[o + 3 * (a + 1)];
      rateMean[a] += w * m;
      second[a] += w * (mom[o + 3 * (a + 1) + 1] + m * m);
    }
  }
  for (let a = 0; a < K; a++) rateVar[a] = Math.max(0, second[a] - rateMean[a] * rateMean[a]);
  return { logZ, rateMean, rateVar, backgroundMean, gammaMean };
}

/** Least-squares rates (with a free background) clamped at zero, for the relative-error plug-in. */
function plugInRates(y: Float64Array, kernels: Float64Array[]): Float64Array {
  const K = kernels.length;
  const q = new Float64Array(K);
  if (K === 0) return q;
  const d = K + 1;
  const G = new Float64Array(d * d);
  const g = new Float64Array(d);
  for (let i = 0; i < y.length; i++) {
    G[0] += 1;
    g[0] += y[i];
    for (let a = 0; a < K; a++) {
      const ka = kernels[a][i];
      G[(a + 1) * d] += ka;
      g[a + 1] += ka * y[i];
      for (let b = 0; b <= a; b++) G[(a + 1) * d + b + 1] += ka * kernels[b][i];
    }
  }
  for (let a = 1; a < d; a++) for (let b = 0; b < a; b++) G[b * d + a] = G[a * d + b];
  for (let a = 0; a < d; a++) G[a * d + a] *= 1 + 1e-9;
  const L = new Float64Array(d * d);
  const x = new Float64Array(d);
  if (!Number.isFinite(factor(G, L, d))) return q;
  x.set(choleskySolve(L, d, g));
  for (let a = 0; a < K; a++) q[a] = Math.max(0, x[a + 1]);
  return q;
}

/** Cholesky of the d×d SPD matrix A into L (A untouched); log det A, or NaN when A is not SPD. */
function factor(A: Float64Array, L: Float64Array, d: number): number {
  L.set(A);
  return choleskyInPlace(L, d) ? choleskyLogDet(L, d) : Number.NaN;
}

/** (L·Lᵀ)⁻¹ from the Cholesky factor, into `out` (d×d); `col`: scratch of length ≥ d. */
function inverseFromFactor(L: Float64Array, d: number, out: Float64Array, col: Float64Array): void {
  for (let j = 0; j < d; j++) {
    col.fill(0);
    col[j] = 1;
    forwardSubstitute(L, d, col, col);
    backSubstituteTransposed(L, d, col, col);
    for (let i = 0; i < d; i++) out[i * d + j] = col[i];
  }
}

/** Mean and variance of N(m, s²) truncated to [0, ∞). */
export function truncatedNormalMoments(m: number, s: number): [number, number] {
  if (!(s > 0)) return [Math.max(m, 0), 0];
  const a = -m / s;
  const Z = 1 - normalCdf(a);
  if (Z < 1e-12) return [Math.max(s * 1e-3, 0), s * s * 1e-6];
  const lam = normalPdf(a) / Z;
  return [m + s * lam, s * s * Math.max(0, 1 + a * lam - lam * lam)];
}

/**
 * P(all rates ≥ 0) under the Gaussian posterior N(mu, Σ) of (b, Q_1..Q_K): Φ for one rate; for two,
 * P(Q1 ≥ 0, Q2 ≥ 0) by integrating Φ of the conditional over Q1 (64-point rule).
 */
function orthantProbability(mu: Float64Array, S: Float64Array, d: number): number {
  const K = d - 1;
  if (K === 0) return 1;
  const m1 = mu[1];
  const s11 = S[d + 1];
  if (K === 1) return normalCdf(m1 / Math.sqrt(s11));
  const m2 = mu[2];
  const s22 = S[2 * d + 2];
  const s12 = S[d + 2];
  const sd1 = Math.sqrt(s11);
  const z1 = m1 / sd1;
  const z2 = m2 / Math.sqrt(s22);
  if (z1 > 7 && z2 > 7) return 1;
  if (z1 < -9 || z2 < -9) return 0;
  const condVar = Math.max(s22 - (s12 * s12) / s11, 1e-300);
  const lo = Math.max(0, m1 - 8 * sd1);
  const hi = Math.max(lo, m1 + 8 * sd1);
  if (hi <= lo) return 0;
  const steps = 32;
  const h = (hi - lo) / steps;
  let p = 0;
  for (let k = 0; k <= steps; k++) {
    const q1 = lo + k * h;
    const w = k === 0 || k === steps ? 0.5 : 1;
    const condMean = m2 + (s12 / s11) * (q1 - m1);
    p += w * (normalPdf((q1 - m1) / sd1) / sd1) * normalCdf(condMean / Math.sqrt(condVar));
  }
  return p * h;
}
