/** STAC 1.0.0 Items and Collections carry the fields the Item and Collection specs require. */
import type { Polygon } from 'geojson';
import { describe, expect, it } from 'vitest';
import { isPlumetraceError } from '../../core/errors.ts';
import { PROCESSING_EXTENSION, STAC_MEDIA_TYPES, type StacItem, stacCollection, stacItem } from './stac.ts';

const FOOTPRINT: Polygon = {
  type: 'Polygon',
  coordinates: [
    [
      [-1.47, 51.22],
      [-1.43, 51.221],
      [-1.431, 51.249],
      [-1.471, 51.248],
      [-1.47, 51.22],
    ],
  ],
};

/** The STAC 1.0.0 Item spec's required fields and their types. */
function expectValidItem(item: StacItem): void {
  const json = JSON.parse(JSON.stringify(item));
  expect(json.type).toBe('Feature');
  expect(json.stac_version).toBe('1.0.0');
  expect(Array.isArray(json.stac_extensions)).toBe(true);
  expect(typeof json.id).toBe('string');
  expect(json.geometry.type).toBe('Polygon');
  expect(json.bbox).toHaveLength(4);
  expect(json.bbox[0]).toBeLessThanOrEqual(json.bbox[2]);
  expect(json.bbox[1]).toBeLessThanOrEqual(json.bbox[3]);
  expect(typeof json.properties).toBe('object');
  expect('datetime' in json.properties).toBe(true);
  if (json.properties.datetime === null) {
    expect(typeof json.properties.start_datetime).toBe('string');
    expect(typeof json.properties.end_datetime).toBe('string');
  } else {
    expect(json.properties.datetime).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/);
  }
  expect(Array.isArray(json.links)).toBe(true);
  for (const l of json.links) {
    expect(typeof l.rel).toBe('string');
    expect(typeof l.href).toBe('string');
  }
  expect(Object.keys(json.assets).length).toBeGreaterThan(0);
  for (const a of Object.values(json.assets) as { href: string; type: string; roles: string[] }[]) {
    expect(typeof a.href).toBe('string');
    expect(typeof a.type).toBe('string');
    expect(a.roles.length).toBeGreaterThan(0);
  }
  if (json.collection !== undefined) {
    expect(json.links.some((l: { rel: string }) => l.rel === 'collection')).toBe(true);
  }
}

const scene = () =>
  stacItem({
    id: 'ang20260512t102100',
    kind: 'scene',
    collection: 'plumetrace-scenes',
    footprint: FOOTPRINT,
    datetime: '2026-05-12T10:21:00Z',
    platform: 'King Air B200',
    instruments: ['AVIRIS-NG'],
    gsdM: 3.2,
    assets: [
      {
        key: 'radiance',
        href: 'scenes/ang20260512t102100/rdn.img',
        format: 'envi',
        roles: ['data'],
        unit: 'uW cm-2 sr-1 nm-1',
      },
      { key: 'header', href: 'scenes/ang20260512t102100/rdn.hdr', format: 'envi-header', roles: ['metadata'] },
    ],
    baseUrl: 'https://plumetrace.example/api/stac/',
  });

describe('STAC items', () => {
  it('a scene Item has the required fields, its bbox from the footprint, and typed assets', () => {
    const item = scene();
    expectValidItem(item);
    expect(item.bbox).toEqual([-1.471, 51.22, -1.43, 51.249]);
    expect(item.properties.datetime).toBe('2026-05-12T10:21:00.000Z');
    expect(item.properties.gsd).toBe(3.2);
    expect(item.properties.instruments).toEqual(['AVIRIS-NG']);
    expect(item.assets.radiance.type).toBe(STAC_MEDIA_TYPES.envi);
    expect(item.assets.radiance.roles).toEqual(['data']);
    const self = item.links.find((l) => l.rel === 'self');
    expect(self?.href).toBe(
      'https://plumetrace.example/api/stac/collections/plumetrace-scenes/items/ang20260512t102100',
    );
  });

  it('product Items (CH4 ppm·m map, plumes GeoJSON) link to their scene and name the algorithm', () => {
    for (const [kind, key, format] of [
      ['ch4-map', 'ch4_ppm_m', 'cog'],
      ['plumes', 'plumes', 'geojson'],
    ] as const) {
      const item = stacItem({
        id: `ang20260512t102100-${kind}`,
        kind,
        collection: 'plumetrace-products',
        footprint: FOOTPRINT,
        datetime: null,
        startDatetime: '2026-05-12T10:21:00Z',
        endDatetime: '2026-05-12T10:24:30Z',
        derivedFrom: 'ang20260512t102100',
        algorithm: 'plumetrace-cmf',
        algorithmVersion: '2.1.0',
        gas: 'CH4',
        assets: [
          { key, href: `products/${key}`, format, roles: ['data'], unit: kind === 'ch4-map' ? 'ppm·m' : undefined },
        ],
      });
      expectValidItem(item);
      expect(item.properties.datetime).toBeNull();
      expect(item.properties['processing:software']).toEqual({ 'plumetrace-cmf': '2.1.0' });
      expect(item.stac_extensions).toEqual([PROCESSING_EXTENSION]);
      expect(item.links.find((l) => l.rel === 'derived_from')?.href).toBe('./ang20260512t102100.json');
      expect(item.assets[key].type).toBe(STAC_MEDIA_TYPES[format]);
    }
    const served = stacItem({
      id: 'p',
      kind: 'plumes',
      collection: 'plumetrace-products',
      footprint: FOOTPRINT,
      datetime: '2026-05-12T10:21:00Z',
      derivedFrom: 'ang20260512t102100',
      derivedFromCollection: 'plumetrace-scenes',
      assets: [{ key: 'plumes', href: 'plumes.geojson', format: 'geojson', roles: ['data'] }],
      baseUrl: 'https://plumetrace.example/api/stac',
    });
    expectValidItem(served);
    expect(served.links.find((l) => l.rel === 'derived_from')?.href).toBe(
      'https://plumetrace.example/api/stac/collections/plumetrace-scenes/items/ang20260512t102100',
    );
  });

  it('a Collection lists its Items and spans their extent', () => {
    const a = scene();
    const b = stacItem({
      id: 'ang20260520t095800',
      kind: 'scene',
      footprint: {
        type: 'Polygon',
        coordinates: [
          [
            [-1.5, 51.2],
            [-1.44, 51.2],
            [-1.44, 51.26],
            [-1.5, 51.2],
          ],
        ],
      },
      datetime: '2026-05-20T09:58:00Z',
      assets: [{ key: 'radiance', href: 'rdn.nc', format: 'netcdf', roles: ['data'] }],
    });
    const c = stacCollection({ id: 'plumetrace-scenes', description: 'Radiance scenes', items: [a, b] });
    expect(c.type).toBe('Collection');
    expect(c.stac_version).toBe('1.0.0');
    expect(c.license).toBe('proprietary');
    expect(c.extent.spatial.bbox).toEqual([[-1.5, 51.2, -1.43, 51.26]]);
    expect(c.extent.temporal.interval).toEqual([['2026-05-12T10:21:00.000Z', '2026-05-20T09:58:00.000Z']]);
    expect(c.links.filter((l) => l.rel === 'item').map((l) => l.href)).toEqual([
      './ang20260512t102100.json',
      './ang20260520t095800.json',
    ]);
  });

  it('bad input is PT_ERR_STAC_BAD_INPUT naming the field', () => {
    const base = {
      id: 'x',
      kind: 'scene' as const,
      footprint: FOOTPRINT,
      datetime: '2026-05-12T10:21:00Z',
      assets: [{ key: 'r', href: 'r.img', format: 'envi' as const, roles: ['data'] }],
    };
    const cases: [unknown, RegExp][] = [
      [{ ...base, id: '' }, /id/],
      [{ ...base, datetime: 'yesterday' }, /datetime/],
      [{ ...base, datetime: null }, /startDatetime/],
      [
        {
          ...base,
          footprint: {
            type: 'Polygon',
            coordinates: [
              [
                [0, 0],
                [1, 1],
                [0, 0],
              ],
            ],
          },
        },
        /footprint/,
      ],
      [{ ...base, assets: [] }, /assets/],
      [{ ...base, assets: [{ ...base.assets[0], href: '' }] }, /assets\[0\]\.href/],
      [{ ...base, kind: 'plumes' }, /derivedFrom/],
      [{ ...base, gsdM: Number.NaN }, /gsdM/],
    ];
    for (const [input, field] of cases) {
      let err: unknown;
      try {
        stacItem(input as Parameters<typeof stacItem>[0]);
      } catch (e) {
        err = e;
      }
      expect(isPlumetraceError(err) && err.code, String(field)).toBe('PT_ERR_STAC_BAD_INPUT');
      expect((err as Error).message).toMatch(field);
    }
  });
});
