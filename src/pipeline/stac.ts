/**
 * STAC Items for what the store holds of an imaging scene: the scene (its radiance header) and the
 * products detect wrote beside it — each column map (the SWIR CH4 map; one per reported gas of a
 * thermal scene) and the plume outlines — built with the STAC writer of io/exports. Where the
 * products lie comes from the acquisition's metadata (storeSceneDetections records it; read back by
 * `sceneProducts`), never from file-name patterns. Files are named by file:// URLs on the server's disk.
 */
import { pathToFileURL } from 'node:url';
import { type StacItem, stacCollection, stacItem } from '../io/exports/stac.ts';
import type { Acquisition, Detection } from '../store/types.ts';
import { sceneProducts } from './imaging.ts';
import { gasFileLabel } from './lwir-imaging.ts';

export { type StacItem, stacCollection };

/** The one collection plumetrace publishes. */
export const STAC_COLLECTION_ID = 'plumetrace-imaging';

/** The scene Item and its product Items of one imaging acquisition. */
export function sceneStacItems(a: Acquisition, detections: readonly Detection[], baseUrl: string): StacItem[] {
  if (a.kind !== 'imaging-scene' || a.footprint === null) return [];
  const meta = a.metadata as { pixelSizeM?: number };
  const products = sceneProducts(a);
  const fileUrl = (path: string) => pathToFileURL(path).href;
  const common = {
    collection: STAC_COLLECTION_ID,
    footprint: a.footprint,
    datetime: a.startTime,
    ...(meta.pixelSizeM ? { gsdM: meta.pixelSizeM } : {}),
    baseUrl,
  };
  const items = [
    stacItem({
      ...common,
      id: a.id,
      kind: 'scene',
      assets: [{ key: 'radiance_header', href: fileUrl(a.sourceUri), format: 'envi-header', roles: ['metadata'] }],
    }),
  ];
  const made = {
    derivedFrom: a.id,
    // SWIR: "plumetrace-cmf" etc. (as before); thermal: the detector's own name.
    algorithm:
      products.kind === 'lwir'
        ? (products.method ?? 'plumetrace-detect-lwir')
        : `plumetrace-${products.method ?? 'cmf'}`,
    algorithmVersion: detections[0]?.algorithmVersion,
  };
  for (const map of products.columnMaps) {
    const swir = products.kind === 'swir';
    const key = swir ? 'ch4_ppm_m' : `${gasFileLabel(map.gas)}_ppm_m`;
    const item = stacItem({
      ...common,
      ...made,
      gas: map.gas,
      id: swir ? `${a.id}-ch4` : `${a.id}-${gasFileLabel(map.gas)}`,
      kind: swir ? 'ch4-map' : 'gas-column-map',
      assets: [
        { key: `${key}_header`, href: fileUrl(map.headerPath), format: 'envi-header', roles: ['metadata'] },
        {
          key,
          href: fileUrl(map.headerPath.replace(/\.hdr$/i, '.img')),
          format: 'envi',
          roles: ['data'],
          title: `${map.gas} column, ppm·m`,
          unit: 'ppm·m',
        },
      ],
    });
    if (!swir) {
      item.properties['plumetrace:unit'] = 'ppm·m';
      if (map.cas) item.properties['plumetrace:cas'] = map.cas;
    }
    items.push(item);
  }
  if (products.geojsonPath) {
    const item = stacItem({
      ...common,
      ...made,
      ...(products.kind === 'swir' ? { gas: a.gas ?? 'CH4' } : {}),
      id: `${a.id}-plumes`,
      kind: 'plumes',
      assets: [{ key: 'plumes', href: fileUrl(products.geojsonPath), format: 'geojson', roles: ['data'] }],
    });
    // A thermal scene's plumes carry several gases: the ones with a column map.
    if (products.kind === 'lwir') item.properties['plumetrace:gases'] = products.columnMaps.map((m) => m.gas);
    items.push(item);
  }
  return items;
}
