/**
 * Reads jurisdiction polygons from a GeoJSON file: a Polygon or MultiPolygon geometry, a Feature
 * with one, or a FeatureCollection of them. Each polygon feature becomes one jurisdiction, named
 * from its `name` property, else from the file name (with " 2", " 3"… when a collection has
 * several unnamed ones). Coordinates must be closed rings of at least 4 [lon, lat] positions in
 * WGS84 range; anything else is PT_ERR_GEOJSON_FORMAT naming the file and the feature.
 */
import { readFile } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import type { MultiPolygon, Polygon } from 'geojson';
import { PlumetraceError } from '../../core/errors.ts';

export interface JurisdictionInput {
  name: string;
  geometry: Polygon | MultiPolygon;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export async function readJurisdictionFile(file: string): Promise<JurisdictionInput[]> {
  return parseJurisdictions(await readGeoJsonFile(file), file);
}

/** A file's parsed JSON; PT_ERR_FILE_NOT_FOUND or PT_ERR_GEOJSON_FORMAT naming the file otherwise. */
export async function readGeoJsonFile(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new PlumetraceError('PT_ERR_FILE_NOT_FOUND', 'no such file', { file });
    throw new PlumetraceError('PT_ERR_GEOJSON_FORMAT', `cannot read: ${(e as Error).message}`, { file });
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new PlumetraceError('PT_ERR_GEOJSON_FORMAT', `not valid JSON: ${(e as Error).message}`, { file });
  }
}

/** The jurisdictions in a parsed GeoJSON document; `file` names it in errors and default names. */
export function parseJurisdictions(doc: unknown, file: string): JurisdictionInput[] {
  const fallback = basename(file, extname(file)) || 'jurisdiction';
  const fail = (where: string, detail: string) =>
    new PlumetraceError('PT_ERR_GEOJSON_FORMAT', `${where}: ${detail}`, { file });
  if (!isObject(doc)) throw fail('document', 'not a GeoJSON object');

  const features: { where: string; geometry: unknown; properties: unknown }[] = [];
  if (doc.type === 'FeatureCollection') {
    if (!Array.isArray(doc.features)) throw fail('FeatureCollection', '"features" is not an array');
    doc.features.forEach((f, i) => {
      if (!isObject(f) || f.type !== 'Feature') throw fail(`feature ${i}`, 'not a Feature');
      features.push({ where: `feature ${i}`, geometry: f.geometry, properties: f.properties });
    });
  } else if (doc.type === 'Feature') {
    features.push({ where: 'Feature', geometry: doc.geometry, properties: doc.properties });
  } else {
    features.push({ where: 'geometry', geometry: doc, properties: null });
  }
  if (features.length === 0) throw fail('FeatureCollection', 'has no features');

  const out: JurisdictionInput[] = [];
  let unnamed = 0;
  for (const f of features) {
    const geometry = checkGeometry(f.geometry, (d) => fail(f.where, d));
    const name = isObject(f.properties) && typeof f.properties.name === 'string' ? f.properties.name.trim() : '';
    out.push({ name: name || (unnamed++ === 0 ? fallback : `${fallback} ${unnamed}`), geometry });
  }
  return out;
}

function checkGeometry(g: unknown, fail: (detail: string) => PlumetraceError): Polygon | MultiPolygon {
  if (!isObject(g)) throw fail('has no geometry');
  if (g.type === 'Polygon') {
    checkPolygon(g.coordinates, fail);
    return { type: 'Polygon', coordinates: g.coordinates as Polygon['coordinates'] };
  }
  if (g.type === 'MultiPolygon') {
    if (!Array.isArray(g.coordinates) || g.coordinates.length === 0) throw fail('MultiPolygon has no polygons');
    g.coordinates.forEach((p, i) => {
      checkPolygon(p, (d) => fail(`polygon ${i}: ${d}`));
    });
    return { type: 'MultiPolygon', coordinates: g.coordinates as MultiPolygon['coordinates'] };
  }
  throw fail(`geometry type ${JSON.stringify(g.type)} is not Polygon or MultiPolygon`);
}

function checkPolygon(rings: unknown, fail: (detail: string) => PlumetraceError): void {
  if (!Array.isArray(rings) || rings.length === 0) throw fail('a polygon needs at least one ring');
  rings.forEach((ring, r) => {
    if (!Array.isArray(ring) || ring.length < 4) throw fail(`ring ${r} needs at least 4 positions`);
    for (const [k, pos] of ring.entries()) {
      if (
        !Array.isArray(pos) ||
        pos.length < 2 ||
        !pos.every((v) => typeof v === 'number' && Number.isFinite(v)) ||
        Math.abs(pos[0]) > 180 ||
        Math.abs(pos[1]) > 90
      ) {
        throw fail(`ring ${r}, position ${k} is not a [lon, lat] pair in range`);
      }
    }
    const a = ring[0] as number[];
    const b = ring[ring.length - 1] as number[];
    if (a[0] !== b[0] || a[1] !== b[1]) throw fail(`ring ${r} is not closed (first and last positions differ)`);
  });
}
