/**
 * Reads population or building data for the urgency rule (core/workflow/urgency.ts): a GeoJSON
 * FeatureCollection of Points (or Polygons / MultiPolygons, e.g. building footprints, taken at the
 * mean of their outer ring's vertices) whose `people` property (or `population`, `residents`)
 * says how many people live or work there. Anything else is PT_ERR_GEOJSON_FORMAT naming the file
 * and the feature. Only counts and positions are kept: no names, no addresses.
 */
import { PlumetraceError } from '../../core/errors.ts';
import { readGeoJsonFile } from './jurisdictions.ts';

export interface PopulationPoint {
  lat: number;
  lon: number;
  people: number;
}

const PEOPLE_KEYS = ['people', 'population', 'residents'] as const;
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export async function readPopulationFile(file: string): Promise<PopulationPoint[]> {
  return parsePopulation(await readGeoJsonFile(file), file);
}

export function parsePopulation(doc: unknown, file: string): PopulationPoint[] {
  const fail = (where: string, detail: string) =>
    new PlumetraceError('PT_ERR_GEOJSON_FORMAT', `${where}: ${detail}`, { file });
  if (!isObject(doc) || doc.type !== 'FeatureCollection' || !Array.isArray(doc.features))
    throw fail('document', 'not a GeoJSON FeatureCollection');
  if (doc.features.length === 0) throw fail('FeatureCollection', 'has no features');
  return doc.features.map((f, i) => {
    const where = `feature ${i}`;
    if (!isObject(f) || f.type !== 'Feature' || !isObject(f.geometry))
      throw fail(where, 'not a Feature with a geometry');
    const props = isObject(f.properties) ? f.properties : {};
    const key = PEOPLE_KEYS.find((k) => props[k] !== undefined);
    const people = key === undefined ? Number.NaN : Number(props[key]);
    if (!Number.isFinite(people) || people < 0)
      throw fail(
        where,
        `needs a "people" (or "population", "residents") count ≥ 0, got ${JSON.stringify(key && props[key])}`,
      );
    const g = f.geometry;
    let ring: unknown;
    if (g.type === 'Point') ring = [g.coordinates];
    else if (g.type === 'Polygon' && Array.isArray(g.coordinates)) ring = g.coordinates[0];
    else if (g.type === 'MultiPolygon' && Array.isArray(g.coordinates) && Array.isArray(g.coordinates[0]))
      ring = g.coordinates[0][0];
    else throw fail(where, `geometry ${JSON.stringify(g.type)} is not a Point, Polygon or MultiPolygon`);
    if (!Array.isArray(ring) || ring.length === 0) throw fail(where, 'has no coordinates');
    // A closed ring repeats its first vertex: leave the repeat out of the mean.
    const pts = ring.length > 1 ? ring.slice(0, -1) : ring;
    let lon = 0;
    let lat = 0;
    for (const p of pts) {
      if (
        !Array.isArray(p) ||
        !Number.isFinite(p[0]) ||
        !Number.isFinite(p[1]) ||
        Math.abs(p[0]) > 180 ||
        Math.abs(p[1]) > 90
      )
        throw fail(where, `position ${JSON.stringify(p)} is not [lon, lat] in WGS84 range`);
      lon += p[0] / pts.length;
      lat += p[1] / pts.length;
    }
    return { lat, lon, people };
  });
}
