/**
 * Sensor noise of the LWIR simulator: white Gaussian noise per channel with a noise-equivalent
 * spectral radiance NESR_k, µW/(cm² sr cm⁻¹). Pure.
 *
 * Default: a noise-equivalent temperature difference NEdT = 0.2 K at a 300 K scene, the HyTES
 * specification (Johnson et al. 2011, "HyTES: hyperspectral thermal emission spectrometer for
 * airborne science", Proc. SPIE 8154; quoted from memory, not checked against the paper here),
 * turned into radiance per channel: NESR_k = NEdT · ∂B/∂T(ν_k, 300 K). That gives 0.021–0.035
 * µW/(cm² sr cm⁻¹) from 1317 to 833 cm⁻¹ (0.032 at 1000 cm⁻¹). In per-micrometre units, NESR_λ =
 * NESR_ν · ν²/10⁴ ≈ 3 µW/(cm² sr µm) at 10 µm: the "1–2 µW/(cm² sr ...)" often quoted for HyTES-class
 * sensors is a per-µm figure, ~100× the per-cm⁻¹ one at 10 µm.
 */

import { PlumetraceError } from '../../core/errors.ts';
import type { Rng } from '../../core/random.ts';
import { planckDerivativeK } from '../../core/spectral/lwir-forward.ts';

export const DEFAULT_NEDT_K = 0.2;
export const NEDT_REFERENCE_K = 300;

/** NESR per channel from an NEdT at `referenceK`. */
export function nesrFromNedt(
  centerCm1: ArrayLike<number>,
  nedtK = DEFAULT_NEDT_K,
  referenceK = NEDT_REFERENCE_K,
): Float64Array {
  if (!(nedtK >= 0) || !(referenceK > 0)) {
    throw new PlumetraceError(
      'PT_ERR_BAD_REQUEST',
      `NEdT ${nedtK} K must be >= 0 at a reference > 0 K (${referenceK})`,
    );
  }
  return Float64Array.from({ length: centerCm1.length }, (_, k) => nedtK * planckDerivativeK(centerCm1[k], referenceK));
}

/** Adds N(0, (scale·NESR_k)²) to each value of a BIP cube, in place. */
export function addChannelNoise(radiance: Float32Array, nesr: ArrayLike<number>, rng: Rng, scale = 1): void {
  const nb = nesr.length;
  if (radiance.length % nb !== 0) {
    throw new PlumetraceError(
      'PT_ERR_BAD_REQUEST',
      `cube of ${radiance.length} values is not a multiple of ${nb} bands`,
    );
  }
  for (let i = 0; i < radiance.length; i += nb) {
    for (let k = 0; k < nb; k++) radiance[i + k] += rng.normal(0, scale * nesr[k]);
  }
}
