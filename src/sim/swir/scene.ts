/**
 * simulateSwirScene: a real reflectance background → at-sensor radiance (radiance.ts) → Beer–Lambert
 * methane plume (plume-field.ts, implant.ts) → seeded instrument noise (noise.ts), with the truth.
 * Pure: the inputs (background cube, MODTRAN terms, noise table, CH4 absorption table) come in as
 * typed arrays; load.ts reads the shipped ones from data/.
 *
 * Scenes larger than the background tile it by mirroring (…, n−1, n−1, …, 0, 0, 1, …), so no seam
 * shows a step.
 */

import { PlumetraceError } from '../../core/errors.ts';
import { Rng } from '../../core/random.ts';
import { type AbsorptionTable, unitAbsorptionTarget } from '../../core/spectral/target.ts';
import type { StabilityClass } from '../../core/types.ts';
import type { ModtranChannels } from './chn.ts';
import type { ExtensionInfo } from './extend.ts';
import { implantBeerLambert } from './implant.ts';
import { addNoise, type NoiseModel, noiseAtBands } from './noise.ts';
import { applyTexture, gaussianPlumeEnhancementPpmM, integratedMassKg } from './plume-field.ts';
import { atmosphereForChannels, indexOfChannel, reflectanceCubeToRadiance } from './radiance.ts';

export const SWIR_SIM_ALGORITHM_VERSION = 'swir-sim/1';
/** Default mask threshold: pixels with ΔX ≥ 200 ppm·m are plume (about an AVIRIS-NG 1σ CMF noise level ×1.5). */
export const DEFAULT_MASK_THRESHOLD_PPM_M = 200;

/** A reflectance background: BIP, reflectance 0–1, bands numbered by MODTRAN/AVIRIS channel (1-based). */
export interface SwirBackground {
  readonly name: string;
  readonly lines: number;
  readonly samples: number;
  readonly bands: number;
  readonly reflectance: Float32Array;
  readonly channel: Int32Array;
  /** Present when bands beyond the measured ones were added (extend.ts): what was added and how. */
  readonly extension?: ExtensionInfo;
}

export interface SwirInputs {
  readonly background: SwirBackground;
  readonly atmosphere: ModtranChannels;
  readonly noise: NoiseModel;
  readonly absorptionTable: AbsorptionTable;
}

export interface SwirSceneOptions {
  seed: number;
  source: { line: number; sample: number };
  rateKgPerHour: number;
  windSpeedMps: number;
  /** Direction the wind blows toward, degrees clockwise from north. */
  windToDeg: number;
  stability: StabilityClass;
  pixelSizeM: number;
  /** Scene size; default the background's. Larger sizes mirror-tile the background. */
  lines?: number;
  samples?: number;
  /** σ of the log-normal plume texture (0 = smooth Gaussian plume). Default 0.5. */
  textureSigma?: number;
  /** Correlation length of the texture, pixels. Default 3. */
  textureCorrelationPx?: number;
  /** Multiplies the NEdL (0 = noise-free). Default 1. */
  noiseScale?: number;
  /** Default DEFAULT_MASK_THRESHOLD_PPM_M. */
  maskThresholdPpmM?: number;
}

export interface SwirTruth {
  enhancementPpmM: Float32Array;
  /** 1 where enhancementPpmM ≥ maskThresholdPpmM. */
  mask: Uint8Array;
  maskThresholdPpmM: number;
  rateKgPerHour: number;
  /** Σ ΔX · pixel area · KG_PER_M2_PER_PPM_M over the whole scene, kg. */
  imeKg: number;
  sourceLine: number;
  sourceSample: number;
  windSpeedMps: number;
  windToDeg: number;
  stability: StabilityClass;
  pixelSizeM: number;
  seed: number;
  background: string;
  algorithmVersion: string;
}

export interface SwirScene {
  /** BIP float32, µW cm⁻² sr⁻¹ nm⁻¹. */
  radiance: Float32Array;
  lines: number;
  samples: number;
  bands: number;
  wavelengthNm: Float64Array;
  fwhmNm: Float64Array;
  /** d ln L / d(ppm·m) per band used for the implant. */
  targetPerPpmM: Float64Array;
  truth: SwirTruth;
}

export function simulateSwirScene(opts: SwirSceneOptions, inputs: SwirInputs): SwirScene {
  const bg = inputs.background;
  const lines = opts.lines ?? bg.lines;
  const samples = opts.samples ?? bg.samples;
  const nb = bg.bands;
  if (!Number.isInteger(opts.source.line) || !Number.isInteger(opts.source.sample)) {
    throw new PlumetraceError('PT_ERR_BAD_REQUEST', 'source line and sample must be integers');
  }
  if (opts.source.line < 0 || opts.source.line >= lines || opts.source.sample < 0 || opts.source.sample >= samples) {
    throw new PlumetraceError(
      'PT_ERR_BAD_REQUEST',
      `source (${opts.source.line}, ${opts.source.sample}) lies outside the ${lines} × ${samples} scene`,
    );
  }
  const threshold = opts.maskThresholdPpmM ?? DEFAULT_MASK_THRESHOLD_PPM_M;
  const rng = new Rng(opts.seed);

  // Background, mirror-tiled to the scene size.
  const reflectance = mirrorTile(bg, lines, samples);

  // Bands: centres and FWHM from the MODTRAN channel file.
  const wavelengthNm = new Float64Array(nb);
  const fwhmNm = new Float64Array(nb);
  for (let k = 0; k < nb; k++) {
    const i = indexOfChannel(inputs.atmosphere, bg.channel[k]);
    wavelengthNm[k] = inputs.atmosphere.wavelengthNm[i];
    fwhmNm[k] = inputs.atmosphere.fwhmNm[i];
  }
  const atm = atmosphereForChannels(inputs.atmosphere, bg.channel);
  const radiance = reflectanceCubeToRadiance(reflectance, nb, atm);

  const enhancementPpmM = gaussianPlumeEnhancementPpmM({
    lines,
    samples,
    sourceLine: opts.source.line,
    sourceSample: opts.source.sample,
    rateKgPerHour: opts.rateKgPerHour,
    windSpeedMps: opts.windSpeedMps,
    windToDeg: opts.windToDeg,
    stability: opts.stability,
    pixelSizeM: opts.pixelSizeM,
  });
  applyTexture(enhancementPpmM, lines, samples, rng, opts.textureSigma ?? 0.5, opts.textureCorrelationPx ?? 3);

  const { targetPerPpmM } = unitAbsorptionTarget(inputs.absorptionTable, { centerNm: wavelengthNm, fwhmNm });
  implantBeerLambert(radiance, targetPerPpmM, enhancementPpmM);
  const noiseScale = opts.noiseScale ?? 1;
  if (noiseScale > 0) addNoise(radiance, noiseAtBands(inputs.noise, wavelengthNm), rng, noiseScale);

  const mask = new Uint8Array(enhancementPpmM.length);
  for (let i = 0; i < mask.length; i++) mask[i] = enhancementPpmM[i] >= threshold ? 1 : 0;
  return {
    radiance,
    lines,
    samples,
    bands: nb,
    wavelengthNm,
    fwhmNm,
    targetPerPpmM,
    truth: {
      enhancementPpmM,
      mask,
      maskThresholdPpmM: threshold,
      rateKgPerHour: opts.rateKgPerHour,
      imeKg: integratedMassKg(enhancementPpmM, opts.pixelSizeM),
      sourceLine: opts.source.line,
      sourceSample: opts.source.sample,
      windSpeedMps: opts.windSpeedMps,
      windToDeg: opts.windToDeg,
      stability: opts.stability,
      pixelSizeM: opts.pixelSizeM,
      seed: opts.seed,
      background: bg.name,
      algorithmVersion: SWIR_SIM_ALGORITHM_VERSION,
    },
  };
}

/** Mirror index of i into [0, n): period 2n, reflecting with the edge pixel repeated. */
export function mirrorIndex(i: number, n: number): number {
  const m = ((i % (2 * n)) + 2 * n) % (2 * n);
  return m < n ? m : 2 * n - 1 - m;
}

function mirrorTile(bg: SwirBackground, lines: number, samples: number): Float32Array {
  if (!Number.isInteger(lines) || !Number.isInteger(samples) || lines < 1 || samples < 1) {
    throw new PlumetraceError('PT_ERR_BAD_REQUEST', `scene size ${lines} × ${samples} must be positive integers`);
  }
  if (lines === bg.lines && samples === bg.samples) return bg.reflectance;
  const nb = bg.bands;
  const out = new Float32Array(lines * samples * nb);
  for (let l = 0; l < lines; l++) {
    const bl = mirrorIndex(l, bg.lines);
    for (let s = 0; s < samples; s++) {
      const src = (bl * bg.samples + mirrorIndex(s, bg.samples)) * nb;
      out.set(bg.reflectance.subarray(src, src + nb), (l * samples + s) * nb);
    }
  }
  return out;
}
