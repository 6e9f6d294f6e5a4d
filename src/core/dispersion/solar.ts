/**
 * Solar elevation from position and time, for the insolation class of the Pasquill–Turner scheme.
 *
 * The low-precision solar coordinates of the Astronomical Almanac ("low precision formulas for the
 * Sun", published for solar-energy use by Michalsky 1988, Solar Energy 40, 227–235), good to about
 * 0.01° in declination and right ascension for 1950–2050, with Greenwich mean sidereal time from
 * Meeus (1998), *Astronomical Algorithms*, eq. 12.4 without its T² and T³ terms (under 0.001° over a
 * century). Time is taken as UT throughout: using UT instead of terrestrial time in the solar
 * longitude (about 70 s apart) moves the Sun by under 0.001°. So the elevation is good to a few
 * hundredths of a degree, far inside the 0.5° the stability scheme needs. Geometric elevation of the
 * Sun's centre: no atmospheric refraction (which lifts the Sun by about 0.5° at the horizon and by
 * under 0.1° above 10°).
 */

const DEG = Math.PI / 180;
/** Milliseconds in a day. */
const DAY_MS = 86_400_000;
/** Julian date of the Unix epoch, and of J2000.0 (2000-01-01 12:00 TT). */
const JD_UNIX_EPOCH = 2_440_587.5;
const JD_J2000 = 2_451_545.0;

/**
 * Elevation of the Sun's centre above the horizon (degrees, −90..90) at latDeg (north positive),
 * lonDeg (east positive), at utcMs (milliseconds since the Unix epoch, UTC). Geometric (no
 * refraction). NaN if any input is NaN.
 */
export function solarElevationDeg(latDeg: number, lonDeg: number, utcMs: number): number {
  const n = utcMs / DAY_MS + JD_UNIX_EPOCH - JD_J2000; // days since J2000.0
  const meanLongitudeDeg = 280.46 + 0.9856474 * n;
  const g = (357.528 + 0.9856003 * n) * DEG; // mean anomaly
  const lambda = (meanLongitudeDeg + 1.915 * Math.sin(g) + 0.02 * Math.sin(2 * g)) * DEG; // ecliptic longitude
  const epsilon = (23.439 - 4e-7 * n) * DEG; // obliquity of the ecliptic
  const sinLambda = Math.sin(lambda);
  const declination = Math.asin(Math.sin(epsilon) * sinLambda);
  const rightAscension = Math.atan2(Math.cos(epsilon) * sinLambda, Math.cos(lambda));
  // Greenwich mean sidereal time, reduced to [0, 360) before adding the longitude.
  const gmstDeg = (280.46061837 + 360.98564736629 * n) % 360;
  const hourAngle = (gmstDeg + lonDeg) * DEG - rightAscension;
  const lat = latDeg * DEG;
  const sinElevation =
    Math.sin(lat) * Math.sin(declination) + Math.cos(lat) * Math.cos(declination) * Math.cos(hourAngle);
  return Math.asin(Math.min(1, Math.max(-1, sinElevation))) / DEG;
}
