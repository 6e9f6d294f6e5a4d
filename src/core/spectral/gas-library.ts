/**
 * The LWIR gas library: absorbance spectra per ppm·m, built from decoded spectrum files (readers
 * live in src/io/jcamp; the folder loader is src/io/gas-library.ts). Pure (no Node APIs).
 *
 * Units, derived once here:
 *
 * - NIST Quantitative IR files (`##CLASS=IUPAC A`, `##$NIST SOURCE=QUANT-IR`) say
 *   `##YUNITS=(micromol/mol)-1m-1 (base 10)`: ordinate × YFACTOR is the decadic absorbance of a
 *   path of 1 m through gas at 1 µmol/mol, i.e. A = α·c·l with c in µmol/mol (= ppm) and l in m.
 *   So the library value is α [1/(ppm·m)] = ordinate × YFACTOR × 1 — the conversion factor from
 *   the file's unit to ours is exactly 1 (NIST_QUANT_TO_PER_PPM_M). The samples were gas standards
 *   diluted in N₂ at 23 °C (296.15 K) and one atmosphere (101.325 kPa): a "ppm·m" here is counted
 *   at that air number density n₀ = p/(k_B·T) = 2.478e25 m⁻³, so 1 ppm·m is
 *   N₁ = 1e-6 · n₀ · 1 m = 2.478e19 molecules/m² = 2.478e15 molecules/cm².
 * - Cross-sections σ [cm²/molecule] (HITRAN .xsc) give the same quantity by Beer–Lambert:
 *   transmittance exp(−σ·N) = 10^(−A) ⇒ A per ppm·m = σ · N₁ / ln 10. Agreement of the two for
 *   acetone (NIST vs HITRAN band integrals) is tested in gas-library.test.ts.
 * - A column measured at another temperature T and pressure p holds n(T,p)/n₀ times the molecules
 *   of the same ppm·m at reference: use ppmMAtReference before multiplying by α.
 *
 * Coblentz Society charts (`##YUNITS=TRANSMITTANCE`, digitised from paper, grating instruments,
 * baselines below 1, strong bands saturated) and absorbance files without a concentration–path
 * amount (`##YUNITS=ABSORBANCE`, EPA/Sadtler MSDC-IR) are qualitative: the library keeps their band
 * shape only — absorbance above the spectrum's own minimum, −log10(T) − min(−log10(T)), scaled to a
 * peak of 1 — flags them `quantitative: false`, `unit: 'relative'`, and never turns them into an amount.
 */
import { PlumetraceError } from '../errors.ts';

/** Boltzmann constant, J/K (exact, SI 2019). */
export const BOLTZMANN_J_PER_K = 1.380649e-23;

/** Conditions of the NIST Quantitative IR gas standards: 23 °C, one atmosphere. */
export const NIST_QUANT_REFERENCE = Object.freeze({ temperatureK: 296.15, pressurePa: 101325 });

/** (µmol/mol)⁻¹·m⁻¹ (base 10) → decadic absorbance per ppm·m. 1 µmol/mol is 1 ppm, 1 m is 1 m. */
export const NIST_QUANT_TO_PER_PPM_M = 1;

/** Molecules per cm² in a column of 1 ppm·m of air at tempK, pressurePa. */
export function moleculesPerCm2PerPpmM(
  tempK: number = NIST_QUANT_REFERENCE.temperatureK,
  pressurePa: number = NIST_QUANT_REFERENCE.pressurePa,
): number {
  const airPerM3 = pressurePa / (BOLTZMANN_J_PER_K * tempK);
  return 1e-6 * airPerM3 * 1 /* m */ * 1e-4; /* m² → cm² */
}

/** Decadic absorbance per ppm·m (reference conditions) of a cross-section σ in cm²/molecule. */
export function crossSectionToAbsorbancePerPpmM(sigmaCm2: number): number {
  return (sigmaCm2 * moleculesPerCm2PerPpmM()) / Math.LN10;
}

/** The same number of molecules, as ppm·m at the library's reference conditions. */
export function ppmMAtReference(ppmM: number, tempK: number, pressurePa: number): number {
  if (!(tempK > 0) || !(pressurePa > 0)) {
    throw new PlumetraceError(
      'PT_ERR_SPECTRAL_INPUT',
      `temperature ${tempK} K and pressure ${pressurePa} Pa must be > 0`,
    );
  }
  return (ppmM * (pressurePa / tempK)) / (NIST_QUANT_REFERENCE.pressurePa / NIST_QUANT_REFERENCE.temperatureK);
}

/** What a reader hands to the library: one decoded spectrum and where it came from. */
export interface GasSpectrumSource {
  /** File name inside the library folder (e.g. `acetone.jdx`); its stem becomes the gas id. */
  readonly sourceFile: string;
  readonly title: string;
  readonly casRegistryNo?: string;
  readonly molecularFormula?: string;
  /** X units as written (`1/CM`, `cm-1`, `MICROMETERS`, `NANOMETERS`). */
  readonly xUnits: string;
  /** Y units as written (see the module comment for the ones understood). */
  readonly yUnits: string;
  readonly x: Float64Array;
  readonly y: Float64Array;
  /** Provenance line (source, licence) — from the folder's PROVENANCE.md or the file's header. */
  readonly provenance: string;
  /** Header labels by normalised name (e.g. `CLASS`, `$NISTSOURCE`, `PATHLENGTH`). */
  readonly labels?: Readonly<Record<string, string>>;
}

export type GasSpectrumKind = 'nist-quant' | 'cross-section' | 'transmittance-chart' | 'absorbance-qualitative';

export interface GasSpectrum {
  /** File stem, lower case (`acetone`, `sulphur_hexafluoride`): unique within a library. */
  readonly id: string;
  /** `##TITLE`. */
  readonly name: string;
  /** `##CAS REGISTRY NO` (null when the file has none). */
  readonly cas: string | null;
  /** `##MOLFORM` (null when the file has none). */
  readonly formula: string | null;
  /** True when `absorbance` is decadic absorbance per ppm·m; false for band shape only. */
  readonly quantitative: boolean;
  readonly unit: 'per-ppm-m' | 'relative';
  readonly kind: GasSpectrumKind;
  /** Ascending wavenumbers, cm⁻¹ (the file's own grid). */
  readonly wavenumberCm: Float64Array;
  /** Per ppm·m at NIST_QUANT_REFERENCE (quantitative) or relative band shape, peak 1. */
  readonly absorbance: Float64Array;
  readonly sourceFile: string;
  readonly provenance: string;
  /** How `absorbance` was derived from the file, in words. */
  readonly derivation: string;
  /** What the user should know about this spectrum (e.g. saturated bands clamped). */
  readonly warnings: readonly string[];
  /** Measurement conditions as the file's header states them (for the record; not used to scale). */
  readonly conditions: SampleConditions;
}

/** Measurement conditions parsed from header labels; absent when the file does not say. */
export interface SampleConditions {
  /** `##TEMPERATURE` (e.g. `23 C`). */
  readonly temperatureK?: number;
  /** `##PRESSURE` as written (total pressure). */
  readonly pressurePa?: number;
  /** `##PARTIAL_PRESSURE` in a pressure unit (mmHg, Torr, Pa, kPa, atm). */
  readonly partialPressurePa?: number;
  /** `##PARTIAL_PRESSURE` given as a mixing ratio (`40 PPM`). */
  readonly mixingRatioPpm?: number;
  /** `##PATH LENGTH` (e.g. `5 CM`). */
  readonly pathLengthM?: number;
  /** Leading number of `##RESOLUTION`, cm⁻¹. */
  readonly resolutionCm?: number;
  /** Relative uncertainty of Y from NIST's `##$UNCERTAINTY IN Y=2.3 % relative (…)`. */
  readonly relativeUncertainty?: number;
}

const PRESSURE_UNIT_PA: Readonly<Record<string, number>> = {
  PA: 1,
  KPA: 1000,
  HPA: 100,
  MMHG: 133.322387415,
  TORR: 101325 / 760,
  ATM: 101325,
  BAR: 1e5,
  MBAR: 100,
};
const LENGTH_UNIT_M: Readonly<Record<string, number>> = { M: 1, CM: 0.01, MM: 0.001 };

/** Parses the conditions a header states (labels by normalised name: `PATHLENGTH`, `$UNCERTAINTYINY`, …). */
export function parseSampleConditions(labels: Readonly<Record<string, string>>): SampleConditions {
  const lead = (name: string): { v: number; unit: string } | undefined => {
    const m = /^\s*([+-]?\d*\.?\d+(?:[eE][+-]?\d+)?)\s*([A-Za-z%]*)/.exec(labels[name] ?? '');
    return m ? { v: Number(m[1]), unit: m[2].toUpperCase() } : undefined;
  };
  const out: {
    -readonly [K in keyof SampleConditions]: SampleConditions[K];
  } = {};
  const t = lead('TEMPERATURE');
  if (t && (t.unit === 'C' || t.unit === 'K')) out.temperatureK = t.unit === 'C' ? t.v + 273.15 : t.v;
  const p = lead('PRESSURE');
  if (p && PRESSURE_UNIT_PA[p.unit] !== undefined) out.pressurePa = p.v * PRESSURE_UNIT_PA[p.unit];
  const pp = lead('PARTIALPRESSURE');
  if (pp && PRESSURE_UNIT_PA[pp.unit] !== undefined) out.partialPressurePa = pp.v * PRESSURE_UNIT_PA[pp.unit];
  if (pp && pp.unit === 'PPM') out.mixingRatioPpm = pp.v;
  const l = lead('PATHLENGTH');
  if (l && LENGTH_UNIT_M[l.unit] !== undefined) out.pathLengthM = l.v * LENGTH_UNIT_M[l.unit];
  const r = lead('RESOLUTION');
  if (r && (r.unit === '' || r.unit === 'CM')) out.resolutionCm = r.v;
  const u = lead('$UNCERTAINTYINY');
  if (u && u.unit === '%') out.relativeUncertainty = u.v / 100;
  return out;
}

function libErr(file: string, detail: string): PlumetraceError {
  return new PlumetraceError('PT_ERR_GAS_LIBRARY', detail, { file });
}

/** Wavenumber (cm⁻¹) of abscissa x in the given JCAMP XUNITS, or an error naming the unit. */
function toWavenumberFn(xUnits: string, file: string): (x: number) => number {
  const u = xUnits.toUpperCase().replace(/\s/g, '');
  if (['1/CM', 'CM-1', 'CM^-1', 'CM^-^1', 'WAVENUMBERS', 'WAVENUMBER', '1/CENTIMETERS'].includes(u)) return (x) => x;
  if (['MICROMETERS', 'MICRONS', 'UM', 'ΜM', 'MICROMETER'].includes(u)) return (x) => 1e4 / x;
  if (['NANOMETERS', 'NM', 'NANOMETER'].includes(u)) return (x) => 1e7 / x;
  throw libErr(file, `##XUNITS=${xUnits} — expected 1/CM, MICROMETERS or NANOMETERS`);
}

/** Builds one library spectrum from a decoded JCAMP-DX file. */
export function gasFromJcamp(src: GasSpectrumSource): GasSpectrum {
  const file = src.sourceFile;
  const n = src.x.length;
  if (n < 2 || src.y.length !== n) throw libErr(file, `the spectrum has ${n} points; at least 2 needed`);
  const toNu = toWavenumberFn(src.xUnits, file);
  const yu = src.yUnits.toUpperCase().replace(/\s/g, '');
  const nu = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    nu[i] = toNu(src.x[i]);
    if (!(nu[i] > 0) || !Number.isFinite(nu[i]))
      throw libErr(file, `abscissa ${src.x[i]} ${src.xUnits} is not a positive wavenumber`);
  }
  let a: Float64Array = new Float64Array(n);
  const warnings: string[] = [];
  let kind: GasSpectrumKind;
  let derivation: string;
  const perPpmM = /^\((MICROMOL\/MOL|UMOL\/MOL|ΜMOL\/MOL|PPM)\)-1\*?M-1(\(BASE10\))?$/.test(yu);
  const perPpmMBaseE = /^\((MICROMOL\/MOL|UMOL\/MOL|ΜMOL\/MOL|PPM)\)-1\*?M-1\(BASEE\)$/.test(yu);
  if (perPpmM || perPpmMBaseE) {
    const f = perPpmM ? NIST_QUANT_TO_PER_PPM_M : 1 / Math.LN10;
    for (let i = 0; i < n; i++) a[i] = src.y[i] * f;
    kind = 'nist-quant';
    derivation =
      `ordinate × YFACTOR in ${src.yUnits} × ${f === 1 ? '1' : '1/ln 10'} = decadic absorbance per ppm·m ` +
      `(gas in N₂ at ${NIST_QUANT_REFERENCE.temperatureK} K, ${NIST_QUANT_REFERENCE.pressurePa} Pa)`;
  } else if (yu === 'TRANSMITTANCE' || yu === 'TRANSMISSION') {
    // Saturated bands of digitised charts read T = 0 (or a little below): clamp them to the file's
    // smallest positive transmittance, so the band keeps its place and width, and say so.
    let floor = Number.POSITIVE_INFINITY;
    for (let i = 0; i < n; i++) if (src.y[i] > 0 && src.y[i] < floor) floor = src.y[i];
    if (!Number.isFinite(floor)) throw libErr(file, 'no positive transmittance in the file');
    let clamped = 0;
    let clampLo = Number.POSITIVE_INFINITY;
    let clampHi = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < n; i++) {
      const t = src.y[i];
      if (Number.isNaN(t)) {
        a[i] = Number.NaN;
        continue;
      }
      if (!(t > 0)) {
        clamped++;
        clampLo = Math.min(clampLo, nu[i]);
        clampHi = Math.max(clampHi, nu[i]);
      }
      a[i] = -Math.log10(t > 0 ? t : floor);
    }
    if (clamped > 0) {
      warnings.push(
        `${clamped} points with transmittance ≤ 0 (saturated) between ${clampLo.toFixed(1)} and ` +
          `${clampHi.toFixed(1)} cm⁻¹ clamped to T = ${floor}: those band peaks are flattened`,
      );
    }
    a = toShape(a, file);
    kind = 'transmittance-chart';
    derivation = 'qualitative: −log10(T) above its minimum, peak scaled to 1 (band shape only, no amount)';
  } else if (yu === 'ABSORBANCE') {
    for (let i = 0; i < n; i++) a[i] = src.y[i];
    a = toShape(a, file);
    kind = 'absorbance-qualitative';
    derivation = 'qualitative: absorbance without a concentration–path amount, above its minimum, peak scaled to 1';
  } else {
    throw libErr(file, `##YUNITS=${src.yUnits} — expected (micromol/mol)-1m-1 (base 10), ABSORBANCE or TRANSMITTANCE`);
  }
  // Ascending wavenumber (wavelength files and descending wavenumber files are reversed).
  if (nu[n - 1] < nu[0]) {
    nu.reverse();
    a.reverse();
  }
  for (let i = 1; i < n; i++) {
    if (!(nu[i] > nu[i - 1])) throw libErr(file, `abscissae are not monotonic at point ${i}`);
  }
  const quantitative = kind === 'nist-quant';
  return {
    id: stem(src.sourceFile),
    name: src.title,
    cas: src.casRegistryNo?.trim() || null,
    formula: src.molecularFormula?.trim() || null,
    quantitative,
    unit: quantitative ? 'per-ppm-m' : 'relative',
    kind,
    wavenumberCm: nu,
    absorbance: a,
    sourceFile: src.sourceFile,
    provenance: src.provenance,
    derivation,
    warnings,
    conditions: parseSampleConditions(src.labels ?? {}),
  };
}

/** One HITRAN cross-section block as the library needs it. */
export interface CrossSectionSource {
  readonly sourceFile: string;
  readonly molecule: string;
  readonly commonName: string;
  readonly temperatureK: number;
  readonly pressureTorr: number;
  readonly wavenumberCm: Float64Array;
  readonly crossSectionCm2: Float64Array;
  readonly provenance: string;
}

/** Library spectrum from cross-sections: A per ppm·m = σ · N₁ / ln 10 (see the module comment). */
export function gasFromCrossSection(src: CrossSectionSource): GasSpectrum {
  const n = src.wavenumberCm.length;
  if (n < 2 || src.crossSectionCm2.length !== n)
    throw libErr(src.sourceFile, `the block has ${n} points; at least 2 needed`);
  const a = new Float64Array(n);
  for (let i = 0; i < n; i++) a[i] = crossSectionToAbsorbancePerPpmM(src.crossSectionCm2[i]);
  return {
    id: stem(src.sourceFile),
    name: src.commonName || src.molecule,
    cas: null,
    formula: src.molecule,
    quantitative: true,
    unit: 'per-ppm-m',
    kind: 'cross-section',
    wavenumberCm: Float64Array.from(src.wavenumberCm),
    absorbance: a,
    sourceFile: src.sourceFile,
    provenance: src.provenance,
    derivation:
      `σ (cm²/molecule, measured at ${src.temperatureK} K, ${src.pressureTorr} Torr) × ` +
      `${moleculesPerCm2PerPpmM().toExponential(4)} molecules/cm² per ppm·m / ln 10`,
    warnings: [],
    conditions: { temperatureK: src.temperatureK, pressurePa: src.pressureTorr * (101325 / 760) },
  };
}

function toShape(a: Float64Array, file: string): Float64Array {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const v of a) {
    if (Number.isNaN(v)) continue;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (!(max > min)) throw libErr(file, 'the spectrum is flat: no band shape to keep');
  const out = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = (a[i] - min) / (max - min);
  return out;
}

function stem(file: string): string {
  const base = file.split(/[\\/]/).pop() ?? file;
  const dot = base.lastIndexOf('.');
  return (dot > 0 ? base.slice(0, dot) : base).toLowerCase();
}

/** Version of the rules that turn files into library spectra (units, shapes, grid); results carry it. */
export const GAS_LIBRARY_ALGORITHM_VERSION = 'gas-library/1';

/** A set of gases, each also resampled onto one common wavenumber grid. */
export interface GasLibrary {
  /** GAS_LIBRARY_ALGORITHM_VERSION of the code that built it. */
  readonly algorithmVersion: string;
  /** Common grid, cm⁻¹ (cell centres). */
  readonly gridCm: Float64Array;
  readonly gases: readonly GasSpectrum[];
  /** gridAbsorbance[k] is gases[k] averaged over each grid cell; NaN where the file has no data. */
  readonly gridAbsorbance: readonly Float64Array[];
}

export interface WavenumberGrid {
  readonly startCm: number;
  readonly endCm: number;
  readonly stepCm: number;
}

/** Default common grid: the NIST files' span at their native step (0.241 cm⁻¹ rounded to 0.25). */
export const DEFAULT_GAS_GRID: WavenumberGrid = Object.freeze({ startCm: 450, endCm: 4000, stepCm: 0.25 });

export function wavenumberGrid(g: WavenumberGrid): Float64Array {
  if (!(g.stepCm > 0) || !(g.endCm > g.startCm) || !(g.startCm > 0)) {
    throw new PlumetraceError(
      'PT_ERR_SPECTRAL_INPUT',
      `grid ${g.startCm}–${g.endCm} step ${g.stepCm} cm⁻¹ is not valid`,
    );
  }
  const n = Math.floor((g.endCm - g.startCm) / g.stepCm + 1e-9) + 1;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = g.startCm + i * g.stepCm;
  return out;
}

/**
 * Average of the piecewise-linear spectrum (x ascending) over each cell [g − h/2, g + h/2] of an
 * even grid: conserves band area whether the grid is finer or coarser than the data. NaN for a
 * cell not wholly inside the data or touching a missing value.
 */
export function cellAverage(x: Float64Array, y: Float64Array, grid: Float64Array): Float64Array {
  const n = x.length;
  const out = new Float64Array(grid.length).fill(Number.NaN);
  if (n < 2 || grid.length < 2) return out;
  const h = grid[1] - grid[0];
  // prefix[i] = ∫ x[0]…x[i] of the linear interpolant (missing values counted as 0);
  // bad[s] = number of segments before s with a missing end.
  const yz = (i: number): number => (Number.isNaN(y[i]) ? 0 : y[i]);
  const prefix = new Float64Array(n);
  const bad = new Int32Array(n);
  for (let i = 1; i < n; i++) {
    prefix[i] = prefix[i - 1] + 0.5 * (yz(i) + yz(i - 1)) * (x[i] - x[i - 1]);
    bad[i] = bad[i - 1] + (Number.isNaN(y[i]) || Number.isNaN(y[i - 1]) ? 1 : 0);
  }
  // Segment holding q (x[s] ≤ q ≤ x[s+1]), searched forward from the previous answer.
  const segment = (q: number, from: number): number => {
    let s = from;
    while (s < n - 2 && x[s + 1] < q) s++;
    return s;
  };
  const integralTo = (q: number, s: number): number => {
    const t = (q - x[s]) / (x[s + 1] - x[s]);
    const yq = yz(s) + t * (yz(s + 1) - yz(s));
    return prefix[s] + 0.5 * (yz(s) + yq) * (q - x[s]);
  };
  let sLo = 0;
  let sHi = 0;
  for (let k = 0; k < grid.length; k++) {
    const lo = grid[k] - h / 2;
    const hi = grid[k] + h / 2;
    if (lo < x[0] || hi > x[n - 1]) continue;
    sLo = segment(lo, sLo);
    sHi = segment(hi, Math.max(sHi, sLo));
    if (bad[sHi + 1] - bad[sLo] > 0) continue;
    out[k] = (integralTo(hi, sHi) - integralTo(lo, sLo)) / h;
  }
  return out;
}

/** Builds a library: the gases as given (ids must be unique) plus each on the common grid. */
export function buildGasLibrary(gases: readonly GasSpectrum[], grid: WavenumberGrid = DEFAULT_GAS_GRID): GasLibrary {
  const seen = new Set<string>();
  for (const g of gases) {
    if (seen.has(g.id)) throw libErr(g.sourceFile, `two spectra have the id "${g.id}"`);
    seen.add(g.id);
  }
  const gridCm = wavenumberGrid(grid);
  return {
    algorithmVersion: GAS_LIBRARY_ALGORITHM_VERSION,
    gridCm,
    gases,
    gridAbsorbance: gases.map((g) => cellAverage(g.wavenumberCm, g.absorbance, gridCm)),
  };
}

/**
 * Finds a gas by id, name or CAS number (case-insensitive). Where several spectra share a CAS number
 * or name, the quantitative one comes first.
 */
export function findGas(library: Pick<GasLibrary, 'gases'>, query: string): GasSpectrum | undefined {
  const q = query.trim().toLowerCase();
  const hits = library.gases.filter((g) => g.id === q || g.name.toLowerCase() === q || g.cas === q);
  hits.sort((a, b) => Number(b.quantitative) - Number(a.quantitative));
  return hits[0];
}
