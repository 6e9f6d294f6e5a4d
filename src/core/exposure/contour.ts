/**
 * Contours of an exposure grid: the areas where the ground-level concentration is at or above a
 * threshold, as polygons in lon/lat (GeoJSON Polygon structure), for maps and referral packages.
 *
 * Marching squares over the grid's cell centres with linear interpolation along cell edges; a
 * saddle square is resolved by the mean of its four corners. The grid is padded with one ring of
 * "below" values so every contour closes: where the area above the threshold reaches the grid's
 * edge, the polygon is cut there (`touchesEdge` says so — use a larger extentM). Outer rings run
 * counter-clockwise and holes clockwise (RFC 7946); each hole goes with the smallest outer ring
 * that contains it. Non-finite values count as below the threshold.
 */
import { PlumetraceError } from '../errors.ts';
import { localFrame } from '../geo/local-frame.ts';
import type { ExposureGrid } from './exposure.ts';

/** A GeoJSON Polygon: rings of [lon, lat], closed, outer ring first. */
export interface LonLatPolygon {
  type: 'Polygon';
  coordinates: number[][][];
}

export interface ExposureContour {
  thresholdPpm: number;
  /** One polygon per connected area at or above the threshold. */
  polygons: LonLatPolygon[];
  /** Total area inside the polygons (m², holes subtracted), in the grid's metric frame. */
  areaM2: number;
  /** Some area above the threshold reaches the grid's edge: the polygons are cut there. */
  touchesEdge: boolean;
}

type XY = [number, number];

/** Signed area (m², positive counter-clockwise) of a closed ring. */
function signedArea(ring: XY[]): number {
  let a = 0;
  for (let k = 0; k < ring.length - 1; k++) a += ring[k][0] * ring[k + 1][1] - ring[k + 1][0] * ring[k][1];
  return a / 2;
}

function inside(p: XY, ring: XY[]): boolean {
  let c = false;
  for (let a = 0, b = ring.length - 1; a < ring.length; b = a++) {
    const [xa, ya] = ring[a];
    const [xb, yb] = ring[b];
    if (ya > p[1] !== yb > p[1] && p[0] < ((xb - xa) * (p[1] - ya)) / (yb - ya) + xa) c = !c;
  }
  return c;
}

/** Rings (metric frame, closed) around the cells at or above `threshold`. */
export function contourRings(grid: ExposureGrid, threshold: number): { rings: XY[][]; touchesEdge: boolean } {
  const { nx, ny, ppm, x0, y0, cellM } = grid;
  // Padded corner values: corner (i, j) of the padded lattice is cell (i−1, j−1).
  const W = nx + 2;
  const H = ny + 2;
  const at = (i: number, j: number): number => {
    if (i < 1 || j < 1 || i > nx || j > ny) return Number.NEGATIVE_INFINITY;
    const v = ppm[(j - 1) * nx + (i - 1)];
    return Number.isFinite(v) ? v : Number.NEGATIVE_INFINITY;
  };
  let touchesEdge = false;
  for (let i = 0; i < nx && !touchesEdge; i++) touchesEdge = ppm[i] >= threshold || ppm[(ny - 1) * nx + i] >= threshold;
  for (let j = 0; j < ny && !touchesEdge; j++)
    touchesEdge = ppm[j * nx] >= threshold || ppm[j * nx + nx - 1] >= threshold;
  const pos = (i: number, j: number): XY => [x0 + (i - 1) * cellM, y0 + (j - 1) * cellM];
  // Crossing point on the edge from corner a to corner b; an edge has one id whichever way it is walked.
  const edgeId = (ia: number, ja: number, ib: number, jb: number): number =>
    ja === jb ? 2 * (ja * W + Math.min(ia, ib)) : 2 * (Math.min(ja, jb) * W + ia) + 1;
  const points = new Map<number, XY>();
  const point = (ia: number, ja: number, ib: number, jb: number): number => {
    const id = edgeId(ia, ja, ib, jb);
    if (!points.has(id)) {
      const va = at(ia, ja);
      const vb = at(ib, jb);
      // Padding and no-data are −∞: the crossing then sits at the edge's midpoint, so an area cut
      // at the grid's edge ends half a cell beyond the last cell centres.
      const t = Number.isFinite(va) && Number.isFinite(vb) ? (threshold - va) / (vb - va) : 0.5;
      const [xa, ya] = pos(ia, ja);
      const [xb, yb] = pos(ib, jb);
      points.set(id, [xa + t * (xb - xa), ya + t * (yb - ya)]);
    }
    return id;
  };
  const next = new Map<number, number>();
  for (let j = 0; j < H - 1; j++) {
    for (let i = 0; i < W - 1; i++) {
      // Most squares lie wholly above or below: decide that without allocating.
      const n =
        +(at(i, j) >= threshold) +
        +(at(i + 1, j) >= threshold) +
        +(at(i + 1, j + 1) >= threshold) +
        +(at(i, j + 1) >= threshold);
      if (n === 0 || n === 4) continue;
      // Corners counter-clockwise: bottom-left, bottom-right, top-right, top-left.
      const cs: [number, number][] = [
        [i, j],
        [i + 1, j],
        [i + 1, j + 1],
        [i, j + 1],
      ];
      const vals = cs.map(([a, b]) => at(a, b));
      const ins = vals.map((v) => v >= threshold);
      // Crossings in counter-clockwise order, each in→out or out→in.
      const xs: { id: number; out: boolean }[] = [];
      for (let k = 0; k < 4; k++) {
        const m = (k + 1) % 4;
        if (ins[k] !== ins[m]) xs.push({ id: point(cs[k][0], cs[k][1], cs[m][0], cs[m][1]), out: ins[k] });
      }
      // The area above lies to the left of each segment, which runs from an in→out crossing to an
      // out→in one: the next crossing when the above-threshold corners connect through the square's
      // centre, the previous one when they do not (a saddle with a low centre).
      const finite = vals.map((v) => (Number.isFinite(v) ? v : 0));
      const connected = xs.length === 2 || (finite[0] + finite[1] + finite[2] + finite[3]) / 4 >= threshold;
      xs.forEach((c, k) => {
        if (!c.out) return;
        const partner = xs[(k + (connected ? 1 : xs.length - 1)) % xs.length];
        next.set(c.id, partner.id);
      });
    }
  }
  const rings: XY[][] = [];
  for (const start of next.keys()) {
    if (!next.has(start)) continue;
    const ring: XY[] = [];
    let id: number | undefined = start;
    while (id !== undefined && next.has(id)) {
      ring.push(points.get(id) as XY);
      const to: number = next.get(id) as number;
      next.delete(id);
      id = to;
    }
    if (ring.length >= 3) {
      ring.push([ring[0][0], ring[0][1]]);
      rings.push(ring);
    }
  }
  return { rings, touchesEdge };
}

/**
 * Contours of `grid` at each threshold, in lon/lat around the source at (originLat, originLon).
 * Thresholds default to the grid's own.
 */
export function exposureContours(
  grid: ExposureGrid,
  originLat: number,
  originLon: number,
  thresholdsPpm: readonly number[] = grid.thresholdsPpm,
): ExposureContour[] {
  if (!Number.isFinite(originLat) || originLat < -90 || originLat > 90) {
    throw new PlumetraceError('PT_ERR_BAD_REQUEST', `originLat must be a latitude (got ${originLat})`);
  }
  if (!Number.isFinite(originLon) || originLon < -180 || originLon > 180) {
    throw new PlumetraceError('PT_ERR_BAD_REQUEST', `originLon must be a longitude (got ${originLon})`);
  }
  const frame = localFrame(originLat, originLon);
  return thresholdsPpm.map((t) => {
    if (!Number.isFinite(t) || t <= 0) {
      throw new PlumetraceError('PT_ERR_BAD_REQUEST', `thresholdsPpm must be positive numbers (got ${t})`);
    }
    const { rings, touchesEdge } = contourRings(grid, t);
    const outer = rings
      .filter((r) => signedArea(r) > 0)
      .map((r) => ({ ring: r, area: signedArea(r), holes: [] as XY[][] }));
    for (const h of rings.filter((r) => signedArea(r) < 0)) {
      const owners = outer.filter((o) => inside(h[0], o.ring)).sort((a, b) => a.area - b.area);
      if (owners.length > 0) owners[0].holes.push(h);
    }
    let areaM2 = 0;
    const polygons = outer.map((o) => {
      areaM2 += o.area + o.holes.reduce((n, h) => n + signedArea(h), 0);
      const ll = (r: XY[]) =>
        r.map(([x, y]) => {
          const [lat, lon] = frame.toLatLon(x, y);
          return [lon, lat];
        });
      return { type: 'Polygon' as const, coordinates: [ll(o.ring), ...o.holes.map(ll)] };
    });
    return { thresholdPpm: t, polygons, areaM2, touchesEdge };
  });
}
