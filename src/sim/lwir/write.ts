/**
 * Writes a simulated LWIR scene and its truth into `dir` (node:fs), through src/io/envi's writer
 * (temporary names, renamed into place once complete):
 *
 *   <name>_rdn.hdr/.img     ENVI BIP float32 LE radiance, µW/(cm² sr cm⁻¹) (`data units`),
 *                           wavelength + fwhm in Micrometers (HyTES order), map info
 *   <name>_truth.hdr/.img   ENVI BSQ float32 truth bands: column_ppm_m_<gas> per gas, plume_mask
 *                           (0/1), surface_temperature_K, abundance_<material> per material
 *   <name>_truth.json       the scalar truth (gases with CAS and peak columns, gas temperature,
 *                           contrast, atmosphere, materials, dropped channels, NESR, version)
 *
 * Map info: UTM zone 10 North, WGS-84, default upper-left corner as the SWIR simulator; pixel size
 * `pixelSizeM` (default 2 m, a HyTES-like low-altitude flight).
 */

import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PlumetraceError } from '../../core/errors.ts';
import { writeEnvi } from '../../io/envi/writer.ts';
import { DEFAULT_SWIR_MAP_ORIGIN, type SwirMapOrigin, utmMapInfo } from '../swir/write.ts';
import type { LwirScene } from './scene.ts';

/** The `data units` value written in the radiance header. */
export const LWIR_RADIANCE_DATA_UNITS = 'uW/(cm^2 sr cm^-1)';

export interface WrittenLwirScene {
  radianceHeaderPath: string;
  truthHeaderPath: string;
  truthJsonPath: string;
}

function safeBandLabel(s: string): string {
  return s.replace(/[^A-Za-z0-9._-]+/g, '_');
}

export async function writeLwirScene(
  dir: string,
  name: string,
  scene: LwirScene,
  pixelSizeM = 2,
  mapOrigin: SwirMapOrigin = DEFAULT_SWIR_MAP_ORIGIN,
): Promise<WrittenLwirScene> {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name)) {
    throw new PlumetraceError(
      'PT_ERR_BAD_REQUEST',
      `scene name "${name}" must be a plain file name (letters, digits, . _ -)`,
    );
  }
  if (!(pixelSizeM > 0)) throw new PlumetraceError('PT_ERR_BAD_REQUEST', `pixelSizeM ${pixelSizeM} must be > 0`);
  const { lines, samples, bands, truth } = scene;
  const mapInfo = utmMapInfo(mapOrigin, pixelSizeM);
  const base = join(dir, name);
  await mkdir(dir, { recursive: true });
  await writeEnvi(
    `${base}_rdn`,
    {
      samples,
      lines,
      bands,
      dataType: 'float32',
      interleave: 'bip',
      wavelength: scene.wavelengthUm,
      fwhm: scene.fwhmUm,
      wavelengthUnits: 'Micrometers',
      mapInfo,
      sensorType: truth.sensor,
      description: `plumetrace simulated LWIR radiance (${truth.algorithmVersion}), ${LWIR_RADIANCE_DATA_UNITS}`,
      extra: { 'data units': LWIR_RADIANCE_DATA_UNITS },
    },
    scene.radiance,
  );
  const npx = lines * samples;
  const bandNames = [
    ...truth.gases.map((g) => `column_ppm_m_${safeBandLabel(g.name)}`),
    'plume_mask',
    'surface_temperature_K',
    ...truth.materials.map((m) => `abundance_${safeBandLabel(m)}`),
  ];
  const K = truth.materials.length;
  const data = new Float32Array(npx * bandNames.length);
  let b = 0;
  for (const c of truth.columnPpmM) data.set(c, npx * b++);
  for (let p = 0; p < npx; p++) data[npx * b + p] = truth.mask[p];
  b++;
  data.set(truth.surfaceTemperatureK, npx * b++);
  for (let m = 0; m < K; m++, b++) for (let p = 0; p < npx; p++) data[npx * b + p] = truth.materialAbundance[p * K + m];
  // writeEnvi takes BIP input; transpose the band-major layout into it.
  const bip = new Float32Array(data.length);
  const nb = bandNames.length;
  for (let k = 0; k < nb; k++) for (let p = 0; p < npx; p++) bip[p * nb + k] = data[k * npx + p];
  await writeEnvi(
    `${base}_truth`,
    {
      samples,
      lines,
      bands: nb,
      dataType: 'float32',
      interleave: 'bsq',
      mapInfo,
      bandNames,
      description: `plumetrace LWIR truth (${truth.algorithmVersion}): columns ppm m, mask, surface temperature K, abundances`,
    },
    bip,
  );
  const { columnPpmM: _c, mask: _m, surfaceTemperatureK: _t, materialAbundance: _a, ...scalars } = truth;
  const json = {
    ...scalars,
    lines,
    samples,
    bands,
    pixelSizeM,
    radianceUnits: LWIR_RADIANCE_DATA_UNITS,
    nesr: Array.from(scene.nesr),
    truthBands: bandNames,
  };
  const truthJsonPath = `${base}_truth.json`;
  const tmp = `${truthJsonPath}.tmp-${process.pid}`;
  try {
    await writeFile(tmp, `${JSON.stringify(json, null, 2)}\n`);
    await rename(tmp, truthJsonPath);
  } catch (e) {
    await rm(tmp, { force: true });
    throw new PlumetraceError('PT_ERR_RASTER_WRITE', `writing ${truthJsonPath} failed: ${(e as Error).message}`, {
      file: truthJsonPath,
    });
  }
  return { radianceHeaderPath: `${base}_rdn.hdr`, truthHeaderPath: `${base}_truth.hdr`, truthJsonPath };
}
