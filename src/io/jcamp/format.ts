/**
 * Descriptors of the spectrum formats of the gas library, kept apart from their parsers so format
 * detection and the library loader can use them without loading the readers.
 *
 * JCAMP-DX 4.24 (McDonald & Wilks, Appl. Spectrosc. 42 (1988) 151): a labelled text header
 * (`##LABEL=value`) and one data block, `##XYDATA=(X++(Y..Y))` in AFFN or ASDF (SQZ/DIF/DUP), or a
 * `##PEAK TABLE=(XY..XY)` / `##XYPOINTS=(XY..XY)` list of pairs. NIST WebBook spectra are of this kind.
 *
 * HITRAN cross-sections (`.xsc`, Kochanov et al., JQSRT 230 (2019) 172): blocks of one fixed-column
 * header line and `npts` cross-sections (cm²/molecule), ten per line, on an even wavenumber grid.
 */

export const jcampFormat = {
  name: 'JCAMP-DX spectrum',
  id: 'jcamp-dx',
  extensions: ['.jdx', '.dx', '.jcamp', '.jcm'],
  mimeTypes: ['chemical/x-jcamp-dx'],
  /** Every JCAMP-DX file starts (after blank lines) with this label. */
  magic: '##TITLE=',
  /** The only data forms read (spaces removed, upper case). */
  xyDataForms: ['(X++(Y..Y))'],
  pairForms: ['(XY..XY)', '(XYW..XYW)', '(XYM)', '(XYWM)'],
  /** Labels the writer computes itself (normalised names, see normaliseLabel). */
  computedLabels: [
    'TITLE',
    'JCAMPDX',
    'XUNITS',
    'YUNITS',
    'XFACTOR',
    'YFACTOR',
    'FIRSTX',
    'LASTX',
    'DELTAX',
    'FIRSTY',
    'MAXX',
    'MINX',
    'MAXY',
    'MINY',
    'NPOINTS',
    'XYDATA',
    'XYPOINTS',
    'PEAKTABLE',
    'END',
  ],
  /** Longest data line the writer produces (the standard's limit). */
  maxLineLength: 80,
} as const;

/**
 * Column layout of a HITRAN `.xsc` header line (Fortran format
 * A20,F10.4,F10.4,I7,F7.2,F6.1,E10.3,A5,A15,A4,A3,I3; 100 characters).
 */
export const xscFormat = {
  name: 'HITRAN absorption cross-sections',
  id: 'hitran-xsc',
  extensions: ['.xsc'],
  headerColumns: [
    { field: 'molecule', width: 20 },
    { field: 'wavenumberMinCm', width: 10 },
    { field: 'wavenumberMaxCm', width: 10 },
    { field: 'nPoints', width: 7 },
    { field: 'temperatureK', width: 7 },
    { field: 'pressureTorr', width: 6 },
    { field: 'maxCrossSectionCm2', width: 10 },
    { field: 'resolution', width: 5 },
    { field: 'commonName', width: 15 },
    { field: 'reserved', width: 4 },
    { field: 'broadener', width: 3 },
    { field: 'reference', width: 3 },
  ],
  valuesPerLine: 10,
  valueWidth: 10,
} as const;

/**
 * A label name as JCAMP-DX compares them: upper case, with spaces, dashes, slashes and underscores
 * removed (`##CAS REGISTRY NO` → `CASREGISTRYNO`, `##$NIST SOURCE` → `$NISTSOURCE`).
 */
export function normaliseLabel(key: string): string {
  return key.toUpperCase().replace(/[\s\-/_]/g, '');
}
