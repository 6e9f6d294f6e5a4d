import { describe, expect, it } from 'vitest';
import { PlumetraceError } from '../errors.ts';
import { localFrame } from '../geo/local-frame.ts';
import { contourRings, type ExposureGrid, exposureContours, exposureEstimate, exposureGrid } from './index.ts';

/** A grid of f(x, y) at cell centres, in the layout exposureGrid uses. */
function gridOf(n: number, cellM: number, f: (x: number, y: number) => number): ExposureGrid {
  const x0 = -(n / 2 - 0.5) * cellM;
  const ppm = new Float32Array(n * n);
  for (let j = 0; j < n; j++) for (let i = 0; i < n; i++) ppm[j * n + i] = f(x0 + i * cellM, x0 + j * cellM);
  return { x0, y0: x0, cellM, nx: n, ny: n, ppm, rateKgPerHour: 1, stability: 'D', thresholdsPpm: [1] };
}

const LAT = 45.5;
const LON = 7.25;

function metric(ring: number[][]): [number, number][] {
  const f = localFrame(LAT, LON);
  return ring.map(([lon, lat]) => f.toXY(lat, lon));
}

describe('exposureContours', () => {
  it('contours a radial Gaussian as a circle of the analytic radius (within 0.5% of a 1 m cell)', () => {
    const sigma = 40;
    const g = gridOf(200, 1, (x, y) => 100 * Math.exp(-(x * x + y * y) / (2 * sigma * sigma)));
    const [c] = exposureContours(g, LAT, LON, [10]);
    const radius = sigma * Math.sqrt(2 * Math.log(10));
    expect(c.polygons).toHaveLength(1);
    expect(c.touchesEdge).toBe(false);
    const ring = metric(c.polygons[0].coordinates[0]);
    expect(ring[0]).toEqual(ring[ring.length - 1]);
    for (const [x, y] of ring) expect(Math.abs(Math.hypot(x, y) - radius)).toBeLessThan(0.05);
    // Counter-clockwise outer ring (RFC 7946), area of the circle within 0.1%.
    expect(c.areaM2 / (Math.PI * radius * radius)).toBeCloseTo(1, 3);
  });

  it('gives a hole for an annulus, two polygons for two blobs, and flags an area cut by the grid edge', () => {
    const ring = gridOf(100, 1, (x, y) => Math.exp(-(((Math.hypot(x, y) - 25) / 6) ** 2)));
    const [a] = exposureContours(ring, LAT, LON, [0.5]);
    expect(a.polygons).toHaveLength(1);
    expect(a.polygons[0].coordinates).toHaveLength(2);
    const w = 6 * Math.sqrt(Math.log(2));
    expect(a.areaM2 / (Math.PI * ((25 + w) ** 2 - (25 - w) ** 2))).toBeCloseTo(1, 2);
    // Diagonal blobs meet at a saddle: a low centre keeps them apart.
    const blobs = gridOf(
      60,
      1,
      (x, y) => Math.exp(-((x - 8) ** 2 + (y - 8) ** 2) / 50) + Math.exp(-((x + 8) ** 2 + (y + 8) ** 2) / 50),
    );
    const [b] = exposureContours(blobs, LAT, LON, [0.5]);
    expect(b.polygons).toHaveLength(2);
    expect(b.areaM2 / (2 * Math.PI * 50 * Math.log(2))).toBeCloseTo(1, 2);
    const edge = gridOf(20, 1, (x) => (x > 0 ? 2 : 0));
    const [e] = exposureContours(edge, LAT, LON, [1]);
    expect(e.touchesEdge).toBe(true);
    expect(e.polygons).toHaveLength(1);
  });

  it('a Gaussian plume grid agrees with exposureEstimate: distance within a cell, area within 2%', () => {
    const input = {
      gas: 'CH4',
      rateKgPerHour: 42,
      rateKgPerHourCi90: [27, 66] as [number, number],
      sourceHeightM: 2,
      windSpeedMps: 3.2,
      stability: 'D' as const,
      thresholdsPpm: [1, 10],
    };
    const est = exposureEstimate(input);
    const farM = est.thresholds[0].maxDistanceM.central;
    const cellM = 2;
    const grid = exposureGrid({ ...input, windFromDeg: 270, cellM, extentM: farM * 1.1 });
    const contours = exposureContours(grid, LAT, LON);
    expect(contours.map((c) => c.thresholdPpm)).toEqual([1, 10]);
    contours.forEach((c, k) => {
      const t = est.thresholds[k];
      expect(c.touchesEdge).toBe(false);
      // Wind from the west: the plume goes east; its farthest x is the downwind distance.
      const xs = c.polygons.flatMap((p) => metric(p.coordinates[0]).map(([x]) => x));
      expect(Math.abs(Math.max(...xs) - t.maxDistanceM.central)).toBeLessThan(cellM);
      expect(Math.abs(c.areaM2 / t.areaM2.central - 1)).toBeLessThan(0.02);
    });
  });

  it('treats NaN cells as below, and rejects a bad origin or threshold', () => {
    const g = gridOf(10, 1, () => 5);
    g.ppm[55] = Number.NaN;
    const { rings } = contourRings(g, 1);
    expect(rings).toHaveLength(2);
    expect(() => exposureContours(g, Number.NaN, 0)).toThrow(PlumetraceError);
    expect(() => exposureContours(g, 0, 200)).toThrow(/originLon/);
    expect(() => exposureContours(g, 0, 0, [0])).toThrow(/thresholdsPpm/);
  });
});
