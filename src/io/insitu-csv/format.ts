/**
 * Descriptor of the in-situ CSV format: what it is called, how it is recognised, which columns it
 * has. Kept apart from the parser (parse.ts) so the CLI, the server and format detection can use it
 * without loading the parser.
 */

export const inSituCsvFormat = {
  name: 'plumetrace in-situ CSV',
  id: 'insitu-csv',
  extensions: ['.csv'],
  mimeTypes: ['text/csv'],
  /** Columns every file must have, spelled exactly. */
  requiredColumns: ['time', 'lat', 'lon', 'alt_m', 'ppm'],
  /** Columns read when present; any other column is ignored. */
  optionalColumns: [
    'wind_u',
    'wind_v',
    'sigma_ppm',
    'gas',
    'kind',
    'lat2',
    'lon2',
    'alt2_m',
    'wind_dir_std_deg',
    'averaging_s',
  ],
  /** Values of the `kind` column; empty means point. */
  kinds: ['point', 'path'],
  defaultGas: 'CH4',
} as const;

export type InSituColumn =
  | (typeof inSituCsvFormat.requiredColumns)[number]
  | (typeof inSituCsvFormat.optionalColumns)[number];

/** True when the bytes look like text (no NUL bytes, few control characters) — the cheap first check. */
export function looksLikeText(bytes: Uint8Array): boolean {
  const n = Math.min(bytes.length, 4096);
  let control = 0;
  for (let i = 0; i < n; i++) {
    const b = bytes[i];
    if (b === 0) return false;
    if (b < 9 || (b > 13 && b < 32)) control++;
  }
  return control <= n * 0.01;
}
