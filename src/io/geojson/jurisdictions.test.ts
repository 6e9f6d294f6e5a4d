import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseJurisdictions, readJurisdictionFile } from './jurisdictions.ts';

const square = (x: number) => ({
  type: 'Polygon',
  coordinates: [
    [
      [x, 0],
      [x + 1, 0],
      [x + 1, 1],
      [x, 0],
    ],
  ],
});

describe('jurisdiction GeoJSON', () => {
  it('accepts a bare geometry, a Feature and a FeatureCollection, naming from properties or the file', () => {
    expect(parseJurisdictions(square(0), '/x/county.geojson')).toEqual([{ name: 'county', geometry: square(0) }]);
    const multi = { type: 'MultiPolygon', coordinates: [square(0).coordinates, square(5).coordinates] };
    expect(parseJurisdictions({ type: 'Feature', properties: { name: ' North ' }, geometry: multi }, 'a.json')).toEqual(
      [{ name: 'North', geometry: multi }],
    );
    const fc = {
      type: 'FeatureCollection',
      features: [
        { type: 'Feature', properties: { name: 'East' }, geometry: square(0) },
        { type: 'Feature', properties: {}, geometry: square(2) },
        { type: 'Feature', properties: null, geometry: square(4) },
      ],
    };
    expect(parseJurisdictions(fc, 'zones.geojson').map((j) => j.name)).toEqual(['East', 'zones', 'zones 2']);
  });

  it('rejects non-polygon geometry, open rings, bad positions and empty collections, naming file and feature', () => {
    const bad: [unknown, RegExp][] = [
      [{ type: 'Point', coordinates: [0, 0] }, /geometry: geometry type "Point"/],
      [{ type: 'FeatureCollection', features: [] }, /has no features/],
      [{ type: 'FeatureCollection', features: [{ type: 'Feature', geometry: null }] }, /feature 0: has no geometry/],
      [
        {
          type: 'Polygon',
          coordinates: [
            [
              [0, 0],
              [1, 0],
              [1, 1],
              [0, 1],
            ],
          ],
        },
        /not closed/,
      ],
      [
        {
          type: 'Polygon',
          coordinates: [
            [
              [0, 0],
              [1, 0],
              [0, 0],
            ],
          ],
        },
        /at least 4 positions/,
      ],
      [
        {
          type: 'Polygon',
          coordinates: [
            [
              [0, 0],
              [1, 95],
              [1, 1],
              [0, 0],
            ],
          ],
        },
        /position 1 is not a \[lon, lat\]/,
      ],
      [[1, 2], /not a GeoJSON object/],
    ];
    for (const [doc, re] of bad) {
      let err: unknown;
      try {
        parseJurisdictions(doc, 'j.geojson');
      } catch (e) {
        err = e;
      }
      expect(err).toMatchObject({ code: 'PT_ERR_GEOJSON_FORMAT', location: { file: 'j.geojson' } });
      expect((err as Error).message).toMatch(re);
    }
  });

  it('reports a file that is not JSON, and a missing file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'plumetrace-geojson-'));
    const f = join(dir, 'broken.geojson');
    writeFileSync(f, '{"type": "Polygon",');
    await expect(readJurisdictionFile(f)).rejects.toMatchObject({
      code: 'PT_ERR_GEOJSON_FORMAT',
      location: { file: f },
    });
    await expect(readJurisdictionFile(join(dir, 'none.geojson'))).rejects.toMatchObject({
      code: 'PT_ERR_FILE_NOT_FOUND',
    });
  });
});
