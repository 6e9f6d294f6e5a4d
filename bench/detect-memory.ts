/**
 * Benchmark: peak memory of `plumetrace detect` (detectScene, CMF) on long synthetic flightlines,
 * streamed in windows of `--segment-lines` against the whole cube in memory. Prints one JSON object.
 *
 * Writes ENVI flightlines of 598 samples × 72 bands (float32 BIL, 2122–2484 nm, the CH4 window
 * keeps 65 bands) to the OS temp folder, chunk by chunk (synthetic-cube.ts syntheticBackgroundLines,
 * seed 20240603, so the writer never holds the cube), with one 2,500 ppm·m Gaussian plume per
 * window of 2,000 lines: on the odd windows' first core line (so cut by a boundary), mid-core in the
 * even ones (`implanted`: [line, sample]; `plumes`: [originLine, originSample, pixels] found). Each
 * detection runs in a child process of its own, whose peak resident set
 * (process.resourceUsage().maxRSS) is reported with the size the selected bands would take in
 * memory (lines × samples × bands × 4 bytes) and a baseline child that only loads the modules and
 * opens the cube. Writing the two files takes about a minute; the 20,000-line run about 70 s. Runs: the long flightline (default 20,000 lines) and a
 * 5,000-line one in windows of 2,000 lines, and the 5,000-line one whole (one window).
 *
 *   node --import tsx bench/detect-memory.ts [LINES]        (default 20000; files removed after)
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { planSegments } from '../src/core/spectral/segments.ts';
import { implantEnhancement, syntheticBackgroundLines } from '../src/core/spectral/synthetic-cube.ts';
import { unitAbsorptionTarget } from '../src/core/spectral/target.ts';
import { openEnvi } from '../src/io/envi/reader.ts';
import { createEnviWriter } from '../src/io/envi/writer.ts';
import { readMag1cLut } from '../src/io/lut/read.ts';
import { DEFAULT_CH4_LUT, detectScene } from '../src/pipeline/imaging.ts';

const SAMPLES = 598;
const BANDS = 72;
const SEED = 20240603;
const SEGMENT_LINES = 2000;
const CHUNK_LINES = 250;
const centerNm = Float64Array.from({ length: BANDS }, (_, i) => 2122 + 5.1 * i);
const fwhmNm = new Float64Array(BANDS).fill(6);
const round = (v: number, d = 1) => Math.round(v * 10 ** d) / 10 ** d;
const MiB = 1024 * 1024;

async function writeFlightline(path: string, lines: number): Promise<{ hdr: string; implanted: number[][] }> {
  const target = unitAbsorptionTarget(await readMag1cLut(DEFAULT_CH4_LUT), { centerNm, fwhmNm }).targetPerPpmM;
  const w = await createEnviWriter(path, {
    samples: SAMPLES,
    lines,
    bands: BANDS,
    dataType: 'float32',
    interleave: 'bil',
    wavelength: centerNm,
    fwhm: fwhmNm,
    wavelengthUnits: 'Nanometers',
  });
  // Plume centres: on every odd core boundary of the windows of SEGMENT_LINES, and mid-core in every even window.
  const plumes: [number, number][] = planSegments(lines, SEGMENT_LINES).map((w, k) => [
    k % 2 === 1 ? w.coreLine0 : Math.round((w.coreLine0 + w.coreLine1) / 2),
    100 + ((k * 137) % 400),
  ]);
  for (let l0 = 0; l0 < lines; l0 += CHUNK_LINES) {
    const n = Math.min(CHUNK_LINES, lines - l0);
    const data = syntheticBackgroundLines({ lines, samples: SAMPLES, bands: BANDS, seed: SEED }, l0, n);
    const chunk = { data, lines: n, samples: SAMPLES, bands: BANDS };
    for (const [pl, ps] of plumes) {
      for (let l = Math.max(l0, pl - 40); l < Math.min(l0 + n, pl + 40); l++) {
        for (let s = ps - 12; s <= ps + 12; s++) {
          const q = 2500 * Math.exp(-0.5 * (((l - pl) / 10) ** 2 + ((s - ps) / 3) ** 2));
          if (q > 20) implantEnhancement(chunk, (l - l0) * SAMPLES + s, target, q);
        }
      }
    }
    await w.writeLines(data);
  }
  return { hdr: (await w.close()).headerPath, implanted: plumes };
}

function child(args: string[]): Record<string, unknown> {
  const r = spawnSync(process.execPath, ['--import', 'tsx', new URL(import.meta.url).pathname, ...args], {
    encoding: 'utf8',
    maxBuffer: 64 * MiB,
  });
  if (r.status !== 0) throw new Error(`child ${args.join(' ')} failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop() as string);
}

const peak = () => ({
  maxRssMiB: round(process.resourceUsage().maxRSS / 1024),
  heapUsedMiB: round(process.memoryUsage().heapUsed / MiB),
});

const mode = process.argv[2];
if (mode === 'run') {
  const [hdr, segmentLines, outDir] = process.argv.slice(3);
  const t0 = performance.now();
  const det = await detectScene(hdr, { outDir, segmentLines: Number(segmentLines), pixelSizeM: 5 });
  const s = det.summary as { segments?: { windows: unknown[] }; timingsMs: unknown; bandsUsed: number };
  console.log(
    JSON.stringify({
      ...peak(),
      wallMs: round(performance.now() - t0),
      windows: s.segments ? s.segments.windows.length : 1,
      bandsUsed: s.bandsUsed,
      plumes: det.plumes.map((p) => [p.originLine, p.originSample, p.pixelCount]),
      timingsMs: s.timingsMs,
    }),
  );
} else if (mode === 'baseline') {
  const r = await openEnvi(process.argv[3]);
  await r.readWindow({ line0: 0, lines: 1, sample0: 0, samples: r.samples });
  await r.close();
  console.log(JSON.stringify(peak()));
} else {
  const lines = Number(mode ?? 20000);
  const dir = mkdtempSync(join(tmpdir(), 'plumetrace-memory-'));
  try {
    const t0 = performance.now();
    const long = await writeFlightline(join(dir, 'long'), lines);
    const short = await writeFlightline(join(dir, 'short'), 5000);
    const writeMs = performance.now() - t0;
    const baseline = child(['baseline', long.hdr]);
    const run = (f: typeof long, n: number, l: number, what: string) => {
      const r = child(['run', f.hdr, String(n), join(dir, `out-${l}-${n}`)]);
      const bandsUsed = r.bandsUsed as number;
      const inMemoryMiB = (l * SAMPLES * bandsUsed * 4) / MiB;
      return { what, lines: l, segmentLines: n, inMemoryCubeMiB: round(inMemoryMiB), implanted: f.implanted, ...r };
    };
    const runs = [
      run(long, SEGMENT_LINES, lines, `${lines} lines in windows of ${SEGMENT_LINES}`),
      run(short, SEGMENT_LINES, 5000, `5,000 lines in windows of ${SEGMENT_LINES}`),
      run(short, 5000, 5000, '5,000 lines whole (one window)'),
    ];
    const base = baseline.maxRssMiB as number;
    const perPixel = (r: Record<string, unknown>, windowLines: number) =>
      round((((r.maxRssMiB as number) - base) * MiB) / (windowLines * SAMPLES), 0);
    console.log(
      JSON.stringify(
        {
          samples: SAMPLES,
          bandsInFile: BANDS,
          method: 'cmf',
          writeFilesMs: round(writeMs),
          baseline: { what: 'modules loaded, cube opened, one line read', ...baseline },
          runs,
          bytesPerWindowPixel: {
            note: '(peak RSS − baseline) / (window lines × samples): the constant c of the bound',
            segmented: perPixel(runs[0], SEGMENT_LINES),
            whole5000: perPixel(runs[2], 5000),
          },
          node: process.version,
        },
        null,
        2,
      ),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
