/**
 * Descriptors of the LWIR input files read by this folder (kept apart from the parsers, parse.ts).
 * Each file is plain text; none has magic bytes, so the descriptor names the first-line marker that
 * tells the files apart.
 */

export const grosskcAtmosphereFormat = {
  name: 'Gross LWIR atmospheres (CSV export of LWIR_HSI_inputs.h5 tau/La/Ld)',
  id: 'grosskc-lwir-atmosphere',
  extensions: ['.csv'],
  /** A '#' comment line, then rows: wavenumber cm⁻¹, one value per atmosphere. */
  commentPrefix: '#',
  quantities: {
    transmittance: { file: 'grosskc_lwir_tau_80atm.csv', units: '1', min: 0, max: 1 },
    pathRadiance: { file: 'grosskc_lwir_La_80atm.csv', units: 'uW/(cm2 sr cm-1)', min: 0, max: Infinity },
    downwellingRadiance: { file: 'grosskc_lwir_Ld_80atm.csv', units: 'uW/(cm2 sr cm-1)', min: 0, max: Infinity },
  },
} as const;

export const grosskcEmissivityFormat = {
  name: 'Gross LWIR emissivities (CSV export of LWIR_HSI_inputs.h5 emis)',
  id: 'grosskc-lwir-emissivity',
  extensions: ['.csv'],
  commentPrefix: '#',
  /** Rows: wavenumber cm⁻¹, one unlabeled emissivity per material. */
  axis: 'wavenumber',
} as const;

export const lumaSlumEmissivityFormat = {
  name: 'LUMA SLUM thermal-infrared emissivity (Kotthaus et al. 2014)',
  id: 'luma-slum-ir',
  extensions: ['.csv'],
  /** First line: "wavelength","A001",... (quoted sample codes); rows: wavelength µm, emissivities. */
  headerStart: '"wavelength"',
  axis: 'wavelength-um',
} as const;

export const channelListFormat = {
  name: 'isofit wavelength file (index, centre µm, FWHM µm)',
  id: 'isofit-wavelengths',
  extensions: ['.txt'],
  /** Whitespace-separated rows: index, centre, FWHM; centre in µm (values < 100) or nm. */
} as const;
