/**
 * Methane enhancement (ppm·m) on an image grid from a steady Gaussian plume, plus an optional seeded
 * turbulent texture. Pure.
 *
 * Column: the vertical integral of a ground-reflected Gaussian plume (any source height, no lid) is
 *
 *   Ω(x, y) = Q / (√(2π) · u · σy(x)) · exp(−y² / 2σy²)   kg/m², for x > 0 downwind (0 upwind),
 *
 * with Q in kg/s, u in m/s, σy from src/core/dispersion (Briggs rural by default, the stability
 * class given). σy is floored at half a pixel so the source pixel stays finite, and each pixel is
 * the mean of SUBSAMPLES × SUBSAMPLES point columns inside it.
 *
 * Conversion: ΔX [ppm·m] = Ω [kg/m²] / M_CH4 [kg/mol] / n_air [mol/m³] × 1e6, with M_CH4 =
 * 16.043 g/mol and n_air = p / (R·T) at 101325 Pa, 288.15 K (42.29 mol/m³): the ppm a 1 m layer of
 * that mass would hold at the surface. 1 ppm·m = 6.785e-7 kg/m² (KG_PER_M2_PER_PPM_M).
 *
 * Grid: line l grows southwards, sample s eastwards, pixel centres at integer (l, s); the source sits
 * at the centre of pixel (sourceLine, sourceSample). windToDeg: the direction the wind blows toward,
 * clockwise from north (90 = toward east).
 */

import { plumeSigmaY } from '../../core/dispersion/index.ts';
import { PlumetraceError } from '../../core/errors.ts';
import type { Rng } from '../../core/random.ts';
import { smoothGaussianField } from '../smooth-field.ts';
import type { StabilityClass } from '../../core/types.ts';
import { ppmPerKgPerM3 } from '../../core/units.ts';

/** ppm·m per kg/m² of CH4 column (288.15 K, 101325 Pa; see the module comment). */
export const PPM_M_PER_KG_PER_M2 = ppmPerKgPerM3('CH4');
/** kg/m² of CH4 per ppm·m. */
export const KG_PER_M2_PER_PPM_M = 1 / PPM_M_PER_KG_PER_M2;
/** Point columns per pixel side averaged into each pixel. */
export const SUBSAMPLES = 4;

export interface PlumeFieldOptions {
  lines: number;
  samples: number;
  sourceLine: number;
  sourceSample: number;
  rateKgPerHour: number;
  windSpeedMps: number;
  /** Direction the wind blows toward, degrees clockwise from north. */
  windToDeg: number;
  stability: StabilityClass;
  pixelSizeM: number;
}

/** Smooth Gaussian-plume enhancement, ppm·m, `lines × samples` row-major. */
export function gaussianPlumeEnhancementPpmM(o: PlumeFieldOptions): Float32Array {
  checkPlumeOptions(o);
  const { lines, samples, pixelSizeM: p } = o;
  const qKgPerS = o.rateKgPerHour / 3600;
  const u = o.windSpeedMps;
  const th = (o.windToDeg * Math.PI) / 180;
  const dirE = Math.sin(th);
  const dirN = Math.cos(th);
  const sigmaFloorM = p / 2;
  const norm = qKgPerS / (Math.sqrt(2 * Math.PI) * u);
  const out = new Float32Array(lines * samples);
  const n = SUBSAMPLES;
  for (let l = 0; l < lines; l++) {
    for (let s = 0; s < samples; s++) {
      let sum = 0;
      for (let i = 0; i < n; i++) {
        const northM = -(l - o.sourceLine + (i + 0.5) / n - 0.5) * p;
        for (let j = 0; j < n; j++) {
          const eastM = (s - o.sourceSample + (j + 0.5) / n - 0.5) * p;
          const xM = eastM * dirE + northM * dirN;
          if (!(xM > 0)) continue;
          const yM = eastM * dirN - northM * dirE;
          const sy = Math.max(plumeSigmaY(xM, u, { stability: o.stability }), sigmaFloorM);
          sum += (norm / sy) * Math.exp((-yM * yM) / (2 * sy * sy));
        }
      }
      out[l * samples + s] = (sum / (n * n)) * PPM_M_PER_KG_PER_M2;
    }
  }
  return out;
}

/**
 * Multiplies `field` in place by a seeded log-normal texture exp(σ·g − σ²/2), g a unit-variance
 * Gaussian random field smoothed over `correlationPx` pixels (separable box blur, 3 passes). Mean 1,
 * so the expected mass is unchanged; the realised mass changes (the truth IME is computed after).
 */
export function applyTexture(
  field: Float32Array,
  lines: number,
  samples: number,
  rng: Rng,
  sigma: number,
  correlationPx: number,
): void {
  if (!(sigma >= 0) || !(correlationPx >= 1)) {
    throw new PlumetraceError(
      'PT_ERR_BAD_REQUEST',
      `texture sigma ${sigma} must be >= 0 and correlation ${correlationPx} px >= 1`,
    );
  }
  if (sigma === 0) return;
  const g = smoothGaussianField(lines, samples, rng, correlationPx);
  for (let i = 0; i < g.length; i++) field[i] *= Math.exp(sigma * g[i] - (sigma * sigma) / 2);
}

/** Integrated mass enhancement, kg: Σ ΔX · pixel area · KG_PER_M2_PER_PPM_M. */
export function integratedMassKg(enhancementPpmM: Float32Array, pixelSizeM: number): number {
  let sum = 0;
  for (let i = 0; i < enhancementPpmM.length; i++) sum += enhancementPpmM[i];
  return sum * pixelSizeM * pixelSizeM * KG_PER_M2_PER_PPM_M;
}

function checkPlumeOptions(o: PlumeFieldOptions): void {
  const bad = (field: string, why: string): never => {
    throw new PlumetraceError('PT_ERR_BAD_REQUEST', `${field} ${why}`);
  };
  if (!Number.isInteger(o.lines) || o.lines < 1) bad('lines', `must be an integer >= 1 (got ${o.lines})`);
  if (!Number.isInteger(o.samples) || o.samples < 1) bad('samples', `must be an integer >= 1 (got ${o.samples})`);
  if (!Number.isFinite(o.sourceLine) || !Number.isFinite(o.sourceSample))
    bad('source', 'line and sample must be finite');
  if (!(o.rateKgPerHour >= 0) || !Number.isFinite(o.rateKgPerHour))
    bad('rateKgPerHour', `must be >= 0 (got ${o.rateKgPerHour})`);
  if (!(o.windSpeedMps > 0) || !Number.isFinite(o.windSpeedMps))
    bad('windSpeedMps', `must be > 0 (got ${o.windSpeedMps})`);
  if (!Number.isFinite(o.windToDeg)) bad('windToDeg', `must be finite (got ${o.windToDeg})`);
  if (!(o.pixelSizeM > 0) || !Number.isFinite(o.pixelSizeM)) bad('pixelSizeM', `must be > 0 (got ${o.pixelSizeM})`);
}
