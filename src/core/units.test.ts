import { describe, expect, it } from 'vitest';
import { PlumetraceError } from './errors.ts';
import { kgPerM3ToPpm, MOLAR_MASS_G_PER_MOL, molarMassKgPerMol, ppmPerKgPerM3, ppmToKgPerM3 } from './units.ts';

describe('units', () => {
  it('knows CH4, CO2, NH3, H2S, case-insensitively', () => {
    expect(Object.keys(MOLAR_MASS_G_PER_MOL).sort()).toEqual(['CH4', 'CO2', 'H2S', 'NH3']);
    expect(molarMassKgPerMol('ch4')).toBeCloseTo(0.016043, 9);
  });

  it('matches the industrial-hygiene rule mg/m3 = ppm × M / 24.45 at 25 °C, 1 atm (within 0.1 %)', () => {
    for (const gas of Object.keys(MOLAR_MASS_G_PER_MOL)) {
      const mgPerM3 = ppmToKgPerM3(100, gas, 298.15) * 1e6;
      const rule = (100 * MOLAR_MASS_G_PER_MOL[gas]) / 24.45;
      expect(Math.abs(mgPerM3 / rule - 1)).toBeLessThan(1e-3);
    }
  });

  it('round-trips and scales inversely with pressure', () => {
    const c = ppmToKgPerM3(2.5, 'CO2');
    expect(kgPerM3ToPpm(c, 'CO2')).toBeCloseTo(2.5, 12);
    expect(kgPerM3ToPpm(c, 'CO2', 288.15, 50662.5)).toBeCloseTo(5, 12);
    expect(ppmPerKgPerM3('NH3') * c).toBeCloseTo(kgPerM3ToPpm(c, 'NH3'), 12);
  });

  it('rejects an unknown gas with PT_ERR_BAD_REQUEST', () => {
    expect(() => kgPerM3ToPpm(1, 'XENON')).toThrow(PlumetraceError);
    expect(() => ppmToKgPerM3(1, 'toString')).toThrow(/PT_ERR_BAD_REQUEST/);
  });
});
