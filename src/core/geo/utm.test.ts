import { describe, expect, it } from 'vitest';
import { lonLatToUtm, meridianArcM, utmToLonLat, utmZoneOf } from './utm.ts';

describe('UTM (WGS84)', () => {
  it('puts the equator on the central meridian at E 500,000 m, N 0', () => {
    const u = lonLatToUtm(3, 0);
    expect(u).toMatchObject({ zone: 31, hemisphere: 'North' });
    expect(u.eastingM).toBeCloseTo(500000, 6);
    expect(u.northingM).toBeCloseTo(0, 6);
    expect(utmToLonLat(31, 'North', 500000, 0)).toEqual([3, 0]);
  });

  it('matches the WGS84 meridian arc to 45° (4,984,944.378 m, scaled by 0.9996 on the central meridian)', () => {
    expect(meridianArcM(Math.PI / 4)).toBeCloseTo(4984944.378, 2);
    expect(lonLatToUtm(-3, 45).northingM).toBeCloseTo(4984944.378 * 0.9996, 2);
  });

  it('round-trips to under a millimetre across a zone, both hemispheres', () => {
    for (const lat of [-60, -33.9, -0.5, 0.5, 20, 51.14, 70]) {
      for (const dLon of [-2.99, -1.5, 0, 0.7, 2.99]) {
        const lon = -3 + dLon; // zone 30
        const u = lonLatToUtm(lon, lat, 30);
        const [lon2, lat2] = utmToLonLat(u.zone, u.hemisphere, u.eastingM, u.northingM);
        expect(Math.abs(lat2 - lat) * 111000).toBeLessThan(1e-3);
        expect(Math.abs(lon2 - lon) * 111000 * Math.cos((lat * Math.PI) / 180)).toBeLessThan(1e-3);
      }
    }
  });

  it('places the demo scene origin (zone 30 N) in the Test Valley', () => {
    const [lon, lat] = utmToLonLat(30, 'North', 622000, 5667000);
    expect(lat).toBeGreaterThan(51.1);
    expect(lat).toBeLessThan(51.2);
    expect(lon).toBeGreaterThan(-1.4);
    expect(lon).toBeLessThan(-1.2);
  });

  it('picks zones by longitude and refuses bad input', () => {
    expect(utmZoneOf(-1.43)).toBe(30);
    expect(utmZoneOf(179.9)).toBe(60);
    expect(utmZoneOf(-180)).toBe(1);
    expect(() => utmToLonLat(0, 'North', 500000, 0)).toThrow(/zone/);
    expect(() => lonLatToUtm(0, 85)).toThrow(/84/);
  });
});
