/**
 * The referral's map features as KML 2.2 (and KMZ): the same features as referralGeoJson, as
 * Placemarks in one folder per kind, with every property in typed ExtendedData (one Schema, so
 * numbers read back as numbers) and a style per kind. Ellipses and contours are Polygons.
 */
import { zipSync } from 'fflate';
import type { Point, Polygon, Position } from 'geojson';
import { type FeatureKind, type ReferralFeature, referralFeatures } from './features.ts';
import type { ReferralPackageInput } from './types.ts';
import { validateReferralInput } from './validate.ts';
import { numText, xmlText } from './xml.ts';

const SCHEMA_ID = 'plumetrace-referral';

/** Folder title and style per kind. Colours are KML's aabbggrr. */
const KINDS: Record<FeatureKind, { folder: string; line: string; fill: string; icon?: string; width: number }> = {
  site: { folder: 'Site', line: 'ff0000ff', fill: '000000ff', icon: 'ff0000ff', width: 2 },
  detection: { folder: 'Detections', line: 'ff00a5ff', fill: '0000a5ff', icon: 'ff00a5ff', width: 1 },
  'site-location-ci90': { folder: 'Site location (90%)', line: 'ff0000ff', fill: '330000ff', width: 2 },
  'detection-location-ci90': { folder: 'Detection locations (90%)', line: 'ff00a5ff', fill: '2200a5ff', width: 1 },
  'plume-outline': { folder: 'Plume outlines', line: 'ff00ffff', fill: '4000ffff', width: 1.5 },
  'exposure-contour': { folder: 'Exposure above thresholds', line: 'ffff00ff', fill: '33ff00ff', width: 2 },
};

const coords = (ring: Position[]) => ring.map((p) => `${numText(p[0])},${numText(p[1])}`).join(' ');

function geometryKml(g: Point | Polygon): string {
  if (g.type === 'Point') return `<Point><coordinates>${coords([g.coordinates])}</coordinates></Point>`;
  const [outer, ...holes] = g.coordinates;
  const inner = holes
    .map((h) => `<innerBoundaryIs><LinearRing><coordinates>${coords(h)}</coordinates></LinearRing></innerBoundaryIs>`)
    .join('');
  return `<Polygon><tessellate>1</tessellate><outerBoundaryIs><LinearRing><coordinates>${coords(outer)}</coordinates></LinearRing></outerBoundaryIs>${inner}</Polygon>`;
}

function schemaFields(features: ReferralFeature[]): Map<string, 'double' | 'string'> {
  const types = new Map<string, 'double' | 'string'>();
  for (const f of features) {
    for (const [k, v] of Object.entries(f.properties)) {
      if (k === 'name') continue;
      const t = typeof v === 'number' ? 'double' : 'string';
      const seen = types.get(k);
      types.set(k, seen === undefined || seen === t ? t : 'string');
    }
  }
  return types;
}

export function referralKml(input: ReferralPackageInput): string {
  validateReferralInput(input);
  const features = referralFeatures(input);
  const fields = schemaFields(features);
  const out: string[] = [];
  out.push('<?xml version="1.0" encoding="UTF-8"?>');
  out.push('<kml xmlns="http://www.opengis.net/kml/2.2">');
  out.push('<Document>');
  out.push(`<name>${xmlText(`Referral ${input.referral.id}: ${input.site.name}`)}</name>`);
  out.push(
    `<description>${xmlText(
      `plumetrace referral package, generated ${input.generatedAt} by ${input.generatedBy.displayName} (${input.generatedBy.organizationName}). Ellipses are 90% location regions; exposure areas are planning figures, not safety guarantees.`,
    )}</description>`,
  );
  out.push(`<Schema name="${SCHEMA_ID}" id="${SCHEMA_ID}">`);
  for (const [k, t] of fields) out.push(`<SimpleField name="${xmlText(k)}" type="${t}"/>`);
  out.push('</Schema>');
  for (const [kind, s] of Object.entries(KINDS)) {
    const icon = s.icon
      ? `<IconStyle><color>${s.icon}</color><scale>${kind === 'site' ? 1.3 : 0.8}</scale><Icon><href>http://maps.google.com/mapfiles/kml/shapes/placemark_circle.png</href></Icon></IconStyle>`
      : '';
    out.push(
      `<Style id="${kind}">${icon}<LineStyle><color>${s.line}</color><width>${s.width}</width></LineStyle><PolyStyle><color>${s.fill}</color></PolyStyle></Style>`,
    );
  }
  for (const kind of Object.keys(KINDS) as FeatureKind[]) {
    const inKind = features.filter((f) => f.properties.kind === kind);
    if (inKind.length === 0) continue;
    out.push(`<Folder><name>${xmlText(KINDS[kind].folder)}</name>`);
    for (const f of inKind) {
      const data = Object.entries(f.properties)
        .filter(([k]) => k !== 'name')
        .map(
          ([k, v]) =>
            `<SimpleData name="${xmlText(k)}">${xmlText(typeof v === 'number' ? numText(v) : String(v))}</SimpleData>`,
        )
        .join('');
      out.push(
        `<Placemark><name>${xmlText(f.properties.name)}</name><styleUrl>#${kind}</styleUrl><ExtendedData><SchemaData schemaUrl="#${SCHEMA_ID}">${data}</SchemaData></ExtendedData>${geometryKml(f.geometry)}</Placemark>`,
      );
    }
    out.push('</Folder>');
  }
  out.push('</Document>');
  out.push('</kml>');
  return `${out.join('\n')}\n`;
}

/** KMZ: a zip whose first entry is doc.kml (what Google Earth and other readers open). */
export function referralKmz(input: ReferralPackageInput): Uint8Array {
  const kml = referralKml(input);
  return zipSync({ 'doc.kml': [new TextEncoder().encode(kml), { level: 6, mtime: new Date(input.generatedAt) }] });
}
