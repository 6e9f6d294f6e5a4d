/**
 * `plumetrace detect` end to end: a simulated SWIR scene with a known plume (real Jasper Ridge
 * background, Gaussian plume, seeded noise) written as ENVI, the real CLI run on it, its three
 * outputs read back, the store checked; a plume-free scene, a truncated cube and the demo's
 * imaging flight.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../src/core/errors.ts';
import { distanceM } from '../../src/core/geo/local-frame.ts';
import { utmToLonLat } from '../../src/core/geo/utm.ts';
import { openEnvi } from '../../src/io/envi/reader.ts';
import { readMag1cLut } from '../../src/io/lut/read.ts';
import { buildDemo, DEMO_SCENE, DEMO_SURVEYS } from '../../src/pipeline/demo.ts';
import { DEFAULT_CH4_LUT } from '../../src/pipeline/imaging.ts';
import { loadSwirInputs } from '../../src/sim/swir/load.ts';
import { type SwirSceneOptions, type SwirTruth, simulateSwirScene } from '../../src/sim/swir/scene.ts';
import { type SwirMapOrigin, writeSwirScene } from '../../src/sim/swir/write.ts';
import { openStore } from '../../src/store/index.ts';

const root = new URL('../..', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'plumetrace-detect-'));
const db = join(dir, 'db.sqlite');
const origin: SwirMapOrigin = { utmZone: 30, hemisphere: 'North', eastingM: 610091, northingM: 5666866 };
// A strong release in the quieter half of the Jasper background (its clutter puts the CMF noise
// near 2,000 ppm·m per pixel), blowing east across the detector columns.
const plumeScene: SwirSceneOptions = {
  seed: 3,
  source: { line: 50, sample: 58 },
  rateKgPerHour: 5000,
  windSpeedMps: 2,
  windToDeg: 90,
  stability: 'C',
  pixelSizeM: 10,
  textureSigma: 0.3,
};

function cli(...args: string[]): { status: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [join(root, 'bin/plumetrace.js'), ...args], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, PLUMETRACE_DB: db, PLUMETRACE_NO_PROGRESS: '1' },
  });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

let truth: SwirTruth;
let plumeHdr: string;
let cleanHdr: string;

beforeAll(async () => {
  const inputs = await loadSwirInputs('jasper', await readMag1cLut(DEFAULT_CH4_LUT));
  const plume = simulateSwirScene(plumeScene, inputs);
  truth = plume.truth;
  plumeHdr = (await writeSwirScene(join(dir, 'in'), 'plume', plume, origin)).radianceHeaderPath;
  const clean = simulateSwirScene({ ...plumeScene, seed: 4, rateKgPerHour: 0 }, inputs);
  cleanHdr = (await writeSwirScene(join(dir, 'in'), 'clean', clean, origin)).radianceHeaderPath;
});

async function counts() {
  const store = await openStore(db);
  try {
    return {
      acquisitions: (await store.listAcquisitions()).length,
      detections: (await store.listDetections()).length,
      sites: (await store.listSites()).length,
    };
  } finally {
    await store.close();
  }
}

describe('plumetrace detect', () => {
  it('finds the one plume near its source, with its mass within 50%, and writes the three outputs', async () => {
    const out = join(dir, 'out-plume');
    const r = cli('detect', plumeHdr, '--wind-speed', '2', '--wind-from-deg', '270', '--out', out);
    expect(r.stderr).not.toContain('error');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('1 CH4 plume(s)');

    const map = await openEnvi(join(out, 'plume_rdn_ch4_ppmm.hdr'));
    try {
      expect([map.lines, map.samples, map.bands]).toEqual([100, 100, 1]);
      expect(map.header.mapInfo).toMatchObject({ projection: 'UTM', zone: 30, easting: 610091, northing: 5666866 });
      const px = await map.readWindow({
        line0: truth.sourceLine,
        lines: 1,
        sample0: truth.sourceSample + 2,
        samples: 1,
      });
      expect(px[0]).toBeGreaterThan(5000); // ppm·m, just downwind of the source
    } finally {
      await map.close();
    }

    const geojson = JSON.parse(readFileSync(join(out, 'plume_rdn_plumes.geojson'), 'utf8'));
    expect(geojson.type).toBe('FeatureCollection');
    expect(geojson.properties.coordinates).toBe('lon-lat');
    expect(geojson.features).toHaveLength(1);
    const f = geojson.features[0];
    expect(f.geometry.type).toBe('Polygon');
    const ring: number[][] = f.geometry.coordinates[0];
    expect(ring[0]).toEqual(ring[ring.length - 1]);
    const p = f.properties;
    expect(Math.hypot(p.originLine - truth.sourceLine, p.originSample - truth.sourceSample)).toBeLessThanOrEqual(3);
    expect(p.imeKg / truth.imeKg).toBeGreaterThan(0.5);
    expect(p.imeKg / truth.imeKg).toBeLessThan(1.5);
    expect(p.rateKgPerHour).toBeGreaterThan(0);
    expect(p.rateSigmaKgPerHour).toBeGreaterThan(0);
    expect(p.gas).toBe('CH4');
    expect(p.algorithmVersion).toMatch(/cmf/);
    // The origin in lon/lat is the source pixel's centre, to within a few pixels.
    const [lon, lat] = utmToLonLat(30, 'North', 610091 + (58 + 0.5) * 10, 5666866 - (50 + 0.5) * 10);
    expect(distanceM(p.originLat, p.originLon, lat, lon)).toBeLessThan(35);

    const summary = JSON.parse(readFileSync(join(out, 'plume_rdn_detect.json'), 'utf8'));
    expect(summary).toMatchObject({
      plumeCount: 1,
      method: 'cmf',
      bandWindowNm: [2100, 2450],
      lines: 100,
      samples: 100,
    });
    expect(summary.bandsUsed).toBeGreaterThanOrEqual(30);
    expect(summary.noise.maskSigmaPpmMMedian).toBeGreaterThan(0);
    expect(summary.timingsMs.total).toBeGreaterThan(0);

    // Stored: the scene once, its plume as a detection with a polygon; again: nothing new.
    const c = await counts();
    expect(c).toEqual({ acquisitions: 1, detections: 1, sites: 1 });
    const store = await openStore(db);
    try {
      const [d] = await store.listDetections();
      expect(d).toMatchObject({ method: 'cmf', enhancementUnit: 'ppm·m', geometry: { type: 'Polygon' } });
      const [acq] = await store.listAcquisitions();
      expect(acq).toMatchObject({ kind: 'imaging-scene', footprint: { type: 'Polygon' } });
    } finally {
      await store.close();
    }
    expect(cli('detect', plumeHdr, '--wind-speed', '2', '--out', out).stdout).toContain('already stored');
    expect(await counts()).toEqual(c);
  });

  it('reports no plume in a plume-free scene, and no rates without a wind speed', () => {
    const out = join(dir, 'out-clean');
    const r = cli('detect', cleanHdr, '--out', out, '--no-store');
    expect(r.status).toBe(0);
    const summary = JSON.parse(readFileSync(join(out, 'clean_rdn_detect.json'), 'utf8'));
    expect(summary.plumeCount).toBe(0);
    expect(summary.rates).toMatch(/no --wind-speed/);
    expect(JSON.parse(readFileSync(join(out, 'clean_rdn_plumes.geojson'), 'utf8')).features).toEqual([]);
  });

  it('a truncated cube exits with PT_ERR_ENVI_SIZE and writes nothing', () => {
    const bad = join(dir, 'bad');
    mkdirSync(bad, { recursive: true });
    copyFileSync(plumeHdr, join(bad, 'cut.hdr'));
    copyFileSync(plumeHdr.replace(/\.hdr$/, '.img'), join(bad, 'cut.img'));
    truncateSync(join(bad, 'cut.img'), 1000);
    const out = join(dir, 'out-bad');
    const r = cli('detect', join(bad, 'cut.hdr'), '--out', out);
    expect(r.status).toBe(ERROR_CODES.PT_ERR_ENVI_SIZE.exitCode);
    expect(r.stderr).toMatch(/truncated/);
    expect(existsSync(out) ? readdirSync(out) : []).toEqual([]);
  });

  it('runs the sparse filter with --method mag1c: the same one plume near its source', () => {
    const out = join(dir, 'out-mag1c');
    const r = cli(
      'detect',
      plumeHdr,
      '--method',
      'mag1c',
      '--wind-speed',
      '2',
      '--wind-from-deg',
      '270',
      '--out',
      out,
      '--no-store',
    );
    expect(r.status).toBe(0);
    const summary = JSON.parse(readFileSync(join(out, 'plume_rdn_detect.json'), 'utf8'));
    expect(summary).toMatchObject({ method: 'mag1c', plumeCount: 1 });
    const [p] = summary.plumes;
    expect(Math.hypot(p.originLine - truth.sourceLine, p.originSample - truth.sourceSample)).toBeLessThanOrEqual(3);
    expect(p.imeKg / truth.imeKg).toBeGreaterThan(0.5);
    expect(p.imeKg / truth.imeKg).toBeLessThan(1.5);
    expect(p.algorithmVersion).toMatch(/mag1c/);
  });

  it('runs ACE with --method ace through the same plume map: the one plume near its source, its mass in ppm·m', () => {
    const out = join(dir, 'out-ace');
    const r = cli(
      'detect',
      plumeHdr,
      '--method',
      'ace',
      '--wind-speed',
      '2',
      '--wind-from-deg',
      '270',
      '--out',
      out,
      '--no-store',
    );
    expect(r.status).toBe(0);
    const summary = JSON.parse(readFileSync(join(out, 'plume_rdn_detect.json'), 'utf8'));
    // The strongest plume is the release; ACE also keeps a 50-pixel patch of the background's
    // 2.3 µm-absorbing surfaces (lines 93–99, samples 4–13) that the CMF's ppm·m outline leaves out.
    expect(summary.method).toBe('ace');
    expect(summary.plumeCount).toBeGreaterThanOrEqual(1);
    expect(summary.plumeCount).toBeLessThanOrEqual(2);
    const [p] = summary.plumes;
    expect(Math.hypot(p.originLine - truth.sourceLine, p.originSample - truth.sourceSample)).toBeLessThanOrEqual(3);
    expect(p.imeKg / truth.imeKg).toBeGreaterThan(0.5);
    expect(p.imeKg / truth.imeKg).toBeLessThan(1.5);
    expect(p.algorithmVersion).toMatch(/ace/);
  });

  it('ace and mag1c report no plume in the plume-free scene', () => {
    for (const method of ['ace', 'mag1c']) {
      const out = join(dir, `out-clean-${method}`);
      expect(cli('detect', cleanHdr, '--method', method, '--out', out, '--no-store').status).toBe(0);
      expect(JSON.parse(readFileSync(join(out, 'clean_rdn_detect.json'), 'utf8')).plumeCount, method).toBe(0);
    }
  });

  it('answers unknown methods and bad numbers as usage errors', () => {
    expect(cli('detect', plumeHdr, '--method', 'x', '--no-store').status).toBe(ERROR_CODES.PT_ERR_USAGE.exitCode);
    expect(cli('detect', plumeHdr, '--wind-speed', 'fast', '--no-store').status).toBe(
      ERROR_CODES.PT_ERR_USAGE.exitCode,
    );
  });
});

describe('demo with the imaging flight', () => {
  it('adds one SWIR scene whose plume is a third site, 1.5 km east of source B, and stays idempotent', async () => {
    const store = await openStore(join(dir, 'demo.sqlite'));
    try {
      const t0 = performance.now();
      await buildDemo(store, { dir: join(dir, 'demo'), imaging: false, thermal: false });
      const t1 = performance.now();
      await buildDemo(store, { dir: join(dir, 'demo'), imaging: true, thermal: false });
      const t2 = performance.now();
      process.stderr.write(
        `demo: in-situ only ${((t1 - t0) / 1000).toFixed(1)} s; imaging flight added on a second run ${((t2 - t1) / 1000).toFixed(1)} s\n`,
      );
      const flights = await store.listFlights();
      expect(flights).toHaveLength(DEMO_SURVEYS.length + 1);
      expect(flights.filter((f) => f.sensorKind === 'swir-imaging')).toHaveLength(1);
      const sites = await store.listSites();
      // One site per distinct simulated source, and C seen only from the air.
      expect(sites).toHaveLength(
        new Set(DEMO_SURVEYS.map((s) => `${s.config.source.lat},${s.config.source.lon}`)).size + 1,
      );
      const imaging = (await store.listDetections()).filter((d) => d.enhancementUnit === 'ppm·m');
      expect(imaging).toHaveLength(1);
      const siteC = sites.find((s) => s.id === imaging[0].siteId);
      expect(siteC?.detectionCount).toBe(1);
      const b = DEMO_SURVEYS[2].config.source;
      const fromB = distanceM(imaging[0].lat, imaging[0].lon, b.lat, b.lon);
      expect(Math.abs(fromB - 1500)).toBeLessThan(30);
      expect(existsSync(join(dir, 'demo', `${DEMO_SCENE.name}_rdn_plumes.geojson`))).toBe(true);

      const before = [(await store.listAcquisitions()).length, (await store.listDetections()).length];
      await buildDemo(store, { dir: join(dir, 'demo'), imaging: true, thermal: false });
      expect([(await store.listAcquisitions()).length, (await store.listDetections()).length]).toEqual(before);
    } finally {
      await store.close();
    }
  });
});
