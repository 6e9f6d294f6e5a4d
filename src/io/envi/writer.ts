/**
 * ENVI writer: `<base>.img` + `<base>.hdr`, written under temporary names and renamed into place
 * only when complete (data first, then the header), so a reader never finds a header whose data is
 * half-written, and a failed write leaves nothing behind.
 *
 * Input is BIP, the layout every reader returns (see cube.ts): value(l, s, b) at
 * ((l · samples) + s) · bands + b. Any numeric typed array is accepted. Integer types round to the
 * nearest integer and refuse values out of range; NaN is written as `dataIgnoreValue` (integer types
 * refuse NaN when there is none). Float types keep NaN unless `dataIgnoreValue` is given.
 */
import { randomUUID } from 'node:crypto';
import { type FileHandle, open, rename, rm } from 'node:fs/promises';
import { PlumetraceError } from '../../core/errors.ts';
import { encodeValues, type NumericArray } from './codec.ts';
import { type EnviByteOrder, type EnviDataType, type EnviInterleave, enviDataTypes } from './format.ts';
import { type EnviHeader, type EnviMapInfo, serializeEnviHeader } from './header.ts';

export interface EnviWriteOptions {
  samples: number;
  lines: number;
  bands: number;
  dataType: EnviDataType;
  interleave: EnviInterleave;
  /** Default: little. */
  byteOrder?: EnviByteOrder;
  wavelength?: ArrayLike<number>;
  fwhm?: ArrayLike<number>;
  wavelengthUnits?: EnviHeader['wavelengthUnits'];
  mapInfo?: EnviMapInfo;
  coordinateSystemString?: string;
  dataIgnoreValue?: number;
  bandNames?: string[];
  badBandList?: ArrayLike<number>;
  description?: string;
  sensorType?: string;
  /** Further header keys (lower case) → value text, written verbatim. */
  extra?: Record<string, string>;
}

export interface EnviWriter {
  readonly headerPath: string;
  readonly dataPath: string;
  readonly header: EnviHeader;
  /** Lines written so far. */
  readonly linesWritten: number;
  /** Appends whole lines, BIP (lines × samples × bands values). Await each call before the next. */
  writeLines(data: NumericArray): Promise<void>;
  /** Checks every line was written, then puts the files in place. */
  close(): Promise<{ headerPath: string; dataPath: string }>;
  /** Drops everything written; nothing is left on disk. */
  abort(): Promise<void>;
}

/** `<base>.hdr` and `<base>.img`; a trailing .hdr or .img on `basePath` is dropped. */
export function enviPaths(basePath: string): { headerPath: string; dataPath: string } {
  const base = basePath.replace(/\.(hdr|img)$/i, '');
  return { headerPath: `${base}.hdr`, dataPath: `${base}.img` };
}

function headerFor(o: EnviWriteOptions): EnviHeader {
  const h: EnviHeader = {
    samples: o.samples,
    lines: o.lines,
    bands: o.bands,
    headerOffset: 0,
    dataType: o.dataType,
    interleave: o.interleave,
    byteOrder: o.byteOrder ?? 'little',
    fileType: 'ENVI Standard',
    extra: { ...(o.extra ?? {}) },
  };
  if (o.description !== undefined) h.description = o.description;
  if (o.sensorType !== undefined) h.sensorType = o.sensorType;
  if (o.wavelength) h.wavelength = Float64Array.from(o.wavelength);
  if (o.fwhm) h.fwhm = Float64Array.from(o.fwhm);
  if (o.wavelengthUnits !== undefined) h.wavelengthUnits = o.wavelengthUnits;
  if (o.dataIgnoreValue !== undefined) h.dataIgnoreValue = o.dataIgnoreValue;
  if (o.mapInfo) h.mapInfo = o.mapInfo;
  if (o.coordinateSystemString !== undefined) h.coordinateSystemString = o.coordinateSystemString;
  if (o.bandNames) h.bandNames = [...o.bandNames];
  if (o.badBandList) h.badBandList = Uint8Array.from(o.badBandList);
  return h;
}

/** Opens a streaming writer. Nothing appears under the final names until close(). */
export async function createEnviWriter(basePath: string, opts: EnviWriteOptions): Promise<EnviWriter> {
  const { headerPath, dataPath } = enviPaths(basePath);
  const header = headerFor(opts);
  const headerText = serializeEnviHeader(header, headerPath); // validates before anything is written
  const spec = enviDataTypes[header.dataType];
  if (!spec.writable) {
    throw new PlumetraceError('PT_ERR_RASTER_WRITE', `data type ${header.dataType} can be read but not written`, {
      file: dataPath,
    });
  }
  const tag = `.tmp-${process.pid}-${randomUUID().slice(0, 8)}`;
  const tmpData = dataPath + tag;
  const tmpHeader = headerPath + tag;
  let fh: FileHandle | null;
  try {
    fh = await open(tmpData, 'wx');
    // BSQ writes each chunk into every band plane: give the file its full size up front.
    if (header.interleave === 'bsq') await fh.truncate(header.samples * header.lines * header.bands * spec.bytes);
  } catch (e) {
    await rm(tmpData, { force: true });
    throw new PlumetraceError('PT_ERR_RASTER_WRITE', `cannot create ${tmpData}`, { file: dataPath }, { cause: e });
  }
  const { samples: S, lines: L, bands: B, interleave } = header;
  const bpv = spec.bytes;
  let written = 0;
  let busy = false;
  let done = false;

  const fail = async (e: unknown): Promise<never> => {
    await abort();
    if (e instanceof PlumetraceError) throw e;
    throw new PlumetraceError(
      'PT_ERR_RASTER_WRITE',
      'writing failed; nothing was kept',
      { file: dataPath },
      { cause: e },
    );
  };
  const abort = async (): Promise<void> => {
    done = true;
    const h = fh;
    fh = null;
    await h?.close().catch(() => {});
    await rm(tmpData, { force: true });
    await rm(tmpHeader, { force: true });
  };
  const writeAt = async (bytes: Uint8Array, position: number): Promise<void> => {
    let off = 0;
    while (off < bytes.length) {
      const { bytesWritten } = await (fh as FileHandle).write(bytes, off, bytes.length - off, position + off);
      off += bytesWritten;
    }
  };

  const writer: EnviWriter = {
    headerPath,
    dataPath,
    header,
    get linesWritten() {
      return written;
    },
    async writeLines(data: NumericArray): Promise<void> {
      if (done || !fh) throw new PlumetraceError('PT_ERR_RASTER_WRITE', 'the writer is closed', { file: dataPath });
      if (busy) {
        throw new PlumetraceError('PT_ERR_RASTER_WRITE', 'writeLines called before the previous call finished', {
          file: dataPath,
        });
      }
      const perLine = S * B;
      const n = data.length / perLine;
      if (!Number.isInteger(n) || n < 1 || written + n > L) {
        return fail(
          new PlumetraceError(
            'PT_ERR_RASTER_WRITE',
            `got ${data.length} values: not a whole number of lines of ${S} samples × ${B} bands, or more than the ${L - written} lines left`,
            { file: dataPath },
          ),
        );
      }
      busy = true;
      try {
        const line0 = written;
        const { values, where } = toFileOrder(data, n, S, B, interleave, line0);
        const bytes = encodeValues(values, header.dataType, header.byteOrder, header.dataIgnoreValue, where, dataPath);
        if (interleave === 'bsq') {
          const plane = n * S * bpv;
          for (let b = 0; b < B; b++) {
            await writeAt(bytes.subarray(b * plane, (b + 1) * plane), (b * L + line0) * S * bpv);
          }
        } else {
          await writeAt(bytes, line0 * perLine * bpv);
        }
        written += n;
      } catch (e) {
        return fail(e);
      } finally {
        busy = false;
      }
    },
    async close() {
      if (done || !fh) throw new PlumetraceError('PT_ERR_RASTER_WRITE', 'the writer is closed', { file: dataPath });
      if (written !== L) {
        return fail(
          new PlumetraceError('PT_ERR_RASTER_WRITE', `only ${written} of ${L} lines were written`, { file: dataPath }),
        );
      }
      try {
        await fh.sync();
        await fh.close();
        fh = null;
        const hh = await open(tmpHeader, 'wx');
        try {
          await hh.writeFile(headerText, 'latin1');
          await hh.sync();
        } finally {
          await hh.close();
        }
        await rename(tmpData, dataPath);
        await rename(tmpHeader, headerPath);
        done = true;
        return { headerPath, dataPath };
      } catch (e) {
        return fail(e);
      }
    },
    abort,
  };
  return writer;
}

/** Writes a whole cube (BIP input) in one call. */
export async function writeEnvi(
  basePath: string,
  opts: EnviWriteOptions,
  data: NumericArray,
): Promise<{ headerPath: string; dataPath: string }> {
  const expected = opts.samples * opts.lines * opts.bands;
  if (data.length !== expected) {
    throw new PlumetraceError(
      'PT_ERR_RASTER_WRITE',
      `got ${data.length} values for ${opts.samples} samples × ${opts.lines} lines × ${opts.bands} bands = ${expected}`,
      { file: enviPaths(basePath).dataPath },
    );
  }
  const w = await createEnviWriter(basePath, opts);
  // Chunks of about 16 MB keep the encode buffers bounded.
  const perLine = opts.samples * opts.bands;
  const chunk = Math.max(1, Math.floor((16 * 1024 * 1024) / (perLine * 8)));
  for (let l = 0; l < opts.lines; l += chunk) {
    await w.writeLines(data.subarray(l * perLine, Math.min(opts.lines, l + chunk) * perLine));
  }
  return w.close();
}

/**
 * Reorders n BIP lines into the file's interleave (BSQ: band-major planes of these n lines) and
 * says, for an index of the result, which line/sample/band it is.
 */
function toFileOrder(
  data: NumericArray,
  n: number,
  S: number,
  B: number,
  il: EnviInterleave,
  line0: number,
): { values: NumericArray; where: (i: number) => string } {
  const at = (l: number, s: number, b: number) => `line ${line0 + l}, sample ${s}, band ${b}`;
  if (il === 'bip') {
    return { values: data, where: (i) => at(Math.floor(i / (S * B)), Math.floor(i / B) % S, i % B) };
  }
  const out = new (data.constructor as new (len: number) => NumericArray)(data.length);
  if (il === 'bil') {
    for (let l = 0; l < n; l++) {
      for (let s = 0; s < S; s++) {
        const src = (l * S + s) * B;
        const dst = l * B * S + s;
        for (let b = 0; b < B; b++) out[dst + b * S] = data[src + b];
      }
    }
    return { values: out, where: (i) => at(Math.floor(i / (S * B)), i % S, Math.floor(i / S) % B) };
  }
  const plane = n * S;
  for (let l = 0; l < n; l++) {
    for (let s = 0; s < S; s++) {
      const src = (l * S + s) * B;
      const dst = l * S + s;
      for (let b = 0; b < B; b++) out[dst + b * plane] = data[src + b];
    }
  }
  return { values: out, where: (i) => at(Math.floor((i % plane) / S), i % S, Math.floor(i / plane)) };
}
