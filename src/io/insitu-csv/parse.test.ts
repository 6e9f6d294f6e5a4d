import { describe, expect, it } from 'vitest';
import { PlumetraceError } from '../../core/errors.ts';
import { parseInSituCsv } from './parse.ts';

const enc = (s: string) => new TextEncoder().encode(s);
const good = [
  'time,lat,lon,alt_m,ppm,wind_u,wind_v,sigma_ppm,extra',
  '2026-05-09T10:00:00Z,51.15,-1.44,2,1.95,1.5,2.5,0.02,foo',
  '2026-05-09T10:00:01Z,51.1501,-1.4401,2.1,2.10,1.4,2.6,,bar',
  '2026-05-09T10:00:01Z,51.1502,-1.4402,2.1,NaN,,,,',
].join('\n');

function errorOf(text: string | Uint8Array): PlumetraceError {
  try {
    parseInSituCsv(typeof text === 'string' ? enc(text) : text, 'f.csv');
  } catch (e) {
    if (e instanceof PlumetraceError) return e;
    throw e;
  }
  throw new Error('expected an error');
}

describe('in-situ CSV parser', () => {
  it('reads required and optional columns, ignores unknown ones, defaults the gas to CH4', () => {
    const s = parseInSituCsv(enc(good), 'f.csv');
    expect(s.gas).toBe('CH4');
    expect([...s.lat]).toEqual([51.15, 51.1501, 51.1502]);
    expect(s.timeMs[1] - s.timeMs[0]).toBe(1000);
    expect(s.ppm[1]).toBeCloseTo(2.1, 12);
    expect(Number.isNaN(s.ppm[2])).toBe(true);
    expect(s.windU?.[0]).toBe(1.5);
    expect(Number.isNaN(s.windU?.[2] ?? 0)).toBe(true);
    expect(Number.isNaN(s.sigmaPpm?.[1] ?? 0)).toBe(true);
  });

  it('accepts columns in any order, CRLF line ends, a BOM, and a gas column', () => {
    const text = '\uFEFFppm,gas,alt_m,lon,lat,time\r\n2.0,co2,1,-1,51,2026-01-01T00:00:00.500Z\r\n';
    const s = parseInSituCsv(enc(text), 'f.csv');
    expect(s.gas).toBe('CO2');
    expect(s.lon[0]).toBe(-1);
    expect(s.timeMs[0]).toBe(Date.UTC(2026, 0, 1, 0, 0, 0, 500));
    expect(s.windU).toBeUndefined();
  });

  it('names the missing column', () => {
    const e = errorOf('time,lat,lon,ppm\n2026-05-09T10:00:00Z,51,-1,2\n');
    expect(e.code).toBe('PT_ERR_CSV_MISSING_COLUMN');
    expect(e.location).toMatchObject({ file: 'f.csv', line: 1, column: 'alt_m' });
  });

  it('names the file, line and column of a bad number', () => {
    const lines = good.split('\n');
    lines[2] = lines[2].replace('2.10', '2.1x');
    const e = errorOf(lines.join('\n'));
    expect(e.code).toBe('PT_ERR_CSV_BAD_VALUE');
    expect(e.location).toEqual({ file: 'f.csv', line: 3, column: 'ppm' });
    expect(e.message).toContain('f.csv, line 3, column "ppm"');
  });

  it('counts lines of the file, not records (blank and comment lines included)', () => {
    const e = errorOf(
      'time,lat,lon,alt_m,ppm\n\n# note\n2026-05-09T10:00:00Z,51,-1,2,2\n2026-05-09T10:00:01Z,91,-1,2,2\n',
    );
    expect(e.code).toBe('PT_ERR_CSV_BAD_VALUE');
    expect(e.location).toMatchObject({ line: 5, column: 'lat' });
  });

  it('rejects empty files, header-only files and blank files', () => {
    expect(errorOf('').code).toBe('PT_ERR_FILE_EMPTY');
    expect(errorOf('\n\n  \n').code).toBe('PT_ERR_FILE_EMPTY');
    expect(errorOf('time,lat,lon,alt_m,ppm\n').code).toBe('PT_ERR_FILE_EMPTY');
  });

  it('rejects binary and non-CSV files', () => {
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);
    expect(errorOf(png).code).toBe('PT_ERR_CSV_FORMAT');
    expect(errorOf('{"type": "FeatureCollection", "features": []}').code).toBe('PT_ERR_CSV_FORMAT');
    expect(errorOf('Dear analyst\nplease find the data attached\n').code).toBe('PT_ERR_CSV_MISSING_COLUMN');
    expect(errorOf(new Uint8Array([0xc3, 0x28, 0x41, 0x42, 0x0a])).code).toBe('PT_ERR_CSV_FORMAT');
  });

  it('rejects rows with the wrong number of fields, naming the line', () => {
    const e = errorOf('time,lat,lon,alt_m,ppm\n2026-05-09T10:00:00Z,51,-1,2,2\n2026-05-09T10:00:01Z,51,-1,2\n');
    expect(e.code).toBe('PT_ERR_CSV_FORMAT');
    expect(e.location.line).toBe(3);
  });

  it('rejects bad times, rows out of time order and mixed gases', () => {
    expect(errorOf('time,lat,lon,alt_m,ppm\nyesterday,51,-1,2,2\n').location).toMatchObject({
      line: 2,
      column: 'time',
    });
    const back = errorOf('time,lat,lon,alt_m,ppm\n2026-05-09T10:00:01Z,51,-1,2,2\n2026-05-09T10:00:00Z,51,-1,2,2\n');
    expect(back.location).toMatchObject({ line: 3, column: 'time' });
    const mixed = errorOf(
      'time,lat,lon,alt_m,ppm,gas\n2026-05-09T10:00:00Z,51,-1,2,2,CH4\n2026-05-09T10:00:01Z,51,-1,2,400,CO2\n',
    );
    expect(mixed.location).toMatchObject({ line: 3, column: 'gas' });
  });

  it('reads path samples (beam far end), wind-direction spread and averaging time', () => {
    const text = [
      'time,lat,lon,alt_m,ppm,wind_u,wind_v,kind,lat2,lon2,alt2_m,wind_dir_std_deg,averaging_s',
      '2017-05-09T10:27:00Z,51.1446,-1.437,1.6,2.1,1,1,path,51.1443,-1.4372,1.6,12.5,60',
      '2017-05-09T10:27:00Z,51.1446,-1.437,1.6,2.2,1,1,point,,,,,60',
    ].join('\n');
    const s = parseInSituCsv(enc(text), 'f.csv');
    expect([...(s.kind ?? [])]).toEqual([1, 0]);
    expect(s.lat2?.[0]).toBe(51.1443);
    expect(Number.isNaN(s.lat2?.[1] ?? 0)).toBe(true);
    expect(s.windDirStdDeg?.[0]).toBe(12.5);
    expect(s.averagingS?.[1]).toBe(60);
  });

  it('rejects a zero-length beam, a path row without its far end, and an unknown kind', () => {
    const head = 'time,lat,lon,alt_m,ppm,kind,lat2,lon2,alt2_m';
    const zero = errorOf(`${head}\n2017-05-09T10:27:00Z,51.1446,-1.437,1.6,2.1,path,51.1446,-1.437,1.6\n`);
    expect(zero.code).toBe('PT_ERR_CSV_BAD_VALUE');
    expect(zero.location.line).toBe(2);
    expect(zero.message).toContain('beam');
    const noEnd = errorOf(`${head}\n2017-05-09T10:27:00Z,51.1446,-1.437,1.6,2.1,path,,,\n`);
    expect(noEnd.location).toMatchObject({ line: 2, column: 'lat2' });
    const noCols = errorOf('time,lat,lon,alt_m,ppm,kind\n2017-05-09T10:27:00Z,51.1446,-1.437,1.6,2.1,path\n');
    expect(noCols.location).toMatchObject({ line: 2, column: 'lat2' });
    expect(errorOf(`${head}\n2017-05-09T10:27:00Z,51,-1,1.6,2.1,beam,,,\n`).location.column).toBe('kind');
  });
});
