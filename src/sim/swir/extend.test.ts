import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../core/random.ts';
import { extendBackground, nnlsNormal } from './extend.ts';
import { DEFAULT_DATA_DIR, loadSpectralLibraryCsv, loadSwirBackground, MOFFETT_LIBRARY_FILE } from './load.ts';
import type { SwirBackground } from './scene.ts';

describe('nnlsNormal (Lawson–Hanson)', () => {
  it('recovers non-negative weights of an exact mixture, zeros included', () => {
    const rng = new Rng(3);
    const m = 30;
    const n = 8;
    const a = Float64Array.from({ length: m * n }, () => rng.uniform());
    const truth = Float64Array.of(0.5, 0, 1.2, 0, 0, 0.3, 0, 2);
    const b = new Float64Array(m);
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) b[i] += a[i * n + j] * truth[j];
    const { ata, atb } = normal(a, b, m, n);
    const x = nnlsNormal(ata, atb, n);
    for (let j = 0; j < n; j++) expect(x[j]).toBeCloseTo(truth[j], 9);
  });

  it('meets the KKT conditions when the unconstrained solution has negative weights', () => {
    const rng = new Rng(4);
    const m = 20;
    const n = 6;
    const a = Float64Array.from({ length: m * n }, () => rng.uniform());
    const b = Float64Array.from({ length: m }, () => rng.normal());
    const { ata, atb } = normal(a, b, m, n);
    const x = nnlsNormal(ata, atb, n);
    expect(x.some((v) => v === 0)).toBe(true);
    for (let j = 0; j < n; j++) {
      let g = atb[j];
      for (let k = 0; k < n; k++) g -= ata[j * n + k] * x[k];
      expect(x[j]).toBeGreaterThanOrEqual(0);
      // Gradient of ½‖Ax − b‖² is −g: zero on the passive set, ≥ 0 on the active one.
      if (x[j] > 0) expect(Math.abs(g)).toBeLessThan(1e-9);
      else expect(g).toBeLessThan(1e-9);
    }
  });
});

describe('extendBackground', () => {
  let jasper: SwirBackground;
  beforeAll(async () => {
    jasper = await loadSwirBackground('jasper');
  });

  it('predicts Jasper Ridge’s measured 2.27–2.46 µm reflectance from its bands up to channel 199 (held out)', () => {
    // Jasper is measured to channel 219; cut it at 199 (as Moffett) and extend with Moffett's library.
    const keep: number[] = [];
    jasper.channel.forEach((c, k) => {
      if (c <= 199) keep.push(k);
    });
    const n = jasper.lines * jasper.samples;
    const cut = new Float32Array(n * keep.length);
    for (let p = 0; p < n; p++) {
      for (let q = 0; q < keep.length; q++) cut[p * keep.length + q] = jasper.reflectance[p * jasper.bands + keep[q]];
    }
    const lib = loadSpectralLibraryCsv(join(DEFAULT_DATA_DIR, MOFFETT_LIBRARY_FILE));
    const { background, extension } = extendBackground(
      { ...jasper, bands: keep.length, reflectance: cut, channel: Int32Array.from(keep, (k) => jasper.channel[k]) },
      lib,
      { fitFromChannel: 116, toChannel: 219 },
    );
    expect(background.bands).toBe(keep.length + 20);
    expect(extension.firstChannel).toBe(200);
    // Measured bands unchanged.
    for (let p = 0; p < n; p += 97) {
      for (let q = 0; q < keep.length; q++) {
        expect(background.reflectance[p * background.bands + q]).toBe(cut[p * keep.length + q]);
      }
    }
    // Held-out channels 200–219: mean absolute error per channel ≤ 15% of the mean measured
    // reflectance (measured on this library: ≤ 0.0096 on ≈ 0.073, i.e. ≤ 13%, worst at 2.33 µm).
    for (let c = 200; c <= 219; c++) {
      const kj = jasper.channel.indexOf(c);
      const ke = background.channel.indexOf(c);
      let mae = 0;
      let mean = 0;
      for (let p = 0; p < n; p++) {
        mae += Math.abs(background.reflectance[p * background.bands + ke] - jasper.reflectance[p * jasper.bands + kj]);
        mean += jasper.reflectance[p * jasper.bands + kj];
      }
      expect(mae / mean, `channel ${c}`).toBeLessThanOrEqual(0.15);
    }
  });

  it('Moffett Field: 159 measured bands to channel 199, extended to 219, measured bands untouched', async () => {
    const m = await loadSwirBackground('moffett');
    expect(m.bands).toBe(179);
    expect(m.channel[158]).toBe(199);
    expect(m.channel[178]).toBe(219);
    expect(m.extension?.medianFitRmsReflectance).toBeLessThan(0.005);
    expect(m.extension?.medianContinuityFactor).toBeGreaterThan(0.9);
    expect(m.extension?.medianContinuityFactor).toBeLessThan(1.1);
  });

  it('refuses a library without the needed channels', () => {
    const bg: SwirBackground = {
      name: 't',
      lines: 1,
      samples: 1,
      bands: 3,
      reflectance: Float32Array.of(0.1, 0.2, 0.3),
      channel: Int32Array.of(1, 2, 3),
    };
    const lib = {
      name: 'lib',
      channel: Int32Array.of(1, 2, 3),
      spectraNames: ['a'],
      spectra: [Float64Array.of(1, 1, 1)],
    };
    expect(() => extendBackground(bg, lib, { fitFromChannel: 1, toChannel: 5 })).toThrow(
      /library lib has no channel 4/,
    );
  });
});

function normal(a: Float64Array, b: Float64Array, m: number, n: number) {
  const ata = new Float64Array(n * n);
  const atb = new Float64Array(n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      atb[j] += a[i * n + j] * b[i];
      for (let k = 0; k < n; k++) ata[j * n + k] += a[i * n + j] * a[i * n + k];
    }
  }
  return { ata, atb };
}
