/**
 * ENVI reader: opens a header and its data file and reads windows, lines or a stream of lines
 * without loading the whole file. Output is float32 BIP (see cube.ts); every stored type and byte
 * order is converted, and `data ignore value` becomes NaN.
 *
 * Reads go through one FileHandle at computed offsets. A window is read as a few contiguous byte
 * ranges (several lines at once when the window is at least half the cube's width, else line by
 * line; BSQ reads each band's plane separately), each at most `maxReadBytes`, into one scratch
 * buffer that is decoded in place (typed-array views, byte swap only for the foreign byte order).
 */
import type { FileHandle } from 'node:fs/promises';
import { open, readFile, stat } from 'node:fs/promises';
import { PlumetraceError } from '../../core/errors.ts';
import { type CubeReader, type CubeWindow, checkWindow, type LineStreamOptions, streamLines } from './cube.ts';
import { decodeInPlace, hostByteOrder, ignoreComparand, type NumericArray } from './codec.ts';
import { enviDataTypes, enviFormat } from './format.ts';
import { type EnviHeader, parseEnviHeader } from './header.ts';

export interface EnviReader extends CubeReader {
  readonly format: 'envi';
  readonly header: EnviHeader;
  readonly headerPath: string;
  readonly dataPath: string;
}

export interface OpenEnviOptions {
  /** Accept a data file longer than the header implies (extra bytes at the end are ignored). Default false. */
  allowTrailingBytes?: boolean;
  /** Largest single read, bytes (default 16 MiB). A window needs one scratch buffer this large. */
  maxReadBytes?: number;
}

const MAX_HEADER_BYTES = 16 * 1024 * 1024;
/** Skipping this many bytes between lines is cheaper than issuing one more read. */
const GROUP_GAP_BYTES = 64 * 1024;
const MAX_READS_IN_FLIGHT = 64;

/** One contiguous range of the data file: `n` window lines from line `la` (BSQ: of output band k). */
interface Segment {
  start: number;
  count: number;
  la: number;
  n: number;
  k: number;
}

const align8 = (n: number): number => (n + 7) & ~7;

/** Finds the header and data file for a path naming either of them. */
export async function findEnviFiles(path: string): Promise<{ headerPath: string; dataPath: string }> {
  const isFile = async (p: string): Promise<boolean> => {
    try {
      return (await stat(p)).isFile();
    } catch {
      return false;
    }
  };
  const hdrExt = enviFormat.headerExtension;
  if (path.toLowerCase().endsWith(hdrExt)) {
    if (!(await isFile(path))) {
      throw new PlumetraceError('PT_ERR_FILE_NOT_FOUND', 'the ENVI header does not exist', { file: path });
    }
    const base = path.slice(0, -hdrExt.length);
    const tried: string[] = [];
    for (const ext of enviFormat.dataExtensions) {
      for (const e of ext === '' ? [''] : [ext, ext.toUpperCase()]) {
        const p = base + e;
        tried.push(p);
        if (await isFile(p)) return { headerPath: path, dataPath: p };
      }
    }
    throw new PlumetraceError(
      'PT_ERR_FILE_NOT_FOUND',
      `no data file beside the header (looked for ${tried.map((t) => t.slice(t.lastIndexOf('/') + 1)).join(', ')})`,
      { file: path },
    );
  }
  if (!(await isFile(path)))
    throw new PlumetraceError('PT_ERR_FILE_NOT_FOUND', 'the file does not exist', { file: path });
  const dot = path.lastIndexOf('.');
  const stem = dot > path.lastIndexOf('/') ? path.slice(0, dot) : path;
  for (const h of [path + hdrExt, path + hdrExt.toUpperCase(), stem + hdrExt, stem + hdrExt.toUpperCase()]) {
    if (await isFile(h)) return { headerPath: h, dataPath: path };
  }
  throw new PlumetraceError(
    'PT_ERR_FILE_NOT_FOUND',
    `no ENVI header (${path}.hdr or ${stem}.hdr) beside the data file`,
    {
      file: path,
    },
  );
}

/** Reads and parses a header file. */
export async function readEnviHeader(headerPath: string): Promise<EnviHeader> {
  let bytes: Buffer;
  try {
    const st = await stat(headerPath);
    if (st.size > MAX_HEADER_BYTES) {
      throw new PlumetraceError('PT_ERR_ENVI_HEADER', `${st.size} bytes is too large for an ENVI header`, {
        file: headerPath,
      });
    }
    bytes = await readFile(headerPath);
  } catch (e) {
    if (e instanceof PlumetraceError) throw e;
    throw new PlumetraceError(
      'PT_ERR_FILE_NOT_FOUND',
      'cannot read the ENVI header',
      { file: headerPath },
      { cause: e },
    );
  }
  if (bytes.length === 0)
    throw new PlumetraceError('PT_ERR_FILE_EMPTY', 'the ENVI header is empty', { file: headerPath });
  // Headers are ASCII; latin1 never fails to decode, so odd bytes end up in the magic check.
  return parseEnviHeader(bytes.toString('latin1'), headerPath);
}

/** Opens an ENVI cube; `path` is the .hdr or the data file. Call close() when done. */
export async function openEnvi(path: string, opts: OpenEnviOptions = {}): Promise<EnviReader> {
  const { headerPath, dataPath } = await findEnviFiles(path);
  const header = await readEnviHeader(headerPath);
  const bpv = enviDataTypes[header.dataType].bytes;
  const expected = header.headerOffset + header.samples * header.lines * header.bands * bpv;
  const actual = (await stat(dataPath)).size;
  const sizes = `header offset ${header.headerOffset} + ${header.samples} samples × ${header.lines} lines × ${header.bands} bands × ${bpv} bytes (${header.dataType}) = ${expected} bytes`;
  if (actual < expected) {
    throw new PlumetraceError(
      'PT_ERR_ENVI_SIZE',
      `the data file is truncated: expected ${expected} bytes, found ${actual} (${sizes}; header ${headerPath})`,
      { file: dataPath },
    );
  }
  if (actual > expected && !opts.allowTrailingBytes) {
    throw new PlumetraceError(
      'PT_ERR_ENVI_SIZE',
      `the data file is larger than its header says: expected ${expected} bytes, found ${actual} (${sizes}); the header's sizes or data type disagree with the data (header ${headerPath})`,
      { file: dataPath },
    );
  }
  const fh = await open(dataPath, 'r');
  return new EnviFileReader(header, headerPath, dataPath, fh, opts.maxReadBytes ?? 16 * 1024 * 1024);
}

/** Values in `units` → nanometres; undefined for units that are not lengths. */
function toNanometres(v: Float64Array | undefined, units: EnviHeader['wavelengthUnits']): Float64Array | undefined {
  const scale: Partial<Record<NonNullable<EnviHeader['wavelengthUnits']>, number>> = {
    Nanometers: 1,
    Micrometers: 1e3,
    Millimeters: 1e6,
    Centimeters: 1e7,
    Meters: 1e9,
  };
  const k = units === undefined ? undefined : scale[units];
  return v && k !== undefined ? v.map((x) => x * k) : undefined;
}

class EnviFileReader implements EnviReader {
  readonly format = 'envi' as const;
  readonly path: string;
  readonly header: EnviHeader;
  readonly headerPath: string;
  readonly dataPath: string;
  readonly lines: number;
  readonly samples: number;
  readonly bands: number;
  readonly wavelengthNm?: Float64Array;
  readonly fwhmNm?: Float64Array;
  readonly bandNames?: readonly string[];
  readonly noDataValue?: number;
  readonly #fh: FileHandle;
  readonly #maxReadBytes: number;
  readonly #bpv: number;
  readonly #cmp: number;
  #scratch: ArrayBuffer[] = [];
  #closed = false;

  constructor(header: EnviHeader, headerPath: string, dataPath: string, fh: FileHandle, maxReadBytes: number) {
    this.header = header;
    this.path = headerPath;
    this.headerPath = headerPath;
    this.dataPath = dataPath;
    this.#fh = fh;
    this.#maxReadBytes = maxReadBytes;
    this.lines = header.lines;
    this.samples = header.samples;
    this.bands = header.bands;
    this.#bpv = enviDataTypes[header.dataType].bytes;
    this.#cmp = ignoreComparand(header.dataType, header.dataIgnoreValue);
    if (header.dataIgnoreValue !== undefined) this.noDataValue = header.dataIgnoreValue;
    if (header.bandNames) this.bandNames = header.bandNames;
    const { wavelength: wl, fwhm, wavelengthUnits: u } = header;
    if (u === 'Wavenumber') {
      // Wavenumber (cm⁻¹) → nm; FWHM to first order: Δλ = 1e7·Δν / ν².
      if (wl) this.wavelengthNm = wl.map((x) => 1e7 / x);
      if (wl && fwhm) this.fwhmNm = fwhm.map((f, i) => (1e7 * f) / (wl[i] * wl[i]));
    } else {
      // Without units, the wavelengths' size decides (below 100: µm) and FWHM follows them.
      const units =
        u === undefined || u === 'Unknown' ? (wl && Math.max(...wl) < 100 ? 'Micrometers' : 'Nanometers') : u;
      const nmW = toNanometres(wl, units);
      const nmF = toNanometres(fwhm, units);
      if (nmW) this.wavelengthNm = nmW;
      if (nmF) this.fwhmNm = nmF;
    }
  }

  async readLine(line: number, bands?: ArrayLike<number>): Promise<Float32Array> {
    return this.readWindow({ line0: line, lines: 1, sample0: 0, samples: this.samples, bands });
  }

  lineChunks(opts?: LineStreamOptions) {
    return streamLines(this, opts);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#scratch = [];
    await this.#fh.close();
  }

  async readWindow(w: CubeWindow): Promise<Float32Array> {
    if (this.#closed) throw new PlumetraceError('PT_ERR_INTERNAL', 'read after close', { file: this.dataPath });
    const sel = checkWindow(w, this, this.dataPath);
    const { samples: S, lines: L, bands: B } = this;
    const { line0, lines: nl, sample0: s0, samples: ns } = w;
    const nb = sel ? sel.length : B;
    const out = new Float32Array(nl * ns * nb);
    let bmin = 0;
    let bmax = B - 1;
    if (sel) {
      bmin = B;
      bmax = 0;
      for (const b of sel) {
        bmin = Math.min(bmin, b);
        bmax = Math.max(bmax, b);
      }
    }
    const bpv = this.#bpv;
    const { interleave: il, dataType, byteOrder, headerOffset } = this.header;
    // Elements one line of the window spans in the file, and the stride from line to line.
    const lineSpan = il === 'bip' ? (ns - 1) * B + (bmax - bmin + 1) : il === 'bil' ? (bmax - bmin) * S + ns : ns;
    const lineStride = il === 'bsq' ? S : S * B;
    // Read several lines at once when the bytes skipped between them cost less than another read.
    const gapBytes = (lineStride - lineSpan) * bpv;
    const group = gapBytes <= GROUP_GAP_BYTES ? Math.max(1, Math.floor(this.#maxReadBytes / (lineStride * bpv))) : 1;
    // BIP float32 in the host's order, all bands, each read mapping 1:1 onto output: read straight into it.
    const direct =
      il === 'bip' && !sel && dataType === 'float32' && byteOrder === hostByteOrder && (ns === S || group === 1);

    const segments: Segment[] = [];
    for (let la = line0; la < line0 + nl; la += group) {
      const n = Math.min(group, line0 + nl - la);
      const count = (n - 1) * lineStride + lineSpan;
      if (il === 'bsq') {
        for (let k = 0; k < nb; k++) segments.push({ start: ((sel ? sel[k] : k) * L + la) * S + s0, count, la, n, k });
      } else {
        const start = il === 'bil' ? (la * B + bmin) * S + s0 : (la * S + s0) * B + bmin;
        segments.push({ start, count, la, n, k: 0 });
      }
    }
    // Batches of reads issued together (the thread pool overlaps them), bounded in bytes and count.
    const batches: Segment[][] = [];
    let scratchBytes = 0;
    for (let i = 0, bytes = 0; i < segments.length; i++) {
      const size = align8(segments[i].count * bpv);
      const last = batches[batches.length - 1];
      if (!last || bytes + size > this.#maxReadBytes || last.length >= MAX_READS_IN_FLIGHT) {
        batches.push([segments[i]]);
        bytes = size;
      } else {
        last.push(segments[i]);
        bytes += size;
      }
      scratchBytes = Math.max(scratchBytes, bytes);
    }
    const scratch = direct ? null : this.#takeScratch(scratchBytes);
    const cmp = this.#cmp;
    try {
      for (const batch of batches) {
        const views: Uint8Array[] = [];
        let off = 0;
        for (const seg of batch) {
          if (direct) {
            views.push(new Uint8Array(out.buffer, (seg.la - line0) * ns * B * 4, seg.count * 4));
          } else {
            views.push(new Uint8Array(scratch as ArrayBuffer, off, seg.count * bpv));
            off += align8(seg.count * bpv);
          }
        }
        await Promise.all(batch.map((seg, i) => this.#readFully(views[i], headerOffset + seg.start * bpv)));
        if (direct) continue;
        batch.forEach((seg, i) => {
          const src = decodeInPlace(views[i], dataType, byteOrder);
          const o0 = seg.la - line0;
          if (il === 'bsq') gatherBsq(src, out, o0, seg.n, ns, S, nb, seg.k, cmp);
          else if (il === 'bil') gatherBil(src, out, o0, seg.n, ns, S, B, nb, sel, bmin, cmp);
          else gatherBip(src, out, o0, seg.n, ns, S, B, nb, sel, bmin, cmp);
        });
      }
    } finally {
      if (scratch) this.#giveScratch(scratch);
    }
    if (direct && !Number.isNaN(cmp)) for (let i = 0; i < out.length; i++) if (out[i] === cmp) out[i] = Number.NaN;
    return out;
  }

  /** Scratch buffers are reused: fresh memory costs page faults that would dominate the reads. */
  #takeScratch(bytes: number): ArrayBuffer {
    const i = this.#scratch.findIndex((b) => b.byteLength >= bytes);
    return i >= 0 ? this.#scratch.splice(i, 1)[0] : new ArrayBuffer(bytes);
  }

  #giveScratch(b: ArrayBuffer): void {
    if (this.#scratch.length < 2) this.#scratch.push(b);
  }

  async #readFully(bytes: Uint8Array, position: number): Promise<void> {
    let off = 0;
    while (off < bytes.length) {
      const { bytesRead } = await this.#fh.read(bytes, off, bytes.length - off, position + off);
      if (bytesRead === 0) {
        throw new PlumetraceError(
          'PT_ERR_ENVI_SIZE',
          `the data file ended at byte ${position + off} while reading (it shrank after it was opened?)`,
          { file: this.dataPath },
        );
      }
      off += bytesRead;
    }
  }
}

// The gathers turn a block read from the file into BIP output rows [o0, o0 + n) of the window.
// Each `src` starts at the first element the block needs; `cmp` is the no-data value (NaN: none).

function gatherBip(
  src: NumericArray,
  out: Float32Array,
  o0: number,
  n: number,
  ns: number,
  S: number,
  B: number,
  nb: number,
  sel: Int32Array | null,
  bmin: number,
  cmp: number,
): void {
  for (let l = 0; l < n; l++) {
    const srcLine = l * S * B - bmin;
    const outLine = (o0 + l) * ns * nb;
    if (!sel) {
      const run = src.subarray(srcLine, srcLine + ns * B);
      out.set(run, outLine);
      if (!Number.isNaN(cmp)) for (let i = 0; i < run.length; i++) if (run[i] === cmp) out[outLine + i] = Number.NaN;
      continue;
    }
    for (let s = 0; s < ns; s++) {
      const sp = srcLine + s * B;
      const op = outLine + s * nb;
      for (let k = 0; k < nb; k++) {
        const v = src[sp + sel[k]];
        out[op + k] = v === cmp ? Number.NaN : v;
      }
    }
  }
}

function gatherBil(
  src: NumericArray,
  out: Float32Array,
  o0: number,
  n: number,
  ns: number,
  S: number,
  B: number,
  nb: number,
  sel: Int32Array | null,
  bmin: number,
  cmp: number,
): void {
  for (let l = 0; l < n; l++) {
    const outLine = (o0 + l) * ns * nb;
    for (let k = 0; k < nb; k++) {
      const b = sel ? sel[k] : k;
      const sp = (l * B + b - bmin) * S;
      for (let s = 0; s < ns; s++) {
        const v = src[sp + s];
        out[outLine + s * nb + k] = v === cmp ? Number.NaN : v;
      }
    }
  }
}

function gatherBsq(
  src: NumericArray,
  out: Float32Array,
  o0: number,
  n: number,
  ns: number,
  S: number,
  nb: number,
  k: number,
  cmp: number,
): void {
  for (let l = 0; l < n; l++) {
    const sp = l * S;
    const op = (o0 + l) * ns * nb + k;
    for (let s = 0; s < ns; s++) {
      const v = src[sp + s];
      out[op + s * nb] = v === cmp ? Number.NaN : v;
    }
  }
}
