/**
 * `plumetrace detect` on thermal (LWIR) cubes end to end: a seeded HyTES-like scene with a known
 * tetrachloroethene puff written by the simulator (src/sim/lwir), the real CLI run on it, its outputs
 * read back, the store and the site checked; the same cube written with other wavelength and
 * radiance units (which must give the same plume), and every error code of the thermal path.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../src/core/errors.ts';
import { distanceM } from '../../src/core/geo/local-frame.ts';
import { utmToLonLat } from '../../src/core/geo/utm.ts';
import { toGasAbsorbance } from '../../src/core/spectral/lwir-channels.ts';
import { scoreSiteProfiles } from '../../src/core/spectral/signature-profiles.ts';
import { openEnvi, readEnviHeader } from '../../src/io/envi/reader.ts';
import { writeEnvi } from '../../src/io/envi/writer.ts';
import { DEFAULT_GAS_LIBRARY_DIR, readGasSpectrumFile } from '../../src/io/gas-library.ts';
import { buildDemo, DEMO_SURVEYS, DEMO_THERMAL_SCENE } from '../../src/pipeline/demo.ts';
import { readSignatureProfiles } from '../../src/pipeline/signature-profiles.ts';
import { detectionGases } from '../../src/server/app.ts';
import { loadLwirInputs } from '../../src/sim/lwir/load.ts';
import { type LwirScene, simulateLwirScene } from '../../src/sim/lwir/scene.ts';
import { writeLwirScene } from '../../src/sim/lwir/write.ts';
import { DEFAULT_SWIR_MAP_ORIGIN } from '../../src/sim/swir/write.ts';
import { openStore } from '../../src/store/index.ts';

const root = new URL('../..', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'plumetrace-detect-lwir-'));
const db = join(dir, 'db.sqlite');
const EXAMPLE_PROFILES = join(root, 'config/signature-profiles.example.json');
const PIXEL_M = 2;
const CENTER = { line: 24, sample: 18 };
/** A short candidate list for the runs that only compare units (the full library is run once). */
const FEW = 'tetrachloroethene,acetone,chloroform';

function cli(...args: string[]): { status: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [join(root, 'bin/plumetrace.js'), ...args], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, PLUMETRACE_DB: db, PLUMETRACE_NO_PROGRESS: '1' },
  });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

interface GasProp {
  name: string;
  cas: string;
  confidence: number;
  columnPpmM: number;
}
interface PlumeProps {
  gas: string;
  gases: GasProp[];
  maxColumnPpmM: number;
  score: number;
  originLine: number;
  originSample: number;
  originLon?: number;
  originLat?: number;
  pixelCount: number;
  profiles: { name: string; score: number }[];
  algorithmVersion: string;
}
interface Collection {
  type: string;
  properties: { coordinates: string; crs: string };
  features: { type: string; geometry: { type: string; coordinates: number[][][] }; properties: PlumeProps }[];
}

const readJson = <T>(path: string): T => JSON.parse(readFileSync(path, 'utf8')) as T;

let scene: LwirScene;
let hdr: string;

/** Writes the scene's radiance again with another header: wavelengths, units, data scaled per band. */
async function variant(
  name: string,
  o: {
    wavelength: Float64Array;
    fwhm: Float64Array;
    wavelengthUnits: 'Micrometers' | 'Nanometers' | 'Wavenumber';
    dataUnits?: string;
    perBandFactor?: (k: number) => number;
    mapInfo?: boolean;
  },
): Promise<string> {
  const { lines, samples, bands } = scene;
  const data = Float32Array.from(scene.radiance);
  if (o.perBandFactor) {
    const f = Array.from({ length: bands }, (_, k) => o.perBandFactor!(k));
    for (let i = 0; i < data.length; i += bands) for (let k = 0; k < bands; k++) data[i + k] *= f[k];
  }
  const base = join(dir, 'in', name);
  await writeEnvi(
    base,
    {
      samples,
      lines,
      bands,
      dataType: 'float32',
      interleave: 'bip',
      wavelength: o.wavelength,
      fwhm: o.fwhm,
      wavelengthUnits: o.wavelengthUnits,
      ...(o.mapInfo === false ? {} : { mapInfo: (await readEnviHeader(hdr)).mapInfo }),
      ...(o.dataUnits ? { extra: { 'data units': o.dataUnits } } : {}),
    },
    data,
  );
  return `${base}.hdr`;
}

beforeAll(async () => {
  const gas = toGasAbsorbance(await readGasSpectrumFile(join(DEFAULT_GAS_LIBRARY_DIR, 'tetrachloroethene.jdx')));
  scene = simulateLwirScene(
    {
      seed: 20260612,
      lines: 48,
      samples: 48,
      plume: {
        gases: [{ gas, peakColumnPpmM: 150 }],
        centerLine: CENTER.line,
        centerSample: CENTER.sample,
        sigmaAlongPx: 8,
        sigmaAcrossPx: 4,
        directionDeg: 90,
        contrastK: 5,
      },
    },
    loadLwirInputs('grosskc'),
  );
  hdr = (await writeLwirScene(join(dir, 'in'), 'pce', scene, PIXEL_M)).radianceHeaderPath;
});

describe('plumetrace detect on a thermal cube (gas auto: the whole library)', () => {
  let run: { status: number; stdout: string; stderr: string };
  let gj: Collection;
  const out = join(dir, 'out');
  beforeAll(() => {
    run = cli('detect', hdr, '--out', out, '--profiles', EXAMPLE_PROFILES, '--time', '2026-06-12T11:20:00Z');
    gj = readJson<Collection>(join(out, 'pce_rdn_plumes.geojson'));
  }, 60_000);

  it('names the simulated gas first, with its CAS number, near the puff centre', () => {
    expect(run.stderr).not.toContain('error');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('Tetrachloroethene');
    expect(gj.features.length).toBeGreaterThanOrEqual(1);
    const top = gj.features[0].properties;
    expect(top.gas).toBe('Tetrachloroethene');
    expect(top.gases[0]).toMatchObject({ name: 'Tetrachloroethene', cas: '127-18-4' });
    // The puff is centred at line 24, sample 18 (σ 8 × 4 px): the origin lies within 2σ across.
    expect(Math.hypot(top.originLine + 0.5 - CENTER.line, top.originSample + 0.5 - CENTER.sample)).toBeLessThan(8);
    const [lon, lat] = utmToLonLat(
      DEFAULT_SWIR_MAP_ORIGIN.utmZone,
      DEFAULT_SWIR_MAP_ORIGIN.hemisphere,
      DEFAULT_SWIR_MAP_ORIGIN.eastingM + (CENTER.sample + 0.5) * PIXEL_M,
      DEFAULT_SWIR_MAP_ORIGIN.northingM - (CENTER.line + 0.5) * PIXEL_M,
    );
    expect(distanceM(top.originLat as number, top.originLon as number, lat, lon)).toBeLessThan(8 * PIXEL_M);
  });

  it('writes the GeoJSON properties with their types, best gas first', () => {
    expect(gj.type).toBe('FeatureCollection');
    expect(gj.properties.coordinates).toBe('lon-lat');
    for (const f of gj.features) {
      const p = f.properties;
      expect(f.geometry.type).toBe('Polygon');
      const ring = f.geometry.coordinates[0];
      expect(ring[0]).toEqual(ring[ring.length - 1]);
      expect(typeof p.gas).toBe('string');
      expect(p.gas).toBe(p.gases[0].name);
      for (const g of p.gases) {
        expect(typeof g.name).toBe('string');
        expect(typeof g.cas).toBe('string');
        expect(g.confidence).toBeGreaterThan(0);
        expect(g.confidence).toBeLessThanOrEqual(1 + 1e-12);
        expect(Number.isFinite(g.columnPpmM)).toBe(true);
      }
      for (let i = 1; i < p.gases.length; i++)
        expect(p.gases[i - 1].confidence).toBeGreaterThanOrEqual(p.gases[i].confidence);
      expect(p.maxColumnPpmM).toBeGreaterThan(0);
      expect(p.score).toBeGreaterThan(0);
      expect(Number.isInteger(p.originLine) && Number.isInteger(p.originSample)).toBe(true);
      expect(typeof p.originLon).toBe('number');
      expect(typeof p.originLat).toBe('number');
      expect(p.algorithmVersion).toMatch(/lwir-detect.*plumetrace-detect-lwir\/1/);
      expect(Array.isArray(p.profiles)).toBe(true);
    }
  });

  it('scores the example profiles per plume as Σ w·confidence / Σ w', () => {
    const top = gj.features[0].properties;
    const pce = top.gases.find((g) => g.name === 'Tetrachloroethene') as GasProp;
    // "Chlorinated degreasing solvents (example)": 127-18-4 weight 2 of 4 (plus DCM and TCA if seen).
    const degreasing = top.profiles.find((p) => p.name === 'Chlorinated degreasing solvents (example)');
    const others = top.gases
      .filter((g) => g.cas === '71-55-6' || g.cas === '75-09-2')
      .reduce((s, g) => s + g.confidence, 0);
    expect(degreasing?.score).toBeCloseTo((2 * pce.confidence + others) / 4, 10);
    expect(top.profiles[0].name).toBe('Chlorinated degreasing solvents (example)');
  });

  it('writes a float32 column map of each reported gas with the input’s map info, and the summary', async () => {
    const map = join(out, 'pce_rdn_tetrachloroethene_ppmm.hdr');
    expect(existsSync(map)).toBe(true);
    const r = await openEnvi(map);
    try {
      expect([r.lines, r.samples, r.bands, r.header.dataType]).toEqual([48, 48, 1, 'float32']);
      expect(r.header.mapInfo).toEqual((await readEnviHeader(hdr)).mapInfo);
      const v = await r.readWindow({ line0: 0, lines: 48, sample0: 0, samples: 48 });
      const top = gj.features[0].properties;
      // The origin is the pixel of the largest |column| of the best gas; maxColumnPpmM is that |column|.
      expect(Math.abs(v[top.originLine * 48 + top.originSample])).toBeCloseTo(top.maxColumnPpmM, 2);
    } finally {
      await r.close();
    }
    const s = readJson<Record<string, unknown>>(join(out, 'pce_rdn_detect.json'));
    expect(s.plumeCount).toBe(gj.features.length);
    expect(s.bandsUsed).toBe(252);
    const cands = s.candidateGases as { name: string; necPpmM: number }[];
    expect(cands.length).toBe(28); // the shipped library's quantitative spectra
    const nec = cands.find((c) => c.name === 'Tetrachloroethene')?.necPpmM as number;
    // Clearly detectable: the peak column is several noise-equivalent columns.
    expect(150 / nec).toBeGreaterThan(4);
    expect((s.radianceUnits as { from: string }).from).toBe('header data units');
    expect(s.thresholds).toMatchObject({ seedZ: 6, growZ: 3, minPixels: 6, contrastK: 5 });
    expect((s.timingsMs as { total: number }).total).toBeGreaterThan(0);
  });

  it('stores the scene as a thermal flight and the plume as a detection with its gases, joined to a site', async () => {
    const store = await openStore(db);
    try {
      const flights = await store.listFlights();
      expect(flights.map((f) => f.sensorKind)).toEqual(['lwir-imaging']);
      const [acq] = await store.listAcquisitions();
      expect(acq.footprint?.type).toBe('Polygon');
      expect(acq.gas).toBeNull();
      const dets = await store.listDetections({ acquisitionId: acq.id });
      expect(dets.length).toBe(gj.features.length);
      const top = dets.find((d) => d.properties.originLine === gj.features[0].properties.originLine);
      expect(top?.gas).toBe('Tetrachloroethene');
      expect(top?.enhancementUnit).toBe('ppm·m');
      expect(top?.properties.gases).toEqual(gj.features[0].properties.gases);
      const site = await store.getSite(top?.siteId as string);
      expect(site?.gases).toContain('Tetrachloroethene');
      // The site's profile scores, as the site detail reports them, from all its detections.
      const profiles = await readSignatureProfiles(EXAMPLE_PROFILES);
      const siteDets = await store.listDetections({ siteId: site?.id as string });
      const scored = scoreSiteProfiles(profiles, siteDets.map(detectionGases));
      expect(scored[0].name).toBe('Chlorinated degreasing solvents (example)');
    } finally {
      await store.close();
    }
  });

  it('stores nothing new when the same cube comes again', () => {
    const again = cli('detect', hdr, '--out', out, '--gas', FEW, '--time', '2026-06-12T11:20:00Z');
    expect(again.status).toBe(0);
    expect(again.stdout).toContain('already stored');
  }, 60_000);
});

describe('wavelength and radiance units', () => {
  const runOn = (h: string, ...extra: string[]) => {
    const o = join(dir, `out-${h.split('/').pop()}`);
    const r = cli('detect', h, '--out', o, '--gas', FEW, '--no-store', ...extra);
    expect(r.stderr).not.toContain('error');
    expect(r.status).toBe(0);
    const name = (h.split('/').pop() as string).replace(/\.hdr$/, '');
    return readJson<Collection>(join(o, `${name}_plumes.geojson`));
  };
  let reference: Collection;
  beforeAll(() => {
    reference = runOn(hdr);
  }, 60_000);

  const expectSame = (g: Collection) => {
    expect(g.features.length).toBe(reference.features.length);
    const a = g.features[0].properties;
    const b = reference.features[0].properties;
    expect(a.gases.map((x) => x.name)).toEqual(b.gases.map((x) => x.name));
    expect(a.gases[0].columnPpmM / b.gases[0].columnPpmM).toBeCloseTo(1, 2);
    expect([a.originLine, a.originSample]).toEqual([b.originLine, b.originSample]);
  };

  it('reads nanometre wavelengths and W/(m² sr µm) data units (×λ_µm²/100 per band), without map info', async () => {
    // Hand check of the factor: at 10 µm, 1 W/(m² sr µm) = 1 µW/(cm² sr cm⁻¹); at 8 µm, 0.64.
    const h = await variant('pce_nm_wm2um', {
      wavelength: scene.wavelengthUm.map((x) => x * 1000),
      fwhm: scene.fwhmUm.map((x) => x * 1000),
      wavelengthUnits: 'Nanometers',
      dataUnits: 'W/(m^2 sr um)',
      perBandFactor: (k) => 100 / scene.wavelengthUm[k] ** 2,
      mapInfo: false,
    });
    const g = runOn(h);
    expectSame(g);
    expect(g.properties.coordinates).toBe('pixel');
    expect(g.features[0].properties.originLon).toBeUndefined();
  }, 60_000);

  it('reads wavenumber wavelengths and µW/(cm² sr nm) given by --radiance-units (×λ_nm²/1e7 per band)', async () => {
    const h = await variant('pce_wn_uwnm', {
      wavelength: scene.centerCm1,
      fwhm: scene.fwhmCm1,
      wavelengthUnits: 'Wavenumber',
      perBandFactor: (k) => 1e7 / (scene.wavelengthUm[k] * 1000) ** 2,
    });
    expectSame(runOn(h, '--radiance-units', 'uW/(cm^2 sr nm)'));
  }, 60_000);

  it('reads W/(m² sr cm⁻¹) (×100)', async () => {
    const h = await variant('pce_wm2cm', {
      wavelength: scene.wavelengthUm,
      fwhm: scene.fwhmUm,
      wavelengthUnits: 'Micrometers',
      dataUnits: 'W m-2 sr-1 (cm-1)-1',
      perBandFactor: () => 0.01,
    });
    expectSame(runOn(h));
  }, 60_000);
});

describe('errors of the thermal path, each with its registered exit code', () => {
  const code = (k: keyof typeof ERROR_CODES) => ERROR_CODES[k].exitCode;

  it('an unknown gas name lists the known ones (PT_ERR_GAS_UNKNOWN)', () => {
    const r = cli('detect', hdr, '--gas', 'acetone,unobtainium', '--no-store', '--out', join(dir, 'x'));
    expect(r.status).toBe(code('PT_ERR_GAS_UNKNOWN'));
    expect(r.stderr).toContain('"unobtainium" is not in the gas library');
    expect(r.stderr).toContain('Tetrachloroethene (tetrachloroethene, 127-18-4)');
    expect(existsSync(join(dir, 'x'))).toBe(false);
  });

  it('a band-shape-only gas cannot be measured (PT_ERR_GAS_NOT_QUANTITATIVE)', () => {
    const r = cli('detect', hdr, '--gas', 'toluene', '--no-store', '--out', join(dir, 'x'));
    expect(r.status).toBe(code('PT_ERR_GAS_NOT_QUANTITATIVE'));
    expect(r.stderr).toContain('toluene');
  });

  it('unknown radiance units, from the header or the flag (PT_ERR_RADIANCE_UNITS)', async () => {
    const h = await variant('pce_bad_units', {
      wavelength: scene.wavelengthUm,
      fwhm: scene.fwhmUm,
      wavelengthUnits: 'Micrometers',
      dataUnits: 'furlongs per fortnight',
    });
    const r = cli('detect', h, '--gas', FEW, '--no-store', '--out', join(dir, 'x'));
    expect(r.status).toBe(code('PT_ERR_RADIANCE_UNITS'));
    expect(r.stderr).toContain('"furlongs per fortnight"');
    expect(r.stderr).toContain('data units');
    const f = cli('detect', hdr, '--gas', FEW, '--radiance-units', 'W/(m^2 sr)', '--no-store', '--out', join(dir, 'x'));
    expect(f.status).toBe(code('PT_ERR_RADIANCE_UNITS'));
    expect(f.stderr).toContain('--radiance-units');
    expect(existsSync(join(dir, 'x'))).toBe(false);
  });

  it('wavelengths outside the LWIR, or no overlap with the gases asked for (PT_ERR_LWIR_WAVELENGTHS)', async () => {
    // A mid-wave cube (3–5 µm) asked for a solvent: not thermal.
    const n = 12;
    const mwir = join(dir, 'in', 'mwir');
    await writeEnvi(
      mwir,
      {
        samples: 8,
        lines: 8,
        bands: n,
        dataType: 'float32',
        interleave: 'bip',
        wavelength: Array.from({ length: n }, (_, k) => 3 + (2 * k) / n),
        fwhm: Array.from({ length: n }, () => 0.15),
        wavelengthUnits: 'Micrometers',
      },
      Float32Array.from({ length: 64 * n }, (_, i) => 1 + (i % 7) * 0.01),
    );
    const r = cli('detect', `${mwir}.hdr`, '--gas', 'acetone', '--no-store', '--out', join(dir, 'x'));
    expect(r.status).toBe(code('PT_ERR_LWIR_WAVELENGTHS'));
    expect(r.stderr).toContain('needs a thermal cube');
    // A thermal cube at 13.2–14 µm only: SF6 (10.5 µm) does not absorb there.
    const far = join(dir, 'in', 'far');
    await writeEnvi(
      far,
      {
        samples: 8,
        lines: 8,
        bands: n,
        dataType: 'float32',
        interleave: 'bip',
        wavelength: Array.from({ length: n }, (_, k) => 13.2 + (0.75 * k) / n),
        fwhm: Array.from({ length: n }, () => 0.06),
        wavelengthUnits: 'Micrometers',
      },
      Float32Array.from({ length: 64 * n }, (_, i) => 8 + (i % 5) * 0.01),
    );
    const s = cli('detect', `${far}.hdr`, '--gas', 'sulphur_hexafluoride', '--no-store', '--out', join(dir, 'x'));
    expect(s.status).toBe(code('PT_ERR_LWIR_WAVELENGTHS'));
    expect(s.stderr).toContain('Sulfur Hexafluoride has no absorption');
    expect(existsSync(join(dir, 'x'))).toBe(false);
  });

  it('a bad profile file names the line and field (PT_ERR_SIGNATURE_PROFILES)', () => {
    const bad = join(dir, 'bad-profiles.json');
    writeFileSync(
      bad,
      '{\n  "profiles": [\n    { "name": "a", "gases": [ { "gas": "acetone", "weight": 0 } ] }\n  ]\n}\n',
    );
    const r = cli('detect', hdr, '--gas', FEW, '--profiles', bad, '--no-store', '--out', join(dir, 'x'));
    expect(r.status).toBe(code('PT_ERR_SIGNATURE_PROFILES'));
    expect(r.stderr).toContain('line 3');
    expect(r.stderr).toContain('profiles[0].gases[0].weight must be a number > 0');
    expect(existsSync(join(dir, 'x'))).toBe(false);
  });
});

describe('demo with the thermal flight', () => {
  it('adds one thermal scene whose tetrachloroethene plume becomes site J with its gases, and stays idempotent', async () => {
    const store = await openStore(join(dir, 'demo.sqlite'));
    try {
      const profiles = await readSignatureProfiles(EXAMPLE_PROFILES);
      await buildDemo(store, { dir: join(dir, 'demo'), imaging: false, thermal: true, profiles });
      const flights = await store.listFlights();
      expect(flights).toHaveLength(DEMO_SURVEYS.length + 1);
      expect(flights.filter((f) => f.sensorKind === 'lwir-imaging')).toHaveLength(1);
      const thermal = (await store.listDetections()).filter((d) => Array.isArray(d.properties.gases));
      expect(thermal).toHaveLength(1);
      const [d] = thermal;
      expect(d.gas).toBe('Tetrachloroethene');
      expect((d.properties.gases as GasProp[])[0]).toMatchObject({ name: 'Tetrachloroethene', cas: '127-18-4' });
      expect((d.properties.profiles as { name: string }[])[0].name).toBe('Chlorinated degreasing solvents (example)');
      // The puff centre lies at 51.145 N, 1.395 W (DEMO_THERMAL_SCENE); the origin within 8 pixels.
      expect(distanceM(d.lat, d.lon, 51.145, -1.395)).toBeLessThan(8 * DEMO_THERMAL_SCENE.pixelSizeM);
      const site = await store.getSite(d.siteId as string);
      expect(site?.gases).toEqual(['Tetrachloroethene']);
      expect(site?.detectionCount).toBe(1);
      const sites = await store.listSites();
      expect(sites).toHaveLength(
        new Set(DEMO_SURVEYS.map((s) => `${s.config.source.lat},${s.config.source.lon}`)).size + 1,
      );

      const before = [(await store.listAcquisitions()).length, (await store.listDetections()).length];
      await buildDemo(store, { dir: join(dir, 'demo'), imaging: false, thermal: true, profiles });
      expect([(await store.listAcquisitions()).length, (await store.listDetections()).length]).toEqual(before);
    } finally {
      await store.close();
    }
  }, 120_000);
});
