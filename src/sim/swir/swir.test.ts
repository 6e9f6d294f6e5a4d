import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AbsorptionTable } from '../../core/spectral/target.ts';
import { openEnvi } from '../../io/envi/reader.ts';
import { readMag1cLut } from '../../io/lut/read.ts';
import { parseModtranChn } from './chn.ts';
import { AVIRISC_CHN_FILE, DEFAULT_DATA_DIR, loadModtranChn, loadSwirInputs } from './load.ts';
import { integratedMassKg } from './plume-field.ts';
import { atmosphereForChannels, radianceFromReflectance } from './radiance.ts';
import { mirrorIndex, type SwirInputs, type SwirSceneOptions, simulateSwirScene } from './scene.ts';
import { nearFieldNoise } from './suite.ts';
import { writeSwirScene } from './write.ts';

const chnPath = join(DEFAULT_DATA_DIR, AVIRISC_CHN_FILE);
let table: AbsorptionTable;
let inputs: SwirInputs;
beforeAll(async () => {
  table = await readMag1cLut(join(DEFAULT_DATA_DIR, 'detection/mag1c_ch4.lut'));
  inputs = await loadSwirInputs('jasper', table);
});

const base: SwirSceneOptions = {
  seed: 7,
  source: { line: 50, sample: 20 },
  rateKgPerHour: 500,
  windSpeedMps: 3,
  windToDeg: 90,
  stability: 'D',
  pixelSizeM: 5,
};

describe('MODTRAN .chn reader', () => {
  const chn = loadModtranChn(chnPath);
  it('reads the 223 AVIRIS-C channels with the documented columns (channel 1 by hand from the file)', () => {
    expect(chn.channel.length).toBe(223);
    expect(chn.channel[0]).toBe(1);
    expect(chn.channel[222]).toBe(223);
    expect(chn.wavelengthNm[0]).toBe(375.59409);
    expect(chn.fwhmNm[0]).toBe(9.8);
    expect(chn.channelWidthNm[0]).toBe(10.4277);
    expect(chn.pathRadianceUwPerCm2SrNm[0]).toBeCloseTo(3.746605, 9);
    expect(chn.solarCosOverPiUwPerCm2SrNm[0]).toBeCloseTo((2.781099e-4 / 10.4277) * 1e6, 9);
    expect(chn.transmittanceDownUp[0]).toBeCloseTo(0.5251463 + 0.1448291, 12);
    expect(chn.sphericalAlbedo[0]).toBe(0.2501217);
    expect(chn.transmittanceUp[0]).toBe(0.6517187);
    expect(chn.transmittanceDown[0]).toBeCloseTo((0.5251463 + 0.1448291) / 0.6517187, 12);
  });
  it('path radiance equals the single + multiple scattered path terms per nm (black-surface run)', () => {
    // channel 95 row: cols 14, 15 = 2.758838E-09, 1.641517E-07 W sr-1 cm-2; width 10.8914 nm.
    const i = chn.channel.indexOf(95);
    expect(chn.pathRadianceUwPerCm2SrNm[i]).toBeCloseTo(((2.758838e-9 + 1.641517e-7) / 10.8914) * 1e6, 4);
  });
  it('names the file and line of a bad row', () => {
    const text = readFileSync(chnPath, 'utf8').split('\n');
    text[6] = text[6].replace('0.2326289', 'x.xxxxxxx'); // channel 2's spherical albedo, file line 7
    expect(() => parseModtranChn(text.join('\n'), 'bad.chn')).toThrow(/bad\.chn.*7|7.*bad\.chn/s);
  });
});

describe('radiance model', () => {
  it('matches a hand computation for AVIRIS channel 1 at ρ = 0.3', () => {
    const atm = atmosphereForChannels(loadModtranChn(chnPath), [1]);
    // L = Lpath + (E cosθ/π)·(A+B)·ρ/(1 − Sρ), numbers typed from the file's first row.
    const hand = 3.746605 + ((2.781099e-4 / 10.4277) * 1e6 * (0.5251463 + 0.1448291) * 0.3) / (1 - 0.2501217 * 0.3);
    // by hand: 26.67030 · 0.6699754 · 0.3 / 0.9249635 = 5.79538; + 3.746605 = 9.54199
    expect(hand).toBeCloseTo(9.54199, 4);
    expect(radianceFromReflectance(0.3, atm, 0)).toBeCloseTo(hand, 10);
  });
});

describe('simulateSwirScene (Jasper Ridge)', () => {
  const smooth = { ...base, noiseScale: 0, textureSigma: 0 };
  it('implants exp(t·ΔX) in the 2.3 µm CH4 bands and leaves non-absorbing bands unchanged', () => {
    const plume = simulateSwirScene(smooth, inputs);
    const clean = simulateSwirScene({ ...smooth, rateKgPerHour: 0 }, inputs);
    const nb = plume.bands;
    const k23 = argMinNear(plume.wavelengthNm, 2300, 2400, plume.targetPerPpmM);
    expect(plume.wavelengthNm[k23]).toBeGreaterThan(2340);
    expect(plume.targetPerPpmM[k23]).toBeLessThan(-5e-6);
    const k1000 = nearest(plume.wavelengthNm, 1000);
    expect(plume.targetPerPpmM[k1000]).toBe(0);
    const p = 50 * plume.samples + 30; // 10 px (50 m) downwind on the plume axis
    const dx = plume.truth.enhancementPpmM[p];
    expect(dx).toBeGreaterThan(1000);
    const ratio = plume.radiance[p * nb + k23] / clean.radiance[p * nb + k23];
    expect(ratio).toBeCloseTo(Math.exp(plume.targetPerPpmM[k23] * dx), 5);
    expect(ratio).toBeLessThan(0.99);
    expect(plume.radiance[p * nb + k1000]).toBe(clean.radiance[p * nb + k1000]);
    // upwind pixel untouched in every band
    const up = 50 * plume.samples + 5;
    expect(plume.truth.enhancementPpmM[up]).toBe(0);
    expect(Array.from(plume.radiance.subarray(up * nb, up * nb + nb))).toEqual(
      Array.from(clean.radiance.subarray(up * nb, up * nb + nb)),
    );
  });
  it('conserves flux: the crosswind integral of the column is Q/u per metre downwind (±2%)', () => {
    const s = simulateSwirScene(smooth, inputs);
    const kgPerPpmMPerM2 = 1e-6 * (101325 / (8.314462618 * 288.15)) * 0.016043;
    for (const sample of [40, 60, 80]) {
      let sum = 0;
      for (let l = 0; l < s.lines; l++) sum += s.truth.enhancementPpmM[l * s.samples + sample];
      const kgPerM = sum * s.truth.pixelSizeM * kgPerPpmMPerM2;
      expect(kgPerM).toBeCloseTo(500 / 3600 / 3, 2);
      expect(Math.abs(kgPerM / (500 / 3600 / 3) - 1)).toBeLessThan(0.02);
    }
  });
  it('IME of the truth equals Σ ΔX · pixel area · conversion (1e-9)', () => {
    const s = simulateSwirScene(base, inputs);
    const kgPerPpmMPerM2 = 1e-6 * (101325 / (8.314462618 * 288.15)) * 0.016043;
    let sum = 0;
    for (const v of s.truth.enhancementPpmM) sum += v;
    const expected = sum * 25 * kgPerPpmMPerM2;
    expect(Math.abs(s.truth.imeKg / expected - 1)).toBeLessThan(1e-9);
    expect(integratedMassKg(s.truth.enhancementPpmM, 5)).toBe(s.truth.imeKg);
    let masked = 0;
    for (let i = 0; i < s.truth.mask.length; i++) {
      expect(s.truth.mask[i]).toBe(s.truth.enhancementPpmM[i] >= s.truth.maskThresholdPpmM ? 1 : 0);
      masked += s.truth.mask[i];
    }
    expect(masked).toBeGreaterThan(20);
  });
  it('is deterministic by seed (noise and texture)', () => {
    const a = simulateSwirScene(base, inputs);
    const b = simulateSwirScene(base, inputs);
    const c = simulateSwirScene({ ...base, seed: 8 }, inputs);
    expect(Buffer.from(a.radiance.buffer).equals(Buffer.from(b.radiance.buffer))).toBe(true);
    expect(Buffer.from(a.truth.enhancementPpmM.buffer).equals(Buffer.from(b.truth.enhancementPpmM.buffer))).toBe(true);
    expect(Buffer.from(a.radiance.buffer).equals(Buffer.from(c.radiance.buffer))).toBe(false);
  });
  it('noise has the AVIRIS-NG NEdL size', () => {
    const noisy = simulateSwirScene({ ...base, textureSigma: 0 }, inputs);
    const clean = simulateSwirScene({ ...base, textureSigma: 0, noiseScale: 0 }, inputs);
    const k = nearest(noisy.wavelengthNm, 2200);
    let s2 = 0;
    let mean = 0;
    const n = noisy.lines * noisy.samples;
    for (let p = 0; p < n; p++) {
      const d = noisy.radiance[p * noisy.bands + k] - clean.radiance[p * noisy.bands + k];
      s2 += d * d;
      mean += clean.radiance[p * noisy.bands + k];
    }
    mean /= n;
    // AVIRIS-NG row 2200 nm: a, b, c from data/sensor/isofit_avirisng_noise.txt via the model
    const row = readFileSync(join(DEFAULT_DATA_DIR, 'sensor/isofit_avirisng_noise.txt'), 'utf8')
      .split('\n')
      .find((l) => l.startsWith('2200.'));
    const [, a, bb, c] = (row ?? '').split(/\s+/).map(Number);
    expect(Math.sqrt(s2 / n)).toBeGreaterThan(0.8 * (a * Math.sqrt(bb + mean) + c));
    expect(Math.sqrt(s2 / n)).toBeLessThan(1.25 * (a * Math.sqrt(bb + mean) + c));
  });
  it('mirror-tiles larger scenes', () => {
    expect([0, 1, 99, 100, 101, 199, 200].map((i) => mirrorIndex(i, 100))).toEqual([0, 1, 99, 99, 98, 0, 0]);
    const big = simulateSwirScene({ ...base, rateKgPerHour: 0, noiseScale: 0, lines: 150, samples: 120 }, inputs);
    const small = simulateSwirScene({ ...base, rateKgPerHour: 0, noiseScale: 0 }, inputs);
    const nb = big.bands;
    const at = (sc: typeof big, l: number, s: number) => sc.radiance[(l * sc.samples + s) * nb + 40];
    expect(at(big, 120, 110)).toBe(at(small, 79, 89));
    expect(at(big, 10, 10)).toBe(at(small, 10, 10));
  });
  it('refuses a source outside the scene', () => {
    expect(() => simulateSwirScene({ ...base, source: { line: 100, sample: 0 } }, inputs)).toThrow(/outside/);
  });
});

describe('writeSwirScene', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pt-swir-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  it('writes ENVI radiance + truth that openEnvi reads back exactly', async () => {
    const scene = simulateSwirScene({ ...base, lines: 40, samples: 60, source: { line: 20, sample: 5 } }, inputs);
    const w = await writeSwirScene(dir, 'jasper_s7', scene);
    const r = await openEnvi(w.radianceHeaderPath);
    expect([r.lines, r.samples, r.bands]).toEqual([40, 60, 198]);
    expect(Array.from(r.wavelengthNm ?? [])).toEqual(Array.from(scene.wavelengthNm));
    expect(r.header.mapInfo?.zone).toBe(10);
    expect(r.header.mapInfo?.pixelSizeX).toBe(5);
    const all = await r.readWindow({ line0: 0, lines: 40, sample0: 0, samples: 60 });
    expect(Buffer.from(all.buffer, all.byteOffset, all.byteLength).equals(Buffer.from(scene.radiance.buffer))).toBe(
      true,
    );
    await r.close();
    const e = await openEnvi(w.enhancementHeaderPath);
    const ev = await e.readWindow({ line0: 0, lines: 40, sample0: 0, samples: 60 });
    expect(Array.from(ev)).toEqual(Array.from(scene.truth.enhancementPpmM));
    await e.close();
    const m = await openEnvi(w.maskHeaderPath);
    const mv = await m.readWindow({ line0: 0, lines: 40, sample0: 0, samples: 60 });
    expect(Array.from(mv)).toEqual(Array.from(scene.truth.mask));
    await m.close();
    const json = JSON.parse(readFileSync(w.truthJsonPath, 'utf8'));
    expect(json.imeKg).toBe(scene.truth.imeKg);
    expect(json.sourceSample).toBe(5);
    expect(json.enhancementPpmM).toBeUndefined();
  });
});

function nearest(w: Float64Array, nm: number): number {
  let best = 0;
  for (let k = 1; k < w.length; k++) if (Math.abs(w[k] - nm) < Math.abs(w[best] - nm)) best = k;
  return best;
}
function argMinNear(w: Float64Array, lo: number, hi: number, t: Float64Array): number {
  let best = -1;
  for (let k = 0; k < w.length; k++) if (w[k] >= lo && w[k] <= hi && (best < 0 || t[k] < t[best])) best = k;
  return best;
}

describe('nearFieldNoise (the suite’s detection limit)', () => {
  it('takes the noise the plume meets downwind: a shore source blowing over water gets the water’s', () => {
    // 20 × 20 map: land (noise 500) in samples 0–9, water (noise 5,000) in 10–19; source on the shore.
    const size = 20;
    const map = Float64Array.from({ length: size * size }, (_, p) => (p % size < 10 ? 500 : 5000));
    const source = { line: 10, sample: 9 };
    expect(nearFieldNoise(map, size, source, 270)).toBe(5000); // from the west: blows east, over water
    expect(nearFieldNoise(map, size, source, 90)).toBe(500); // from the east: over land
    expect(nearFieldNoise(undefined, size, source, 90)).toBe(Number.POSITIVE_INFINITY);
  });
});
