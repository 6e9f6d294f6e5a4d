/**
 * At-sensor radiance of a Lambertian surface from MODTRAN channel terms (chn.ts). Pure.
 *
 *   L = L_path + (E_sun · cos θs / π) · T_down · T_up · ρ / (1 − S · ρ)
 *
 * L, L_path and E_sun·cos θs/π in µW cm⁻² sr⁻¹ nm⁻¹ (AVIRIS radiance units); ρ the surface
 * reflectance (0–1); T_down · T_up the total (direct + diffuse) two-way transmittance (MODTRAN A + B);
 * S the spherical albedo. The adjacency effect is ignored (the environment reflectance is the pixel's).
 */

import { PlumetraceError } from '../../core/errors.ts';
import type { ModtranChannels } from './chn.ts';

/** The per-band terms the radiance model needs, in the order of the cube's bands. */
export interface BandAtmosphere {
  readonly pathRadianceUwPerCm2SrNm: Float64Array;
  readonly solarCosOverPiUwPerCm2SrNm: Float64Array;
  readonly transmittanceDownUp: Float64Array;
  readonly sphericalAlbedo: Float64Array;
}

/** Picks the terms of the MODTRAN channels numbered `channels` (1-based), in that order. */
export function atmosphereForChannels(chn: ModtranChannels, channels: ArrayLike<number>): BandAtmosphere {
  const n = channels.length;
  const pick = (src: Float64Array): Float64Array => {
    const out = new Float64Array(n);
    for (let k = 0; k < n; k++) out[k] = src[indexOfChannel(chn, channels[k])];
    return out;
  };
  return {
    pathRadianceUwPerCm2SrNm: pick(chn.pathRadianceUwPerCm2SrNm),
    solarCosOverPiUwPerCm2SrNm: pick(chn.solarCosOverPiUwPerCm2SrNm),
    transmittanceDownUp: pick(chn.transmittanceDownUp),
    sphericalAlbedo: pick(chn.sphericalAlbedo),
  };
}

/** Row of MODTRAN channel `channel` (1-based); PT_ERR_SPECTRAL_INPUT when the file lacks it. */
export function indexOfChannel(chn: ModtranChannels, channel: number): number {
  const i = chn.channel.indexOf(channel);
  if (i < 0) throw new PlumetraceError('PT_ERR_SPECTRAL_INPUT', `the MODTRAN channel file has no channel ${channel}`);
  return i;
}

/** Radiance (µW cm⁻² sr⁻¹ nm⁻¹) of reflectance `rho` in band `k`. */
export function radianceFromReflectance(rho: number, atm: BandAtmosphere, k: number): number {
  return (
    atm.pathRadianceUwPerCm2SrNm[k] +
    (atm.solarCosOverPiUwPerCm2SrNm[k] * atm.transmittanceDownUp[k] * rho) / (1 - atm.sphericalAlbedo[k] * rho)
  );
}

/** Radiance cube (BIP, µW cm⁻² sr⁻¹ nm⁻¹) of a BIP reflectance cube with `nBands` bands per pixel. */
export function reflectanceCubeToRadiance(
  reflectance: Float32Array,
  nBands: number,
  atm: BandAtmosphere,
): Float32Array {
  if (atm.pathRadianceUwPerCm2SrNm.length !== nBands || reflectance.length % nBands !== 0) {
    throw new PlumetraceError(
      'PT_ERR_SPECTRAL_INPUT',
      `reflectance cube of ${reflectance.length} values does not fit ${nBands} bands / ${atm.pathRadianceUwPerCm2SrNm.length} atmosphere bands`,
    );
  }
  const out = new Float32Array(reflectance.length);
  for (let i = 0; i < reflectance.length; i += nBands) {
    for (let k = 0; k < nBands; k++) out[i + k] = radianceFromReflectance(reflectance[i + k], atm, k);
  }
  return out;
}
