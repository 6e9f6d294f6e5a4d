import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeEnvi } from '../io/envi/writer.ts';
import { readMag1cLut } from '../io/lut/read.ts';
import { loadSwirInputs } from '../sim/swir/load.ts';
import { simulateSwirScene } from '../sim/swir/scene.ts';
import { PlumetraceError } from '../core/errors.ts';
import { LWIR_DETECT_ALGORITHM_VERSION } from '../core/spectral/lwir-detect.ts';
import { convexHullOfPixels, DEFAULT_CH4_LUT, detectScene, sceneProducts, writeSceneOutputs } from './imaging.ts';
import { detectorName } from './lwir-imaging.ts';

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

describe('writeSceneOutputs', () => {
  const header = { samples: 2, lines: 2, bands: 1, dataType: 'float32', interleave: 'bsq' } as const;

  it('writes every output when all succeed', async () => {
    const dir = join(tmp, 'outputs-ok');
    await writeSceneOutputs(dir, 'ok', join(dir, 'ok'), async (out) => {
      await out.envi(join(dir, 'ok_map'), header, new Float32Array(4));
      await out.text(join(dir, 'ok.json'), '{}\n');
    });
    expect(readdirSync(dir).sort()).toEqual(['ok.json', 'ok_map.hdr', 'ok_map.img']);
  });

  it('removes what it wrote when a later write fails, and names the scene (PT_ERR_RASTER_WRITE)', async () => {
    const dir = join(tmp, 'outputs-fail');
    mkdirSync(join(dir, 'taken.json'), { recursive: true }); // a folder where a file must go
    const err = await writeSceneOutputs(dir, 'scene-x', join(dir, 'scene-x'), async (out) => {
      await out.envi(join(dir, 'x_map'), header, new Float32Array(4));
      await out.text(join(dir, 'x.geojson'), '{}\n');
      await out.text(join(dir, 'taken.json'), '{}\n');
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PlumetraceError);
    expect((err as PlumetraceError).code).toBe('PT_ERR_RASTER_WRITE');
    expect((err as PlumetraceError).message).toContain('taken.json');
    for (const f of ['x_map.hdr', 'x_map.img', 'x.geojson']) expect(existsSync(join(dir, f)), f).toBe(false);
    expect(readdirSync(dir)).toEqual(['taken.json']);

    // Any other failure is wrapped, naming the scene.
    const other = await writeSceneOutputs(dir, 'scene-y', join(dir, 'scene-y'), async (out) => {
      await out.text(join(dir, 'y.json'), '{}\n');
      throw new Error('disk gone');
    }).catch((e: unknown) => e);
    expect((other as PlumetraceError).code).toBe('PT_ERR_RASTER_WRITE');
    expect((other as PlumetraceError).message).toContain('writing the outputs of scene-y failed: disk gone');
    expect(existsSync(join(dir, 'y.json'))).toBe(false);
  });
});

describe('sceneProducts and the thermal method label', () => {
  it('reads back the products storeSceneDetections records, for both kinds', () => {
    expect(
      sceneProducts({
        gas: null,
        metadata: {
          kind: 'lwir',
          method: 'm',
          geojsonPath: '/o/s_plumes.geojson',
          columnHeaderPaths: { Acetone: '/o/s_acetone_ppmm.hdr', Tetrachloroethene: '/o/s_pce_ppmm.hdr' },
          casByGas: { Acetone: '67-64-1' },
        },
      }),
    ).toEqual({
      kind: 'lwir',
      method: 'm',
      geojsonPath: '/o/s_plumes.geojson',
      columnMaps: [
        { gas: 'Acetone', cas: '67-64-1', headerPath: '/o/s_acetone_ppmm.hdr' },
        { gas: 'Tetrachloroethene', cas: null, headerPath: '/o/s_pce_ppmm.hdr' },
      ],
    });
    expect(
      sceneProducts({ gas: 'CH4', metadata: { method: 'cmf', enhancementHeaderPath: '/o/s_ch4_ppmm.hdr' } }),
    ).toEqual({
      kind: 'swir',
      method: 'cmf',
      geojsonPath: null,
      columnMaps: [{ gas: 'CH4', cas: null, headerPath: '/o/s_ch4_ppmm.hdr' }],
    });
  });

  it('labels thermal detections with the detector’s name, taken from its version', () => {
    expect(detectorName(LWIR_DETECT_ALGORITHM_VERSION)).toBe(LWIR_DETECT_ALGORITHM_VERSION.replace(/\/[^/]*$/, ''));
    expect(LWIR_DETECT_ALGORITHM_VERSION.startsWith(`${detectorName(LWIR_DETECT_ALGORITHM_VERSION)}/`)).toBe(true);
    expect(detectorName('no-version')).toBe('no-version');
  });
});
