import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PlumetraceError } from '../../core/errors.ts';
import { mag1cLutFormat } from './format.ts';
import { parseMag1cLut, readMag1cLut } from './read.ts';

const lutPath = new URL('../../../data/detection/mag1c_ch4.lut', import.meta.url).pathname;

function header(fields: Record<string, string>): string {
  return ['ENVI', ...Object.entries(fields).map(([k, v]) => `${k} = ${v}`)].join('\r\n');
}

/** A 7-enhancement × 3-wavelength table written in the given layout. */
function tiny(interleave: 'bsq' | 'bip', dataType: 4 | 5, littleEndian: boolean): { bytes: Uint8Array; hdr: string } {
  const nQ = 7;
  const nW = 3;
  const size = dataType === 5 ? 8 : 4;
  const view = new DataView(new ArrayBuffer(nQ * nW * size));
  for (let w = 0; w < nW; w++) {
    for (let q = 0; q < nQ; q++) {
      const j = interleave === 'bip' ? q * nW + w : w * nQ + q;
      const v = 10 * (w + 1) + q; // value encodes (wavelength, enhancement)
      if (size === 8) view.setFloat64(j * 8, v, littleEndian);
      else view.setFloat32(j * 4, v, littleEndian);
    }
  }
  const hdr = header({
    samples: '7',
    lines: '1',
    bands: '3',
    'data type': String(dataType),
    'byte order': littleEndian ? '0' : '1',
    interleave,
    'wavelength units': 'Micrometers',
    wavelength: '{\r\n 2.1, 2.2,\r\n 2.3}',
  });
  return { bytes: new Uint8Array(view.buffer), hdr };
}

describe('mag1c LUT reader', () => {
  it('reads the shipped ch4.lut: 31,800 wavelengths × 7 enhancements', async () => {
    const t = await readMag1cLut(lutPath);
    expect(t.wavelengthNm).toHaveLength(31800);
    expect(t.wavelengthNm[0]).toBeCloseTo(1399.58997, 5);
    expect(t.wavelengthNm[31799]).toBeCloseTo(2522.03638, 5);
    expect(Array.from(t.enhancementPpmM)).toEqual([...mag1cLutFormat.enhancementPpmM]);
    expect(t.radiance).toHaveLength(7 * 31800);
    // First value of the file (wavelength 0, enhancement 0) and the transposition: more methane,
    // less radiance in the 2370 nm band.
    expect(t.radiance[0]).toBeCloseTo(0.0025333718, 12);
    const i2370 = t.wavelengthNm.findIndex((w) => w >= 2370.4);
    expect(t.radiance[6 * 31800 + i2370]).toBeLessThan(t.radiance[i2370]);
  });

  it('decodes BSQ and BIP, float32 and float64, both byte orders, micrometre wavelengths alike', () => {
    for (const il of ['bsq', 'bip'] as const) {
      for (const dt of [4, 5] as const) {
        for (const le of [true, false]) {
          const { bytes, hdr } = tiny(il, dt, le);
          const t = parseMag1cLut(bytes, hdr, 'tiny.lut');
          expect(Array.from(t.wavelengthNm)).toEqual([2100, 2200, 2300]);
          for (let q = 0; q < 7; q++) for (let w = 0; w < 3; w++) expect(t.radiance[q * 3 + w]).toBe(10 * (w + 1) + q);
        }
      }
    }
  });

  it('names the file and the problem for bad headers and sizes', () => {
    const { bytes, hdr } = tiny('bsq', 5, true);
    const code = (f: () => unknown): PlumetraceError => {
      try {
        f();
      } catch (e) {
        expect(e).toBeInstanceOf(PlumetraceError);
        return e as PlumetraceError;
      }
      throw new Error('expected a PlumetraceError');
    };
    let e = code(() => parseMag1cLut(bytes, hdr.replace('ENVI', 'NOPE'), 'x.lut'));
    expect(e.code).toBe('PT_ERR_LUT_FORMAT');
    expect(e.message).toMatch(/x\.lut \(header\), line 1/);
    e = code(() => parseMag1cLut(bytes.subarray(8), hdr, 'x.lut'));
    expect(e.message).toMatch(/holds 160 bytes/);
    e = code(() => parseMag1cLut(bytes, hdr.replace('2.3}', '2.3, 2.4}'), 'x.lut'));
    expect(e.message).toMatch(/list 3 numbers/);
    e = code(() => parseMag1cLut(bytes, hdr.replace('samples = 7', 'samples = 6'), 'x.lut'));
    expect(e.message).toMatch(/samples = 7/);
    e = code(() => parseMag1cLut(bytes, hdr.replace('2.3}', '2.3'), 'x.lut'));
    expect(e.message).toMatch(/never closes/);
  });

  it('finds the header beside the table as name.hdr or name.lut.hdr, else PT_ERR_FILE_NOT_FOUND', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pt-lut-'));
    const { bytes, hdr } = tiny('bsq', 5, true);
    writeFileSync(join(dir, 'a.lut'), bytes);
    writeFileSync(join(dir, 'a.lut.hdr'), hdr);
    expect((await readMag1cLut(join(dir, 'a.lut'))).wavelengthNm).toHaveLength(3);
    writeFileSync(join(dir, 'b.lut'), bytes);
    await expect(readMag1cLut(join(dir, 'b.lut'))).rejects.toThrow(/PT_ERR_FILE_NOT_FOUND/);
  });
});
