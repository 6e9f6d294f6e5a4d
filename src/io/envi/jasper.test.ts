/**
 * A real ENVI file: the Jasper Ridge AVIRIS crop (BIP uint16). The project ships a 10×10 crop as a
 * fixture (provenance in data/PROVENANCE.md) so this runs without ../shared; when ../shared is
 * there the crop is also checked against the source. Regenerate on purpose with
 * PLUMETRACE_REGEN_FIXTURES=1 (needs ../shared).
 *
 * Reference numbers were read independently with numpy
 * (np.fromfile(img, '<u2').reshape(100, 100, 198)[45:55, 45:55]).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { openEnvi } from './reader.ts';
import { writeEnvi } from './writer.ts';

const fixture = fileURLToPath(new URL('./fixtures/jasperRidge2_R198_crop10_bip.hdr', import.meta.url));
const source = fileURLToPath(new URL('../../../../shared/data/scenes/envi/jasperRidge2_R198_bip.hdr', import.meta.url));
const crop = { line0: 45, lines: 10, sample0: 45, samples: 10 };
const haveSource = existsSync(source);

async function regenerate(): Promise<void> {
  const src = await openEnvi(source);
  try {
    const data = await src.readWindow(crop);
    await writeEnvi(
      fixture,
      {
        samples: 10,
        lines: 10,
        bands: src.bands,
        dataType: 'uint16',
        interleave: 'bip',
        byteOrder: 'little',
        bandNames: src.header.bandNames ? [...src.header.bandNames] : undefined,
        description:
          'DERIVED 10x10 crop (lines 45-54, samples 45-54, all 198 bands) of ../shared/data/scenes/envi/jasperRidge2_R198_bip, written by plumetrace writeEnvi; see data/PROVENANCE.md. AVIRIS reflectance x 1e4',
      },
      data,
    );
  } finally {
    await src.close();
  }
}

describe('Jasper Ridge (real AVIRIS data, ENVI BIP uint16)', () => {
  it('reads the shipped 10×10×198 crop with the values numpy reads from the source', async () => {
    if (process.env.PLUMETRACE_REGEN_FIXTURES === '1' && haveSource) await regenerate();
    const r = await openEnvi(fixture);
    try {
      expect([r.lines, r.samples, r.bands, r.header.dataType, r.header.interleave]).toEqual([
        10,
        10,
        198,
        'uint16',
        'bip',
      ]);
      expect(r.bandNames?.[0]).toBe('AVIRIS_b4');
      const all = await r.readWindow({ line0: 0, lines: 10, sample0: 0, samples: 10 });
      const at = (l: number, s: number, b: number) => all[(l * 10 + s) * 198 + b];
      expect([0, 1, 2, 3, 4].map((b) => at(0, 0, b))).toEqual([48, 48, 167, 313, 403]);
      expect([195, 196, 197].map((b) => at(9, 9, b))).toEqual([334, 261, 295]);
      expect(at(3, 7, 100)).toBe(1406);
      expect(all.reduce((a, v) => a + v, 0)).toBe(11656056);
      const line3 = await r.readLine(3, [100]);
      expect(line3[7]).toBe(1406);
    } finally {
      await r.close();
    }
  });

  it.skipIf(!haveSource)('matches the source file in ../shared (skipped when ../shared is absent)', async () => {
    const src = await openEnvi(source);
    const fix = await openEnvi(fixture);
    try {
      expect([src.lines, src.samples, src.bands, src.header.dataType]).toEqual([100, 100, 198, 'uint16']);
      expect(await src.readWindow(crop)).toEqual(
        await fix.readWindow({ line0: 0, lines: 10, sample0: 0, samples: 10 }),
      );
      let lines = 0;
      for await (const c of src.lineChunks({ chunkLines: 7 })) lines += c.lines;
      expect(lines).toBe(100);
    } finally {
      await src.close();
      await fix.close();
    }
  });
});
