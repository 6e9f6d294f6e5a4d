import { describe, expect, it } from 'vitest';
import { PlumetraceError } from '../../core/errors.ts';
import { parsePopulation } from './population.ts';

const fc = (features: unknown[]) => ({ type: 'FeatureCollection', features });

describe('population data', () => {
  it('reads points and building polygons (at the mean of the outer ring) with their people', () => {
    const pts = parsePopulation(
      fc([
        { type: 'Feature', geometry: { type: 'Point', coordinates: [-1.44, 51.15] }, properties: { people: 4 } },
        {
          type: 'Feature',
          geometry: {
            type: 'Polygon',
            coordinates: [
              [
                [0, 0],
                [2, 0],
                [2, 2],
                [0, 2],
                [0, 0],
              ],
            ],
          },
          properties: { residents: '12' },
        },
      ]),
      'homes.geojson',
    );
    expect(pts).toEqual([
      { lat: 51.15, lon: -1.44, people: 4 },
      { lat: 1, lon: 1, people: 12 },
    ]);
  });

  it('names the file and the feature that is wrong', () => {
    const bad = (doc: unknown, message: RegExp) => {
      try {
        parsePopulation(doc, 'homes.geojson');
        expect.unreachable();
      } catch (e) {
        expect(e).toBeInstanceOf(PlumetraceError);
        expect((e as PlumetraceError).code).toBe('PT_ERR_GEOJSON_FORMAT');
        expect((e as Error).message).toMatch(message);
      }
    };
    bad({ type: 'Feature' }, /FeatureCollection/);
    bad(fc([]), /no features/);
    bad(
      fc([{ type: 'Feature', geometry: { type: 'Point', coordinates: [0, 0] }, properties: {} }]),
      /feature 0.*people/,
    );
    bad(
      fc([{ type: 'Feature', geometry: { type: 'Point', coordinates: [0, 0] }, properties: { people: -3 } }]),
      /feature 0/,
    );
    bad(
      fc([{ type: 'Feature', geometry: { type: 'Point', coordinates: [200, 0] }, properties: { people: 1 } }]),
      /WGS84/,
    );
    bad(
      fc([{ type: 'Feature', geometry: { type: 'LineString', coordinates: [] }, properties: { people: 1 } }]),
      /LineString/,
    );
  });
});
