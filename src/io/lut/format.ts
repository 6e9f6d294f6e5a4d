/**
 * Descriptor of mag1c's methane absorption look-up table: a raw binary ENVI image (`ch4.lut`) with
 * an ENVI text header beside it (`ch4.hdr`). Kept apart from the reader (read.ts).
 *
 * The file is one spectrum per ENVI "sample": samples = enhancements (7), lines = 1, bands =
 * wavelengths (31,800), BSQ, little-endian float64 — so in file order the value for wavelength i and
 * enhancement q sits at index i * samples + q. The enhancements themselves are not in the header;
 * they are a constant of mag1c (mag1c.py), repeated here.
 */

export const mag1cLutFormat = {
  name: 'mag1c methane absorption look-up table (ENVI)',
  id: 'mag1c-lut',
  extensions: ['.lut'],
  headerExtensions: ['.hdr'],
  /** The header's first line. */
  headerMagic: 'ENVI',
  /** Methane enhancement of each of the table's spectra (ENVI samples), ppm·m, as in mag1c.py. */
  enhancementPpmM: [0, 500, 1000, 2000, 4000, 8000, 16000],
} as const;
