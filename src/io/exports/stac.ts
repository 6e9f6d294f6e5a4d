/**
 * STAC 1.0.0 Items and Collections for imaging scenes and their products, so catalogue tools
 * (pystac, STAC Browser, stac-fastapi) can list what plumetrace holds.
 *
 * - A scene Item (`kind: 'scene'`) holds the at-sensor radiance (role `data`) and whatever else
 *   the caller lists (headers, quick-looks).
 * - A product Item (`kind: 'ch4-map'`, `'gas-column-map'` or `'plumes'`) holds a derived product:
 *   the CH4 enhancement map or a thermal scene's column map of one gas (ppm·m, role `data`), or the
 *   plume outlines (GeoJSON, role `data`), and links to its scene with `derived_from`.
 * Geometry is the footprint polygon; bbox is computed from it. Dates follow the spec: `datetime`,
 * or `datetime: null` with `start_datetime` and `end_datetime`.
 */
import type { Polygon } from 'geojson';
import { PlumetraceError } from '../../core/errors.ts';
import { checkPolygon } from './validate.ts';

export const STAC_VERSION = '1.0.0';
/** The processing extension, for `processing:software` (algorithm and version of a product). */
export const PROCESSING_EXTENSION = 'https://stac-extensions.github.io/processing/v1.2.0/schema.json';

/** Media types of the asset formats plumetrace writes or reads. */
export const STAC_MEDIA_TYPES = {
  cog: 'image/tiff; application=geotiff; profile=cloud-optimized',
  geotiff: 'image/tiff; application=geotiff',
  envi: 'application/octet-stream',
  'envi-header': 'text/plain',
  netcdf: 'application/x-netcdf',
  geojson: 'application/geo+json',
  png: 'image/png',
  json: 'application/json',
  pdf: 'application/pdf',
} as const;
export type StacAssetFormat = keyof typeof STAC_MEDIA_TYPES;

export type StacItemKind = 'scene' | 'ch4-map' | 'gas-column-map' | 'plumes';
const STAC_ITEM_KINDS: readonly StacItemKind[] = ['scene', 'ch4-map', 'gas-column-map', 'plumes'];

export interface StacAssetInput {
  /** Key of the asset in the Item (e.g. "radiance", "ch4_ppm_m", "plumes"). */
  key: string;
  /** Where the file is (absolute URL, or relative to the Item). */
  href: string;
  format: StacAssetFormat;
  /** Roles (STAC best practice: "data", "metadata", "thumbnail", "overview"). */
  roles: readonly string[];
  title?: string;
  description?: string;
  /** Unit of the values (e.g. "ppm·m", "uW cm-2 sr-1 nm-1"), as raster:bands-style metadata. */
  unit?: string;
}

export interface StacItemInput {
  id: string;
  kind: StacItemKind;
  /** Collection the Item belongs to (adds the `collection` field and link). */
  collection?: string;
  /** Footprint in lon/lat (GeoJSON Polygon, closed rings). */
  footprint: Polygon;
  /** Acquisition time (ISO), or null with start/end given. */
  datetime: string | null;
  startDatetime?: string;
  endDatetime?: string;
  /** Platform (e.g. "King Air B200"), instrument(s) (e.g. ["AVIRIS-NG"]), ground sample distance (m). */
  platform?: string;
  instruments?: readonly string[];
  gsdM?: number;
  /** For products: the scene Item id they derive from, and the algorithm and version that made them. */
  derivedFrom?: string;
  /** Collection of that scene Item, when not the product's own. */
  derivedFromCollection?: string;
  algorithm?: string;
  algorithmVersion?: string;
  /** Gas of a product (e.g. "CH4"). */
  gas?: string;
  assets: readonly StacAssetInput[];
  /** Base URL of the API's STAC endpoint: adds self, parent and root links when given. */
  baseUrl?: string;
  /** When the Item was made (ISO). */
  created?: string;
}

export interface StacItem {
  type: 'Feature';
  stac_version: typeof STAC_VERSION;
  stac_extensions: string[];
  id: string;
  collection?: string;
  geometry: Polygon;
  bbox: [number, number, number, number];
  properties: Record<string, unknown> & { datetime: string | null };
  links: { rel: string; href: string; type?: string; title?: string }[];
  assets: Record<string, { href: string; type: string; roles: string[]; title?: string; description?: string }>;
}

export interface StacCollectionInput {
  id: string;
  title?: string;
  description: string;
  license?: string;
  items: readonly StacItem[];
  baseUrl?: string;
}

export interface StacCollection {
  type: 'Collection';
  stac_version: typeof STAC_VERSION;
  stac_extensions: string[];
  id: string;
  title?: string;
  description: string;
  license: string;
  extent: {
    spatial: { bbox: [number, number, number, number][] };
    temporal: { interval: [string | null, string | null][] };
  };
  links: { rel: string; href: string; type?: string; title?: string }[];
}

const bad = (m: string) => new PlumetraceError('PT_ERR_STAC_BAD_INPUT', m);
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

function rfc3339(v: unknown, field: string): string {
  if (typeof v !== 'string' || !ISO.test(v) || Number.isNaN(Date.parse(v))) {
    throw bad(`${field} must be an RFC 3339 time such as 2026-05-01T10:00:00Z (got ${JSON.stringify(v)})`);
  }
  return new Date(v).toISOString();
}

const trimSlash = (s: string) => s.replace(/\/+$/, '');

export function stacItem(input: StacItemInput): StacItem {
  if (typeof input?.id !== 'string' || input.id.trim() === '') throw bad('id must be a non-empty string');
  if (!STAC_ITEM_KINDS.includes(input.kind)) {
    throw bad(`kind must be one of ${STAC_ITEM_KINDS.join(', ')} (got ${JSON.stringify(input.kind)})`);
  }
  checkPolygon(input.footprint, 'footprint', 'PT_ERR_STAC_BAD_INPUT');
  if (input.footprint === null || input.footprint === undefined) throw bad('footprint is missing');
  const properties: StacItem['properties'] = { datetime: null };
  if (input.datetime === null) {
    const start = rfc3339(input.startDatetime, 'startDatetime (needed when datetime is null)');
    const end = rfc3339(input.endDatetime, 'endDatetime (needed when datetime is null)');
    if (Date.parse(start) > Date.parse(end)) throw bad('startDatetime is after endDatetime');
    properties.start_datetime = start;
    properties.end_datetime = end;
  } else {
    properties.datetime = rfc3339(input.datetime, 'datetime');
  }
  if (input.created !== undefined) properties.created = rfc3339(input.created, 'created');
  if (input.platform !== undefined) properties.platform = input.platform;
  if (input.instruments !== undefined) properties.instruments = [...input.instruments];
  if (input.gsdM !== undefined) {
    if (!Number.isFinite(input.gsdM) || input.gsdM <= 0)
      throw bad(`gsdM must be a positive number (got ${input.gsdM})`);
    properties.gsd = input.gsdM;
  }
  properties['plumetrace:kind'] = input.kind;
  if (input.gas !== undefined) properties['plumetrace:gas'] = input.gas;
  if (input.algorithm !== undefined)
    properties['processing:software'] = { [input.algorithm]: input.algorithmVersion ?? 'unknown' };
  const ring = input.footprint.coordinates[0];
  const lons = ring.map((p) => p[0]);
  const lats = ring.map((p) => p[1]);
  const bbox: [number, number, number, number] = [
    Math.min(...lons),
    Math.min(...lats),
    Math.max(...lons),
    Math.max(...lats),
  ];
  const list: readonly StacAssetInput[] = input.assets;
  if (!Array.isArray(list) || list.length === 0) throw bad('assets must list at least one file');
  const assets: StacItem['assets'] = {};
  list.forEach((a: StacAssetInput, i) => {
    if (typeof a.key !== 'string' || a.key === '') throw bad(`assets[${i}].key must be a non-empty string`);
    if (assets[a.key]) throw bad(`assets[${i}].key "${a.key}" is used twice`);
    if (typeof a.href !== 'string' || a.href === '') throw bad(`assets[${i}].href must be a non-empty string`);
    const type = STAC_MEDIA_TYPES[a.format];
    if (!type) throw bad(`assets[${i}].format must be one of ${Object.keys(STAC_MEDIA_TYPES).join(', ')}`);
    if (!Array.isArray(a.roles) || a.roles.length === 0) throw bad(`assets[${i}].roles must list at least one role`);
    assets[a.key] = { href: a.href, type, roles: [...a.roles] };
    if (a.title !== undefined) assets[a.key].title = a.title;
    if (a.description !== undefined || a.unit !== undefined) {
      assets[a.key].description = [a.description, a.unit ? `unit: ${a.unit}` : undefined].filter(Boolean).join('; ');
    }
  });
  const links: StacItem['links'] = [];
  if (input.baseUrl) {
    const base = trimSlash(input.baseUrl);
    const coll = input.collection ? `${base}/collections/${encodeURIComponent(input.collection)}` : base;
    links.push({ rel: 'self', href: `${coll}/items/${encodeURIComponent(input.id)}`, type: 'application/geo+json' });
    links.push({ rel: 'root', href: base, type: 'application/json' });
    links.push({ rel: 'parent', href: coll, type: 'application/json' });
    if (input.collection) links.push({ rel: 'collection', href: coll, type: 'application/json' });
    if (input.derivedFrom) {
      links.push({
        rel: 'derived_from',
        href: `${input.derivedFromCollection ? `${base}/collections/${encodeURIComponent(input.derivedFromCollection)}` : coll}/items/${encodeURIComponent(input.derivedFrom)}`,
        type: 'application/geo+json',
      });
    }
  } else {
    // A static catalogue: Items beside their collection.json (as stacCollection links them).
    if (input.collection) {
      links.push({ rel: 'collection', href: './collection.json', type: 'application/json' });
      links.push({ rel: 'parent', href: './collection.json', type: 'application/json' });
    }
    if (input.derivedFrom) {
      links.push({
        rel: 'derived_from',
        href: `./${encodeURIComponent(input.derivedFrom)}.json`,
        type: 'application/geo+json',
      });
    }
  }
  if (input.kind !== 'scene' && !input.derivedFrom)
    throw bad(`derivedFrom (the scene Item id) is required for a ${input.kind} product`);
  const item: StacItem = {
    type: 'Feature',
    stac_version: STAC_VERSION,
    stac_extensions: input.algorithm !== undefined ? [PROCESSING_EXTENSION] : [],
    id: input.id,
    geometry: input.footprint,
    bbox,
    properties,
    links,
    assets,
  };
  if (input.collection) item.collection = input.collection;
  return item;
}

/** A Collection whose extent covers its Items (union bbox, earliest to latest time). */
export function stacCollection(input: StacCollectionInput): StacCollection {
  if (typeof input?.id !== 'string' || input.id.trim() === '') throw bad('collection id must be a non-empty string');
  if (typeof input.description !== 'string' || input.description === '')
    throw bad('collection description is required');
  if (!Array.isArray(input.items)) throw bad('items must be a list');
  let bbox: [number, number, number, number] = [-180, -90, 180, 90];
  let start: number | null = null;
  let end: number | null = null;
  if (input.items.length > 0) {
    bbox = [Infinity, Infinity, -Infinity, -Infinity];
    for (const it of input.items) {
      bbox = [
        Math.min(bbox[0], it.bbox[0]),
        Math.min(bbox[1], it.bbox[1]),
        Math.max(bbox[2], it.bbox[2]),
        Math.max(bbox[3], it.bbox[3]),
      ];
      const p = it.properties;
      for (const t of [p.datetime, p.start_datetime, p.end_datetime]) {
        if (typeof t !== 'string') continue;
        const ms = Date.parse(t);
        start = start === null ? ms : Math.min(start, ms);
        end = end === null ? ms : Math.max(end, ms);
      }
    }
  }
  const links: StacCollection['links'] = [];
  const base = input.baseUrl ? trimSlash(input.baseUrl) : undefined;
  const self = base ? `${base}/collections/${encodeURIComponent(input.id)}` : undefined;
  if (base && self) {
    links.push({ rel: 'self', href: self, type: 'application/json' });
    links.push({ rel: 'root', href: base, type: 'application/json' });
    links.push({ rel: 'parent', href: base, type: 'application/json' });
  }
  for (const it of input.items) {
    links.push({
      rel: 'item',
      href: self ? `${self}/items/${encodeURIComponent(it.id)}` : `./${encodeURIComponent(it.id)}.json`,
      type: 'application/geo+json',
    });
  }
  const c: StacCollection = {
    type: 'Collection',
    stac_version: STAC_VERSION,
    stac_extensions: [],
    id: input.id,
    description: input.description,
    license: input.license ?? 'proprietary',
    extent: {
      spatial: { bbox: [bbox] },
      temporal: {
        interval: [
          [start === null ? null : new Date(start).toISOString(), end === null ? null : new Date(end).toISOString()],
        ],
      },
    },
    links,
  };
  if (input.title !== undefined) c.title = input.title;
  return c;
}
