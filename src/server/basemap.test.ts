import type { FeatureCollection, MultiPolygon } from 'geojson';
import { describe, expect, it } from 'vitest';
import { loadBasemap, planarize } from './basemap.ts';

describe('planarize', () => {
  it('makes a ring that crosses the antimeridian continuous', () => {
    const square = planarize({
      type: 'Polygon',
      coordinates: [
        [
          [170, 0],
          [-170, 0],
          [-170, 10],
          [170, 10],
          [170, 0],
        ],
      ],
    });
    expect(square.coordinates).toEqual([
      [
        [
          [170, 0],
          [190, 0],
          [190, 10],
          [170, 10],
          [170, 0],
        ],
      ],
    ]);
  });

  it('closes a ring that goes round the pole through the pole, and drops a ring that only traces it', () => {
    const cap = planarize({
      type: 'Polygon',
      coordinates: [
        // the pole line, as world-atlas draws it
        [
          [-180, -89.999],
          [0, -89.999],
          [180, -89.999],
        ],
        // a coast all the way round at 70° S
        [
          [180, -70],
          [90, -70],
          [0, -70],
          [-90, -70],
          [-180, -70],
        ],
      ],
    });
    expect(cap.coordinates).toEqual([
      [
        [
          [180, -70],
          [90, -70],
          [0, -70],
          [-90, -70],
          [-180, -70],
          [-180, -90],
          [180, -90],
          [180, -70],
        ],
      ],
    ]);
  });

  it('leaves ordinary polygons and their holes alone', () => {
    const rings = [
      [
        [0, 0],
        [10, 0],
        [10, 10],
        [0, 0],
      ],
      [
        [2, 1],
        [8, 1],
        [8, 7],
        [2, 1],
      ],
    ];
    expect(planarize({ type: 'Polygon', coordinates: rings }).coordinates).toEqual([rings]);
  });
});

describe('the basemap', () => {
  it('has no ring that streaks across the map, and Antarctica reaches the pole', async () => {
    const fc = JSON.parse((await loadBasemap()).json.toString()) as FeatureCollection<MultiPolygon>;
    const streaks: string[] = [];
    for (const f of fc.features) {
      for (const polygon of f.geometry.coordinates) {
        for (const ring of polygon) {
          for (let i = 1; i < ring.length; i++) {
            const [a, b] = [ring[i - 1], ring[i]];
            // Only the closing segment of a pole cap may run the width of the map, along the pole.
            if (Math.abs(b[0] - a[0]) > 180 && !(Math.abs(a[1]) === 90 && Math.abs(b[1]) === 90)) {
              streaks.push(`${f.properties?.name}: ${a} -> ${b}`);
            }
          }
        }
      }
    }
    expect(streaks).toEqual([]);
    const antarctica = fc.features.find((f) => f.properties?.name === 'Antarctica')!;
    const lats = antarctica.geometry.coordinates.flat(2).map((p) => p[1]);
    expect(Math.min(...lats)).toBe(-90);
  });
});
