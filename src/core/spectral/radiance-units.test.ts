import { describe, expect, it } from 'vitest';
import { planckRadiance } from './lwir-forward.ts';
import { convertRadianceBip, parseRadianceUnits, radianceFactorToUwCm2SrCm1 } from './radiance-units.ts';

describe('parseRadianceUnits', () => {
  it('reads the fraction and exponent forms and their spellings', () => {
    for (const [text, label] of [
      ['uW/(cm^2 sr cm^-1)', 'uW/(cm^2 sr cm^-1)'],
      ['µW/(cm² sr cm⁻¹)', 'uW/(cm^2 sr cm^-1)'],
      ['microwatts/cm2/sr/wavenumber', 'uW/(cm^2 sr cm^-1)'],
      ['W/(m^2 sr cm^-1)', 'W/(m^2 sr cm^-1)'],
      ['W/(m2 sr 1/cm)', 'W/(m^2 sr cm^-1)'],
      ['uW/(cm^2 sr nm)', 'uW/(cm^2 sr nm)'],
      ['W/(m^2 sr um)', 'W/(m^2 sr um)'],
      ['W m-2 sr-1 um-1', 'W/(m^2 sr um)'],
      ['Watts/(meter^2 steradian micron)', 'W/(m^2 sr um)'],
      ['uW cm-2 sr-1 (cm-1)-1', 'uW/(cm^2 sr cm^-1)'],
      ['mW/(m^2 sr cm^-1)', 'mW/(m^2 sr cm^-1)'],
    ] as const) {
      expect(parseRadianceUnits(text).label, text).toBe(label);
    }
  });

  it('refuses what is not a spectral radiance, naming the text (PT_ERR_RADIANCE_UNITS)', () => {
    for (const text of ['', 'furlongs', 'W/(m^2 sr)', 'W/(m^2 um)', 'K', 'W/(m^3 sr um)', 'W m-2 sr-1 um-2']) {
      expect(() => parseRadianceUnits(text), text).toThrow(/PT_ERR_RADIANCE_UNITS/);
    }
    expect(() => parseRadianceUnits('furlongs')).toThrow(/"furlongs"/);
  });
});

describe('radianceFactorToUwCm2SrCm1 (hand-computed values)', () => {
  const f = (u: string, nm: number) => radianceFactorToUwCm2SrCm1(parseRadianceUnits(u), nm);
  it('per wavenumber: area and power only', () => {
    expect(f('uW/(cm^2 sr cm^-1)', 9000)).toBe(1);
    // 1 W/m² = 1e6 µW / 1e4 cm² = 100 µW/cm².
    expect(f('W/(m^2 sr cm^-1)', 9000)).toBeCloseTo(100, 12);
    expect(f('mW/(m^2 sr cm^-1)', 9000)).toBeCloseTo(0.1, 12);
  });
  it('per wavelength: times λ²/1e7 (nm) or λ²/1e4 (µm) at the band centre', () => {
    // 10 µm: 1 µW/(cm² sr nm) = 1e8/1e7 = 10 µW/(cm² sr cm⁻¹).
    expect(f('uW/(cm^2 sr nm)', 10000)).toBeCloseTo(10, 12);
    // 10 µm: 1 W/(m² sr µm) = 100 µW/(cm² sr µm) = 100·100/1e4 = 1.
    expect(f('W/(m^2 sr um)', 10000)).toBeCloseTo(1, 12);
    // 8 µm: 1 W/(m² sr µm) = 100·64/1e4 = 0.64.
    expect(f('W/(m^2 sr um)', 8000)).toBeCloseTo(0.64, 12);
    // 12 µm: 1 µW/(cm² sr µm) = 144/1e4.
    expect(f('uW/(cm^2 sr um)', 12000)).toBeCloseTo(0.0144, 12);
  });
  it('turns Planck radiance per µm back into Planck radiance per cm⁻¹', () => {
    // B_λ = B_ν · ν²/1e4 (per µm) for the same temperature: 300 K at 10 µm (1000 cm⁻¹).
    const bNu = planckRadiance(1000, 300); // µW/(cm² sr cm⁻¹)
    const bLambdaUwCm2Um = (bNu * 1000 * 1000) / 1e4; // µW/(cm² sr µm)
    const bLambdaWm2Um = bLambdaUwCm2Um / 100; // W/(m² sr µm)
    expect(bLambdaWm2Um * f('W/(m^2 sr um)', 10000)).toBeCloseTo(bNu, 10);
    expect(bLambdaWm2Um).toBeCloseTo(9.924, 2); // the tabulated 9.924 µW/(cm² sr cm⁻¹) at 10 µm
  });
  it('converts a BIP cube band by band', () => {
    const data = Float32Array.from([1, 1, 2, 2]); // 2 pixels × 2 bands
    const factors = convertRadianceBip(data, 2, [8000, 10000], parseRadianceUnits('W/(m^2 sr um)'));
    expect([...factors].map((x) => Number(x.toFixed(6)))).toEqual([0.64, 1]);
    expect([...data].map((x) => Number(x.toFixed(6)))).toEqual([0.64, 1, 1.28, 2]);
  });
});
