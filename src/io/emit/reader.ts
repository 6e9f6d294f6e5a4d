/**
 * EMIT L1B radiance reader (layout in format.ts) behind the same CubeReader contract as ENVI:
 * windows, lines and line streams as float32 BIP, fill values as NaN. Reads are hyperslabs through
 * h5wasm, so only the window asked for is read (and decompressed, for chunked files).
 *
 * h5wasm is synchronous; the async methods keep the contract of the other readers.
 */
import { open as openFile, stat } from 'node:fs/promises';
import h5wasm from 'h5wasm/node';
import { PlumetraceError } from '../../core/errors.ts';
import { type CubeReader, type CubeWindow, checkWindow, type LineStreamOptions, streamLines } from '../envi/cube.ts';
import { emitL1bRadianceFormat, isHdf5Signature, isNetcdf3Signature } from './format.ts';

type H5File = InstanceType<typeof h5wasm.File>;
type H5Dataset = InstanceType<typeof h5wasm.Dataset>;

export interface EmitReader extends CubeReader {
  readonly format: 'emit';
  readonly wavelengthNm: Float64Array;
  /** Root attributes of the file that are strings or numbers (e.g. time_coverage_start). */
  readonly attributes: Readonly<Record<string, string | number | number[]>>;
  /** Per-pixel latitude and longitude (degrees) of a window, line-major [lines × samples]. */
  readLocation(w: Omit<CubeWindow, 'bands'>): Promise<{ lat: Float64Array; lon: Float64Array }>;
}

/** Opens an EMIT L1B radiance file. Call close() when done. */
export async function openEmit(path: string): Promise<EmitReader> {
  await checkSignature(path);
  await h5wasm.ready;
  const bad = (why: string, cause?: unknown): never => {
    throw new PlumetraceError('PT_ERR_EMIT_FORMAT', why, { file: path }, { cause });
  };
  let f: H5File | undefined;
  try {
    f = new h5wasm.File(path, 'r');
    if (f.file_id < 0n) bad('the HDF5 library cannot open it (corrupt or truncated?)');
    const P = emitL1bRadianceFormat.paths;
    const dataset = (p: string, required: boolean): H5Dataset | undefined => {
      let e: ReturnType<H5File['get']>;
      try {
        e = (f as H5File).get(p);
      } catch (err) {
        return bad(`cannot read "${p}" (corrupt file?)`, err);
      }
      if (e instanceof h5wasm.Dataset) return e;
      if (required)
        bad(`"${p}" is missing or not a dataset; an EMIT L1B radiance file has ${Object.values(P).join(', ')}`);
      return undefined;
    };
    const rad = dataset(P.radiance, true) as H5Dataset;
    const shape = rad.shape;
    const meta = rad.metadata;
    if (shape?.length !== 3) bad(`"radiance" has shape [${shape?.join(', ')}], not [downtrack, crosstrack, bands]`);
    const [lines, samples, bands] = shape as number[];
    if (meta.type !== 1 || (meta.size !== 4 && meta.size !== 8)) {
      bad(`"radiance" is not float32/float64 (HDF5 type class ${meta.type}, ${meta.size} bytes)`);
    }
    const vector = (p: string, required: boolean): Float64Array | undefined => {
      const d = dataset(p, required);
      if (!d) return undefined;
      const v = d.value;
      if (!ArrayBuffer.isView(v) || (d.shape?.length ?? 0) !== 1 || (d.shape as number[])[0] !== bands) {
        return bad(`"${p}" must hold ${bands} numbers (one per radiance band); found shape [${d.shape?.join(', ')}]`);
      }
      return Float64Array.from(v as unknown as ArrayLike<number>);
    };
    const wavelengthNm = vector(P.wavelengths, true) as Float64Array;
    const fwhmNm = vector(P.fwhm, false);
    for (const p of [P.lat, P.lon]) {
      const s = (dataset(p, true) as H5Dataset).shape;
      if (s?.length !== 2 || s[0] !== lines || s[1] !== samples) {
        bad(
          `"${p}" has shape [${s?.join(', ')}]; it must be [${lines}, ${samples}] like radiance's first two dimensions`,
        );
      }
    }
    const fillAttr = rad.attrs[emitL1bRadianceFormat.fillValueAttribute]?.value;
    const fill =
      fillAttr !== undefined && fillAttr !== null && ArrayBuffer.isView(fillAttr)
        ? Number((fillAttr as unknown as ArrayLike<number>)[0])
        : typeof fillAttr === 'number'
          ? fillAttr
          : emitL1bRadianceFormat.defaultFillValue;
    const attributes: Record<string, string | number | number[]> = {};
    for (const [name, a] of Object.entries(f.attrs)) {
      try {
        const v = a.json_value;
        if (typeof v === 'string' || typeof v === 'number') attributes[name] = v;
        else if (Array.isArray(v) && v.every((x) => typeof x === 'number')) attributes[name] = v as number[];
      } catch {
        // Attributes of types we do not use (references, compounds) are skipped.
      }
    }
    return new EmitFileReader(path, f, rad, { lines, samples, bands }, wavelengthNm, fwhmNm, fill, attributes);
  } catch (e) {
    if (f && f.file_id >= 0n) f.close();
    if (e instanceof PlumetraceError) throw e;
    return bad('cannot read it as HDF5/NetCDF-4', e);
  }
}

async function checkSignature(path: string): Promise<void> {
  let size: number;
  try {
    const st = await stat(path);
    if (!st.isFile()) throw new Error('not a file');
    size = st.size;
  } catch (e) {
    throw new PlumetraceError('PT_ERR_FILE_NOT_FOUND', 'the EMIT file does not exist', { file: path }, { cause: e });
  }
  if (size === 0) throw new PlumetraceError('PT_ERR_FILE_EMPTY', 'the file is empty (0 bytes)', { file: path });
  const fh = await openFile(path, 'r');
  try {
    const head = new Uint8Array(8);
    for (const off of emitL1bRadianceFormat.magicOffsets) {
      if (off + 8 > size) break;
      await fh.read(head, 0, 8, off);
      if (isHdf5Signature(head)) return;
      if (off === 0 && isNetcdf3Signature(head)) {
        throw new PlumetraceError(
          'PT_ERR_EMIT_FORMAT',
          'this is a NetCDF-3 classic file; EMIT L1B products are NetCDF-4 (HDF5)',
          { file: path },
        );
      }
    }
  } finally {
    await fh.close();
  }
  throw new PlumetraceError('PT_ERR_EMIT_FORMAT', 'not an HDF5/NetCDF-4 file (no HDF5 signature)', { file: path });
}

class EmitFileReader implements EmitReader {
  readonly format = 'emit' as const;
  readonly path: string;
  readonly lines: number;
  readonly samples: number;
  readonly bands: number;
  readonly wavelengthNm: Float64Array;
  readonly fwhmNm?: Float64Array;
  readonly noDataValue: number;
  readonly attributes: Readonly<Record<string, string | number | number[]>>;
  readonly #file: H5File;
  readonly #rad: H5Dataset;
  #closed = false;

  constructor(
    path: string,
    file: H5File,
    rad: H5Dataset,
    dims: { lines: number; samples: number; bands: number },
    wavelengthNm: Float64Array,
    fwhmNm: Float64Array | undefined,
    fill: number,
    attributes: Record<string, string | number | number[]>,
  ) {
    this.path = path;
    this.#file = file;
    this.#rad = rad;
    this.lines = dims.lines;
    this.samples = dims.samples;
    this.bands = dims.bands;
    this.wavelengthNm = wavelengthNm;
    if (fwhmNm) this.fwhmNm = fwhmNm;
    this.noDataValue = fill;
    this.attributes = attributes;
  }

  async readWindow(w: CubeWindow): Promise<Float32Array> {
    this.#open();
    const sel = checkWindow(w, this, this.path);
    let bmin = 0;
    let bmax = this.bands - 1;
    if (sel) {
      bmin = Math.min(...sel);
      bmax = Math.max(...sel);
    }
    const block = this.#slice(this.#rad, [
      [w.line0, w.line0 + w.lines],
      [w.sample0, w.sample0 + w.samples],
      [bmin, bmax + 1],
    ]);
    const nPix = w.lines * w.samples;
    const nb = sel ? sel.length : this.bands;
    // float32 in both the file and the output: the slice is already a fresh BIP copy.
    const out = !sel && block instanceof Float32Array ? block : new Float32Array(nPix * nb);
    const cmp = block instanceof Float32Array ? Math.fround(this.noDataValue) : this.noDataValue;
    if (out === block) {
      for (let i = 0; i < out.length; i++) if (out[i] === cmp) out[i] = Number.NaN;
      return out;
    }
    const width = bmax - bmin + 1;
    for (let p = 0; p < nPix; p++) {
      const sp = p * width - bmin;
      const op = p * nb;
      for (let k = 0; k < nb; k++) {
        const v = block[sp + (sel ? sel[k] : k)];
        out[op + k] = v === cmp ? Number.NaN : v;
      }
    }
    return out;
  }

  async readLine(line: number, bands?: ArrayLike<number>): Promise<Float32Array> {
    return this.readWindow({ line0: line, lines: 1, sample0: 0, samples: this.samples, bands });
  }

  lineChunks(opts?: LineStreamOptions) {
    return streamLines(this, opts);
  }

  async readLocation(w: Omit<CubeWindow, 'bands'>): Promise<{ lat: Float64Array; lon: Float64Array }> {
    this.#open();
    checkWindow(w, this, this.path);
    const ranges: [number, number][] = [
      [w.line0, w.line0 + w.lines],
      [w.sample0, w.sample0 + w.samples],
    ];
    const read = (p: string) => Float64Array.from(this.#slice(this.#file.get(p) as H5Dataset, ranges));
    return { lat: read(emitL1bRadianceFormat.paths.lat), lon: read(emitL1bRadianceFormat.paths.lon) };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#file.close();
  }

  #open(): void {
    if (this.#closed) throw new PlumetraceError('PT_ERR_INTERNAL', 'read after close', { file: this.path });
  }

  #slice(d: H5Dataset, ranges: [number, number][]): Float32Array | Float64Array {
    let v: unknown;
    try {
      v = d.slice(ranges);
    } catch (e) {
      throw new PlumetraceError(
        'PT_ERR_EMIT_FORMAT',
        `reading "${d.path}" failed (corrupt file?)`,
        { file: this.path },
        { cause: e },
      );
    }
    if (v instanceof Float32Array || v instanceof Float64Array) return v;
    throw new PlumetraceError('PT_ERR_EMIT_FORMAT', `"${d.path}" did not read as floating point`, { file: this.path });
  }
}
