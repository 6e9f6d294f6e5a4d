/**
 * Parametric instrument noise (isofit's model, as used for AVIRIS-NG and EMIT). Pure.
 *
 *   NEdL(λ, L) = a(λ) · √(b(λ) + L) + c(λ)     L and NEdL in µW cm⁻² sr⁻¹ nm⁻¹
 *
 * The file has '#' comment lines and rows `wvl_nm a b c rmse`. Coefficients are interpolated
 * linearly in wavelength to the cube's band centres (held constant beyond the table's ends).
 */

import { PlumetraceError } from '../../core/errors.ts';
import type { Rng } from '../../core/random.ts';

export interface NoiseModel {
  readonly wavelengthNm: Float64Array;
  readonly a: Float64Array;
  readonly b: Float64Array;
  readonly c: Float64Array;
}

/** Parses the noise table; PT_ERR_SPECTRAL_INPUT naming `file` and the line on bad rows. */
export function parseNoiseModel(text: string, file: string): NoiseModel {
  const wl: number[] = [];
  const a: number[] = [];
  const b: number[] = [];
  const c: number[] = [];
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  for (let i = 0; i < lines.length; i++) {
    const t = lines[i].trim();
    if (t === '' || t.startsWith('#')) continue;
    const v = t.split(/\s+/).map(Number);
    if (v.length < 4 || v.slice(0, 4).some((x) => !Number.isFinite(x))) {
      throw new PlumetraceError('PT_ERR_SPECTRAL_INPUT', 'expected "wavelength_nm a b c [rmse]" numbers', {
        file,
        line: i + 1,
      });
    }
    if (wl.length > 0 && !(v[0] > wl[wl.length - 1])) {
      throw new PlumetraceError('PT_ERR_SPECTRAL_INPUT', `wavelength ${v[0]} nm does not ascend`, {
        file,
        line: i + 1,
      });
    }
    wl.push(v[0]);
    a.push(v[1]);
    b.push(v[2]);
    c.push(v[3]);
  }
  if (wl.length < 2) throw new PlumetraceError('PT_ERR_SPECTRAL_INPUT', 'fewer than 2 noise rows', { file });
  return {
    wavelengthNm: Float64Array.from(wl),
    a: Float64Array.from(a),
    b: Float64Array.from(b),
    c: Float64Array.from(c),
  };
}

/** Coefficients a, b, c at each of `centerNm` (linear interpolation, constant beyond the ends). */
export function noiseAtBands(model: NoiseModel, centerNm: Float64Array): NoiseModel {
  const n = centerNm.length;
  const out = {
    wavelengthNm: Float64Array.from(centerNm),
    a: new Float64Array(n),
    b: new Float64Array(n),
    c: new Float64Array(n),
  };
  const w = model.wavelengthNm;
  const last = w.length - 1;
  for (let k = 0; k < n; k++) {
    const x = centerNm[k];
    let i = 0;
    while (i < last - 1 && w[i + 1] < x) i++;
    const f = Math.min(1, Math.max(0, (x - w[i]) / (w[i + 1] - w[i])));
    out.a[k] = model.a[i] + f * (model.a[i + 1] - model.a[i]);
    out.b[k] = model.b[i] + f * (model.b[i + 1] - model.b[i]);
    out.c[k] = model.c[i] + f * (model.c[i + 1] - model.c[i]);
  }
  return out;
}

/** NEdL (µW cm⁻² sr⁻¹ nm⁻¹) of radiance `l` in band k of band-resampled coefficients. */
export function noiseEquivalentRadiance(bandNoise: NoiseModel, k: number, l: number): number {
  return bandNoise.a[k] * Math.sqrt(Math.max(0, bandNoise.b[k] + l)) + bandNoise.c[k];
}

/** Adds seeded Gaussian noise of NEdL · scale to a BIP radiance cube in place (pixel by pixel, band by band). */
export function addNoise(radiance: Float32Array, bandNoise: NoiseModel, rng: Rng, scale = 1): void {
  const nBands = bandNoise.a.length;
  for (let i = 0; i < radiance.length; i += nBands) {
    for (let k = 0; k < nBands; k++) {
      const l = radiance[i + k];
      radiance[i + k] = l + rng.normal(0, scale * noiseEquivalentRadiance(bandNoise, k, l));
    }
  }
}
