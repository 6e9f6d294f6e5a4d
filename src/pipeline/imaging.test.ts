import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeEnvi } from '../io/envi/writer.ts';
import { readMag1cLut } from '../io/lut/read.ts';
import { loadSwirInputs } from '../sim/swir/load.ts';
import { simulateSwirScene } from '../sim/swir/scene.ts';
import { convexHullOfPixels, DEFAULT_CH4_LUT, detectScene } from './imaging.ts';

const tmp = mkdtempSync(join(tmpdir(), 'plumetrace-imaging-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('convexHullOfPixels', () => {
  it('outlines an L of pixels by the hull of their corners, closed and counter-clockwise on a north-up map', () => {
    // 4 × 4 labels; plume 1 = an L: (1,1), (2,1), (3,1), (3,2), (3,3).
    const labels = new Int32Array(16);
    for (const [l, s] of [
      [1, 1],
      [2, 1],
      [3, 1],
      [3, 2],
      [3, 3],
    ])
      labels[l * 4 + s] = 1;
    const hull = convexHullOfPixels(labels, 4, { label: 1, lineMin: 1, lineMax: 3, sampleMin: 1, sampleMax: 3 });
    // (line, sample) corners: the L's convex hull is the triangle-ish (1,1) (4,1) (4,4) (3,4) (1,2).
    expect(hull).toEqual([
      [4, 1],
      [4, 4],
      [3, 4],
      [1, 2],
      [1, 1],
      [4, 1],
    ]);
    // Shoelace in (x = sample, y = −line) is positive: counter-clockwise.
    let area = 0;
    for (let i = 0; i + 1 < hull.length; i++) {
      area += hull[i][1] * -hull[i + 1][0] - hull[i + 1][1] * -hull[i][0];
    }
    expect(area / 2).toBeCloseTo(7, 12); // 5 pixels + the 2 × 2 / 2 triangle across the L's inner corner
  });
});

describe('detectScene without map info', () => {
  it('writes pixel coordinates, no lon/lat and no IME or rate without a pixel size', async () => {
    const table = await readMag1cLut(DEFAULT_CH4_LUT);
    const scene = simulateSwirScene(
      {
        seed: 3,
        source: { line: 50, sample: 58 },
        rateKgPerHour: 5000,
        windSpeedMps: 2,
        windToDeg: 90,
        stability: 'C',
        pixelSizeM: 10,
        textureSigma: 0.3,
      },
      await loadSwirInputs('jasper', table),
    );
    const { lines, samples, bands } = scene;
    const hdr = (
      await writeEnvi(
        join(tmp, 'nomap'),
        {
          lines,
          samples,
          bands,
          dataType: 'float32',
          interleave: 'bip',
          wavelength: scene.wavelengthNm,
          fwhm: scene.fwhmNm,
          wavelengthUnits: 'Nanometers',
        },
        scene.radiance,
      )
    ).headerPath;
    const det = await detectScene(hdr, { outDir: join(tmp, 'out'), windSpeedMps: 2 });
    expect(det.coordinates).toBe('pixel');
    expect(det.footprint).toBeNull();
    expect(det.plumes).toHaveLength(1);
    expect(det.plumes[0]).toMatchObject({ originLat: null, originLon: null, imeKg: null, rateKgPerHour: null });
    const gj = JSON.parse(readFileSync(det.outputs.geojsonPath, 'utf8'));
    expect(gj.properties.coordinates).toBe('pixel');
    expect(gj.features[0].properties).not.toHaveProperty('originLat');
    // Pixel outline: x = sample, y = line, inside the scene.
    for (const [x, y] of gj.features[0].geometry.coordinates[0]) {
      expect(x).toBeGreaterThanOrEqual(0);
      expect(x).toBeLessThanOrEqual(samples);
      expect(y).toBeGreaterThanOrEqual(0);
      expect(y).toBeLessThanOrEqual(lines);
    }
    // With --pixel-size the mass comes back.
    const withSize = await detectScene(hdr, { outDir: join(tmp, 'out2'), pixelSizeM: 10 });
    expect(withSize.plumes[0].imeKg).toBeGreaterThan(0);
    expect(withSize.plumes[0].rateKgPerHour).toBeNull();
  });
});
