/**
 * Descriptor of the ENVI raster format: a text header (`.hdr`, first line `ENVI`) beside a raw
 * binary data file. Kept apart from the parser (header.ts), reader (reader.ts) and writer
 * (writer.ts) so format detection, the CLI and the server can use it without loading them.
 *
 * Names in our API are words (`'uint16'`, `'bip'`, `'little'`); the ENVI codes appear only in the
 * header text and in this table.
 */

/** Data types by name; the ENVI `data type` code of each is in {@link enviDataTypes}. */
export type EnviDataType =
  | 'uint8'
  | 'int16'
  | 'int32'
  | 'float32'
  | 'float64'
  | 'uint16'
  | 'uint32'
  | 'int64'
  | 'uint64';
export type EnviInterleave = 'bsq' | 'bil' | 'bip';
/** `byte order = 0` is little-endian, `1` big-endian. */
export type EnviByteOrder = 'little' | 'big';

export interface EnviDataTypeSpec {
  /** The `data type` code in the header. */
  readonly code: number;
  /** Bytes per value. */
  readonly bytes: 1 | 2 | 4 | 8;
  /** Whether writeEnvi/createEnviWriter can produce it (64-bit integers are read-only). */
  readonly writable: boolean;
  /** Smallest and largest value an integer type holds (undefined for floating point). */
  readonly min?: number;
  readonly max?: number;
}

export const enviDataTypes: Readonly<Record<EnviDataType, EnviDataTypeSpec>> = {
  uint8: { code: 1, bytes: 1, writable: true, min: 0, max: 255 },
  int16: { code: 2, bytes: 2, writable: true, min: -32768, max: 32767 },
  int32: { code: 3, bytes: 4, writable: true, min: -2147483648, max: 2147483647 },
  float32: { code: 4, bytes: 4, writable: true },
  float64: { code: 5, bytes: 8, writable: true },
  uint16: { code: 12, bytes: 2, writable: true, min: 0, max: 65535 },
  uint32: { code: 13, bytes: 4, writable: true, min: 0, max: 4294967295 },
  int64: { code: 14, bytes: 8, writable: false },
  uint64: { code: 15, bytes: 8, writable: false },
};

/** ENVI codes we know but do not read: complex types. */
export const unsupportedEnviDataTypeCodes: Readonly<Record<number, string>> = {
  6: 'complex64 (2×float32)',
  9: 'complex128 (2×float64)',
};

export function enviDataTypeFromCode(code: number): EnviDataType | undefined {
  for (const [name, spec] of Object.entries(enviDataTypes)) if (spec.code === code) return name as EnviDataType;
  return undefined;
}

export const enviInterleaves: readonly EnviInterleave[] = ['bsq', 'bil', 'bip'];

/** Units the `wavelength units` key may name, in the spelling we write. */
export const enviWavelengthUnits = [
  'Micrometers',
  'Nanometers',
  'Millimeters',
  'Centimeters',
  'Meters',
  'Wavenumber',
  'GHz',
  'MHz',
  'Index',
  'Unknown',
] as const;
export type EnviWavelengthUnits = (typeof enviWavelengthUnits)[number];

export const enviFormat = {
  name: 'ENVI raster (header + raw binary)',
  id: 'envi',
  /** Header extension, and the data extensions looked for beside it (in this order; '' = none). */
  headerExtension: '.hdr',
  dataExtensions: ['.img', '.dat', '.raw', '.bsq', '.bil', '.bip', ''],
  extensions: ['.hdr', '.img', '.dat', '.raw', '.bsq', '.bil', '.bip'],
  mimeTypes: ['application/octet-stream'],
  /** The header's first line, in ASCII: `ENVI`. */
  magic: Uint8Array.of(0x45, 0x4e, 0x56, 0x49),
  /** Keys a header must have (lower case, single spaces). */
  requiredKeys: ['samples', 'lines', 'bands', 'data type', 'interleave'],
} as const;

/** True when the bytes begin like an ENVI header: optional UTF-8 BOM and blanks, then `ENVI`. */
export function looksLikeEnviHeader(bytes: Uint8Array): boolean {
  let i = 0;
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) i = 3;
  while (i < bytes.length && (bytes[i] === 0x20 || bytes[i] === 0x09 || bytes[i] === 0x0d || bytes[i] === 0x0a)) i++;
  const m = enviFormat.magic;
  for (let k = 0; k < m.length; k++) if (bytes[i + k] !== m[k]) return false;
  return true;
}
