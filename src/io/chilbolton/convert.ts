/**
 * Converts one release of the Chilbolton 2017 dataset into plumetrace's in-situ CSV (kind=path rows,
 * one per beam and UTC minute) plus its ground truth. The choices (clock, wind frame, anchor,
 * minute statistics) are explained in README.md; the numbers behind them are asserted by the tests.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PlumetraceError } from '../../core/errors.ts';
import { localFrame } from '../../core/geo/local-frame.ts';
import { chilboltonFormat } from './format.ts';
import {
  type LdsRecord,
  type ReleaseGeometry,
  type WeightLog,
  parseGeometry,
  parseLdsFile,
  parseWeightLog,
} from './parse.ts';
import {
  applyWindConvention,
  CHILBOLTON_WIND_CONVENTION,
  type WindConvention,
  WIND_CONVENTIONS,
} from './wind-frame.ts';

export type ChilboltonRelease = 'rel02';

export interface ConvertOptions {
  /** UTC offset of the loggers' clocks, hours (default 1: UK summer time, BST, in May 2017). */
  utcOffsetHours?: number;
  /** Where the local frame's (0, 0) lies (default the Chilbolton Observatory, 51.1446 N, 1.4370 W). */
  anchorLat?: number;
  anchorLon?: number;
  /** How the sonic's WindX/WindY map onto the frame (default the one the data support, 'u=-Y,v=X'). */
  windConvention?: WindConvention;
  /** Beam-minutes with fewer valid CH4 samples are dropped (default 10). */
  minSamplesPerMinute?: number;
}

export interface TruthSource {
  name: string;
  lat: number;
  lon: number;
  heightM: number;
  rateKgPerHour: number;
}

export interface ChilboltonTruth {
  /** All candidate sources of the site with their listed rates; the table does not say which one released. */
  sources: TruthSource[];
  /** Release window from the weigh scale (UTC, ISO 8601). */
  releaseWindow: { start: string; end: string };
  /** Mean release rate from the weigh scale: the mass drop over the release window. */
  scaleRateKgPerHour?: number;
}

export interface ChilboltonConversion {
  csv: string;
  truth: ChilboltonTruth;
  warnings: string[];
  /** The settings the conversion used, for the record (the script writes them beside the truth). */
  meta: {
    release: ChilboltonRelease;
    utcOffsetHours: number;
    anchor: { lat: number; lon: number; note: string };
    windConvention: WindConvention;
    averagingS: number;
    rows: number;
    rowsPerBeam: Record<number, number>;
  };
}

export const CHILBOLTON_ANCHOR = { lat: 51.1446, lon: -1.437 } as const;
export const CSV_HEADER =
  'time,lat,lon,alt_m,ppm,wind_u,wind_v,sigma_ppm,gas,kind,lat2,lon2,alt2_m,wind_dir_std_deg,averaging_s';
const AVERAGING_S = 60;
const RAD2DEG = 180 / Math.PI;

/** The files of one release, parsed. */
export interface ReleaseFiles {
  records: LdsRecord[];
  geometry: ReleaseGeometry;
  weight: WeightLog;
}

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new PlumetraceError(
      'PT_ERR_FILE_NOT_FOUND',
      code === 'ENOENT' ? 'no such file' : `cannot read the file (${code ?? 'unknown error'})`,
      { file: path },
    );
  }
}

/** Reads and parses the LDS files of every beam, the geometry table and the weigh-scale log. */
export function readChilboltonRelease(dir: string, release: ChilboltonRelease): ReleaseFiles {
  const weightName = chilboltonFormat.weightFileNames[release];
  if (!weightName) {
    throw new PlumetraceError('PT_ERR_USAGE', `unknown release "${String(release)}"; this converter knows rel02`);
  }
  const records = chilboltonFormat.beams.map((beam) => {
    const file = join(dir, chilboltonFormat.ldsFileName(release, beam));
    const rec = parseLdsFile(readText(file), file);
    if (rec.beam !== beam) {
      throw new PlumetraceError(
        'PT_ERR_RELEASE_DATA_FORMAT',
        `the header names beam ${rec.beam}, the file name ${beam}`,
        {
          file,
          line: 8,
        },
      );
    }
    return rec;
  });
  const gFile = join(dir, chilboltonFormat.geometryFileName);
  const geometry = parseGeometry(readText(gFile), gFile);
  const wFile = join(dir, chilboltonFormat.weightDir, weightName);
  const weight = parseWeightLog(readText(wFile), wFile);
  for (const beam of chilboltonFormat.beams) {
    if (!geometry.reflectors[beam]) {
      throw new PlumetraceError('PT_ERR_RELEASE_DATA_FORMAT', `no row for reflector_${beam}`, { file: gFile, line: 1 });
    }
  }
  return { records, geometry, weight };
}

export interface ScaleRelease {
  /** UTC ms. */
  startMs: number;
  endMs: number;
  massDropKg: number;
  rateKgPerHour: number;
  /** Mass step of the log (its resolution), kg. */
  resolutionKg: number;
  /** Times (UTC ms) at which the reading stepped down: midpoints of the readings either side. */
  stepTimesMs: number[];
}

/**
 * The release window and mean rate from a weigh-scale log that holds one release.
 *
 * The scale reads in fixed steps (0.05 kg), so a plateau-to-plateau drop over the first and last
 * change says little about when the flow started and stopped: the flow may run up to one step's
 * worth of gas before the first change shows and after the last one. For a steady flow the step
 * times are regular, so the rate is the gas between the first and last step over the time between
 * them, (K − 1)·Δm / (τ_K − τ_1), and the window is the total drop at that rate, centred on the
 * steps (the slack of one step is shared equally before and after).
 * Undefined when the mass does not step down at least twice (no rate can be read then).
 */
export function scaleRelease(log: WeightLog, utcOffsetHours: number): ScaleRelease | undefined {
  const m = log.massKg;
  const off = utcOffsetHours * 3_600_000;
  const n = m.length;
  const eps = 1e-9;
  const drop = m[0] - m[n - 1];
  if (!(drop > eps)) return undefined;
  const steps: number[] = [];
  const sizes: number[] = [];
  for (let i = 1; i < n; i++) {
    const d = m[i - 1] - m[i];
    if (d > eps) {
      steps.push((log.clockMs[i - 1] + log.clockMs[i]) / 2 - off);
      sizes.push(d);
    }
  }
  const resolutionKg = Math.min(...sizes);
  const first = steps[0];
  const last = steps[steps.length - 1];
  if (steps.length < 2 || !(last > first)) return undefined;
  // Gas that left between the first and the last step: every step after the first.
  const between = sizes.slice(1).reduce((x, y) => x + y, 0);
  const rateKgPerMs = between / (last - first);
  const slack = Math.max(0, drop / rateKgPerMs - (last - first)) / 2;
  return {
    startMs: first - slack,
    endMs: last + slack,
    massDropKg: drop,
    rateKgPerHour: rateKgPerMs * 3_600_000,
    resolutionKg,
    stepTimesMs: steps,
  };
}

const iso = (ms: number): string => new Date(ms).toISOString().replace('.000Z', 'Z');

/** Converts a release (see the module comment and README.md). */
export function convertChilboltonRelease(
  dir: string,
  release: ChilboltonRelease,
  opts: ConvertOptions = {},
): ChilboltonConversion {
  const utcOffsetHours = opts.utcOffsetHours ?? 1;
  const anchorLat = opts.anchorLat ?? CHILBOLTON_ANCHOR.lat;
  const anchorLon = opts.anchorLon ?? CHILBOLTON_ANCHOR.lon;
  const convention = opts.windConvention ?? CHILBOLTON_WIND_CONVENTION;
  const minSamples = opts.minSamplesPerMinute ?? 10;
  if (!WIND_CONVENTIONS[convention]) {
    throw new PlumetraceError('PT_ERR_USAGE', `unknown wind convention "${String(convention)}"`);
  }
  const { records, geometry, weight } = readChilboltonRelease(dir, release);
  const warnings: string[] = [];
  const frame = localFrame(anchorLat, anchorLon);
  const inst = geometry.instrument;
  const [instLat, instLon] = frame.toLatLon(inst.xM, inst.yM);

  // Clock checks: the LDS dates are month first, the scale's day first; both must name the same day.
  const ldsDay = new Date(records[0].startClockMs).toISOString().slice(0, 10);
  const scaleDay = new Date(weight.clockMs[0]).toISOString().slice(0, 10);
  if (ldsDay !== scaleDay) {
    warnings.push(`the LDS record starts on ${ldsDay} but the weigh-scale log on ${scaleDay}`);
  }
  for (const s of weight.skipped) warnings.push(`${weight.file} line ${s.line}: skipped "${s.text}" (no numbers)`);

  // Geometry vs header path lengths.
  for (const rec of records) {
    const r = geometry.reflectors[rec.beam]!;
    const len = Math.hypot(r.xM - inst.xM, r.yM - inst.yM, r.zM - inst.zM);
    if (Math.abs(len - rec.pathLengthM) > 0.05) {
      warnings.push(
        `beam ${rec.beam}: the geometry gives a ${len.toFixed(3)} m path, the LDS header ${rec.pathLengthM} m (differ by ${(len - rec.pathLengthM).toFixed(3)} m)`,
      );
    }
    if (rec.sonicGapCount > 0) {
      warnings.push(
        `${rec.file}: ${rec.sonicGapCount} sonic sample(s) hold the fill value ${chilboltonFormat.sonicFillValue}; wind left out there`,
      );
    }
  }

  // Pooled sonic statistics per UTC minute (the sonic is one instrument, sampled with each beam).
  interface WindAcc {
    su: number;
    sv: number;
    speed: number;
    cs: number;
    sn: number;
    n: number;
  }
  const wind = new Map<number, WindAcc>();
  const off = utcOffsetHours * 3_600_000;
  for (const rec of records) {
    const t0 = rec.startClockMs - off;
    for (let i = 0; i < rec.elapsedS.length; i++) {
      if (!Number.isFinite(rec.windX[i]) || !Number.isFinite(rec.windY[i])) continue;
      const minute = Math.floor((t0 + rec.elapsedS[i] * 1000) / 60_000);
      const [u, v] = applyWindConvention(convention, rec.windX[i], rec.windY[i]);
      const sp = Math.hypot(u, v);
      const a = wind.get(minute) ?? { su: 0, sv: 0, speed: 0, cs: 0, sn: 0, n: 0 };
      wind.set(minute, a);
      a.su += u;
      a.sv += v;
      a.speed += sp;
      if (sp > 0) {
        a.cs += u / sp;
        a.sn += v / sp;
      }
      a.n++;
    }
  }

  interface Row {
    minute: number;
    beam: number;
    text: string;
  }
  const rows: Row[] = [];
  const rowsPerBeam: Record<number, number> = {};
  const fmt = (v: number, d: number): string => (Number.isFinite(v) ? v.toFixed(d) : '');
  for (const rec of records) {
    const refl = geometry.reflectors[rec.beam]!;
    const [lat2, lon2] = frame.toLatLon(refl.xM, refl.yM);
    const t0 = rec.startClockMs - off;
    const acc = new Map<number, { s: number; ss: number; ee: number; n: number; shift: number }>();
    for (let i = 0; i < rec.elapsedS.length; i++) {
      const c = rec.ch4Ppm[i];
      const err = rec.ch4ErrPpm[i];
      if (!(c > 0) || !Number.isFinite(c) || !(err >= 0)) continue;
      const minute = Math.floor((t0 + rec.elapsedS[i] * 1000) / 60_000);
      let a = acc.get(minute);
      if (!a) {
        a = { s: 0, ss: 0, ee: 0, n: 0, shift: c };
        acc.set(minute, a);
      }
      const d = c - a.shift;
      a.s += d;
      a.ss += d * d;
      a.ee += err * err;
      a.n++;
    }
    let kept = 0;
    const dropped: string[] = [];
    for (const [minute, a] of [...acc].sort((x, y) => x[0] - y[0])) {
      if (a.n < minSamples) {
        dropped.push(`${iso(minute * 60_000).slice(11, 16)}Z (${a.n})`);
        continue;
      }
      const mean = a.shift + a.s / a.n;
      const variance = a.n > 1 ? Math.max(0, (a.ss - (a.s * a.s) / a.n) / (a.n - 1)) : 0;
      const scatterSe = Math.sqrt(variance / a.n);
      const instrumentSe = Math.sqrt(a.ee / a.n / a.n);
      const sigma = Math.max(scatterSe, instrumentSe);
      const w = wind.get(minute);
      let u = Number.NaN;
      let v = Number.NaN;
      let dirStd = Number.NaN;
      if (w && w.n >= minSamples) {
        const dir = Math.atan2(w.sv, w.su);
        const speed = w.speed / w.n;
        u = speed * Math.cos(dir);
        v = speed * Math.sin(dir);
        const R = Math.hypot(w.cs, w.sn) / w.n;
        dirStd = R > 0 ? Math.min(180, Math.sqrt(-2 * Math.log(Math.min(1, R))) * RAD2DEG) : 180;
      }
      rows.push({
        minute,
        beam: rec.beam,
        text: [
          iso(minute * 60_000 + 30_000),
          instLat.toFixed(8),
          instLon.toFixed(8),
          fmt(inst.zM, 2),
          mean.toFixed(5),
          fmt(u, 3),
          fmt(v, 3),
          sigma.toFixed(5),
          'CH4',
          'path',
          lat2.toFixed(8),
          lon2.toFixed(8),
          fmt(refl.zM, 2),
          fmt(dirStd, 2),
          String(AVERAGING_S),
        ].join(','),
      });
      kept++;
    }
    rowsPerBeam[rec.beam] = kept;
    if (dropped.length > 0) {
      warnings.push(
        `beam ${rec.beam}: dropped ${dropped.length} minute(s) with < ${minSamples} samples: ${dropped.join(', ')}`,
      );
    }
  }
  rows.sort((a, b) => a.minute - b.minute || a.beam - b.beam);
  const csv = `${CSV_HEADER}\n${rows.map((r) => r.text).join('\n')}\n`;

  const scale = scaleRelease(weight, utcOffsetHours);
  if (!scale) warnings.push(`${weight.file}: the cylinder mass does not drop; no release window`);
  const truth: ChilboltonTruth = {
    sources: geometry.sources.map((s) => {
      const [lat, lon] = frame.toLatLon(s.xM, s.yM);
      return {
        name: s.name,
        lat: Number(lat.toFixed(8)),
        lon: Number(lon.toFixed(8)),
        heightM: s.zM,
        rateKgPerHour: Number((s.rateKgPerS * 3600).toFixed(6)),
      };
    }),
    releaseWindow: scale ? { start: iso(scale.startMs), end: iso(scale.endMs) } : { start: '', end: '' },
    ...(scale ? { scaleRateKgPerHour: Number(scale.rateKgPerHour.toFixed(4)) } : {}),
  };
  return {
    csv,
    truth,
    warnings,
    meta: {
      release,
      utcOffsetHours,
      anchor: {
        lat: anchorLat,
        lon: anchorLon,
        note: 'local frame (0,0); x east, y north; the anchor moves the scene as a whole and changes no distance or bearing',
      },
      windConvention: convention,
      averagingS: AVERAGING_S,
      rows: rows.length,
      rowsPerBeam,
    },
  };
}
