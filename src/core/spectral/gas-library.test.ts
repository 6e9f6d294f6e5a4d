import { describe, expect, it } from 'vitest';
import {
  buildGasLibrary,
  cellAverage,
  crossSectionToAbsorbancePerPpmM,
  findGas,
  type GasSpectrumSource,
  gasFromCrossSection,
  gasFromJcamp,
  moleculesPerCm2PerPpmM,
  NIST_QUANT_TO_PER_PPM_M,
  parseSampleConditions,
  ppmMAtReference,
  wavenumberGrid,
} from './gas-library.ts';

const src = (over: Partial<GasSpectrumSource>): GasSpectrumSource => ({
  sourceFile: 'Gas.jdx',
  title: 'Gas',
  casRegistryNo: '1-23-4',
  molecularFormula: 'C H4',
  xUnits: '1/CM',
  yUnits: '(micromol/mol)-1m-1 (base 10)',
  x: Float64Array.of(800, 801, 802, 803),
  y: Float64Array.of(1e-5, 4e-4, 2e-5, 0),
  provenance: 'test',
  ...over,
});

describe('unit conversions of the gas library', () => {
  it('1 ppm·m at 0 °C, 1 atm is Loschmidt × 1e-6 × 1 m = 2.6867811e15 molecules/cm² (CODATA n0)', () => {
    expect(moleculesPerCm2PerPpmM(273.15, 101325) / 2.6867811e15 - 1).toBeLessThan(1e-7);
    // At the NIST reference, 296.15 K: n0 × 273.15/296.15.
    expect(moleculesPerCm2PerPpmM() / ((2.6867811e15 * 273.15) / 296.15) - 1).toBeLessThan(1e-7);
  });

  it('σ → absorbance per ppm·m: σ·N₁/ln 10 (1e-19 cm² → 1.0762e-4)', () => {
    expect(crossSectionToAbsorbancePerPpmM(1e-19)).toBeCloseTo((1e-19 * 2.478118e15) / Math.LN10, 9);
    expect(crossSectionToAbsorbancePerPpmM(1e-19) / 1.07623e-4 - 1).toBeLessThan(1e-4);
  });

  it('ppm·m at other conditions scales with the number density p/T', () => {
    expect(ppmMAtReference(100, 296.15, 101325)).toBeCloseTo(100, 12);
    expect(ppmMAtReference(100, 296.15, 101325 / 2)).toBeCloseTo(50, 12);
    expect(ppmMAtReference(100, 2 * 296.15, 101325)).toBeCloseTo(50, 12);
    expect(() => ppmMAtReference(1, 0, 1)).toThrow(expect.objectContaining({ code: 'PT_ERR_SPECTRAL_INPUT' }));
  });
});

describe('gasFromJcamp', () => {
  it('NIST quantitative units: absorbance per ppm·m = ordinate × YFACTOR × 1, CAS and formula kept', () => {
    expect(NIST_QUANT_TO_PER_PPM_M).toBe(1);
    const g = gasFromJcamp(src({}));
    expect(g).toMatchObject({
      id: 'gas',
      name: 'Gas',
      cas: '1-23-4',
      formula: 'C H4',
      quantitative: true,
      unit: 'per-ppm-m',
      kind: 'nist-quant',
      warnings: [],
    });
    expect(Array.from(g.absorbance)).toEqual([1e-5, 4e-4, 2e-5, 0]);
    // Base e is divided by ln 10.
    const e = gasFromJcamp(src({ yUnits: '(micromol/mol)-1m-1 (base e)' }));
    expect(e.absorbance[1]).toBeCloseTo(4e-4 / Math.LN10, 18);
  });

  it('wavelength files become ascending wavenumber (µm and nm)', () => {
    const g = gasFromJcamp(src({ xUnits: 'MICROMETERS', x: Float64Array.of(6.25, 8, 10, 12.5) }));
    expect(Array.from(g.wavenumberCm)).toEqual([800, 1000, 1250, 1600]);
    expect(Array.from(g.absorbance)).toEqual([1e-5, 4e-4, 2e-5, 0].reverse());
    const n = gasFromJcamp(src({ xUnits: 'NANOMETERS', x: Float64Array.of(6250, 8000, 10000, 12500) }));
    expect(Array.from(n.wavenumberCm)).toEqual([800, 1000, 1250, 1600]);
  });

  it('transmittance charts are band shape only: −log10 T above its minimum, peak 1, not quantitative', () => {
    const g = gasFromJcamp(src({ yUnits: 'TRANSMITTANCE', y: Float64Array.of(0.9, 0.09, 0.45, 0.9) }));
    expect(g).toMatchObject({ quantitative: false, unit: 'relative', kind: 'transmittance-chart' });
    expect(g.absorbance[0]).toBe(0);
    expect(g.absorbance[1]).toBeCloseTo(1, 14);
    expect(g.absorbance[2]).toBeCloseTo(Math.log10(2) / 1, 14); // log10(0.9/0.45) / log10(0.9/0.09)
  });

  it('saturated points (T ≤ 0) are clamped to the smallest positive T and reported', () => {
    const g = gasFromJcamp(src({ yUnits: 'TRANSMITTANCE', y: Float64Array.of(0.8, 0, 0.02, 0.8) }));
    expect(g.absorbance[1]).toBeCloseTo(1, 14);
    expect(g.absorbance[2]).toBeCloseTo(1, 14);
    expect(g.warnings[0]).toMatch(/1 points with transmittance ≤ 0 .* clamped to T = 0.02/);
  });

  it('absorbance without an amount is qualitative too', () => {
    const g = gasFromJcamp(src({ yUnits: 'ABSORBANCE', y: Float64Array.of(0.1, 0.5, 0.3, 0.1) }));
    expect(g).toMatchObject({ quantitative: false, kind: 'absorbance-qualitative' });
    expect(Array.from(g.absorbance).map((v) => Number(v.toFixed(12)))).toEqual([0, 1, 0.5, 0]);
  });

  it('files the library cannot interpret are PT_ERR_GAS_LIBRARY naming the file and unit', () => {
    const err = (over: Partial<GasSpectrumSource>) => () => gasFromJcamp(src(over));
    expect(err({ yUnits: 'KUBELKA-MUNK' })).toThrow(
      expect.objectContaining({ code: 'PT_ERR_GAS_LIBRARY', location: { file: 'Gas.jdx' } }),
    );
    expect(err({ yUnits: 'KUBELKA-MUNK' })).toThrow(/YUNITS=KUBELKA-MUNK/);
    expect(err({ xUnits: 'HZ' })).toThrow(/XUNITS=HZ/);
    expect(err({ yUnits: 'ABSORBANCE', y: Float64Array.of(1, 1, 1, 1) })).toThrow(/flat/);
    expect(err({ x: Float64Array.of(800, 802, 801, 803) })).toThrow(/not monotonic/);
    expect(err({ yUnits: 'TRANSMITTANCE', y: Float64Array.of(0, 0, -1, 0) })).toThrow(/no positive transmittance/);
  });
});

describe('sample conditions from the header', () => {
  it('parses temperature, pressures, path length, resolution and NIST relative uncertainty with units', () => {
    const c = parseSampleConditions({
      TEMPERATURE: '23 C',
      PRESSURE: '101.3 kPa',
      PARTIALPRESSURE: '100 mmHg (NOTE: High partial pressure may produce unreliable values)',
      PATHLENGTH: '18 CM CELL',
      RESOLUTION: '1 CM^-^1 AT 4000',
      $UNCERTAINTYINY: '2.3 % relative (B=1.3E-04,C=1.7E-09,D=2.7E-14)',
    });
    expect(c.temperatureK).toBeCloseTo(296.15, 12);
    expect(c.pressurePa).toBeCloseTo(101300, 9);
    expect(c.partialPressurePa).toBeCloseTo(13332.2387415, 6);
    expect(c.pathLengthM).toBeCloseTo(0.18, 12);
    expect(c.resolutionCm).toBe(1);
    expect(c.relativeUncertainty).toBeCloseTo(0.023, 12);
    expect(parseSampleConditions({ PARTIALPRESSURE: '40 PPM', RESOLUTION: '0.4820' })).toEqual({
      mixingRatioPpm: 40,
      resolutionCm: 0.482,
    });
    expect(parseSampleConditions({ TEMPERATURE: 'room', PATHLENGTH: '5 furlongs' })).toEqual({});
  });
});

describe('common grid and library', () => {
  it('cellAverage of a piecewise-linear spectrum is its exact cell mean and conserves area', () => {
    // Uneven data grid, y = 3x − 2 on a part and a triangle elsewhere.
    const x = Float64Array.of(0, 0.3, 0.5, 1.4, 2, 2.1, 3.7, 5);
    const y = x.map((v) => (v < 2 ? 3 * v - 2 : 4 - 0.5 * (v - 2)));
    const grid = Float64Array.from({ length: 9 }, (_, i) => 0.25 + i * 0.5); // cells 0…4.5
    const avg = cellAverage(x, y, grid);
    expect(avg[0]).toBeCloseTo(3 * 0.25 - 2, 12); // linear: mean = value at the centre
    expect(avg[2]).toBeCloseTo(3 * 1.25 - 2, 12);
    let trapz = 0;
    for (let i = 1; i < x.length && x[i] <= 4.5; i++) trapz += 0.5 * (y[i] + y[i - 1]) * (x[i] - x[i - 1]);
    // ∫0…4.5 of the interpolant: trapz to 3.7, then the part 3.7…4.5 of the last segment.
    const at45 = y[6] + ((4.5 - 3.7) / (5 - 3.7)) * (y[7] - y[6]);
    trapz += 0.5 * (y[6] + at45) * 0.8;
    expect(avg.reduce((s, v) => s + v * 0.5, 0)).toBeCloseTo(trapz, 12);
    // A cell reaching past the data is NaN; a missing value spoils only the cells it touches.
    expect(Number.isNaN(cellAverage(x, y, Float64Array.of(4.9, 5.4))[1])).toBe(true);
    const gap = Float64Array.from(y);
    gap[4] = Number.NaN; // x = 2
    const g2 = cellAverage(x, gap, grid);
    expect(Number.isNaN(g2[3])).toBe(true); // cell 1.5…2 touches the segment 1.4…2
    expect(Number.isNaN(g2[4])).toBe(true); // cell 2…2.5 touches 2…2.1
    expect(g2[0]).toBeCloseTo(avg[0], 12);
    expect(g2[6]).toBeCloseTo(avg[6], 12);
  });

  it('buildGasLibrary puts every gas on the grid, rejects duplicate ids; findGas prefers quantitative spectra', () => {
    const q = gasFromJcamp(src({}));
    const chart = gasFromJcamp(
      src({ sourceFile: 'gas-chart.jdx', yUnits: 'TRANSMITTANCE', y: Float64Array.of(0.9, 0.5, 0.8, 0.9) }),
    );
    const lib = buildGasLibrary([chart, q], { startCm: 800.5, endCm: 802.5, stepCm: 1 });
    expect(lib.algorithmVersion).toBe('gas-library/1');
    expect(Array.from(lib.gridCm)).toEqual([800.5, 801.5, 802.5]);
    // Cells [800, 801] and [801, 802] of the linear interpolant: the mean of their end values.
    expect(lib.gridAbsorbance[1][0]).toBeCloseTo((1e-5 + 4e-4) / 2, 15);
    expect(lib.gridAbsorbance[1][1]).toBeCloseTo((4e-4 + 2e-5) / 2, 15);
    expect(Number.isNaN(lib.gridAbsorbance[1][2])).toBe(false);
    expect(findGas(lib, '1-23-4')?.id).toBe('gas');
    expect(findGas(lib, 'GAS-CHART')?.quantitative).toBe(false);
    expect(findGas(lib, 'nothing')).toBeUndefined();
    expect(() => buildGasLibrary([q, q])).toThrow(expect.objectContaining({ code: 'PT_ERR_GAS_LIBRARY' }));
    expect(() => wavenumberGrid({ startCm: 10, endCm: 5, stepCm: 1 })).toThrow(
      expect.objectContaining({ code: 'PT_ERR_SPECTRAL_INPUT' }),
    );
  });

  it('gasFromCrossSection: quantitative, σ·N₁/ln 10', () => {
    const g = gasFromCrossSection({
      sourceFile: 'x/SF6_296K.xsc',
      molecule: 'SF6',
      commonName: 'SF6',
      temperatureK: 296,
      pressureTorr: 760,
      wavenumberCm: Float64Array.of(940, 941),
      crossSectionCm2: Float64Array.of(1e-18, 2e-18),
      provenance: 'test',
    });
    expect(g).toMatchObject({ id: 'sf6_296k', quantitative: true, kind: 'cross-section', cas: null });
    expect(g.absorbance[1]).toBeCloseTo(crossSectionToAbsorbancePerPpmM(2e-18), 18);
  });
});
