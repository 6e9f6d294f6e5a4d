import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES, PlumetraceError } from '../../core/errors.ts';
import { looksLikeLdsFile } from './format.ts';
import { parseGeometry, parseLdsFile, parseWeightLog } from './parse.ts';

const dataDir = new URL('../../../data/chilbolton_ch4_2017/', import.meta.url);
const read = (rel: string): string => readFileSync(new URL(rel, dataDir), 'utf8');
const pos1 = read('rel02/POS1_rel02_processed.txt');

function errorOf(fn: () => unknown): PlumetraceError {
  try {
    fn();
  } catch (e) {
    if (e instanceof PlumetraceError) return e;
    throw e;
  }
  throw new Error('expected a PlumetraceError');
}

/** POS1 with line `n` (1-based) replaced by `text` (or removed when text is undefined). */
function withLine(n: number, text: string | undefined): string {
  const lines = pos1.split('\r\n');
  if (text === undefined) lines.splice(n - 1, 1);
  else lines[n - 1] = text;
  return lines.join('\r\n');
}

describe('LDS beam file parser', () => {
  it('reads the header and the columns of a real beam file (POS1, rel02)', () => {
    expect(looksLikeLdsFile(pos1)).toBe(true);
    const r = parseLdsFile(pos1, 'POS1');
    expect(r.beam).toBe(1);
    expect(r.beamAngleDeg).toBe(-18.45);
    expect(r.pathLengthM).toBe(34.89);
    expect(r.pointCount).toBe(520);
    expect(r.elapsedS.length).toBe(520);
    expect(r.startText).toBe('05/09/2017  11:26:21.0000');
    // Month first: 9 May 2017 (day first would be 5 September), in the logger's clock.
    expect(new Date(r.startClockMs).toISOString()).toBe('2017-05-09T11:26:21.000Z');
    expect(r.ch4Ppm[0]).toBeCloseTo(3.6580706, 7);
    expect(r.ch4ErrPpm[0]).toBeCloseTo(0.071199752, 9);
    expect(r.windX[0]).toBeCloseTo(-2.5875, 7);
    expect(r.windY[0]).toBeCloseTo(2.49825, 7);
    expect(r.elapsedS[519]).toBe(1725);
    // One row (line 70) carries the sonic's fill value -65.536: its wind is NaN, its CH4 is kept.
    expect(r.sonicGapCount).toBe(1);
    expect(Number.isNaN(r.windX[55])).toBe(true);
    expect(r.ch4Ppm[55]).toBeCloseTo(3.6745367, 7);
  });

  it('reads beam 4, which stares at ~3 samples/s before the scan starts (repeated elapsed times)', () => {
    const r = parseLdsFile(read('rel02/POS4_rel02_processed.txt'), 'POS4');
    expect(r.pointCount).toBe(2636);
    expect(r.pathLengthM).toBe(98.01);
    expect(r.elapsedS[0]).toBe(0);
    expect(r.elapsedS[1]).toBe(0);
    expect(r.sonicGapCount).toBe(2);
  });

  it('names the file and line of a header with the wrong number of lines', () => {
    const e = errorOf(() => parseLdsFile(withLine(2, undefined), 'POS1.txt'));
    expect(e.code).toBe('PT_ERR_RELEASE_DATA_FORMAT');
    expect(e.location).toEqual({ file: 'POS1.txt', line: 12, column: undefined });
    expect(e.message).toMatch(/POS1\.txt, line 12.*wrong header line count/);
    const extra = errorOf(() => parseLdsFile(withLine(1, 'MIRICO\r\nextra line'), 'POS1.txt'));
    expect(extra.location.line).toBe(14);
    const none = errorOf(() => parseLdsFile(withLine(13, 'no stars'), 'POS1.txt'));
    expect(none.detail).toMatch(/no "\*\*\* Temporal data record \*\*\*" line/);
  });

  it('names the file, line and column of a value that is not a number', () => {
    const bad = withLine(
      20,
      '      15.999994       283.91025       101467.09       7279.1751      -1.6505000      0.56600000      0.71425000       338.44000       3.12x2115     0.012310455',
    );
    const e = errorOf(() => parseLdsFile(bad, 'POS1.txt'));
    expect(e.code).toBe('PT_ERR_RELEASE_DATA_FORMAT');
    expect(e.location).toEqual({ file: 'POS1.txt', line: 20, column: 'CH4vmr_ppmv' });
    expect(e.exitCode).toBe(60);
    expect(ERROR_CODES.PT_ERR_RELEASE_DATA_FORMAT.httpStatus).toBe(400);
  });

  it('rejects a short row, a bad header value, a wrong date, a wrong point count and time going back', () => {
    expect(errorOf(() => parseLdsFile(withLine(16, '1 2 3'), 'f')).location.line).toBe(16);
    expect(errorOf(() => parseLdsFile(withLine(12, '  abc'), 'f')).location).toMatchObject({ line: 12 });
    expect(errorOf(() => parseLdsFile(withLine(4, '13/09/2017  11:26:21.0000'), 'f')).location.line).toBe(4);
    expect(errorOf(() => parseLdsFile(withLine(4, '2017-05-09 11:26:21'), 'f')).location.line).toBe(4);
    expect(errorOf(() => parseLdsFile(withLine(6, '   521'), 'f')).detail).toMatch(/says 521 points.*520 data rows/);
    expect(errorOf(() => parseLdsFile(withLine(9, 'Beam angle'), 'f')).location.line).toBe(9);
    expect(errorOf(() => parseLdsFile(withLine(14, 'Elapsedtime_sec Temp_K'), 'f')).location.line).toBe(14);
    const back = withLine(17, pos1.split('\r\n')[17].replace('9.9999860', '1.0000000'));
    expect(errorOf(() => parseLdsFile(back, 'f')).location).toMatchObject({ line: 17, column: 'Elapsedtime_sec' });
  });
});

describe('weigh-scale log parser', () => {
  it('reads the rel02 log (day-first dates) and skips the truncated last row', () => {
    const w = parseWeightLog(read('weight_data/20170509_20170509_rel02.CSV'), 'w.CSV');
    expect(w.clockMs.length).toBe(63);
    expect(new Date(w.clockMs[0]).toISOString()).toBe('2017-05-09T11:04:00.000Z');
    expect(w.massKg[0]).toBe(93.85);
    expect(w.massKg[62]).toBe(93.4);
    expect(w.skipped).toEqual([{ line: 64, text: 'SH,,' }]);
    // Zero-padded masses of other days read too.
    expect(parseWeightLog('SHELL09/05/17,12:35:00,0093.40\n', 'x').massKg[0]).toBe(93.4);
  });

  it('names the file and line of a row with a bad number or a time going back', () => {
    const e = errorOf(() => parseWeightLog('SHELL09/05/17,11:04:00,93.85\nSHELL09/05/17,11:05:10,9x.85\n', 'w.CSV'));
    expect(e.code).toBe('PT_ERR_RELEASE_DATA_FORMAT');
    expect(e.location).toMatchObject({ file: 'w.CSV', line: 2 });
    const back = errorOf(() => parseWeightLog('SHELL09/05/17,11:04:00,93.85\nSHELL09/05/17,11:03:00,93.85\n', 'w'));
    expect(back.location.line).toBe(2);
    expect(errorOf(() => parseWeightLog('SH,,\n', 'w')).code).toBe('PT_ERR_FILE_EMPTY');
  });
});

describe('geometry table parser', () => {
  it('reads the instrument, seven reflectors and four sources', () => {
    const g = parseGeometry(read('geometry_and_truth.csv'), 'g.csv');
    expect(g.instrument).toEqual({ name: 'LDS_line_of_sight_sensor', xM: 60, yM: 100, zM: 1.6 });
    expect(g.reflectors.filter(Boolean).length).toBe(7);
    expect(g.reflectors[4]?.xM).toBeCloseTo(45.92783790838439, 12);
    expect(g.sources.map((s) => s.name)).toEqual(['source_1', 'source_2', 'source_3', 'source_4']);
    expect(g.sources[0].rateKgPerS).toBe(0.0003777778);
  });

  it('names the line of a bad row', () => {
    const text = 'kind,name,x_m,y_m,z_m,emission_rate_kg_per_s\ninstrument,i,60,100,1.6,\nsource,s,1,2,x,0.1\n';
    expect(errorOf(() => parseGeometry(text, 'g')).location).toMatchObject({ line: 3, column: 'z_m' });
    expect(errorOf(() => parseGeometry('kind,name\n', 'g')).location.line).toBe(1);
    expect(errorOf(() => parseGeometry(`${text.split('\n')[0]}\nlamp,l,1,2,3,\n`, 'g')).location.line).toBe(2);
  });
});
