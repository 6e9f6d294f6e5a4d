import { describe, expect, it } from 'vitest';
import { PlumetraceError } from '../../core/errors.ts';
import { looksLikeEnviHeader } from './format.ts';
import { type EnviHeader, parseEnviHeader, serializeEnviHeader } from './header.ts';

const text = [
  '\uFEFFENVI',
  'description = {',
  '  AVIRIS-NG radiance, flight line 7',
  '  second line of text}',
  '; a comment line',
  'Samples = 598',
  'LINES   = 2000',
  'bands = 3',
  'header offset = 128',
  'file type = ENVI Standard',
  'Data Type = 4',
  'interleave = BIL',
  'byte order = 1',
  'sensor type = AVIRIS-NG',
  'wavelength units = nanometers',
  'data ignore value = -9999',
  'map info = { UTM , 1.000, 1.000, 724522.127, 3841323.546, 5.4e+000, 5.4e+000, 11, North, WGS-84, units=Meters, rotation=75.0}',
  'coordinate system string = {PROJCS["WGS_1984_UTM_Zone_11N",GEOGCS["GCS_WGS_1984"]]}',
  'wavelength = {',
  '  376.86, 381.87,',
  '  386.88 }',
  'fwhm = {5.5, 5.5, 5.6}',
  'bbl = {1, 0, 1}',
  'band names = {Band 1, Band 2,',
  ' Band 3}',
  'smoothing factors = {',
  '  1, 2, 3}',
  'acquisition time = 2020-09-04T18:07:00Z',
  '',
].join('\r\n');

function errorOf(f: () => unknown): PlumetraceError {
  try {
    f();
  } catch (e) {
    if (e instanceof PlumetraceError) return e;
    throw e;
  }
  throw new Error('expected an error');
}

describe('ENVI header', () => {
  it('parses every common key: braces over lines, any key case, comments, BOM, CRLF', () => {
    const h = parseEnviHeader(text, 'a.hdr');
    expect(h).toMatchObject({
      samples: 598,
      lines: 2000,
      bands: 3,
      headerOffset: 128,
      dataType: 'float32',
      interleave: 'bil',
      byteOrder: 'big',
      fileType: 'ENVI Standard',
      sensorType: 'AVIRIS-NG',
      wavelengthUnits: 'Nanometers',
      dataIgnoreValue: -9999,
      bandNames: ['Band 1', 'Band 2', 'Band 3'],
      coordinateSystemString: 'PROJCS["WGS_1984_UTM_Zone_11N",GEOGCS["GCS_WGS_1984"]]',
    });
    expect(h.description).toBe('AVIRIS-NG radiance, flight line 7\n  second line of text');
    expect(Array.from(h.wavelength ?? [])).toEqual([376.86, 381.87, 386.88]);
    expect(Array.from(h.fwhm ?? [])).toEqual([5.5, 5.5, 5.6]);
    expect(Array.from(h.badBandList ?? [])).toEqual([1, 0, 1]);
    expect(h.mapInfo).toEqual({
      projection: 'UTM',
      referencePixelSample: 1,
      referencePixelLine: 1,
      easting: 724522.127,
      northing: 3841323.546,
      pixelSizeX: 5.4,
      pixelSizeY: 5.4,
      zone: 11,
      hemisphere: 'North',
      datum: 'WGS-84',
      units: 'Meters',
      rotationDeg: 75,
    });
    expect(h.extra).toEqual({ 'smoothing factors': '{1, 2, 3}', 'acquisition time': '2020-09-04T18:07:00Z' });
  });

  it('round-trips: parse(serialize(h)) equals h, and serialize is stable', () => {
    const h = parseEnviHeader(text, 'a.hdr');
    const once = serializeEnviHeader(h);
    expect(parseEnviHeader(once, 'b.hdr')).toEqual(h);
    expect(serializeEnviHeader(parseEnviHeader(once, 'b.hdr'))).toBe(once);
    expect(once.startsWith('ENVI\n')).toBe(true);
  });

  it('round-trips awkward numbers exactly and wraps long lists', () => {
    const n = 300;
    const wl = Float64Array.from({ length: n }, (_, i) => 380 + i * 7.123456789012345 + 1e-13);
    const h: EnviHeader = {
      samples: 1,
      lines: 1,
      bands: n,
      headerOffset: 0,
      dataType: 'uint16',
      interleave: 'bip',
      byteOrder: 'little',
      fileType: 'ENVI Standard',
      wavelength: wl,
      dataIgnoreValue: -0.1,
      mapInfo: {
        projection: 'Geographic Lat/Lon',
        referencePixelSample: 1.5,
        referencePixelLine: 1.5,
        easting: -122.123456789,
        northing: 37.5,
        pixelSizeX: 2.7777777777777e-5,
        pixelSizeY: 2.7777777777777e-5,
        datum: 'WGS-84',
        units: 'Degrees',
      },
      extra: {},
    };
    const s = serializeEnviHeader(h);
    const listLines = s.split('\n').filter((l) => l.startsWith('  '));
    expect(listLines.length).toBeGreaterThan(10);
    expect(Math.max(...listLines.map((l) => l.length))).toBeLessThanOrEqual(103);
    expect(parseEnviHeader(s, 'x.hdr')).toEqual(h);
  });

  it('requires the ENVI magic and each required key, naming key, line and file', () => {
    expect(looksLikeEnviHeader(new TextEncoder().encode(text))).toBe(true);
    expect(looksLikeEnviHeader(new TextEncoder().encode('samples = 1'))).toBe(false);
    const noMagic = errorOf(() => parseEnviHeader('samples = 1\n', 'x.hdr'));
    expect(noMagic.code).toBe('PT_ERR_ENVI_HEADER');
    expect(noMagic.message).toContain('"ENVI"');
    for (const key of ['samples', 'lines', 'bands', 'data type', 'interleave']) {
      const without = text
        .split('\r\n')
        .filter((l) => !l.toLowerCase().replace(/\s+/g, ' ').startsWith(`${key} =`))
        .join('\n');
      const e = errorOf(() => parseEnviHeader(without, 'x.hdr'));
      expect(e.code).toBe('PT_ERR_ENVI_HEADER');
      expect(e.message).toContain(`required key "${key}"`);
      expect(e.message).toContain('x.hdr');
    }
  });

  it('rejects bad values with the key, the line and the file', () => {
    const bad: [string, string, string][] = [
      ['Data Type = 4', 'data type = 6', 'complex64'],
      ['Data Type = 4', 'data type = 99', 'not supported'],
      ['Samples = 598', 'samples = 12.5', '"samples"'],
      ['Samples = 598', 'samples = 0', 'out of range'],
      ['interleave = BIL', 'interleave = bsx', '"bsx"'],
      ['byte order = 1', 'byte order = 2', '"byte order"'],
      ['fwhm = {5.5, 5.5, 5.6}', 'fwhm = {5.5, 5.5}', 'has 2 values but the header says bands = 3'],
      ['fwhm = {5.5, 5.5, 5.6}', 'fwhm = {5.5, x, 5.6}', 'item 2 "x"'],
      ['data ignore value = -9999', 'data ignore value = none', '"data ignore value"'],
      ['wavelength units = nanometers', 'wavelength units = furlongs', '"furlongs"'],
      ['11, North', '11, Up', 'hemisphere'],
      ['bbl = {1, 0, 1}', 'bbl = {1, 2, 1}', '"bbl"'],
      ['byte order = 1', 'byte order', 'not a "key = value" line'],
      ['fwhm = {5.5, 5.5, 5.6}', 'fwhm = {5.5, 5.5, 5.6', 'never closed'],
    ];
    for (const [from, to, msg] of bad) {
      const e = errorOf(() => parseEnviHeader(text.replace(from, to), 'x.hdr'));
      expect(e.code, to).toBe('PT_ERR_ENVI_HEADER');
      expect(e.message, to).toContain(msg);
      expect(e.location.file).toBe('x.hdr');
      expect(e.location.line, to).toBeGreaterThan(1);
    }
  });

  it('refuses to serialize what ENVI cannot store', () => {
    const h = parseEnviHeader(text, 'a.hdr');
    expect(errorOf(() => serializeEnviHeader({ ...h, bandNames: ['a,b', 'c', 'd'] })).code).toBe('PT_ERR_ENVI_HEADER');
    expect(errorOf(() => serializeEnviHeader({ ...h, description: 'x}' })).message).toContain('description');
    expect(errorOf(() => serializeEnviHeader({ ...h, fwhm: new Float64Array(2) })).message).toContain('fwhm');
    expect(errorOf(() => serializeEnviHeader({ ...h, extra: { samples: '3' } })).message).toContain('samples');
  });
});
