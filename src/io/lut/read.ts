/**
 * Reader of mag1c's methane absorption look-up table (see format.ts) into the pure
 * `AbsorptionTable` of src/core/spectral/target.ts.
 *
 * Only the few ENVI header fields the table needs are read (samples, lines, bands, header offset,
 * data type, byte order, interleave, wavelength); a general ENVI reader lives in src/io/envi.
 * Nothing is returned unless the whole table is valid.
 */
import { readFile } from 'node:fs/promises';
import { PlumetraceError } from '../../core/errors.ts';
import type { AbsorptionTable } from '../../core/spectral/target.ts';
import { mag1cLutFormat } from './format.ts';

/** Parses an ENVI header into lower-case keys and raw string values (braces removed, text kept). */
export function parseEnviHeaderFields(text: string, file: string): Map<string, string> {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  if (lines[0]?.trim() !== mag1cLutFormat.headerMagic) {
    throw new PlumetraceError('PT_ERR_LUT_FORMAT', `the header does not start with "ENVI"`, { file, line: 1 });
  }
  const fields = new Map<string, string>();
  let i = 1;
  while (i < lines.length) {
    const lineNo = i + 1;
    const line = lines[i++];
    if (line.trim() === '' || line.trim().startsWith(';')) continue;
    const eq = line.indexOf('=');
    if (eq < 0) throw new PlumetraceError('PT_ERR_LUT_FORMAT', `expected "key = value"`, { file, line: lineNo });
    const key = line.slice(0, eq).trim().toLowerCase();
    let value = line.slice(eq + 1).trim();
    if (value.startsWith('{')) {
      while (!value.includes('}')) {
        if (i >= lines.length) {
          throw new PlumetraceError('PT_ERR_LUT_FORMAT', `"${key}" opens "{" and never closes it`, {
            file,
            line: lineNo,
          });
        }
        value += `\n${lines[i++]}`;
      }
      value = value.slice(1, value.lastIndexOf('}'));
    }
    fields.set(key, value.trim());
  }
  return fields;
}

/** Decodes the table from the bytes of the `.lut` file and the text of its `.hdr`. */
export function parseMag1cLut(lutBytes: Uint8Array, headerText: string, file: string): AbsorptionTable {
  const hdrFile = `${file} (header)`;
  const fields = parseEnviHeaderFields(headerText, hdrFile);
  const int = (key: string, fallback?: number): number => {
    const raw = fields.get(key);
    if (raw === undefined) {
      if (fallback !== undefined) return fallback;
      throw new PlumetraceError('PT_ERR_LUT_FORMAT', `the header has no "${key}"`, { file: hdrFile });
    }
    const v = Number(raw);
    if (!Number.isInteger(v) || v < 0) {
      throw new PlumetraceError('PT_ERR_LUT_FORMAT', `"${key}" must be a non-negative integer, got "${raw}"`, {
        file: hdrFile,
      });
    }
    return v;
  };
  const samples = int('samples');
  const lines = int('lines');
  const bands = int('bands');
  const offset = int('header offset', 0);
  const dataType = int('data type');
  const byteOrder = int('byte order', 0);
  const interleave = (fields.get('interleave') ?? 'bsq').toLowerCase();
  if (lines !== 1) {
    throw new PlumetraceError('PT_ERR_LUT_FORMAT', `expected lines = 1 (one row of spectra), got ${lines}`, {
      file: hdrFile,
    });
  }
  if (samples !== mag1cLutFormat.enhancementPpmM.length) {
    throw new PlumetraceError(
      'PT_ERR_LUT_FORMAT',
      `expected samples = ${mag1cLutFormat.enhancementPpmM.length} (one per enhancement), got ${samples}`,
      { file: hdrFile },
    );
  }
  if (dataType !== 4 && dataType !== 5) {
    throw new PlumetraceError('PT_ERR_LUT_FORMAT', `data type ${dataType} is not float32 (4) or float64 (5)`, {
      file: hdrFile,
    });
  }
  if (byteOrder !== 0 && byteOrder !== 1) {
    throw new PlumetraceError('PT_ERR_LUT_FORMAT', `byte order must be 0 or 1, got ${byteOrder}`, { file: hdrFile });
  }
  if (interleave !== 'bsq' && interleave !== 'bil' && interleave !== 'bip') {
    throw new PlumetraceError('PT_ERR_LUT_FORMAT', `unknown interleave "${interleave}"`, { file: hdrFile });
  }
  const wavelengthNm = Float64Array.from(
    (fields.get('wavelength') ?? '').split(/[\s,]+/).filter((s) => s !== ''),
    Number,
  );
  if (wavelengthNm.length !== bands || wavelengthNm.some((w) => !Number.isFinite(w))) {
    throw new PlumetraceError(
      'PT_ERR_LUT_FORMAT',
      `"wavelength" must list ${bands} numbers (one per band), got ${wavelengthNm.length}`,
      { file: hdrFile },
    );
  }
  const units = (fields.get('wavelength units') ?? 'nanometers').toLowerCase();
  if (units === 'micrometers' || units === 'microns') for (let i = 0; i < bands; i++) wavelengthNm[i] *= 1000;
  else if (units !== 'nanometers') {
    throw new PlumetraceError('PT_ERR_LUT_FORMAT', `wavelength units "${units}" are not nanometers or micrometers`, {
      file: hdrFile,
    });
  }

  const bytesPer = dataType === 5 ? 8 : 4;
  const n = samples * bands;
  if (lutBytes.length !== offset + n * bytesPer) {
    throw new PlumetraceError(
      'PT_ERR_LUT_FORMAT',
      `the file holds ${lutBytes.length} bytes; the header describes ${offset} + ${n} × ${bytesPer}`,
      { file },
    );
  }
  const view = new DataView(lutBytes.buffer, lutBytes.byteOffset + offset, n * bytesPer);
  const little = byteOrder === 0;
  const radiance = new Float64Array(n);
  for (let b = 0; b < bands; b++) {
    for (let s = 0; s < samples; s++) {
      // lines = 1: BSQ and BIL are band-major ([band][sample]), BIP is sample-major ([sample][band]).
      const j = interleave === 'bip' ? s * bands + b : b * samples + s;
      const v = bytesPer === 8 ? view.getFloat64(j * 8, little) : view.getFloat32(j * 4, little);
      radiance[s * bands + b] = v;
    }
  }
  return { wavelengthNm, enhancementPpmM: Float64Array.from(mag1cLutFormat.enhancementPpmM), radiance };
}

/** Reads `lutPath` and its header (`<name>.hdr` beside it, else `<name>.lut.hdr`). */
export async function readMag1cLut(lutPath: string): Promise<AbsorptionTable> {
  const candidates = [lutPath.replace(/\.[^./]*$/, '') + '.hdr', `${lutPath}.hdr`];
  let headerText: string | undefined;
  for (const c of candidates) {
    try {
      headerText = await readFile(c, 'latin1');
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
  }
  if (headerText === undefined) {
    throw new PlumetraceError('PT_ERR_FILE_NOT_FOUND', `no ENVI header beside it (${candidates.join(' or ')})`, {
      file: lutPath,
    });
  }
  let bytes: Uint8Array;
  try {
    bytes = await readFile(lutPath);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new PlumetraceError('PT_ERR_FILE_NOT_FOUND', 'the look-up table does not exist', { file: lutPath });
    }
    throw e;
  }
  return parseMag1cLut(bytes, headerText, lutPath);
}
