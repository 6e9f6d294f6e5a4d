/**
 * An independent check of what writeEnvi produces: GDAL (gdalinfo, gdal_translate) reads our files.
 * Skipped, with the reason, when GDAL is not installed (`apt-get install -y gdal-bin`); the product
 * never needs GDAL.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { EnviDataType } from './format.ts';
import { geoTransform } from './geo.ts';
import type { EnviMapInfo } from './header.ts';
import { writeEnvi } from './writer.ts';

const gdalVersion = spawnSync('gdalinfo', ['--version'], { encoding: 'utf8' });
const haveGdal = gdalVersion.status === 0;
if (!haveGdal) console.warn('skipping GDAL cross-checks: gdalinfo is not installed (apt-get install -y gdal-bin)');

const dir = mkdtempSync(join(tmpdir(), 'pt-envi-gdal-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface GdalInfo {
  size: [number, number];
  geoTransform?: number[];
  metadata: Record<string, Record<string, string>>;
  bands: { type: string; noDataValue?: number; metadata?: Record<string, Record<string, string>> }[];
}

function gdalinfo(path: string): GdalInfo {
  const r = spawnSync('gdalinfo', ['-json', path], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`gdalinfo failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as GdalInfo;
}

const gdalType: Record<string, string> = {
  uint8: 'Byte',
  int16: 'Int16',
  uint16: 'UInt16',
  int32: 'Int32',
  float32: 'Float32',
  float64: 'Float64',
};
const gdalInterleave = { bsq: 'BAND', bil: 'LINE', bip: 'PIXEL' } as const;

const utm: EnviMapInfo = {
  projection: 'UTM',
  referencePixelSample: 2,
  referencePixelLine: 3,
  easting: 500000,
  northing: 4000000,
  pixelSizeX: 30,
  pixelSizeY: 20,
  zone: 11,
  hemisphere: 'North',
  datum: 'WGS-84',
  units: 'Meters',
};

describe.skipIf(!haveGdal)(`GDAL reads our ENVI files (${gdalVersion.stdout?.trim() || 'gdalinfo absent'})`, () => {
  const S = 6;
  const L = 4;
  const B = 3;
  const types: EnviDataType[] = ['uint8', 'int16', 'uint16', 'int32', 'float32', 'float64'];
  const cases = (['bsq', 'bil', 'bip'] as const).flatMap((il) =>
    types.map((type, i) => ({ il, type, order: i % 2 === 0 ? ('little' as const) : ('big' as const) })),
  );

  it.each(cases)(
    '$il $type $order: size, bands, interleave, type, geotransform and every value',
    ({ il, type, order }) => {
      const values = Float64Array.from(
        { length: S * L * B },
        (_, i) => (type === 'uint8' ? i : (i * 37) % 200) - (type.startsWith('u') ? 0 : 50),
      );
      if (type.startsWith('float')) for (let i = 0; i < values.length; i += 5) values[i] += 0.25;
      const base = join(dir, `g_${il}_${type}_${order}`);
      return writeEnvi(
        base,
        {
          samples: S,
          lines: L,
          bands: B,
          dataType: type,
          interleave: il,
          byteOrder: order,
          mapInfo: utm,
          wavelength: [2100, 2200, 2300],
          wavelengthUnits: 'Nanometers',
        },
        values,
      ).then(({ dataPath }) => {
        const info = gdalinfo(dataPath);
        expect(info.size).toEqual([S, L]);
        expect(info.bands.length).toBe(B);
        expect(info.bands.every((b) => b.type === gdalType[type])).toBe(true);
        expect(info.metadata.IMAGE_STRUCTURE.INTERLEAVE).toBe(gdalInterleave[il]);
        const gt = geoTransform(utm);
        expect(gt).toEqual([499970, 30, 0, 4000040, 0, -20]);
        info.geoTransform?.forEach((v, i) => {
          expect(v).toBeCloseTo(gt[i], 9);
        });
        expect(info.bands[1].metadata?.['']?.wavelength).toBe('2200');
        // GDAL rewrites the cube as float64 BIP little-endian; compare every value with what we wrote.
        const out = join(dir, `g_${il}_${type}_${order}_gdal.img`);
        const t = spawnSync('gdal_translate', [
          '-q',
          '-of',
          'ENVI',
          '-ot',
          'Float64',
          '-co',
          'INTERLEAVE=BIP',
          dataPath,
          out,
        ]);
        expect(t.status, String(t.stderr)).toBe(0);
        const raw = readFileSync(out);
        const back = Array.from({ length: S * L * B }, (_, i) => raw.readDoubleLE(i * 8));
        expect(back).toEqual(Array.from(values));
      });
    },
  );

  it('rotated map info: GDAL geotransform equals ours (square pixels, reference (1,1))', async () => {
    const m: EnviMapInfo = { ...utm, referencePixelSample: 1, referencePixelLine: 1, pixelSizeY: 30, rotationDeg: 30 };
    const { dataPath } = await writeEnvi(
      join(dir, 'rot'),
      { samples: 2, lines: 2, bands: 1, dataType: 'float32', interleave: 'bsq', mapInfo: m, dataIgnoreValue: -9999 },
      new Float32Array(4),
    );
    const info = gdalinfo(dataPath);
    const gt = geoTransform(m);
    expect(info.geoTransform).toBeDefined();
    info.geoTransform?.forEach((v, i) => {
      expect(v).toBeCloseTo(gt[i], 9);
    });
    expect(info.bands[0].noDataValue).toBe(-9999);
  });

  it('reads the shipped Jasper Ridge fixture as 10×10×198 UInt16 pixel-interleaved', () => {
    const info = gdalinfo(fileURLToPath(new URL('./fixtures/jasperRidge2_R198_crop10_bip.img', import.meta.url)));
    expect(info.size).toEqual([10, 10]);
    expect(info.bands.length).toBe(198);
    expect(info.bands[0].type).toBe('UInt16');
    expect(info.metadata.IMAGE_STRUCTURE.INTERLEAVE).toBe('PIXEL');
  });
});
