/**
 * simulateLwirScene: a thermal hyperspectral scene with a gas plume of known gases, columns and
 * temperature, on sensor channels (HyTES by default). Pure: atmospheres, emissivities, channels and
 * gases come in as typed arrays (load.ts reads the shipped ones).
 *
 * Per pixel, on the atmosphere's 1 cm⁻¹ grid (clipped to where the emissivity library is defined),
 * then convolved with each channel's Gaussian response (src/core/spectral/lwir-channels.ts):
 *
 *   ε = Σ_m a_m·ε_m                     mixture of K library materials (smooth patches, fields.ts)
 *   L_s = ε·B(T_s) + (1 − ε)·L↓          T_s a smooth field over [minK, maxK]
 *   L = τ_atm·[10^(−Σ A_i c_i)·L_s + (1 − 10^(−Σ A_i c_i))·B(T_g)] + L↑   (lwir-forward.ts)
 *   + white Gaussian noise, NESR per channel (noise.ts)
 *
 * One of the 80 atmospheres per scene. The plume is a 2-D Gaussian puff (fields.ts; not the
 * dispersion model: the peak column is then a direct scenario parameter) shared by all its gases,
 * gas i's column = peak_i × shape, times an optional seeded log-normal texture (mean 1, from
 * sim/swir). The gas temperature is T_g = T̄_s + contrastK, T̄_s the column-weighted mean surface
 * temperature under the plume, or an absolute `gasTemperatureK`. With ε < 1 the background's
 * brightness temperature lies below T_s (the reflected sky is cold), so contrastK = 0 still leaves
 * a small emission signal; the truth records the effective contrast against the background's
 * brightness temperature, weighted by the gases' absorbance.
 *
 * Randomness: three independent streams drawn from the seed (background, plume texture, noise), so
 * a scene without a plume has the same background and noise as the scene with it.
 */

import { PlumetraceError } from '../../core/errors.ts';
import { Rng } from '../../core/random.ts';
import {
  applyChannelResponse,
  type ChannelResponse,
  channelResponse,
  gasAbsorbanceOnGrid,
  interpolateToGrid,
} from '../../core/spectral/lwir-channels.ts';
import {
  atSensorRadianceFromSurface,
  brightnessTemperature,
  type LwirPathTerms,
  planckSpectrum,
  surfaceLeavingRadiance,
} from '../../core/spectral/lwir-forward.ts';
import type { EmissivityLibrary, GasAbsorbance, LwirAtmosphere, LwirChannels } from '../../core/spectral/lwir-types.ts';
import { applyTexture } from '../swir/plume-field.ts';
import { gaussianPuffShape, materialAbundances, type PuffGeometry, temperatureField } from './fields.ts';
import { addChannelNoise, DEFAULT_NEDT_K, nesrFromNedt } from './noise.ts';

export const LWIR_SIM_ALGORITHM_VERSION = 'lwir-sim/1';

/** What the simulator needs, already read (load.ts reads data/lwir). */
export interface LwirInputs {
  readonly atmospheres: readonly LwirAtmosphere[];
  readonly emissivity: EmissivityLibrary;
  /** Channels in file order (µm centres ascending for HyTES), and their µm centres and FWHM for the header. */
  readonly channels: LwirChannels;
  readonly channelCenterUm: Float64Array;
  readonly channelFwhmUm: Float64Array;
  readonly sensor: string;
}

export interface LwirPlumeGas {
  readonly gas: GasAbsorbance;
  /** Column at the puff's centre, ppm·m (before texture). */
  readonly peakColumnPpmM: number;
}

export interface LwirPlumeOptions extends PuffGeometry {
  readonly gases: readonly LwirPlumeGas[];
  /** T_g = column-weighted mean surface temperature under the plume + contrastK (default 0 if gasTemperatureK absent). */
  readonly contrastK?: number;
  /** Absolute gas temperature, K; overrides contrastK. */
  readonly gasTemperatureK?: number;
  /** σ of the log-normal texture (0 = smooth). Default 0.3. */
  readonly textureSigma?: number;
  /** Default 3 px. */
  readonly textureCorrelationPx?: number;
}

export interface LwirSceneOptions {
  seed: number;
  lines: number;
  samples: number;
  /** Index into inputs.atmospheres; default drawn from the seed. */
  atmosphereIndex?: number;
  /** null: a plume-free scene. */
  plume: LwirPlumeOptions | null;
  /** Materials drawn from the library (default 4) or given by index. */
  materialCount?: number;
  materialIndices?: readonly number[];
  /** Patch size (correlation length), px. Default 8. */
  patchCorrelationPx?: number;
  /** Softmax sharpness of the patches (higher: purer patches). Default 4. */
  patchSharpness?: number;
  /** Surface temperature range, K. Default 290–320. */
  surfaceMinK?: number;
  surfaceMaxK?: number;
  /** Texture length of the temperature field, px. Default 6. */
  temperatureCorrelationPx?: number;
  /** NEdT at 300 K per channel, K (default 0.2, see noise.ts); or `nesr` per kept channel. */
  nedtK?: number;
  nesr?: Float64Array;
  /** Multiplies the noise (0 = noise-free). Default 1. */
  noiseScale?: number;
  /** Truth mask threshold on the summed column, ppm·m. Default 5% of the summed peak columns. */
  maskThresholdPpmM?: number;
}

export interface LwirTruthGas {
  name: string;
  cas: string;
  peakColumnPpmM: number;
  /** Largest column in the scene after texture, ppm·m. */
  maxColumnPpmM: number;
}

export interface LwirTruth {
  gases: LwirTruthGas[];
  /** One ppm·m map per gas (lines × samples). */
  columnPpmM: Float32Array[];
  mask: Uint8Array;
  maskThresholdPpmM: number;
  surfaceTemperatureK: Float32Array;
  /** Pixel-major abundances of `materials` (pixel · K + k). */
  materialAbundance: Float32Array;
  materials: string[];
  emissivityLibrary: string;
  /** NaN for a plume-free scene. */
  gasTemperatureK: number;
  contrastK: number | null;
  /** Column-weighted mean T_s under the plume (NaN without plume). */
  meanSurfaceTemperatureUnderPlumeK: number;
  /** T_g − background brightness temperature, weighted by column and by Σ A_i over the fine grid. */
  effectiveContrastK: number;
  atmosphere: string;
  atmosphereIndex: number;
  puff: PuffGeometry | null;
  textureSigma: number;
  seed: number;
  sensor: string;
  /** Channels of the sensor not simulated (not fully inside the grid), file indices and µm. */
  droppedChannels: number[];
  droppedChannelsUm: number[];
  gridCm1: [number, number];
  nedtK: number | null;
  noiseScale: number;
  algorithmVersion: string;
}

export interface LwirScene {
  /** BIP float32, µW/(cm² sr cm⁻¹). */
  radiance: Float32Array;
  lines: number;
  samples: number;
  bands: number;
  wavelengthUm: Float64Array;
  fwhmUm: Float64Array;
  centerCm1: Float64Array;
  fwhmCm1: Float64Array;
  /** Noise per band, µW/(cm² sr cm⁻¹) (before noiseScale). */
  nesr: Float64Array;
  /** The fine grid and the channel response used (for tests and the detector's targets). */
  gridCm1: Float64Array;
  response: ChannelResponse;
  truth: LwirTruth;
}

function bad(detail: string): never {
  throw new PlumetraceError('PT_ERR_BAD_REQUEST', detail);
}

/** The longest run of the atmosphere grid on which every material of the library is defined. */
export function emissivityOnGrid(
  lib: EmissivityLibrary,
  materials: readonly number[],
  grid: Float64Array,
): { i0: number; i1: number; emissivity: Float64Array[] } {
  const nLib = lib.wavenumberCm1.length;
  const all = materials.map((m) =>
    interpolateToGrid(lib.wavenumberCm1, lib.emissivity.subarray(m * nLib, (m + 1) * nLib), grid),
  );
  let best = [0, 0];
  let start = -1;
  for (let i = 0; i <= grid.length; i++) {
    const ok = i < grid.length && all.every((e) => Number.isFinite(e[i]));
    if (ok && start < 0) start = i;
    if (!ok && start >= 0) {
      if (i - start > best[1] - best[0]) best = [start, i];
      start = -1;
    }
  }
  if (best[1] - best[0] < 2) bad(`emissivity library "${lib.name}" does not overlap the atmosphere grid`);
  return { i0: best[0], i1: best[1], emissivity: all.map((e) => e.slice(best[0], best[1])) };
}

export function simulateLwirScene(opts: LwirSceneOptions, inputs: LwirInputs): LwirScene {
  const { lines, samples } = opts;
  if (!Number.isInteger(lines) || !Number.isInteger(samples) || lines < 1 || samples < 1) {
    bad(`scene size ${lines} × ${samples} must be positive integers`);
  }
  const root = new Rng(opts.seed);
  const rngBg = new Rng(root.uint32());
  const rngPlume = new Rng(root.uint32());
  const rngNoise = new Rng(root.uint32());

  // Atmosphere.
  const nAtm = inputs.atmospheres.length;
  if (nAtm < 1) bad('no atmospheres given');
  // Drawn even when given, so the background fields do not depend on whether it was given.
  const drawnAtm = rngBg.int(nAtm);
  const atmIndex = opts.atmosphereIndex ?? drawnAtm;
  if (!Number.isInteger(atmIndex) || atmIndex < 0 || atmIndex >= nAtm) {
    bad(`atmosphereIndex ${atmIndex} must be an integer in 0–${nAtm - 1}`);
  }
  const atm = inputs.atmospheres[atmIndex];

  // Materials.
  const lib = inputs.emissivity;
  const nMat = lib.materialNames.length;
  let materials: number[];
  if (opts.materialIndices) {
    materials = [...opts.materialIndices];
    for (const m of materials) {
      if (!Number.isInteger(m) || m < 0 || m >= nMat) bad(`material index ${m} must be an integer in 0–${nMat - 1}`);
    }
    if (materials.length < 1) bad('materialIndices is empty');
  } else {
    const k = opts.materialCount ?? 4;
    if (!Number.isInteger(k) || k < 1 || k > nMat) bad(`materialCount ${k} must be an integer in 1–${nMat}`);
    const pool = Array.from({ length: nMat }, (_, i) => i);
    materials = [];
    for (let i = 0; i < k; i++) materials.push(pool.splice(rngBg.int(pool.length), 1)[0]);
  }

  // Fine grid: the atmosphere's, where the materials are defined.
  const { i0, i1, emissivity: matEps } = emissivityOnGrid(lib, materials, atm.wavenumberCm1);
  const grid = atm.wavenumberCm1.slice(i0, i1);
  const terms: LwirPathTerms = {
    wavenumberCm1: grid,
    transmittance: atm.transmittance.slice(i0, i1),
    pathRadiance: atm.pathRadiance.slice(i0, i1),
    downwellingRadiance: atm.downwellingRadiance.slice(i0, i1),
  };
  const nf = grid.length;
  const response = channelResponse(grid, inputs.channels);
  const nb = response.kept.length;
  if (nb < 1) bad(`no channel of ${inputs.sensor} lies inside ${grid[0]}–${grid[nf - 1]} cm-1`);
  const pick = (a: ArrayLike<number>) => Float64Array.from(response.kept, (k) => a[k]);

  // Background fields.
  const npx = lines * samples;
  const abundance = materialAbundances(
    lines,
    samples,
    materials.length,
    rngBg,
    opts.patchCorrelationPx ?? 8,
    opts.patchSharpness ?? 4,
  );
  const ts = temperatureField(
    lines,
    samples,
    rngBg,
    opts.surfaceMinK ?? 290,
    opts.surfaceMaxK ?? 320,
    opts.temperatureCorrelationPx ?? 6,
  );

  // Plume.
  const plume = opts.plume;
  const gasCount = plume?.gases.length ?? 0;
  const columns: Float32Array[] = [];
  const absorb: Float64Array[] = [];
  let gasTemperatureK = Number.NaN;
  let meanTsUnder = Number.NaN;
  let textureSigma = 0;
  if (plume) {
    if (gasCount < 1) bad('plume has no gases');
    const shape = gaussianPuffShape(lines, samples, plume);
    textureSigma = plume.textureSigma ?? 0.3;
    if (textureSigma > 0) {
      const f = Float32Array.from(shape);
      applyTexture(f, lines, samples, rngPlume, textureSigma, plume.textureCorrelationPx ?? 3);
      for (let i = 0; i < npx; i++) shape[i] = f[i];
    }
    for (const { gas, peakColumnPpmM } of plume.gases) {
      if (!(peakColumnPpmM >= 0) || !Number.isFinite(peakColumnPpmM)) {
        bad(`peak column of "${gas.name}" must be >= 0 ppm·m (got ${peakColumnPpmM})`);
      }
      columns.push(Float32Array.from(shape, (v) => v * peakColumnPpmM));
      absorb.push(gasAbsorbanceOnGrid(gas, grid));
    }
    let wsum = 0;
    let tsum = 0;
    for (let i = 0; i < npx; i++) {
      wsum += shape[i];
      tsum += shape[i] * ts[i];
    }
    if (!(wsum > 1e-9)) bad('the plume puff lies outside the scene (its column is zero everywhere)');
    meanTsUnder = tsum / wsum;
    if (plume.gasTemperatureK !== undefined) {
      gasTemperatureK = plume.gasTemperatureK;
    } else {
      gasTemperatureK = meanTsUnder + (plume.contrastK ?? 0);
    }
    if (!(gasTemperatureK > 0) || !Number.isFinite(gasTemperatureK))
      bad(`gas temperature ${gasTemperatureK} K must be > 0`);
  }
  const threshold =
    opts.maskThresholdPpmM ?? (plume ? 0.05 * plume.gases.reduce((s, g) => s + g.peakColumnPpmM, 0) : 0);

  // Radiance, pixel by pixel on the fine grid, then to channels.
  const radiance = new Float32Array(npx * nb);
  const eps = new Float64Array(nf);
  const ls = new Float64Array(nf);
  const depth = new Float64Array(nf);
  const fine = new Float64Array(nf);
  const chan = new Float64Array(nb);
  const bGas = plume ? planckSpectrum(grid, gasTemperatureK) : null;
  const totalA = new Float64Array(nf);
  for (const a of absorb) for (let i = 0; i < nf; i++) totalA[i] += a[i];
  let contrastNum = 0;
  let contrastDen = 0;
  const K = materials.length;
  for (let p = 0; p < npx; p++) {
    eps.fill(0);
    for (let m = 0; m < K; m++) {
      const w = abundance[p * K + m];
      if (w === 0) continue;
      const e = matEps[m];
      for (let i = 0; i < nf; i++) eps[i] += w * e[i];
    }
    surfaceLeavingRadiance(terms, eps, ts[p], ls);
    let any = false;
    if (plume) {
      depth.fill(0);
      for (let g = 0; g < gasCount; g++) {
        const c = columns[g][p];
        if (c === 0) continue;
        any = true;
        const a = absorb[g];
        for (let i = 0; i < nf; i++) depth[i] += a[i] * c;
      }
      let colSum = 0;
      for (let g = 0; g < gasCount; g++) colSum += columns[g][p];
      if (colSum > 0 && bGas) {
        for (let i = 0; i < nf; i++) {
          if (totalA[i] === 0) continue;
          const w = colSum * totalA[i];
          contrastNum += w * (gasTemperatureK - brightnessTemperature(grid[i], ls[i]));
          contrastDen += w;
        }
      }
    }
    atSensorRadianceFromSurface(terms, ls, any ? bGas : null, any ? depth : null, fine);
    applyChannelResponse(response, fine, chan);
    for (let k = 0; k < nb; k++) radiance[p * nb + k] = chan[k];
  }

  const centerCm1 = pick(inputs.channels.centerCm1);
  const nedtK = opts.nesr ? null : (opts.nedtK ?? DEFAULT_NEDT_K);
  const nesr = opts.nesr ?? nesrFromNedt(centerCm1, nedtK ?? DEFAULT_NEDT_K);
  if (nesr.length !== nb) bad(`nesr has ${nesr.length} values for ${nb} simulated channels`);
  const noiseScale = opts.noiseScale ?? 1;
  if (!(noiseScale >= 0)) bad(`noiseScale ${noiseScale} must be >= 0`);
  if (noiseScale > 0) addChannelNoise(radiance, nesr, rngNoise, noiseScale);

  const mask = new Uint8Array(npx);
  if (plume) {
    for (let p = 0; p < npx; p++) {
      let s = 0;
      for (let g = 0; g < gasCount; g++) s += columns[g][p];
      mask[p] = s >= threshold && s > 0 ? 1 : 0;
    }
  }
  const dropped = Array.from(response.dropped);
  return {
    radiance,
    lines,
    samples,
    bands: nb,
    wavelengthUm: pick(inputs.channelCenterUm),
    fwhmUm: pick(inputs.channelFwhmUm),
    centerCm1,
    fwhmCm1: pick(inputs.channels.fwhmCm1),
    nesr,
    gridCm1: grid,
    response,
    truth: {
      gases: (plume?.gases ?? []).map((g, i) => ({
        name: g.gas.name,
        cas: g.gas.cas,
        peakColumnPpmM: g.peakColumnPpmM,
        maxColumnPpmM: columns[i].reduce((a, b) => Math.max(a, b), 0),
      })),
      columnPpmM: columns,
      mask,
      maskThresholdPpmM: threshold,
      surfaceTemperatureK: Float32Array.from(ts),
      materialAbundance: Float32Array.from(abundance),
      materials: materials.map((m) => lib.materialNames[m]),
      emissivityLibrary: lib.name,
      gasTemperatureK,
      contrastK: plume && plume.gasTemperatureK === undefined ? (plume.contrastK ?? 0) : null,
      meanSurfaceTemperatureUnderPlumeK: meanTsUnder,
      effectiveContrastK: contrastDen > 0 ? contrastNum / contrastDen : Number.NaN,
      atmosphere: atm.name,
      atmosphereIndex: atmIndex,
      puff: plume
        ? {
            centerLine: plume.centerLine,
            centerSample: plume.centerSample,
            sigmaAlongPx: plume.sigmaAlongPx,
            sigmaAcrossPx: plume.sigmaAcrossPx,
            directionDeg: plume.directionDeg,
          }
        : null,
      textureSigma,
      seed: opts.seed,
      sensor: inputs.sensor,
      droppedChannels: dropped,
      droppedChannelsUm: dropped.map((k) => inputs.channelCenterUm[k]),
      gridCm1: [grid[0], grid[nf - 1]],
      nedtK,
      noiseScale,
      algorithmVersion: LWIR_SIM_ALGORITHM_VERSION,
    },
  };
}
