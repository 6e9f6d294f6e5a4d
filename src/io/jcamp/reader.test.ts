import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { jcampFormat } from './format.ts';
import { jcampLabel, parseJcamp } from './reader.ts';
import { writeJcamp } from './writer.ts';

const nistDir = new URL('../../../data/gas/nist_ir_jcamp/', import.meta.url);
const fixtures = new URL('./fixtures/', import.meta.url);
const nistFiles = readdirSync(nistDir).filter((f) => f.endsWith('.jdx'));
const computed = new Set<string>(jcampFormat.computedLabels);
const readNist = (f: string): string => readFileSync(new URL(f, nistDir), 'latin1');

/** The test's own, independent reading of a NIST AFFN file: every number after each line's X. */
function naiveOrdinates(text: string): { yFactor: number; raw: number[] } {
  const yFactor = Number(/^##YFACTOR=(.*)$/m.exec(text)?.[1]);
  const body = text.split(/##XYDATA=\(X\+\+\(Y\.\.Y\)\)\r?\n/)[1].split('##END=')[0];
  const raw: number[] = [];
  for (const line of body.split('\n')) {
    const nums = line.match(/[+-]?\d*\.?\d+(?:[eE][+-]?\d+)?/g) ?? [];
    for (const n of nums.slice(1)) raw.push(Number(n));
  }
  return { yFactor, raw };
}

describe('JCAMP-DX reader on the NIST WebBook files', () => {
  it('holds 64 files: 28 quantitative (IUPAC A), 32 transmittance charts, 4 absorbance', () => {
    const units = nistFiles.map((f) => parseJcamp(readNist(f), f).yUnits);
    expect(nistFiles.length).toBe(64);
    expect(units.filter((u) => u === '(micromol/mol)-1m-1 (base 10)').length).toBe(28);
    expect(units.filter((u) => u === 'TRANSMITTANCE').length).toBe(32);
    expect(units.filter((u) => u === 'ABSORBANCE').length).toBe(4);
  });

  it('reads every point of every file as the file writes it (ordinate × YFACTOR, exact)', () => {
    for (const f of nistFiles) {
      const text = readNist(f);
      const s = parseJcamp(text, f);
      const { yFactor, raw } = naiveOrdinates(text);
      expect(s.y.length, f).toBe(raw.length);
      expect(s.dataForm).toBe('AFFN');
      for (let i = 0; i < raw.length; i++) {
        if (s.y[i] !== raw[i] * yFactor) throw new Error(`${f}: point ${i} is ${s.y[i]}, file ${raw[i]} × ${yFactor}`);
      }
      // X from FIRSTX/LASTX/NPOINTS.
      const firstX = Number(jcampLabel(s, 'FIRSTX'));
      const lastX = Number(jcampLabel(s, 'LASTX'));
      expect(s.x[0]).toBe(firstX);
      expect(s.x[s.x.length - 1]).toBeCloseTo(lastX, 9);
    }
  });

  it('reads the labelled header: title, CAS number, formula, units, NIST labels, multi-line OWNER', () => {
    const s = parseJcamp(readNist('acetone.jdx'), 'acetone.jdx');
    expect(s.title).toBe('Acetone');
    expect(s.casRegistryNo).toBe('67-64-1');
    expect(s.molecularFormula).toBe('C H3 C O C H3');
    expect(s.xUnits).toBe('cm-1');
    expect(s.yFactor).toBe(4.5474e-13);
    expect(jcampLabel(s, 'CLASS')).toBe('IUPAC A');
    expect(jcampLabel(s, '$NIST SOURCE')).toBe('QUANT-IR');
    expect(jcampLabel(s, '$uncertainty in y')).toBe('2.3 % relative (B=1.3E-04,C=1.7E-09,D=2.7E-14)');
    expect(jcampLabel(s, 'TEMPERATURE')).toBe('23 C');
    expect(s.x.length).toBe(14106);
    const t = parseJcamp(readNist('toluene.jdx'), 'toluene.jdx');
    expect(jcampLabel(t, 'OWNER')?.split('\n')).toEqual([
      'Copyright (C) 1987 by the Coblentz Society',
      'Collection (C) 2009 copyright by the U.S. Secretary of Commerce',
      'on behalf of the United States of America. All rights reserved.',
    ]);
    expect(jcampLabel(t, 'PATH LENGTH')).toBe('5 CM');
    expect(jcampLabel(t, 'PARTIAL_PRESSURE')).toBe('20 mmHg');
    expect(t.xUnits).toBe('1/CM');
  });

  it('round-trips every file: read → write AFFN → read gives the same points and labels', () => {
    for (const f of nistFiles) {
      const s = parseJcamp(readNist(f), f);
      const again = parseJcamp(writeJcamp(s), `${f} (AFFN)`);
      const kept = (sp: typeof s) =>
        sp.labels.filter((l) => !computed.has(l.name) || l.name === 'TITLE').map((l) => [l.key, l.value]);
      expect(kept(again), f).toEqual(kept(s));
      for (const n of ['XFACTOR', 'YFACTOR', 'FIRSTX', 'LASTX', 'NPOINTS', 'XUNITS', 'YUNITS']) {
        const v0 = jcampLabel(s, n) ?? '';
        const v1 = jcampLabel(again, n) ?? '';
        expect(Number.isNaN(Number(v0)) ? v1 : Number(v1), `${f} ${n}`).toEqual(
          Number.isNaN(Number(v0)) ? v0 : Number(v0),
        );
      }
      expect(again.y.length).toBe(s.y.length);
      for (let i = 0; i < s.y.length; i++) {
        // Same ordinate to the file's precision: ordinates are written with 12 significant digits.
        if (Math.abs(again.y[i] - s.y[i]) > 1e-11 * Math.abs(s.yFactor) * Math.max(1, Math.abs(s.y[i] / s.yFactor))) {
          throw new Error(`${f}: point ${i} ${again.y[i]} ≠ ${s.y[i]}`);
        }
        if (Math.abs(again.x[i] - s.x[i]) > 1e-9 * Math.abs(s.x[i])) throw new Error(`${f}: x ${i}`);
      }
    }
  });

  it('round-trips every file through DIFDUP (ordinates as integers × YFACTOR, exact for the NIST integers)', () => {
    for (const f of nistFiles) {
      const s = parseJcamp(readNist(f), f);
      // Coblentz charts give T to 4 decimals with YFACTOR=1: write them with YFACTOR=1e-4.
      const yFactor = s.yUnits === 'TRANSMITTANCE' ? 1e-4 : s.yFactor;
      const text = writeJcamp({ ...s, yFactor }, { form: 'DIFDUP' });
      const again = parseJcamp(text, `${f} (DIFDUP)`);
      expect(again.dataForm).toBe('ASDF');
      for (let i = 0; i < s.y.length; i++) {
        if (Math.abs(again.y[i] - s.y[i]) > 1e-9 * Math.abs(yFactor)) throw new Error(`${f}: point ${i}`);
      }
      expect(text.length).toBeLessThan(readNist(f).length);
    }
  });
});

describe('compressed-form fixtures (written by an independent encoder) decode to their AFFN twin', () => {
  const affn = parseJcamp(readFileSync(new URL('toluene-700-800-affn.jdx', fixtures), 'latin1'), 'affn');
  for (const name of ['toluene-700-800-difdup.jdx', 'toluene-700-800-sqzdup.jdx']) {
    it(name, () => {
      const text = readFileSync(new URL(name, fixtures), 'latin1');
      expect(text).toMatch(/[S-Zs]/); // holds DUP tokens
      const s = parseJcamp(text, name);
      expect(s.dataForm).toBe('ASDF');
      expect(s.casRegistryNo).toBe('108-88-3');
      expect(Array.from(s.y)).toEqual(Array.from(affn.y));
      expect(Array.from(s.x)).toEqual(Array.from(affn.x));
    });
  }

  it('the AFFN twin holds the NIST toluene points 700–800 cm⁻¹', () => {
    const full = parseJcamp(readNist('toluene.jdx'), 'toluene.jdx');
    const start = full.x.indexOf(700);
    expect(affn.x.length).toBe(101);
    for (let i = 0; i < 101; i++) expect(affn.y[i]).toBeCloseTo(full.y[start + i], 12);
  });

  it('our writer output of each form decodes to the same points', () => {
    for (const form of ['AFFN', 'SQZ', 'DIF', 'DIFDUP'] as const) {
      const s = parseJcamp(writeJcamp(affn, { form }), form);
      expect(Array.from(s.y).map((v) => Math.round(v * 1e4))).toEqual(
        Array.from(affn.y).map((v) => Math.round(v * 1e4)),
      );
    }
  });
});

describe('bad files give registered errors naming the file and line', () => {
  const acetone = readNist('acetone.jdx');
  const difdup = readFileSync(new URL('toluene-700-800-difdup.jdx', fixtures), 'latin1');
  const codeOf = (text: string): unknown => {
    try {
      parseJcamp(text, 'bad.jdx');
    } catch (e) {
      return e;
    }
    throw new Error('parsed without error');
  };

  it('a truncated file (cut mid-data, no ##END=) is PT_ERR_JCAMP_TRUNCATED', () => {
    const e = codeOf(acetone.slice(0, Math.floor(acetone.length / 2)));
    expect(e).toMatchObject({ code: 'PT_ERR_JCAMP_TRUNCATED', location: { file: 'bad.jdx' } });
    expect(String(e)).toMatch(/without "##END="/);
  });

  it('a bad ASDF character is PT_ERR_JCAMP_BAD_CHARACTER with line and column', () => {
    const lines = difdup.split('\n');
    const k = lines.findIndex((l) => l.startsWith('736'));
    lines[k] = lines[k].replace('Q8', 'Q#');
    const e = codeOf(lines.join('\n'));
    expect(e).toMatchObject({ code: 'PT_ERR_JCAMP_BAD_CHARACTER', location: { line: k + 1 } });
    expect(String(e)).toMatch(/"#".*column \d+/);
  });

  it('a Y-check mismatch is PT_ERR_JCAMP_Y_CHECK', () => {
    const lines = difdup.split('\n');
    const k = lines.findIndex((l) => l.startsWith('712'));
    lines[k] = lines[k].replace(/^712F080/, '712F081');
    expect(codeOf(lines.join('\n'))).toMatchObject({ code: 'PT_ERR_JCAMP_Y_CHECK', location: { line: k + 1 } });
  });

  it('NPOINTS disagreeing with the data is PT_ERR_JCAMP_NPOINTS (both counts named)', () => {
    const e = codeOf(acetone.replace('##NPOINTS=14106', '##NPOINTS=14100'));
    expect(e).toMatchObject({ code: 'PT_ERR_JCAMP_NPOINTS' });
    expect(String(e)).toMatch(/decodes to 14106 points, ##NPOINTS= says 14100/);
    // A lost data line changes the count too.
    const lines = acetone.split('\n');
    lines.splice(200, 1);
    expect(codeOf(lines.join('\n'))).toMatchObject({ code: 'PT_ERR_JCAMP_NPOINTS' });
  });

  it('a line whose X lies off the grid, a missing label, a non-number, no TITLE, a compound file: PT_ERR_JCAMP_FORMAT', () => {
    const lines = acetone.split('\n');
    const k = lines.findIndex((l) => l.startsWith('580.47'));
    lines[k] = lines[k].replace('580.47', '590.47');
    expect(codeOf(lines.join('\n'))).toMatchObject({ code: 'PT_ERR_JCAMP_FORMAT', location: { line: k + 1 } });
    expect(String(codeOf(acetone.replace(/##FIRSTX=.*\n/, '')))).toMatch(/no ##FIRSTX=/);
    expect(codeOf(acetone.replace('##YFACTOR=4.5474E-13', '##YFACTOR=abc'))).toMatchObject({
      code: 'PT_ERR_JCAMP_FORMAT',
      location: { line: 28 },
    });
    expect(String(codeOf(`hello\n${acetone}`))).toMatch(/starts with "##TITLE="/);
    expect(String(codeOf(acetone.replace('##JCAMP-DX=4.24', '##BLOCKS=2')))).toMatch(/compound/);
    expect(String(codeOf(acetone.replace('##XYDATA=(X++(Y..Y))', '##XYDATA=(X++(R..R))')))).toMatch(
      /only \(X\+\+\(Y\.\.Y\)\)/,
    );
  });
});

describe('files written by other software', () => {
  // The same spectrum in SQZ and in DIFDUP, as written by another program: test data of cheminfo's
  // jcampconverter (MIT), redhaam/jcampconverter @b461976b9dacd56e263fe406ecf7cc0083d23fc6 :
  // test/data/compression-small/jcamp-squeezed.dx and jcamp-difdup.dx (no ##LASTX, no ##NPOINTS;
  // X descending through a negative DELTAX, labels in XFACTOR units).
  const header = [
    '##TITLE= 107-07-3',
    '##FIRSTX= 5592.84116331095',
    '##DELTAX= -0.341380770512785',
    '##XFACTOR= 0.341380770512785',
    '##YFACTOR= 1',
    '##XYDATA=(X++(Y..Y))',
  ];
  const squeezed = [
    ...header,
    '16383a0247A201e196G245e777E015h583c100e715E930e081A1289f620B672A351F389d556b58',
    '16365C665E691b155a258f24A0g17b215a712d74b89a613C531c931d578h871a300i76A032d816',
    '##END=',
  ].join('\n');
  const difdup = [
    ...header,
    '16383a0247J1448o397J2441j3022J0792j3598N483k615J1645j1011J6370j7909',
    '16371f620R292j321N038j0945M298L923K026p846Q97O34Tp27j498N03J238J85j324',
    '##END=',
  ].join('\n');

  it('DIFDUP with a Y check decodes to the same ordinates as SQZ (30 shared points), X from FIRSTX + i·DELTAX', () => {
    const a = parseJcamp(squeezed, 'squeezed.dx');
    const b = parseJcamp(difdup, 'difdup.dx');
    expect(a.y.length).toBe(38);
    expect(b.y.length).toBe(30);
    expect(Array.from(b.y)).toEqual(Array.from(a.y.subarray(0, 30)));
    // Their AFFN twin (jcamp-fix.dx) starts -10247 1201 -5196 7245 -5777 5015 -8583 -3100.
    expect(Array.from(a.y.subarray(0, 8))).toEqual([-10247, 1201, -5196, 7245, -5777, 5015, -8583, -3100]);
    expect(b.x[29]).toBeCloseTo(5592.84116331095 - 29 * 0.341380770512785, 9);
    expect(() => parseJcamp(difdup.replace('##DELTAX= -0.341380770512785\n', ''), 'd.dx')).toThrow(
      /neither ##LASTX= nor ##DELTAX=/,
    );
  });
});

describe('pair forms', () => {
  it('reads ##XYPOINTS and ##PEAK TABLE with XFACTOR/YFACTOR', () => {
    const text = [
      '##TITLE=pairs',
      '##JCAMP-DX=4.24',
      '##XUNITS=MICROMETERS',
      '##YUNITS=ABSORBANCE',
      '##XFACTOR=0.01',
      '##YFACTOR=0.001',
      '##NPOINTS=3',
      '##XYPOINTS=(XY..XY)',
      '800,10; 900,20',
      '1000,30',
      '##PEAK TABLE=(XYW..XYW)',
      '1000,30,5 1200,7,2',
      '##END=',
    ].join('\n');
    const s = parseJcamp(text, 'p.jdx');
    expect(s.dataForm).toBe('PAIRS');
    expect(Array.from(s.x)).toEqual([8, 9, 10]);
    expect(Array.from(s.y)).toEqual([0.01, 0.02, 0.03]);
    expect(Array.from(s.peakTable?.x ?? [])).toEqual([10, 12]);
    expect(Array.from(s.peakTable?.w ?? [])).toEqual([5, 2]);
    // Written back (even x: as XYDATA) with its peak table, and read again.
    const again = parseJcamp(writeJcamp(s), 'again.jdx');
    expect(Array.from(again.x)).toEqual([8, 9, 10]);
    expect(Array.from(again.y)).toEqual([0.01, 0.02, 0.03]);
    expect(Array.from(again.peakTable?.y ?? [])).toEqual([0.03, 0.007]);
    expect(Array.from(again.peakTable?.w ?? [])).toEqual([5, 2]);
    expect(() => parseJcamp(text.replace('##NPOINTS=3', '##NPOINTS=4'), 'p.jdx')).toThrow(
      expect.objectContaining({ code: 'PT_ERR_JCAMP_NPOINTS' }),
    );
    expect(() => parseJcamp(text.replace('1200,7,2', '1200,7'), 'p.jdx')).toThrow(
      expect.objectContaining({ code: 'PT_ERR_JCAMP_TRUNCATED' }),
    );
  });
});
