/**
 * Pasquill stability classes from meteorology, and the solar elevation they need.
 *
 * The table cells are Pasquill's (Turner 1970, "Key to stability categories"); the choices where the
 * table leaves room are the ones stability.ts documents. Solar elevations: known geometry (noon
 * elevation = 90° − |lat − declination|, polar elevation = declination) and the equation of time's
 * well-known extremes, to 0.1° / 1 minute.
 */

import { describe, expect, it } from 'vitest';
import { PlumetraceError } from '../errors.ts';
import type { StabilityClass } from '../types.ts';
import {
  type Insolation,
  insolationFromSun,
  type PasquillMet,
  solarElevationDeg,
  stabilityFromMet,
  stabilityFromSun,
  stabilityRangeFromMet,
} from './index.ts';

// One representative speed per table row: < 2, 2–3, 3–5, 5–6, > 6 m/s.
const ROW_SPEEDS = [1, 2.5, 4, 5.5, 8];

describe('Pasquill table (stabilityRangeFromMet / stabilityFromMet)', () => {
  // [more unstable, more stable] per row, straight from the table (split cells as pairs).
  const DAY: Record<Exclude<Insolation, 'weak'>, string[]> = {
    strong: ['AA', 'AB', 'BB', 'CC', 'CC'],
    moderate: ['AB', 'BB', 'BC', 'CD', 'DD'],
    slight: ['BB', 'CC', 'CC', 'DD', 'DD'],
  };
  const NIGHT_CLOUDY = ['EF', 'EE', 'DD', 'DD', 'DD']; // ≥ 4/8 (the < 2 m/s cell is ours: E–F)
  const NIGHT_CLEAR = ['FF', 'FF', 'EE', 'DD', 'DD']; // ≤ 3/8 (the < 2 m/s cell is ours: F)

  const pair = (m: PasquillMet) => stabilityRangeFromMet(m).join('');

  it('day cells, split cells as both classes, resolved to the more stable', () => {
    for (const [insolation, row] of Object.entries(DAY) as [Insolation, string[]][]) {
      ROW_SPEEDS.forEach((windSpeedMps, i) => {
        const m: PasquillMet = { windSpeedMps, insolation };
        expect(pair(m), `${insolation} ${windSpeedMps} m/s`).toBe(row[i]);
        expect(stabilityFromMet(m)).toBe(row[i][1]);
      });
    }
  });

  it('cells named in issue 3: <2 strong → A; 2–3 strong → A–B (B); night 4/8 at 2–3 → E; overcast → D', () => {
    expect(stabilityFromMet({ windSpeedMps: 1.5, insolation: 'strong' })).toBe('A');
    expect(stabilityRangeFromMet({ windSpeedMps: 2.5, insolation: 'strong' })).toEqual(['A', 'B']);
    expect(stabilityFromMet({ windSpeedMps: 2.5, insolation: 'strong' })).toBe('B');
    expect(stabilityFromMet({ windSpeedMps: 2.5, night: true, cloudCoverOktas: 4 })).toBe('E');
    expect(stabilityFromMet({ windSpeedMps: 2.5, night: true, cloudCoverOktas: 3 })).toBe('F');
    for (const windSpeedMps of ROW_SPEEDS) {
      expect(stabilityFromMet({ windSpeedMps, overcast: true })).toBe('D');
      expect(stabilityFromMet({ windSpeedMps, night: true, cloudCoverOktas: 8 })).toBe('D');
    }
  });

  it('night cells', () => {
    ROW_SPEEDS.forEach((windSpeedMps, i) => {
      expect(pair({ windSpeedMps, night: true, cloudCoverOktas: 5 })).toBe(NIGHT_CLOUDY[i]);
      expect(pair({ windSpeedMps, night: true, cloudCoverOktas: 0 })).toBe(NIGHT_CLEAR[i]);
    });
  });

  it('weak insolation (sun ≤ 15°): C below 2 m/s, D from 2 m/s (Turner 1964, index 1)', () => {
    expect(stabilityFromMet({ windSpeedMps: 1.9, insolation: 'weak' })).toBe('C');
    for (const windSpeedMps of [2, 4, 9]) expect(stabilityFromMet({ windSpeedMps, insolation: 'weak' })).toBe('D');
  });

  it('a speed on a row edge belongs to the faster row', () => {
    const edges: [number, StabilityClass][] = [
      [1.999, 'B'], // moderate, < 2: A–B → B
      [2, 'B'], // 2–3: B
      [2.999, 'B'],
      [3, 'C'], // 3–5: B–C → C
      [5, 'D'], // 5–6: C–D → D
      [6, 'D'],
      [0, 'B'],
    ];
    for (const [windSpeedMps, want] of edges) {
      expect(stabilityFromMet({ windSpeedMps, insolation: 'moderate' }), `${windSpeedMps} m/s`).toBe(want);
    }
    expect(stabilityFromMet({ windSpeedMps: 5.999, insolation: 'strong' })).toBe('C');
    expect(stabilityFromMet({ windSpeedMps: 2, insolation: 'strong' })).toBe('B');
    expect(stabilityFromMet({ windSpeedMps: 1.999, insolation: 'strong' })).toBe('A');
  });

  it('rejects bad speeds, cloud cover and insolation with PT_ERR_BAD_REQUEST', () => {
    const bad = [
      { windSpeedMps: -1, insolation: 'strong' },
      { windSpeedMps: Number.NaN, insolation: 'strong' },
      { windSpeedMps: Number.POSITIVE_INFINITY, night: true, cloudCoverOktas: 2 },
      { windSpeedMps: 3, night: true, cloudCoverOktas: 9 },
      { windSpeedMps: 3, night: true, cloudCoverOktas: -1 },
      { windSpeedMps: 3, insolation: 'blazing' },
      { windSpeedMps: 3, insolation: 'toString' },
      { windSpeedMps: 3 },
    ] as unknown as PasquillMet[];
    for (const m of bad) {
      expect(() => stabilityFromMet(m), JSON.stringify(m)).toThrow(PlumetraceError);
      expect(() => stabilityRangeFromMet(m)).toThrow(/PT_ERR_BAD_REQUEST/);
    }
  });
});

describe('insolation from the sun and cloud (Turner 1964, simplified)', () => {
  it('classes by elevation in clear sky: > 60 strong, 35–60 moderate, 15–35 slight, ≤ 15 weak', () => {
    expect(insolationFromSun(70, 0)).toBe('strong');
    expect(insolationFromSun(60.01, 2)).toBe('strong');
    expect(insolationFromSun(60, 2)).toBe('moderate');
    expect(insolationFromSun(35.01, 4)).toBe('moderate');
    expect(insolationFromSun(35, 0)).toBe('slight');
    expect(insolationFromSun(15.01, 0)).toBe('slight');
    expect(insolationFromSun(15, 0)).toBe('weak');
    expect(insolationFromSun(0.5, 0)).toBe('weak');
    expect(insolationFromSun(0, 0)).toBe('night');
    expect(insolationFromSun(-20, 3)).toBe('night');
  });

  it('more than 4/8 cloud lowers the class by the ceiling; 8/8 is overcast', () => {
    expect(insolationFromSun(70, 5)).toBe('moderate'); // unknown ceiling: −1
    expect(insolationFromSun(70, 7, 1000)).toBe('slight'); // below 7000 ft: −2
    expect(insolationFromSun(70, 7, 3000)).toBe('moderate'); // 7000–16000 ft: −1
    expect(insolationFromSun(70, 7, 6000)).toBe('strong'); // above 16000 ft: 0
    expect(insolationFromSun(20, 6, 500)).toBe('weak'); // never below weak
    expect(insolationFromSun(70, 8)).toBe('overcast');
    expect(insolationFromSun(-10, 8)).toBe('overcast');
  });

  it('stabilityFromSun puts it together', () => {
    expect(stabilityFromSun({ windSpeedMps: 1, solarElevationDeg: 65, cloudCoverOktas: 1 })).toBe('A');
    expect(stabilityFromSun({ windSpeedMps: 4, solarElevationDeg: 45, cloudCoverOktas: 6 })).toBe('C'); // slight
    expect(stabilityFromSun({ windSpeedMps: 2.5, solarElevationDeg: -5, cloudCoverOktas: 4 })).toBe('E');
    expect(stabilityFromSun({ windSpeedMps: 2.5, solarElevationDeg: -5, cloudCoverOktas: 1 })).toBe('F');
    expect(stabilityFromSun({ windSpeedMps: 1, solarElevationDeg: 65, cloudCoverOktas: 8 })).toBe('D');
    expect(stabilityFromSun({ windSpeedMps: 1, solarElevationDeg: 10, cloudCoverOktas: 0 })).toBe('C');
  });

  it('rejects bad elevation, cloud or ceiling', () => {
    expect(() => insolationFromSun(Number.NaN, 0)).toThrow(/PT_ERR_BAD_REQUEST/);
    expect(() => insolationFromSun(30, 8.5)).toThrow(/PT_ERR_BAD_REQUEST/);
    expect(() => insolationFromSun(30, 6, -1)).toThrow(/PT_ERR_BAD_REQUEST/);
  });
});

describe('solarElevationDeg', () => {
  /** Highest elevation over a UTC day (10-s steps), and when. */
  function noon(latDeg: number, lonDeg: number, dayIso: string): { elevationDeg: number; atMs: number } {
    const t0 = Date.parse(dayIso);
    let best = { elevationDeg: -90, atMs: t0 };
    for (let t = t0; t < t0 + 86_400_000; t += 10_000) {
      const e = solarElevationDeg(latDeg, lonDeg, t);
      if (e > best.elevationDeg) best = { elevationDeg: e, atMs: t };
    }
    return best;
  }
  const minutesOfDay = (ms: number) => (ms % 86_400_000) / 60_000;

  it('equinox noon at the equator ≈ 90°', () => {
    // 2024-03-20: vernal equinox at 03:06 UTC, declination +0.1° at noon.
    expect(noon(0, 0, '2024-03-20T00:00:00Z').elevationDeg).toBeGreaterThan(89.7);
    expect(noon(0, 100, '2024-03-20T00:00:00Z').elevationDeg).toBeGreaterThan(89.7);
  });

  it('June solstice noon at 51.1°N ≈ 90 − 51.1 + 23.44 = 62.34°; December ≈ 15.46°; midnight ≈ −15.46°', () => {
    expect(Math.abs(noon(51.1, -1.4, '2024-06-20T00:00:00Z').elevationDeg - 62.34)).toBeLessThan(0.1);
    expect(Math.abs(noon(51.1, -1.4, '2024-12-21T00:00:00Z').elevationDeg - 15.46)).toBeLessThan(0.1);
    expect(Math.abs(solarElevationDeg(51.1, 0, Date.parse('2024-06-21T00:00:00Z')) + 15.46)).toBeLessThan(0.1);
  });

  it('at the pole the elevation is the declination at any hour (solstice: 23.44°)', () => {
    for (const [lon, iso] of [
      [0, '2024-06-20T20:51:00Z'],
      [123, '2024-06-20T08:00:00Z'],
      [-77, '2024-06-21T02:00:00Z'],
    ] as const) {
      expect(Math.abs(solarElevationDeg(90, lon, Date.parse(iso)) - 23.44)).toBeLessThan(0.05);
    }
    expect(Math.abs(solarElevationDeg(-90, 0, Date.parse('2024-06-20T20:51:00Z')) + 23.44)).toBeLessThan(0.05);
  });

  it('puts solar noon where the equation of time says (±1 min): 11:44 UTC on 3 Nov, 12:14 on 11 Feb', () => {
    // Equation of time: +16.4 min on 3 November, −14.2 min on 11 February; at longitude 0 solar
    // noon is 12:00 minus it. 1 min of time is 0.25° of hour angle.
    expect(Math.abs(minutesOfDay(noon(40, 0, '2024-11-03T00:00:00Z').atMs) - (720 - 16.4))).toBeLessThan(1);
    expect(Math.abs(minutesOfDay(noon(40, 0, '2024-02-11T00:00:00Z').atMs) - (720 + 14.2))).toBeLessThan(1);
    // 75°W: four hours later.
    expect(Math.abs(minutesOfDay(noon(40, -75, '2024-11-03T00:00:00Z').atMs) - (1020 - 16.4))).toBeLessThan(1);
  });

  it('the Sun rises at the equinox near 06:00 local mean time (elevation ≈ 0 at hour angle −90°)', () => {
    // 2024-03-20 06:07 UTC at lon 0, equator: hour angle ≈ −90°, elevation ≈ 0 (±0.5°).
    expect(Math.abs(solarElevationDeg(0, 0, Date.parse('2024-03-20T06:07:00Z')))).toBeLessThan(0.5);
  });
});
