/**
 * Parser of the in-situ CSV format (see format.ts): header row with exact names, then one sample
 * per row. Every problem is a PlumetraceError naming the file, the line and the column; nothing is
 * returned unless the whole file is valid.
 */
import { parse } from 'csv-parse/sync';
import { PlumetraceError } from '../../core/errors.ts';
import { type InSituSeries, SAMPLE_KIND_PATH, SAMPLE_KIND_POINT } from '../../core/types.ts';
import { localFrame } from '../../core/geo/local-frame.ts';
import { type InSituColumn, inSituCsvFormat, looksLikeText } from './format.ts';

interface ParsedRecord {
  record: string[];
  info: { lines: number };
}

/** Parses the bytes of an in-situ CSV file. `file` names the source in error messages. */
export function parseInSituCsv(bytes: Uint8Array, file: string): InSituSeries {
  if (bytes.length === 0) throw new PlumetraceError('PT_ERR_FILE_EMPTY', 'the file is empty (0 bytes)', { file });
  if (!looksLikeText(bytes)) {
    throw new PlumetraceError('PT_ERR_CSV_FORMAT', 'the file is binary, not CSV text', { file });
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new PlumetraceError('PT_ERR_CSV_FORMAT', 'the file is not valid UTF-8 text', { file });
  }
  if (text.trim() === '') throw new PlumetraceError('PT_ERR_FILE_EMPTY', 'the file holds only blank lines', { file });

  let rows: ParsedRecord[];
  try {
    rows = parse(text, {
      bom: true,
      skip_empty_lines: true,
      trim: true,
      info: true,
      comment: '#',
    }) as unknown as ParsedRecord[];
  } catch (e) {
    const err = e as { lines?: number; message?: string };
    throw new PlumetraceError(
      'PT_ERR_CSV_FORMAT',
      cleanCsvMessage(err.message),
      { file, line: err.lines },
      { cause: e },
    );
  }
  if (rows.length === 0) throw new PlumetraceError('PT_ERR_FILE_EMPTY', 'the file has no header and no data', { file });

  const header = rows[0].record;
  const col = new Map<string, number>();
  header.forEach((name, i) => {
    if (!col.has(name)) col.set(name, i);
  });
  for (const name of inSituCsvFormat.requiredColumns) {
    if (!col.has(name)) {
      throw new PlumetraceError(
        'PT_ERR_CSV_MISSING_COLUMN',
        `required column "${name}" is missing; the header must name ${inSituCsvFormat.requiredColumns.join(', ')} (found: ${header.slice(0, 12).join(', ') || 'nothing'})`,
        { file, line: rows[0].info.lines, column: name },
      );
    }
  }
  const n = rows.length - 1;
  if (n === 0) throw new PlumetraceError('PT_ERR_FILE_EMPTY', 'the file has a header but no data rows', { file });

  const idx = (name: InSituColumn): number => col.get(name) ?? -1;
  const iTime = idx('time');
  const iLat = idx('lat');
  const iLon = idx('lon');
  const iAlt = idx('alt_m');
  const iPpm = idx('ppm');
  const iU = idx('wind_u');
  const iV = idx('wind_v');
  const iSigma = idx('sigma_ppm');
  const iGas = idx('gas');
  const iKind = idx('kind');
  const iLat2 = idx('lat2');
  const iLon2 = idx('lon2');
  const iAlt2 = idx('alt2_m');
  const iDirStd = idx('wind_dir_std_deg');
  const iAvg = idx('averaging_s');

  const timeMs = new Float64Array(n);
  const lat = new Float64Array(n);
  const lon = new Float64Array(n);
  const altM = new Float64Array(n);
  const ppm = new Float64Array(n);
  const windU = iU >= 0 ? new Float64Array(n) : undefined;
  const windV = iV >= 0 ? new Float64Array(n) : undefined;
  const sigmaPpm = iSigma >= 0 ? new Float64Array(n) : undefined;
  const kind = iKind >= 0 ? new Uint8Array(n) : undefined;
  const hasPathColumns = iKind >= 0;
  const lat2 = hasPathColumns ? new Float64Array(n).fill(Number.NaN) : undefined;
  const lon2 = hasPathColumns ? new Float64Array(n).fill(Number.NaN) : undefined;
  const alt2M = hasPathColumns ? new Float64Array(n).fill(Number.NaN) : undefined;
  const windDirStdDeg = iDirStd >= 0 ? new Float64Array(n) : undefined;
  const averagingS = iAvg >= 0 ? new Float64Array(n) : undefined;
  let gas: string | undefined;
  let gasLine = 0;

  for (let r = 0; r < n; r++) {
    const { record, info } = rows[r + 1];
    const line = info.lines;
    const cell = (i: number): string => (i >= 0 && i < record.length ? record[i] : '');
    const bad = (column: string, why: string): never => {
      throw new PlumetraceError('PT_ERR_CSV_BAD_VALUE', why, { file, line, column });
    };
    const num = (i: number, column: string, opts: { optional?: boolean; min?: number; max?: number }): number => {
      const s = cell(i);
      if (s === '' || /^nan$/i.test(s)) {
        if (opts.optional) return Number.NaN;
        return bad(column, `"${column}" is empty but required`);
      }
      const v = Number(s);
      if (!Number.isFinite(v)) return bad(column, `"${s}" is not a number`);
      if ((opts.min !== undefined && v < opts.min) || (opts.max !== undefined && v > opts.max)) {
        return bad(column, `${v} is outside the valid range [${opts.min ?? '-inf'}, ${opts.max ?? 'inf'}]`);
      }
      return v;
    };

    const t = cell(iTime);
    const ms = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(t) ? Date.parse(t) : Number.NaN;
    if (!Number.isFinite(ms)) bad('time', `"${t}" is not an ISO-8601 time (e.g. 2026-05-09T10:00:00Z)`);
    if (r > 0 && ms < timeMs[r - 1]) bad('time', `${t} is earlier than the row before; rows must be in time order`);
    timeMs[r] = ms;
    lat[r] = num(iLat, 'lat', { min: -90, max: 90 });
    lon[r] = num(iLon, 'lon', { min: -180, max: 180 });
    altM[r] = num(iAlt, 'alt_m', { min: -500, max: 20000 });
    ppm[r] = num(iPpm, 'ppm', { optional: true, min: 0 });
    if (windU) windU[r] = num(iU, 'wind_u', { optional: true, min: -100, max: 100 });
    if (windV) windV[r] = num(iV, 'wind_v', { optional: true, min: -100, max: 100 });
    if (sigmaPpm) sigmaPpm[r] = num(iSigma, 'sigma_ppm', { optional: true, min: 0 });
    if (windDirStdDeg) windDirStdDeg[r] = num(iDirStd, 'wind_dir_std_deg', { optional: true, min: 0, max: 180 });
    if (averagingS) averagingS[r] = num(iAvg, 'averaging_s', { optional: true, min: 0, max: 86400 });
    if (kind && lat2 && lon2 && alt2M) {
      const k = cell(iKind).toLowerCase();
      if (k === '' || k === 'point') {
        kind[r] = SAMPLE_KIND_POINT;
      } else if (k === 'path') {
        kind[r] = SAMPLE_KIND_PATH;
        for (const [i, name] of [
          [iLat2, 'lat2'],
          [iLon2, 'lon2'],
          [iAlt2, 'alt2_m'],
        ] as const) {
          if (i < 0) bad(name, `a path row needs the beam's far end, but column "${name}" is missing`);
        }
        lat2[r] = num(iLat2, 'lat2', { min: -90, max: 90 });
        lon2[r] = num(iLon2, 'lon2', { min: -180, max: 180 });
        alt2M[r] = num(iAlt2, 'alt2_m', { min: -500, max: 20000 });
        const f = localFrame(lat[r], lon[r]);
        const [bx, by] = f.toXY(lat2[r], lon2[r]);
        const lengthM = Math.hypot(bx, by, alt2M[r] - altM[r]);
        if (lengthM < 0.5)
          bad('lat2', `the beam is ${lengthM.toFixed(2)} m long; a path sample needs a beam of at least 0.5 m`);
      } else {
        bad('kind', `"${cell(iKind)}" is not a sample kind; use point or path`);
      }
    }
    const g = (iGas >= 0 ? cell(iGas) : '').toUpperCase() || inSituCsvFormat.defaultGas;
    if (!/^[A-Z0-9][A-Z0-9_\-(),.]{0,31}$/.test(g)) bad('gas', `"${g}" is not a gas name`);
    if (gas === undefined) {
      gas = g;
      gasLine = line;
    } else if (g !== gas) {
      bad('gas', `the file mixes gases (${gas} from line ${gasLine}, ${g} here); write one file per gas`);
    }
  }
  return {
    gas: gas ?? inSituCsvFormat.defaultGas,
    timeMs,
    lat,
    lon,
    altM,
    ppm,
    windU,
    windV,
    sigmaPpm,
    kind,
    lat2,
    lon2,
    alt2M,
    windDirStdDeg,
    averagingS,
  };
}

function cleanCsvMessage(message: string | undefined): string {
  return (message ?? 'unreadable CSV')
    .replace(/^Invalid (Record|Opening|Closing) /, 'invalid $1 ')
    .replace(/\s+/g, ' ');
}
