import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findGas, type GasLibrary, type GasSpectrum, NIST_QUANT_TO_PER_PPM_M } from '../core/spectral/gas-library.ts';
import { resampleLibraryToChannels, resampleToChannels } from '../core/spectral/gas-resample.ts';
import { DEFAULT_GAS_LIBRARY_DIR, loadGasLibrary } from './gas-library.ts';
import { writeJcamp } from './jcamp/writer.ts';

const xscDir = new URL('../../data/gas/hitran_xsc/', import.meta.url).pathname;

/** The test's own reading of a NIST AFFN file: YFACTOR and every ordinate after each line's X. */
function fileOrdinates(file: string): { yFactor: number; raw: number[] } {
  const text = readFileSync(join(DEFAULT_GAS_LIBRARY_DIR, file), 'latin1');
  const yFactor = Number(/^##YFACTOR=(.*)$/m.exec(text)?.[1]);
  const body = text.split('##XYDATA=(X++(Y..Y))\n')[1].split('##END=')[0];
  const raw: number[] = [];
  for (const line of body.split('\n'))
    for (const n of (line.match(/[+-]?\d*\.?\d+/g) ?? []).slice(1)) raw.push(Number(n));
  return { yFactor, raw };
}

function trapz(g: GasSpectrum, lo: number, hi: number): number {
  let s = 0;
  const x = g.wavenumberCm;
  for (let i = 1; i < x.length; i++) {
    if (x[i - 1] >= lo && x[i] <= hi) s += 0.5 * (g.absorbance[i] + g.absorbance[i - 1]) * (x[i] - x[i - 1]);
  }
  return s;
}

let lib: GasLibrary;
beforeAll(async () => {
  lib = await loadGasLibrary();
});

describe('the shipped library (data/gas/nist_ir_jcamp)', () => {
  it('holds 64 gases, 28 quantitative, each with name, CAS, formula, source file and its provenance line', () => {
    expect(lib.gases.length).toBe(64);
    expect(lib.gases.filter((g) => g.quantitative).length).toBe(28);
    for (const g of lib.gases) {
      expect(g.name.length, g.id).toBeGreaterThan(0);
      expect(g.cas, g.id).toMatch(/^\d{2,7}-\d\d-\d$/);
      expect(g.formula, g.id).toBeTruthy();
      expect(g.provenance.startsWith(`gas/nist_ir_jcamp/${g.sourceFile} — `), g.id).toBe(true);
      expect(g.unit).toBe(g.quantitative ? 'per-ppm-m' : 'relative');
    }
    expect(findGas(lib, 'acetone')).toMatchObject({ cas: '67-64-1', quantitative: true, sourceFile: 'acetone.jdx' });
    // Two spectra of m-xylene (Coblentz chart and NIST quantitative): the quantitative one wins.
    expect(findGas(lib, '108-38-3')?.sourceFile).toBe('1,3-dimethylbenzene.jdx');
    expect(findGas(lib, 'toluene')).toMatchObject({ quantitative: false, kind: 'transmittance-chart' });
    expect(findGas(lib, 'benzene')?.warnings[0]).toMatch(/saturated/);
    // The conditions each header states, for the record.
    expect(findGas(lib, 'acetone')?.conditions).toMatchObject({ resolutionCm: 0.482, relativeUncertainty: 0.023 });
    expect(findGas(lib, 'acetone')?.conditions.temperatureK).toBeCloseTo(296.15, 9);
    expect(findGas(lib, 'toluene')?.conditions).toMatchObject({ pathLengthM: 0.05, resolutionCm: 2 });
    expect(findGas(lib, 'toluene')?.conditions.partialPressurePa).toBeCloseTo(20 * 133.322387415, 6);
  });

  // Band peaks in the 7–14 µm window: the library value at the peak equals the file's own ordinate
  // × YFACTOR × NIST_QUANT_TO_PER_PPM_M (= 1), read by this test independently; tolerance 1e-12 relative.
  const peaks: [string, number, number][] = [
    ['acetone.jdx', 1200, 1240], // C–C–C stretch, 1217.6 cm⁻¹
    ['sulphur_hexafluoride.jdx', 930, 960], // ν3, 947.9 cm⁻¹
    ['dichloromethane.jdx', 730, 770], // C–Cl stretch
    ['2-butanone.jdx', 1150, 1200],
    ['tetrachloroethene.jdx', 890, 930],
    ['isopropyl_alcohol.jdx', 930, 970],
  ];
  for (const [file, lo, hi] of peaks) {
    it(`absorbance per ppm·m at the ${lo}–${hi} cm⁻¹ band peak of ${file} is the file's value`, () => {
      const g = lib.gases.find((x) => x.sourceFile === file);
      if (!g) throw new Error(`${file} missing`);
      let k = -1;
      for (let i = 0; i < g.wavenumberCm.length; i++) {
        if (g.wavenumberCm[i] >= lo && g.wavenumberCm[i] <= hi && (k < 0 || g.absorbance[i] > g.absorbance[k])) k = i;
      }
      const { yFactor, raw } = fileOrdinates(file);
      const expected = raw[k] * yFactor * NIST_QUANT_TO_PER_PPM_M;
      expect(Math.abs(g.absorbance[k] / expected - 1)).toBeLessThan(1e-12);
      // A real band, well above the files' noise (NIST's uncertainty model: B ≈ 1e-4 relative + C).
      expect(g.absorbance[k]).toBeGreaterThan(1e-4);
      expect(g.wavenumberCm[k]).toBeGreaterThan(lo + 2);
      expect(g.wavenumberCm[k]).toBeLessThan(hi - 2);
    });
  }

  it('agrees with HITRAN acetone cross-sections (independent data): band integrals within 5 %, 1217 band within 2 %', async () => {
    const hitran = await loadGasLibrary(xscDir);
    expect(hitran.gases.length).toBe(1);
    const h = hitran.gases[0];
    expect(h).toMatchObject({ name: 'Acetone', formula: 'CH3COCH3', quantitative: true, kind: 'cross-section' });
    const nist = findGas(lib, 'acetone') as GasSpectrum;
    // HITRAN was measured at 233 K, 375 Torr in air, NIST at 296 K, 1 atm in N₂: integrated band
    // strengths barely depend on T and p, peak heights do. Measured: 0.983 (700–1780), 1.0015 (1150–1270).
    const whole = trapz(nist, 700, 1780) / trapz(h, 700, 1780);
    const band = trapz(nist, 1150, 1270) / trapz(h, 1150, 1270);
    expect(Math.abs(whole - 1)).toBeLessThan(0.05);
    expect(Math.abs(band - 1)).toBeLessThan(0.02);
  });

  it('the common grid conserves band area (SF6, native 0.060 cm⁻¹ → 0.25 cm⁻¹; < 1e-3)', () => {
    const k = lib.gases.findIndex((g) => g.sourceFile === 'sulphur_hexafluoride.jdx');
    const onGrid = lib.gridAbsorbance[k];
    let sum = 0;
    for (let i = 0; i < lib.gridCm.length; i++)
      if (lib.gridCm[i] >= 900 && lib.gridCm[i] <= 1000) sum += onGrid[i] * 0.25;
    const native = trapz(lib.gases[k], 899.875, 1000.125);
    expect(Math.abs(sum / native - 1)).toBeLessThan(1e-3);
    // Outside a file's coverage the grid holds NaN (NIST quantitative files start at 575 cm⁻¹).
    expect(Number.isNaN(onGrid[0])).toBe(true);
  });

  it('resampled to channels tiling 660–3930 cm⁻¹ (FWHM 4 cm⁻¹ every 2), Σ v·Δ is the band area (< 1e-4)', () => {
    // The ends lie off these gases' bands (SF6 ν4 at 615 cm⁻¹ is left out), so the tiling's tapered ends cost < 2e-5 (measured 0.9–1.4e-5).
    for (const id of ['acetone', 'sulphur_hexafluoride', 'ethyl_acetate']) {
      const g = findGas(lib, id) as GasSpectrum;
      const centers = Array.from({ length: 1636 }, (_, i) => 660 + 2 * i);
      const v = resampleToChannels(g.wavenumberCm, g.absorbance, {
        centers,
        fwhm: centers.map(() => 4),
        unit: 'wavenumber',
      });
      const sum = v.reduce((s, x) => s + 2 * x, 0);
      const area = trapz(g, 660, 3930);
      expect(Math.abs(sum / area - 1), id).toBeLessThan(1e-4);
    }
  });
});

describe('the library on HyTES-like channels (256 channels 7.52–12.01 µm, FWHM 0.028–0.031 µm as in isofit hytes_wavelengths.txt)', () => {
  it('every gas has a finite value in every channel; SF6 peaks in the channel nearest 10.55 µm (947.9 cm⁻¹)', () => {
    const centers = Array.from({ length: 256 }, (_, i) => 7.52 + (i * (12.01 - 7.52)) / 255);
    const channels = {
      centers,
      fwhm: centers.map((c) => 0.028 + (0.003 * (c - 7.52)) / 4.49),
      unit: 'micrometers' as const,
    };
    const all = resampleLibraryToChannels(lib, channels);
    expect(all.length).toBe(64);
    for (const [k, v] of all.entries()) expect(v.every(Number.isFinite), lib.gases[k].id).toBe(true);
    const sf6 = all[lib.gases.findIndex((g) => g.sourceFile === 'sulphur_hexafluoride.jdx')];
    const best = sf6.indexOf(Math.max(...sf6));
    const nearest = centers.reduce(
      (b, c, i) => (Math.abs(c - 1e4 / 947.9) < Math.abs(centers[b] - 1e4 / 947.9) ? i : b),
      0,
    );
    expect(Math.abs(best - nearest)).toBeLessThanOrEqual(1);
  });
});

describe('users add a gas by dropping a JCAMP-DX file in a folder', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'pt-gaslib-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('a user file in micrometres with its own CAS number joins a copied NIST file', async () => {
    const um = Float64Array.from({ length: 501 }, (_, i) => 8 + i * 0.01);
    const y = um.map((l) => 2e-4 * Math.exp(-0.5 * ((l - 10) / 0.05) ** 2));
    writeFileSync(
      join(dir, 'my-gas.jdx'),
      writeJcamp({
        title: 'My solvent',
        xUnits: 'MICROMETERS',
        yUnits: '(micromol/mol)-1m-1 (base 10)',
        x: um,
        y,
        yFactor: 1e-10,
        labels: [
          { key: 'ORIGIN', value: 'our lab, cell measurement 2026-11-01' },
          { key: 'OWNER', value: 'plumetrace tests' },
          { key: 'CAS REGISTRY NO', value: '123-45-6' },
          { key: 'MOLFORM', value: 'C3 H6 O' },
        ],
      }),
      'latin1',
    );
    copyFileSync(join(DEFAULT_GAS_LIBRARY_DIR, 'acetone.jdx'), join(dir, 'acetone.jdx'));
    writeFileSync(join(dir, 'notes.txt'), 'not a spectrum');
    const mine = await loadGasLibrary(dir);
    expect(mine.gases.map((g) => g.id)).toEqual(['acetone', 'my-gas']);
    const g = findGas(mine, '123-45-6') as GasSpectrum;
    expect(g).toMatchObject({ name: 'My solvent', formula: 'C3 H6 O', quantitative: true, sourceFile: 'my-gas.jdx' });
    expect(g.provenance).toBe('my-gas.jdx: our lab, cell measurement 2026-11-01; plumetrace tests');
    // 10 µm = 1000 cm⁻¹, ascending wavenumber, peak kept.
    const k = g.absorbance.indexOf(Math.max(...g.absorbance));
    expect(g.wavenumberCm[k]).toBeCloseTo(1000, 9);
    expect(g.absorbance[k]).toBeCloseTo(2e-4, 12);
    expect(g.wavenumberCm[0]).toBeCloseTo(1e4 / 13, 9);
  });

  it('bad folders and files give registered errors naming them', async () => {
    const empty = join(dir, 'empty');
    mkdirSync(empty);
    await expect(loadGasLibrary(empty)).rejects.toMatchObject({
      code: 'PT_ERR_GAS_LIBRARY',
      location: { file: empty },
    });
    await expect(loadGasLibrary(join(dir, 'nope'))).rejects.toMatchObject({ code: 'PT_ERR_FILE_NOT_FOUND' });
    const broken = join(dir, 'broken');
    mkdirSync(broken);
    const text = readFileSync(join(DEFAULT_GAS_LIBRARY_DIR, 'chloroform.jdx'), 'latin1');
    writeFileSync(join(broken, 'chloroform.jdx'), text.slice(0, 5000), 'latin1');
    await expect(loadGasLibrary(broken)).rejects.toMatchObject({
      code: 'PT_ERR_JCAMP_TRUNCATED',
      location: { file: join(broken, 'chloroform.jdx') },
    });
    writeFileSync(
      join(broken, 'chloroform.jdx'),
      text.replace('##YUNITS=(micromol/mol)-1m-1 (base 10)', '##YUNITS=ARBITRARY'),
      'latin1',
    );
    await expect(loadGasLibrary(broken)).rejects.toMatchObject({
      code: 'PT_ERR_GAS_LIBRARY',
      location: { file: 'chloroform.jdx' },
    });
  });
});
