import { describe, expect, it } from 'vitest';
import { channelResponseIntegrals, resampleToChannels } from './gas-resample.ts';

// A Gaussian absorption band: A(ν) = a·exp(−½((ν−ν0)/s)²), area a·s·√(2π).
const a = 2e-3;
const nu0 = 1000;
const s = 3;
const area = a * s * Math.sqrt(2 * Math.PI);
const step = 0.05;
const nu = Float64Array.from({ length: Math.round(1600 / step) + 1 }, (_, i) => 200 + i * step);
const band = nu.map((v) => a * Math.exp(-0.5 * ((v - nu0) / s) ** 2));
const FWHM_TO_SIGMA = 1 / Math.sqrt(8 * Math.LN2);

describe('resampling to sensor channels (Gaussian response)', () => {
  it('a wide channel conserves band area: v·∫R = band area (analytic convolution, < 1e-6 relative)', () => {
    const fwhm = 300;
    const sigma = fwhm * FWHM_TO_SIGMA;
    const [v] = resampleToChannels(nu, band, { centers: [nu0], fwhm: [fwhm], unit: 'wavenumber' });
    // ∫A·R dν of two Gaussians = a·√(2π)·s·σ/√(s²+σ²); ∫R dν = σ√(2π).
    const expected = (a * s) / Math.sqrt(s * s + sigma * sigma);
    expect(Math.abs(v / expected - 1)).toBeLessThan(1e-6);
    const [integral] = channelResponseIntegrals({ centers: [nu0], fwhm: [fwhm], unit: 'wavenumber' });
    // The channel sees the whole band: v·∫R equals the band area to (1 − s²/2σ²) ≈ 2.8e-4.
    expect(Math.abs((v * integral) / area - 1)).toBeLessThan(3e-4);
  });

  it('channels tiling the band at half their FWHM give Σ v·Δ = band area (< 1e-5 relative)', () => {
    for (const fwhm of [2, 8, 20]) {
      const d = fwhm / 2;
      const centers = Array.from({ length: Math.round(200 / d) + 1 }, (_, k) => nu0 - 100 + k * d + 0.37);
      const v = resampleToChannels(nu, band, { centers, fwhm: centers.map(() => fwhm), unit: 'wavenumber' });
      const sum = v.reduce((acc, x) => acc + x * d, 0);
      expect(Math.abs(sum / area - 1), `FWHM ${fwhm}`).toBeLessThan(1e-5);
    }
  });

  it('wavelength channels (µm and nm) integrate in wavelength: Σ v·Δλ = ∫A dλ', () => {
    // ∫A dλ over the fine grid, dλ = 1e4/ν² dν (trapezoid).
    let areaUm = 0;
    for (let i = 1; i < nu.length; i++) {
      const f = (k: number) => (band[k] * 1e4) / (nu[k] * nu[k]);
      areaUm += 0.5 * (f(i) + f(i - 1)) * (nu[i] - nu[i - 1]);
    }
    const fwhmUm = 0.04;
    const d = fwhmUm / 2;
    const centers = Array.from({ length: 41 }, (_, k) => 9.6 + k * d);
    const v = resampleToChannels(nu, band, { centers, fwhm: centers.map(() => fwhmUm), unit: 'micrometers' });
    const sum = v.reduce((acc, x) => acc + x * d, 0);
    expect(Math.abs(sum / areaUm - 1)).toBeLessThan(1e-5);
    const vNm = resampleToChannels(nu, band, {
      centers: centers.map((c) => c * 1000),
      fwhm: centers.map(() => fwhmUm * 1000),
      unit: 'nanometers',
    });
    for (let k = 0; k < v.length; k++) expect(vNm[k]).toBeCloseTo(v[k], 15);
  });

  it('a narrow wavelength channel at the band centre matches the wavenumber channel of the same width', () => {
    // 10 µm ± 0.02 µm FWHM ≈ 2 cm⁻¹ FWHM at 1000 cm⁻¹ (Δν = 1e4·Δλ/λ²).
    const [vUm] = resampleToChannels(nu, band, { centers: [10], fwhm: [0.02], unit: 'micrometers' });
    const [vCm] = resampleToChannels(nu, band, { centers: [1000], fwhm: [2], unit: 'wavenumber' });
    expect(Math.abs(vUm / vCm - 1)).toBeLessThan(1e-3);
    expect(Math.abs(vCm / ((a * s) / Math.sqrt(s * s + (2 * FWHM_TO_SIGMA) ** 2)) - 1)).toBeLessThan(1e-5);
  });

  it('channels off the data or on a missing value give NaN; others are unaffected', () => {
    const ones = new Float64Array(nu.length).fill(1);
    const v = resampleToChannels(nu, ones, {
      centers: [180, 1790, 1000, 1795],
      fwhm: [10, 4, 10, 20],
      unit: 'wavenumber',
    });
    expect(Number.isNaN(v[0])).toBe(true); // below the grid
    expect(v[1]).toBeCloseTo(1, 12);
    expect(v[2]).toBeCloseTo(1, 12);
    expect(Number.isNaN(v[3])).toBe(true); // runs past 1800 cm⁻¹
    ones[8000] = Number.NaN; // 600 cm⁻¹
    const w = resampleToChannels(nu, ones, { centers: [600.5, 1000], fwhm: [2, 2], unit: 'wavenumber' });
    expect(Number.isNaN(w[0])).toBe(true);
    expect(w[1]).toBeCloseTo(1, 12);
  });

  it('bad channel lists are PT_ERR_GAS_LIBRARY naming the channel', () => {
    const bad = (centers: number[], fwhm: number[]) => () =>
      resampleToChannels(nu, band, { centers, fwhm, unit: 'wavenumber' });
    expect(bad([1000, 1010], [2])).toThrow(expect.objectContaining({ code: 'PT_ERR_GAS_LIBRARY' }));
    expect(bad([1000, 1010], [2, 0])).toThrow(/channel 1: centre 1010 and FWHM 0/);
    expect(bad([Number.NaN], [2])).toThrow(/channel 0/);
  });
});
