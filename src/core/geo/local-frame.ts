/**
 * A local east/north metric frame around an origin on the WGS84 ellipsoid.
 *
 * Accurate to well under a metre within ~10 km of the origin (the scale of a drone survey or an
 * imaging scene's source search), which is what the locator and simulator need. x is metres east,
 * y metres north.
 */

const WGS84_A = 6378137.0;
const WGS84_F = 1 / 298.257223563;
const WGS84_E2 = WGS84_F * (2 - WGS84_F);
const DEG = Math.PI / 180;

export interface LocalFrame {
  readonly originLat: number;
  readonly originLon: number;
  /** Metres east per degree of longitude at the origin. */
  readonly metresPerDegLon: number;
  /** Metres north per degree of latitude at the origin. */
  readonly metresPerDegLat: number;
  toXY(lat: number, lon: number): [xM: number, yM: number];
  toLatLon(xM: number, yM: number): [lat: number, lon: number];
}

export function localFrame(originLat: number, originLon: number): LocalFrame {
  const phi = originLat * DEG;
  const s = Math.sin(phi);
  const w = Math.sqrt(1 - WGS84_E2 * s * s);
  const primeVerticalRadius = WGS84_A / w;
  const meridionalRadius = (WGS84_A * (1 - WGS84_E2)) / (w * w * w);
  const metresPerDegLat = meridionalRadius * DEG;
  const metresPerDegLon = primeVerticalRadius * Math.cos(phi) * DEG;
  return {
    originLat,
    originLon,
    metresPerDegLat,
    metresPerDegLon,
    toXY: (lat, lon) => [(lon - originLon) * metresPerDegLon, (lat - originLat) * metresPerDegLat],
    toLatLon: (x, y) => [originLat + y / metresPerDegLat, originLon + x / metresPerDegLon],
  };
}

/** Great-circle distance in metres (haversine on the mean Earth radius). */
export function distanceM(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const R = 6371008.8;
  const dLat = (lat2 - lat1) * DEG;
  const dLon = (lon2 - lon1) * DEG;
  const a = Math.sin(dLat / 2) ** 2 + Math.cos(lat1 * DEG) * Math.cos(lat2 * DEG) * Math.sin(dLon / 2) ** 2;
  return 2 * R * Math.asin(Math.min(1, Math.sqrt(a)));
}
