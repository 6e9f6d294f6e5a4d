/**
 * The offline basemap: country polygons from Natural Earth 1:50m (the world-atlas package), turned
 * from TopoJSON into GeoJSON once per process and kept serialized (plain and gzip) for every request.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import type { FeatureCollection, Geometry, MultiPolygon, Polygon, Position } from 'geojson';
import { feature } from 'topojson-client';
import type { GeometryCollection, Topology } from 'topojson-specification';

export interface Basemap {
  featureCount: number;
  json: Buffer;
  gzip: Buffer;
  /** Strong ETag over the JSON bytes. */
  etag: string;
}

/** The topology is quantized to about 0.0036° × 0.0017°; four decimals (≈ 11 m) lose nothing of it. */
const DECIMALS = 4;

let cached: Promise<Basemap> | undefined;

/** The basemap, computed on first use and cached for the life of the process. */
export function loadBasemap(): Promise<Basemap> {
  if (!cached) {
    cached = computeBasemap();
    // A failed load is not cached: the next request tries again.
    cached.catch(() => {
      cached = undefined;
    });
  }
  return cached;
}

async function computeBasemap(): Promise<Basemap> {
  const require = createRequire(import.meta.url);
  const path = require.resolve('world-atlas/countries-50m.json');
  const topology = JSON.parse(await readFile(path, 'utf8')) as Topology<{ countries: GeometryCollection }>;
  const countries = feature(topology, topology.objects.countries) as FeatureCollection<Geometry | null>;
  const collection: FeatureCollection = {
    type: 'FeatureCollection',
    features: countries.features
      .filter((f) => f.geometry?.type === 'Polygon' || f.geometry?.type === 'MultiPolygon')
      .map((f) => ({
        type: 'Feature',
        ...(f.id !== undefined ? { id: f.id } : {}),
        properties: { name: typeof f.properties?.name === 'string' ? f.properties.name : null },
        geometry: roundGeometry(planarize(f.geometry as Polygon | MultiPolygon)),
      })),
  };
  const json = Buffer.from(JSON.stringify(collection));
  return {
    featureCount: collection.features.length,
    json,
    gzip: await promisify(gzip)(json, { level: 9 }),
    etag: `"${createHash('sha256').update(json).digest('base64url').slice(0, 32)}"`,
  };
}

/**
 * world-atlas keeps spherical polygons (made for d3-geo): a ring that crosses the antimeridian
 * jumps from +180 to -180, and Antarctica is closed around the south pole. Drawn on a plane, those
 * jumps streak across the whole map. This makes every ring continuous in longitude (it may reach
 * past ±180; MapLibre wraps that into the next world copy), closes rings that go all the way round
 * through their pole, and drops the zero-area rings that only trace a pole.
 */
export function planarize(g: Polygon | MultiPolygon): MultiPolygon {
  const polygons = g.type === 'Polygon' ? [g.coordinates] : g.coordinates;
  const out: Position[][][] = [];
  for (const rings of polygons) {
    if (rings.length === 0) continue;
    const refLon = rings[0][0][0];
    const kept: Position[][] = [];
    for (const ring of rings) {
      const r = unwrapRing(ring);
      const first = r[0];
      const last = r[r.length - 1];
      if (Math.abs(last[0] - first[0]) < 180) {
        // Holes next to their outer ring.
        kept.push(shiftLon(r, Math.round((first[0] - refLon) / 360) * 360));
        continue;
      }
      // The ring goes all the way round: a pole cap (or just the pole line itself).
      if (r.every((p) => Math.abs(p[1]) >= POLE_LINE_LAT)) continue;
      const poleLat = r.reduce((sum, p) => sum + p[1], 0) < 0 ? -90 : 90;
      const cap = shiftLon(r, Math.round((first[0] + last[0]) / 2 / 360) * 360);
      const [capFirst, capLast] = [cap[0], cap[cap.length - 1]];
      out.push([[...cap, [capLast[0], poleLat], [capFirst[0], poleLat], capFirst]]);
    }
    if (kept.length > 0) out.push(kept);
  }
  return { type: 'MultiPolygon', coordinates: out };
}

/** Rings at or beyond this latitude only trace the pole. */
const POLE_LINE_LAT = 89.9;

/** Removes ±360° jumps between neighbours. */
function unwrapRing(ring: Position[]): Position[] {
  const out: Position[] = [];
  let offset = 0;
  let prev: number | undefined;
  for (const [lon, lat] of ring) {
    let x = lon + offset;
    if (prev !== undefined) {
      while (x - prev > 180) {
        offset -= 360;
        x -= 360;
      }
      while (x - prev < -180) {
        offset += 360;
        x += 360;
      }
    }
    out.push([x, lat]);
    prev = x;
  }
  return out;
}

function shiftLon(ring: Position[], shift: number): Position[] {
  return shift === 0 ? ring : ring.map(([lon, lat]) => [lon - shift, lat]);
}

function roundGeometry(g: MultiPolygon): MultiPolygon {
  const f = 10 ** DECIMALS;
  const p = (pos: Position): Position => pos.map((v) => Math.round(v * f) / f);
  return { type: 'MultiPolygon', coordinates: g.coordinates.map((poly) => poly.map((ring) => ring.map(p))) };
}
