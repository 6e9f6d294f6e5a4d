import { describe, expect, it } from 'vitest';
import {
  brightnessTemperature,
  type LwirGasLayer,
  type LwirPathTerms,
  lwirAtSensorRadiance,
  lwirAtSensorRadianceLinear,
  lwirColumnJacobian,
  planckDerivativeK,
  planckRadiance,
  planckSpectrum,
  surfaceLeavingRadiance,
  thermalContrastK,
} from './lwir-forward.ts';

// A synthetic atmosphere on 800–1300 cm⁻¹ at 1 cm⁻¹ (τ 0.7–0.9, L↑ 2, L↓ 4 µW/(cm² sr cm⁻¹)).
const grid = Float64Array.from({ length: 501 }, (_, i) => 800 + i);
const terms: LwirPathTerms = {
  wavenumberCm1: grid,
  transmittance: grid.map((v) => 0.8 + 0.1 * Math.sin(v / 37)),
  pathRadiance: grid.map(() => 2),
  downwellingRadiance: grid.map(() => 4),
};
// Synthetic gases: a Gaussian band at 1000 cm⁻¹ (σ 10 cm⁻¹, peak 2e-4 per ppm·m, decadic) and a
// Lorentzian band at 1100 cm⁻¹ (HWHM 8 cm⁻¹, peak 1e-4 per ppm·m).
const gaussBand = grid.map((v) => 2e-4 * Math.exp(-0.5 * ((v - 1000) / 10) ** 2));
const lorentzBand = grid.map((v) => 1e-4 / (1 + ((v - 1100) / 8) ** 2));
const emissivity = grid.map((v) => 0.95 - 0.03 * Math.cos(v / 50));

function gas(columns: number[], temperatureK: number, bands = [gaussBand, lorentzBand]): LwirGasLayer {
  return { absorbancePerPpmM: bands, columnPpmM: columns, temperatureK };
}

describe('Planck radiance and brightness temperature', () => {
  it('B(1000 cm⁻¹, 300 K) = 9.924 µW/(cm² sr cm⁻¹), the tabulated 9.924 W/(m² sr µm) at 10 µm converted (±0.01%)', () => {
    // Reference: a 300 K blackbody at 10 µm radiates 9.924 W m⁻² sr⁻¹ µm⁻¹ (e.g. SpectralCalc's
    // blackbody calculator); L_ν = L_λ·λ²/10⁴ per cm⁻¹ with λ in µm, and W/m² = 100 µW/cm².
    const reference = ((9.924 * 10 ** 2) / 1e4) * 100;
    expect(Math.abs(planckRadiance(1000, 300) - reference) / reference).toBeLessThan(1e-4);
  });

  it('integrates to σT⁴/π (Stefan–Boltzmann) within 1e-5 at 250, 300 and 350 K', () => {
    const sigma = 5.670374419e-8; // W m⁻² K⁻⁴ (CODATA 2018)
    for (const t of [250, 300, 350]) {
      let sum = 0;
      const dv = 0.25;
      for (let v = dv; v < 20000; v += dv) sum += planckRadiance(v, t) * dv;
      const expected = ((sigma * t ** 4) / Math.PI) * 100; // µW cm⁻² sr⁻¹
      expect(Math.abs(sum - expected) / expected).toBeLessThan(1e-5);
    }
  });

  it('peaks at ν = 1.96099·T cm⁻¹ (Wien, in wavenumber)', () => {
    for (const t of [250, 300, 400]) {
      let best = 0;
      let bestV = 0;
      for (let v = 100; v < 2000; v += 0.01) {
        const b = planckRadiance(v, t);
        if (b > best) {
          best = b;
          bestV = v;
        }
      }
      expect(Math.abs(bestV - 1.96099 * t)).toBeLessThan(0.05);
    }
  });

  it('∂B/∂T matches a central difference to 1e-7', () => {
    for (const [v, t] of [
      [850, 280],
      [1000, 300],
      [1250, 330],
    ]) {
      const fd = (planckRadiance(v, t + 1e-3) - planckRadiance(v, t - 1e-3)) / 2e-3;
      expect(Math.abs(planckDerivativeK(v, t) - fd) / fd).toBeLessThan(1e-7);
    }
  });

  it('brightness temperature inverts Planck (round trip < 1e-9 K) and is NaN for radiance <= 0', () => {
    for (let v = 700; v <= 1400; v += 50) {
      for (let t = 180; t <= 420; t += 15) {
        expect(Math.abs(brightnessTemperature(v, planckRadiance(v, t)) - t)).toBeLessThan(1e-9);
      }
    }
    expect(brightnessTemperature(1000, 0)).toBeNaN();
    expect(brightnessTemperature(1000, -1)).toBeNaN();
  });
});

describe('at-sensor radiance with a gas layer', () => {
  const ts = 305;

  it('reduces to the no-gas case τ·(εB(T_s) + (1−ε)L↓) + L↑ at zero column', () => {
    const none = lwirAtSensorRadiance(terms, emissivity, ts, null);
    const zero = lwirAtSensorRadiance(terms, emissivity, ts, gas([0, 0], 290));
    for (let i = 0; i < grid.length; i++) {
      const byHand =
        terms.transmittance[i] *
          (emissivity[i] * planckRadiance(grid[i], ts) + (1 - emissivity[i]) * terms.downwellingRadiance[i]) +
        terms.pathRadiance[i];
      expect(none[i]).toBeCloseTo(byHand, 12);
      expect(zero[i]).toBe(none[i]);
    }
  });

  it('tends to τ·B(T_g) + L↑ for an opaque gas', () => {
    const flat = grid.map(() => 1e-3);
    const l = lwirAtSensorRadiance(terms, emissivity, ts, gas([5e4], 280, [flat])); // D = 50
    for (let i = 0; i < grid.length; i++) {
      const expected = terms.transmittance[i] * planckRadiance(grid[i], 280) + terms.pathRadiance[i];
      expect(Math.abs(l[i] - expected) / expected).toBeLessThan(1e-12);
    }
  });

  it('shows no signal without thermal contrast (ε = 1, τ = 1, T_g = T_s), whatever the column', () => {
    const clear: LwirPathTerms = {
      wavenumberCm1: grid,
      transmittance: grid.map(() => 1),
      pathRadiance: grid.map(() => 0),
      downwellingRadiance: terms.downwellingRadiance,
    };
    const ones = grid.map(() => 1);
    for (const cl of [10, 1000, 1e5]) {
      const l = lwirAtSensorRadiance(clear, ones, ts, gas([cl, cl], ts));
      for (let i = 0; i < grid.length; i++) {
        expect(Math.abs(l[i] - planckRadiance(grid[i], ts)) / l[i]).toBeLessThan(1e-13);
      }
    }
    // …while a 2 K contrast does show, in emission where the gas absorbs.
    const warm = lwirAtSensorRadiance(clear, ones, ts, gas([1000, 0], ts + 2));
    const k = grid.indexOf(1000);
    expect(warm[k] - planckRadiance(1000, ts)).toBeGreaterThan(0.1);
  });

  it('adds the optical depths of several gases: two gases = one gas with the summed absorbance', () => {
    const two = lwirAtSensorRadiance(terms, emissivity, ts, gas([300, 500], 295));
    const summed = grid.map((_, i) => 300 * gaussBand[i] + 500 * lorentzBand[i]);
    const one = lwirAtSensorRadiance(terms, emissivity, ts, gas([1], 295, [summed]));
    for (let i = 0; i < grid.length; i++) expect(two[i]).toBeCloseTo(one[i], 12);
  });

  it('the linearised form matches the full one to < 1% of the signal for small columns (peak A·cl = 0.005)', () => {
    const g = gas([25, 0], 290); // peak D = 2e-4·25 = 0.005
    const full = lwirAtSensorRadiance(terms, emissivity, ts, g);
    const lin = lwirAtSensorRadianceLinear(terms, emissivity, ts, g);
    const base = lwirAtSensorRadiance(terms, emissivity, ts, null);
    const k = grid.indexOf(1000);
    let worst = 0;
    for (let i = 0; i < grid.length; i++) {
      const signal = full[i] - base[i];
      if (Math.abs(signal) < 1e-9) continue;
      worst = Math.max(worst, Math.abs((lin[i] - base[i] - signal) / signal));
    }
    expect(worst).toBeLessThan(0.01);
    // The error is second order: ≈ ln10·D/2 at the band peak (0.576%).
    const peakErr = (lin[k] - full[k]) / (full[k] - base[k]);
    expect(Math.abs(peakErr - (Math.LN10 * 0.005) / 2)).toBeLessThan(2e-4);
    // A column 20× larger (D = 0.1) breaks the 1% bound: the test can fail.
    const big = gas([500, 0], 290);
    const fb = lwirAtSensorRadiance(terms, emissivity, ts, big)[k] - base[k];
    const lb = lwirAtSensorRadianceLinear(terms, emissivity, ts, big)[k] - base[k];
    expect(Math.abs((lb - fb) / fb)).toBeGreaterThan(0.05);
  });

  it('the column Jacobian matches central differences of the full model, at zero and at a finite column', () => {
    for (const cols of [
      [0, 0],
      [400, 300],
    ]) {
      const jac = lwirColumnJacobian(terms, emissivity, ts, gas(cols, 292));
      for (let g = 0; g < 2; g++) {
        const h = 0.5;
        const up = [...cols];
        const dn = [...cols];
        up[g] += h;
        dn[g] -= h;
        const lu = lwirAtSensorRadiance(terms, emissivity, ts, gas(up, 292));
        const ld = lwirAtSensorRadiance(terms, emissivity, ts, gas(dn, 292));
        for (const v of [1000, 1005, 1100, 1110]) {
          const i = grid.indexOf(v);
          const fd = (lu[i] - ld[i]) / (2 * h);
          expect(Math.abs(jac[g][i] - fd)).toBeLessThan(1e-7 * Math.max(1e-6, Math.abs(fd)) + 1e-12);
        }
      }
    }
  });

  it('the Jacobian is τ·∂B/∂T·ΔT·ln10·A to first order in the contrast ΔT = T_g − T_b(L_s)', () => {
    const ls = surfaceLeavingRadiance(terms, emissivity, ts);
    const i = grid.indexOf(1000);
    const tb = brightnessTemperature(1000, ls[i]);
    expect(tb).toBeLessThan(ts); // ε < 1 and a cold sky: the background looks colder than the surface
    for (const dT of [-1, 0.5, 1]) {
      const jac = lwirColumnJacobian(terms, emissivity, ts, gas([0, 0], tb + dT));
      const approx = terms.transmittance[i] * planckDerivativeK(1000, tb) * dT * Math.LN10 * gaussBand[i];
      expect(Math.abs(jac[0][i] - approx) / Math.abs(approx)).toBeLessThan(0.02 * Math.abs(dT));
      expect(Math.sign(jac[0][i])).toBe(Math.sign(dT));
    }
    const contrast = thermalContrastK(grid, ls, tb + 3);
    expect(contrast[i]).toBeCloseTo(3, 10);
    expect(lwirColumnJacobian(terms, emissivity, ts, gas([0, 0], tb))[0][i]).toBeCloseTo(0, 12);
  });

  it('rejects mismatched inputs with PT_ERR_SPECTRAL_INPUT naming what is wrong', () => {
    expect(() => lwirAtSensorRadiance(terms, emissivity.subarray(1), ts, null)).toThrow(/emissivity has 500 values/);
    expect(() => lwirAtSensorRadiance(terms, emissivity, ts, gas([1], 290))).toThrow(/2 absorbance spectra but 1/);
    expect(() => lwirAtSensorRadiance(terms, emissivity, ts, gas([1, 1], 0))).toThrow(/gas temperature/);
    expect(() => lwirAtSensorRadiance(terms, emissivity, ts, gas([1], 290, [gaussBand.subarray(2)]))).toThrow(
      /PT_ERR_SPECTRAL_INPUT.*499 values/,
    );
    expect(planckSpectrum(grid, 300)[grid.indexOf(1000)]).toBe(planckRadiance(1000, 300));
  });
});
