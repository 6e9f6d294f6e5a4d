/**
 * Beer–Lambert implant of a methane enhancement into a radiance cube. Pure.
 *
 *   L_plume[p, k] = L[p, k] · exp(t_k · ΔX[p])
 *
 * t_k = d ln L / d(ppm·m) of band k (src/core/spectral/target.ts, ≤ 0), ΔX in ppm·m. Since t is the
 * slope of ln L, exp(t·ΔX) is the consistent first-order (in ln L) forward model; the whole at-sensor
 * radiance, path radiance included, is attenuated (the plume is assumed near the ground but the
 * path term is small in the 2.3 µm window). Bands with t_k = 0 are left bit-identical.
 */

import { PlumetraceError } from '../../core/errors.ts';

/** Implants in place: `radiance` BIP (pixels × nBands), `enhancementPpmM` one value per pixel. */
export function implantBeerLambert(
  radiance: Float32Array,
  targetPerPpmM: Float64Array,
  enhancementPpmM: Float32Array,
): void {
  const nBands = targetPerPpmM.length;
  if (radiance.length !== enhancementPpmM.length * nBands) {
    throw new PlumetraceError(
      'PT_ERR_SPECTRAL_INPUT',
      `radiance has ${radiance.length} values, expected ${enhancementPpmM.length} pixels × ${nBands} bands`,
    );
  }
  for (let p = 0; p < enhancementPpmM.length; p++) {
    const dx = enhancementPpmM[p];
    if (dx === 0) continue;
    const o = p * nBands;
    for (let k = 0; k < nBands; k++) {
      const t = targetPerPpmM[k];
      if (t !== 0) radiance[o + k] *= Math.exp(t * dx);
    }
  }
}
