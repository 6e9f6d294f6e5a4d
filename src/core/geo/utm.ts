/**
 * UTM (WGS84) ↔ longitude/latitude, transverse Mercator after Snyder, "Map Projections — A Working
 * Manual" (USGS Professional Paper 1395, 1987), eqs. 8-9 to 8-10 (forward) and 8-12 to 8-25
 * (inverse). Scale factor 0.9996, false easting 500 km, false northing 0 (North) or 10,000 km
 * (South); central meridian of zone z at 6z − 183°. The series are accurate to well under a
 * millimetre within the zone's ±3° (the tests check round trips and a meridian-arc reference).
 * No datum shift: the map must be on WGS84 (or a datum within metres of it, e.g. NAD83).
 *
 * Pure (no Node APIs).
 */
import { PlumetraceError } from '../errors.ts';

const A = 6378137.0;
const F = 1 / 298.257223563;
const E2 = F * (2 - F);
const EP2 = E2 / (1 - E2);
const K0 = 0.9996;
const FALSE_EASTING_M = 500000;
const FALSE_NORTHING_SOUTH_M = 10000000;
const DEG = Math.PI / 180;

export type UtmHemisphere = 'North' | 'South';

export interface UtmCoordinate {
  readonly zone: number;
  readonly hemisphere: UtmHemisphere;
  readonly eastingM: number;
  readonly northingM: number;
}

/** Central meridian of a UTM zone, degrees. */
export function utmCentralMeridianDeg(zone: number): number {
  checkZone(zone);
  return zone * 6 - 183;
}

/** Meridian arc length from the equator to latitude φ (radians), m. */
export function meridianArcM(phi: number): number {
  const e4 = E2 * E2;
  const e6 = e4 * E2;
  return (
    A *
    ((1 - E2 / 4 - (3 * e4) / 64 - (5 * e6) / 256) * phi -
      ((3 * E2) / 8 + (3 * e4) / 32 + (45 * e6) / 1024) * Math.sin(2 * phi) +
      ((15 * e4) / 256 + (45 * e6) / 1024) * Math.sin(4 * phi) -
      ((35 * e6) / 3072) * Math.sin(6 * phi))
  );
}

/** Longitude/latitude (degrees, WGS84) → UTM in the given zone (default: the zone holding `lonDeg`). */
export function lonLatToUtm(lonDeg: number, latDeg: number, zone = utmZoneOf(lonDeg)): UtmCoordinate {
  if (!(Math.abs(latDeg) <= 84) || !Number.isFinite(lonDeg)) {
    throw new PlumetraceError(
      'PT_ERR_BAD_REQUEST',
      `UTM needs a latitude within ±84° and a finite longitude, got ${latDeg}, ${lonDeg}`,
    );
  }
  const phi = latDeg * DEG;
  const lambda0 = utmCentralMeridianDeg(zone) * DEG;
  const sin = Math.sin(phi);
  const cos = Math.cos(phi);
  const tan = Math.tan(phi);
  const n = A / Math.sqrt(1 - E2 * sin * sin);
  const t = tan * tan;
  const c = EP2 * cos * cos;
  const a = (lonDeg * DEG - lambda0) * cos;
  const x = K0 * n * (a + ((1 - t + c) * a ** 3) / 6 + ((5 - 18 * t + t * t + 72 * c - 58 * EP2) * a ** 5) / 120);
  const y =
    K0 *
    (meridianArcM(phi) +
      n *
        tan *
        ((a * a) / 2 +
          ((5 - t + 9 * c + 4 * c * c) * a ** 4) / 24 +
          ((61 - 58 * t + t * t + 600 * c - 330 * EP2) * a ** 6) / 720));
  const hemisphere: UtmHemisphere = latDeg < 0 ? 'South' : 'North';
  return {
    zone,
    hemisphere,
    eastingM: x + FALSE_EASTING_M,
    northingM: hemisphere === 'South' ? y + FALSE_NORTHING_SOUTH_M : y,
  };
}

/** UTM → [longitude, latitude] in degrees (WGS84). */
export function utmToLonLat(
  zone: number,
  hemisphere: UtmHemisphere,
  eastingM: number,
  northingM: number,
): [lonDeg: number, latDeg: number] {
  checkZone(zone);
  if (!Number.isFinite(eastingM) || !Number.isFinite(northingM)) {
    throw new PlumetraceError('PT_ERR_BAD_REQUEST', `UTM coordinates must be finite, got ${eastingM}, ${northingM}`);
  }
  const x = eastingM - FALSE_EASTING_M;
  const y = hemisphere === 'South' ? northingM - FALSE_NORTHING_SOUTH_M : northingM;
  const e4 = E2 * E2;
  const e6 = e4 * E2;
  const mu = y / K0 / (A * (1 - E2 / 4 - (3 * e4) / 64 - (5 * e6) / 256));
  const sq = Math.sqrt(1 - E2);
  const e1 = (1 - sq) / (1 + sq);
  const phi1 =
    mu +
    ((3 * e1) / 2 - (27 * e1 ** 3) / 32) * Math.sin(2 * mu) +
    ((21 * e1 * e1) / 16 - (55 * e1 ** 4) / 32) * Math.sin(4 * mu) +
    ((151 * e1 ** 3) / 96) * Math.sin(6 * mu) +
    ((1097 * e1 ** 4) / 512) * Math.sin(8 * mu);
  const sin1 = Math.sin(phi1);
  const cos1 = Math.cos(phi1);
  const tan1 = Math.tan(phi1);
  const c1 = EP2 * cos1 * cos1;
  const t1 = tan1 * tan1;
  const w = 1 - E2 * sin1 * sin1;
  const n1 = A / Math.sqrt(w);
  const r1 = (A * (1 - E2)) / (w * Math.sqrt(w));
  const d = x / (n1 * K0);
  const phi =
    phi1 -
    ((n1 * tan1) / r1) *
      ((d * d) / 2 -
        ((5 + 3 * t1 + 10 * c1 - 4 * c1 * c1 - 9 * EP2) * d ** 4) / 24 +
        ((61 + 90 * t1 + 298 * c1 + 45 * t1 * t1 - 252 * EP2 - 3 * c1 * c1) * d ** 6) / 720);
  const lambda =
    (d -
      ((1 + 2 * t1 + c1) * d ** 3) / 6 +
      ((5 - 2 * c1 + 28 * t1 - 3 * c1 * c1 + 8 * EP2 + 24 * t1 * t1) * d ** 5) / 120) /
    cos1;
  return [utmCentralMeridianDeg(zone) + lambda / DEG, phi / DEG];
}

/** The standard UTM zone (1–60) of a longitude (no Norway/Svalbard exceptions). */
export function utmZoneOf(lonDeg: number): number {
  const l = ((((lonDeg + 180) % 360) + 360) % 360) - 180;
  return Math.min(60, Math.floor((l + 180) / 6) + 1);
}

function checkZone(zone: number): void {
  if (!Number.isInteger(zone) || zone < 1 || zone > 60) {
    throw new PlumetraceError('PT_ERR_BAD_REQUEST', `UTM zone must be an integer 1–60, got ${zone}`);
  }
}
