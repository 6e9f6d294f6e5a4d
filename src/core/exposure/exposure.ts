/**
 * Downwind exposure estimate for a referral: from an emission rate (with its 90% interval), the
 * release height, the wind and the stability class (or a prior over classes), the distance to which
 * the ground-level (breathing-height) centreline concentration exceeds each threshold, the area of
 * the region above it, and the peak concentration; plus a gridded concentration field for a map.
 *
 * Model: the steady Gaussian plume of core/dispersion (ground reflection, optional lid), flat
 * terrain, no buildings, ppm at 15 °C and 1 atm. See README.md in this folder for every assumption.
 * These are planning figures, not safety guarantees.
 *
 * Footprint of a threshold T: the plume is Gaussian across the wind, C(x, y) = C_cl(x)·exp(−y²/2σy²),
 * so where C_cl(x) > T the region above T spans the width w(x) = 2σy(x)·sqrt(2·ln(C_cl(x)/T)), and
 * the area is ∫ w(x) dx over the stretches where C_cl > T.
 *
 * Pure (no Node APIs).
 */

import { type PlumeOptions, makePlumeKernel, plumeSigmaY, transportWindMps } from '../dispersion/index.ts';
import { PlumetraceError } from '../errors.ts';
import { STABILITY_CLASSES, type StabilityClass } from '../types.ts';
import { exposurePpmPerKgPerM3 } from './gases.ts';

/** Weights over stability classes (need not sum to 1; at least one > 0). */
export type StabilityPrior = Partial<Record<StabilityClass, number>>;

export interface ExposureInput {
  /** Gas name, case-insensitive: CH4, CO2, NH3, H2S, PH3, HCl, CO, SO2, Cl2. */
  gas: string;
  /** Central estimate of the emission rate (kg/h, >= 0). */
  rateKgPerHour: number;
  /** 90% interval of the rate (kg/h): 0 <= lo <= rateKgPerHour <= hi. */
  rateKgPerHourCi90: readonly [number, number];
  /** Effective release height above ground (m, >= 0). */
  sourceHeightM: number;
  /** Wind speed (m/s, > 0) measured at windRefHeightM; carried to the release height by the power law. */
  windSpeedMps: number;
  /** Height of the wind measurement (m, > 0). Default 10. */
  windRefHeightM?: number;
  /** A Pasquill class A..F, or weights over classes. */
  stability: StabilityClass | StabilityPrior;
  /** Classes of a prior with a normalised weight below this are not "plausible" (default 0.05). */
  plausibleMinWeight?: number;
  /** Thresholds (ppm, each > 0). Default [1, 10]. */
  thresholdsPpm?: readonly number[];
  /** Receptor height (m, >= 0). Default 1.5 (breathing height). */
  receptorHeightM?: number;
  /** Sigma scheme, terrain, lid, averaging time, σθ of the plume (stability is set here). */
  plumeOptions?: Omit<PlumeOptions, 'stability'>;
  /** Farthest downwind distance examined (m). Default 20 000. */
  maxRangeM?: number;
}

/** The peak ground-level (receptor-height) centreline concentration and where it is. */
export interface ExposurePeak {
  ppm: number;
  /** Downwind distance (m) of the peak. At MIN_DISTANCE_M when it lies at or before the nearest distance examined. */
  atXM: number;
}

export interface ThresholdCrossing {
  thresholdPpm: number;
  /** Farthest downwind distance (m) at which the centreline exceeds the threshold; 0 if nowhere. */
  maxDistanceM: number;
  /** Area (m²) of the ground-level region above the threshold. */
  areaM2: number;
  /** Still above the threshold at maxRangeM: maxDistanceM and areaM2 are then lower bounds. */
  beyondRange: boolean;
}

/** One rate and one class. */
export interface ExposureCase {
  rateKgPerHour: number;
  stability: StabilityClass;
  /** The wind (m/s) at the release height that carries the plume in this class. */
  transportWindMps: number;
  peak: ExposurePeak;
  /** In the order of thresholdsPpm. */
  thresholds: ThresholdCrossing[];
}

/**
 * A figure under the cases a referral states. central: central rate, central class. lo/hi: the
 * rate's 90% bounds, central class. mostStable/leastStable: central rate, the most and least stable
 * plausible class. upper: the largest over the plausible classes at the rate's upper bound.
 */
export interface ExposureSpread {
  central: number;
  lo: number;
  hi: number;
  mostStable: number;
  leastStable: number;
  upper: number;
}

export interface ThresholdExposure {
  thresholdPpm: number;
  maxDistanceM: ExposureSpread;
  areaM2: ExposureSpread;
  /** The plausible class that carries the threshold farthest at the central rate. */
  worstStabilityForDistance: StabilityClass;
  /** Some case stays above the threshold at maxRangeM (its figures are lower bounds). */
  beyondRange: boolean;
}

export interface ExposureEstimate {
  gas: string;
  receptorHeightM: number;
  sourceHeightM: number;
  maxRangeM: number;
  rateKgPerHour: { central: number; lo: number; hi: number };
  stability: {
    /** The given class, or the prior's mode (ties go to the more stable class). */
    central: StabilityClass;
    mostStable: StabilityClass;
    leastStable: StabilityClass;
    /** The plausible classes, A first. */
    plausible: StabilityClass[];
  };
  /** The peak concentration (ppm), in the same cases as ExposureSpread. */
  peakPpm: ExposureSpread;
  /** Where the peaks are (m downwind), central class at every rate, and in the extreme classes. */
  peakAtXM: { central: number; mostStable: number; leastStable: number };
  thresholds: ThresholdExposure[];
  cases: {
    central: ExposureCase;
    rateLo: ExposureCase;
    rateHi: ExposureCase;
    mostStable: ExposureCase;
    leastStable: ExposureCase;
    /** Every plausible class at the rate's upper bound. */
    upperRate: ExposureCase[];
  };
  /** Conditions under which these figures are weaker than usual (light wind, range reached). */
  warnings: string[];
  /** The model's assumptions, to print with the figures. */
  assumptions: readonly string[];
}

/** The assumptions behind every exposure figure, in words for a referral. */
export const EXPOSURE_ASSUMPTIONS: readonly string[] = Object.freeze([
  'Steady-state Gaussian plume: constant emission rate, wind speed, direction and stability over ~10-minute averages; no plume rise.',
  'Flat, open terrain and no buildings. A release inside a home is not modelled: building wakes, indoor accumulation and leakage through openings can give much higher concentrations close to the building than these figures.',
  'Concentrations at receptor height on the plume centreline (distance) and across it (area); ppm by volume at 15 °C and 1 atm.',
  'No deposition, chemical reaction or dense-gas slumping (heavier-than-air releases spread differently).',
  'Planning figures for a safe approach, not safety guarantees: confirm with direct-reading instruments on site.',
]);

/** Nearest downwind distance examined (m): a point-source plume means little closer than this. */
export const MIN_DISTANCE_M = 0.5;
/** Log-spaced samples per decade of downwind distance. */
const SAMPLES_PER_DECADE = 100;
/** Simpson panels per sample interval in the area integral (even). */
const SIMPSON_PANELS = 16;
const DEFAULT_THRESHOLDS_PPM: readonly number[] = [1, 10];
const DEFAULT_RECEPTOR_HEIGHT_M = 1.5;
const DEFAULT_MAX_RANGE_M = 20_000;
const DEFAULT_PLAUSIBLE_MIN_WEIGHT = 0.05;
/** Below this transport wind (m/s) the Gaussian plume is not a sound model. */
const LIGHT_WIND_MPS = 1;

function bad(detail: string): PlumetraceError {
  return new PlumetraceError('PT_ERR_BAD_REQUEST', detail);
}

function isClass(s: unknown): s is StabilityClass {
  return typeof s === 'string' && (STABILITY_CLASSES as readonly string[]).includes(s);
}

function finite(name: string, v: unknown, min: number, inclusive: boolean): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || (inclusive ? v < min : v <= min)) {
    throw bad(`${name} must be a finite number ${inclusive ? '>=' : '>'} ${min} (got ${String(v)})`);
  }
  return v;
}

interface Validated {
  gas: string;
  ppmPerKgPerM3: number;
  rates: { central: number; lo: number; hi: number };
  sourceHeightM: number;
  windSpeedMps: number;
  windRefHeightM: number;
  central: StabilityClass;
  plausible: StabilityClass[];
  thresholdsPpm: number[];
  receptorHeightM: number;
  plume: Omit<PlumeOptions, 'stability'>;
  maxRangeM: number;
}

function resolveStability(s: unknown, minWeight: number): { central: StabilityClass; plausible: StabilityClass[] } {
  if (isClass(s)) return { central: s, plausible: [s] };
  if (typeof s !== 'object' || s === null || Array.isArray(s)) {
    throw bad(`stability must be a class A..F or an object of weights per class (got ${JSON.stringify(s)})`);
  }
  const rec = s as Record<string, unknown>;
  let total = 0;
  for (const [k, w] of Object.entries(rec)) {
    if (!isClass(k)) throw bad(`stability: unknown class ${JSON.stringify(k)} in the prior (classes are A..F)`);
    if (typeof w !== 'number' || !Number.isFinite(w) || w < 0) {
      throw bad(`stability: the weight of class ${k} must be a finite number >= 0 (got ${String(w)})`);
    }
    total += w;
  }
  if (!(total > 0)) throw bad('stability: the prior gives no class a positive weight');
  let central: StabilityClass = 'A';
  let best = -1;
  const plausible: StabilityClass[] = [];
  for (const c of STABILITY_CLASSES) {
    const w = ((rec[c] as number | undefined) ?? 0) / total;
    if (w >= best) {
      best = w;
      central = c;
    }
    if (w > 0 && w >= minWeight) plausible.push(c);
  }
  if (!plausible.includes(central)) {
    plausible.push(central);
    plausible.sort();
  }
  return { central, plausible };
}

function validate(input: ExposureInput): Validated {
  if (typeof input !== 'object' || input === null) throw bad('the exposure request must be an object');
  const ppmPerKgPerM3 = exposurePpmPerKgPerM3(input.gas);
  const central = finite('rateKgPerHour', input.rateKgPerHour, 0, true);
  const ci = input.rateKgPerHourCi90;
  if (!Array.isArray(ci) || ci.length !== 2) {
    throw bad(`rateKgPerHourCi90 must be a pair [lo, hi] of rates in kg/h (got ${JSON.stringify(ci)})`);
  }
  const lo = finite('rateKgPerHourCi90[0]', ci[0], 0, true);
  const hi = finite('rateKgPerHourCi90[1]', ci[1], 0, true);
  if (!(lo <= central && central <= hi)) {
    throw bad(`rateKgPerHourCi90 must satisfy lo <= rateKgPerHour <= hi (got [${lo}, ${hi}] around ${central})`);
  }
  const sourceHeightM = finite('sourceHeightM', input.sourceHeightM, 0, true);
  const windSpeedMps = finite('windSpeedMps', input.windSpeedMps, 0, false);
  const windRefHeightM = finite('windRefHeightM', input.windRefHeightM ?? 10, 0, false);
  const minWeight = finite('plausibleMinWeight', input.plausibleMinWeight ?? DEFAULT_PLAUSIBLE_MIN_WEIGHT, 0, true);
  const { central: centralClass, plausible } = resolveStability(input.stability, minWeight);
  const th = input.thresholdsPpm ?? DEFAULT_THRESHOLDS_PPM;
  if (!Array.isArray(th) || th.length === 0) {
    throw bad(`thresholdsPpm must be a non-empty array of concentrations in ppm > 0 (got ${JSON.stringify(th)})`);
  }
  const thresholdsPpm = th.map((t, i) => finite(`thresholdsPpm[${i}]`, t, 0, false));
  const receptorHeightM = finite('receptorHeightM', input.receptorHeightM ?? DEFAULT_RECEPTOR_HEIGHT_M, 0, true);
  const maxRangeM = finite('maxRangeM', input.maxRangeM ?? DEFAULT_MAX_RANGE_M, MIN_DISTANCE_M * 10, false);
  const plume = input.plumeOptions ?? {};
  if (typeof plume !== 'object' || plume === null) throw bad('plumeOptions must be an object');
  // Let the dispersion module check the plume options once (it throws PT_ERR_BAD_REQUEST).
  makePlumeKernel({ ...plume, stability: centralClass });
  return {
    gas: String(input.gas).trim().toUpperCase(),
    ppmPerKgPerM3,
    rates: { central, lo, hi },
    sourceHeightM,
    windSpeedMps,
    windRefHeightM,
    central: centralClass,
    plausible,
    thresholdsPpm,
    receptorHeightM,
    plume,
    maxRangeM,
  };
}

/** The centreline profile of one class at 1 kg/s (ppm per kg/s), and its sigma_y. */
interface Profile {
  stability: StabilityClass;
  u: number;
  /** ppm per (kg/s) on the centreline at receptor height. */
  c: (xM: number) => number;
  sy: (xM: number) => number;
  xs: Float64Array;
  cs: Float64Array;
}

function makeProfile(v: Validated, stability: StabilityClass): Profile {
  const opts: PlumeOptions = { ...v.plume, stability };
  const kernel = makePlumeKernel(opts);
  const u = transportWindMps(v.windSpeedMps, v.sourceHeightM, stability, opts.terrain ?? 'rural', v.windRefHeightM);
  if (!(u > 0) || !Number.isFinite(u)) {
    throw bad(`windSpeedMps gives no usable transport wind at the release height (got ${u} m/s)`);
  }
  const f = v.ppmPerKgPerM3;
  const h = v.sourceHeightM;
  const z = v.receptorHeightM;
  const c = (xM: number): number => kernel(xM, 0, z, h, u) * f;
  const sy = (xM: number): number => plumeSigmaY(xM, u, opts);
  const decades = Math.log10(v.maxRangeM / MIN_DISTANCE_M);
  const n = Math.max(2, Math.ceil(decades * SAMPLES_PER_DECADE)) + 1;
  const xs = new Float64Array(n);
  const cs = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const x = i === n - 1 ? v.maxRangeM : MIN_DISTANCE_M * 10 ** ((decades * i) / (n - 1));
    xs[i] = x;
    cs[i] = c(x);
  }
  return { stability, u, c, sy, xs, cs };
}

/** The x in (a, b) where g changes sign (g(a), g(b) of opposite signs), by bisection in log x. */
function crossing(g: (x: number) => number, a: number, b: number): number {
  let la = Math.log(a);
  let lb = Math.log(b);
  const ga = g(a) > 0;
  for (let i = 0; i < 60 && lb - la > 1e-12; i++) {
    const m = 0.5 * (la + lb);
    if (g(Math.exp(m)) > 0 === ga) la = m;
    else lb = m;
  }
  return Math.exp(0.5 * (la + lb));
}

function peakOf(p: Profile): { perKgPerS: number; atXM: number } {
  let k = 0;
  for (let i = 1; i < p.cs.length; i++) if (p.cs[i] > p.cs[k]) k = i;
  if (k === 0 || k === p.cs.length - 1) return { perKgPerS: p.cs[k], atXM: p.xs[k] };
  // Golden-section search in log x between the neighbours of the sampled maximum.
  let a = Math.log(p.xs[k - 1]);
  let b = Math.log(p.xs[k + 1]);
  const r = (Math.sqrt(5) - 1) / 2;
  let x1 = b - r * (b - a);
  let x2 = a + r * (b - a);
  let f1 = p.c(Math.exp(x1));
  let f2 = p.c(Math.exp(x2));
  for (let i = 0; i < 80 && b - a > 1e-10; i++) {
    if (f1 < f2) {
      a = x1;
      x1 = x2;
      f1 = f2;
      x2 = a + r * (b - a);
      f2 = p.c(Math.exp(x2));
    } else {
      b = x2;
      x2 = x1;
      f2 = f1;
      x1 = b - r * (b - a);
      f1 = p.c(Math.exp(x1));
    }
  }
  const xm = Math.exp(0.5 * (a + b));
  const cm = p.c(xm);
  return cm >= p.cs[k] ? { perKgPerS: cm, atXM: xm } : { perKgPerS: p.cs[k], atXM: p.xs[k] };
}

/** Composite Simpson of f over [0, 1] with SIMPSON_PANELS panels. */
function simpson01(f: (t: number) => number): number {
  const n = SIMPSON_PANELS;
  let s = f(0) + f(1);
  for (let i = 1; i < n; i++) s += (i & 1 ? 4 : 2) * f(i / n);
  return s / (3 * n);
}

/**
 * Width-integral over [a, b], where `aCross`/`bCross` say the width vanishes like a square root at
 * that end (a threshold crossing): there the substitution x − a = L·s² (or b − x = L·s²) makes the
 * integrand smooth; both ends: x = mid − half·cos θ.
 */
function integratePiece(w: (x: number) => number, a: number, b: number, aCross: boolean, bCross: boolean): number {
  const L = b - a;
  if (!(L > 0)) return 0;
  if (aCross && bCross) {
    const mid = 0.5 * (a + b);
    const half = 0.5 * L;
    return Math.PI * half * simpson01((t) => w(mid - half * Math.cos(Math.PI * t)) * Math.sin(Math.PI * t));
  }
  if (bCross) return simpson01((s) => w(b - L * s * s) * 2 * L * s);
  if (aCross) return simpson01((s) => w(a + L * s * s) * 2 * L * s);
  return L * simpson01((t) => w(a + L * t));
}

function crossingFor(p: Profile, q: number, thresholdPpm: number): ThresholdCrossing {
  const { xs, cs } = p;
  const n = xs.length;
  const T = thresholdPpm;
  const above = (i: number): boolean => cs[i] * q > T;
  const g = (x: number): number => p.c(x) * q - T;
  const w = (x: number): number => {
    const r = (p.c(x) * q) / T;
    return r > 1 ? 2 * p.sy(x) * Math.sqrt(2 * Math.log(r)) : 0;
  };
  let maxDistanceM = 0;
  let areaM2 = 0;
  let i = 0;
  while (i < n) {
    if (!above(i)) {
      i++;
      continue;
    }
    // A stretch above T from sample i to sample j (inclusive).
    let j = i;
    while (j + 1 < n && above(j + 1)) j++;
    const start = i > 0 ? crossing(g, xs[i - 1], xs[i]) : xs[0];
    const end = j < n - 1 ? crossing(g, xs[j], xs[j + 1]) : xs[n - 1];
    const startCross = i > 0;
    const endCross = j < n - 1;
    if (i === j) {
      areaM2 += integratePiece(w, start, xs[i], startCross, false) + integratePiece(w, xs[i], end, false, endCross);
    } else {
      areaM2 += integratePiece(w, start, xs[i], startCross, false);
      for (let k = i; k < j; k++) areaM2 += integratePiece(w, xs[k], xs[k + 1], false, false);
      areaM2 += integratePiece(w, xs[j], end, false, endCross);
    }
    maxDistanceM = end;
    i = j + 1;
  }
  return { thresholdPpm, maxDistanceM, areaM2, beyondRange: above(n - 1) };
}

function runCase(p: Profile, rateKgPerHour: number, thresholdsPpm: readonly number[]): ExposureCase {
  const q = rateKgPerHour / 3600;
  const pk = peakOf(p);
  return {
    rateKgPerHour,
    stability: p.stability,
    transportWindMps: p.u,
    peak: { ppm: pk.perKgPerS * q, atXM: pk.atXM },
    thresholds: thresholdsPpm.map((t) => (q > 0 ? crossingFor(p, q, t) : zeroCrossing(t))),
  };
}

function zeroCrossing(thresholdPpm: number): ThresholdCrossing {
  return { thresholdPpm, maxDistanceM: 0, areaM2: 0, beyondRange: false };
}

/**
 * Distances to the thresholds, areas above them and peak concentrations, for the rate's central
 * estimate and 90% bounds and for the most and least stable plausible classes. Throws
 * PT_ERR_BAD_REQUEST naming the field for bad input.
 */
export function exposureEstimate(input: ExposureInput): ExposureEstimate {
  const v = validate(input);
  const profiles = new Map<StabilityClass, Profile>();
  for (const c of v.plausible) profiles.set(c, makeProfile(v, c));
  const profile = (c: StabilityClass): Profile => profiles.get(c) as Profile;
  const mostStable = v.plausible[v.plausible.length - 1];
  const leastStable = v.plausible[0];
  const central = runCase(profile(v.central), v.rates.central, v.thresholdsPpm);
  const rateLo = runCase(profile(v.central), v.rates.lo, v.thresholdsPpm);
  const rateHi = runCase(profile(v.central), v.rates.hi, v.thresholdsPpm);
  const atCentral = v.plausible.map((c) =>
    c === v.central ? central : runCase(profile(c), v.rates.central, v.thresholdsPpm),
  );
  const upperRate = v.plausible.map((c) =>
    c === v.central ? rateHi : runCase(profile(c), v.rates.hi, v.thresholdsPpm),
  );
  const caseOf = (c: StabilityClass): ExposureCase => atCentral[v.plausible.indexOf(c)];
  const ms = caseOf(mostStable);
  const ls = caseOf(leastStable);
  const spread = (pick: (e: ExposureCase) => number): ExposureSpread => ({
    central: pick(central),
    lo: pick(rateLo),
    hi: pick(rateHi),
    mostStable: pick(ms),
    leastStable: pick(ls),
    upper: Math.max(...upperRate.map(pick)),
  });
  const thresholds = v.thresholdsPpm.map((thresholdPpm, k): ThresholdExposure => {
    let worst = atCentral[0];
    for (const e of atCentral) if (e.thresholds[k].maxDistanceM >= worst.thresholds[k].maxDistanceM) worst = e;
    const all = [central, rateLo, rateHi, ...atCentral, ...upperRate];
    return {
      thresholdPpm,
      maxDistanceM: spread((e) => e.thresholds[k].maxDistanceM),
      areaM2: spread((e) => e.thresholds[k].areaM2),
      worstStabilityForDistance: worst.stability,
      beyondRange: all.some((e) => e.thresholds[k].beyondRange),
    };
  });
  const warnings: string[] = [];
  const calm = v.plausible.filter((c) => profile(c).u < LIGHT_WIND_MPS);
  if (calm.length > 0) {
    warnings.push(
      `Light wind: the transport wind is below ${LIGHT_WIND_MPS} m/s in class ${calm.join(', ')}; the Gaussian plume is unreliable in near-calm air, where gas can pool and meander.`,
    );
  }
  for (const t of thresholds) {
    if (t.beyondRange) {
      warnings.push(
        `The ${t.thresholdPpm} ppm threshold is still exceeded at ${v.maxRangeM} m in some case; its distance and area there are lower bounds.`,
      );
    }
  }
  return {
    gas: v.gas,
    receptorHeightM: v.receptorHeightM,
    sourceHeightM: v.sourceHeightM,
    maxRangeM: v.maxRangeM,
    rateKgPerHour: { ...v.rates },
    stability: { central: v.central, mostStable, leastStable, plausible: [...v.plausible] },
    peakPpm: spread((e) => e.peak.ppm),
    peakAtXM: { central: central.peak.atXM, mostStable: ms.peak.atXM, leastStable: ls.peak.atXM },
    thresholds,
    cases: { central, rateLo, rateHi, mostStable: ms, leastStable: ls, upperRate },
    warnings,
    assumptions: EXPOSURE_ASSUMPTIONS,
  };
}

export interface ExposureGridInput extends ExposureInput {
  /** Direction the wind blows from (degrees clockwise from north, meteorological). */
  windFromDeg: number;
  /** Cell size (m, > 0). */
  cellM: number;
  /** Half-side of the square grid (m, > 0): it covers [−extentM, extentM] in x and y, at least. */
  extentM: number;
  /** Which rate to map (default central). */
  rateCase?: 'central' | 'lo' | 'hi';
  /** Which class to map (default central). */
  stabilityCase?: 'central' | 'mostStable' | 'leastStable';
}

/**
 * Ground-level (receptor-height) concentration on a square grid in a local frame: x east, y north
 * (m), the source at (0, 0). Cell (i, j) has its centre at (x0 + i·cellM, y0 + j·cellM) and its value
 * at ppm[j·nx + i]: row 0 is the southernmost, rows go north. Values are point values at cell centres.
 * The source lies on a cell corner (nx = ny even), so no cell centre sits on it.
 */
export interface ExposureGrid {
  x0: number;
  y0: number;
  cellM: number;
  nx: number;
  ny: number;
  ppm: Float32Array;
  rateKgPerHour: number;
  stability: StabilityClass;
  thresholdsPpm: number[];
}

/** Most cells a grid may have (64 MiB of Float32). */
export const MAX_GRID_CELLS = 16 * 1024 * 1024;

export function exposureGrid(input: ExposureGridInput): ExposureGrid {
  const v = validate(input);
  const windFromDeg = finite('windFromDeg', input.windFromDeg, Number.NEGATIVE_INFINITY, false);
  const cellM = finite('cellM', input.cellM, 0, false);
  const extentM = finite('extentM', input.extentM, 0, false);
  const half = Math.ceil(extentM / cellM);
  const n = 2 * half;
  if (n * n > MAX_GRID_CELLS) {
    throw bad(
      `extentM / cellM gives ${n}×${n} cells, more than ${MAX_GRID_CELLS}: use a larger cellM or smaller extentM`,
    );
  }
  const rateCase = input.rateCase ?? 'central';
  if (rateCase !== 'central' && rateCase !== 'lo' && rateCase !== 'hi') {
    throw bad(`rateCase must be central, lo or hi (got ${JSON.stringify(rateCase)})`);
  }
  const sc = input.stabilityCase ?? 'central';
  if (sc !== 'central' && sc !== 'mostStable' && sc !== 'leastStable') {
    throw bad(`stabilityCase must be central, mostStable or leastStable (got ${JSON.stringify(sc)})`);
  }
  const stability =
    sc === 'central' ? v.central : sc === 'mostStable' ? v.plausible[v.plausible.length - 1] : v.plausible[0];
  const rateKgPerHour = v.rates[rateCase];
  const opts: PlumeOptions = { ...v.plume, stability };
  const kernel = makePlumeKernel(opts);
  const u = transportWindMps(v.windSpeedMps, v.sourceHeightM, stability, opts.terrain ?? 'rural', v.windRefHeightM);
  const scale = (rateKgPerHour / 3600) * v.ppmPerKgPerM3;
  // Unit vector the wind blows toward (east, north).
  const phi = (windFromDeg * Math.PI) / 180;
  const dx = -Math.sin(phi);
  const dy = -Math.cos(phi);
  const x0 = -(half - 0.5) * cellM;
  const y0 = x0;
  const ppm = new Float32Array(n * n);
  const h = v.sourceHeightM;
  const z = v.receptorHeightM;
  if (scale > 0) {
    for (let j = 0; j < n; j++) {
      const y = y0 + j * cellM;
      for (let i = 0; i < n; i++) {
        const x = x0 + i * cellM;
        const along = x * dx + y * dy;
        if (!(along > 0)) continue;
        const across = y * dx - x * dy;
        ppm[j * n + i] = kernel(along, across, z, h, u) * scale;
      }
    }
  }
  return { x0, y0, cellM, nx: n, ny: n, ppm, rateKgPerHour, stability, thresholdsPpm: [...v.thresholdsPpm] };
}
