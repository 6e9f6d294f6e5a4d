import { describe, expect, it } from 'vitest';
import {
  applyChannelResponse,
  cellAverageToGrid,
  channelResponse,
  channelsFromWavelengthUm,
  gasAbsorbanceOnGrid,
  interpolateToGrid,
  toGasAbsorbance,
} from './lwir-channels.ts';

const grid = Float64Array.from({ length: 526 }, (_, i) => 800 + i); // the Gross atmospheres' grid

describe('LWIR channels', () => {
  it('converts µm centres and FWHM to wavenumber (ν = 1e4/λ, FWHM_ν = 1e4·FWHM_λ/λ²)', () => {
    const ch = channelsFromWavelengthUm([10, 8], [0.03, 0.02]);
    expect(ch.centerCm1[0]).toBeCloseTo(1000, 12);
    expect(ch.fwhmCm1[0]).toBeCloseTo(3, 12);
    expect(ch.centerCm1[1]).toBeCloseTo(1250, 12);
    expect(ch.fwhmCm1[1]).toBeCloseTo(3.125, 12);
    expect(() => channelsFromWavelengthUm([10], [0])).toThrow(/channel 0/);
  });

  it('Gaussian responses sum to 1, are centred on the channel and pass a linear spectrum unchanged', () => {
    const ch = { centerCm1: Float64Array.of(900.3, 1000, 1111.7), fwhmCm1: Float64Array.of(2.2, 3, 4.5) };
    const r = channelResponse(grid, ch);
    expect(Array.from(r.kept)).toEqual([0, 1, 2]);
    for (let k = 0; k < 3; k++) {
      let sum = 0;
      let centroid = 0;
      let second = 0;
      for (let j = 0; j < r.count[k]; j++) {
        const w = r.weights[r.offset[k] + j];
        const v = grid[r.start[k] + j];
        sum += w;
        centroid += w * v;
        second += w * (v - ch.centerCm1[k]) ** 2;
      }
      expect(sum).toBeCloseTo(1, 12);
      expect(Math.abs(centroid - ch.centerCm1[k])).toBeLessThan(0.02 * ch.fwhmCm1[k]);
      // Variance of the sampled Gaussian ≈ σ² = (FWHM/2.3548)² (within 10% on a 1 cm⁻¹ grid).
      const s2 = (ch.fwhmCm1[k] / 2.354820045) ** 2;
      expect(Math.abs(second - s2) / s2).toBeLessThan(0.1);
    }
    const linear = grid.map((v) => 3 + 0.01 * v);
    const out = applyChannelResponse(r, linear);
    for (let k = 0; k < 3; k++) expect(Math.abs(out[k] - (3 + 0.01 * ch.centerCm1[k]))).toBeLessThan(1e-3);
  });

  it('drops channels not fully inside the grid: HyTES 7.52–7.57 µm (> 1320 cm⁻¹) on 800–1325 cm⁻¹', () => {
    // The first five HyTES channels (data/lwir/isofit_hytes_wavelengths.txt, read by hand).
    const ch = channelsFromWavelengthUm(
      [7.519889831542969, 7.537630081176758, 7.555469989776611, 7.5732197761535645, 7.5910701751708975],
      [0.027947461717706498, 0.02800626732531325, 0.028084807667710224, 0.028141498001076057, 0.028215653491752507],
    );
    // Channel 3: 1320.44 + 1.5·4.91 = 1327.8 > 1325, dropped; channel 4: 1317.34 + 1.5·4.90 = 1324.7, kept.
    const r = channelResponse(grid, ch);
    expect(Array.from(r.dropped)).toEqual([0, 1, 2, 3]);
    expect(Array.from(r.kept)).toEqual([4]);
  });

  it('refuses a grid coarser than a channel', () => {
    const coarse = Float64Array.from({ length: 100 }, (_, i) => 800 + 5 * i);
    expect(() => channelResponse(coarse, { centerCm1: Float64Array.of(1000), fwhmCm1: Float64Array.of(3) })).toThrow(
      /narrower than the grid step 5/,
    );
    expect(() =>
      channelResponse(Float64Array.of(1, 1), { centerCm1: Float64Array.of(1), fwhmCm1: Float64Array.of(1) }),
    ).toThrow(/not strictly ascending/);
  });

  it('interpolates linearly from an ascending or descending axis, NaN (or the fill) outside', () => {
    const x = [10, 8, 6];
    const y = [1, 2, 4];
    expect(Array.from(interpolateToGrid(x, y, [5, 6, 7, 9, 10, 11]))).toEqual([Number.NaN, 4, 3, 1.5, 1, Number.NaN]);
    expect(Array.from(interpolateToGrid(x, y, [5], 0))).toEqual([0]);
    expect(() => interpolateToGrid([1, 1], [0, 0], [1])).toThrow(/not monotonic/);
  });

  it('averages absorbance over grid cells: a triangle by hand, and the integral of a line narrower than the grid', () => {
    // Triangle 0 → 1e-4 → 0 over 990–1010 cm⁻¹ on a 5 cm⁻¹ grid (cells ±2.5 cm⁻¹). By hand:
    // 990: ∫ over 987.5–992.5 = 1e-5·2.5²/2 = 3.125e-5, mean 6.25e-6 (point value 0);
    // 995: a linear stretch, mean = point value 5e-5;
    // 1000: ∫ over 997.5–1002.5 = 2·1e-5·(10² − 7.5²)/2 = 4.375e-4, mean 8.75e-5 (point value 1e-4).
    const gas = {
      name: 'g',
      cas: '',
      wavenumberCm1: Float64Array.of(1010, 1000, 990), // descending, as some files are
      absorbancePerPpmM: Float64Array.of(0, 1e-4, 0),
    };
    const a = gasAbsorbanceOnGrid(gas, [985, 990, 995, 1000, 1005, 1010, 1015]);
    expect(a[0]).toBe(0);
    expect(a[1]).toBeCloseTo(6.25e-6, 15);
    expect(a[2]).toBeCloseTo(5e-5, 15);
    expect(a[3]).toBeCloseTo(8.75e-5, 15);
    expect(a[6]).toBe(0);
    // A Gaussian line of σ 0.2 cm⁻¹ sampled every 0.05 cm⁻¹, onto the 1 cm⁻¹ grid: the integral
    // (Σ mean·1 cm⁻¹) equals ∫A dν = peak·σ·√(2π) to 1e-6, wherever the line sits.
    for (const c of [1000, 1000.37, 1000.5]) {
      const x = Float64Array.from({ length: 2001 }, (_, i) => 950 + 0.05 * i);
      const narrow = {
        ...gas,
        wavenumberCm1: x,
        absorbancePerPpmM: x.map((v) => 1e-3 * Math.exp(-0.5 * ((v - c) / 0.2) ** 2)),
      };
      const onGrid = gasAbsorbanceOnGrid(narrow, grid);
      const sum = onGrid.reduce((s, v) => s + v, 0);
      const exact = 1e-3 * 0.2 * Math.sqrt(2 * Math.PI);
      expect(Math.abs(sum - exact) / exact).toBeLessThan(1e-6);
      // Point sampling would give 1e-3·exp(−0.5·(0.37/0.2)²) = 1.8e-4 at 1000 for c = 1000.37: not conserved.
    }
    expect(cellAverageToGrid([1, 2], [3, 3], [1.5])[0]).toBe(3);
    expect(() => gasAbsorbanceOnGrid({ ...gas, absorbancePerPpmM: Float64Array.of(0, Number.NaN, 0) }, [1000])).toThrow(
      /absorbance 1 is not finite/,
    );
  });

  it('takes quantitative gas-library spectra and refuses band shapes', () => {
    const spec = {
      id: 'acetone',
      name: 'Acetone',
      cas: '67-64-1',
      quantitative: true,
      wavenumberCm: Float64Array.of(1000, 1001),
      absorbance: Float64Array.of(1e-4, 2e-4),
    };
    const g = toGasAbsorbance(spec);
    expect(g).toEqual({
      name: 'Acetone',
      cas: '67-64-1',
      wavenumberCm1: spec.wavenumberCm,
      absorbancePerPpmM: spec.absorbance,
    });
    expect(toGasAbsorbance({ ...spec, cas: null }).cas).toBe('');
    expect(() => toGasAbsorbance({ ...spec, name: 'Toluene', quantitative: false })).toThrow(
      /PT_ERR_SPECTRAL_INPUT.*"Toluene" has only a relative band shape/,
    );
  });
});
