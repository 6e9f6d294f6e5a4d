/**
 * Writes a simulated SWIR scene and its truth into `dir` (node:fs):
 *
 *   <name>_rdn.hdr/.img         ENVI BIP float32 LE radiance, µW cm⁻² sr⁻¹ nm⁻¹, wavelength + fwhm (nm), map info
 *   <name>_truth_ppmm.hdr/.img  ENVI float32 1 band: methane enhancement, ppm·m
 *   <name>_truth_mask.hdr/.img  ENVI uint8 1 band: 1 where ΔX ≥ maskThresholdPpmM
 *   <name>_truth.json           the scalar truth (rate, IME, source pixel, wind, threshold, version)
 *
 * Through the ENVI writer of src/io/envi: every file goes to a temporary name and is renamed into
 * place once complete.
 *
 * Map info: UTM zone 10 North, WGS-84, upper-left corner at a default of E 566000 m, N 4139000 m
 * (near Jasper Ridge, California); pixel size = truth.pixelSizeM. Override with `mapOrigin`.
 */

import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PlumetraceError } from '../../core/errors.ts';
import type { EnviMapInfo } from '../../io/envi/header.ts';
import { writeEnvi } from '../../io/envi/writer.ts';
import type { SwirScene } from './scene.ts';

export interface SwirMapOrigin {
  utmZone: number;
  hemisphere: 'North' | 'South';
  /** Upper-left corner of the upper-left pixel. */
  eastingM: number;
  northingM: number;
}

export const DEFAULT_SWIR_MAP_ORIGIN: SwirMapOrigin = {
  utmZone: 10,
  hemisphere: 'North',
  eastingM: 566000,
  northingM: 4139000,
};

export interface WrittenSwirScene {
  radianceHeaderPath: string;
  enhancementHeaderPath: string;
  maskHeaderPath: string;
  truthJsonPath: string;
}

/** ENVI map info of a north-up UTM grid whose first pixel's corner is `origin`. */
export function utmMapInfo(origin: SwirMapOrigin, pixelSizeM: number): EnviMapInfo {
  return {
    projection: 'UTM',
    referencePixelSample: 1,
    referencePixelLine: 1,
    easting: origin.eastingM,
    northing: origin.northingM,
    pixelSizeX: pixelSizeM,
    pixelSizeY: pixelSizeM,
    zone: origin.utmZone,
    hemisphere: origin.hemisphere,
    datum: 'WGS-84',
    units: 'Meters',
  };
}

export async function writeSwirScene(
  dir: string,
  name: string,
  scene: SwirScene,
  mapOrigin: SwirMapOrigin = DEFAULT_SWIR_MAP_ORIGIN,
): Promise<WrittenSwirScene> {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name)) {
    throw new PlumetraceError(
      'PT_ERR_BAD_REQUEST',
      `scene name "${name}" must be a plain file name (letters, digits, . _ -)`,
    );
  }
  const { lines, samples, bands, truth } = scene;
  const mapInfo = utmMapInfo(mapOrigin, truth.pixelSizeM);
  const base = join(dir, name);
  await mkdir(dir, { recursive: true });
  // The ENVI writer writes each file under a temporary name and renames it when complete.
  await writeEnvi(
    `${base}_rdn`,
    {
      samples,
      lines,
      bands,
      dataType: 'float32',
      interleave: 'bip',
      wavelength: scene.wavelengthNm,
      fwhm: scene.fwhmNm,
      wavelengthUnits: 'Nanometers',
      mapInfo,
      description: `plumetrace simulated radiance (${truth.algorithmVersion}), uW cm-2 sr-1 nm-1`,
    },
    scene.radiance,
  );
  await writeEnvi(
    `${base}_truth_ppmm`,
    {
      samples,
      lines,
      bands: 1,
      dataType: 'float32',
      interleave: 'bsq',
      mapInfo,
      bandNames: ['enhancement_ppm_m'],
      description: 'plumetrace truth: CH4 enhancement, ppm m',
    },
    truth.enhancementPpmM,
  );
  await writeEnvi(
    `${base}_truth_mask`,
    {
      samples,
      lines,
      bands: 1,
      dataType: 'uint8',
      interleave: 'bsq',
      mapInfo,
      bandNames: ['plume_mask'],
      description: `plumetrace truth: 1 where enhancement >= ${truth.maskThresholdPpmM} ppm m`,
    },
    truth.mask,
  );
  const { enhancementPpmM: _e, mask: _m, ...scalars } = truth;
  const truthJsonPath = `${base}_truth.json`;
  const tmp = `${truthJsonPath}.tmp-${process.pid}`;
  try {
    await writeFile(tmp, `${JSON.stringify({ ...scalars, lines, samples, bands }, null, 2)}\n`);
    await rename(tmp, truthJsonPath);
  } catch (e) {
    await rm(tmp, { force: true });
    throw new PlumetraceError('PT_ERR_RASTER_WRITE', `writing ${truthJsonPath} failed: ${(e as Error).message}`, {
      file: truthJsonPath,
    });
  }
  return {
    radianceHeaderPath: `${base}_rdn.hdr`,
    enhancementHeaderPath: `${base}_truth_ppmm.hdr`,
    maskHeaderPath: `${base}_truth_mask.hdr`,
    truthJsonPath,
  };
}
