/**
 * Parsers of the LWIR inputs (pure text → typed arrays; read.ts does the file system). Every
 * problem is a PT_ERR_LWIR_DATA_FORMAT naming the file, the line and the column.
 *
 * - Gross atmospheres (three CSVs: τ, L↑, L↓): '#' comment, then `wavenumber, v1 … v80` rows.
 * - Gross emissivities: same layout, 22 unlabeled materials ("grosskc-1" … "grosskc-22").
 * - LUMA SLUM emissivities: header `"wavelength","A001",…`, rows in µm ascending; returned on an
 *   ascending wavenumber axis (rows reversed, ν = 1e4/λ).
 * - isofit channel lists: `index centre FWHM` rows (µm, or nm when the centres exceed 100).
 */

import { PlumetraceError } from '../../core/errors.ts';
import type { EmissivityLibrary, LwirAtmosphere } from '../../core/spectral/lwir-types.ts';
import { grosskcAtmosphereFormat } from './format.ts';

export type AtmosphereQuantity = keyof typeof grosskcAtmosphereFormat.quantities;

interface NumericTable {
  header: string[] | null;
  /** columns[j][i]: value of column j on data row i. */
  columns: Float64Array[];
  /** 1-based file line of each data row. */
  lineOf: number[];
}

function fail(file: string, detail: string, line?: number, column?: string): never {
  throw new PlumetraceError('PT_ERR_LWIR_DATA_FORMAT', detail, {
    file,
    ...(line !== undefined ? { line } : {}),
    ...(column !== undefined ? { column } : {}),
  });
}

function parseTable(text: string, file: string, sep: RegExp, withHeader: boolean): NumericTable {
  const lines = text.split(/\r?\n/);
  let header: string[] | null = null;
  const rows: number[][] = [];
  const lineOf: number[] = [];
  let width = -1;
  for (let li = 0; li < lines.length; li++) {
    const raw = lines[li].trim();
    if (raw === '' || raw.startsWith('#')) continue;
    const cells = raw.split(sep);
    if (withHeader && header === null) {
      header = cells.map((c) => c.replace(/^"|"$/g, ''));
      width = header.length;
      continue;
    }
    if (width < 0) width = cells.length;
    if (cells.length !== width) fail(file, `row has ${cells.length} columns, expected ${width}`, li + 1);
    const row = new Array<number>(width);
    for (let j = 0; j < width; j++) {
      const v = Number(cells[j]);
      if (cells[j] === '' || !Number.isFinite(v)) {
        fail(file, `"${cells[j]}" is not a number`, li + 1, header?.[j] ?? `column ${j + 1}`);
      }
      row[j] = v;
    }
    rows.push(row);
    lineOf.push(li + 1);
  }
  if (rows.length < 2) fail(file, `has ${rows.length} data rows; need at least 2`);
  const columns: Float64Array[] = [];
  for (let j = 0; j < width; j++) columns.push(Float64Array.from(rows, (r) => r[j]));
  return { header, columns, lineOf };
}

/** Checks an axis is strictly ascending (or descending when `descending`). */
function checkAxis(t: NumericTable, file: string, name: string, descending = false): void {
  const x = t.columns[0];
  for (let i = 1; i < x.length; i++) {
    if (descending ? !(x[i] < x[i - 1]) : !(x[i] > x[i - 1])) {
      fail(
        file,
        `${name} ${x[i]} does not follow ${x[i - 1]} in ${descending ? 'des' : 'as'}cending order`,
        t.lineOf[i],
        name,
      );
    }
  }
}

function checkRange(t: NumericTable, file: string, min: number, max: number, what: string): void {
  for (let j = 1; j < t.columns.length; j++) {
    const c = t.columns[j];
    for (let i = 0; i < c.length; i++) {
      if (!(c[i] >= min && c[i] <= max)) {
        fail(file, `${what} ${c[i]} lies outside ${min}–${max}`, t.lineOf[i], t.header?.[j] ?? `column ${j + 1}`);
      }
    }
  }
}

/** One quantity of the Gross atmospheres: the wavenumber axis and one array per atmosphere. */
export interface AtmosphereTable {
  readonly quantity: AtmosphereQuantity;
  readonly wavenumberCm1: Float64Array;
  /** values[a][i]: atmosphere a at wavenumber i. */
  readonly values: Float64Array[];
}

export function parseGrosskcAtmosphereCsv(text: string, file: string, quantity: AtmosphereQuantity): AtmosphereTable {
  const t = parseTable(text, file, /\s*,\s*/, false);
  if (t.columns.length < 2) fail(file, 'needs a wavenumber column and at least one atmosphere');
  checkAxis(t, file, 'wavenumber');
  const q = grosskcAtmosphereFormat.quantities[quantity];
  checkRange(t, file, q.min, q.max, quantity);
  return { quantity, wavenumberCm1: t.columns[0], values: t.columns.slice(1) };
}

/** The set of atmospheres: three tables on one grid. */
export interface AtmosphereSet {
  readonly wavenumberCm1: Float64Array;
  readonly count: number;
  readonly transmittance: Float64Array[];
  readonly pathRadiance: Float64Array[];
  readonly downwellingRadiance: Float64Array[];
}

/** Joins the three tables, checking they share a grid and an atmosphere count. */
export function joinAtmosphereTables(
  tau: AtmosphereTable,
  la: AtmosphereTable,
  ld: AtmosphereTable,
  files: { tau: string; la: string; ld: string },
): AtmosphereSet {
  for (const [t, f] of [
    [la, files.la],
    [ld, files.ld],
  ] as const) {
    if (t.values.length !== tau.values.length) {
      fail(f, `has ${t.values.length} atmospheres but ${files.tau} has ${tau.values.length}`);
    }
    if (t.wavenumberCm1.length !== tau.wavenumberCm1.length) {
      fail(f, `has ${t.wavenumberCm1.length} wavenumbers but ${files.tau} has ${tau.wavenumberCm1.length}`);
    }
    for (let i = 0; i < t.wavenumberCm1.length; i++) {
      if (Math.abs(t.wavenumberCm1[i] - tau.wavenumberCm1[i]) > 1e-9) {
        fail(f, `wavenumber ${t.wavenumberCm1[i]} differs from ${tau.wavenumberCm1[i]} in ${files.tau}`);
      }
    }
  }
  return {
    wavenumberCm1: tau.wavenumberCm1,
    count: tau.values.length,
    transmittance: tau.values,
    pathRadiance: la.values,
    downwellingRadiance: ld.values,
  };
}

/** Atmosphere `index` (0-based) of the set, named "grosskc-<index+1>" (the CSV column). */
export function atmosphereOf(set: AtmosphereSet, index: number): LwirAtmosphere {
  if (!Number.isInteger(index) || index < 0 || index >= set.count) {
    throw new PlumetraceError(
      'PT_ERR_BAD_REQUEST',
      `atmosphere index ${index} must be an integer in 0–${set.count - 1}`,
    );
  }
  return {
    name: `grosskc-${index + 1}`,
    wavenumberCm1: set.wavenumberCm1,
    transmittance: set.transmittance[index],
    pathRadiance: set.pathRadiance[index],
    downwellingRadiance: set.downwellingRadiance[index],
  };
}

function library(name: string, names: string[], axis: Float64Array, cols: Float64Array[]): EmissivityLibrary {
  const n = axis.length;
  const emissivity = new Float64Array(cols.length * n);
  cols.forEach((c, m) => {
    emissivity.set(c, m * n);
  });
  return { name, materialNames: names, wavenumberCm1: axis, emissivity };
}

/** The 22 unlabeled emissivities of the Gross data, named grosskc-1 … grosskc-22. */
export function parseGrosskcEmissivityCsv(text: string, file: string): EmissivityLibrary {
  const t = parseTable(text, file, /\s*,\s*/, false);
  if (t.columns.length < 2) fail(file, 'needs a wavenumber column and at least one material');
  checkAxis(t, file, 'wavenumber');
  checkRange(t, file, 0, 1, 'emissivity');
  const cols = t.columns.slice(1);
  return library(
    'grosskc',
    cols.map((_, m) => `grosskc-${m + 1}`),
    t.columns[0],
    cols,
  );
}

/** LUMA SLUM emissivities (74 urban materials, 8–14 µm), on ascending wavenumber. */
export function parseLumaSlumEmissivityCsv(text: string, file: string): EmissivityLibrary {
  const t = parseTable(text, file, /\s*,\s*/, true);
  const header = t.header ?? [];
  if (header[0]?.toLowerCase() !== 'wavelength') fail(file, `first column is "${header[0]}", expected "wavelength"`, 1);
  if (t.columns.length < 2) fail(file, 'needs a wavelength column and at least one material');
  checkAxis(t, file, 'wavelength');
  checkRange(t, file, 0, 1, 'emissivity');
  const um = t.columns[0];
  if (!(um[0] > 1 && um[um.length - 1] < 100)) fail(file, `wavelengths ${um[0]}–${um[um.length - 1]} are not in µm`);
  const n = um.length;
  const axis = Float64Array.from({ length: n }, (_, i) => 1e4 / um[n - 1 - i]);
  const cols = t.columns.slice(1).map((c) => Float64Array.from({ length: n }, (_, i) => c[n - 1 - i]));
  return library('luma-slum', header.slice(1), axis, cols);
}

/** A sensor's channel list as written (file order). */
export interface ChannelList {
  readonly index: Int32Array;
  readonly centerUm: Float64Array;
  readonly fwhmUm: Float64Array;
}

/** isofit wavelength files: `index centre FWHM` per line; centres above 100 are taken as nm. */
export function parseChannelList(text: string, file: string): ChannelList {
  const t = parseTable(text, file, /\s+/, false);
  if (t.columns.length !== 3) fail(file, `has ${t.columns.length} columns; expected index, centre, FWHM`);
  const [idx, c, f] = t.columns;
  const scale = c[0] > 100 ? 1e-3 : 1;
  for (let i = 0; i < c.length; i++) {
    if (!(c[i] > 0) || !(f[i] > 0)) fail(file, `centre ${c[i]} and FWHM ${f[i]} must be > 0`, t.lineOf[i]);
    if (i > 0 && !(c[i] > c[i - 1]))
      fail(file, `centre ${c[i]} does not follow ${c[i - 1]} in ascending order`, t.lineOf[i]);
  }
  return {
    index: Int32Array.from(idx),
    centerUm: c.map((v) => v * scale),
    fwhmUm: f.map((v) => v * scale),
  };
}
