/**
 * The reader contract every imaging-spectrometer cube format fulfils (ENVI here, EMIT in ../emit).
 *
 * Output layout: every read returns a Float32Array in BIP order (band-interleaved-by-pixel) —
 * line-major, then sample, then band, so each pixel's spectrum is contiguous:
 *
 *   value(line l, sample s, band k) = out[((l − line0) · samples + (s − sample0)) · nBands + k]
 *
 * where `samples` is the window's width and k indexes the requested bands in the order asked. BIP
 * suits the spectral kernels (each pixel's spectrum is one contiguous vector) and is EMIT's native
 * order. Values are converted to float32 whatever the stored type; no-data values become NaN.
 *
 * Lines are the along-track (downtrack) dimension, samples the cross-track dimension. Indices are
 * 0-based.
 */
import { PlumetraceError } from '../../core/errors.ts';

export interface CubeWindow {
  line0: number;
  lines: number;
  sample0: number;
  samples: number;
  /** 0-based band indices, in the order wanted in the output; all bands when absent. */
  bands?: ArrayLike<number>;
}

export interface LineChunk {
  /** First line of the chunk (0-based) and how many lines it holds. */
  line0: number;
  lines: number;
  /** BIP: lines × samples × bands (all samples of the cube; the bands asked for). */
  data: Float32Array;
}

export interface LineStreamOptions {
  /** First line (default 0) and one past the last line (default: all lines). */
  from?: number;
  to?: number;
  /** Lines per chunk; default: as many as fit in about 8 MB of output. */
  chunkLines?: number;
  bands?: ArrayLike<number>;
}

export interface CubeReader {
  /** Format id (`envi`, `emit`). */
  readonly format: string;
  /** The file that was opened (ENVI: the header). */
  readonly path: string;
  readonly lines: number;
  readonly samples: number;
  readonly bands: number;
  /** Band centre wavelengths in nanometres, when the file says (or implies) them. */
  readonly wavelengthNm?: Float64Array;
  readonly fwhmNm?: Float64Array;
  readonly bandNames?: readonly string[];
  /** The value in the file that marks no data (already turned into NaN by the reads). */
  readonly noDataValue?: number;
  /** A window, BIP (see the module comment). */
  readWindow(w: CubeWindow): Promise<Float32Array>;
  /** One whole line, BIP: samples × bands. */
  readLine(line: number, bands?: ArrayLike<number>): Promise<Float32Array>;
  /** Streams whole lines in chunks; holds at most two chunks in memory (one being read ahead). */
  lineChunks(opts?: LineStreamOptions): AsyncGenerator<LineChunk, void, undefined>;
  close(): Promise<void>;
}

/** Checks a window against the cube size; returns the band list as Int32Array (null = all bands). */
export function checkWindow(
  w: CubeWindow,
  dims: { lines: number; samples: number; bands: number },
  file: string,
): Int32Array | null {
  const bad = (why: string): never => {
    throw new PlumetraceError('PT_ERR_RASTER_WINDOW', why, { file });
  };
  const range = (name: string, start: number, count: number, size: number) => {
    if (!Number.isInteger(start) || !Number.isInteger(count) || count < 1 || start < 0 || start + count > size) {
      bad(`${name} ${start}..${start + count - 1} (count ${count}) is outside 0..${size - 1}`);
    }
  };
  range('lines', w.line0, w.lines, dims.lines);
  range('samples', w.sample0, w.samples, dims.samples);
  if (w.bands === undefined) return null;
  if (w.bands.length === 0) bad('the band list is empty');
  const out = new Int32Array(w.bands.length);
  for (let i = 0; i < w.bands.length; i++) {
    const b = w.bands[i];
    if (!Number.isInteger(b) || b < 0 || b >= dims.bands) bad(`band ${b} is outside 0..${dims.bands - 1}`);
    out[i] = b;
  }
  return out;
}

/** Default lines per streamed chunk: about 8 MB of float32 output, at least 1. */
export function defaultChunkLines(samples: number, bands: number): number {
  return Math.max(1, Math.floor((8 * 1024 * 1024) / (samples * bands * 4)));
}

/**
 * Generic line streaming on top of readWindow, reading one chunk ahead. Shared by the readers so
 * the streaming behaviour (bounds, prefetch, early exit) is the same for every format.
 */
export async function* streamLines(
  reader: Pick<CubeReader, 'lines' | 'samples' | 'bands' | 'readWindow' | 'path'>,
  opts: LineStreamOptions = {},
): AsyncGenerator<LineChunk, void, undefined> {
  const from = opts.from ?? 0;
  const to = opts.to ?? reader.lines;
  const nBands = opts.bands?.length ?? reader.bands;
  const chunk = opts.chunkLines ?? defaultChunkLines(reader.samples, nBands);
  if (!Number.isInteger(from) || !Number.isInteger(to) || from < 0 || to > reader.lines || from > to) {
    throw new PlumetraceError('PT_ERR_RASTER_WINDOW', `line range ${from}..${to} is outside 0..${reader.lines}`, {
      file: reader.path,
    });
  }
  if (!Number.isInteger(chunk) || chunk < 1) {
    throw new PlumetraceError('PT_ERR_RASTER_WINDOW', `chunkLines ${chunk} is not a positive integer`, {
      file: reader.path,
    });
  }
  const read = (l: number) =>
    reader.readWindow({
      line0: l,
      lines: Math.min(chunk, to - l),
      sample0: 0,
      samples: reader.samples,
      bands: opts.bands,
    });
  let next: Promise<Float32Array> | null = from < to ? read(from) : null;
  try {
    for (let l = from; l < to; l += chunk) {
      const data = await (next as Promise<Float32Array>);
      const n = Math.min(chunk, to - l);
      next = l + chunk < to ? read(l + chunk) : null;
      yield { line0: l, lines: n, data };
    }
  } finally {
    // The consumer stopped early: let the read-ahead finish quietly.
    next?.catch(() => {});
  }
}
