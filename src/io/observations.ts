/**
 * One entry point for in-situ observation files: picks the reader by magic bytes (then by
 * extension) — PX4 ULog flight logs or plumetrace's in-situ CSV — and returns the series, the raw
 * bytes (for the content hash) and, when the file has one, the full-rate flight track.
 */
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { PlumetraceError } from '../core/errors.ts';
import type { InSituSeries } from '../core/types.ts';
import { parseInSituCsv } from './insitu-csv/parse.ts';
import { ulogFormat } from './ulog/format.ts';
import { parseULogInSitu } from './ulog/parse.ts';

export interface ObservationFile {
  format: 'insitu-csv' | 'ulog';
  series: InSituSeries;
  bytes: Uint8Array;
  /** Flight track at the position rate (ULog), when the file carries one. */
  track?: { timeMs: Float64Array; lat: Float64Array; lon: Float64Array; altM: Float64Array };
  warnings: string[];
}

export async function readObservationFile(path: string): Promise<ObservationFile> {
  const bytes = await readBytes(path);
  const isULog =
    ulogFormat.magic.every((b, i) => bytes[i] === b) ||
    (ulogFormat.extensions as readonly string[]).includes(extname(path).toLowerCase());
  if (isULog) {
    const r = await parseULogInSitu(bytes, path);
    return { format: 'ulog', series: r.series, bytes, track: r.track, warnings: r.warnings };
  }
  return { format: 'insitu-csv', series: parseInSituCsv(bytes, path), bytes, warnings: [] };
}

async function readBytes(path: string): Promise<Uint8Array> {
  try {
    return await readFile(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new PlumetraceError('PT_ERR_FILE_NOT_FOUND', 'no such file', { file: path });
    if (code === 'EISDIR')
      throw new PlumetraceError('PT_ERR_CSV_FORMAT', 'this is a directory, not a file', { file: path });
    throw new PlumetraceError('PT_ERR_FILE_NOT_FOUND', `cannot read the file (${code ?? 'unknown error'})`, {
      file: path,
    });
  }
}
