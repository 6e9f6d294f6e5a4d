/**
 * Thermal (LWIR, 7–14 µm) scenes: find, name and measure gas plumes in a radiance cube
 * (`detectLwirScene`: ENVI in, a column map per reported gas, plume outlines and a summary out).
 * `plumetrace detect` sends a cube here when its header's wavelengths are thermal
 * (`isThermalCube`); the plumes are then stored by storeSceneDetections (imaging.ts) as the SWIR
 * ones are.
 *
 * Steps:
 *  1. Open the cube (src/io/envi: header, sizes, truncation checked there). Bands: every band centred
 *     in 7–14 µm (`LWIR_WINDOW_NM`) that `bbl` does not mark bad, in any `wavelength units`
 *     (Micrometers, Nanometers, Wavenumber); FWHM from the header, else the neighbours' spacing.
 *     Channels go to cm⁻¹ (ν = 1e7/λ_nm, FWHM_ν = 1e7·FWHM_λ/λ²; a Wavenumber header is used as is).
 *  2. Radiance units: `--radiance-units`, else the header's `data units`, else µW/(cm² sr cm⁻¹);
 *     converted per band (src/core/spectral/radiance-units.ts).
 *  3. Candidate gases: the quantitative spectra of the gas library (data/gas/nist_ir_jcamp plus any
 *     user folders, whose files win over shipped ones of the same file stem) — all of them for
 *     `auto`, else the names asked for — each convolved onto the channels; gases whose largest
 *     channel absorbance is under 0.1% of their spectrum's peak are left out (named ones: an error).
 *  4. detectLwirGases (src/core/spectral/lwir-detect.ts): clutter matched filter and ACE per gas,
 *     hysteresis masks, identification per plume among single gases and pairs. The atmosphere is not
 *     known here (τ = 1, L↑ = 0) and the gas temperature is the background's plus LWIR_CONTRAST_K.
 *  5. Per plume: `gases` best first, maxColumnPpmM = the largest |column| of the best gas's map over
 *     the plume, origin at that pixel, score = the largest |z|, signature profiles when given.
 *  6. Outputs (written only when everything before succeeded; removed again if a later write fails):
 *     `<name>_<gas>_ppmm.hdr/.img` for each gas some plume reports (ENVI float32, the gas's matched
 *     filter column, ppm·m, the input's map info), `<name>_plumes.geojson`, `<name>_detect.json`.
 */
import { basename, join } from 'node:path';
import { PlumetraceError } from '../core/errors.ts';
import type { GasSpectrum } from '../core/spectral/gas-library.ts';
import { findGas } from '../core/spectral/gas-library.ts';
import { toGasAbsorbance } from '../core/spectral/lwir-channels.ts';
import { channelAbsorbance, detectLwirGases, type LwirDetectGas } from '../core/spectral/lwir-detect.ts';
import {
  convertRadianceBip,
  LWIR_RADIANCE_UNIT_LABEL,
  parseRadianceUnits,
  type RadianceUnit,
} from '../core/spectral/radiance-units.ts';
import { type SignatureProfile, scorePlumeProfiles } from '../core/spectral/signature-profiles.ts';
import { DEFAULT_GAS_LIBRARY_DIR, loadGasLibrary } from '../io/gas-library.ts';
import { openEnvi } from '../io/envi/reader.ts';
import {
  convexHullOfPixels,
  georeference,
  type SceneDetection,
  type ScenePlume,
  median,
  plumeFeatureCollection,
  productMapHeader,
  round1,
  sceneFootprint,
  writeGeojsonAndSummary,
  writeSceneOutputs,
} from './imaging.ts';
import type { Progress } from './insitu.ts';

/** Band centres that count as thermal infrared, nm. */
export const LWIR_WINDOW_NM: readonly [number, number] = [7000, 14000];
/** Version of this composition (band selection, units, candidates, outputs). */
export const LWIR_PIPELINE_VERSION = 'plumetrace-detect-lwir/1';
/** Assumed gas − background brightness temperature, K (the sign is not known; see lwir-detect.ts). */
export const LWIR_CONTRAST_K = 5;
/** Mask thresholds handed to the detector: hysteresis on |z| (seeds, growth) and the smallest plume. */
export const LWIR_MASK = Object.freeze({ seedZ: 6, growZ: 3, minPixels: 6 });
/**
 * A gas overlaps the cube when its largest absorbance on the channels is at least this share of the
 * peak of its own spectrum (every shipped quantitative gas has ≥ 2% on the HyTES channels; SF6 on
 * 13.2–14 µm channels has 2e-5).
 */
const MIN_OVERLAP = 1e-3;
/** Fewest thermal bands for a usable covariance. */
const MIN_BANDS = 10;

/** True when at least half the band centres lie in 7–14 µm. */
export function isThermalCube(wavelengthNm: ArrayLike<number> | undefined): boolean {
  if (!wavelengthNm || wavelengthNm.length === 0) return false;
  let n = 0;
  for (let k = 0; k < wavelengthNm.length; k++) {
    if (wavelengthNm[k] >= LWIR_WINDOW_NM[0] && wavelengthNm[k] <= LWIR_WINDOW_NM[1]) n++;
  }
  return n * 2 >= wavelengthNm.length;
}

/** Reads only the header of a cube and says whether it is thermal. */
export async function cubeIsThermal(path: string): Promise<boolean> {
  const reader = await openEnvi(path);
  try {
    return isThermalCube(reader.wavelengthNm);
  } finally {
    await reader.close();
  }
}

export interface CandidateGas {
  /** Library id (file stem): names the column map file. */
  id: string;
  name: string;
  cas: string;
  spectrum: GasSpectrum;
}

/**
 * The gas library: the shipped folder plus the user's folders (a user file replaces a shipped one
 * with the same file stem). `skipped`: the band-shape-only spectra (no amount scale).
 */
export async function loadLwirGasLibrary(userDirs: readonly string[] = []): Promise<{
  gases: GasSpectrum[];
  dirs: string[];
}> {
  const dirs = [DEFAULT_GAS_LIBRARY_DIR, ...userDirs];
  const byId = new Map<string, GasSpectrum>();
  for (const dir of dirs) for (const g of (await loadGasLibrary(dir)).gases) byId.set(g.id, g);
  return { gases: [...byId.values()], dirs };
}

/**
 * The candidate gases for `--gas`: `auto` (or empty) = every quantitative gas of the library, else
 * a comma-separated list of names, file stems or CAS numbers (case-insensitive).
 */
export function selectCandidateGases(
  library: readonly GasSpectrum[],
  gasOption: string | undefined,
): { candidates: CandidateGas[]; skipped: string[] } {
  const quantitative = library.filter((g) => g.quantitative);
  const skipped = library.filter((g) => !g.quantitative).map((g) => g.name);
  const toCandidate = (g: GasSpectrum): CandidateGas => ({ id: g.id, name: g.name, cas: g.cas ?? '', spectrum: g });
  const spec = (gasOption ?? 'auto').trim();
  if (spec === '' || spec.toLowerCase() === 'auto') return { candidates: quantitative.map(toCandidate), skipped };
  const names = spec
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  const out: CandidateGas[] = [];
  for (const n of names) {
    const g = findGas({ gases: library }, n);
    if (!g) {
      const known = quantitative.map((q) => `${q.name} (${q.id}${q.cas ? `, ${q.cas}` : ''})`).join('; ');
      throw new PlumetraceError(
        'PT_ERR_GAS_UNKNOWN',
        `"${n}" is not in the gas library; --gas takes auto or names, file stems or CAS numbers of: ${known}`,
        { column: '--gas' },
      );
    }
    if (!g.quantitative) {
      throw new PlumetraceError(
        'PT_ERR_GAS_NOT_QUANTITATIVE',
        `"${n}" (${g.sourceFile}) is in the library only as a band shape (${g.kind}); no column can be measured with it`,
        { column: '--gas' },
      );
    }
    if (!out.some((c) => c.id === g.id)) out.push(toCandidate(g));
  }
  return { candidates: out, skipped: [] };
}

export interface DetectLwirSceneOptions {
  outDir: string;
  /** `auto` (default) or NAME[,NAME]. */
  gas?: string;
  /** Radiance units of the cube (overrides the header's `data units`). */
  radianceUnits?: string;
  /** Extra gas-library folders. */
  gasLibraryDirs?: readonly string[];
  /** Signature profiles to score each plume against. */
  profiles?: readonly SignatureProfile[];
  onProgress?: Progress;
}

interface Channels {
  bandIdx: number[];
  centerNm: Float64Array;
  centerCm1: Float64Array;
  fwhmCm1: Float64Array;
}

function selectThermalBands(
  header: { wavelength?: Float64Array; fwhm?: Float64Array; wavelengthUnits?: string; badBandList?: Uint8Array },
  wavelengthNm: Float64Array | undefined,
  fwhmNm: Float64Array | undefined,
  file: string,
): Channels {
  if (!wavelengthNm) {
    throw new PlumetraceError(
      'PT_ERR_LWIR_WAVELENGTHS',
      'the header gives no band wavelengths (wavelength = {…} with wavelength units)',
      { file },
    );
  }
  const [lo, hi] = LWIR_WINDOW_NM;
  const bbl = header.badBandList;
  const bandIdx: number[] = [];
  for (let b = 0; b < wavelengthNm.length; b++) {
    const c = wavelengthNm[b];
    if (c >= lo && c <= hi && (bbl === undefined || bbl[b] !== 0)) bandIdx.push(b);
  }
  if (bandIdx.length < MIN_BANDS) {
    let min = Number.POSITIVE_INFINITY;
    let max = Number.NEGATIVE_INFINITY;
    for (const w of wavelengthNm) {
      min = Math.min(min, w);
      max = Math.max(max, w);
    }
    throw new PlumetraceError(
      'PT_ERR_LWIR_WAVELENGTHS',
      `${bandIdx.length} good bands lie in ${lo / 1000}–${hi / 1000} µm (the cube's centres span ${(min / 1000).toFixed(3)}–${(max / 1000).toFixed(3)} µm); thermal gas detection needs at least ${MIN_BANDS}`,
      { file },
    );
  }
  const wn = header.wavelengthUnits === 'Wavenumber';
  const centerNm = Float64Array.from(bandIdx, (b) => wavelengthNm[b]);
  const centerCm1 = Float64Array.from(bandIdx, (b) =>
    wn && header.wavelength ? header.wavelength[b] : 1e7 / wavelengthNm[b],
  );
  const fwhmCm1 = Float64Array.from(bandIdx, (b) => {
    if (wn && header.fwhm && header.fwhm[b] > 0) return header.fwhm[b];
    const c = wavelengthNm[b];
    const f = fwhmNm?.[b];
    let fnm: number;
    if (f !== undefined && f > 0) fnm = f;
    else {
      const prev = wavelengthNm[Math.max(0, b - 1)];
      const next = wavelengthNm[Math.min(wavelengthNm.length - 1, b + 1)];
      fnm = Math.abs(next - prev) / (b > 0 && b < wavelengthNm.length - 1 ? 2 : 1);
    }
    return (1e7 * fnm) / (c * c);
  });
  return { bandIdx, centerNm, centerCm1, fwhmCm1 };
}

/** A file-name-safe form of a gas id. */
export function gasFileLabel(id: string): string {
  return id.replace(/[^A-Za-z0-9._-]+/g, '_').toLowerCase();
}

/** Detects, names and measures gas plumes in one thermal ENVI cube and writes the outputs (file comment). */
export async function detectLwirScene(path: string, opts: DetectLwirSceneOptions): Promise<SceneDetection> {
  const t0 = performance.now();
  const report = opts.onProgress ?? (() => {});
  report(0, 'reading the gas library');
  const library = await loadLwirGasLibrary(opts.gasLibraryDirs ?? []);
  const { candidates, skipped } = selectCandidateGases(library.gases, opts.gas);

  report(0.1, 'reading the cube');
  const reader = await openEnvi(path);
  const { lines, samples, header, headerPath, dataPath } = reader;
  let radiance: Float32Array;
  let ch: Channels;
  let unit: RadianceUnit;
  let unitFrom: string;
  const tRead0 = performance.now();
  try {
    ch = selectThermalBands(header, reader.wavelengthNm, reader.fwhmNm, headerPath);
    const given = opts.radianceUnits ?? header.extra['data units'];
    unitFrom =
      opts.radianceUnits !== undefined
        ? '--radiance-units'
        : given !== undefined
          ? 'header data units'
          : 'default (no data units in the header)';
    try {
      unit = parseRadianceUnits((given ?? LWIR_RADIANCE_UNIT_LABEL).replace(/^\{|\}$/g, ''));
    } catch (e) {
      if (e instanceof PlumetraceError) {
        throw new PlumetraceError('PT_ERR_RADIANCE_UNITS', `${e.detail} (from ${unitFrom})`, {
          file: headerPath,
          column: opts.radianceUnits !== undefined ? '--radiance-units' : 'data units',
        });
      }
      throw e;
    }
    radiance = await reader.readWindow({ line0: 0, lines, sample0: 0, samples, bands: ch.bandIdx });
  } finally {
    await reader.close();
  }
  const bands = ch.bandIdx.length;
  const factors = convertRadianceBip(radiance, bands, ch.centerNm, unit);
  const readMs = performance.now() - tRead0;

  report(0.25, 'gas targets');
  const channels = { centerCm1: ch.centerCm1, fwhmCm1: ch.fwhmCm1 };
  const used: { c: CandidateGas; d: LwirDetectGas }[] = [];
  const noOverlap: string[] = [];
  for (const c of candidates) {
    const a = channelAbsorbance(toGasAbsorbance(c.spectrum), channels);
    let peak = 0;
    for (const v of a) peak = Math.max(peak, Math.abs(v));
    let own = 0;
    for (const v of c.spectrum.absorbance) if (Number.isFinite(v)) own = Math.max(own, Math.abs(v));
    if (peak > 0 && peak >= MIN_OVERLAP * own) used.push({ c, d: { name: c.name, cas: c.cas, absorbancePerPpmM: a } });
    else noOverlap.push(c.name);
  }
  const span = `${(Math.min(...ch.centerNm) / 1000).toFixed(2)}–${(Math.max(...ch.centerNm) / 1000).toFixed(2)} µm`;
  if (
    used.length === 0 ||
    (opts.gas !== undefined && opts.gas.trim().toLowerCase() !== 'auto' && noOverlap.length > 0)
  ) {
    throw new PlumetraceError(
      'PT_ERR_LWIR_WAVELENGTHS',
      `${noOverlap.join(', ')} ${noOverlap.length === 1 ? 'has' : 'have'} no absorption on the cube's ${bands} channels (${span}); no overlap with the library spectra`,
      { file: headerPath },
    );
  }

  report(0.3, `matched filters and identification (${used.length} gases)`);
  const tDetect0 = performance.now();
  const res = detectLwirGases(
    {
      radiance,
      lines,
      samples,
      bands,
      centerCm1: ch.centerCm1,
      gases: used.map((u) => u.d),
    },
    { contrastK: LWIR_CONTRAST_K, ...LWIR_MASK },
  );
  const detectMs = performance.now() - tDetect0;

  report(0.8, 'plumes');
  const geo = georeference(header.mapInfo);
  const idOf = new Map(used.map((u) => [u.c.name, u.c.id]));
  const mapOf = new Map(res.gases.map((g) => [g.name, g]));
  const algorithmVersion = [res.algorithmVersion, LWIR_PIPELINE_VERSION].join('+');
  const profiles = opts.profiles ?? [];
  const plumes: ScenePlume[] = [];
  for (const p of res.plumes) {
    if (p.gases.length === 0) continue; // the best model is "no gas": not a gas plume
    const best = p.gases[0];
    const col = mapOf.get(best.name)?.columnPpmM;
    let origin = p.pixels[0];
    let maxAbs = 0;
    let lineMin = lines;
    let lineMax = -1;
    let sampleMin = samples;
    let sampleMax = -1;
    for (const px of p.pixels) {
      const v = col ? Math.abs(col[px]) : 0;
      if (v > maxAbs) {
        maxAbs = v;
        origin = px;
      }
      const l = Math.floor(px / samples);
      const s = px % samples;
      lineMin = Math.min(lineMin, l);
      lineMax = Math.max(lineMax, l);
      sampleMin = Math.min(sampleMin, s);
      sampleMax = Math.max(sampleMax, s);
    }
    const originLine = Math.floor(origin / samples);
    const originSample = origin % samples;
    const [ox, oy] = geo.toOutput(originLine + 0.5, originSample + 0.5);
    const hull = convexHullOfPixels(res.plumeLabels, samples, { label: p.id, lineMin, lineMax, sampleMin, sampleMax });
    const gases = p.gases.map((g) => ({
      name: g.name,
      cas: g.cas,
      confidence: g.confidence,
      columnPpmM: g.columnPpmM,
    }));
    plumes.push({
      gas: best.name,
      gases,
      profiles: scorePlumeProfiles(profiles, gases),
      pixelCount: p.pixelCount,
      maxEnhancementPpmM: maxAbs,
      imeKg: null,
      imeSigmaKg: null,
      rateKgPerHour: null,
      rateSigmaKgPerHour: null,
      originLine,
      originSample,
      originLon: geo.coordinates === 'lon-lat' ? ox : null,
      originLat: geo.coordinates === 'lon-lat' ? oy : null,
      score: p.maxAbsZ,
      outline: hull.map(([l, s]) => geo.toOutput(l, s)),
      algorithmVersion,
    });
  }
  plumes.sort((a, b) => b.score - a.score);

  const name = basename(headerPath).replace(/\.hdr$/i, '');
  const base = join(opts.outDir, name);
  const reportedGases = [...new Set(plumes.flatMap((p) => (p.gases ?? []).map((g) => g.name)))];
  const columnHeaderPaths: Record<string, string> = {};
  for (const g of reportedGases) columnHeaderPaths[g] = `${base}_${gasFileLabel(idOf.get(g) ?? g)}_ppmm.hdr`;
  const outputs = { columnHeaderPaths, geojsonPath: `${base}_plumes.geojson`, summaryPath: `${base}_detect.json` };
  const footprint = geo.coordinates === 'lon-lat' ? sceneFootprint(geo, lines, samples) : null;
  const summary: Record<string, unknown> = {
    input: headerPath,
    data: dataPath,
    kind: 'lwir',
    lines,
    samples,
    gasOption: opts.gas ?? 'auto',
    bandWindowNm: LWIR_WINDOW_NM,
    bandsUsed: bands,
    bandCentersNm: [ch.centerNm[0], ch.centerNm[ch.centerNm.length - 1]],
    wavelengthUnits: header.wavelengthUnits ?? null,
    radianceUnits: {
      given: unit.label,
      from: unitFrom,
      convertedTo: LWIR_RADIANCE_UNIT_LABEL,
      factorRange: [Math.min(...factors), Math.max(...factors)],
    },
    coordinates: geo.coordinates,
    crs: geo.crs,
    pixelSizeM: geo.pixelSizeM,
    gasLibrary: { dirs: library.dirs, spectra: library.gases.length, bandShapeOnlySkipped: skipped },
    candidateGases: res.gases.map((g) => ({
      name: g.name,
      id: idOf.get(g.name) ?? null,
      cas: g.cas,
      // Per-pixel noise-equivalent column from the covariance, and the robust spread of the map.
      necPpmM: g.necPpmM,
      robustSigmaPpmM: g.robustSigmaPpmM,
    })),
    noOverlapGases: noOverlap,
    noise: {
      necPpmMMedian: median(res.gases.map((g) => g.necPpmM)),
      robustSigmaPpmMMedian: median(res.gases.map((g) => g.robustSigmaPpmM)),
    },
    thresholds: {
      ...LWIR_MASK,
      on: '|z| = column / robust spread of the column over the background (hysteresis: seeds, growth)',
      contrastK: LWIR_CONTRAST_K,
      atmosphere: 'not given: τ = 1, L↑ = 0 (the at-sensor radiance stands for the surface-leaving one)',
    },
    excludedPixels: res.excludedPixels,
    plumeCount: plumes.length,
    reportedGases,
    plumes: plumes.map(
      ({ outline: _o, imeKg: _i, imeSigmaKg: _s, rateKgPerHour: _r, rateSigmaKgPerHour: _q, ...p }) => p,
    ),
    outputs,
    algorithmVersion,
    timingsMs: { read: round1(readMs), detectAndIdentify: round1(detectMs), total: 0 },
  };

  report(0.9, 'writing outputs');
  await writeSceneOutputs(opts.outDir, name, base, async (out) => {
    for (const g of reportedGases) {
      const m = mapOf.get(g);
      if (!m) continue;
      await out.envi(
        columnHeaderPaths[g].replace(/\.hdr$/, ''),
        productMapHeader(
          reader,
          `${gasFileLabel(idOf.get(g) ?? g)}_column_ppm_m`,
          `plumetrace LWIR matched-filter column of ${g}, ppm m (${res.algorithmVersion}) from ${basename(headerPath)}`,
        ),
        Float32Array.from(m.columnPpmM),
      );
    }
    const collection = plumeFeatureCollection(plumes, geo, name, (p) => ({
      gas: p.gas,
      gases: p.gases,
      maxColumnPpmM: p.maxEnhancementPpmM,
      score: p.score,
      originLine: p.originLine,
      originSample: p.originSample,
      ...(geo.coordinates === 'lon-lat' ? { originLon: p.originLon, originLat: p.originLat } : {}),
      pixelCount: p.pixelCount,
      profiles: p.profiles ?? [],
      algorithmVersion: p.algorithmVersion,
    }));
    await writeGeojsonAndSummary(out, outputs, collection, summary, t0);
  });
  report(1, 'done');
  return {
    kind: 'lwir',
    name,
    headerPath,
    dataPath,
    lines,
    samples,
    gas: opts.gas ?? 'auto',
    // The detector's name, from the version it reports ("lwir-detect-…/2" → "lwir-detect-…").
    method: detectorName(res.algorithmVersion),
    coordinates: geo.coordinates,
    footprint,
    pixelSizeM: geo.pixelSizeM,
    plumes,
    outputs,
    summary,
  };
}

/** The name part of an algorithm version "name/version" (the detector's method label). */
export function detectorName(algorithmVersion: string): string {
  const slash = algorithmVersion.lastIndexOf('/');
  return slash > 0 ? algorithmVersion.slice(0, slash) : algorithmVersion;
}
