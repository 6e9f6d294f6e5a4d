/** The PNG encoder checked against zlib (inflate, CRC-32) and read back by pdf-lib's PNG reader. */
import { crc32 as zlibCrc32, inflateSync } from 'node:zlib';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { describe, expect, it } from 'vitest';
import { colourise, crc32, encodePng, rampColour } from './png.ts';
import { isWinAnsi, winAnsi } from './text.ts';

function chunks(png: Uint8Array): { type: string; data: Uint8Array; crc: number }[] {
  const dv = new DataView(png.buffer, png.byteOffset, png.byteLength);
  const out: { type: string; data: Uint8Array; crc: number }[] = [];
  for (let o = 8; o < png.length; ) {
    const len = dv.getUint32(o);
    const type = String.fromCharCode(...png.subarray(o + 4, o + 8));
    out.push({ type, data: png.subarray(o + 8, o + 8 + len), crc: dv.getUint32(o + 8 + len) });
    o += 12 + len;
  }
  return out;
}

describe('PNG encoder', () => {
  it('writes signature, IHDR, IDAT, IEND with correct CRCs and the pixels row by row', async () => {
    const w = 7;
    const h = 5;
    const pixels = new Uint8Array(w * h * 3).map((_, i) => (i * 37) % 256);
    const png = encodePng(w, h, pixels);
    expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const cs = chunks(png);
    expect(cs.map((c) => c.type)).toEqual(['IHDR', 'IDAT', 'IEND']);
    for (const c of cs) {
      const typed = new Uint8Array(4 + c.data.length);
      typed.set(new TextEncoder().encode(c.type));
      typed.set(c.data, 4);
      expect(c.crc).toBe(zlibCrc32(typed));
      expect(crc32(typed)).toBe(zlibCrc32(typed));
    }
    const ihdr = new DataView(cs[0].data.buffer, cs[0].data.byteOffset);
    expect([ihdr.getUint32(0), ihdr.getUint32(4), cs[0].data[8], cs[0].data[9]]).toEqual([w, h, 8, 2]);
    const raw = inflateSync(cs[1].data);
    expect(raw.length).toBe((w * 3 + 1) * h);
    for (let y = 0; y < h; y++) {
      expect(raw[y * (w * 3 + 1)]).toBe(0);
      expect([...raw.subarray(y * (w * 3 + 1) + 1, (y + 1) * (w * 3 + 1))]).toEqual([
        ...pixels.subarray(y * w * 3, (y + 1) * w * 3),
      ]);
    }
    const doc = await PDFDocument.create();
    const img = await doc.embedPng(png);
    expect([img.width, img.height]).toEqual([w, h]);
  });

  it('colours values on the ramp and no-data grey', () => {
    const rgb = colourise(new Float32Array([0, 10, Number.NaN]), 0, 10);
    expect([...rgb.subarray(0, 3)]).toEqual(rampColour(0));
    expect([...rgb.subarray(3, 6)]).toEqual(rampColour(1));
    expect([...rgb.subarray(6, 9)]).toEqual([220, 220, 220]);
  });
});

describe('WinAnsi text for the PDF fonts', () => {
  it('keeps Latin-1 and cp1252 characters, maps the common others, and never leaves an unencodable one', async () => {
    expect(winAnsi('Ünïcødé – “x” € ± ² ·')).toBe('Ünïcødé – “x” € ± ² ·');
    expect(winAnsi('CH₄ ≤ 5 σ → x\ny')).toBe('CH4 <= 5 sigma -> x y');
    expect(winAnsi('中文 🙂 Ω')).toBe('?? ? ?');
    expect(winAnsi('Ş')).toBe('S');
    const all = Array.from({ length: 0x3000 }, (_, i) => String.fromCodePoint(i)).join('');
    expect([...winAnsi(all)].every(isWinAnsi)).toBe(true);
    // The standard font encodes all of it (it throws on a character WinAnsi lacks).
    const font = await (await PDFDocument.create()).embedFont(StandardFonts.Helvetica);
    expect(() => font.encodeText(winAnsi(all))).not.toThrow();
    expect(() => font.encodeText('中')).toThrow();
  });
});
