/**
 * Parsers of the three file kinds of the Chilbolton 2017 release dataset (see format.ts): the LDS
 * beam files (POS<i>_<rel>_processed.txt), the weigh-scale log (CSV) and the geometry table.
 * Pure functions of the text; every problem is a PlumetraceError (PT_ERR_RELEASE_DATA_FORMAT) that
 * names the file and the line, and nothing is returned unless the whole file is valid.
 */
import { PlumetraceError } from '../../core/errors.ts';
import { chilboltonFormat } from './format.ts';

/** One beam's record: header values and the 3-s (or faster) time series, one typed array per column. */
export interface LdsRecord {
  file: string;
  beam: number;
  beamAngleDeg: number;
  /** "Open Path length (m)" of the header. */
  pathLengthM: number;
  /** The header's record start, verbatim. */
  startText: string;
  /**
   * Record start read as if the logger clock were UTC (ms since the epoch). The clock is local time;
   * subtract its UTC offset to get UTC (convert.ts does).
   */
  startClockMs: number;
  /** "Nb of points in the record". */
  pointCount: number;
  elapsedS: Float64Array;
  tempK: Float64Array;
  pressPa: Float64Array;
  /** Sonic wind components in the sonic's own axes (m/s); NaN where the sonic wrote its fill value. */
  windX: Float64Array;
  windY: Float64Array;
  windZ: Float64Array;
  ch4Ppm: Float64Array;
  ch4ErrPpm: Float64Array;
  /** Data rows where the sonic wrote its fill value (wind set to NaN). */
  sonicGapCount: number;
}

const NUMBER = /^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/;

function fail(file: string, line: number, detail: string, column?: string): never {
  throw new PlumetraceError('PT_ERR_RELEASE_DATA_FORMAT', detail, { file, line, column });
}

function num(token: string | undefined, file: string, line: number, what: string): number {
  const s = (token ?? '').trim();
  if (!NUMBER.test(s)) fail(file, line, `${what}: "${s}" is not a number`, what);
  return Number(s);
}

/** Splits text into lines (LF or CRLF), keeping 1-based numbering by index + 1. */
function lines(text: string): string[] {
  return text.replace(/^\uFEFF/, '').split(/\r?\n/);
}

/** Parses one LDS beam file. `file` names it in error messages. */
export function parseLdsFile(text: string, file: string): LdsRecord {
  const L = lines(text);
  const H = chilboltonFormat.headerLineCount;
  const star = L.findIndex((l) => /^\*{5,}/.test(l.trim()));
  if (star < 0) {
    fail(
      file,
      H,
      `no "*** Temporal data record ***" line: an LDS file has a ${H}-line header ending in a row of asterisks`,
    );
  }
  if (star + 1 !== H) {
    fail(
      file,
      star + 1,
      `wrong header line count: the header ends at line ${star + 1}, but an LDS file has a ${H}-line header`,
    );
  }
  for (const [lineNo, label] of Object.entries(chilboltonFormat.headerLabels)) {
    const n = Number(lineNo);
    if (L[n - 1]?.trim() !== label) fail(file, n, `expected the header label "${label}", found "${L[n - 1]?.trim()}"`);
  }
  const startText = L[3].trim();
  const m = chilboltonFormat.startTimePattern.exec(startText);
  if (!m) fail(file, 4, `"${startText}" is not a record start time (expected MM/DD/YYYY hh:mm:ss.ssss)`);
  const [month, day, year, hour, minute] = [m[1], m[2], m[3], m[4], m[5]].map(Number);
  const second = Number(m[6]);
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second >= 61) {
    fail(file, 4, `"${startText}" is not a valid month-first date and time`);
  }
  const startClockMs = Date.UTC(year, month - 1, day, hour, minute, 0) + Math.round(second * 1000);
  const pointCount = num(L[5], file, 6, 'Nb of points in the record');
  const beam = num(L[7], file, 8, 'Beam position index');
  const beamAngleDeg = num(L[9], file, 10, 'Beam angle (degrees)');
  const pathLengthM = num(L[11], file, 12, 'Open Path length (m)');
  if (!Number.isInteger(pointCount) || pointCount < 0) fail(file, 6, `${pointCount} is not a count of points`);
  if (!Number.isInteger(beam) || beam < 1) fail(file, 8, `${beam} is not a beam index`);
  if (!(pathLengthM > 0)) fail(file, 12, `an open path of ${pathLengthM} m is not a beam length`);

  const names = (L[H] ?? '').trim().split(/\s+/);
  const want = chilboltonFormat.columns;
  if (names.length !== want.length || names.some((c, i) => c !== want[i])) {
    fail(file, H + 1, `the column line must be "${want.join(' ')}", found "${names.join(' ')}"`);
  }

  let last = L.length;
  while (last > H + 1 && L[last - 1].trim() === '') last--;
  const n = last - (H + 1);
  if (n !== pointCount) {
    fail(file, last, `the header says ${pointCount} points, but the file has ${n} data rows`);
  }
  const cols = want.map(() => new Float64Array(n));
  let sonicGapCount = 0;
  for (let r = 0; r < n; r++) {
    const lineNo = H + 2 + r;
    const tok = L[lineNo - 1].trim().split(/\s+/);
    if (tok.length !== want.length) {
      fail(file, lineNo, `a data row has ${want.length} columns, this one has ${tok.length}`);
    }
    for (let c = 0; c < want.length; c++) cols[c][r] = num(tok[c], file, lineNo, want[c]);
    if (r > 0 && cols[0][r] < cols[0][r - 1]) {
      fail(file, lineNo, `elapsed time ${cols[0][r]} s goes back from ${cols[0][r - 1]} s`, want[0]);
    }
    const fill = chilboltonFormat.sonicFillValue;
    if (cols[4][r] === fill || cols[5][r] === fill) {
      sonicGapCount++;
      cols[4][r] = cols[5][r] = cols[6][r] = Number.NaN;
    }
  }
  return {
    file,
    beam,
    beamAngleDeg,
    pathLengthM,
    startText,
    startClockMs,
    pointCount,
    elapsedS: cols[0],
    tempK: cols[1],
    pressPa: cols[2],
    windX: cols[4],
    windY: cols[5],
    windZ: cols[6],
    ch4Ppm: cols[8],
    ch4ErrPpm: cols[9],
    sonicGapCount,
  };
}

/** A weigh-scale log: cylinder mass against the scale's clock. */
export interface WeightLog {
  file: string;
  /** Reading times read as if the scale clock were UTC (ms since the epoch); see LdsRecord.startClockMs. */
  clockMs: Float64Array;
  massKg: Float64Array;
  /** Rows without any number (e.g. a truncated `SH,,`), skipped: 1-based line and text. */
  skipped: { line: number; text: string }[];
}

/** Parses a weigh-scale CSV (`SHELLdd/mm/yy,hh:mm:ss,kg` per row, day first). */
export function parseWeightLog(text: string, file: string): WeightLog {
  const t: number[] = [];
  const kg: number[] = [];
  const skipped: { line: number; text: string }[] = [];
  lines(text).forEach((raw, i) => {
    const line = i + 1;
    const s = raw.trim();
    if (s === '') return;
    const m = chilboltonFormat.weightRowPattern.exec(s);
    if (!m) {
      if (!/\d/.test(s)) {
        skipped.push({ line, text: s });
        return;
      }
      fail(file, line, `"${s}" is not a weigh-scale row (expected SHELLdd/mm/yy,hh:mm:ss,mass_kg)`);
    }
    const [day, month, yy, hour, minute, second] = [m[1], m[2], m[3], m[4], m[5], m[6]].map(Number);
    if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) {
      fail(file, line, `"${s}" does not hold a valid day-first date and time`);
    }
    const ms = Date.UTC(2000 + yy, month - 1, day, hour, minute, second);
    if (t.length > 0 && ms < t[t.length - 1]) fail(file, line, `the time ${m[4]}:${m[5]}:${m[6]} goes back`);
    t.push(ms);
    kg.push(Number(m[7]));
  });
  if (t.length === 0) throw new PlumetraceError('PT_ERR_FILE_EMPTY', 'the weigh-scale log has no readings', { file });
  return { file, clockMs: Float64Array.from(t), massKg: Float64Array.from(kg), skipped };
}

export interface GeometryPoint {
  name: string;
  xM: number;
  yM: number;
  zM: number;
}

export interface ReleaseGeometry {
  instrument: GeometryPoint;
  /** Reflector of beam i at index i (index 0 unused). */
  reflectors: (GeometryPoint | undefined)[];
  sources: (GeometryPoint & { rateKgPerS: number })[];
}

const GEOMETRY_HEADER = 'kind,name,x_m,y_m,z_m,emission_rate_kg_per_s';

/** Parses geometry_and_truth.csv: `#` comments, then the header above and one row per point. */
export function parseGeometry(text: string, file: string): ReleaseGeometry {
  let header = false;
  let instrument: GeometryPoint | undefined;
  const reflectors: (GeometryPoint | undefined)[] = [];
  const sources: (GeometryPoint & { rateKgPerS: number })[] = [];
  lines(text).forEach((raw, i) => {
    const line = i + 1;
    const s = raw.trim();
    if (s === '' || s.startsWith('#')) return;
    if (!header) {
      if (s !== GEOMETRY_HEADER) fail(file, line, `the header must be "${GEOMETRY_HEADER}", found "${s}"`);
      header = true;
      return;
    }
    const f = s.split(',');
    if (f.length !== 6) fail(file, line, `a row has 6 fields, this one has ${f.length}`);
    const [kind, name] = f;
    const p = {
      name,
      xM: num(f[2], file, line, 'x_m'),
      yM: num(f[3], file, line, 'y_m'),
      zM: num(f[4], file, line, 'z_m'),
    };
    if (kind === 'instrument') {
      if (instrument) fail(file, line, 'a second instrument row; the table has one instrument');
      instrument = p;
    } else if (kind === 'reflector') {
      const m = /^reflector_(\d+)$/.exec(name);
      if (!m) fail(file, line, `reflector "${name}" is not named reflector_<beam>`, 'name');
      reflectors[Number(m[1])] = p;
    } else if (kind === 'source') {
      const rate = num(f[5], file, line, 'emission_rate_kg_per_s');
      if (!(rate >= 0)) fail(file, line, `emission rate ${rate} is negative`, 'emission_rate_kg_per_s');
      sources.push({ ...p, rateKgPerS: rate });
    } else {
      fail(file, line, `"${kind}" is not a kind (instrument, reflector or source)`, 'kind');
    }
  });
  if (!header) fail(file, 1, `no header "${GEOMETRY_HEADER}"`);
  if (!instrument) fail(file, 1, 'no instrument row');
  return { instrument, reflectors, sources };
}
