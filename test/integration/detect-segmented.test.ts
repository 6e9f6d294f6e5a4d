/**
 * Segmented `plumetrace detect` (memory-bounded flightlines): a seeded synthetic cube of 320 lines
 * (stationary background along track, so every window's column statistics estimate the same
 * thing) with two implanted Beer–Lambert plumes — A inside one core, B across a core boundary — is
 * detected once whole and once by the CLI in windows of 128 lines (5 windows, cores of 64 lines,
 * 32 lines of overlap). The plumes must agree within the sampling error of 128- against 320-line
 * statistics, B must come out as one plume, and the streamed map must be complete. Also: a no-data
 * gap longer than a window, and a window too short for the overlap.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../src/core/errors.ts';
import { planSegments } from '../../src/core/spectral/segments.ts';
import { implantEnhancement, syntheticBackgroundCube } from '../../src/core/spectral/synthetic-cube.ts';
import { unitAbsorptionTarget } from '../../src/core/spectral/target.ts';
import { openEnvi } from '../../src/io/envi/reader.ts';
import { writeEnvi } from '../../src/io/envi/writer.ts';
import { readMag1cLut } from '../../src/io/lut/read.ts';
import { DEFAULT_CH4_LUT, detectScene, type SceneDetection } from '../../src/pipeline/imaging.ts';

const root = new URL('../..', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'plumetrace-segmented-'));
const LINES = 320;
const SAMPLES = 48;
const BANDS = 36; // 2100–2450 nm every 10 nm
const SEGMENT_LINES = 128;
/** Core boundaries of the plan: 64, 128, 192, 256. Plume B straddles 192. */
const PLUMES = [
  { name: 'A', line: 96, sample: 12, sdLines: 8, sdSamples: 3, peakPpmM: 3000 },
  { name: 'B', line: 192, sample: 34, sdLines: 10, sdSamples: 3, peakPpmM: 3000 },
];

let hdr: string;
let whole: SceneDetection;

function cli(...args: string[]): { status: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [join(root, 'bin/plumetrace.js'), ...args], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, PLUMETRACE_DB: join(dir, 'db.sqlite'), PLUMETRACE_NO_PROGRESS: '1' },
  });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(async () => {
  const centerNm = Float64Array.from({ length: BANDS }, (_, i) => 2100 + 10 * i);
  const fwhmNm = new Float64Array(BANDS).fill(10);
  const target = unitAbsorptionTarget(await readMag1cLut(DEFAULT_CH4_LUT), { centerNm, fwhmNm }).targetPerPpmM;
  const cube = syntheticBackgroundCube({ lines: LINES, samples: SAMPLES, bands: BANDS, seed: 5 });
  for (const p of PLUMES) {
    for (let l = 0; l < LINES; l++) {
      for (let s = 0; s < SAMPLES; s++) {
        const q = p.peakPpmM * Math.exp(-0.5 * (((l - p.line) / p.sdLines) ** 2 + ((s - p.sample) / p.sdSamples) ** 2));
        if (q > 20) implantEnhancement(cube, l * SAMPLES + s, target, q);
      }
    }
  }
  hdr = (
    await writeEnvi(
      join(dir, 'line'),
      {
        samples: SAMPLES,
        lines: LINES,
        bands: BANDS,
        dataType: 'float32',
        interleave: 'bil',
        wavelength: centerNm,
        fwhm: fwhmNm,
        wavelengthUnits: 'Nanometers',
      },
      cube.data,
    )
  ).headerPath;
  whole = await detectScene(hdr, { outDir: join(dir, 'whole'), pixelSizeM: 5, windSpeedMps: 3, windFromDeg: 180 });
});

describe('segmented detect of a flightline longer than the window', () => {
  it('finds the same plumes as the whole-scene run, the one across a boundary as one plume, and writes a complete map', async () => {
    expect(whole.summary.segments).toBeUndefined(); // 320 ≤ the default 2,000 lines: one scene
    expect(whole.plumes).toHaveLength(2);

    const out = join(dir, 'seg');
    const r = cli(
      'detect',
      hdr,
      '--segment-lines',
      String(SEGMENT_LINES),
      '--pixel-size',
      '5',
      '--wind-speed',
      '3',
      '--wind-from-deg',
      '180',
      '--out',
      out,
      '--no-store',
    );
    expect(r.stderr).not.toContain('error');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('2 CH4 plume(s)');

    const summary = JSON.parse(readFileSync(join(out, 'line_detect.json'), 'utf8'));
    const plan = planSegments(LINES, SEGMENT_LINES);
    expect(summary.segments.windows).toEqual(plan.map((w) => [w.line0, w.line0 + w.lines]));
    expect(summary.segments.windows).toHaveLength(5);
    expect(summary.segments.cores.map((c: number[]) => c[0])).toContain(192);
    expect(summary.algorithmVersion).toContain('plumetrace-segments/1(128/32)');

    const features = JSON.parse(readFileSync(join(out, 'line_plumes.geojson'), 'utf8')).features;
    expect(features).toHaveLength(2);
    for (const truth of PLUMES) {
      const near = (p: { originLine: number; originSample: number }) =>
        Math.abs(p.originSample - truth.sample) <= 4 && Math.abs(p.originLine - truth.line) <= 3 * truth.sdLines;
      const a = whole.plumes.filter(near);
      const b = features.map((f: { properties: unknown }) => f.properties).filter(near);
      expect(a, truth.name).toHaveLength(1);
      expect(b, truth.name).toHaveLength(1);
      // Tolerances: 128-line against 320-line column statistics of the same background (measured:
      // IME −4% and −9%, pixel count −4% and −8%, origin 1 line).
      expect(Math.abs(b[0].originLine - a[0].originLine), truth.name).toBeLessThanOrEqual(3);
      expect(Math.abs(b[0].originSample - a[0].originSample), truth.name).toBeLessThanOrEqual(1);
      expect(b[0].imeKg / (a[0].imeKg as number), truth.name).toBeGreaterThan(0.8);
      expect(b[0].imeKg / (a[0].imeKg as number), truth.name).toBeLessThan(1.2);
      expect(b[0].pixelCount / a[0].pixelCount, truth.name).toBeGreaterThan(0.8);
      expect(b[0].pixelCount / a[0].pixelCount, truth.name).toBeLessThan(1.2);
    }
    // B is one polygon reaching both sides of the core boundary at line 192 (pixel coordinates: y = line).
    const b = features.find(
      (f: { properties: { originSample: number } }) => Math.abs(f.properties.originSample - 34) <= 4,
    );
    const ys = (b.geometry.coordinates[0] as number[][]).map((c) => c[1]);
    expect(Math.min(...ys)).toBeLessThan(192 - 10);
    expect(Math.max(...ys)).toBeGreaterThan(192 + 10);

    // The streamed map: every line, every value finite, close to the whole-scene map.
    const seg = await openEnvi(join(out, 'line_ch4_ppmm.hdr'));
    const ref = await openEnvi(join(dir, 'whole', 'line_ch4_ppmm.hdr'));
    try {
      expect([seg.lines, seg.samples, seg.bands]).toEqual([LINES, SAMPLES, 1]);
      const s = await seg.readWindow({ line0: 0, lines: LINES, sample0: 0, samples: SAMPLES });
      const w = await ref.readWindow({ line0: 0, lines: LINES, sample0: 0, samples: SAMPLES });
      let sq = 0;
      for (let i = 0; i < s.length; i++) {
        expect(Number.isFinite(s[i])).toBe(true);
        sq += (s[i] - w[i]) ** 2;
      }
      // Measured 0.22 σ (σ: the whole run's per-column filter noise, ≈ 280 ppm·m).
      const sigma = (whole.summary.noise as { filterColumnSigmaPpmMMedian: number }).filterColumnSigmaPpmMMedian;
      expect(Math.sqrt(sq / s.length)).toBeLessThan(0.35 * sigma);
    } finally {
      await seg.close();
      await ref.close();
    }
  });

  it('a window without enough data (a gap in the flightline) becomes no-data lines and no plumes', async () => {
    // Lines 90–229 no data (NaN): window 2 (lines 96–223) has no pixel left for statistics.
    const r = await openEnvi(hdr);
    const data = await r.readWindow({ line0: 0, lines: LINES, sample0: 0, samples: SAMPLES });
    await r.close();
    data.fill(Number.NaN, 90 * SAMPLES * BANDS, 230 * SAMPLES * BANDS);
    const centerNm = Float64Array.from({ length: BANDS }, (_, i) => 2100 + 10 * i);
    const gapHdr = (
      await writeEnvi(
        join(dir, 'gap'),
        { samples: SAMPLES, lines: LINES, bands: BANDS, dataType: 'float32', interleave: 'bip', wavelength: centerNm },
        data,
      )
    ).headerPath;
    const det = await detectScene(gapHdr, { outDir: join(dir, 'gap-out'), segmentLines: SEGMENT_LINES, pixelSizeM: 5 });
    const seg = det.summary.segments as { skippedWindows: number[] };
    expect(seg.skippedWindows).toEqual([2]);
    for (const p of det.plumes) expect(p.originLine < 90 || p.originLine >= 230).toBe(true);
    const map = await openEnvi(det.outputs.enhancementHeaderPath as string);
    try {
      expect(map.lines).toBe(LINES);
      const m = await map.readWindow({ line0: 0, lines: LINES, sample0: 0, samples: SAMPLES });
      for (let l = 0; l < LINES; l++) {
        const nan = m.subarray(l * SAMPLES, (l + 1) * SAMPLES).every((v) => Number.isNaN(v));
        expect(nan, `line ${l}`).toBe(l >= 90 && l < 230);
      }
    } finally {
      await map.close();
    }
  });

  it('refuses a window shorter than 128 lines with a usage error, writing nothing', () => {
    const out = join(dir, 'bad');
    const r = cli('detect', hdr, '--segment-lines', '100', '--out', out, '--no-store');
    expect(r.status).toBe(ERROR_CODES.PT_ERR_USAGE.exitCode);
    expect(r.stderr).toContain('--segment-lines');
    expect(() => readFileSync(join(out, 'line_detect.json'))).toThrow();
  });
});
