/**
 * The map's style: an offline basemap (country polygons served by /api/basemap) and the data layers.
 * No tiles, glyphs or sprites: nothing is fetched from outside the server, so there are no text layers.
 */
import type { LayerSpecification, MapOptions } from 'maplibre-gl';
import { apiUrl, BASEMAP_PATH } from './api.ts';
import { FLIGHT_TRACK_COLOR } from './status.ts';

export type Style = Exclude<MapOptions['style'], string | undefined>;

export const COLORS = {
  water: '#dbe6ee',
  land: '#f6f4ef',
  border: '#b8b2a3',
  coast: '#9fb3c2',
  selection: '#0f172a',
} as const;

export function baseStyle(): Style {
  return {
    version: 8,
    sources: {
      basemap: {
        type: 'geojson',
        data: apiUrl(BASEMAP_PATH),
        attribution: 'Boundaries: Natural Earth (public domain)',
        tolerance: 0.3,
      },
    },
    layers: [
      { id: 'water', type: 'background', paint: { 'background-color': COLORS.water } },
      { id: 'countries-fill', type: 'fill', source: 'basemap', paint: { 'fill-color': COLORS.land } },
      {
        id: 'countries-line',
        type: 'line',
        source: 'basemap',
        paint: {
          'line-color': COLORS.border,
          'line-width': ['interpolate', ['linear'], ['zoom'], 2, 0.5, 8, 1.2, 14, 2],
        },
      },
    ],
  };
}

/** Layers of the data sources `flights` and `sites`, bottom to top. */
export function dataLayers(): LayerSpecification[] {
  return [
    {
      id: 'flights',
      type: 'line',
      source: 'flights',
      layout: { 'line-join': 'round', 'line-cap': 'round' },
      paint: {
        'line-color': FLIGHT_TRACK_COLOR,
        'line-opacity': 0.75,
        'line-width': ['interpolate', ['linear'], ['zoom'], 4, 1, 10, 1.8, 15, 3],
      },
    },
    {
      id: 'sites-selected',
      type: 'circle',
      source: 'sites',
      filter: ['==', ['get', 'id'], ''],
      paint: {
        'circle-radius': ['interpolate', ['linear'], ['zoom'], 3, 10, 10, 14, 16, 18],
        'circle-opacity': 0,
        'circle-stroke-color': COLORS.selection,
        'circle-stroke-width': 2.5,
      },
    },
    {
      id: 'sites',
      type: 'circle',
      source: 'sites',
      paint: {
        // The page adds each site's status color to its properties (see status.ts).
        'circle-color': ['get', 'color'],
        'circle-radius': ['interpolate', ['linear'], ['zoom'], 3, 5, 10, 8, 16, 11],
        'circle-stroke-color': '#ffffff',
        'circle-stroke-width': 2,
      },
    },
  ];
}
