/**
 * Reads the shipped LWIR inputs from data/lwir (node:fs); the parsers are in parse.ts.
 */

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PlumetraceError } from '../../core/errors.ts';
import type { EmissivityLibrary } from '../../core/spectral/lwir-types.ts';
import { grosskcAtmosphereFormat } from './format.ts';
import {
  type AtmosphereSet,
  type ChannelList,
  joinAtmosphereTables,
  parseChannelList,
  parseGrosskcAtmosphereCsv,
  parseGrosskcEmissivityCsv,
  parseLumaSlumEmissivityCsv,
} from './parse.ts';

/** The project's data/lwir folder. */
export const DEFAULT_LWIR_DATA_DIR = new URL('../../../data/lwir/', import.meta.url).pathname;
export const GROSSKC_EMISSIVITY_FILE = 'grosskc_lwir_emissivity_22materials.csv';
export const LUMA_SLUM_EMISSIVITY_FILE = 'LUMA_SLUM_IR_emissivity.csv';
export const HYTES_CHANNELS_FILE = 'isofit_hytes_wavelengths.txt';

export type EmissivityLibraryName = 'grosskc' | 'luma-slum';
export const EMISSIVITY_LIBRARIES: readonly EmissivityLibraryName[] = ['grosskc', 'luma-slum'];

export function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new PlumetraceError('PT_ERR_FILE_NOT_FOUND', `${path} does not exist`, { file: path });
    }
    throw e;
  }
}

/** The 80 Gross atmospheres (τ, L↑, L↓) from `dir`. */
export function readGrosskcAtmospheres(dir = DEFAULT_LWIR_DATA_DIR): AtmosphereSet {
  const q = grosskcAtmosphereFormat.quantities;
  const files = {
    tau: join(dir, q.transmittance.file),
    la: join(dir, q.pathRadiance.file),
    ld: join(dir, q.downwellingRadiance.file),
  };
  return joinAtmosphereTables(
    parseGrosskcAtmosphereCsv(readText(files.tau), files.tau, 'transmittance'),
    parseGrosskcAtmosphereCsv(readText(files.la), files.la, 'pathRadiance'),
    parseGrosskcAtmosphereCsv(readText(files.ld), files.ld, 'downwellingRadiance'),
    files,
  );
}

/** An emissivity library by name from `dir`. */
export function readEmissivityLibrary(name: EmissivityLibraryName, dir = DEFAULT_LWIR_DATA_DIR): EmissivityLibrary {
  if (name === 'grosskc') {
    const f = join(dir, GROSSKC_EMISSIVITY_FILE);
    return parseGrosskcEmissivityCsv(readText(f), f);
  }
  if (name === 'luma-slum') {
    const f = join(dir, LUMA_SLUM_EMISSIVITY_FILE);
    return parseLumaSlumEmissivityCsv(readText(f), f);
  }
  throw new PlumetraceError(
    'PT_ERR_BAD_REQUEST',
    `unknown emissivity library "${name}" (known: ${EMISSIVITY_LIBRARIES.join(', ')})`,
  );
}

/** A channel list (index, centre, FWHM); default the HyTES one shipped in data/lwir. */
export function readChannelList(path = join(DEFAULT_LWIR_DATA_DIR, HYTES_CHANNELS_FILE)): ChannelList {
  return parseChannelList(readText(path), path);
}
