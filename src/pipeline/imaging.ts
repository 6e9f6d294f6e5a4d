/**
 * Imaging-spectrometer scenes: detect methane plumes in a radiance cube (`detectScene`: ENVI in,
 * an enhancement map, plume outlines and a summary out) and file the scene and its plumes in the
 * store (`storeSceneDetections`: acquisition → detections → sites). `plumetrace detect` and the demo
 * both run these two functions. Thermal (LWIR) cubes are detected by lwir-imaging.ts and stored by the
 * same storeSceneDetections (their plumes carry `gases`; each joins only a site of its best gas).
 *
 * Steps of detectScene:
 *  1. Open the cube (src/io/envi: header, sizes and truncation are checked there, with their codes).
 *  2. Bands: every band whose centre lies in 2100–2450 nm (`CH4_BAND_WINDOW_NM`) and that the header's
 *     `bbl` does not mark bad; FWHM from the header, else the spacing of the neighbouring centres.
 *  3. Unit-absorption target of those bands from the mag1c table (data/detection/mag1c_ch4.lut).
 *  4. `cmf` (default): column-wise matched filter → ppm·m per pixel, in two passes (the first pass's
 *     plumes, grown by 2 px, are kept out of the second pass's background statistics). `ace`: the
 *     same CMF map, but the plume mask runs on the ACE score (a shape test, insensitive to
 *     brightness). `mag1c`: the sparse, albedo-corrected filter (src/core/spectral/mag1c.ts, default
 *     options), masked with its per-column noise.
 *  5. Plume mask — for every method the albedo-weighted, smoothed two-scale plume map with a
 *     spectral-coherence check against surface confusers (src/core/spectral/plume-map.ts), on the
 *     method's own output and noise (src/core/spectral/detect.ts) — then quantifyPlumes (IME; emission rate only when a wind
 *     speed is given: rates are null otherwise; U_eff from `ueffCalibrationFor`). The kg per ppm·m conversion is taken at
 *     101325 Pa and 288.15 K, as the simulator's.
 *  6. Outputs (written only when everything before succeeded; removed again if a later write fails):
 *     `<name>_ch4_ppmm.hdr/.img` (float32, 1 band, the input's map info), `<name>_plumes.geojson`,
 *     `<name>_detect.json`.
 *
 * Plume polygons: the convex hull of the corners of the plume's pixels (always one valid, simple
 * polygon, even for a plume merged from several components; it over-covers concave plumes).
 * Coordinates: WGS84 lon/lat when the map info is UTM (own UTM inverse, src/core/geo/utm.ts; WGS-84
 * datum assumed) or Geographic Lat/Lon; the map's own coordinates for any other projection; pixel
 * coordinates (x = sample, y = line, corners at integers) without map info. The collection's
 * `properties.coordinates` says which. Only lon/lat plumes become detections in the store.
 *
 * Memory: a cube of at most `segmentLines` lines (default DEFAULT_SEGMENT_LINES) is read whole for
 * the selected bands and detected as one scene. A longer flightline is detected in along-track windows
 * of at most `segmentLines` lines (src/core/spectral/segments.ts: cores of ≤ segmentLines − 64 lines,
 * each with 32 lines of overlap on either side), each with its own column statistics, read with the
 * ENVI windowed reader; the map is streamed to its file window by window (core lines only) and the
 * plumes of the windows are merged where the overlaps say they are one plume. Peak memory then
 * depends on segmentLines × samples × bands, not on the flightline's length (README, detect section).
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { Polygon, Position } from 'geojson';
import { PlumetraceError } from '../core/errors.ts';
import { associateDetection } from '../core/fusion/associate.ts';
import { utmToLonLat } from '../core/geo/utm.ts';
import {
  DEFAULT_UEFF_CALIBRATION,
  kgPerM2PerPpmM,
  quantifyPlumes,
  SMOOTHED_MASK_5M_UEFF_CALIBRATION,
  type UeffCalibration,
} from '../core/spectral/ime.ts';
import {
  DETECTION_METHODS,
  type DetectionMethod,
  detectMethane,
  type MethaneDetection,
} from '../core/spectral/detect.ts';
import type { PlumeQuantification } from '../core/spectral/ime.ts';
import type { ResolvedPlumeMaskOptions } from '../core/spectral/plumes.ts';
import {
  mergedPlumeMask,
  planSegments,
  SEGMENT_HALO_LINES,
  SegmentPlumeMerger,
  type SegmentWindow,
} from '../core/spectral/segments.ts';
import { unitAbsorptionTarget } from '../core/spectral/target.ts';
import type { EnviMapInfo } from '../io/envi/header.ts';
import { pixelToMap } from '../io/envi/geo.ts';
import { type EnviReader, openEnvi } from '../io/envi/reader.ts';
import { createEnviWriter, type EnviWriteOptions, type EnviWriter, writeEnvi } from '../io/envi/writer.ts';
import { readMag1cLut } from '../io/lut/read.ts';
import type { Platform, Site, Store } from '../store/types.ts';
import { ensureCampaign, type Progress } from './insitu.ts';

export const CH4_BAND_WINDOW_NM: readonly [number, number] = [2100, 2450];
export const DEFAULT_CH4_LUT = new URL('../../data/detection/mag1c_ch4.lut', import.meta.url).pathname;
export const IMAGING_METHODS = DETECTION_METHODS;
export type ImagingMethod = DetectionMethod;
/** Version of this composition (band window, mask, quantification settings, outputs). */
export const IMAGING_PIPELINE_VERSION = 'plumetrace-detect-imaging/1';
/** Longest along-track window detected at once (`--segment-lines`); longer flightlines are segmented. */
export const DEFAULT_SEGMENT_LINES = 2000;
/** Version tag added to the plumes of a segmented run (window size and overlap follow it). */
export const SEGMENTED_VERSION = 'plumetrace-segments/1';
/** Fewest bands in the window for a usable covariance. */
const MIN_BANDS = 5;
/** First pass: plumes seeded at z ≥ 3 (grown over z ≥ 2), and 2 px around them, leave the statistics. */
const KG_PER_M2_PER_PPM_M_288K = kgPerM2PerPpmM(101325, 288.15);

export interface DetectSceneOptions {
  outDir: string;
  gas?: string;
  method?: ImagingMethod;
  /** 10 m wind speed, m/s; without it no rates are computed (null). */
  windSpeedMps?: number;
  /** Direction the wind blows from, degrees clockwise from north: picks the upwind origin pixel. */
  windFromDeg?: number;
  /** Pixel size, m, for scenes without metric map info. */
  pixelSizeM?: number;
  lutPath?: string;
  /**
   * Most lines detected at once (default DEFAULT_SEGMENT_LINES, at least 4 × SEGMENT_HALO_LINES): a
   * longer cube is detected in overlapping along-track windows (see the file comment).
   */
  segmentLines?: number;
  onProgress?: Progress;
}

export type SceneCoordinates = 'lon-lat' | 'map' | 'pixel';

/** A gas of an LWIR plume, best first (src/core/spectral/lwir-detect.ts). */
export interface ScenePlumeGas {
  name: string;
  cas: string;
  confidence: number;
  columnPpmM: number;
}

export interface ScenePlume {
  /** The plume's gas (LWIR: the best of `gases`). */
  gas: string;
  /** LWIR: every gas of the plume's best model with its confidence and column, best first. */
  gases?: ScenePlumeGas[];
  /** LWIR: signature profiles with a score > 0 (src/core/spectral/signature-profiles.ts), best first. */
  profiles?: { name: string; score: number }[];
  pixelCount: number;
  maxEnhancementPpmM: number;
  imeKg: number | null;
  imeSigmaKg: number | null;
  rateKgPerHour: number | null;
  rateSigmaKgPerHour: number | null;
  originLine: number;
  originSample: number;
  originLon: number | null;
  originLat: number | null;
  score: number;
  /** Convex hull of the plume's pixel corners, in the scene's `coordinates`. */
  outline: Position[];
  algorithmVersion: string;
}

export interface SceneDetection {
  /** Shortwave (methane) or thermal (multi-gas) scene. */
  kind: 'swir' | 'lwir';
  name: string;
  headerPath: string;
  dataPath: string;
  lines: number;
  samples: number;
  /** SWIR: the gas looked for; LWIR: the candidate list ("auto" or the names asked for). */
  gas: string;
  /** SWIR: cmf | ace | mag1c; LWIR: the detector's name. */
  method: string;
  coordinates: SceneCoordinates;
  /** The scene's outline in lon/lat (corners of the corner pixels), or null when not georeferenced. */
  footprint: Polygon | null;
  pixelSizeM: number | null;
  plumes: ScenePlume[];
  outputs: SceneOutputs;
  summary: Record<string, unknown>;
}

export interface SceneOutputs {
  /** SWIR: the CH4 ppm·m map. */
  enhancementHeaderPath?: string;
  /** LWIR: one column map (ppm·m) per reported gas, by gas name. */
  columnHeaderPaths?: Record<string, string>;
  geojsonPath: string;
  summaryPath: string;
}

/** Detects plumes in one ENVI radiance cube and writes the three outputs (see the file comment). */
export async function detectScene(path: string, opts: DetectSceneOptions): Promise<SceneDetection> {
  const t0 = performance.now();
  const report = opts.onProgress ?? (() => {});
  const gas = (opts.gas ?? 'CH4').toUpperCase();
  if (gas !== 'CH4') throw new PlumetraceError('PT_ERR_USAGE', `--gas ${opts.gas}: only CH4 is supported`);
  const method = opts.method ?? 'cmf';
  if (!IMAGING_METHODS.includes(method)) {
    throw new PlumetraceError('PT_ERR_USAGE', `--method must be one of ${IMAGING_METHODS.join(', ')}, not "${method}"`);
  }
  if (opts.windSpeedMps !== undefined && !(opts.windSpeedMps >= 0 && Number.isFinite(opts.windSpeedMps))) {
    throw new PlumetraceError('PT_ERR_USAGE', `--wind-speed must be a number ≥ 0 (m/s), got ${opts.windSpeedMps}`);
  }
  if (opts.windFromDeg !== undefined && !Number.isFinite(opts.windFromDeg)) {
    throw new PlumetraceError('PT_ERR_USAGE', `--wind-from-deg must be a number, got ${opts.windFromDeg}`);
  }

  const segmentLines = opts.segmentLines ?? DEFAULT_SEGMENT_LINES;

  report(0, 'reading the cube');
  const reader = await openEnvi(path);
  const { lines, samples, header, headerPath, dataPath } = reader;
  let bands: { bandIdx: number[]; centerNm: Float64Array; fwhmNm: Float64Array };
  let plan: SegmentWindow[];
  try {
    bands = selectBands(reader.wavelengthNm, reader.fwhmNm, header.badBandList, headerPath);
    plan = planSegments(lines, segmentLines);
  } catch (e) {
    await reader.close();
    throw e;
  }
  const { bandIdx, centerNm } = bands;
  const geo = georeference(header.mapInfo);
  const pixelSizeM = geo.pixelSizeM ?? opts.pixelSizeM ?? null;
  const ueff = ueffCalibrationFor(method, pixelSizeM);
  const quantifyOptions = {
    pixelSizeM: pixelSizeM ?? 1,
    calibration: ueff.calibration,
    calibrationRelSigma: ueff.relSigma,
    windSpeedMps: opts.windSpeedMps ?? 0,
    ...(opts.windFromDeg !== undefined ? { windFromDeg: opts.windFromDeg } : {}),
    kgPerM2PerPpmM: KG_PER_M2_PER_PPM_M_288K,
  };
  const toPlume = (q: PlumeQuantification, hull: [number, number][], version: string): ScenePlume => {
    const [originX, originY] = geo.toOutput(q.originLine + 0.5, q.originSample + 0.5);
    const hasRate = opts.windSpeedMps !== undefined && pixelSizeM !== null;
    return {
      gas,
      pixelCount: q.pixelCount,
      maxEnhancementPpmM: q.maxEnhancementPpmM,
      imeKg: pixelSizeM !== null ? q.imeKg : null,
      imeSigmaKg: pixelSizeM !== null ? q.imeSigmaKg : null,
      rateKgPerHour: hasRate ? q.rateKgPerHour : null,
      rateSigmaKgPerHour: hasRate ? q.rateSigmaKgPerHour : null,
      originLine: q.originLine,
      originSample: q.originSample,
      originLon: geo.coordinates === 'lon-lat' ? originX : null,
      originLat: geo.coordinates === 'lon-lat' ? originY : null,
      score: q.score,
      outline: hull.map(([l, s]) => geo.toOutput(l, s)),
      algorithmVersion: `${version}+${q.algorithmVersion}`,
    };
  };
  const name = basename(headerPath).replace(/\.hdr$/i, '');
  const base = join(opts.outDir, name);
  const mapOptions = (filterVersion: string): EnviWriteOptions =>
    productMapHeader(
      reader,
      'ch4_enhancement_ppm_m',
      `plumetrace ${method} CH4 enhancement, ppm m (${filterVersion}) from ${basename(headerPath)}`,
    );

  let run: SceneRun;
  if (plan.length === 1) {
    // The whole cube in memory, as one scene.
    let radiance: Float32Array;
    const tRead0 = performance.now();
    try {
      radiance = await reader.readWindow({ line0: 0, lines, sample0: 0, samples, bands: bandIdx });
    } finally {
      await reader.close();
    }
    const readMs = performance.now() - tRead0;

    report(0.2, 'filter and plume mask');
    const tFilter0 = performance.now();
    const table = await readMag1cLut(opts.lutPath ?? DEFAULT_CH4_LUT);
    const { targetPerPpmM } = unitAbsorptionTarget(table, bands);
    const cube = { data: radiance, lines, samples, bands: bandIdx.length };
    const detection = detectMethane(cube, targetPerPpmM, method);
    const enhancement = detection.enhancementPpmM;
    const mask = detection.mask;
    const columnSigma = detection.columnNoiseSigmaPpmM;
    const filterVersion = detection.filterVersion;
    const filterMs = performance.now() - tFilter0;
    report(0.6, 'quantifying plumes');
    const tMask0 = performance.now();
    const quantified = quantifyPlumes(mask, detection.quantificationPpmM, quantifyOptions);
    const maskMs = performance.now() - tMask0;
    const algorithmVersion = [filterVersion, mask.algorithmVersion, IMAGING_PIPELINE_VERSION].join('+');
    const plumes = quantified.map((q, i) =>
      toPlume(q, convexHullOfPixels(mask.labels, samples, mask.plumes[i]), algorithmVersion),
    );
    const finiteSigma = [...columnSigma].filter(Number.isFinite).sort((a, b) => a - b);
    run = {
      plumes,
      algorithmVersion,
      maskOptions: mask.options,
      noise: {
        filterColumnSigmaPpmMMedian: finiteSigma.length ? finiteSigma[finiteSigma.length >> 1] : null,
        maskSigmaPpmMMedian: median(mask.noiseSigmaPpmM),
        seedSigmaPpmM: Number.isFinite(detection.seedNoiseSigmaPpmM) ? detection.seedNoiseSigmaPpmM : null,
      },
      timingsMs: { read: round1(readMs), filterAndMask: round1(filterMs), quantify: round1(maskMs) },
      writeMap: () => writeEnvi(`${base}_ch4_ppmm`, mapOptions(filterVersion), Float32Array.from(enhancement)),
      abortMap: async () => {},
    };
  } else {
    run = await detectSegmented(reader, plan, bands, method, {
      lutPath: opts.lutPath ?? DEFAULT_CH4_LUT,
      mapBase: `${base}_ch4_ppmm`,
      outDir: opts.outDir,
      mapOptions,
      quantifyOptions,
      toPlume,
      report,
      segmentLines,
    });
  }
  const { plumes, algorithmVersion } = run;

  const outputs = {
    enhancementHeaderPath: `${base}_ch4_ppmm.hdr`,
    geojsonPath: `${base}_plumes.geojson`,
    summaryPath: `${base}_detect.json`,
  };
  const footprint = geo.coordinates === 'lon-lat' ? sceneFootprint(geo, lines, samples) : null;
  const summary: Record<string, unknown> = {
    input: headerPath,
    data: dataPath,
    lines,
    samples,
    gas,
    method,
    bandWindowNm: CH4_BAND_WINDOW_NM,
    bandsUsed: bandIdx.length,
    bandCentersNm: [centerNm[0], centerNm[centerNm.length - 1]],
    coordinates: geo.coordinates,
    crs: geo.crs,
    pixelSizeM,
    noise: run.noise,
    thresholds: {
      ...run.maskOptions,
      on:
        method === 'ace'
          ? 'seeds: smoothed signed-ACE z; outline: smoothed ACE ≥ growPpmM scaled to ACE units and z ≥ 1; coherence check; sums on the CMF ppm·m map'
          : method === 'cmf'
            ? 'seeds: smoothed albedo-weighted z; outline: smoothed enhancement ≥ growPpmM; coherence check'
            : 'seeds: smoothed mag1c z (per-column noise / albedo, spread ≥ 1); outline: smoothed enhancement ≥ growPpmM and z ≥ 1; coherence check',
    },
    windSpeedMps: opts.windSpeedMps ?? null,
    windFromDeg: opts.windFromDeg ?? null,
    rates:
      opts.windSpeedMps === undefined
        ? 'not computed: no --wind-speed given (rateKgPerHour null)'
        : pixelSizeM === null
          ? 'not computed: no pixel size (no metric map info, no --pixel-size)'
          : `IME · U_eff / sqrt(area), U_eff = ${ueff.calibration.aMps} + ${ueff.calibration.b} · U10 (${ueff.source})`,
    kgPerM2PerPpmM: KG_PER_M2_PER_PPM_M_288K,
    plumeCount: plumes.length,
    plumes: plumes.map(({ outline: _o, ...p }) => p),
    outputs,
    algorithmVersion,
    ...(run.segments ? { segments: run.segments } : {}),
    timingsMs: { ...run.timingsMs, total: 0 },
  };

  report(0.9, 'writing outputs');
  await writeSceneOutputs(opts.outDir, name, base, async (out) => {
    // The map: written whole here, or already streamed window by window (segmented) and closed here.
    let map: { headerPath: string; dataPath: string };
    try {
      map = await run.writeMap();
    } catch (e) {
      await run.abortMap();
      throw e;
    }
    out.track(map.headerPath, map.dataPath);
    const collection = plumeFeatureCollection(plumes, geo, name, (p) => swirPlumeProperties(p, geo));
    await writeGeojsonAndSummary(out, outputs, collection, summary, t0);
  });
  report(1, 'done');
  return {
    kind: 'swir',
    name,
    headerPath,
    dataPath,
    lines,
    samples,
    gas,
    method,
    coordinates: geo.coordinates,
    footprint,
    pixelSizeM,
    plumes,
    outputs,
    summary,
  };
}

/** What the one-window and the segmented detection hand to the common output step. */
interface SceneRun {
  plumes: ScenePlume[];
  algorithmVersion: string;
  maskOptions: ResolvedPlumeMaskOptions;
  noise: {
    filterColumnSigmaPpmMMedian: number | null;
    maskSigmaPpmMMedian: number | null;
    seedSigmaPpmM: number | null;
  };
  timingsMs: { read: number; filterAndMask: number; quantify: number };
  segments?: Record<string, unknown>;
  /** Puts the ppm·m map in place (segmented: it was streamed to temporary files already). */
  writeMap(): Promise<{ headerPath: string; dataPath: string }>;
  /** Drops a streamed map that was not put in place. */
  abortMap(): Promise<void>;
}

interface SegmentedContext {
  lutPath: string;
  mapBase: string;
  outDir: string;
  mapOptions(filterVersion: string): EnviWriteOptions;
  quantifyOptions: Parameters<typeof quantifyPlumes>[2];
  toPlume(q: PlumeQuantification, hull: [number, number][], version: string): ScenePlume;
  report: Progress;
  segmentLines: number;
}

/**
 * A flightline longer than one window: each window of `plan` is read (selected bands only), detected
 * with its own statistics, its core lines streamed to the map file, and its plumes handed to the
 * merger (src/core/spectral/segments.ts); the merged plumes are quantified at the end. Closes `reader`.
 */
async function detectSegmented(
  reader: EnviReader,
  plan: SegmentWindow[],
  bands: { bandIdx: number[]; centerNm: Float64Array; fwhmNm: Float64Array },
  method: ImagingMethod,
  ctx: SegmentedContext,
): Promise<SceneRun> {
  const { samples } = reader;
  const nb = bands.bandIdx.length;
  const merger = new SegmentPlumeMerger(plan, samples);
  let writer: EnviWriter | null = null;
  let readMs = 0;
  let filterMs = 0;
  let filterVersion = '';
  let maskVersion = '';
  let maskOptions: ResolvedPlumeMaskOptions | null = null;
  const skipped: number[] = [];
  const pendingNan: Float32Array[] = [];
  const columnSigmas: number[] = [];
  const maskSigmaMedians: number[] = [];
  const seedSigmas: number[] = [];
  try {
    const tLut = performance.now();
    const table = await readMag1cLut(ctx.lutPath);
    const { targetPerPpmM } = unitAbsorptionTarget(table, bands);
    filterMs += performance.now() - tLut;
    await mkdir(ctx.outDir, { recursive: true });
    for (let k = 0; k < plan.length; k++) {
      const w = plan[k];
      ctx.report((0.9 * k) / plan.length, `segment ${k + 1} of ${plan.length}`);
      const tRead0 = performance.now();
      const data = await reader.readWindow({
        line0: w.line0,
        lines: w.lines,
        sample0: 0,
        samples,
        bands: bands.bandIdx,
      });
      readMs += performance.now() - tRead0;
      const tFilter0 = performance.now();
      let detection: MethaneDetection;
      try {
        detection = detectMethane({ data, lines: w.lines, samples, bands: nb }, targetPerPpmM, method);
      } catch (e) {
        // A stretch of the flightline without enough data (a turn, a gap): no-data map lines, no plumes.
        if (!(e instanceof PlumetraceError && e.code === 'PT_ERR_TOO_FEW_SAMPLES')) throw e;
        skipped.push(k);
        merger.skip(k);
        const nan = new Float32Array((w.coreLine1 - w.coreLine0) * samples).fill(Number.NaN);
        if (writer) await writer.writeLines(nan);
        else pendingNan.push(nan);
        filterMs += performance.now() - tFilter0;
        continue;
      }
      filterVersion = detection.filterVersion;
      maskVersion = detection.mask.algorithmVersion;
      maskOptions = detection.mask.options;
      merger.add(k, detection.mask, detection.quantificationPpmM);
      for (const v of detection.columnNoiseSigmaPpmM) if (Number.isFinite(v)) columnSigmas.push(v);
      const r0 = (w.coreLine0 - w.line0) * samples;
      const r1 = (w.coreLine1 - w.line0) * samples;
      const m = median(detection.mask.noiseSigmaPpmM.subarray(r0, r1));
      if (m !== null) maskSigmaMedians.push(m);
      if (Number.isFinite(detection.seedNoiseSigmaPpmM)) seedSigmas.push(detection.seedNoiseSigmaPpmM);
      filterMs += performance.now() - tFilter0;
      const tWrite0 = performance.now();
      if (!writer) {
        writer = await createEnviWriter(ctx.mapBase, ctx.mapOptions(filterVersion));
        for (const nan of pendingNan.splice(0)) await writer.writeLines(nan);
      }
      await writer.writeLines(Float32Array.from(detection.enhancementPpmM.subarray(r0, r1)));
      readMs += performance.now() - tWrite0;
    }
    if (!writer) {
      throw new PlumetraceError(
        'PT_ERR_TOO_FEW_SAMPLES',
        `no window of ${ctx.segmentLines} lines has enough data pixels for background statistics`,
        { file: reader.headerPath },
      );
    }
  } catch (e) {
    await writer?.abort();
    throw e;
  } finally {
    await reader.close();
  }
  const tMask0 = performance.now();
  const algorithmVersion = [
    filterVersion,
    maskVersion,
    IMAGING_PIPELINE_VERSION,
    `${SEGMENTED_VERSION}(${ctx.segmentLines}/${SEGMENT_HALO_LINES})`,
  ].join('+');
  const merged = merger.finish();
  const plumes = merged.map((pl) => {
    const sub = mergedPlumeMask(pl, samples, maskVersion, maskOptions as ResolvedPlumeMaskOptions);
    const [q] = quantifyPlumes(sub.mask, sub.valuePpmM, ctx.quantifyOptions);
    const hull = convexHullOfPixels(sub.mask.labels, sub.mask.samples, sub.mask.plumes[0]);
    return ctx.toPlume(
      { ...q, originLine: q.originLine + sub.line0, originSample: q.originSample + sub.sample0 },
      hull.map(([l, s]) => [l + sub.line0, s + sub.sample0]),
      algorithmVersion,
    );
  });
  const maskMs = performance.now() - tMask0;
  const mid = (a: number[]): number | null => (a.length ? a.sort((x, y) => x - y)[a.length >> 1] : null);
  const w = writer as EnviWriter | null;
  return {
    plumes,
    algorithmVersion,
    maskOptions: maskOptions as ResolvedPlumeMaskOptions,
    noise: {
      filterColumnSigmaPpmMMedian: mid(columnSigmas),
      maskSigmaPpmMMedian: mid(maskSigmaMedians),
      seedSigmaPpmM: mid(seedSigmas),
    },
    timingsMs: { read: round1(readMs), filterAndMask: round1(filterMs), quantify: round1(maskMs) },
    segments: {
      segmentLines: ctx.segmentLines,
      overlapLines: SEGMENT_HALO_LINES,
      windows: plan.map((s) => [s.line0, s.line0 + s.lines]),
      cores: plan.map((s) => [s.coreLine0, s.coreLine1]),
      statistics: 'per window (column statistics of its own lines)',
      skippedWindows: skipped,
      skipped: 'windows with too few data pixels for statistics: their core lines are no data (NaN), no plumes',
      merge:
        'plumes labelled by both windows on a shared overlap pixel are one plume; each pixel counted once, from its core',
      noise: "medians over windows (mask σ: median of the windows' core medians)",
    },
    writeMap: async () => {
      if (!w) throw new PlumetraceError('PT_ERR_INTERNAL', 'no segment was written');
      return w.close();
    },
    abortMap: async () => {
      await w?.abort();
    },
  };
}

export interface StoreSceneOptions {
  campaign?: string;
  platform?: Platform;
  flightName?: string;
  /** Acquisition time (ISO-8601); default the data file's modification time. */
  acquisitionTime?: string;
}

export interface StoreSceneOutcome {
  stored: boolean;
  acquisitionId: string;
  flightId: string;
  /** Detections recorded now (0 when this scene was already processed by this version). */
  detectionsRecorded: number;
  sites: Site[];
}

/**
 * Stores a detected scene: its acquisition (one flight per scene; content hash of .hdr + data bytes,
 * so the same files store nothing twice) and each lon/lat plume as a detection joined to a site.
 */
export async function storeSceneDetections(
  store: Store,
  det: SceneDetection,
  opts: StoreSceneOptions = {},
): Promise<StoreSceneOutcome> {
  const sha256 = await sceneSha256(det.headerPath, det.dataPath);
  const time = opts.acquisitionTime ?? (await stat(det.dataPath)).mtime.toISOString();
  const campaign = await ensureCampaign(store, opts.campaign);
  const r = await store.storeImagingAcquisition({
    flight: {
      campaignId: campaign.id,
      name: opts.flightName ?? det.name,
      platform: opts.platform ?? 'aircraft',
      sensorKind: det.kind === 'lwir' ? 'lwir-imaging' : 'swir-imaging',
      startTime: time,
      endTime: time,
      // The flown track is not in an orthorectified cube.
      track: null,
    },
    acquisition: {
      kind: 'imaging-scene',
      sourceUri: det.headerPath,
      contentSha256: sha256,
      // An LWIR scene looks for many gases at once: its plumes carry theirs.
      gas: det.kind === 'lwir' ? null : det.gas,
      sampleCount: det.lines * det.samples,
      startTime: time,
      endTime: time,
      footprint: det.footprint,
      metadata: {
        lines: det.lines,
        samples: det.samples,
        pixelSizeM: det.pixelSizeM,
        method: det.method,
        coordinates: det.coordinates,
        // Where the products lie: for the STAC Items (pipeline/stac.ts) and the plume images of a
        // referral package (pipeline/referral-package.ts).
        geojsonPath: det.outputs.geojsonPath,
        ...(det.kind === 'lwir'
          ? {
              kind: 'lwir',
              candidateGases: det.gas,
              // One column map (ppm·m) per reported gas, by gas name, and each gas's CAS number.
              columnHeaderPaths: det.outputs.columnHeaderPaths ?? {},
              casByGas: casByGas(det),
            }
          : {
              bandWindowNm: CH4_BAND_WINDOW_NM,
              enhancementHeaderPath: det.outputs.enhancementHeaderPath,
            }),
      },
    },
  });
  const located = det.plumes.filter((p) => p.originLat !== null && p.originLon !== null);
  const prior = await store.listDetections({ acquisitionId: r.acquisitionId });
  const version = located[0]?.algorithmVersion;
  if (located.length === 0 || prior.some((d) => d.algorithmVersion === version)) {
    const siteIds = new Set(prior.map((d) => d.siteId).filter((s): s is string => s !== null));
    const sites = (await Promise.all([...siteIds].map((id) => store.getSite(id)))).filter((s): s is Site => s !== null);
    return { stored: r.stored, acquisitionId: r.acquisitionId, flightId: r.flightId, detectionsRecorded: 0, sites };
  }
  // Every site that holds one of the plumes' gases; associateDetection joins a plume only to a site
  // of its own gas (for LWIR, the plume's best gas), so different gases never merge.
  const plumeGases = [...new Set(located.map((p) => p.gas))];
  const existing = [
    ...new Map(
      (await Promise.all(plumeGases.map((gas) => store.listSites({ gas })))).flat().map((s) => [s.id, s]),
    ).values(),
  ];
  const items = located.map((p, k) => {
    const lat = p.originLat as number;
    const lon = p.originLon as number;
    const match = associateDetection({ lat, lon, gas: p.gas, locationSigmaM: det.pixelSizeM ?? 0 }, existing);
    return {
      detection: {
        gas: p.gas,
        geometry: { type: 'Polygon' as const, coordinates: [p.outline] },
        lat,
        lon,
        enhancement: p.maxEnhancementPpmM,
        enhancementUnit: 'ppm·m' as const,
        rateKgPerHour: p.rateKgPerHour,
        rateSigmaKgPerHour: p.rateSigmaKgPerHour,
        method: det.method,
        algorithmVersion: p.algorithmVersion,
        properties: {
          imeKg: p.imeKg,
          imeSigmaKg: p.imeSigmaKg,
          pixelCount: p.pixelCount,
          originLine: p.originLine,
          originSample: p.originSample,
          score: p.score,
          windSpeedMps: det.summary.windSpeedMps ?? null,
          windFromDeg: det.summary.windFromDeg ?? null,
          scene: det.name,
          ...(p.gases ? { gases: p.gases } : {}),
          ...(p.profiles ? { profiles: p.profiles } : {}),
        },
      },
      site: match
        ? { id: match.siteId }
        : {
            new: {
              campaignId: campaign.id,
              name: `${p.gas} source ${lat.toFixed(4)}, ${lon.toFixed(4)}${k > 0 ? ` #${k + 1}` : ''}`,
              lat,
              lon,
            },
          },
    };
  });
  const { sites } = await store.recordDetections(r.acquisitionId, items);
  return {
    stored: r.stored,
    acquisitionId: r.acquisitionId,
    flightId: r.flightId,
    detectionsRecorded: items.length,
    sites,
  };
}

/** A column map (ppm·m) a stored scene's detect run wrote. */
export interface SceneColumnMap {
  gas: string;
  /** CAS number (thermal gases; null for the SWIR CH4 map). */
  cas: string | null;
  headerPath: string;
}

/** The products of a stored imaging scene, as storeSceneDetections recorded them in its metadata. */
export interface SceneProducts {
  kind: 'swir' | 'lwir';
  /** The method (SWIR: cmf | ace | mag1c; thermal: the detector's name), when recorded. */
  method: string | null;
  /** SWIR: the CH4 map; thermal: one per reported gas. */
  columnMaps: SceneColumnMap[];
  /** The plume outlines (GeoJSON), when recorded. */
  geojsonPath: string | null;
}

/** Reads back what storeSceneDetections recorded of a scene's products (anything missing: left out). */
export function sceneProducts(a: { gas: string | null; metadata: Record<string, unknown> }): SceneProducts {
  const m = a.metadata;
  const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
  const method = str(m.method);
  const geojsonPath = str(m.geojsonPath);
  if (m.kind === 'lwir') {
    const paths = (typeof m.columnHeaderPaths === 'object' && m.columnHeaderPaths) || {};
    const cas = (typeof m.casByGas === 'object' && m.casByGas) || {};
    const columnMaps: SceneColumnMap[] = [];
    for (const [gas, headerPath] of Object.entries(paths)) {
      const path = str(headerPath);
      if (path) columnMaps.push({ gas, cas: str((cas as Record<string, unknown>)[gas]), headerPath: path });
    }
    return { kind: 'lwir', method, columnMaps, geojsonPath };
  }
  const ch4 = str(m.enhancementHeaderPath);
  return {
    kind: 'swir',
    method,
    columnMaps: ch4 ? [{ gas: a.gas ?? 'CH4', cas: null, headerPath: ch4 }] : [],
    geojsonPath,
  };
}

/** The CAS number of each gas a thermal scene's plumes report ('' when the library gives none). */
function casByGas(det: SceneDetection): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of det.plumes) for (const g of p.gases ?? []) out[g.name] ??= g.cas;
  return out;
}

/**
 * The U_eff calibration for a method and pixel size: the CMF's own fit at AVIRIS-NG-like pixels
 * (2.5–10 m; SMOOTHED_MASK_5M_UEFF_CALIBRATION, fitted at 5 m), else Varon et al.'s
 * U_eff = 0.43 + 0.36 · U10 for ~30 m pixels (DEFAULT_UEFF_CALIBRATION) with no stated scatter.
 */
export function ueffCalibrationFor(
  method: ImagingMethod,
  pixelSizeM: number | null,
): { calibration: UeffCalibration; relSigma: number; source: string } {
  if (method === 'cmf' && pixelSizeM !== null && pixelSizeM >= 2.5 && pixelSizeM <= 10) {
    const c = SMOOTHED_MASK_5M_UEFF_CALIBRATION;
    return {
      calibration: { aMps: c.aMps, b: c.b },
      relSigma: c.relSigma,
      source: 'plumetrace fit for its CMF mask at 5 m pixels, Varon et al. 2018 method',
    };
  }
  return { calibration: DEFAULT_UEFF_CALIBRATION, relSigma: 0, source: 'Varon et al. 2018 style, ~30 m pixels' };
}

/** SHA-256 over the header's bytes, then the data file's. */
export async function sceneSha256(headerPath: string, dataPath: string): Promise<string> {
  const h = createHash('sha256');
  h.update(await readFile(headerPath));
  for await (const chunk of createReadStream(dataPath)) h.update(chunk as Buffer);
  return h.digest('hex');
}

// ---- helpers -----------------------------------------------------------------------------

function selectBands(
  wavelengthNm: Float64Array | undefined,
  fwhm: Float64Array | undefined,
  bbl: Uint8Array | undefined,
  file: string,
): { bandIdx: number[]; centerNm: Float64Array; fwhmNm: Float64Array } {
  if (!wavelengthNm) {
    throw new PlumetraceError('PT_ERR_SPECTRAL_INPUT', 'the header gives no band wavelengths (wavelength = {…})', {
      file,
    });
  }
  const [lo, hi] = CH4_BAND_WINDOW_NM;
  const bandIdx: number[] = [];
  for (let b = 0; b < wavelengthNm.length; b++) {
    const c = wavelengthNm[b];
    if (c >= lo && c <= hi && (bbl === undefined || bbl[b] !== 0)) bandIdx.push(b);
  }
  if (bandIdx.length < MIN_BANDS) {
    throw new PlumetraceError(
      'PT_ERR_SPECTRAL_INPUT',
      `${bandIdx.length} good bands lie in ${lo}–${hi} nm; methane detection needs at least ${MIN_BANDS}`,
      { file },
    );
  }
  const centerNm = Float64Array.from(bandIdx, (b) => wavelengthNm[b]);
  const fwhmNm = Float64Array.from(bandIdx, (b) => {
    const f = fwhm?.[b];
    if (f !== undefined && f > 0) return f;
    const prev = wavelengthNm[Math.max(0, b - 1)];
    const next = wavelengthNm[Math.min(wavelengthNm.length - 1, b + 1)];
    return Math.abs(next - prev) / (b > 0 && b < wavelengthNm.length - 1 ? 2 : 1);
  });
  return { bandIdx, centerNm, fwhmNm };
}

export interface Georeference {
  coordinates: SceneCoordinates;
  crs: string;
  pixelSizeM: number | null;
  /** Output coordinates of a continuous 0-based pixel position (line, sample). */
  toOutput(line: number, sample: number): [number, number];
}

export function georeference(m: EnviMapInfo | undefined): Georeference {
  if (!m) {
    return {
      coordinates: 'pixel',
      crs: 'pixel (x = sample, y = line, corner convention)',
      pixelSizeM: null,
      toOutput: (l, s) => [s, l],
    };
  }
  const projection = m.projection.trim().toLowerCase();
  const metric = m.pixelSizeX === m.pixelSizeY && (m.units === undefined || /^met/i.test(m.units));
  if (projection === 'utm' && m.zone !== undefined && m.hemisphere !== undefined) {
    const { zone, hemisphere } = m;
    const datum = m.datum ?? 'WGS-84';
    return {
      coordinates: 'lon-lat',
      crs: `EPSG:4326 (from UTM zone ${zone} ${hemisphere}, ${datum})`,
      pixelSizeM: metric ? m.pixelSizeX : null,
      toOutput: (l, s) => {
        const [e, n] = pixelToMap(m, l, s);
        return utmToLonLat(zone, hemisphere, e, n);
      },
    };
  }
  if (projection.startsWith('geographic')) {
    return { coordinates: 'lon-lat', crs: 'EPSG:4326', pixelSizeM: null, toOutput: (l, s) => pixelToMap(m, l, s) };
  }
  return {
    coordinates: 'map',
    crs: `map coordinates of the header's projection "${m.projection}"`,
    pixelSizeM: metric ? m.pixelSizeX : null,
    toOutput: (l, s) => pixelToMap(m, l, s),
  };
}

export function sceneFootprint(geo: Georeference, lines: number, samples: number): Polygon {
  const ring = [
    geo.toOutput(0, 0),
    geo.toOutput(lines, 0),
    geo.toOutput(lines, samples),
    geo.toOutput(0, samples),
    geo.toOutput(0, 0),
  ];
  return { type: 'Polygon', coordinates: [ring] };
}

/**
 * Convex hull (Andrew's monotone chain) of the corners of a plume's pixels, as (line, sample)
 * corner positions, closed (first = last). In (x = sample, y = −line) it runs counter-clockwise, so
 * on a north-up map the GeoJSON ring is counter-clockwise (RFC 7946 exterior ring).
 */
export function convexHullOfPixels(
  labels: Int32Array,
  samples: number,
  region: { label: number; lineMin: number; lineMax: number; sampleMin: number; sampleMax: number },
): [number, number][] {
  // Per line, only the leftmost and rightmost pixel can contribute hull corners.
  const pts: [number, number][] = []; // [x = sample, y = −line]
  for (let l = region.lineMin; l <= region.lineMax; l++) {
    let first = -1;
    let last = -1;
    for (let s = region.sampleMin; s <= region.sampleMax; s++) {
      if (labels[l * samples + s] !== region.label) continue;
      if (first < 0) first = s;
      last = s;
    }
    if (first < 0) continue;
    pts.push([first, -l], [first, -(l + 1)], [last + 1, -l], [last + 1, -(l + 1)]);
  }
  pts.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const cross = (o: [number, number], a: [number, number], b: [number, number]) =>
    (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);
  const lower: [number, number][] = [];
  for (const p of pts) {
    while (lower.length >= 2 && cross(lower[lower.length - 2], lower[lower.length - 1], p) <= 0) lower.pop();
    lower.push(p);
  }
  const upper: [number, number][] = [];
  for (let i = pts.length - 1; i >= 0; i--) {
    const p = pts[i];
    while (upper.length >= 2 && cross(upper[upper.length - 2], upper[upper.length - 1], p) <= 0) upper.pop();
    upper.push(p);
  }
  const hull = lower.slice(0, -1).concat(upper.slice(0, -1));
  hull.push(hull[0]);
  return hull.map(([x, y]) => [-y, x]);
}

/**
 * A scene's plumes as a GeoJSON FeatureCollection (outline polygons); `properties` gives each
 * plume's properties (the SWIR and thermal paths report different ones).
 */
export function plumeFeatureCollection(
  plumes: ScenePlume[],
  geo: Georeference,
  name: string,
  properties: (p: ScenePlume) => Record<string, unknown>,
): Record<string, unknown> {
  return {
    type: 'FeatureCollection',
    properties: { scene: name, coordinates: geo.coordinates, crs: geo.crs, polygon: 'convex hull of pixel corners' },
    features: plumes.map((p) => ({
      type: 'Feature',
      geometry: { type: 'Polygon', coordinates: [p.outline] },
      properties: properties(p),
    })),
  };
}

/** A SWIR plume's GeoJSON properties. */
function swirPlumeProperties(p: ScenePlume, geo: Georeference): Record<string, unknown> {
  return {
    gas: p.gas,
    maxEnhancementPpmM: p.maxEnhancementPpmM,
    imeKg: p.imeKg,
    rateKgPerHour: p.rateKgPerHour,
    rateSigmaKgPerHour: p.rateSigmaKgPerHour,
    originLine: p.originLine,
    originSample: p.originSample,
    ...(geo.coordinates === 'lon-lat' ? { originLon: p.originLon, originLat: p.originLat } : {}),
    pixelCount: p.pixelCount,
    score: p.score,
    algorithmVersion: p.algorithmVersion,
  };
}

/**
 * The last files of a scene's outputs: the plumes' GeoJSON, then the summary with its total time
 * stamped now (t0: the start of the detection, performance.now()).
 */
export async function writeGeojsonAndSummary(
  out: SceneOutputWriter,
  paths: { geojsonPath: string; summaryPath: string },
  collection: Record<string, unknown>,
  summary: Record<string, unknown>,
  t0: number,
): Promise<void> {
  await out.text(paths.geojsonPath, `${JSON.stringify(collection, null, 2)}\n`);
  (summary.timingsMs as { total: number }).total = round1(performance.now() - t0);
  await out.text(paths.summaryPath, `${JSON.stringify(summary, null, 2)}\n`);
}

/** What a scene's output step may write (see writeSceneOutputs). */
/** Header of a one-band float32 product map on the grid of the scene `src` (its size and map info). */
export function productMapHeader(
  src: {
    lines: number;
    samples: number;
    header: { mapInfo?: EnviWriteOptions['mapInfo']; coordinateSystemString?: string };
  },
  bandName: string,
  description: string,
): EnviWriteOptions {
  const { header } = src;
  return {
    samples: src.samples,
    lines: src.lines,
    bands: 1,
    dataType: 'float32',
    interleave: 'bsq',
    ...(header.mapInfo ? { mapInfo: header.mapInfo } : {}),
    ...(header.coordinateSystemString ? { coordinateSystemString: header.coordinateSystemString } : {}),
    bandNames: [bandName],
    description,
  };
}

export interface SceneOutputWriter {
  /** An ENVI raster (`<basePath>.hdr` and `.img`). */
  envi(basePath: string, header: Parameters<typeof writeEnvi>[1], data: Float32Array): Promise<void>;
  /** A text file, written to a temporary name and renamed. */
  text(path: string, text: string): Promise<void>;
  /** Files written by other means (e.g. a streamed raster), removed like the others on failure. */
  track(...paths: string[]): void;
}

/**
 * Writes a scene's outputs all or nothing: `write` writes them through `out`, which remembers each
 * file; when any write fails, the files already written are removed again and the failure is
 * PT_ERR_RASTER_WRITE naming the scene (a PlumetraceError from a write passes through as it is).
 * Used by the SWIR (detectScene) and the thermal (lwir-imaging.ts) paths alike.
 */
export async function writeSceneOutputs(
  outDir: string,
  name: string,
  base: string,
  write: (out: SceneOutputWriter) => Promise<void>,
): Promise<void> {
  const written: string[] = [];
  const out: SceneOutputWriter = {
    envi: async (basePath, header, data) => {
      const w = await writeEnvi(basePath, header, data);
      written.push(w.headerPath, w.dataPath);
    },
    text: async (path, text) => {
      await writeAtomic(path, text);
      written.push(path);
    },
    track: (...paths) => {
      written.push(...paths);
    },
  };
  try {
    await mkdir(outDir, { recursive: true });
    await write(out);
  } catch (e) {
    await Promise.all(written.map((f) => rm(f, { force: true })));
    if (e instanceof PlumetraceError) throw e;
    throw new PlumetraceError('PT_ERR_RASTER_WRITE', `writing the outputs of ${name} failed: ${(e as Error).message}`, {
      file: base,
    });
  }
}

export async function writeAtomic(path: string, text: string): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}`;
  try {
    await writeFile(tmp, text);
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true });
    throw new PlumetraceError('PT_ERR_RASTER_WRITE', `writing ${path} failed: ${(e as Error).message}`, { file: path });
  }
}

/** Median of the finite values (the upper one of an even count), or null when there are none. */
export function median(a: Float64Array | readonly number[]): number | null {
  const v = [...a].filter(Number.isFinite).sort((x, y) => x - y);
  return v.length ? v[v.length >> 1] : null;
}

export const round1 = (x: number): number => Math.round(x * 10) / 10;
