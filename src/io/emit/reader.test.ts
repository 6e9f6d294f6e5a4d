/**
 * Writes small files in the EMIT L1B layout with h5wasm (20 downtrack × 16 crosstrack × 30 bands,
 * contiguous and chunked+gzip like the products) and reads them back through the CubeReader API.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import h5wasm from 'h5wasm/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PlumetraceError } from '../../core/errors.ts';
import { openEmit } from './reader.ts';

const dir = mkdtempSync(join(tmpdir(), 'pt-emit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const DT = 20;
const CT = 16;
const NB = 30;
const FILL = -9999;
/** Radiance at (downtrack l, crosstrack s, band b); a few pixels are fill. */
const value = (l: number, s: number, b: number) => (l === 3 && s === 5 ? FILL : l * 100 + s + b / 64);
const wavelengths = Float32Array.from({ length: NB }, (_, b) => 381.0056 + b * 7.4216);
const fwhm = Float32Array.from({ length: NB }, (_, b) => 8.5 + b * 0.01);

interface Options {
  chunked?: boolean;
  omit?: string;
  wavelengthCount?: number;
  latShape?: [number, number];
}

function writeEmitLike(path: string, o: Options = {}): void {
  const f = new h5wasm.File(path, 'w');
  try {
    if (o.omit !== 'radiance') {
      const rad = new Float32Array(DT * CT * NB);
      for (let l = 0; l < DT; l++)
        for (let s = 0; s < CT; s++) for (let b = 0; b < NB; b++) rad[(l * CT + s) * NB + b] = value(l, s, b);
      const ds = f.create_dataset({
        name: 'radiance',
        data: rad,
        shape: [DT, CT, NB],
        dtype: '<f',
        ...(o.chunked ? { chunks: [4, CT, NB], compression: 'gzip' as const, compression_opts: 4 } : {}),
      });
      ds.create_attribute('_FillValue', Float32Array.of(FILL));
      ds.create_attribute('units', 'uW/cm^2/SR/nm');
    }
    f.create_attribute('time_coverage_start', '2023-08-09T17:57:05+0000');
    f.create_attribute('geotransform', Float64Array.of(-103.9, 0.000542232520256, 0, 32.3, 0, -0.000542232520256));
    const sbp = f.create_group('sensor_band_parameters');
    const n = o.wavelengthCount ?? NB;
    sbp.create_dataset({ name: 'wavelengths', data: wavelengths.slice(0, n), dtype: '<f' });
    sbp.create_dataset({ name: 'fwhm', data: fwhm, dtype: '<f' });
    const loc = f.create_group('location');
    const [ld, lc] = o.latShape ?? [DT, CT];
    const lat = Float64Array.from({ length: ld * lc }, (_, i) => 32.3 - Math.floor(i / lc) * 5e-4);
    const lon = Float64Array.from({ length: ld * lc }, (_, i) => -103.9 + (i % lc) * 5e-4);
    if (o.omit !== 'lat') loc.create_dataset({ name: 'lat', data: lat, shape: [ld, lc], dtype: '<d' });
    loc.create_dataset({ name: 'lon', data: lon, shape: [ld, lc], dtype: '<d' });
  } finally {
    f.close();
  }
}

async function errorOf(p: Promise<unknown>): Promise<PlumetraceError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof PlumetraceError) return e;
    throw e;
  }
  throw new Error('expected an error');
}

function expected(l0: number, nl: number, s0: number, ns: number, bands: number[]): number[] {
  const out: number[] = [];
  for (let l = l0; l < l0 + nl; l++) {
    for (let s = s0; s < s0 + ns; s++) {
      for (const b of bands) {
        const v = value(l, s, b);
        out.push(v === FILL ? Number.NaN : Math.fround(v));
      }
    }
  }
  return out;
}
const allBands = [...Array(NB).keys()];

describe('EMIT L1B radiance reader', () => {
  beforeAll(async () => {
    await h5wasm.ready;
    writeEmitLike(join(dir, 'plain.nc'));
    writeEmitLike(join(dir, 'chunked.nc'), { chunked: true });
  });

  it.each(['plain.nc', 'chunked.nc'])('%s: sizes, wavelengths, windows, lines, location', async (name) => {
    const r = await openEmit(join(dir, name));
    try {
      expect([r.format, r.lines, r.samples, r.bands]).toEqual(['emit', DT, CT, NB]);
      expect(Array.from(r.wavelengthNm)).toEqual(Array.from(wavelengths));
      expect(Array.from(r.fwhmNm ?? [])).toEqual(Array.from(fwhm));
      expect(r.noDataValue).toBe(FILL);
      expect(r.attributes.time_coverage_start).toBe('2023-08-09T17:57:05+0000');
      expect(r.attributes.geotransform).toEqual([-103.9, 0.000542232520256, 0, 32.3, 0, -0.000542232520256]);

      const all = await r.readWindow({ line0: 0, lines: DT, sample0: 0, samples: CT });
      expect(Array.from(all)).toEqual(expected(0, DT, 0, CT, allBands));
      expect(Number.isNaN(all[(3 * CT + 5) * NB + 7])).toBe(true);
      const w = await r.readWindow({ line0: 2, lines: 5, sample0: 4, samples: 3, bands: [29, 0, 12] });
      expect(Array.from(w)).toEqual(expected(2, 5, 4, 3, [29, 0, 12]));
      expect(Array.from(await r.readLine(19))).toEqual(expected(19, 1, 0, CT, allBands));

      let next = 0;
      const streamed: number[] = [];
      for await (const c of r.lineChunks({ chunkLines: 6, bands: [1, 2] })) {
        expect(c.line0).toBe(next);
        next += c.lines;
        streamed.push(...c.data);
      }
      expect(next).toBe(DT);
      expect(streamed).toEqual(expected(0, DT, 0, CT, [1, 2]));

      const loc = await r.readLocation({ line0: 1, lines: 2, sample0: 14, samples: 2 });
      const lat = (l: number) => 32.3 - l * 5e-4;
      const lon = (s: number) => -103.9 + s * 5e-4;
      expect(Array.from(loc.lat)).toEqual([lat(1), lat(1), lat(2), lat(2)]);
      expect(Array.from(loc.lon)).toEqual([lon(14), lon(15), lon(14), lon(15)]);

      expect((await errorOf(r.readWindow({ line0: 18, lines: 3, sample0: 0, samples: 1 }))).code).toBe(
        'PT_ERR_RASTER_WINDOW',
      );
      expect((await errorOf(r.readWindow({ line0: 0, lines: 1, sample0: 0, samples: 1, bands: [30] }))).code).toBe(
        'PT_ERR_RASTER_WINDOW',
      );
    } finally {
      await r.close();
    }
  });

  it('a file that is not HDF5 (text, NetCDF-3, truncated, empty, absent) is a registered error', async () => {
    writeFileSync(join(dir, 'text.nc'), 'hello, this is not HDF5\n'.repeat(100));
    expect((await errorOf(openEmit(join(dir, 'text.nc')))).code).toBe('PT_ERR_EMIT_FORMAT');
    writeFileSync(join(dir, 'cdf3.nc'), Buffer.concat([Buffer.from('CDF\x01'), Buffer.alloc(100)]));
    const e3 = await errorOf(openEmit(join(dir, 'cdf3.nc')));
    expect(e3.code).toBe('PT_ERR_EMIT_FORMAT');
    expect(e3.message).toContain('NetCDF-3');
    writeFileSync(join(dir, 'cut.nc'), readFileSync(join(dir, 'plain.nc')).subarray(0, 900));
    const ec = await errorOf(openEmit(join(dir, 'cut.nc')));
    expect(ec.code).toBe('PT_ERR_EMIT_FORMAT');
    expect(ec.location.file).toBe(join(dir, 'cut.nc'));
    writeFileSync(join(dir, 'empty.nc'), '');
    expect((await errorOf(openEmit(join(dir, 'empty.nc')))).code).toBe('PT_ERR_FILE_EMPTY');
    expect((await errorOf(openEmit(join(dir, 'absent.nc')))).code).toBe('PT_ERR_FILE_NOT_FOUND');
  });

  it('an HDF5 file without the EMIT layout names what is missing or mismatched', async () => {
    const cases: [string, Options, string][] = [
      ['norad.nc', { omit: 'radiance' }, '"radiance" is missing'],
      ['nolat.nc', { omit: 'lat' }, '"location/lat" is missing'],
      ['wl.nc', { wavelengthCount: 29 }, 'must hold 30 numbers'],
      ['latshape.nc', { latShape: [CT, DT] }, 'must be [20, 16]'],
    ];
    for (const [name, o, msg] of cases) {
      writeEmitLike(join(dir, name), o);
      const e = await errorOf(openEmit(join(dir, name)));
      expect(e.code, name).toBe('PT_ERR_EMIT_FORMAT');
      expect(e.message, name).toContain(msg);
    }
  });
});
