/**
 * Descriptor of the Chilbolton 2017 controlled-release dataset (Hirst et al. 2020, GRL 47,
 * e2019GL086725; CC-BY): the open-path laser dispersion spectrometer (LDS) files, the cylinder
 * weigh-scale logs and the geometry table. Kept apart from the parsers (parse.ts) so callers can
 * recognise the files without loading them.
 */

export const chilboltonFormat = {
  name: 'Chilbolton 2017 open-path CH4 release (LDS + sonic + weigh scale)',
  id: 'chilbolton-lds',
  /** One LDS file per beam and release: `<release>/POS<beam>_<release>_processed.txt`. */
  ldsFileName: (release: string, beam: number): string => `${release}/POS${beam}_${release}_processed.txt`,
  geometryFileName: 'geometry_and_truth.csv',
  weightDir: 'weight_data',
  /** Weigh-scale log of each release, named `<YYYYMMDD>_<YYYYMMDD>_<what>.CSV` in weight_data/. */
  weightFileNames: { rel02: '20170509_20170509_rel02.CSV' } as Record<string, string>,
  beams: [1, 2, 3, 4, 5, 6, 7] as const,
  /** The LDS header: 13 lines (label/value pairs, then a row of asterisks), line 14 names the columns. */
  headerLineCount: 13,
  headerLabels: {
    3: 'Time stamp for record start',
    5: 'Nb of points in the record',
    7: 'Beam position index',
    9: 'Beam angle (degrees)',
    11: 'Open Path length (m)',
  } as Record<number, string>,
  /** Column names of line 14, in order. */
  columns: [
    'Elapsedtime_sec',
    'Temp_K',
    'Press_Pa',
    'Humidity_ppmv',
    'WindX_m/s',
    'WindY_m/s',
    'WindZ_m/s',
    'Speedofsound_m/s',
    'CH4vmr_ppmv',
    'CH4vmrerror_ppmv',
  ],
  /** Value the sonic writes in WindX/Y/Z when it has no sample (speed of sound then reads 307.232). */
  sonicFillValue: -65.536,
  /** Record start: `MM/DD/YYYY  hh:mm:ss.ssss`, month first, in the loggers' clock (see README.md). */
  startTimePattern: /^(\d{2})\/(\d{2})\/(\d{4})\s+(\d{2}):(\d{2}):(\d{2}(?:\.\d+)?)$/,
  /** Weigh-scale rows: `SHELLdd/mm/yy,hh:mm:ss,mass_kg` (day first, two-digit year). */
  weightRowPattern: /^(?:SHELL)?(\d{2})\/(\d{2})\/(\d{2}),(\d{2}):(\d{2}):(\d{2}),\s*([0-9]+(?:\.[0-9]*)?)$/,
} as const;

/** True when the first lines of a text look like an LDS processed file. */
export function looksLikeLdsFile(text: string): boolean {
  const lines = text.split(/\r?\n/, 14);
  return lines.length >= 14 && lines[2]?.trim() === chilboltonFormat.headerLabels[3] && lines[13]?.includes('CH4vmr');
}
