/**
 * LWIR multi-gas detection, identification and column estimation. Pure: typed
 * arrays in, typed arrays and plain objects out, no Node APIs.
 *
 * 1. Targets. The linearised forward model (lwir-forward.ts) gives, per channel k and gas g,
 *
 *      t_g(k) = ∂L/∂(c·l)_g = τ(k)·(B(ν_k, T_g) − L_s(k))·ln10·A_g(k)     µW/(cm² sr cm⁻¹) per ppm·m
 *
 *    with A_g decadic absorbance per ppm·m on the channels (channelAbsorbance). Approximation: one
 *    clutter background per scene. L_s is the scene-mean surface-leaving radiance, recovered from
 *    the mean at-sensor radiance of the background pixels as (L̄ − L↑)/τ when τ and L↑ on the
 *    channels are given (otherwise τ = 1, L↑ = 0: the at-sensor radiance stands for L_s). The gas
 *    temperature is either given (`gasTemperatureK`) or the background's brightness temperature
 *    T_b(ν_k, L_s(k)) plus an assumed contrast `contrastK` (default +5 K). The sign of the contrast
 *    is not known from the data: a negative column means the gas is seen with the opposite sign to
 *    the one assumed (absorption instead of emission, or the reverse), so columns may be negative
 *    and their magnitude scales as 1/|contrast|. Per-pixel departures of the surface temperature
 *    from the scene mean change the true contrast pixel by pixel; this version ignores them.
 *
 * 2. Detectors. Background mean μ and covariance S of the scene with diagonal loading
 *    Σ = S + λ·mean(diag S)·I (λ = `loading`, default 1e-6: the scene has many more pixels than
 *    channels, so S is already well conditioned; loading a large share of the clutter variance
 *    would drown the sensor-noise floor), re-estimated over up to `passes` (5) passes: each later
 *    pass leaves out (a) the pixels whose largest |z| over the gases ever exceeded `excludeZ` (3),
 *    (b) those whose largest two-gas subspace statistic ever exceeded `pairExcludeZ`, both grown by
 *    `excludeDilatePx` (1), and (c) the `rxFraction` (5%) of pixels with the largest two-gas
 *    statistic (`trimBy: 'pairZ'`; 'rx': the largest Mahalanobis distance, which in 252 channels
 *    hardly sees a plume already inside Σ), whatever its level; at most `maxExcludedFraction`
 *    (25%) of the scene (then the strongest |z| first, ungrown); it stops when the set no longer
 *    changes. Why (b): a plume inside Σ is whitened away along its own direction (Sherman–Morrison:
 *    its response shrinks by 1/(1 + s²·dᵀB⁻¹d)); for one gas that direction is the gas's target, so
 *    its own |z| keeps ≈ 1/√(plume share) and (a) catches it, but a mixture's direction is no single
 *    target and every single-gas |z| collapses. The two-gas GLRT over span{t_i, t_j}, in robust z
 *    units √[(z_i² + z_j² − 2ρ z_i z_j)/(1 − ρ²)] (ρ the whitened targets' correlation), responds to
 *    a mix of i and j as a single gas does to its own target. Its threshold (default
 *    defaultPairExcludeZ(G)) is the Bonferroni χ²₂ level over the G(G−1)/2 pairs for 1% of the
 *    background pixels; (c) trims the pixels nearest a mixture even while Σ still hides them under
 *    that level, so the next pass sees them better. With `excludeSmoothPx` = r > 0 the two-gas
 *    statistic of (b) and (c) is computed on z maps box-averaged over (2r+1)² pixels (and
 *    renormalised): a plume is coherent, the noise is not, so a large mixture already inside Σ
 *    stands out (default 0: on the tuning seed r = 1 named one more plume right and raised one
 *    more plume-free alarm, 1/20). Per gas the clutter matched filter gives the column
 *      α_p = tᵀΣ⁻¹(x_p − μ) / tᵀΣ⁻¹t   (ppm·m),   its noise-equivalent column NEC = (tᵀΣ⁻¹t)^(−½),
 *    and ACE_p = (tᵀΣ⁻¹(x_p − μ))² / (tᵀΣ⁻¹t · (x_p − μ)ᵀΣ⁻¹(x_p − μ)) ∈ [0, 1]. The z-score is
 *    α_p divided by a robust spread of α over the background pixels (1.4826·MAD), which holds the
 *    false-alarm rate where the clutter is not Gaussian; |z| because the sign is unknown.
 *
 * 3. Masks. Hysteresis on |z|: seeds at ≥ `seedZ`, grown through 8-connected pixels at ≥ `growZ`,
 *    components under `minPixels` dropped; one mask per gas, and the plumes are the components of
 *    the union (max over the gases of |z|).
 *
 * 4. Identification, per plume (`identify: 'pixels'`, the default; comparePixelModels). Models: no
 *    gas, each single gas, each pair among the `topK` (3) best singles, and the best single with
 *    every other gas (a mixture's weaker gas can rank anywhere alone). Evidence of a model = the sum
 *    over the plume's n pixels of its per-pixel statistic in robust z units (z_g² for one gas, the
 *    two-gas GLRT above for a pair), each pixel fitting its own columns, so the whitening by the
 *    clutter covariance (which the plume-mean spectrum would lose: the clutter under a plume does
 *    not average away) holds pixel by pixel. Score = evidence − `penalty`·k·n·ln N (k gases, N
 *    channels: a BIC-like charge per fitted column); a pair whose two columns have opposite signs is
 *    refused (one gas temperature, one sign of the contrast). Confidence of a gas = the posterior
 *    probability of the models that contain it. The softmax of score/2 (equal priors) gave the best
 *    model ≈ 1 nearly always, wrong ones included: it counts the n pixels as independent, correctly
 *    modelled observations, while neighbouring pixels' residuals are correlated (texture, clutter)
 *    and the linearised targets are only approximately right. So (`correlationWindowPx` R > 0, the
 *    default 3) the posterior comes from a spatial Vuong test (correlatedModelPosteriors): model
 *    m's deficit Δ_m = Σ_p d_p against the best has the spatial-HAC variance A_m·Σ_p (d_p − d̄)²
 *    (A_m the correlation area of the d field within R pixels: n/A_m independent pixels), z_m =
 *    Δ_m/√V_m, odds of m against the best Φ(−z_m)/Φ(z_m). The ranking (`bic`) is unchanged; R = 0
 *    gives the softmax. Columns of each model:
 *    least squares of the whitened plume-mean spectrum ȳ = L⁻¹(x̄ − b̄) (Σ = L·Lᵀ; b̄ the mean of the
 *    local background ring, the pixels within `ringPx` (3) of the plume in no plume and under growZ,
 *    μ when fewer than 2·minPixels) on that model's gases, with targets from the plume's own mean
 *    radiance (`contrastFrom: 'plume'`: the thermal contrast against the surface under the plume;
 *    the gas changes that mean only to second order): the mean column over the plume's pixels,
 *    ppm·m. `identify: 'mean'` keeps the first version's model choice (BIC = N·ln(RSS/N) +
 *    penalty·k·ln N on ȳ, topK pairs), which lost plumes whose surface differs from their ring.
 *
 * Bad input (sizes, non-finite values, gases without signal) raises PT_ERR_SPECTRAL_INPUT naming
 * what is wrong.
 */

import { PlumetraceError } from '../errors.ts';
import { choleskyInPlace, forwardSubstitute } from '../linalg.ts';
import { applyChannelResponse, channelResponse, gasAbsorbanceOnGrid } from './lwir-channels.ts';
import { brightnessTemperature, LN10, planckRadiance } from './lwir-forward.ts';
import type { GasAbsorbance, LwirChannels } from './lwir-types.ts';
import { logNormalCdf } from '../normal.ts';

export const LWIR_DETECT_ALGORITHM_VERSION = 'lwir-detect-cmf-ace-pixel-glrt/3';

/** A candidate gas with its decadic absorbance per ppm·m on the cube's channels. */
export interface LwirDetectGas {
  readonly name: string;
  readonly cas: string;
  /** One value per band of the cube. */
  readonly absorbancePerPpmM: Float64Array;
}

export interface LwirDetectInput {
  /** Band-interleaved-by-pixel radiance, µW/(cm² sr cm⁻¹), lines·samples·bands values. */
  readonly radiance: Float32Array | Float64Array;
  readonly lines: number;
  readonly samples: number;
  readonly bands: number;
  /** Channel centres, cm⁻¹, one per band. */
  readonly centerCm1: ArrayLike<number>;
  readonly gases: readonly LwirDetectGas[];
  /** τ_atm per band (ground to sensor); default 1. */
  readonly transmittance?: ArrayLike<number>;
  /** L↑ per band; default 0. */
  readonly pathRadiance?: ArrayLike<number>;
}

export interface LwirDetectOptions {
  /** Absolute gas temperature, K (overrides contrastK). */
  gasTemperatureK?: number;
  /** Assumed gas − background brightness temperature, K, when gasTemperatureK is absent. Default 5. */
  contrastK?: number;
  /** Diagonal loading λ (share of the mean variance). Default 1e-6. */
  loading?: number;
  /** Later passes exclude pixels with max |z| above this. Default 3. */
  excludeZ?: number;
  /** At most this share of the pixels is excluded. Default 0.25. */
  maxExcludedFraction?: number;
  /** Hysteresis seeds. Default 6. */
  seedZ?: number;
  /** Hysteresis growth. Default 3. */
  growZ?: number;
  /** Smallest component kept, pixels. Default 6. */
  minPixels?: number;
  /** Pixels never used for the background statistics (1 = left out), e.g. known sources. */
  excludeMask?: Uint8Array;
  /** Later passes also exclude this share of the pixels with the largest Mahalanobis distance. Default 0.05. */
  rxFraction?: number;
  /** Excluded pixels are grown by this many pixels (8-connected). Default 1. */
  excludeDilatePx?: number;
  /** Background passes (1: no exclusion). Default 4. */
  passes?: number;
  /** Width of the local background ring around a plume for identification, pixels. Default 3. */
  ringPx?: number;
  /** Pairs are formed among the best `topK` single gases. Default 3. */
  topK?: number;
  /** Multiplies the BIC penalty k·ln N. Default 1. */
  penalty?: number;
  /**
   * Later passes also exclude pixels whose largest two-gas subspace statistic (in robust z units)
   * exceeds this; 0 turns it off. Default: defaultPairExcludeZ(number of gases).
   */
  pairExcludeZ?: number;
  /** The two-gas statistic of the exclusion on z maps box-averaged over this radius (0: per pixel). Default 0. */
  excludeSmoothPx?: number;
  /** The `rxFraction` share left out: largest Mahalanobis distance ('rx') or largest two-gas statistic ('pairZ'). Default 'pairZ'. */
  trimBy?: 'rx' | 'pairZ';
  /** Local thermal contrast of the identification targets from the plume's own mean radiance or its ring. Default 'plume'. */
  contrastFrom?: 'plume' | 'ring';
  /** 'mean': fit the plume's mean spectrum; 'pixels': sum the per-pixel evidence. Default 'pixels'. */
  identify?: 'mean' | 'pixels';
  /** Identify against the plume's local background ring (true) or the scene background. Default true. */
  localBackground?: boolean;
  /** Equal prior per model class (none, one gas, two gases) instead of per model. Default false. */
  classPrior?: boolean;
  /**
   * Identify 'pixels': half-width R of the window over which the per-pixel evidence is taken as
   * spatially correlated when turning it into confidences (correlationArea); 0 treats the pixels as
   * independent. Default DEFAULT_CORRELATION_WINDOW_PX.
   */
  correlationWindowPx?: number;
}

export interface LwirGasIdentification {
  name: string;
  cas: string;
  /** Posterior probability of the models that contain this gas (0–1). */
  confidence: number;
  /** Mean column over the plume's pixels, ppm·m (sign: see the module comment). */
  columnPpmM: number;
}

export interface LwirModelScore {
  /** Gas indices of the model (empty: no gas). */
  gases: number[];
  columnsPpmM: number[];
  /** Lower is better: the BIC (identify 'mean') or −(evidence − penalty) (identify 'pixels'). */
  bic: number;
  posterior: number;
  /**
   * Identify 'pixels' with `correlationWindowPx` > 0: correlation area A of this model's per-pixel
   * evidence deficit d against the best model (1 for the best); its posterior uses
   * z = Δbic/√(A·Σ(d − d̄)²) (correlatedModelPosteriors).
   */
  correlationAreaPx?: number;
}

export interface LwirPlume {
  /** 1-based label in `plumeLabels`. */
  id: number;
  pixelCount: number;
  /** Pixel indices (line·samples + sample). */
  pixels: Int32Array;
  /** Largest |z| over the gases and the plume's pixels. */
  maxAbsZ: number;
  /** Pixels of the local background ring (0 or few: the scene mean was used). */
  localBackgroundPixels: number;
  /** Gases of the best model, best first; empty when the best model is "no gas". */
  gases: LwirGasIdentification[];
  /** Every model compared, best (lowest BIC) first. */
  models: LwirModelScore[];
  /** Correlation area (pixels) of the evidence of the best model against the second; n/A independent pixels. */
  correlationAreaPx?: number;
}

export interface LwirGasMaps {
  name: string;
  cas: string;
  /** Matched-filter column per pixel, ppm·m. */
  columnPpmM: Float32Array;
  /** Column divided by its robust background spread. */
  z: Float32Array;
  ace: Float32Array;
  /** 1 inside this gas's plume mask. */
  mask: Uint8Array;
  /** Noise-equivalent column from the covariance, (tᵀΣ⁻¹t)^(−½), ppm·m. */
  necPpmM: number;
  /** Robust spread (1.4826·MAD) of the column over the background pixels, ppm·m. */
  robustSigmaPpmM: number;
  /** The target t_g, per band, µW/(cm² sr cm⁻¹) per ppm·m. */
  target: Float64Array;
}

export interface LwirDetectResult {
  gases: LwirGasMaps[];
  /** 0 outside any plume, else the plume's id. */
  plumeLabels: Int32Array;
  plumes: LwirPlume[];
  /** Pixels left out of the second-pass background statistics. */
  excludedPixels: number;
  /** Background brightness temperature per band, K (from the scene mean). */
  backgroundBrightnessK: Float64Array;
  algorithmVersion: string;
}

function bad(detail: string): never {
  throw new PlumetraceError('PT_ERR_SPECTRAL_INPUT', detail);
}

/**
 * A gas's decadic absorbance per ppm·m on sensor channels: the cell mean on a fine grid (step
 * `stepCm1`, default 0.25 cm⁻¹) convolved with each channel's Gaussian response. 0 where the gas's
 * spectrum has no data.
 */
export function channelAbsorbance(gas: GasAbsorbance, channels: LwirChannels, stepCm1 = 0.25): Float64Array {
  const n = channels.centerCm1.length;
  if (n < 1) bad('no channels');
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  let minF = Number.POSITIVE_INFINITY;
  for (let k = 0; k < n; k++) {
    const c = channels.centerCm1[k];
    const f = channels.fwhmCm1[k];
    if (!(c > 0) || !(f > 0) || !Number.isFinite(c) || !Number.isFinite(f)) {
      bad(`channel ${k}: centre ${c} cm-1 and FWHM ${f} cm-1 must be finite and > 0`);
    }
    lo = Math.min(lo, c - 2 * f);
    hi = Math.max(hi, c + 2 * f);
    minF = Math.min(minF, f);
  }
  const step = Math.min(stepCm1, minF / 2);
  const m = Math.floor((hi - lo) / step) + 1;
  const grid = Float64Array.from({ length: m }, (_, i) => lo + i * step);
  const r = channelResponse(grid, channels);
  if (r.kept.length !== n) bad('internal: a channel fell outside its own grid');
  const fine = gasAbsorbanceOnGrid(gas, grid);
  for (let i = 0; i < m; i++) if (!Number.isFinite(fine[i])) fine[i] = 0;
  const out = applyChannelResponse(r, fine) as Float64Array;
  return out;
}

function checkInput(input: LwirDetectInput): void {
  const { lines, samples, bands } = input;
  for (const [k, v] of [
    ['lines', lines],
    ['samples', samples],
    ['bands', bands],
  ] as const) {
    if (!Number.isInteger(v) || v < 1) bad(`${k} must be a positive integer (got ${v})`);
  }
  if (input.radiance.length !== lines * samples * bands) {
    bad(`radiance has ${input.radiance.length} values for ${lines} × ${samples} × ${bands}`);
  }
  if (lines * samples < 2 * bands) {
    bad(`${lines * samples} pixels are too few to estimate a ${bands}-band covariance (need at least ${2 * bands})`);
  }
  if (input.centerCm1.length !== bands) bad(`centerCm1 has ${input.centerCm1.length} values for ${bands} bands`);
  if (input.gases.length < 1) bad('no candidate gases');
  for (const g of input.gases) {
    if (g.absorbancePerPpmM.length !== bands) {
      bad(`gas "${g.name}" has ${g.absorbancePerPpmM.length} absorbances for ${bands} bands`);
    }
    let any = false;
    for (let k = 0; k < bands; k++) {
      const a = g.absorbancePerPpmM[k];
      if (!Number.isFinite(a)) bad(`gas "${g.name}": absorbance of band ${k} is not finite`);
      if (a !== 0) any = true;
    }
    if (!any) bad(`gas "${g.name}" has no absorbance on the cube's channels`);
  }
  for (const [k, a] of [
    ['transmittance', input.transmittance],
    ['pathRadiance', input.pathRadiance],
  ] as const) {
    if (a === undefined) continue;
    if (a.length !== bands) bad(`${k} has ${a.length} values for ${bands} bands`);
    for (let i = 0; i < bands; i++) if (!Number.isFinite(a[i])) bad(`${k} of band ${i} is not finite`);
  }
  if (input.transmittance) {
    for (let i = 0; i < bands; i++) {
      if (!(input.transmittance[i] > 0)) bad(`transmittance of band ${i} must be > 0`);
    }
  }
  for (let i = 0; i < input.radiance.length; i++) {
    if (!Number.isFinite(input.radiance[i])) bad(`radiance value ${i} (pixel ${Math.floor(i / bands)}) is not finite`);
  }
}

/** Mean and loaded covariance of the pixels with use[p] = 1; returns the Cholesky factor L of Σ. */
function backgroundCholesky(
  x: Float32Array | Float64Array,
  npx: number,
  nb: number,
  use: Uint8Array,
  loading: number,
): { mean: Float64Array; chol: Float64Array } {
  const mean = new Float64Array(nb);
  let n = 0;
  for (let p = 0; p < npx; p++) {
    if (!use[p]) continue;
    n++;
    const o = p * nb;
    for (let k = 0; k < nb; k++) mean[k] += x[o + k];
  }
  for (let k = 0; k < nb; k++) mean[k] /= n;
  const cov = new Float64Array(nb * nb);
  const d = new Float64Array(nb);
  for (let p = 0; p < npx; p++) {
    if (!use[p]) continue;
    const o = p * nb;
    for (let k = 0; k < nb; k++) d[k] = x[o + k] - mean[k];
    for (let i = 0; i < nb; i++) {
      const di = d[i];
      const r = i * nb;
      for (let j = 0; j <= i; j++) cov[r + j] += di * d[j];
    }
  }
  let tr = 0;
  for (let i = 0; i < nb; i++) tr += cov[i * nb + i];
  const load = (loading * tr) / nb / (n - 1);
  for (let i = 0; i < nb; i++) {
    for (let j = 0; j <= i; j++) cov[i * nb + j] /= n - 1;
    cov[i * nb + i] += load;
  }
  if (!choleskyInPlace(cov, nb)) {
    bad('the background covariance is not positive definite (constant or duplicated bands?); raise the loading');
  }
  return { mean, chol: cov };
}

/** Binary dilation by r pixels (square neighbourhood). */
function dilate(m: Uint8Array, lines: number, samples: number, r: number): Uint8Array {
  if (r <= 0) return Uint8Array.from(m);
  const out = new Uint8Array(m.length);
  for (let l = 0; l < lines; l++) {
    for (let s = 0; s < samples; s++) {
      if (!m[l * samples + s]) continue;
      for (let ll = Math.max(0, l - r); ll <= Math.min(lines - 1, l + r); ll++) {
        for (let ss = Math.max(0, s - r); ss <= Math.min(samples - 1, s + r); ss++) out[ll * samples + ss] = 1;
      }
    }
  }
  return out;
}

function median(a: Float64Array): number {
  const s = Float64Array.from(a).sort();
  const n = s.length;
  return n % 2 ? s[(n - 1) / 2] : 0.5 * (s[n / 2 - 1] + s[n / 2]);
}

/** Hysteresis on `score` (seeds ≥ seed, growth ≥ grow, 8-connected), components ≥ minPixels. Labels 1…. */
function hysteresisLabels(
  score: Float32Array,
  lines: number,
  samples: number,
  seed: number,
  grow: number,
  minPixels: number,
): { labels: Int32Array; components: Int32Array[] } {
  const npx = lines * samples;
  const labels = new Int32Array(npx);
  const seen = new Uint8Array(npx);
  const components: Int32Array[] = [];
  const stack: number[] = [];
  for (let p0 = 0; p0 < npx; p0++) {
    if (seen[p0] || !(score[p0] >= grow)) continue;
    // Flood fill the ≥ grow component, then keep it if it has a seed and enough pixels.
    const comp: number[] = [];
    let hasSeed = false;
    stack.push(p0);
    seen[p0] = 1;
    while (stack.length) {
      const p = stack.pop() as number;
      comp.push(p);
      if (score[p] >= seed) hasSeed = true;
      const l = Math.floor(p / samples);
      const s = p - l * samples;
      for (let dl = -1; dl <= 1; dl++) {
        const ll = l + dl;
        if (ll < 0 || ll >= lines) continue;
        for (let ds = -1; ds <= 1; ds++) {
          const ss = s + ds;
          if (ss < 0 || ss >= samples) continue;
          const q = ll * samples + ss;
          if (!seen[q] && score[q] >= grow) {
            seen[q] = 1;
            stack.push(q);
          }
        }
      }
    }
    if (hasSeed && comp.length >= minPixels) {
      comp.sort((a, b) => a - b);
      components.push(Int32Array.from(comp));
      const id = components.length;
      for (const p of comp) labels[p] = id;
    }
  }
  return { labels, components };
}

/**
 * Model comparison on a whitened spectrum: `gram` (G×G, tᵢᵀtⱼ of the whitened targets), `b`
 * (tᵢᵀȳ), `yy` = ȳᵀȳ, N channels. Returns the models, best first, with posteriors.
 */
export function compareGasModels(
  gram: Float64Array,
  b: Float64Array,
  yy: number,
  nChannels: number,
  topK = 3,
  penalty = 1,
  classPrior = false,
): LwirModelScore[] {
  const G = b.length;
  const N = nChannels;
  const floor = yy * 1e-12 + Number.MIN_VALUE;
  // Equal prior per model class (no gas, one gas, two gases), shared among the class's models:
  // −2 ln prior adds 2 ln(G) to a single and 2 ln(G(G−1)/2) to a pair (ranks within a class unchanged).
  const classPenalty = (k: number) =>
    k === 0 ? 0 : k === 1 ? 2 * Math.log(G) : 2 * Math.log(Math.max(1, (G * (G - 1)) / 2));
  const bic = (rss: number, k: number) =>
    N * Math.log(Math.max(rss, floor) / N) + penalty * k * Math.log(N) + (classPrior ? classPenalty(k) : 0);
  const models: LwirModelScore[] = [{ gases: [], columnsPpmM: [], bic: bic(yy, 0), posterior: 0 }];
  const singles: LwirModelScore[] = [];
  for (let g = 0; g < G; g++) {
    const a = b[g] / gram[g * G + g];
    singles.push({ gases: [g], columnsPpmM: [a], bic: bic(yy - a * b[g], 1), posterior: 0 });
  }
  models.push(...singles);
  for (const [gi, gj] of gasPairs(singles, topK)) {
    {
      const a11 = gram[gi * G + gi];
      const a22 = gram[gj * G + gj];
      const a12 = gram[gi * G + gj];
      const det = a11 * a22 - a12 * a12;
      if (!(det > 1e-12 * a11 * a22)) continue; // the two targets are (nearly) collinear
      const ci = (a22 * b[gi] - a12 * b[gj]) / det;
      const cj = (a11 * b[gj] - a12 * b[gi]) / det;
      if (ci * cj <= 0) continue; // one temperature: both columns share the contrast's sign
      const pair = [gi, gj].sort((x, y) => x - y);
      const cols = pair[0] === gi ? [ci, cj] : [cj, ci];
      models.push({ gases: pair, columnsPpmM: cols, bic: bic(yy - ci * b[gi] - cj * b[gj], 2), posterior: 0 });
    }
  }
  return rankModels(models);
}

/**
 * Default threshold of the pair statistic for the background exclusion: under the null each pair's
 * statistic is χ²₂, P(χ²₂ > z²) = exp(−z²/2); over the G(G−1)/2 pairs (Bonferroni) a background
 * pixel is left out with probability ≤ PAIR_EXCLUDE_FALSE_RATE.
 */
export const PAIR_EXCLUDE_FALSE_RATE = 0.01;
export function defaultPairExcludeZ(gasCount: number): number {
  const pairs = Math.max(1, (gasCount * (gasCount - 1)) / 2);
  return Math.sqrt(2 * Math.log(pairs / PAIR_EXCLUDE_FALSE_RATE));
}

/**
 * A z map averaged over the (2r+1)² box around each pixel (clipped at the edges), divided by the
 * robust spread (1.4826·MAD) of the averaged values over the background pixels (use = 1): a plume
 * is spatially coherent, the noise is not, so its averaged z stands further out.
 */
function smoothedZ(z: Float32Array, lines: number, samples: number, r: number, use: Uint8Array): Float32Array {
  const out = new Float32Array(z.length);
  for (let l = 0; l < lines; l++) {
    for (let s = 0; s < samples; s++) {
      let acc = 0;
      let n = 0;
      for (let ll = Math.max(0, l - r); ll <= Math.min(lines - 1, l + r); ll++) {
        for (let ss = Math.max(0, s - r); ss <= Math.min(samples - 1, s + r); ss++) {
          acc += z[ll * samples + ss];
          n++;
        }
      }
      out[l * samples + s] = acc / n;
    }
  }
  const bg: number[] = [];
  for (let p = 0; p < out.length; p++) if (use[p]) bg.push(out[p]);
  const v = Float64Array.from(bg);
  const med = median(v);
  for (let i = 0; i < v.length; i++) v[i] = Math.abs(v[i] - med);
  const sd = 1.4826 * median(v);
  if (sd > 0) for (let p = 0; p < out.length; p++) out[p] = (out[p] - med) / sd;
  return out;
}

/**
 * Per pixel, the largest over all gas pairs (i, j) of the two-gas subspace GLRT in robust z units:
 * √[(z_i² + z_j² − 2ρ z_i z_j)/(1 − ρ²)], ρ the correlation of the two whitened targets. A pixel
 * whose spectrum is a mix of i and j scores like a single gas does on its own target, even where
 * each single-gas z is small.
 */
function maxPairZ(zs: readonly Float32Array[], whitened: readonly Float64Array[], npx: number): Float32Array {
  const G = zs.length;
  const nb = whitened[0].length;
  const norm = whitened.map((tw) => Math.sqrt(tw.reduce((s, v) => s + v * v, 0)));
  const pi: number[] = [];
  const pj: number[] = [];
  const rho: number[] = [];
  for (let i = 0; i < G; i++) {
    for (let j = i + 1; j < G; j++) {
      let s = 0;
      for (let k = 0; k < nb; k++) s += whitened[i][k] * whitened[j][k];
      const r = s / (norm[i] * norm[j]);
      if (!(1 - r * r > 1e-6)) continue; // (nearly) collinear: the pair is one direction
      pi.push(i);
      pj.push(j);
      rho.push(r);
    }
  }
  const out = new Float32Array(npx);
  const z = new Float64Array(G);
  for (let p = 0; p < npx; p++) {
    for (let g = 0; g < G; g++) z[g] = zs[g][p];
    let best = 0;
    for (let m = 0; m < rho.length; m++) {
      const a = z[pi[m]];
      const b = z[pj[m]];
      const r = rho[m];
      const v = (a * a + b * b - 2 * r * a * b) / (1 - r * r);
      if (v > best) best = v;
    }
    out[p] = Math.sqrt(best);
  }
  return out;
}

/**
 * Model comparison on the plume's pixels: the evidence of a model is the sum over the plume's pixels
 * of its per-pixel subspace statistic in robust z units (single gas: z_g²; pair: the two-gas GLRT,
 * see maxPairZ), each pixel fitting its own columns. Score = evidence − penalty·k·n·ln N (k gases,
 * n pixels, N channels: each pixel's k columns count as parameters, BIC-like); reported as
 * `bic` = −score. Columns: the mean over the pixels of the per-pixel fit.
 */
export function comparePixelModels(
  pix: Int32Array,
  zs: readonly Float32Array[],
  columns: readonly Float32Array[],
  rho: Float64Array,
  nChannels: number,
  topK = 3,
  penalty = 1,
): LwirModelScore[] {
  const G = zs.length;
  const n = pix.length;
  const per = penalty * n * Math.log(nChannels);
  const models: LwirModelScore[] = [{ gases: [], columnsPpmM: [], bic: 0, posterior: 0 }];
  const singles: LwirModelScore[] = [];
  for (let g = 0; g < G; g++) {
    let e = 0;
    let col = 0;
    for (const p of pix) {
      e += zs[g][p] * zs[g][p];
      col += columns[g][p];
    }
    singles.push({ gases: [g], columnsPpmM: [col / n], bic: -(e - per), posterior: 0 });
  }
  models.push(...singles);
  for (const [gi, gj] of gasPairs(singles, topK)) {
    const r = rho[gi * G + gj];
    const den = 1 - r * r;
    if (!(den > 1e-6)) continue;
    let e = 0;
    let ci = 0;
    let cj = 0;
    for (const p of pix) {
      const a = zs[gi][p];
      const b = zs[gj][p];
      e += (a * a + b * b - 2 * r * a * b) / den;
      // Per-pixel columns of the pair: in z units, [a; b] = R·[u; v] with u, v the columns in
      // robust-σ units (R the correlation matrix), so u = (a − r·b)/den.
      const u = (a - r * b) / den;
      const v = (b - r * a) / den;
      ci += u * (columns[gi][p] / (zs[gi][p] || 1));
      cj += v * (columns[gj][p] / (zs[gj][p] || 1));
    }
    if (ci * cj <= 0) continue;
    const pair = [gi, gj].sort((x, y) => x - y);
    const cols = pair[0] === gi ? [ci / n, cj / n] : [cj / n, ci / n];
    models.push({ gases: pair, columnsPpmM: cols, bic: -(e - 2 * per), posterior: 0 });
  }
  return rankModels(models);
}

/**
 * Per-pixel statistic of a model in robust z units (see comparePixelModels): 0 for no gas, z_g² for
 * one gas, the two-gas GLRT (z_i² + z_j² − 2ρ z_i z_j)/(1 − ρ²) for a pair (ρ from `rho`, G×G).
 */
export function pixelModelStatistic(
  gases: readonly number[],
  zs: readonly Float32Array[],
  rho: Float64Array,
  p: number,
): number {
  if (gases.length === 0) return 0;
  const a = zs[gases[0]][p];
  if (gases.length === 1) return a * a;
  const b = zs[gases[1]][p];
  const r = rho[gases[0] * zs.length + gases[1]];
  return (a * a + b * b - 2 * r * a * b) / (1 - r * r);
}

/**
 * Correlation area (pixels) of a field over a set of pixels: the spatial HAC (heteroskedasticity-
 * and autocorrelation-consistent, Conley 1999) variance of its sum divided by the variance it would
 * have with independent pixels,
 *
 *   A = Σ_p Σ_q w(q − p)·c_p·c_q / Σ_p c_p²,   c = v − mean(v) over the set,
 *
 * over the pairs within `windowPx` in both directions, with the product Bartlett kernel
 * w = (1 − |Δl|/(R+1))·(1 − |Δs|/(R+1)) (its Fourier transform is ≥ 0, so the estimate is too).
 * `values[i]` belongs to pixel `pix[i]` (line·samples + sample). Clamped to [1, n]; 1 for a constant
 * field or windowPx 0.
 */
export function correlationArea(values: ArrayLike<number>, pix: Int32Array, samples: number, windowPx: number): number {
  const n = pix.length;
  if (values.length !== n) bad(`correlationArea: ${values.length} values for ${n} pixels`);
  if (!Number.isInteger(windowPx) || windowPx < 0) bad(`correlation window ${windowPx} must be an integer >= 0`);
  if (n < 2 || windowPx === 0) return 1;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += values[i];
  mean /= n;
  const at = new Map<number, number>();
  for (let i = 0; i < n; i++) at.set(pix[i], values[i] - mean);
  let den = 0;
  let num = 0;
  const R = windowPx;
  for (let i = 0; i < n; i++) {
    const p = pix[i];
    const cp = values[i] - mean;
    den += cp * cp;
    const l = Math.floor(p / samples);
    const s = p - l * samples;
    for (let dl = -R; dl <= R; dl++) {
      const wl = 1 - Math.abs(dl) / (R + 1);
      for (let ds = -R; ds <= R; ds++) {
        const ss = s + ds;
        if (ss < 0 || ss >= samples) continue;
        const cq = at.get((l + dl) * samples + ss);
        if (cq === undefined) continue;
        num += wl * (1 - Math.abs(ds) / (R + 1)) * cp * cq;
      }
    }
  }
  if (!(den > 0)) return 1;
  return Math.min(n, Math.max(1, num / den));
}

/** Default half-width of the window over which per-pixel evidence is taken as correlated, pixels. */
export const DEFAULT_CORRELATION_WINDOW_PX = 3;

/**
 * Confidence with correlated pixels and misspecified models (a spatial Vuong test): model m's deficit
 * against the best model is a sum over the plume's pixels, Δ_m = bic_m − bic_best = Σ_p d_p with
 * d_p = s_best(p) − s_m(p) − penalty·(k_best − k_m)·ln N (s the per-pixel statistic). Were m as
 * good as the best, Σ d_p would scatter about 0 with variance V_m = A_m·Σ_p (d_p − d̄)², the spatial
 * HAC variance (correlationArea: the pixels' correlation inflates it by the correlation area A_m,
 * i.e. n_eff = n/A_m independent pixels); this empirical spread also holds where the model is
 * wrong (the linearised targets, the texture, the clutter), unlike the softmax of −Δ/2, which
 * counts each pixel as an independent, correctly modelled observation and gives ≈ 1 to the best
 * model whenever n is large. With z_m = Δ_m/√V_m, P(m better than the best) = Φ(−z_m), so the
 * odds of m against the best are Φ(−z_m)/Φ(z_m); posterior(m) ∝ those odds (the best: 1). The
 * best model stays first; the models' order and `bic` are kept. Sets `correlationAreaPx`.
 */
export function correlatedModelPosteriors(
  models: LwirModelScore[],
  pix: Int32Array,
  zs: readonly Float32Array[],
  rho: Float64Array,
  samples: number,
  windowPx: number,
): void {
  const n = pix.length;
  const best = models[0];
  const sBest = Float64Array.from(pix, (p) => pixelModelStatistic(best.gases, zs, rho, p));
  const d = new Float64Array(n);
  const logOdds = new Float64Array(models.length);
  models.forEach((m, i) => {
    if (m === best) {
      m.correlationAreaPx = 1;
      return;
    }
    let ss = 0;
    let mean = 0;
    for (let j = 0; j < n; j++) {
      d[j] = sBest[j] - pixelModelStatistic(m.gases, zs, rho, pix[j]);
      mean += d[j];
    }
    mean /= n;
    for (let j = 0; j < n; j++) ss += (d[j] - mean) ** 2;
    const a = correlationArea(d, pix, samples, windowPx);
    m.correlationAreaPx = a;
    const delta = m.bic - best.bic;
    const sd = Math.sqrt(a * ss);
    const z = sd > 0 ? delta / sd : Number.POSITIVE_INFINITY;
    logOdds[i] = logNormalCdf(-z) - logNormalCdf(z);
  });
  let sum = 0;
  for (let i = 0; i < models.length; i++) {
    models[i].posterior = Math.exp(logOdds[i]);
    sum += models[i].posterior;
  }
  for (const m of models) m.posterior /= sum;
}

/** Least-squares columns of 0–2 gases from the whitened Gram matrix and projections. */
function meanFitColumns(gases: readonly number[], gram: Float64Array, b: Float64Array, G: number): number[] {
  if (gases.length === 1) return [b[gases[0]] / gram[gases[0] * G + gases[0]]];
  if (gases.length !== 2) return [];
  const [i, j] = gases;
  const a11 = gram[i * G + i];
  const a22 = gram[j * G + j];
  const a12 = gram[i * G + j];
  const det = a11 * a22 - a12 * a12;
  return [(a22 * b[i] - a12 * b[j]) / det, (a11 * b[j] - a12 * b[i]) / det];
}

/** Runs the detectors, masks and identification on one cube. See the module comment. */
export function detectLwirGases(input: LwirDetectInput, options: LwirDetectOptions = {}): LwirDetectResult {
  checkInput(input);
  const { lines, samples, bands: nb, radiance: x } = input;
  const npx = lines * samples;
  const G = input.gases.length;
  const loading = options.loading ?? 1e-6;
  const excludeZ = options.excludeZ ?? 3;
  const maxExcl = options.maxExcludedFraction ?? 0.25;
  const seedZ = options.seedZ ?? 6;
  const growZ = options.growZ ?? 3;
  const minPixels = options.minPixels ?? 6;
  const topK = options.topK ?? 3;
  const ringPx = options.ringPx ?? 3;
  if (!Number.isInteger(ringPx) || ringPx < 1) bad(`ringPx ${ringPx} must be an integer >= 1`);
  const passes = options.passes ?? 5;
  const excludeDilatePx = options.excludeDilatePx ?? 1;
  const rxFraction = options.rxFraction ?? 0.05;
  if (!(rxFraction >= 0 && rxFraction < 0.5)) bad(`rxFraction ${rxFraction} must be in [0, 0.5)`);
  const penalty = options.penalty ?? 1;
  const correlationWindowPx = options.correlationWindowPx ?? DEFAULT_CORRELATION_WINDOW_PX;
  if (!Number.isInteger(correlationWindowPx) || correlationWindowPx < 0)
    bad(`correlationWindowPx ${correlationWindowPx} must be an integer >= 0`);
  const classPrior = options.classPrior ?? false;
  const useRing = options.localBackground ?? true;
  const identify = options.identify ?? 'pixels';
  const contrastFrom = options.contrastFrom ?? 'plume';
  const trimBy = options.trimBy ?? 'pairZ';
  const excludeSmoothPx = options.excludeSmoothPx ?? 0;
  if (!Number.isInteger(excludeSmoothPx) || excludeSmoothPx < 0)
    bad(`excludeSmoothPx ${excludeSmoothPx} must be an integer >= 0`);
  const pairExcludeZ = options.pairExcludeZ ?? defaultPairExcludeZ(G);
  if (!(pairExcludeZ >= 0)) bad(`pairExcludeZ ${pairExcludeZ} must be >= 0 (0: off)`);
  if (!(loading >= 0)) bad(`loading ${loading} must be >= 0`);
  if (!(growZ > 0 && seedZ >= growZ))
    bad(`hysteresis thresholds must satisfy 0 < growZ <= seedZ (got ${growZ}, ${seedZ})`);
  if (!(excludeZ > 0)) bad(`excludeZ ${excludeZ} must be > 0`);
  if (!(maxExcl >= 0 && maxExcl < 0.5)) bad(`maxExcludedFraction ${maxExcl} must be in [0, 0.5)`);
  if (!Number.isInteger(minPixels) || minPixels < 1) bad(`minPixels ${minPixels} must be an integer >= 1`);
  if (!Number.isInteger(topK) || topK < 1) bad(`topK ${topK} must be an integer >= 1`);
  if (!(penalty >= 0)) bad(`penalty ${penalty} must be >= 0`);
  if (options.gasTemperatureK !== undefined && !(options.gasTemperatureK > 0)) {
    bad(`gasTemperatureK ${options.gasTemperatureK} must be > 0`);
  }
  const contrastK = options.contrastK ?? 5;
  if (options.gasTemperatureK === undefined && (!Number.isFinite(contrastK) || contrastK === 0)) {
    bad(`contrastK ${contrastK} must be finite and non-zero (a gas at the background's temperature is invisible)`);
  }
  const tau = input.transmittance;
  const up = input.pathRadiance;

  const fixedOut = options.excludeMask;
  if (fixedOut && fixedOut.length !== npx) bad(`excludeMask has ${fixedOut.length} values for ${npx} pixels`);
  const use = Uint8Array.from({ length: npx }, (_, p) => (fixedOut?.[p] ? 0 : 1));
  const columns = Array.from({ length: G }, () => new Float32Array(npx));
  const zs = Array.from({ length: G }, () => new Float32Array(npx));
  const targets: Float64Array[] = [];
  const nec = new Float64Array(G);
  const robust = new Float64Array(G);
  const tb = new Float64Array(nb);
  let mean: Float64Array = new Float64Array(nb);
  let chol: Float64Array = new Float64Array(0);
  let whitened: Float64Array[] = [];
  let excluded = 0;
  const outStat = new Uint8Array(npx);
  /** τ·(B(T_g) − L_s)·ln10 per band for a background mean radiance; its brightness temperature into `tbOut`. */
  const contrastSpectrum = (bgMean: Float64Array, tbOut: Float64Array): Float64Array => {
    const contrast = new Float64Array(nb);
    for (let k = 0; k < nb; k++) {
      const t = tau ? tau[k] : 1;
      const ls = (bgMean[k] - (up ? up[k] : 0)) / t;
      const v = input.centerCm1[k];
      tbOut[k] = brightnessTemperature(v, ls);
      if (!Number.isFinite(tbOut[k])) {
        // An (almost) opaque band: L↑ exceeds the mean radiance within the noise. The gas below
        // cannot be seen there; the band keeps no target.
        contrast[k] = 0;
        continue;
      }
      const tg = options.gasTemperatureK ?? tbOut[k] + contrastK;
      contrast[k] = t * (planckRadiance(v, tg) - ls) * LN10;
    }
    return contrast;
  };
  // Pixels once above excludeZ stay out (their z fell because the plume entered Σ); the
  // Mahalanobis-distance share is chosen afresh in each pass.
  const zOut = new Uint8Array(npx);

  for (let pass = 0; pass < passes; pass++) {
    ({ mean, chol } = backgroundCholesky(x, npx, nb, use, loading));
    // Targets from the background mean.
    targets.length = 0;
    const contrast = contrastSpectrum(mean, tb);
    whitened = [];
    const q: Float64Array[] = [];
    for (let g = 0; g < G; g++) {
      const a = input.gases[g].absorbancePerPpmM;
      const t = Float64Array.from(contrast, (c, k) => c * a[k]);
      targets.push(t);
      const tw = new Float64Array(nb);
      forwardSubstitute(chol, nb, t, tw);
      whitened.push(tw);
      let tt = 0;
      for (let k = 0; k < nb; k++) tt += tw[k] * tw[k];
      if (!(tt > 0)) bad(`gas "${input.gases[g].name}" has no signal at this contrast`);
      nec[g] = 1 / Math.sqrt(tt);
      // q = Σ⁻¹t / tᵀΣ⁻¹t: L⁻ᵀ·tw, scaled.
      const qq = new Float64Array(nb);
      for (let i = nb - 1; i >= 0; i--) {
        let s = tw[i];
        for (let k = i + 1; k < nb; k++) s -= chol[k * nb + i] * qq[k];
        qq[i] = s / chol[i * nb + i];
      }
      for (let k = 0; k < nb; k++) qq[k] /= tt;
      q.push(qq);
    }
    for (let p = 0; p < npx; p++) {
      const o = p * nb;
      for (let g = 0; g < G; g++) {
        const qq = q[g];
        let s = 0;
        for (let k = 0; k < nb; k++) s += qq[k] * (x[o + k] - mean[k]);
        columns[g][p] = s;
      }
    }
    const maxAbsZ = new Float32Array(npx);
    for (let g = 0; g < G; g++) {
      const bgVals: number[] = [];
      for (let p = 0; p < npx; p++) if (use[p]) bgVals.push(columns[g][p]);
      const v = Float64Array.from(bgVals);
      const med = median(v);
      for (let i = 0; i < v.length; i++) v[i] = Math.abs(v[i] - med);
      robust[g] = 1.4826 * median(v) || nec[g];
      for (let p = 0; p < npx; p++) {
        zs[g][p] = columns[g][p] / robust[g];
        maxAbsZ[p] = Math.max(maxAbsZ[p], Math.abs(zs[g][p]));
      }
    }
    if (pass < passes - 1) {
      // Cumulative: a pixel once left out stays out (its z fell because the plume entered Σ).
      const cap = Math.floor(maxExcl * npx);
      const hot = new Uint8Array(npx);
      const zPair = excludeSmoothPx > 0 ? zs.map((z) => smoothedZ(z, lines, samples, excludeSmoothPx, use)) : zs;
      const pairZ = pairExcludeZ > 0 && G >= 2 ? maxPairZ(zPair, whitened, npx) : null;
      for (let p = 0; p < npx; p++) {
        if (maxAbsZ[p] > excludeZ || (pairZ && pairZ[p] > pairExcludeZ) || zOut[p]) hot[p] = zOut[p] = 1;
      }
      const rxHot = new Uint8Array(npx);
      if (rxFraction > 0) {
        // The largest Mahalanobis distances too: a mixture's plume direction, once inside Σ, is
        // whitened away from every single-gas filter, but its pixels still stand out from the rest.
        const rx = new Float64Array(npx);
        const dd = new Float64Array(nb);
        const ww = new Float64Array(nb);
        if (trimBy === 'pairZ' && pairZ) rx.set(pairZ);
        else
          for (let p = 0; p < npx; p++) {
            const o = p * nb;
            for (let k = 0; k < nb; k++) dd[k] = x[o + k] - mean[k];
            forwardSubstitute(chol, nb, dd, ww);
            let r = 0;
            for (let k = 0; k < nb; k++) r += ww[k] * ww[k];
            rx[p] = r;
          }
        const cut = Float64Array.from(rx).sort()[Math.min(npx - 1, Math.floor((1 - rxFraction) * npx))];
        for (let p = 0; p < npx; p++) if (rx[p] >= cut) rxHot[p] = 1;
      }
      const count = (m: Uint8Array) => m.reduce((acc, v) => acc + v, 0);
      let chosen = dilate(hot, lines, samples, excludeDilatePx);
      for (let p = 0; p < npx; p++) chosen[p] |= rxHot[p];
      if (count(chosen) > cap) {
        chosen = Uint8Array.from(hot, (v, p) => v | rxHot[p]);
        if (count(chosen) > cap) {
          // Too many: the strongest |z| first.
          chosen.fill(0);
          const order = Array.from({ length: npx }, (_, p) => p).sort((p1, p2) => maxAbsZ[p2] - maxAbsZ[p1]);
          for (let i = 0; i < cap; i++) chosen[order[i]] = 1;
        }
      }
      excluded = 0;
      let changed = false;
      for (let p = 0; p < npx; p++) {
        if (chosen[p] !== outStat[p]) changed = true;
        outStat[p] = chosen[p];
        excluded += chosen[p];
        use[p] = chosen[p] || fixedOut?.[p] ? 0 : 1;
      }
      if (!changed) break; // another pass would repeat this one
    }
  }

  // ACE needs each pixel's whitened residual norm.
  const aces = Array.from({ length: G }, () => new Float32Array(npx));
  const d = new Float64Array(nb);
  const w = new Float64Array(nb);
  const ttw = whitened.map((tw) => tw.reduce((s, v) => s + v * v, 0));
  for (let p = 0; p < npx; p++) {
    const o = p * nb;
    for (let k = 0; k < nb; k++) d[k] = x[o + k] - mean[k];
    forwardSubstitute(chol, nb, d, w);
    let xx = 0;
    for (let k = 0; k < nb; k++) xx += w[k] * w[k];
    for (let g = 0; g < G; g++) {
      // tᵀΣ⁻¹(x − μ) = α·tᵀΣ⁻¹t.
      const s = columns[g][p] * ttw[g];
      aces[g][p] = xx > 0 ? (s * s) / (ttw[g] * xx) : 0;
    }
  }

  // Masks.
  const gasMaps: LwirGasMaps[] = [];
  const absZ = new Float32Array(npx);
  const maxAbsZ = new Float32Array(npx);
  for (let g = 0; g < G; g++) {
    for (let p = 0; p < npx; p++) {
      absZ[p] = Math.abs(zs[g][p]);
      maxAbsZ[p] = Math.max(maxAbsZ[p], absZ[p]);
    }
    const { labels } = hysteresisLabels(absZ, lines, samples, seedZ, growZ, minPixels);
    gasMaps.push({
      name: input.gases[g].name,
      cas: input.gases[g].cas,
      columnPpmM: columns[g],
      z: zs[g],
      ace: aces[g],
      mask: Uint8Array.from(labels, (l) => (l > 0 ? 1 : 0)),
      necPpmM: nec[g],
      robustSigmaPpmM: robust[g],
      target: targets[g],
    });
  }
  const { labels, components } = hysteresisLabels(maxAbsZ, lines, samples, seedZ, growZ, minPixels);

  // Identification on each plume's whitened mean spectrum, against its local background: the
  // pixels within ringPx of the plume that are in no plume and below growZ. Their mean replaces μ
  // (it removes the clutter patch the plume lies on) and gives the local contrast of the targets
  // (the surface temperature under a plume may be far from the scene mean). Too small a ring
  // (under 2·minPixels pixels): the scene mean and the scene targets.
  const inAny = Uint8Array.from(labels, (l) => (l > 0 ? 1 : 0));
  const tbLocal = new Float64Array(nb);
  const normW = whitened.map((tw) => Math.sqrt(tw.reduce((acc, v) => acc + v * v, 0)));
  const rhoAll = new Float64Array(G * G);
  for (let i = 0; i < G; i++) {
    for (let j = 0; j < G; j++) {
      let acc = 0;
      for (let k = 0; k < nb; k++) acc += whitened[i][k] * whitened[j][k];
      rhoAll[i * G + j] = acc / (normW[i] * normW[j]);
    }
  }
  const plumes: LwirPlume[] = components.map((pix, c) => {
    const own = new Uint8Array(npx);
    for (const p of pix) own[p] = 1;
    const ring = dilate(own, lines, samples, ringPx);
    const bgMean = new Float64Array(nb);
    let nRing = 0;
    for (let p = 0; p < npx; p++) {
      if (!ring[p] || inAny[p] || !(maxAbsZ[p] < growZ)) continue;
      nRing++;
      const o = p * nb;
      for (let k = 0; k < nb; k++) bgMean[k] += x[o + k];
    }
    const plumeMean = new Float64Array(nb);
    let mz = 0;
    for (const p of pix) {
      const o = p * nb;
      for (let k = 0; k < nb; k++) plumeMean[k] += x[o + k];
      mz = Math.max(mz, maxAbsZ[p]);
    }
    for (let k = 0; k < nb; k++) plumeMean[k] /= pix.length;
    const ringOk = useRing && nRing >= 2 * minPixels;
    if (ringOk) for (let k = 0; k < nb; k++) bgMean[k] /= nRing;
    else bgMean.set(mean);
    let tw = whitened;
    if (contrastFrom === 'plume' || ringOk) {
      // Targets from the local thermal contrast: the plume's own mean radiance (the surface under
      // it; the gas changes it only to second order) or the ring's.
      const contrast = contrastSpectrum(contrastFrom === 'plume' ? plumeMean : bgMean, tbLocal);
      tw = input.gases.map((gas) => {
        const t = Float64Array.from(contrast, (v, k) => v * gas.absorbancePerPpmM[k]);
        const out = new Float64Array(nb);
        forwardSubstitute(chol, nb, t, out);
        return out;
      });
    }
    const gram = new Float64Array(G * G);
    for (let i = 0; i < G; i++) {
      for (let j = 0; j <= i; j++) {
        let s = 0;
        for (let k = 0; k < nb; k++) s += tw[i][k] * tw[j][k];
        gram[i * G + j] = s;
        gram[j * G + i] = s;
      }
    }
    for (let k = 0; k < nb; k++) d[k] = plumeMean[k] - bgMean[k];
    forwardSubstitute(chol, nb, d, w);
    let yy = 0;
    for (let k = 0; k < nb; k++) yy += w[k] * w[k];
    const b = new Float64Array(G);
    for (let g = 0; g < G; g++) {
      let s = 0;
      for (let k = 0; k < nb; k++) s += tw[g][k] * w[k];
      b[g] = s;
    }
    const models =
      identify === 'pixels'
        ? comparePixelModels(pix, zs, columns, rhoAll, nb, topK, penalty)
        : compareGasModels(gram, b, yy, nb, topK, penalty, classPrior);
    if (identify === 'pixels') {
      // Columns of each model from the least-squares fit of the plume's mean spectrum against its
      // local background (local contrast), restricted to the model's gases: per-pixel columns
      // average the noise of every pixel and flip sign where the local contrast does.
      for (const m of models) m.columnsPpmM = meanFitColumns(m.gases, gram, b, G);
      if (correlationWindowPx > 0) correlatedModelPosteriors(models, pix, zs, rhoAll, samples, correlationWindowPx);
    }
    const conf = new Float64Array(G);
    for (const m of models) for (const g of m.gases) conf[g] += m.posterior;
    const best = models[0];
    const gases = best.gases
      .map((g, i) => ({
        name: input.gases[g].name,
        cas: input.gases[g].cas,
        confidence: conf[g],
        columnPpmM: best.columnsPpmM[i],
      }))
      .sort((a, b2) => b2.confidence - a.confidence || Math.abs(b2.columnPpmM) - Math.abs(a.columnPpmM));
    const plume: LwirPlume = {
      id: c + 1,
      pixelCount: pix.length,
      pixels: pix,
      maxAbsZ: mz,
      localBackgroundPixels: nRing,
      gases,
      models,
    };
    if (models.length > 1 && models[1].correlationAreaPx !== undefined)
      plume.correlationAreaPx = models[1].correlationAreaPx;
    return plume;
  });

  return {
    gases: gasMaps,
    plumeLabels: labels,
    plumes,
    excludedPixels: excluded,
    backgroundBrightnessK: tb,
    algorithmVersion: LWIR_DETECT_ALGORITHM_VERSION,
  };
}

/**
 * Sorts models best (lowest BIC) first and sets each one's posterior: softmax of −BIC/(2·A), equal
 * priors; A ≥ 1 the correlation area (1: independent observations).
 */
function rankModels(models: LwirModelScore[], correlationArea = 1): LwirModelScore[] {
  models.sort((m1, m2) => m1.bic - m2.bic);
  const best = models[0].bic;
  let z = 0;
  for (const m of models) {
    m.posterior = Math.exp(-(m.bic - best) / (2 * correlationArea));
    z += m.posterior;
  }
  for (const m of models) m.posterior /= z;
  return models;
}

/**
 * The two-gas models worth scoring, from the single-gas models (one per gas, in gas order): every
 * two among the topK best singles, and the best single with every other gas (the second gas of a
 * mixture can rank anywhere alone when the first dominates).
 */
function gasPairs(singles: LwirModelScore[], topK: number): [number, number][] {
  const G = singles.length;
  const ranked = [...singles].sort((m1, m2) => m1.bic - m2.bic).map((m) => m.gases[0]);
  const pairs: [number, number][] = [];
  const top = ranked.slice(0, Math.min(topK, G));
  for (let i = 0; i < top.length; i++) for (let j = i + 1; j < top.length; j++) pairs.push([top[i], top[j]]);
  for (let j = top.length; j < G && top.length > 0; j++) pairs.push([ranked[0], ranked[j]]);
  return pairs;
}
