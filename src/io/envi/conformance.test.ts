/**
 * ENVI conformance: every interleave × writable data type × byte order (3 × 6 × 2 = 36 cubes).
 * Each cube is written by writeEnvi, its bytes compared with a reference encoder written here
 * independently (DataView, one value at a time, the ENVI offset formulas), then read back whole,
 * by windows (narrow, wide, band subsets in any order) and by streamed lines, and compared exactly
 * (bitwise, in float32, against Math.fround of what was written).
 */
import {
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  truncateSync,
  writeFileSync,
  readdirSync,
  renameSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PlumetraceError } from '../../core/errors.ts';
import type { NumericArray } from './codec.ts';
import type { CubeWindow } from './cube.ts';
import { type EnviByteOrder, type EnviDataType, type EnviInterleave, enviDataTypes } from './format.ts';
import { openEnvi } from './reader.ts';
import { createEnviWriter, writeEnvi } from './writer.ts';

const dir = mkdtempSync(join(tmpdir(), 'pt-envi-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const S = 7;
const L = 5;
const B = 4;
const N = S * L * B;

/** Test values for each type (BIP order), reaching both ends of the integer ranges. */
function valuesFor(type: EnviDataType): NumericArray {
  const lcg = (i: number) => (Math.imul(i + 1, 2654435761) >>> 0) / 2 ** 32; // deterministic in [0, 1)
  const spec = enviDataTypes[type];
  if (type === 'float32') {
    const bits = new Uint32Array(N);
    const specials = [0x80000000, 0x7f800000, 0xff800000, 0x00000001, 0x7f7fffff, 0x00800000, 0x3f800000];
    for (let i = 0; i < N; i++) {
      let b = Math.floor(lcg(i) * 2 ** 32) >>> 0;
      if ((b & 0x7f800000) === 0x7f800000) b &= 0xbfffffff; // no NaN/Inf from the generator
      bits[i] = i < specials.length ? specials[i] : b;
    }
    return new Float32Array(bits.buffer);
  }
  if (type === 'float64') {
    const v = new Float64Array(N);
    for (let i = 0; i < N; i++) v[i] = (lcg(i) - 0.5) * 10 ** ((i % 13) - 6);
    v[0] = -0;
    v[1] = Number.POSITIVE_INFINITY;
    v[2] = 1e-300; // underflows to 0 in float32
    v[3] = 3.4e38;
    return v;
  }
  const min = spec.min as number;
  const max = spec.max as number;
  const v = new Float64Array(N);
  for (let i = 0; i < N; i++) v[i] = min + Math.floor(lcg(i) * (max - min + 1));
  v[0] = min;
  v[1] = max;
  v[2] = 0;
  return v;
}

/** File offset (in values) of (line, sample, band): the ENVI definitions, written out again here. */
function fileIndex(il: EnviInterleave, l: number, s: number, b: number): number {
  if (il === 'bsq') return (b * L + l) * S + s;
  if (il === 'bil') return (l * B + b) * S + s;
  return (l * S + s) * B + b;
}

function referenceBytes(
  values: NumericArray,
  type: EnviDataType,
  il: EnviInterleave,
  order: EnviByteOrder,
): Uint8Array {
  const size = enviDataTypes[type].bytes;
  const out = new Uint8Array(N * size);
  const dv = new DataView(out.buffer);
  const le = order === 'little';
  for (let l = 0; l < L; l++) {
    for (let s = 0; s < S; s++) {
      for (let b = 0; b < B; b++) {
        const v = values[(l * S + s) * B + b];
        const o = fileIndex(il, l, s, b) * size;
        if (type === 'uint8') dv.setUint8(o, v);
        else if (type === 'int16') dv.setInt16(o, v, le);
        else if (type === 'uint16') dv.setUint16(o, v, le);
        else if (type === 'int32') dv.setInt32(o, v, le);
        else if (type === 'float32') dv.setFloat32(o, v, le);
        else dv.setFloat64(o, v, le);
      }
    }
  }
  return out;
}

/** The float32 bits a reader must return for value i. */
function expectedBits(values: NumericArray): Uint32Array {
  return new Uint32Array(Float32Array.from(values, (v) => Math.fround(v)).buffer);
}

function windowBits(all: Uint32Array, w: CubeWindow): Uint32Array {
  const bands = w.bands ? Array.from(w.bands) : [...Array(B).keys()];
  const out = new Uint32Array(w.lines * w.samples * bands.length);
  let o = 0;
  for (let l = w.line0; l < w.line0 + w.lines; l++) {
    for (let s = w.sample0; s < w.sample0 + w.samples; s++) for (const b of bands) out[o++] = all[(l * S + s) * B + b];
  }
  return out;
}

const bits = (a: Float32Array) => new Uint32Array(a.buffer, a.byteOffset, a.length);

const windows: CubeWindow[] = [
  { line0: 0, lines: L, sample0: 0, samples: S },
  { line0: 1, lines: 3, sample0: 2, samples: 2 }, // narrow: line by line
  { line0: 2, lines: 3, sample0: 1, samples: 5 }, // wide: lines grouped
  { line0: 4, lines: 1, sample0: 6, samples: 1 },
  { line0: 0, lines: 5, sample0: 0, samples: 7, bands: [3, 1] },
  { line0: 1, lines: 2, sample0: 3, samples: 4, bands: [2, 2, 0] },
  { line0: 3, lines: 2, sample0: 0, samples: 1, bands: [1] },
];

const types: EnviDataType[] = ['uint8', 'int16', 'int32', 'float32', 'float64', 'uint16'];
const cases = (['bsq', 'bil', 'bip'] as const).flatMap((il) =>
  types.flatMap((type) => (['little', 'big'] as const).map((order) => ({ il, type, order }))),
);

describe('ENVI conformance: write, compare bytes, read back', () => {
  it('covers 36 cases', () => expect(cases.length).toBe(36));

  it.each(cases)('$il $type $order', async ({ il, type, order }) => {
    const values = valuesFor(type);
    const base = join(dir, `c_${il}_${type}_${order}`);
    const meta = {
      samples: S,
      lines: L,
      bands: B,
      dataType: type,
      interleave: il,
      byteOrder: order,
      wavelength: [2100.5, 2200.25, 2300, 2400.125],
      wavelengthUnits: 'Nanometers' as const,
      bandNames: ['a', 'b', 'c', 'd'],
    };
    const { headerPath, dataPath } = await writeEnvi(base, meta, values);
    expect(new Uint8Array(readFileSync(dataPath))).toEqual(referenceBytes(values, type, il, order));

    const want = expectedBits(values);
    for (const maxReadBytes of [undefined, 64]) {
      const r = await openEnvi(headerPath, { maxReadBytes });
      try {
        expect(r.header.dataType).toBe(type);
        expect(r.header.interleave).toBe(il);
        expect(r.header.byteOrder).toBe(order);
        expect(Array.from(r.wavelengthNm ?? [])).toEqual(meta.wavelength);
        expect(r.bandNames).toEqual(meta.bandNames);
        for (const w of windows) expect(bits(await r.readWindow(w)), JSON.stringify(w)).toEqual(windowBits(want, w));
        expect(bits(await r.readLine(3))).toEqual(windowBits(want, { line0: 3, lines: 1, sample0: 0, samples: S }));
        const streamed: number[] = [];
        let next = 0;
        for await (const c of r.lineChunks({ chunkLines: 2 })) {
          expect(c.line0).toBe(next);
          expect(c.data.length).toBe(c.lines * S * B);
          next += c.lines;
          streamed.push(...bits(c.data));
        }
        expect(next).toBe(L);
        expect(Uint32Array.from(streamed)).toEqual(want);
        const part: number[] = [];
        for await (const c of r.lineChunks({ from: 1, to: 4, chunkLines: 3, bands: [0, 3] }))
          part.push(...bits(c.data));
        expect(Uint32Array.from(part)).toEqual(
          windowBits(want, { line0: 1, lines: 3, sample0: 0, samples: S, bands: [0, 3] }),
        );
      } finally {
        await r.close();
      }
    }
  });
});

describe('ENVI reader: files, sizes, errors', () => {
  const small = async (name: string, extra: Partial<Parameters<typeof writeEnvi>[1]> = {}, data?: NumericArray) => {
    const base = join(dir, name);
    const meta = { samples: 3, lines: 2, bands: 2, dataType: 'int16' as const, interleave: 'bil' as const, ...extra };
    return writeEnvi(base, meta, data ?? Float32Array.from({ length: 12 }, (_, i) => i - 5));
  };
  const errorOf = async (p: Promise<unknown>): Promise<PlumetraceError> => {
    try {
      await p;
    } catch (e) {
      if (e instanceof PlumetraceError) return e;
      throw e;
    }
    throw new Error('expected an error');
  };

  it('a truncated data file is PT_ERR_ENVI_SIZE naming expected and actual bytes', async () => {
    const { headerPath, dataPath } = await small('trunc');
    truncateSync(dataPath, 20);
    const e = await errorOf(openEnvi(headerPath));
    expect(e.code).toBe('PT_ERR_ENVI_SIZE');
    expect(e.message).toContain('expected 24 bytes, found 20');
    expect(e.message).toContain(dataPath);
  });

  it('a data file longer than the header says is PT_ERR_ENVI_SIZE unless allowed', async () => {
    const { headerPath, dataPath } = await small('long');
    writeFileSync(dataPath, Buffer.concat([readFileSync(dataPath), Buffer.alloc(2)]));
    const e = await errorOf(openEnvi(headerPath));
    expect(e.code).toBe('PT_ERR_ENVI_SIZE');
    expect(e.message).toContain('expected 24 bytes, found 26');
    const r = await openEnvi(headerPath, { allowTrailingBytes: true });
    expect(Array.from(await r.readLine(1))).toEqual([1, 2, 3, 4, 5, 6]);
    await r.close();
  });

  it('sizes that disagree (header says float64, data holds int16) are caught', async () => {
    const { headerPath } = await small('disagree');
    writeFileSync(headerPath, readFileSync(headerPath, 'latin1').replace('data type = 2', 'data type = 5'));
    const e = await errorOf(openEnvi(headerPath));
    expect(e.code).toBe('PT_ERR_ENVI_SIZE');
    expect(e.message).toContain('expected 96 bytes, found 24');
  });

  it('a missing required key is PT_ERR_ENVI_HEADER naming the key and the .hdr', async () => {
    const { headerPath } = await small('nokey');
    writeFileSync(headerPath, readFileSync(headerPath, 'latin1').replace(/interleave = bil\n/, ''));
    const e = await errorOf(openEnvi(headerPath));
    expect(e.code).toBe('PT_ERR_ENVI_HEADER');
    expect(e.message).toContain('"interleave"');
    expect(e.location.file).toBe(headerPath);
  });

  it('data ignore value becomes NaN (integer and float data)', async () => {
    const data = Float32Array.from([1, -9999, 3, 4, 5, -9999, 7, 8, 9, 10, 11, -9999]);
    for (const dataType of ['int16', 'float32', 'float64'] as const) {
      const { headerPath } = await small(`ignore_${dataType}`, { dataType, dataIgnoreValue: -9999 }, data);
      const r = await openEnvi(headerPath);
      expect(r.noDataValue).toBe(-9999);
      const all = await r.readWindow({ line0: 0, lines: 2, sample0: 0, samples: 3 });
      expect(Array.from(all)).toEqual(Array.from(data, (v) => (v === -9999 ? Number.NaN : v)));
      await r.close();
    }
    // The writer turns NaN into the ignore value, so NaN round-trips through integer files too.
    const nan = Float32Array.from(data, (v) => (v === -9999 ? Number.NaN : v));
    const { headerPath, dataPath } = await small('ignore_nan', { dataType: 'int16', dataIgnoreValue: -9999 }, nan);
    expect(readFileSync(dataPath).readInt16LE(6)).toBe(-9999); // BIL: pixel 0, band 1 is value 3
    const r = await openEnvi(headerPath);
    expect(Array.from(await r.readWindow({ line0: 0, lines: 2, sample0: 0, samples: 3 }))).toEqual(Array.from(nan));
    await r.close();
  });

  it('finds the data file as .img, .dat, .raw, no extension, or name.ext + .hdr; opens from the data path', async () => {
    const { headerPath, dataPath } = await small('find');
    const img = readFileSync(dataPath);
    const hdr = readFileSync(headerPath);
    const layouts: [string, string][] = [
      ['f1.hdr', 'f1.dat'],
      ['f2.hdr', 'f2.raw'],
      ['f3.hdr', 'f3'],
      ['f4.bil.hdr', 'f4.bil'],
      ['f5.hdr', 'f5.IMG'],
    ];
    for (const [h, d] of layouts) {
      writeFileSync(join(dir, h), hdr);
      writeFileSync(join(dir, d), img);
      const r = await openEnvi(join(dir, h));
      expect(r.dataPath).toBe(join(dir, d));
      expect(Array.from(await r.readLine(0))).toEqual([-5, -4, -3, -2, -1, 0]);
      await r.close();
      const r2 = await openEnvi(join(dir, d));
      expect(r2.headerPath).toBe(join(dir, h));
      await r2.close();
    }
    const e = await errorOf(openEnvi(join(dir, 'nothing.hdr')));
    expect(e.code).toBe('PT_ERR_FILE_NOT_FOUND');
    writeFileSync(join(dir, 'lonely.hdr'), hdr);
    const e2 = await errorOf(openEnvi(join(dir, 'lonely.hdr')));
    expect(e2.code).toBe('PT_ERR_FILE_NOT_FOUND');
    expect(e2.message).toContain('lonely.img');
  });

  it('a window outside the cube is PT_ERR_RASTER_WINDOW', async () => {
    const { headerPath } = await small('win');
    const r = await openEnvi(headerPath);
    for (const w of [
      { line0: 1, lines: 2, sample0: 0, samples: 1 },
      { line0: 0, lines: 1, sample0: -1, samples: 1 },
      { line0: 0, lines: 0, sample0: 0, samples: 1 },
      { line0: 0, lines: 1, sample0: 0, samples: 1, bands: [2] },
      { line0: 0, lines: 1, sample0: 0, samples: 1, bands: [] },
    ]) {
      expect((await errorOf(r.readWindow(w))).code).toBe('PT_ERR_RASTER_WINDOW');
    }
    await r.close();
  });
});

describe('ENVI writer', () => {
  const leftovers = (prefix: string) => readdirSync(dir).filter((f) => f.startsWith(prefix));

  it('streams lines (BSQ fills every band plane) and matches a one-shot write', async () => {
    const values = valuesFor('uint16');
    for (const interleave of ['bsq', 'bil', 'bip'] as const) {
      const meta = {
        samples: S,
        lines: L,
        bands: B,
        dataType: 'uint16' as const,
        interleave,
        byteOrder: 'big' as const,
      };
      const w = await createEnviWriter(join(dir, `stream_${interleave}`), meta);
      expect(leftovers(`stream_${interleave}.`).every((f) => f.includes('.tmp-'))).toBe(true);
      await w.writeLines(values.subarray(0, 2 * S * B));
      await w.writeLines(values.subarray(2 * S * B, 3 * S * B));
      await w.writeLines(values.subarray(3 * S * B));
      await w.close();
      const { dataPath } = await writeEnvi(join(dir, `oneshot_${interleave}`), meta, values);
      expect(readFileSync(join(dir, `stream_${interleave}.img`))).toEqual(readFileSync(dataPath));
      expect(leftovers(`stream_${interleave}.`).sort()).toEqual([
        `stream_${interleave}.hdr`,
        `stream_${interleave}.img`,
      ]);
    }
  });

  it('refuses out-of-range values, NaN in integers, wrong sizes and early close, leaving nothing behind', async () => {
    const meta = { samples: 2, lines: 2, bands: 1, dataType: 'uint8' as const, interleave: 'bip' as const };
    const attempts: [string, () => Promise<unknown>, string][] = [
      [
        'range',
        () => writeEnvi(join(dir, 'bad_range'), meta, Float32Array.of(1, 2, 256, 3)),
        'line 1, sample 0, band 0',
      ],
      ['nan', () => writeEnvi(join(dir, 'bad_nan'), meta, Float32Array.of(1, Number.NaN, 2, 3)), 'NaN'],
      ['len', () => writeEnvi(join(dir, 'bad_len'), meta, Float32Array.of(1, 2, 3)), '3 values'],
      [
        'early',
        async () => {
          const w = await createEnviWriter(join(dir, 'bad_early'), meta);
          await w.writeLines(Float32Array.of(1, 2));
          return w.close();
        },
        'only 1 of 2 lines',
      ],
    ];
    for (const [name, run, text] of attempts) {
      let err: unknown;
      try {
        await run();
      } catch (e) {
        err = e;
      }
      expect(err, name).toBeInstanceOf(PlumetraceError);
      expect((err as PlumetraceError).code).toBe('PT_ERR_RASTER_WRITE');
      expect((err as PlumetraceError).message).toContain(text);
      expect(leftovers(`bad_${name}`)).toEqual([]);
    }
  });

  it('replaces an existing cube only when the new one is complete', async () => {
    const meta = { samples: 2, lines: 1, bands: 1, dataType: 'float32' as const, interleave: 'bsq' as const };
    const { dataPath } = await writeEnvi(join(dir, 'replace'), meta, Float32Array.of(1, 2));
    const before = readFileSync(dataPath);
    await expect(
      writeEnvi(join(dir, 'replace'), { ...meta, dataType: 'uint8' }, Float32Array.of(1, 999)),
    ).rejects.toThrow(PlumetraceError);
    expect(readFileSync(dataPath)).toEqual(before);
    renameSync(dataPath, `${dataPath}.keep`);
    expect(statSync(`${dataPath}.keep`).size).toBe(8);
  });
});
