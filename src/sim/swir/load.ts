/**
 * Loads the shipped inputs of the SWIR simulator from data/ (node:fs, with the io readers). The CH4
 * absorption table comes from the caller (src/io/lut readMag1cLut on data/detection/mag1c_ch4.lut).
 *
 * Backgrounds (band names AVIRIS_b<n> = AVIRIS channel n of 224; each band is given the centre and
 * FWHM of channel n in the 2019 AVIRIS-C MODTRAN file — the scenes were flown by the older AVIRIS,
 * whose centres differ by a few nm; the channel numbering is the same):
 *  - 'jasper': data/scenes/jasperRidge2_R198_bip (AVIRIS Jasper Ridge, 100 × 100 × 198, uint16
 *    reflectance × 1e4, channels from the source's band list);
 *  - 'moffett': data/scenes/tubaltt_Moffet_bip (AVIRIS Moffett Field, 50 × 50 × 159, float32
 *    reflectance). Its source keeps no band list: the channels in the header (5–106, 116–150,
 *    178–199, last ≈ 2257 nm) were inferred (README.md), and channels 200–219 are added per pixel
 *    by extend.ts from a non-negative mixture of the 40 ECOSTRESS spectra in
 *    data/background/ecostress_avirisc_moffett_subset40.csv fitted on the measured bands from
 *    channel 116 (≈ 1.44 µm) on. The CH4 window's clutter in that scene is the library mixture's.
 */

import { readText } from '../../io/lwir/read.ts';
import { openEnvi } from '../../io/envi/reader.ts';
import { join } from 'node:path';
import { PlumetraceError } from '../../core/errors.ts';
import type { AbsorptionTable } from '../../core/spectral/target.ts';
import { type ModtranChannels, parseModtranChn } from './chn.ts';
import { type NoiseModel, parseNoiseModel } from './noise.ts';
import { extendBackground, type SpectralLibrary } from './extend.ts';
import type { SwirBackground, SwirInputs } from './scene.ts';

export type SwirBackgroundName = 'jasper' | 'moffett';
export const SWIR_BACKGROUNDS: readonly SwirBackgroundName[] = ['jasper', 'moffett'];

/** The project's data/ folder. */
export const DEFAULT_DATA_DIR = new URL('../../../data/', import.meta.url).pathname;
export const AVIRISC_CHN_FILE = 'atmosphere/isofit_modtran_avirisc_AER0.01_H2O1.0.chn';
export const AVIRISNG_NOISE_FILE = 'sensor/isofit_avirisng_noise.txt';
const BACKGROUND_FILES: Record<SwirBackgroundName, { base: string; scale: number }> = {
  jasper: { base: 'scenes/jasperRidge2_R198_bip', scale: 1e-4 },
  moffett: { base: 'scenes/tubaltt_Moffet_bip', scale: 1 },
};
export const MOFFETT_LIBRARY_FILE = 'background/ecostress_avirisc_moffett_subset40.csv';
/** Moffett's extension: fitted on its measured channels ≥ 116 (≈ 1.44 µm), added up to channel 219 (as Jasper's). */
export const MOFFETT_EXTENSION = { fitFromChannel: 116, toChannel: 219, continuityBands: 3 } as const;

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
  if (!SWIR_BACKGROUNDS.includes(name)) {
    throw new PlumetraceError(
      'PT_ERR_BAD_REQUEST',
      `unknown background "${name}" (known: ${SWIR_BACKGROUNDS.join(', ')})`,
    );
  }
  const { base, scale } = BACKGROUND_FILES[name];
  const hdrPath = join(dataDir, `${base}.hdr`);
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
    const reflectance = await cube.readWindow({ line0: 0, lines: cube.lines, sample0: 0, samples: cube.samples });
    if (scale !== 1) for (let i = 0; i < reflectance.length; i++) reflectance[i] *= scale;
    const measured: SwirBackground = {
      name,
      lines: cube.lines,
      samples: cube.samples,
      bands: cube.bands,
      reflectance,
      channel,
    };
    if (name !== 'moffett') return measured;
    const lib = loadSpectralLibraryCsv(join(dataDir, MOFFETT_LIBRARY_FILE));
    const { background, extension } = extendBackground(measured, lib, MOFFETT_EXTENSION);
    return { ...background, extension };
  } finally {
    await cube.close();
  }
}

/**
 * A library CSV: '#' comment lines, a header `channel,wavelength_nm,<name>…`, then one row per AVIRIS
 * channel with each spectrum's reflectance.
 */
export function loadSpectralLibraryCsv(path: string): SpectralLibrary {
  const lines = readText(path)
    .split(/\r?\n/)
    .map((l, i) => ({ l: l.trim(), n: i + 1 }))
    .filter(({ l }) => l !== '' && !l.startsWith('#'));
  const header = lines[0]?.l.split(',') ?? [];
  if (header[0] !== 'channel' || header.length < 3) {
    throw new PlumetraceError('PT_ERR_BAD_REQUEST', `${path}: header must start with "channel,wavelength_nm,"`, {
      file: path,
    });
  }
  const names = header.slice(2);
  const rows = lines.slice(1);
  const channel = new Int32Array(rows.length);
  const spectra = names.map(() => new Float64Array(rows.length));
  rows.forEach(({ l, n }, k) => {
    const v = l.split(',').map(Number);
    if (v.length !== header.length || v.some((x) => !Number.isFinite(x)) || !Number.isInteger(v[0])) {
      throw new PlumetraceError('PT_ERR_BAD_REQUEST', `${path} line ${n}: expected ${header.length} numbers`, {
        file: path,
        line: n,
      });
    }
    channel[k] = v[0];
    for (let j = 0; j < names.length; j++) spectra[j][k] = v[j + 2];
  });
  return { name: path.split('/').pop() ?? path, channel, spectraNames: names, spectra };
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
