/**
 * Pasquill stability class from routine meteorology: the Pasquill (1961) table as Turner (1970,
 * *Workbook of Atmospheric Dispersion Estimates*, "Key to stability categories") gives it, wind at
 * 10 m:
 *
 *   wind (m/s) | day: insolation strong  moderate  slight | night: thin overcast or ≥4/8 low cloud  ≤3/8 cloud
 *   < 2        |                 A       A–B       B      |        (blank)                           (blank)
 *   2–3        |                 A–B     B         C      |        E                                 F
 *   3–5        |                 B       B–C       C      |        D                                 E
 *   5–6        |                 C       C–D       D      |        D                                 D
 *   > 6        |                 C       D         D      |        D                                 D
 *
 * D applies to overcast skies, day or night. Decisions where the table leaves room:
 * - Row edges: a speed on an edge belongs to the faster row (2 m/s is "2–3", 6 m/s is "> 6").
 * - Split cells ("A–B"): stabilityRangeFromMet returns both classes; stabilityFromMet takes the MORE
 *   STABLE one. Two reasons: a more stable class gives the higher ground-level concentration from a
 *   near-ground release, the protective side for the exposure estimate that goes with a referral;
 *   and Turner's (1964) finer table, which splits these rows by wind speed in knots, gives the more
 *   stable class for most of the "2–3 m/s, strong" cell (B from 4 kt up). It does not everywhere
 *   (Turner puts 5–6 m/s moderate in C): a Bayesian caller that cares should take both classes
 *   from stabilityRangeFromMet and weigh them.
 * - Night below 2 m/s (blank in Turner 1970): F with ≤3/8 cloud, and the split cell E–F with ≥4/8
 *   (resolved to F). Turner's (1964) net-radiation table gives F (−1) and "G" (−2, folded into F)
 *   for 0–3 kt at night; NOAA's READY rendering of Pasquill's table gives E and F. Calm nights are
 *   the most stable conditions the scheme knows.
 * - "weak" insolation (sun ≤ 15°, Turner's insolation class 1, which Pasquill's table lacks):
 *   Turner's (1964) column for net-radiation index 1, C up to 3 kt and D from 4 kt, taken here as C
 *   below 2 m/s (the table's first row) and D from 2 m/s.
 */

import { PlumetraceError } from '../errors.ts';
import type { StabilityClass } from '../types.ts';

/** Daytime incoming solar radiation, Pasquill's columns plus Turner's class 1 ("weak", sun ≤ 15°). */
export type Insolation = 'strong' | 'moderate' | 'slight' | 'weak';

/** Meteorology that fixes a Pasquill class; windSpeedMps is the wind at 10 m. */
export type PasquillMet =
  | { windSpeedMps: number; insolation: Insolation }
  | { windSpeedMps: number; night: true; cloudCoverOktas: number }
  /** Overcast (8/8), day or night: D whatever the wind. */
  | { windSpeedMps: number; overcast: true };

/** What the sky gives for the Pasquill table: an insolation class by day, night, or overcast (D). */
export type SkyCondition = Insolation | 'night' | 'overcast';

type Cell = readonly [StabilityClass, StabilityClass];
const cell = (a: StabilityClass, b: StabilityClass = a): Cell => Object.freeze([a, b] as const);

// Rows: < 2, 2–3, 3–5, 5–6, ≥ 6 m/s. Each cell: [more unstable, more stable].
const DAY: Readonly<Record<Insolation, readonly Cell[]>> = {
  strong: [cell('A'), cell('A', 'B'), cell('B'), cell('C'), cell('C')],
  moderate: [cell('A', 'B'), cell('B'), cell('B', 'C'), cell('C', 'D'), cell('D')],
  slight: [cell('B'), cell('C'), cell('C'), cell('D'), cell('D')],
  weak: [cell('C'), cell('D'), cell('D'), cell('D'), cell('D')],
};
const NIGHT_CLOUDY: readonly Cell[] = [cell('E', 'F'), cell('E'), cell('D'), cell('D'), cell('D')];
const NIGHT_CLEAR: readonly Cell[] = [cell('F'), cell('F'), cell('E'), cell('D'), cell('D')];
const NEUTRAL: Cell = cell('D');

function bad(detail: string): PlumetraceError {
  return new PlumetraceError('PT_ERR_BAD_REQUEST', detail);
}

/** Row 0..4 of the table for a 10-m wind speed; throws for a negative or non-finite speed. */
function windRow(windSpeedMps: number): number {
  if (!(windSpeedMps >= 0) || !Number.isFinite(windSpeedMps)) {
    throw bad(`windSpeedMps must be a finite speed >= 0 (got ${windSpeedMps})`);
  }
  if (windSpeedMps < 2) return 0;
  if (windSpeedMps < 3) return 1;
  if (windSpeedMps < 5) return 2;
  if (windSpeedMps < 6) return 3;
  return 4;
}

function checkOktas(cloudCoverOktas: number): void {
  if (!(cloudCoverOktas >= 0 && cloudCoverOktas <= 8)) {
    throw bad(`cloudCoverOktas must be between 0 and 8 (got ${cloudCoverOktas})`);
  }
}

/**
 * The table cell for the meteorology, as [more unstable, more stable] (equal for a single-class
 * cell). Throws PT_ERR_BAD_REQUEST for a bad speed, cloud cover or insolation.
 */
export function stabilityRangeFromMet(met: PasquillMet): readonly [StabilityClass, StabilityClass] {
  const row = windRow(met.windSpeedMps);
  if ('overcast' in met && met.overcast === true) return NEUTRAL;
  if ('night' in met && met.night === true) {
    checkOktas(met.cloudCoverOktas);
    if (met.cloudCoverOktas >= 8) return NEUTRAL;
    return (met.cloudCoverOktas >= 4 ? NIGHT_CLOUDY : NIGHT_CLEAR)[row];
  }
  if ('insolation' in met) {
    const table = Object.hasOwn(DAY, met.insolation) ? DAY[met.insolation] : undefined;
    if (table) return table[row];
    throw bad(`unknown insolation "${String(met.insolation)}" (expected strong, moderate, slight or weak)`);
  }
  throw bad('meteorology must give insolation (day), night with cloudCoverOktas, or overcast');
}

/**
 * Pasquill stability class from 10-m wind speed and insolation (day) or cloud cover (night); split
 * cells resolve to the more stable class (see the file comment). Throws PT_ERR_BAD_REQUEST for bad
 * input.
 */
export function stabilityFromMet(met: PasquillMet): StabilityClass {
  return stabilityRangeFromMet(met)[1];
}

/** Ceiling heights (m) of Turner's cloud corrections: 7000 ft and 16000 ft. */
const CEILING_LOW_M = 2133.6;
const CEILING_HIGH_M = 4876.8;
const INSOLATION_BY_CLASS: readonly Insolation[] = ['weak', 'weak', 'slight', 'moderate', 'strong'];

/**
 * The sky condition for the Pasquill table from solar elevation and cloud, after Turner's (1964)
 * net-radiation index, simplified:
 * - 8/8 cloud: 'overcast' (D, day or night; Turner's index 0 for 10/10 below 7000 ft, and
 *   Pasquill's overcast rule, applied here whatever the ceiling).
 * - Sun at or below the horizon: 'night'. (Pasquill's night runs from an hour before sunset to an
 *   hour after sunrise; the low-sun hours fall in 'weak' here, near-neutral as Pasquill's note asks
 *   for the hours next to night.)
 * - Insolation class from the elevation: > 60° strong, 35–60° moderate, 15–35° slight, ≤ 15° weak.
 * - More than 4/8 cloud (Turner: more than 5/10) lowers the class: by 2 with a ceiling below
 *   7000 ft (2134 m), by 1 for a ceiling of 7000–16000 ft or an unknown ceiling, by 0 above
 *   16000 ft (4877 m); never below weak.
 * Throws PT_ERR_BAD_REQUEST for a non-finite elevation, cloud outside 0..8 or a negative ceiling.
 */
export function insolationFromSun(solarElevationDeg: number, cloudCoverOktas: number, ceilingM?: number): SkyCondition {
  if (!Number.isFinite(solarElevationDeg)) throw bad(`solarElevationDeg must be finite (got ${solarElevationDeg})`);
  checkOktas(cloudCoverOktas);
  if (ceilingM !== undefined && !(ceilingM >= 0)) throw bad(`ceilingM must be >= 0 (got ${ceilingM})`);
  if (cloudCoverOktas >= 8) return 'overcast';
  if (solarElevationDeg <= 0) return 'night';
  let cls = solarElevationDeg > 60 ? 4 : solarElevationDeg > 35 ? 3 : solarElevationDeg > 15 ? 2 : 1;
  if (cloudCoverOktas > 4) {
    cls -= ceilingM === undefined ? 1 : ceilingM < CEILING_LOW_M ? 2 : ceilingM < CEILING_HIGH_M ? 1 : 0;
    if (cls < 1) cls = 1;
  }
  return INSOLATION_BY_CLASS[cls];
}

/**
 * Pasquill stability class from the 10-m wind, solar elevation (see solarElevationDeg) and cloud:
 * insolationFromSun, then stabilityFromMet. Throws PT_ERR_BAD_REQUEST for bad input.
 */
export function stabilityFromSun(met: {
  windSpeedMps: number;
  solarElevationDeg: number;
  cloudCoverOktas: number;
  ceilingM?: number;
}): StabilityClass {
  const sky = insolationFromSun(met.solarElevationDeg, met.cloudCoverOktas, met.ceilingM);
  if (sky === 'overcast') return stabilityFromMet({ windSpeedMps: met.windSpeedMps, overcast: true });
  if (sky === 'night') {
    return stabilityFromMet({ windSpeedMps: met.windSpeedMps, night: true, cloudCoverOktas: met.cloudCoverOktas });
  }
  return stabilityFromMet({ windSpeedMps: met.windSpeedMps, insolation: sky });
}
