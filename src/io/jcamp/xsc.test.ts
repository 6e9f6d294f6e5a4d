import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseXsc, writeXsc } from './xsc.ts';

const acetonePath = new URL(
  '../../../data/gas/hitran_xsc/radis_hitran_xsc_acetone_CH3COCH3_233.4K_375.2Torr_700-1780cm.xsc',
  import.meta.url,
);

describe('HITRAN .xsc reader', () => {
  it('reads the HITRAN acetone file: header columns, grid and values', () => {
    const text = readFileSync(acetonePath, 'latin1');
    const [b, ...rest] = parseXsc(text, 'acetone.xsc');
    expect(rest).toEqual([]);
    expect(b).toMatchObject({
      molecule: 'CH3COCH3',
      wavenumberMinCm: 700.004,
      wavenumberMaxCm: 1780.0066,
      temperatureK: 233.4,
      pressureTorr: 375.2,
      maxCrossSectionCm2: 6.452e-19,
      resolution: '.032',
      commonName: 'Acetone',
      broadener: 'air',
      reference: '42',
      line: 1,
    });
    expect(b.crossSectionCm2.length).toBe(71685);
    // First and last values as written in the file (line 2 and the last line).
    const lines = text.trimEnd().split('\n');
    expect(b.crossSectionCm2[0]).toBe(Number(lines[1].trim().split(/\s+/)[0]));
    expect(b.crossSectionCm2[71684]).toBe(Number(lines[lines.length - 1].trim().split(/\s+/).pop()));
    expect(b.wavenumberCm[0]).toBe(700.004);
    expect(b.wavenumberCm[71684]).toBeCloseTo(1780.0066, 9);
    // The header's maximum is the data's maximum (to its 4 digits).
    expect(Math.max(...b.crossSectionCm2)).toBeCloseTo(6.452e-19, 22);
  });

  it('write → read round-trips two blocks written by the test', () => {
    const mk = (t: number, scale: number) => {
      const s = Float64Array.from({ length: 23 }, (_, i) =>
        Number((scale * Math.exp(-((i - 11) ** 2) / 8)).toPrecision(4)),
      );
      return {
        molecule: 'SF6',
        wavenumberMinCm: 925,
        wavenumberMaxCm: 955,
        temperatureK: t,
        pressureTorr: 760,
        maxCrossSectionCm2: Math.max(...s),
        resolution: '0.1',
        commonName: 'Sulfur hexafl.',
        broadener: 'N2',
        reference: '7',
        crossSectionCm2: s,
      };
    };
    const blocks = [mk(296, 2.5e-18), mk(216.3, 3.1e-18)];
    const text = writeXsc(blocks);
    expect(text.split('\n')[0].length).toBe(100);
    const back = parseXsc(text, 'w.xsc');
    expect(back.length).toBe(2);
    for (let k = 0; k < 2; k++) {
      expect(back[k]).toMatchObject({ molecule: 'SF6', temperatureK: blocks[k].temperatureK, broadener: 'N2' });
      expect(Array.from(back[k].crossSectionCm2)).toEqual(Array.from(blocks[k].crossSectionCm2));
      expect(back[k].wavenumberCm[22]).toBe(955);
    }
    expect(back[1].line).toBe(5); // header, 3 lines of values (10+10+3), header
  });

  it('bad files are PT_ERR_XSC_FORMAT naming the line', () => {
    const text = readFileSync(acetonePath, 'latin1');
    const lines = text.split('\n');
    expect(() => parseXsc(lines.slice(0, 500).join('\n'), 'cut.xsc')).toThrow(
      expect.objectContaining({
        code: 'PT_ERR_XSC_FORMAT',
        detail: expect.stringMatching(/has 4990 values, its header says 71685/),
      }),
    );
    const badHeader = [lines[0].replace(' 71685', ' 7x685'), ...lines.slice(1)].join('\n');
    expect(() => parseXsc(badHeader, 'h.xsc')).toThrow(
      expect.objectContaining({ code: 'PT_ERR_XSC_FORMAT', location: { file: 'h.xsc', line: 1 } }),
    );
    const badValue = [...lines.slice(0, 3), lines[3].replace('2.203E-21', '2.203X-21'), ...lines.slice(4)].join('\n');
    expect(() => parseXsc(badValue, 'v.xsc')).toThrow(
      expect.objectContaining({ code: 'PT_ERR_XSC_FORMAT', location: { file: 'v.xsc', line: 4 } }),
    );
    expect(() => parseXsc('\n\n', 'e.xsc')).toThrow(expect.objectContaining({ code: 'PT_ERR_XSC_FORMAT' }));
  });
});
