/**
 * STAC Items for what the store holds of an imaging scene: the scene (its radiance header) and the
 * products detect wrote beside it (the CH4 ppm·m map and the plume outlines), built with the STAC
 * writer of io/exports. Files are named by file:// URLs on the server's disk.
 */
import { pathToFileURL } from 'node:url';
import { type StacItem, stacCollection, stacItem } from '../io/exports/stac.ts';
import type { Acquisition, Detection } from '../store/types.ts';

export { type StacItem, stacCollection };

/** The one collection plumetrace publishes. */
export const STAC_COLLECTION_ID = 'plumetrace-imaging';

/** The scene Item and its product Items of one imaging acquisition. */
export function sceneStacItems(a: Acquisition, detections: readonly Detection[], baseUrl: string): StacItem[] {
  if (a.kind !== 'imaging-scene' || a.footprint === null) return [];
  const meta = a.metadata as { pixelSizeM?: number; method?: string; enhancementHeaderPath?: string };
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
  const product = meta.enhancementHeaderPath;
  if (product) {
    const version = detections[0]?.algorithmVersion;
    const made = {
      derivedFrom: a.id,
      algorithm: `plumetrace-${meta.method ?? 'cmf'}`,
      algorithmVersion: version,
      gas: a.gas ?? 'CH4',
    };
    items.push(
      stacItem({
        ...common,
        ...made,
        id: `${a.id}-ch4`,
        kind: 'ch4-map',
        assets: [
          { key: 'ch4_ppm_m_header', href: fileUrl(product), format: 'envi-header', roles: ['metadata'] },
          {
            key: 'ch4_ppm_m',
            href: fileUrl(product.replace(/\.hdr$/i, '.img')),
            format: 'envi',
            roles: ['data'],
            unit: 'ppm·m',
          },
        ],
      }),
      stacItem({
        ...common,
        ...made,
        id: `${a.id}-plumes`,
        kind: 'plumes',
        assets: [
          {
            key: 'plumes',
            href: fileUrl(product.replace(/_ch4_ppmm\.hdr$/i, '_plumes.geojson')),
            format: 'geojson',
            roles: ['data'],
          },
        ],
      }),
    );
  }
  return items;
}
