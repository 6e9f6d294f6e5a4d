/**
 * A prior over Pasquill–Gifford stability classes when the user gives none:
 * - from the measured wind-direction variability σθ when the rows carry it (the σA method of US EPA
 *   Meteorological Monitoring Guidance, EPA-454/R-99-005, table 6-7: ≥22.5° A, 17.5–22.5° B,
 *   12.5–17.5° C, 7.5–12.5° D, 3.75–7.5° E, <3.75° F), with weight 0.6 on that class and 0.2 on
 *   each neighbour;
 * - otherwise from Turner's table: the sun's elevation at the survey's time and place, the mean wind
 *   speed, and the cloud cover — unknown, so averaged over clear (0–3/8, weight 0.4), broken
 *   (4–7/8, 0.4) and overcast (8/8, 0.2) skies; a split cell (A–B) gives half to each class.
 * Classes below 10% are dropped (each class costs a search) and the rest renormalised.
 */
import { solarElevationDeg, stabilityRangeFromMet, insolationFromSun } from '../dispersion/index.ts';
import { type InSituSeries, STABILITY_CLASSES, type StabilityClass } from '../types.ts';

export interface StabilityPrior {
  prior: Partial<Record<StabilityClass, number>>;
  basis: string;
}

const SIGMA_A_LIMITS = [22.5, 17.5, 12.5, 7.5, 3.75];

export function stabilityClassFromSigmaTheta(sigmaThetaDeg: number): StabilityClass {
  const k = SIGMA_A_LIMITS.findIndex((lim) => sigmaThetaDeg >= lim);
  return STABILITY_CLASSES[k < 0 ? 5 : k];
}

export function stabilityPrior(series: InSituSeries, meanWindSpeedMps: number): StabilityPrior {
  const w: number[] = [0, 0, 0, 0, 0, 0];
  const st = series.windDirStdDeg
    ? Array.from(series.windDirStdDeg)
        .filter(Number.isFinite)
        .sort((a, b) => a - b)
    : [];
  let basis: string;
  if (st.length >= Math.max(3, 0.5 * series.ppm.length)) {
    const median = st[Math.floor(st.length / 2)];
    const k = STABILITY_CLASSES.indexOf(stabilityClassFromSigmaTheta(median));
    w[k] += 0.6;
    if (k > 0) w[k - 1] += 0.2;
    if (k < 5) w[k + 1] += 0.2;
    basis = `sigma-theta ${median.toFixed(1)}° (EPA sigma-A method)`;
  } else {
    const n = series.timeMs.length;
    const mid = Math.floor(n / 2);
    const elevation = solarElevationDeg(series.lat[mid], series.lon[mid], series.timeMs[mid]);
    const speed = Math.max(0, meanWindSpeedMps);
    for (const [oktas, weight] of [
      [2, 0.4],
      [6, 0.4],
      [8, 0.2],
    ] as const) {
      const sky = insolationFromSun(elevation, oktas);
      const [a, b] = stabilityRangeFromMet(
        sky === 'overcast'
          ? { windSpeedMps: speed, overcast: true }
          : sky === 'night'
            ? { windSpeedMps: speed, night: true, cloudCoverOktas: oktas }
            : { windSpeedMps: speed, insolation: sky },
      );
      w[STABILITY_CLASSES.indexOf(a)] += weight / 2;
      w[STABILITY_CLASSES.indexOf(b)] += weight / 2;
    }
    basis = `Turner's table: sun ${elevation.toFixed(0)}° above the horizon, wind ${speed.toFixed(1)} m/s, cloud unknown`;
  }
  const prior: Partial<Record<StabilityClass, number>> = {};
  const kept = w.map((v) => (v >= 0.1 ? v : 0));
  const s = kept.reduce((a, b) => a + b, 0);
  kept.forEach((v, i) => {
    if (v > 0) prior[STABILITY_CLASSES[i]] = v / s;
  });
  return { prior, basis };
}
