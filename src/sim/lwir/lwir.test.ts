import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { applyChannelResponse } from '../../core/spectral/lwir-channels.ts';
import { lwirAtSensorRadiance, planckDerivativeK, planckRadiance } from '../../core/spectral/lwir-forward.ts';
import type { EmissivityLibrary, GasAbsorbance } from '../../core/spectral/lwir-types.ts';
import { openEnvi } from '../../io/envi/reader.ts';
import {
  drawLwirScenario,
  emissivityOnGrid,
  type LwirPlumeOptions,
  type LwirSceneOptions,
  loadLwirInputs,
  nesrFromNedt,
  simulateLwirScene,
  writeLwirScene,
} from './index.ts';

// Synthetic gases (not the library): Gaussian bands, decadic absorbance per ppm·m.
function gaussianGas(name: string, centerCm1: number, sigmaCm1: number, peak: number): GasAbsorbance {
  const wavenumberCm1 = Float64Array.from({ length: 3001 }, (_, i) => 600 + 0.5 * i);
  return {
    name,
    cas: '0-00-0',
    wavenumberCm1,
    absorbancePerPpmM: wavenumberCm1.map((v) => peak * Math.exp(-0.5 * ((v - centerCm1) / sigmaCm1) ** 2)),
  };
}
// "synthetic-1000": band at 1000 cm⁻¹, σ 12 cm⁻¹, peak 1e-4 per ppm·m; "synthetic-1150": 1150 cm⁻¹, σ 8, peak 2e-4.
const gasA = gaussianGas('synthetic-1000', 1000, 12, 1e-4);
const gasB = gaussianGas('synthetic-1150', 1150, 8, 2e-4);

const inputs = loadLwirInputs('grosskc');
const lines = 24;
const samples = 24;
const plume: LwirPlumeOptions = {
  gases: [
    { gas: gasA, peakColumnPpmM: 400 },
    { gas: gasB, peakColumnPpmM: 150 },
  ],
  centerLine: 12,
  centerSample: 8,
  sigmaAlongPx: 6,
  sigmaAcrossPx: 3,
  directionDeg: 90,
  contrastK: 6,
};
const base: LwirSceneOptions = { seed: 11, lines, samples, atmosphereIndex: 20, plume, noiseScale: 0 };

const tmp = mkdtempSync(join(tmpdir(), 'lwir-sim-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function bandNear(centerCm1: Float64Array, v: number): number {
  let best = 0;
  for (let k = 1; k < centerCm1.length; k++) if (Math.abs(centerCm1[k] - v) < Math.abs(centerCm1[best] - v)) best = k;
  return best;
}

describe('LWIR scene simulator', () => {
  const withGas = simulateLwirScene(base, inputs);
  const without = simulateLwirScene({ ...base, plume: null }, inputs);

  it('simulates the HyTES channels inside 800–1325 cm⁻¹ and says which it dropped', () => {
    expect(withGas.bands).toBe(252);
    expect(withGas.truth.droppedChannels).toEqual([0, 1, 2, 3]);
    expect(withGas.truth.droppedChannelsUm[0]).toBeCloseTo(7.5199, 4);
    expect(withGas.wavelengthUm[0]).toBeCloseTo(7.59107, 5);
    expect(withGas.truth.atmosphere).toBe('grosskc-21');
    // LUMA SLUM stops at 1249.6 cm⁻¹ (8.0 µm): its scenes keep only channels inside that.
    const luma = simulateLwirScene({ ...base, lines: 4, samples: 4, plume: null }, loadLwirInputs('luma-slum'));
    expect(luma.truth.gridCm1[1]).toBeLessThan(1250);
    for (let k = 0; k < luma.bands; k++) expect(luma.centerCm1[k] + 1.5 * luma.fwhmCm1[k]).toBeLessThanOrEqual(1250);
    expect(luma.bands).toBeLessThan(240);
  });

  it('is reproducible from the seed and keeps background and noise apart from the plume', () => {
    const again = simulateLwirScene(base, inputs);
    expect(again.radiance).toEqual(withGas.radiance);
    const other = simulateLwirScene({ ...base, seed: 12 }, inputs);
    expect(other.radiance).not.toEqual(withGas.radiance);
    expect(without.truth.surfaceTemperatureK).toEqual(withGas.truth.surfaceTemperatureK);
    // The background does not depend on whether the atmosphere was given or drawn.
    const drawn = simulateLwirScene({ ...base, atmosphereIndex: undefined, plume: null }, inputs);
    expect(drawn.truth.surfaceTemperatureK).toEqual(without.truth.surfaceTemperatureK);
    expect(drawn.truth.materials).toEqual(without.truth.materials);
    // Far from a narrow puff (columns < 1e-9 ppm·m) the two scenes agree.
    const narrow = simulateLwirScene({ ...base, plume: { ...plume, sigmaAlongPx: 3, sigmaAcrossPx: 1.5 } }, inputs);
    const nb = narrow.bands;
    const far = 0 * samples + 23;
    expect(narrow.truth.columnPpmM[0][far]).toBeLessThan(1e-9);
    for (let k = 0; k < nb; k++) expect(narrow.radiance[far * nb + k]).toBeCloseTo(without.radiance[far * nb + k], 5);
    const near = 12 * samples + 9;
    const kA = bandNear(narrow.centerCm1, 1000);
    expect(narrow.radiance[near * nb + kA] - without.radiance[near * nb + kA]).toBeGreaterThan(0.05);
  });

  it('spreads surface temperature over 290–320 K in smooth patches of mixed materials', () => {
    const t = withGas.truth.surfaceTemperatureK;
    expect(Math.min(...t)).toBeGreaterThanOrEqual(290);
    expect(Math.max(...t)).toBeLessThanOrEqual(320);
    expect(Math.max(...t) - Math.min(...t)).toBeGreaterThan(10);
    const K = withGas.truth.materials.length;
    expect(K).toBe(4);
    for (let p = 0; p < lines * samples; p++) {
      let s = 0;
      for (let m = 0; m < K; m++) s += withGas.truth.materialAbundance[p * K + m];
      expect(s).toBeCloseTo(1, 5);
    }
  });

  it('writes a readable ENVI cube whose plume pixels differ from the background by the forward model', async () => {
    const w = await writeLwirScene(tmp, 'scene_a', withGas);
    const cube = await openEnvi(w.radianceHeaderPath);
    try {
      expect([cube.lines, cube.samples, cube.bands]).toEqual([lines, samples, 252]);
      expect(cube.header.wavelengthUnits).toBe('Micrometers');
      expect(cube.header.extra['data units']).toBe('uW/(cm^2 sr cm^-1)');
      expect(cube.wavelengthNm?.[0]).toBeCloseTo(7591.07, 1);
      const got = await cube.readWindow({ line0: 0, lines, sample0: 0, samples });
      const truth = withGas.truth;
      const lib = inputs.emissivity;
      const mats = truth.materials.map((n) => lib.materialNames.indexOf(n));
      const atm = inputs.atmospheres[truth.atmosphereIndex];
      const { i0, i1, emissivity } = emissivityOnGrid(lib, mats, atm.wavenumberCm1);
      const grid = atm.wavenumberCm1.slice(i0, i1);
      const terms = {
        wavenumberCm1: grid,
        transmittance: atm.transmittance.slice(i0, i1),
        pathRadiance: atm.pathRadiance.slice(i0, i1),
        downwellingRadiance: atm.downwellingRadiance.slice(i0, i1),
      };
      const absorb = [
        { center: 1000, sigma: 12, peak: 1e-4 },
        { center: 1150, sigma: 8, peak: 2e-4 },
      ].map((b) => cellMeans(b, grid));
      const nb = withGas.bands;
      const kA = bandNear(withGas.centerCm1, 1000);
      let checked = 0;
      for (const p of [12 * samples + 8, 12 * samples + 12, 11 * samples + 6, 14 * samples + 10]) {
        const K = mats.length;
        const eps = new Float64Array(grid.length);
        for (let m = 0; m < K; m++) {
          for (let i = 0; i < grid.length; i++) eps[i] += truth.materialAbundance[p * K + m] * emissivity[m][i];
        }
        const cols = truth.columnPpmM.map((c) => c[p]);
        const gas = { absorbancePerPpmM: absorb, columnPpmM: cols, temperatureK: truth.gasTemperatureK };
        const t = truth.surfaceTemperatureK[p];
        const fineGas = lwirAtSensorRadiance(terms, eps, t, gas);
        const fineBg = lwirAtSensorRadiance(terms, eps, t, null);
        const predicted = applyChannelResponse(
          withGas.response,
          fineGas.map((v, i) => v - fineBg[i]),
        );
        for (let k = 0; k < nb; k++) {
          const observed = got[p * nb + k] - without.radiance[p * nb + k];
          expect(Math.abs(observed - predicted[k])).toBeLessThan(2e-5 + 1e-3 * Math.abs(predicted[k]));
        }
        // A warm plume (contrast +6 K, more against the background's brightness temperature) shows
        // in emission at its band.
        expect(predicted[kA]).toBeGreaterThan(0);
        checked++;
      }
      expect(checked).toBe(4);
    } finally {
      await cube.close();
    }
    const json = JSON.parse(readFileSync(w.truthJsonPath, 'utf8'));
    expect(json.gases.map((g: { name: string }) => g.name)).toEqual(['synthetic-1000', 'synthetic-1150']);
    expect(json.gases[0].cas).toBe('0-00-0');
    expect(json.gasTemperatureK).toBeCloseTo(json.meanSurfaceTemperatureUnderPlumeK + 6, 9);
    expect(json.radianceUnits).toBe('uW/(cm^2 sr cm^-1)');
    expect(json.droppedChannels).toEqual([0, 1, 2, 3]);
    const tr = await openEnvi(w.truthHeaderPath);
    try {
      expect(tr.bandNames?.slice(0, 4)).toEqual([
        'column_ppm_m_synthetic-1000',
        'column_ppm_m_synthetic-1150',
        'plume_mask',
        'surface_temperature_K',
      ]);
      const band0 = await tr.readWindow({ line0: 0, lines, sample0: 0, samples, bands: [0, 2] });
      for (let p = 0; p < lines * samples; p++) {
        expect(band0[2 * p]).toBe(withGas.truth.columnPpmM[0][p]);
        expect(band0[2 * p + 1]).toBe(withGas.truth.mask[p]);
      }
    } finally {
      await tr.close();
    }
  });

  it('makes the plume vanish without thermal contrast (ε = 1, T_g = T_s) on a real atmosphere', () => {
    const n = inputs.atmospheres[0].wavenumberCm1.length;
    const black: EmissivityLibrary = {
      name: 'blackbody',
      materialNames: ['blackbody'],
      wavenumberCm1: inputs.atmospheres[0].wavenumberCm1,
      emissivity: new Float64Array(n).fill(1),
    };
    const flat = { ...inputs, emissivity: black };
    const opts: LwirSceneOptions = { ...base, surfaceMinK: 300, surfaceMaxK: 300, materialCount: 1 };
    const still = simulateLwirScene({ ...opts, plume: { ...plume, contrastK: 0 } }, flat);
    const bg = simulateLwirScene({ ...opts, plume: null }, flat);
    expect(still.truth.effectiveContrastK).toBeCloseTo(0, 9);
    let worst = 0;
    for (let i = 0; i < still.radiance.length; i++)
      worst = Math.max(worst, Math.abs(still.radiance[i] - bg.radiance[i]));
    expect(worst).toBeLessThan(1e-5);
    // The same plume 3 K warmer shows at its band: ≈ τ̄·(B(T_g) − B(T_s))·(1 − 10^(−A·cl)) with τ̄ the
    // channel-averaged transmittance and A the absorbance at the channel centre (within 5%: τ and A
    // vary inside the 3 cm⁻¹ channel). The noise-free signal is ~1 NESR per channel at this column.
    const warm = simulateLwirScene({ ...opts, plume: { ...plume, contrastK: 3 } }, flat);
    const nb = warm.bands;
    const k = bandNear(warm.centerCm1, 1000);
    const p = 12 * samples + 8;
    const v = warm.centerCm1[k];
    const tauBar = applyChannelResponse(warm.response, inputs.atmospheres[20].transmittance)[k];
    const d = 1e-4 * Math.exp(-0.5 * ((v - 1000) / 12) ** 2) * warm.truth.columnPpmM[0][p];
    const expected = tauBar * (planckRadiance(v, 303) - planckRadiance(v, 300)) * (1 - 10 ** -d);
    const ratio = (warm.radiance[p * nb + k] - bg.radiance[p * nb + k]) / expected;
    expect(Math.abs(ratio - 1)).toBeLessThan(0.05);
  });

  it('adds white noise with the stated NESR (NEdT 0.2 K at 300 K) per channel', () => {
    const nesr = nesrFromNedt(withGas.centerCm1);
    const k1000 = bandNear(withGas.centerCm1, 1000);
    expect(nesr[k1000]).toBeCloseTo(0.2 * planckDerivativeK(withGas.centerCm1[k1000], 300), 12);
    expect(nesr[k1000]).toBeGreaterThan(0.03);
    expect(nesr[k1000]).toBeLessThan(0.035);
    const big = { ...base, lines: 64, samples: 64, plume: null };
    const clean = simulateLwirScene(big, inputs);
    const noisy = simulateLwirScene({ ...big, noiseScale: 1 }, inputs);
    const nb = clean.bands;
    const npx = 64 * 64;
    for (const k of [0, k1000, nb - 1]) {
      let s2 = 0;
      for (let p = 0; p < npx; p++) s2 += (noisy.radiance[p * nb + k] - clean.radiance[p * nb + k]) ** 2;
      // 4096 draws: the sample sd is within 5% of NESR (≈ 4.5 standard errors).
      expect(Math.abs(Math.sqrt(s2 / npx) / clean.nesr[k] - 1)).toBeLessThan(0.05);
    }
  });

  it('rejects bad scenario parameters with PT_ERR_BAD_REQUEST naming the field', () => {
    expect(() => simulateLwirScene({ ...base, atmosphereIndex: 80 }, inputs)).toThrow(/atmosphereIndex 80.*0–79/);
    expect(() =>
      simulateLwirScene({ ...base, plume: { ...plume, gases: [{ gas: gasA, peakColumnPpmM: -1 }] } }, inputs),
    ).toThrow(/PT_ERR_BAD_REQUEST.*peak column of "synthetic-1000"/);
    expect(() => simulateLwirScene({ ...base, plume: { ...plume, sigmaAcrossPx: 0 } }, inputs)).toThrow(/puff sigmas/);
    expect(() => simulateLwirScene({ ...base, surfaceMinK: 320, surfaceMaxK: 290 }, inputs)).toThrow(
      /surface temperature range/,
    );
    expect(() => simulateLwirScene({ ...base, materialIndices: [22] }, inputs)).toThrow(/material index 22/);
  });
});

/**
 * Independent cell means of a synthetic gas on the 1 cm⁻¹ grid: midpoint rule (40 points) over
 * each cell [ν − 0.5, ν + 0.5] of the analytic Gaussian band (end cells half as wide).
 */
function cellMeans(band: { center: number; sigma: number; peak: number }, grid: Float64Array): Float64Array {
  return grid.map((v, k) => {
    const lo = k === 0 ? v : v - 0.5;
    const hi = k === grid.length - 1 ? v : v + 0.5;
    let s = 0;
    for (let j = 0; j < 40; j++) {
      const t = lo + ((j + 0.5) * (hi - lo)) / 40;
      s += band.peak * Math.exp(-0.5 * ((t - band.center) / band.sigma) ** 2);
    }
    return s / 40;
  });
}

describe('LWIR scenario draws', () => {
  const gases = [gasA, gasB, gaussianGas('synthetic-900', 900, 10, 1e-4)];
  const draws = Array.from({ length: 2000 }, (_, i) =>
    drawLwirScenario(i, gases, { atmosphereCount: 80, peakScale: (g) => (g === gasB ? 10 : 1) }),
  );

  it('is reproducible and draws plume-free, single-gas and mixture scenes in the stated fractions', () => {
    expect(drawLwirScenario(7, gases, { atmosphereCount: 80 })).toEqual(
      drawLwirScenario(7, gases, { atmosphereCount: 80 }),
    );
    const free = draws.filter((d) => d.plume === null).length / draws.length;
    const plumes = draws.filter((d) => d.plume !== null);
    const mix = plumes.filter((d) => d.plume?.gases.length === 2).length / plumes.length;
    // 2000 draws: binomial sd 0.009 (free) and 0.011 (mixtures); 4 sd bounds.
    expect(Math.abs(free - 0.2)).toBeLessThan(0.036);
    expect(Math.abs(mix - 0.3)).toBeLessThan(0.046);
    expect(new Set(draws.map((d) => d.atmosphereIndex)).size).toBe(80);
  });

  it('keeps columns, contrasts and geometry in their ranges, both contrast signs', () => {
    let neg = 0;
    for (const d of draws) {
      if (!d.plume) continue;
      const c = d.plume.contrastK ?? 0;
      expect(Math.abs(c)).toBeGreaterThanOrEqual(2);
      expect(Math.abs(c)).toBeLessThanOrEqual(10);
      if (c < 0) neg++;
      for (const g of d.plume.gases) {
        const scale = g.gas === gasB ? 10 : 1;
        expect(g.peakColumnPpmM).toBeGreaterThanOrEqual(20 * scale);
        expect(g.peakColumnPpmM).toBeLessThanOrEqual(2000 * scale);
      }
      if (d.plume.gases.length === 2) expect(d.plume.gases[0].gas).not.toBe(d.plume.gases[1].gas);
      expect(d.plume.centerLine).toBeGreaterThanOrEqual(16);
      expect(d.plume.centerLine).toBeLessThanOrEqual(48);
    }
    expect(neg / draws.filter((d) => d.plume).length).toBeGreaterThan(0.4);
    expect(neg / draws.filter((d) => d.plume).length).toBeLessThan(0.6);
    expect(() => drawLwirScenario(1, [], { atmosphereCount: 80 })).toThrow(/no gases/);
  });

  it('gives options the simulator runs', () => {
    const small = Array.from({ length: 50 }, (_, i) =>
      drawLwirScenario(i, gases, { atmosphereCount: 80, lines: 16, samples: 16 }),
    );
    const d = small.find((x) => x.plume?.gases.length === 2);
    expect(d).toBeDefined();
    const scene = simulateLwirScene(d as LwirSceneOptions, inputs);
    expect(scene.lines).toBe(16);
    expect(scene.truth.gases.length).toBe(2);
    expect(scene.truth.atmosphereIndex).toBe(d?.atmosphereIndex);
    expect(scene.truth.mask.some((m) => m === 1)).toBe(true);
    expect(() =>
      simulateLwirScene({ ...base, plume: { ...plume, centerLine: 1e4, sigmaAlongPx: 1, sigmaAcrossPx: 1 } }, inputs),
    ).toThrow(/puff lies outside the scene/);
  });
});
