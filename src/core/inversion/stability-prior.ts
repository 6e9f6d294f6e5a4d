/**
 * A prior over Pasquill–Gifford stability classes when the user gives none:
 * - from the measured wind-direction variability σθ when the rows carry it (the σA method of US EPA
 *   Meteorological Monitoring Guidance, EPA-454/R-99-005, table 6-7: ≥22.5° A, 17.5–22.5° B,
 *   12.5–17.5° C, 7.5–12.5° D, 3.75–7.5° E, <3.75° F), with weight 0.6 on that class and 0.2 on
 *   each neighbour. The table is for σA over 15 minutes (the guidance's sub-hourly interval; an
 *   hourly σA is the root mean square of its 15-minute values), while rows usually carry σθ over
 *   their own averaging time (a minute): the direction's swings between minutes are part of σA. So
 *   σA² per 15-minute window = the mean of the rows' σθ² + the variance of the rows' mean wind
 *   directions in the window, and σA = the root mean square over the windows (sigmaA15);
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

/** The σA window of EPA-454/R-99-005 (s). */
export const SIGMA_A_WINDOW_S = 900;

/**
 * σA (degrees) over 15-minute windows from rows that carry σθ over their own averaging time and
 * their mean wind (see the file comment); NaN when fewer than half the rows (or under 3) carry both.
 */
export function sigmaA15(series: InSituSeries): number {
  const { windDirStdDeg: st, windU, windV, timeMs } = series;
  if (!st || !windU || !windV) return Number.NaN;
  const windows = new Map<number, { n: number; s2: number; c: number; s: number }>();
  let rows = 0;
  for (let i = 0; i < timeMs.length; i++) {
    const speed = Math.hypot(windU[i], windV[i]);
    if (!Number.isFinite(st[i]) || !(speed > 0)) continue;
    const key = Math.floor((timeMs[i] - timeMs[0]) / (SIGMA_A_WINDOW_S * 1000));
    const w = windows.get(key) ?? { n: 0, s2: 0, c: 0, s: 0 };
    w.n++;
    w.s2 += st[i] * st[i];
    w.c += windU[i] / speed;
    w.s += windV[i] / speed;
    windows.set(key, w);
    rows++;
  }
  if (rows < Math.max(3, 0.5 * timeMs.length)) return Number.NaN;
  let sum = 0;
  for (const w of windows.values()) {
    // Circular variance of the directions: σ² = −2·ln R (the wrapped-normal reading), R the mean resultant length.
    const R = Math.min(1, Math.hypot(w.c, w.s) / w.n);
    const between = R > 0 ? -2 * Math.log(R) * (180 / Math.PI) ** 2 : 180 ** 2;
    sum += w.s2 / w.n + between;
  }
  return Math.sqrt(sum / windows.size);
}

export function stabilityPrior(series: InSituSeries, meanWindSpeedMps: number): StabilityPrior {
  const w: number[] = [0, 0, 0, 0, 0, 0];
  const sigmaA = sigmaA15(series);
  let basis: string;
  if (Number.isFinite(sigmaA)) {
    const k = STABILITY_CLASSES.indexOf(stabilityClassFromSigmaTheta(sigmaA));
    w[k] += 0.6;
    if (k > 0) w[k - 1] += 0.2;
    if (k < 5) w[k + 1] += 0.2;
    basis = `sigma-A ${sigmaA.toFixed(1)}° over 15 min (EPA sigma-A method)`;
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
