/**
 * ENVI header (.hdr) text: parse into an {@link EnviHeader} and serialize one back.
 *
 * Grammar: first line `ENVI`; then `key = value` lines. Keys are case-insensitive (we keep them
 * lower case, single-spaced). A value that starts with `{` runs to the matching `}`, across lines.
 * Lines starting with `;` are comments. Keys we do not interpret are kept verbatim in `extra` and
 * written back. Every problem is a PT_ERR_ENVI_HEADER naming the key, the header line and the file.
 */
import { PlumetraceError } from '../../core/errors.ts';
import {
  type EnviByteOrder,
  type EnviDataType,
  type EnviInterleave,
  type EnviWavelengthUnits,
  enviDataTypeFromCode,
  enviDataTypes,
  enviFormat,
  enviInterleaves,
  enviWavelengthUnits,
  unsupportedEnviDataTypeCodes,
} from './format.ts';

/**
 * The ENVI `map info` key. Reference pixel is 1-based in ENVI's pixel-corner convention: (1, 1) is
 * the upper-left corner of the upper-left pixel, (1.5, 1.5) its centre. See geo.ts for the maths.
 */
export interface EnviMapInfo {
  /** Projection name as written, e.g. `UTM`, `Geographic Lat/Lon`. */
  projection: string;
  /** Reference pixel, 1-based sample (x) and line (y) in ENVI's corner convention. */
  referencePixelSample: number;
  referencePixelLine: number;
  /** Map coordinates of the reference pixel: easting/northing (or longitude/latitude for Geographic). */
  easting: number;
  northing: number;
  /** Pixel size along a row (x) and down a column (y), in map units; both positive for north-up images. */
  pixelSizeX: number;
  pixelSizeY: number;
  /** UTM only. */
  zone?: number;
  hemisphere?: 'North' | 'South';
  datum?: string;
  /** `units=` (e.g. Meters, Degrees). */
  units?: string;
  /** `rotation=`, degrees: the sample axis turned counter-clockwise from map east (GDAL's reading). */
  rotationDeg?: number;
  /** Any other items, verbatim, in order. */
  extra?: string[];
}

export interface EnviHeader {
  samples: number;
  lines: number;
  bands: number;
  /** Bytes to skip at the start of the data file. */
  headerOffset: number;
  dataType: EnviDataType;
  interleave: EnviInterleave;
  byteOrder: EnviByteOrder;
  fileType?: string;
  description?: string;
  sensorType?: string;
  /** One per band, in `wavelengthUnits`. */
  wavelength?: Float64Array;
  /** Full width at half maximum, one per band, same units as `wavelength`. */
  fwhm?: Float64Array;
  wavelengthUnits?: EnviWavelengthUnits;
  /** Value that marks no data; readers turn it into NaN. */
  dataIgnoreValue?: number;
  mapInfo?: EnviMapInfo;
  /** WKT of the coordinate system. */
  coordinateSystemString?: string;
  bandNames?: string[];
  /** `bbl`: 1 good band, 0 bad band, one per band. */
  badBandList?: Uint8Array;
  /** Keys we do not interpret (lower case) → value text as written (braces kept). */
  extra: Record<string, string>;
}

/** Keys this module interprets; anything else lands in `extra`. */
const KNOWN_KEYS = new Set([
  'samples',
  'lines',
  'bands',
  'header offset',
  'data type',
  'interleave',
  'byte order',
  'file type',
  'description',
  'sensor type',
  'wavelength',
  'fwhm',
  'wavelength units',
  'data ignore value',
  'map info',
  'coordinate system string',
  'band names',
  'bbl',
]);

interface RawEntry {
  value: string;
  line: number;
  braced: boolean;
}

/** Parses header text. `file` names the header in error messages. */
export function parseEnviHeader(text: string, file: string): EnviHeader {
  const raw = splitEntries(text, file);
  const bad = (key: string, why: string): never => {
    throw new PlumetraceError('PT_ERR_ENVI_HEADER', `key "${key}": ${why}`, { file, line: raw.get(key)?.line });
  };
  const get = (key: string): RawEntry | undefined => raw.get(key);
  const required = (key: string): RawEntry => {
    const e = raw.get(key);
    if (!e) {
      throw new PlumetraceError(
        'PT_ERR_ENVI_HEADER',
        `required key "${key}" is missing (an ENVI header needs ${enviFormat.requiredKeys.join(', ')})`,
        { file },
      );
    }
    return e;
  };
  const int = (key: string, e: RawEntry, min: number): number => {
    const s = textOf(e);
    if (!/^[+-]?\d+$/.test(s)) bad(key, `"${s}" is not an integer`);
    const v = Number(s);
    if (v < min || !Number.isSafeInteger(v)) bad(key, `${s} is out of range (must be at least ${min})`);
    return v;
  };

  const samples = int('samples', required('samples'), 1);
  const lines = int('lines', required('lines'), 1);
  const bands = int('bands', required('bands'), 1);
  const dtCode = int('data type', required('data type'), 0);
  const dataType = enviDataTypeFromCode(dtCode);
  if (!dataType) {
    const known = unsupportedEnviDataTypeCodes[dtCode];
    const supported = Object.entries(enviDataTypes)
      .map(([n, s]) => `${s.code} ${n}`)
      .join(', ');
    bad('data type', `${dtCode}${known ? ` (${known})` : ''} is not supported; supported: ${supported}`);
  }
  const ilText = textOf(required('interleave')).toLowerCase();
  if (!(enviInterleaves as readonly string[]).includes(ilText)) {
    bad('interleave', `"${ilText}" is not one of ${enviInterleaves.join(', ')}`);
  }
  const interleave = ilText as EnviInterleave;

  const h: EnviHeader = {
    samples,
    lines,
    bands,
    headerOffset: 0,
    dataType: dataType as EnviDataType,
    interleave,
    byteOrder: 'little',
    extra: {},
  };

  const offset = get('header offset');
  if (offset) h.headerOffset = int('header offset', offset, 0);
  const bo = get('byte order');
  if (bo) {
    const s = textOf(bo);
    if (s !== '0' && s !== '1') bad('byte order', `"${s}" must be 0 (little-endian) or 1 (big-endian)`);
    h.byteOrder = s === '1' ? 'big' : 'little';
  }
  const str = (key: string): string | undefined => {
    const e = get(key);
    return e ? textOf(e) : undefined;
  };
  h.fileType = str('file type');
  h.description = str('description');
  h.sensorType = str('sensor type');
  h.coordinateSystemString = str('coordinate system string');

  const perBand = (key: string): Float64Array | undefined => {
    const e = get(key);
    if (!e) return undefined;
    const items = listItems(textOf(e));
    if (items.length !== bands) bad(key, `has ${items.length} values but the header says bands = ${bands}`);
    const out = new Float64Array(items.length);
    items.forEach((s, i) => {
      const v = parseNumber(s);
      if (v === undefined) bad(key, `item ${i + 1} "${s}" is not a number`);
      out[i] = v as number;
    });
    return out;
  };
  h.wavelength = perBand('wavelength');
  h.fwhm = perBand('fwhm');
  const bbl = perBand('bbl');
  if (bbl) {
    h.badBandList = new Uint8Array(bbl.length);
    bbl.forEach((v, i) => {
      if (v !== 0 && v !== 1) bad('bbl', `item ${i + 1} is ${v}; each must be 0 (bad) or 1 (good)`);
      h.badBandList![i] = v;
    });
  }
  const units = get('wavelength units');
  if (units) {
    const u = normalizeWavelengthUnits(textOf(units));
    if (!u) bad('wavelength units', `"${textOf(units)}" is not one of ${enviWavelengthUnits.join(', ')}`);
    h.wavelengthUnits = u;
  }
  const ignore = get('data ignore value');
  if (ignore) {
    const v = parseNumber(textOf(ignore));
    if (v === undefined || Number.isNaN(v)) bad('data ignore value', `"${textOf(ignore)}" is not a number`);
    h.dataIgnoreValue = v;
  }
  const names = get('band names');
  if (names) {
    const items = listItems(textOf(names));
    if (items.length !== bands) bad('band names', `has ${items.length} names but the header says bands = ${bands}`);
    h.bandNames = items;
  }
  const mi = get('map info');
  if (mi) h.mapInfo = parseMapInfo(textOf(mi), (why) => bad('map info', why));

  for (const [key, e] of raw) {
    if (!KNOWN_KEYS.has(key)) h.extra[key] = e.braced ? `{${e.value}}` : e.value;
  }
  // Drop undefined optional fields so headers compare cleanly.
  for (const k of Object.keys(h) as (keyof EnviHeader)[]) if (h[k] === undefined) delete h[k];
  return h;
}

/** Splits the text into key → raw value, checking the magic line, braces and `=` signs. */
function splitEntries(text: string, file: string): Map<string, RawEntry> {
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/);
  let i = 0;
  while (i < lines.length && lines[i].trim() === '') i++;
  if (i >= lines.length || lines[i].trim() !== 'ENVI') {
    throw new PlumetraceError(
      'PT_ERR_ENVI_HEADER',
      `the first line must be "ENVI" (found "${(lines[i] ?? '').trim().slice(0, 40)}"); this is not an ENVI header`,
      { file, line: i < lines.length ? i + 1 : undefined },
    );
  }
  const out = new Map<string, RawEntry>();
  for (i++; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === '' || line.startsWith(';')) continue;
    const eq = line.indexOf('=');
    if (eq <= 0) {
      throw new PlumetraceError('PT_ERR_ENVI_HEADER', `"${line.slice(0, 60)}" is not a "key = value" line`, {
        file,
        line: i + 1,
      });
    }
    const key = line.slice(0, eq).trim().toLowerCase().replace(/\s+/g, ' ');
    let value = line.slice(eq + 1).trim();
    const start = i + 1;
    let braced = false;
    if (value.startsWith('{')) {
      braced = true;
      let text = value.slice(1);
      while (!text.includes('}')) {
        i++;
        // ENVI values never nest braces: another "{" means this one was left open.
        if (i >= lines.length || lines[i].includes('{')) {
          throw new PlumetraceError('PT_ERR_ENVI_HEADER', `key "${key}": "{" is never closed by "}"`, {
            file,
            line: start,
          });
        }
        text += `\n${lines[i]}`;
      }
      const close = text.indexOf('}');
      const rest = text.slice(close + 1).trim();
      if (rest !== '') {
        throw new PlumetraceError(
          'PT_ERR_ENVI_HEADER',
          `key "${key}": unexpected text "${rest.slice(0, 40)}" after "}"`,
          {
            file,
            line: i + 1,
          },
        );
      }
      value = text.slice(0, close).trim();
    }
    out.set(key, { value, line: start, braced });
  }
  return out;
}

const textOf = (e: RawEntry): string => e.value;

/** Comma-separated items, trimmed; a trailing empty item (from `a, b,`) is dropped. */
function listItems(s: string): string[] {
  if (s.trim() === '') return [];
  const items = s.split(',').map((x) => x.trim());
  if (items.length > 0 && items[items.length - 1] === '') items.pop();
  return items;
}

function parseNumber(s: string): number | undefined {
  const t = s.trim();
  if (/^[+-]?nan$/i.test(t)) return Number.NaN;
  if (/^[+-]?inf(inity)?$/i.test(t)) return t.startsWith('-') ? -Infinity : Infinity;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eEdD][+-]?\d+)?$/.test(t)) return undefined;
  return Number(t.replace(/[dD]/, 'e'));
}

function normalizeWavelengthUnits(s: string): EnviWavelengthUnits | undefined {
  const t = s.trim().toLowerCase();
  const aliases: Record<string, EnviWavelengthUnits> = {
    micrometers: 'Micrometers',
    micrometer: 'Micrometers',
    microns: 'Micrometers',
    micron: 'Micrometers',
    um: 'Micrometers',
    µm: 'Micrometers',
    nanometers: 'Nanometers',
    nanometer: 'Nanometers',
    nm: 'Nanometers',
    millimeters: 'Millimeters',
    centimeters: 'Centimeters',
    meters: 'Meters',
    wavenumber: 'Wavenumber',
    wavenumbers: 'Wavenumber',
    ghz: 'GHz',
    mhz: 'MHz',
    index: 'Index',
    unknown: 'Unknown',
  };
  return aliases[t];
}

function parseMapInfo(s: string, bad: (why: string) => never): EnviMapInfo {
  const items = listItems(s);
  if (items.length < 7) {
    bad(
      `needs at least 7 items (projection, reference sample, reference line, easting, northing, pixel size x, pixel size y); found ${items.length}`,
    );
  }
  const names = ['reference sample', 'reference line', 'easting', 'northing', 'pixel size x', 'pixel size y'];
  const nums = items.slice(1, 7).map((x, i) => {
    const v = parseNumber(x);
    if (v === undefined || !Number.isFinite(v)) bad(`${names[i]} "${x}" is not a number`);
    return v as number;
  });
  const m: EnviMapInfo = {
    projection: items[0],
    referencePixelSample: nums[0],
    referencePixelLine: nums[1],
    easting: nums[2],
    northing: nums[3],
    pixelSizeX: nums[4],
    pixelSizeY: nums[5],
  };
  if (!(m.pixelSizeX > 0) || !(m.pixelSizeY > 0)) bad('pixel sizes must be positive');
  const plain: string[] = [];
  const extra: string[] = [];
  for (const item of items.slice(7)) {
    const eq = item.indexOf('=');
    if (eq < 0) {
      plain.push(item);
      continue;
    }
    const k = item.slice(0, eq).trim().toLowerCase();
    const v = item.slice(eq + 1).trim();
    if (k === 'units') m.units = v;
    else if (k === 'rotation') {
      const r = parseNumber(v);
      if (r === undefined || !Number.isFinite(r)) bad(`rotation "${v}" is not a number`);
      m.rotationDeg = r;
    } else extra.push(item);
  }
  if (/^utm$/i.test(m.projection)) {
    if (plain.length < 2) bad('UTM needs a zone and a hemisphere (North or South) after the pixel sizes');
    const zone = Number(plain[0]);
    if (!Number.isInteger(zone) || zone < 1 || zone > 60) bad(`UTM zone "${plain[0]}" is not an integer 1–60`);
    const hemi = plain[1].toLowerCase();
    if (hemi !== 'north' && hemi !== 'south') bad(`UTM hemisphere "${plain[1]}" is not North or South`);
    m.zone = zone;
    m.hemisphere = hemi === 'north' ? 'North' : 'South';
    plain.splice(0, 2);
  }
  if (plain.length > 0) m.datum = plain.shift();
  extra.unshift(...plain);
  if (extra.length > 0) m.extra = extra;
  return m;
}

/** Serializes a header. `file` names the target in error messages (values ENVI cannot express). */
export function serializeEnviHeader(h: EnviHeader, file = 'ENVI header'): string {
  const bad = (key: string, why: string): never => {
    throw new PlumetraceError('PT_ERR_ENVI_HEADER', `key "${key}": ${why}`, { file });
  };
  for (const key of ['samples', 'lines', 'bands'] as const) {
    if (!Number.isSafeInteger(h[key]) || h[key] < 1) bad(key, `${h[key]} is not a positive integer`);
  }
  if (!Number.isSafeInteger(h.headerOffset) || h.headerOffset < 0) {
    bad('header offset', `${h.headerOffset} is not a non-negative integer`);
  }
  const dt = enviDataTypes[h.dataType];
  if (!dt) bad('data type', `"${h.dataType}" is not one of ${Object.keys(enviDataTypes).join(', ')}`);
  if (!enviInterleaves.includes(h.interleave)) bad('interleave', `"${h.interleave}" is not one of bsq, bil, bip`);
  if (h.byteOrder !== 'little' && h.byteOrder !== 'big') bad('byte order', `"${h.byteOrder}" is not little or big`);

  const text = (key: string, s: string, forbid: RegExp): string => {
    if (forbid.test(s)) bad(key, `"${s.slice(0, 40)}" contains a character ENVI cannot store here (${forbid.source})`);
    return s;
  };
  const perBand = (key: string, a: ArrayLike<number>): string => {
    if (a.length !== h.bands) bad(key, `has ${a.length} values but bands = ${h.bands}`);
    return braceList(Array.from(a, (v) => fmt(v)));
  };

  const out: string[] = ['ENVI'];
  const put = (key: string, value: string) => out.push(`${key} = ${value}`);
  if (h.description !== undefined) put('description', `{${text('description', h.description, /[{}]/)}}`);
  put('samples', String(h.samples));
  put('lines', String(h.lines));
  put('bands', String(h.bands));
  put('header offset', String(h.headerOffset));
  put('file type', text('file type', h.fileType ?? 'ENVI Standard', /[{}\n]/));
  put('data type', String(dt.code));
  put('interleave', h.interleave);
  put('byte order', h.byteOrder === 'big' ? '1' : '0');
  if (h.sensorType !== undefined) put('sensor type', text('sensor type', h.sensorType, /[{}\n]/));
  if (h.dataIgnoreValue !== undefined) {
    if (!Number.isFinite(h.dataIgnoreValue)) bad('data ignore value', `${h.dataIgnoreValue} is not a finite number`);
    put('data ignore value', fmt(h.dataIgnoreValue));
  }
  if (h.mapInfo)
    put(
      'map info',
      serializeMapInfo(h.mapInfo, (why) => bad('map info', why)),
    );
  if (h.coordinateSystemString !== undefined) {
    put('coordinate system string', `{${text('coordinate system string', h.coordinateSystemString, /[{}]/)}}`);
  }
  if (h.wavelengthUnits !== undefined) {
    if (!enviWavelengthUnits.includes(h.wavelengthUnits)) {
      bad('wavelength units', `"${h.wavelengthUnits}" is not one of ${enviWavelengthUnits.join(', ')}`);
    }
    put('wavelength units', h.wavelengthUnits);
  }
  if (h.wavelength) put('wavelength', perBand('wavelength', h.wavelength));
  if (h.fwhm) put('fwhm', perBand('fwhm', h.fwhm));
  if (h.badBandList) put('bbl', perBand('bbl', h.badBandList));
  if (h.bandNames) {
    if (h.bandNames.length !== h.bands) bad('band names', `has ${h.bandNames.length} names but bands = ${h.bands}`);
    put('band names', braceList(h.bandNames.map((n) => text('band names', n, /[{},\n]/))));
  }
  for (const [key, value] of Object.entries(h.extra)) {
    const k = key.trim().toLowerCase().replace(/\s+/g, ' ');
    if (KNOWN_KEYS.has(k)) bad(key, 'is an interpreted key; set the typed field instead of extra');
    if (!/^[a-z0-9][a-z0-9 _.\-/()]*$/.test(k)) bad(key, 'is not a valid key name');
    const v = value.trim();
    const multiLine = v.includes('\n');
    if ((multiLine && !v.startsWith('{')) || (v.startsWith('{') && v.indexOf('}') !== v.length - 1)) {
      bad(key, 'a multi-line value must be one {...} block');
    }
    put(k, v);
  }
  return `${out.join('\n')}\n`;
}

function serializeMapInfo(m: EnviMapInfo, bad: (why: string) => never): string {
  const nums = [m.referencePixelSample, m.referencePixelLine, m.easting, m.northing, m.pixelSizeX, m.pixelSizeY];
  if (!nums.every(Number.isFinite)) bad('reference pixel, easting/northing and pixel sizes must be finite');
  if (!(m.pixelSizeX > 0 && m.pixelSizeY > 0)) bad('pixel sizes must be positive');
  const items = [m.projection, ...nums.map(fmt)];
  if (/^utm$/i.test(m.projection)) {
    if (m.zone === undefined || m.hemisphere === undefined) bad('UTM needs zone and hemisphere');
    items.push(String(m.zone), m.hemisphere as string);
  }
  if (m.datum !== undefined) items.push(m.datum);
  if (m.units !== undefined) items.push(`units=${m.units}`);
  if (m.rotationDeg !== undefined) {
    if (!Number.isFinite(m.rotationDeg)) bad('rotation must be finite');
    items.push(`rotation=${fmt(m.rotationDeg)}`);
  }
  if (m.extra) items.push(...m.extra);
  for (const it of items) if (/[{},\n]/.test(it)) bad(`item "${it}" contains a comma, brace or newline`);
  return `{${items.join(', ')}}`;
}

/** Shortest text that reads back as the same double. */
function fmt(v: number): string {
  return Object.is(v, -0) ? '-0' : String(v);
}

/** `{a, b, c}`, wrapped over lines of about 100 characters when long. */
function braceList(items: string[]): string {
  const flat = items.join(', ');
  if (flat.length <= 100) return `{${flat}}`;
  const lines: string[] = [];
  let cur = '';
  for (const it of items) {
    if (cur !== '' && cur.length + it.length + 2 > 100) {
      lines.push(cur);
      cur = '';
    }
    cur = cur === '' ? it : `${cur}, ${it}`;
  }
  if (cur !== '') lines.push(cur);
  return `{\n  ${lines.join(',\n  ')}}`;
}
