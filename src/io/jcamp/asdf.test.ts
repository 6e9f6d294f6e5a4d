import { describe, expect, it } from 'vitest';
import { createRng } from '../../core/random.ts';
import { decodeXyLine, dif, dup, sqz, tokenizeDataLine } from './asdf.ts';

const ctx = { file: 't.jdx', line: 7 };
const decode = (text: string, prev?: { endsInDif: boolean; lastY: number }) => decodeXyLine(text, true, ctx, prev);

describe('ASDF decoding (hand-worked vectors, JCAMP-DX 4.24 §5.9)', () => {
  it('SQZ, DIF and DUP of a difference: "100@A1J%T" is 0, 11, 12, 12, 12', () => {
    const d = decode('100@A1J%T');
    expect(d.x).toBe(100);
    expect(d.ys).toEqual([0, 11, 12, 12, 12]);
    expect(d.endsInDif).toBe(true);
    expect(d.yCheck).toBe(false);
  });

  it('negative SQZ and DIF: "1E5j2k" is 55, 43, 41 (E is SQZ +5 in compressed data)', () => {
    expect(decode('1E5j2k').ys).toEqual([55, 43, 41]);
    expect(decode('5a5b23').ys).toEqual([-15, -223]);
  });

  it('DUP of a value and a two-digit DUP count', () => {
    expect(decode('1A1U').ys).toEqual([11, 11, 11]);
    expect(decode('1@S0').ys).toEqual(new Array(10).fill(0));
    expect(decode('1A1U').endsInDif).toBe(false);
  });

  it('the Y check of a DIF line is verified and dropped', () => {
    const d = decode('4D1J', { endsInDif: true, lastY: 41 });
    expect(d.ys).toEqual([42]);
    expect(d.yCheck).toBe(true);
    // Without a DIF before, the first value is a point.
    expect(decode('4D1J', { endsInDif: false, lastY: 41 }).ys).toEqual([41, 42]);
  });

  it('a Y check that disagrees is PT_ERR_JCAMP_Y_CHECK naming the line', () => {
    expect(() => decode('4D2J', { endsInDif: true, lastY: 41 })).toThrow(
      expect.objectContaining({ code: 'PT_ERR_JCAMP_Y_CHECK', location: { file: 't.jdx', line: 7 } }),
    );
    expect(() => decode('4D2J', { endsInDif: true, lastY: 41 })).toThrow(
      /Y-check 42 but the previous line ended at 41/,
    );
  });

  it('AFFN with PAC separators, exponents and a missing value', () => {
    const t = tokenizeDataLine('574.93 90078 477740 138264-105172 +3', false, ctx).map((x) => x.value);
    expect(t).toEqual([574.93, 90078, 477740, 138264, -105172, 3]);
    const d = decodeXyLine('1 1.5E-3 -2e+2 ?', false, ctx, undefined);
    expect(d.ys[0]).toBe(0.0015);
    expect(d.ys[1]).toBe(-200);
    expect(Number.isNaN(d.ys[2])).toBe(true);
  });

  it('bad characters and misplaced DIF/DUP are PT_ERR_JCAMP_BAD_CHARACTER with the column', () => {
    expect(() => decode('1 2 3 #')).toThrow(
      expect.objectContaining({ code: 'PT_ERR_JCAMP_BAD_CHARACTER', location: { file: 't.jdx', line: 7 } }),
    );
    expect(() => decode('1 2 3 #')).toThrow(/"#".*column 7/);
    expect(() => decode('1@x')).toThrow(/"x"/);
    expect(() => decode('1J')).toThrow(/DIF has no value before it/);
    expect(() => decode('1T')).toThrow(/DUP has nothing before it/);
    expect(() => decode('J1')).toThrow(/must start with its X value/);
    expect(() => decodeXyLine('1 2 3-', false, ctx, undefined)).toThrow(/"-" is not a number/);
  });
});

describe('ASDF encoding', () => {
  it('encodes the hand-worked forms', () => {
    expect([sqz(0), sqz(123), sqz(-7), sqz(-105172)]).toEqual(['@', 'A23', 'g', 'a05172']);
    expect([dif(0), dif(45), dif(-45)]).toEqual(['%', 'M5', 'm5']);
    expect([dup(2), dup(9), dup(12)]).toEqual(['T', 's', 'S2']);
    expect(() => sqz(1.5)).toThrow(RangeError);
  });

  it('encode → decode is the identity on 2000 seeded random integers (SQZ and DIF lines)', () => {
    const rng = createRng(20261126);
    const values = Array.from({ length: 2000 }, () => rng.int(2_000_001) - 1_000_000);
    const sqzLine = `0${values.map(sqz).join('')}`;
    expect(decode(sqzLine).ys).toEqual(values);
    let difLine = `0${sqz(values[0])}`;
    for (let i = 1; i < values.length; i++) difLine += dif(values[i] - values[i - 1]);
    expect(decode(difLine).ys).toEqual(values);
  });
});
