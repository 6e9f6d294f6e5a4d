/**
 * Spectral radiance units of thermal (LWIR) cubes and their conversion to plumetrace's unit,
 * µW/(cm² sr cm⁻¹) (per wavenumber). Pure: no Node APIs.
 *
 * A unit is read as power prefix × W / (area · sr · spectral unit):
 *   power   W, mW, µW (u, µ, μ, micro), nW
 *   area    m², cm²
 *   per     cm⁻¹ (per wavenumber), µm, nm (per wavelength)
 * written either as a fraction — `uW/(cm^2 sr cm^-1)`, `W/(m2 sr um)`, `microwatts/cm2/sr/nm` — or
 * with negative exponents — `W m-2 sr-1 um-1`, `uW cm-2 sr-1 (cm-1)-1`. Anything else is
 * PT_ERR_RADIANCE_UNITS, naming the text.
 *
 * Conversion, per band at its centre wavelength λ (nm) / wavenumber ν = 1e7/λ (cm⁻¹):
 *   scale   = (power prefix in µW) / (area in cm²)          (W/m² → µW/cm²: 1e6 / 1e4 = 100)
 *   per cm⁻¹: L_ν = scale · L
 *   per nm:   L_ν = scale · L · λ_nm² / 1e7                 (|dλ/dν| = 1e7/ν² nm per cm⁻¹)
 *   per µm:   L_ν = scale · L · λ_µm² / 1e4                 (|dλ/dν| = 1e4/ν² µm per cm⁻¹)
 * e.g. at 10 µm, 1 W/(m² sr µm) = 100 µW/(cm² sr µm) = 100 · 100 / 1e4 = 1 µW/(cm² sr cm⁻¹), and
 * 1 µW/(cm² sr nm) = 1e8 / 1e7 = 10 µW/(cm² sr cm⁻¹). The band is taken as narrow (the factor at
 * its centre).
 */
import { PlumetraceError } from '../errors.ts';

export type SpectralPer = 'cm-1' | 'um' | 'nm';

export interface RadianceUnit {
  /** Canonical label, e.g. `uW/(cm^2 sr cm^-1)`. */
  readonly label: string;
  /** Power prefix in µW per unit power (W: 1e6). */
  readonly microwattsPerUnit: number;
  /** Area in cm² per unit area (m²: 1e4). */
  readonly cm2PerUnit: number;
  readonly per: SpectralPer;
}

/** plumetrace's LWIR radiance unit (lwir-types.ts). */
export const LWIR_RADIANCE_UNIT_LABEL = 'uW/(cm^2 sr cm^-1)';

const POWER: Readonly<Record<string, number>> = { w: 1e6, mw: 1e3, uw: 1, nw: 1e-3 };
const AREA: Readonly<Record<string, number>> = { m: 1e4, cm: 1 };
const POWER_LABEL: Readonly<Record<string, string>> = { w: 'W', mw: 'mW', uw: 'uW', nw: 'nW' };
const PER_LABEL: Readonly<Record<SpectralPer, string>> = { 'cm-1': 'cm^-1', um: 'um', nm: 'nm' };

function bad(text: string, why: string): never {
  throw new PlumetraceError(
    'PT_ERR_RADIANCE_UNITS',
    `"${text}" ${why}; known forms: uW/(cm^2 sr cm^-1), W/(m^2 sr cm^-1), uW/(cm^2 sr nm), uW/(cm^2 sr um), W/(m^2 sr um) (W, mW, uW, nW; m^2, cm^2; per cm^-1, um, nm)`,
  );
}

/** Parses a radiance unit (see the module comment); throws PT_ERR_RADIANCE_UNITS when it is not one. */
export function parseRadianceUnits(text: string): RadianceUnit {
  let s = text
    .trim()
    .toLowerCase()
    .replace(/[µμ]/g, 'u')
    .replace(/micro-?watts?/g, 'uw')
    .replace(/milli-?watts?/g, 'mw')
    .replace(/nano-?watts?/g, 'nw')
    .replace(/watts?/g, 'w')
    .replace(/microns?|micrometers?|micrometres?/g, 'um')
    .replace(/nanometers?|nanometres?/g, 'nm')
    .replace(/centimeters?|centimetres?/g, 'cm')
    .replace(/meters?|metres?/g, 'm')
    .replace(/steradians?/g, 'sr')
    .replace(/wavenumbers?/g, 'cm-1')
    .replace(/[²]/g, '2')
    .replace(/⁻¹/g, '-1')
    .replace(/\^/g, '')
    .replace(/[\s·*.()]+/g, ' ')
    .replace(/1\s*\/\s*cm/g, 'cm-1')
    .trim();
  if (s === '') bad(text, 'is empty');
  // Fraction form: power / (area sr spectral), the denominator's parts separated by spaces or '/'.
  let m = /^(w|mw|uw|nw)\s*\/\s*(.+)$/.exec(s);
  let power: string;
  let rest: string[];
  if (m) {
    power = m[1];
    rest = m[2].split(/[\s/]+/).filter((x) => x !== '');
  } else {
    // Exponent form: "w m-2 sr-1 um-1", "uw cm-2 sr-1 cm" (per cm⁻¹ is × cm).
    s = s.replace(/cm-1\s*-1/g, 'cm');
    m = /^(w|mw|uw|nw)\s+(.+)$/.exec(s);
    if (!m) bad(text, 'is not a radiance unit (power / (area sr spectral unit))');
    power = m[1];
    rest = [];
    for (const tok of m[2].split(/\s+/)) {
      const e = /^(cm|m|sr|um|nm)(-?\d*)$/.exec(tok);
      if (!e) bad(text, `has "${tok}", which is not an area, sr or spectral unit`);
      const exp = e[2] === '' ? 1 : Number(e[2]);
      if (e[1] === 'sr' && exp === -1) rest.push('sr');
      else if ((e[1] === 'cm' || e[1] === 'm') && exp === -2) rest.push(`${e[1]}2`);
      else if ((e[1] === 'um' || e[1] === 'nm') && exp === -1) rest.push(e[1]);
      else if (e[1] === 'cm' && exp === 1) rest.push('cm-1');
      else bad(text, `has "${tok}", an exponent that does not make a spectral radiance`);
    }
  }
  const area = rest.filter((x) => /^c?m2$/.test(x));
  const sr = rest.filter((x) => x === 'sr');
  const per = rest.filter((x) => x === 'cm-1' || x === 'um' || x === 'nm');
  if (area.length !== 1 || sr.length !== 1 || per.length !== 1 || rest.length !== 3) {
    bad(text, 'needs exactly one area (m^2 or cm^2), sr, and one spectral unit (cm^-1, um or nm)');
  }
  const perKey = per[0] as SpectralPer;
  const areaKey = area[0].replace(/2$/, '');
  return {
    label: `${POWER_LABEL[power]}/(${areaKey}^2 sr ${PER_LABEL[perKey]})`,
    microwattsPerUnit: POWER[power],
    cm2PerUnit: AREA[areaKey],
    per: perKey,
  };
}

/**
 * The factor that turns a value in `unit` at a band centred at `wavelengthNm` into
 * µW/(cm² sr cm⁻¹) (see the module comment).
 */
export function radianceFactorToUwCm2SrCm1(unit: RadianceUnit, wavelengthNm: number): number {
  if (!(wavelengthNm > 0) || !Number.isFinite(wavelengthNm)) {
    throw new PlumetraceError('PT_ERR_SPECTRAL_INPUT', `band centre ${wavelengthNm} nm must be finite and > 0`);
  }
  const scale = unit.microwattsPerUnit / unit.cm2PerUnit;
  if (unit.per === 'cm-1') return scale;
  if (unit.per === 'nm') return (scale * wavelengthNm * wavelengthNm) / 1e7;
  const um = wavelengthNm / 1e3;
  return (scale * um * um) / 1e4;
}

/** Converts a band-interleaved-by-pixel cube in place to µW/(cm² sr cm⁻¹); returns the per-band factors. */
export function convertRadianceBip(
  data: Float32Array | Float64Array,
  bands: number,
  wavelengthNm: ArrayLike<number>,
  unit: RadianceUnit,
): Float64Array {
  if (wavelengthNm.length !== bands) {
    throw new PlumetraceError('PT_ERR_SPECTRAL_INPUT', `${wavelengthNm.length} band centres for ${bands} bands`);
  }
  const f = Float64Array.from({ length: bands }, (_, k) => radianceFactorToUwCm2SrCm1(unit, wavelengthNm[k]));
  if (f.every((v) => v === 1)) return f;
  for (let i = 0; i < data.length; i += bands) for (let k = 0; k < bands; k++) data[i + k] *= f[k];
  return f;
}
