/**
 * The one registry of plumetrace error codes.
 *
 * Every error the product reports to a user has a code here, with its message template, the HTTP
 * status the server answers with, and the exit code of the CLI. docs/errors.md documents the same
 * table and a test keeps the two in sync. Codes are never reused or renumbered: scripts rely on them.
 *
 * This module is pure (no Node APIs) so core code, workers and the browser can use it.
 */

export interface ErrorSpec {
  /** What went wrong, in words a user understands. */
  readonly message: string;
  /** HTTP status the server answers with. */
  readonly httpStatus: number;
  /** Exit code of the `plumetrace` command. */
  readonly exitCode: number;
}

export const ERROR_CODES = {
  PT_ERR_INTERNAL: { message: 'Internal error', httpStatus: 500, exitCode: 1 },
  PT_ERR_USAGE: { message: 'Invalid command-line usage', httpStatus: 400, exitCode: 2 },
  PT_ERR_FILE_NOT_FOUND: { message: 'File not found', httpStatus: 404, exitCode: 3 },
  PT_ERR_FILE_EMPTY: { message: 'File is empty', httpStatus: 400, exitCode: 4 },
  PT_ERR_CSV_FORMAT: { message: 'Not a readable CSV file', httpStatus: 400, exitCode: 5 },
  PT_ERR_CSV_MISSING_COLUMN: { message: 'Required CSV column missing', httpStatus: 400, exitCode: 6 },
  PT_ERR_CSV_BAD_VALUE: { message: 'Bad value in CSV', httpStatus: 400, exitCode: 7 },
  PT_ERR_NO_WIND: { message: 'No wind information', httpStatus: 422, exitCode: 8 },
  PT_ERR_TOO_FEW_SAMPLES: { message: 'Too few usable samples', httpStatus: 422, exitCode: 9 },
  PT_ERR_NO_SOURCE_FOUND: { message: 'No source could be located', httpStatus: 422, exitCode: 10 },
  PT_ERR_DB_OPEN: { message: 'Cannot open the database', httpStatus: 503, exitCode: 11 },
  PT_ERR_DB_UNSUPPORTED: { message: 'Unsupported database URL', httpStatus: 500, exitCode: 12 },
  PT_ERR_DB_WRITE: { message: 'Database write failed; nothing was stored', httpStatus: 500, exitCode: 13 },
  PT_ERR_NOT_FOUND: { message: 'Resource not found', httpStatus: 404, exitCode: 14 },
  PT_ERR_BAD_REQUEST: { message: 'Bad request', httpStatus: 400, exitCode: 15 },
  PT_ERR_PORT_IN_USE: { message: 'Address already in use', httpStatus: 500, exitCode: 16 },
  PT_ERR_UNAUTHENTICATED: { message: 'Sign-in required', httpStatus: 401, exitCode: 70 },
  PT_ERR_FORBIDDEN: { message: 'Not allowed for this role', httpStatus: 403, exitCode: 71 },
  PT_ERR_CSRF: { message: 'Missing or wrong CSRF token', httpStatus: 403, exitCode: 72 },
  PT_ERR_RATE_LIMITED: { message: 'Too many requests', httpStatus: 429, exitCode: 73 },
  PT_ERR_UNSUPPORTED_MEDIA_TYPE: { message: 'Unsupported request body type', httpStatus: 415, exitCode: 74 },
  PT_ERR_MALFORMED_JSON: { message: 'Request body is not valid JSON', httpStatus: 400, exitCode: 75 },
  PT_ERR_BODY_TOO_LARGE: { message: 'Request body too large', httpStatus: 413, exitCode: 76 },
  PT_ERR_SPECTRAL_INPUT: { message: 'Invalid spectral input', httpStatus: 400, exitCode: 50 },
  PT_ERR_LUT_FORMAT: { message: 'Not a readable absorption look-up table', httpStatus: 400, exitCode: 51 },
  PT_ERR_ULOG_CORRUPT: { message: 'Not a ULog file, or truncated or corrupt', httpStatus: 400, exitCode: 30 },
  PT_ERR_ULOG_MISSING_TOPIC: { message: 'Required ULog topic missing', httpStatus: 400, exitCode: 31 },
  PT_ERR_ULOG_MISSING_FIELD: { message: 'Required ULog field missing', httpStatus: 400, exitCode: 32 },
  PT_ERR_ULOG_NO_TIME: { message: 'No UTC time reference in the ULog', httpStatus: 422, exitCode: 33 },
  PT_ERR_ULOG_BAD_VALUE: { message: 'Bad value in ULog', httpStatus: 400, exitCode: 34 },
  PT_ERR_ENVI_HEADER: { message: 'Invalid ENVI header', httpStatus: 400, exitCode: 40 },
  PT_ERR_ENVI_SIZE: { message: 'ENVI data file size does not match its header', httpStatus: 400, exitCode: 41 },
  PT_ERR_RASTER_WINDOW: { message: 'Requested window lies outside the raster', httpStatus: 400, exitCode: 42 },
  PT_ERR_RASTER_WRITE: { message: 'Cannot write raster; nothing was written', httpStatus: 500, exitCode: 43 },
  PT_ERR_EMIT_FORMAT: { message: 'Not a readable EMIT L1B radiance file', httpStatus: 400, exitCode: 44 },
  PT_ERR_RELEASE_DATA_FORMAT: { message: 'Not a readable controlled-release data file', httpStatus: 400, exitCode: 60 },
  PT_ERR_JCAMP_FORMAT: { message: 'Not a readable JCAMP-DX spectrum', httpStatus: 400, exitCode: 61 },
  PT_ERR_JCAMP_TRUNCATED: { message: 'JCAMP-DX file is truncated', httpStatus: 400, exitCode: 62 },
  PT_ERR_JCAMP_BAD_CHARACTER: { message: 'Bad character in JCAMP-DX data', httpStatus: 400, exitCode: 63 },
  PT_ERR_JCAMP_Y_CHECK: { message: 'JCAMP-DX Y-check value does not match', httpStatus: 400, exitCode: 64 },
  PT_ERR_JCAMP_NPOINTS: { message: 'JCAMP-DX point count disagrees with NPOINTS', httpStatus: 400, exitCode: 65 },
  PT_ERR_XSC_FORMAT: { message: 'Not a readable HITRAN cross-section file', httpStatus: 400, exitCode: 66 },
  PT_ERR_GAS_LIBRARY: { message: 'Invalid gas library', httpStatus: 400, exitCode: 67 },
  PT_ERR_GAS_UNKNOWN: { message: 'Unknown gas', httpStatus: 400, exitCode: 68 },
  PT_ERR_LWIR_WAVELENGTHS: {
    message: 'Cube wavelengths are not thermal infrared or miss the gas library',
    httpStatus: 400,
    exitCode: 69,
  },
  PT_ERR_EXPORT_BAD_NUMBER: { message: 'Number in export input is not finite', httpStatus: 422, exitCode: 80 },
  PT_ERR_EXPORT_BAD_FIELD: { message: 'Missing or invalid field in export input', httpStatus: 422, exitCode: 81 },
  PT_ERR_EXPORT_BAD_GEOMETRY: {
    message: 'Invalid coordinates or polygon in export input',
    httpStatus: 422,
    exitCode: 82,
  },
  PT_ERR_EXPORT_BAD_IMAGE: { message: 'Plume image size does not match its values', httpStatus: 422, exitCode: 83 },
  PT_ERR_STAC_BAD_INPUT: { message: 'Invalid STAC item input', httpStatus: 422, exitCode: 84 },
  PT_ERR_WORKFLOW_ILLEGAL_TRANSITION: {
    message: 'Action not allowed in this workflow state',
    httpStatus: 409,
    exitCode: 85,
  },
  PT_ERR_WORKFLOW_FORBIDDEN: { message: 'Not allowed for this role or organization', httpStatus: 403, exitCode: 86 },
  PT_ERR_AUDIT_BROKEN: { message: 'Audit log hash chain is broken', httpStatus: 500, exitCode: 90 },
  PT_ERR_GEOJSON_FORMAT: { message: 'Not a readable GeoJSON polygon file', httpStatus: 400, exitCode: 91 },
  PT_ERR_PASSWORD_WEAK: { message: 'Password empty or too short', httpStatus: 400, exitCode: 92 },
  PT_ERR_ALREADY_EXISTS: { message: 'Already exists', httpStatus: 409, exitCode: 93 },
  PT_ERR_LWIR_DATA_FORMAT: {
    message: 'Not a readable LWIR atmosphere, emissivity or channel file',
    httpStatus: 400,
    exitCode: 94,
  },
  PT_ERR_RADIANCE_UNITS: { message: 'Unknown radiance units', httpStatus: 400, exitCode: 95 },
  PT_ERR_SIGNATURE_PROFILES: { message: 'Invalid signature profile file', httpStatus: 400, exitCode: 96 },
  PT_ERR_GAS_NOT_QUANTITATIVE: {
    message: 'Gas spectrum has no amount scale (band shape only)',
    httpStatus: 400,
    exitCode: 97,
  },
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof ERROR_CODES;

/** Where in an input an error was found, so the message can name the file, line and field. */
export interface ErrorLocation {
  file?: string;
  line?: number;
  column?: string;
}

/** An error with a registered code. `detail` says what exactly is wrong, in the user's terms. */
export class PlumetraceError extends Error {
  readonly code: ErrorCode;
  readonly detail: string;
  readonly location: ErrorLocation;

  constructor(code: ErrorCode, detail: string, location: ErrorLocation = {}, options?: { cause?: unknown }) {
    super(formatMessage(code, detail, location), options);
    this.name = 'PlumetraceError';
    this.code = code;
    this.detail = detail;
    this.location = location;
  }

  get httpStatus(): number {
    return ERROR_CODES[this.code].httpStatus;
  }

  get exitCode(): number {
    return ERROR_CODES[this.code].exitCode;
  }

  toJSON(): { code: ErrorCode; message: string; detail: string; location: ErrorLocation } {
    return { code: this.code, message: ERROR_CODES[this.code].message, detail: this.detail, location: this.location };
  }
}

function formatMessage(code: ErrorCode, detail: string, loc: ErrorLocation): string {
  const where = [
    loc.file,
    loc.line !== undefined ? `line ${loc.line}` : undefined,
    loc.column ? `column "${loc.column}"` : undefined,
  ]
    .filter((s) => s !== undefined)
    .join(', ');
  return `${code}: ${ERROR_CODES[code].message}${where ? ` (${where})` : ''}: ${detail}`;
}

export function isPlumetraceError(e: unknown): e is PlumetraceError {
  return e instanceof PlumetraceError;
}
