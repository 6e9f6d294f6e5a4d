/**
 * Loads the shipped inputs of the SWIR simulator from data/ (node:fs). sim/ may import only core/,
 * so the CH4 absorption table comes from the caller (src/io/lut readMag1cLut on
 * data/detection/mag1c_ch4.lut) and the background's small ENVI header is read here with the few
 * checks this one file needs.
 *
 * Backgrounds: 'jasper' only — data/scenes/jasperRidge2_R198_bip (AVIRIS Jasper Ridge, 100 × 100 ×
 * 198, uint16 reflectance × 1e4, band names AVIRIS_b<n> = AVIRIS channel n of 224). Its bands are
 * given the centres and FWHM of channel n in the 2019 AVIRIS-C MODTRAN file (the scene was flown
 * by the older AVIRIS, whose centres differ by a few nm; the channel numbering is the same). The
 * Moffett Field cube (50 × 50 × 159) is not offered: its file keeps no band list, and 159 of 224
 * bands cannot be matched to channels without guessing which 65 were dropped.
 */

import { readFileSync } from 'node:fs';
import { openEnvi } from '../../io/envi/reader.ts';
import { join } from 'node:path';
import { PlumetraceError } from '../../core/errors.ts';
import type { AbsorptionTable } from '../../core/spectral/target.ts';
import { type ModtranChannels, parseModtranChn } from './chn.ts';
import { type NoiseModel, parseNoiseModel } from './noise.ts';
import type { SwirBackground, SwirInputs } from './scene.ts';

export type SwirBackgroundName = 'jasper';
export const SWIR_BACKGROUNDS: readonly SwirBackgroundName[] = ['jasper'];

/** The project's data/ folder. */
export const DEFAULT_DATA_DIR = new URL('../../../data/', import.meta.url).pathname;
export const AVIRISC_CHN_FILE = 'atmosphere/isofit_modtran_avirisc_AER0.01_H2O1.0.chn';
export const AVIRISNG_NOISE_FILE = 'sensor/isofit_avirisng_noise.txt';
const JASPER_BASE = 'scenes/jasperRidge2_R198_bip';

export function loadModtranChn(path: string): ModtranChannels {
  return parseModtranChn(readText(path), path);
}

export function loadNoiseModel(path: string): NoiseModel {
  return parseNoiseModel(readText(path), path);
}

export async function loadSwirBackground(
  name: SwirBackgroundName,
  dataDir = DEFAULT_DATA_DIR,
): Promise<SwirBackground> {
  if (name !== 'jasper') {
    throw new PlumetraceError(
      'PT_ERR_BAD_REQUEST',
      `unknown background "${name}" (known: ${SWIR_BACKGROUNDS.join(', ')})`,
    );
  }
  const hdrPath = join(dataDir, `${JASPER_BASE}.hdr`);
  const cube = await openEnvi(hdrPath);
  try {
    const names = cube.bandNames ?? [];
    const channel = new Int32Array(cube.bands);
    for (let k = 0; k < cube.bands; k++) {
      const m = /^AVIRIS_b(\d+)$/.exec(names[k] ?? '');
      if (!m) {
        throw new PlumetraceError('PT_ERR_ENVI_HEADER', `band name ${k} "${names[k]}" is not AVIRIS_b<n>`, {
          file: hdrPath,
        });
      }
      channel[k] = Number(m[1]);
    }
    // Stored as reflectance × 1e4.
    const reflectance = await cube.readWindow({ line0: 0, lines: cube.lines, sample0: 0, samples: cube.samples });
    for (let i = 0; i < reflectance.length; i++) reflectance[i] /= 1e4;
    return { name: 'jasper', lines: cube.lines, samples: cube.samples, bands: cube.bands, reflectance, channel };
  } finally {
    await cube.close();
  }
}

/** Background, AVIRIS-C MODTRAN terms and AVIRIS-NG noise from `dataDir`, with the caller's CH4 table. */
export async function loadSwirInputs(
  background: SwirBackgroundName,
  absorptionTable: AbsorptionTable,
  dataDir = DEFAULT_DATA_DIR,
): Promise<SwirInputs> {
  return {
    background: await loadSwirBackground(background, dataDir),
    atmosphere: loadModtranChn(join(dataDir, AVIRISC_CHN_FILE)),
    noise: loadNoiseModel(join(dataDir, AVIRISNG_NOISE_FILE)),
    absorptionTable,
  };
}

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new PlumetraceError('PT_ERR_FILE_NOT_FOUND', `${path} does not exist`, { file: path });
    }
    throw e;
  }
}
