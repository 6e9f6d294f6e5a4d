/**
 * The map formats open in their consumers' parsers: the KML read back with @tmcw/togeojson gives
 * the GeoJSON's features, properties and coordinates (to 1e-7°), and the KMZ holds that KML.
 */
import { kml as kmlToGeoJson } from '@tmcw/togeojson';
import { DOMParser } from '@xmldom/xmldom';
import { unzipSync } from 'fflate';
import type { FeatureCollection, Point, Polygon } from 'geojson';
import { describe, expect, it } from 'vitest';
import { distanceM, localFrame } from '../../core/geo/local-frame.ts';
import { emptyFixture, HOSTILE, hostileFixture, referralFixture } from './fixture.test-helpers.ts';
import { ELLIPSE_VERTICES, ellipsePolygon } from './features.ts';
import { referralGeoJson } from './geojson.ts';
import { referralKml, referralKmz } from './kml.ts';
import type { ReferralPackageInput } from './types.ts';

const COORD_TOL_DEG = 1e-7;

function parseKml(text: string): FeatureCollection {
  const errors: string[] = [];
  const dom = new DOMParser({
    onError: (level, msg) => {
      if (level !== 'warning') errors.push(msg);
    },
  }).parseFromString(text, 'text/xml');
  expect(errors).toEqual([]);
  return kmlToGeoJson(dom as unknown as Document) as FeatureCollection;
}

function flat(g: Point | Polygon): number[][] {
  return g.type === 'Point' ? [g.coordinates] : g.coordinates.flat();
}

function expectSameFeatures(input: ReferralPackageInput): void {
  const gj = JSON.parse(referralGeoJson(input)) as FeatureCollection<Point | Polygon>;
  const back = parseKml(referralKml(input));
  expect(back.features.length).toBe(gj.features.length);
  const key = (p: Record<string, unknown> | null) => `${p?.kind}|${p?.id}`;
  const byKey = new Map(back.features.map((f) => [key(f.properties), f]));
  expect(byKey.size).toBe(gj.features.length);
  for (const f of gj.features) {
    const b = byKey.get(key(f.properties));
    expect(b, key(f.properties)).toBeDefined();
    if (!b) continue;
    expect(b.geometry?.type).toBe(f.geometry.type);
    const want = flat(f.geometry);
    const got = flat(b.geometry as Point | Polygon);
    expect(got.length).toBe(want.length);
    want.forEach((p, i) => {
      expect(Math.abs(got[i][0] - p[0])).toBeLessThanOrEqual(COORD_TOL_DEG);
      expect(Math.abs(got[i][1] - p[1])).toBeLessThanOrEqual(COORD_TOL_DEG);
    });
    // Every property comes back: numbers as numbers (typed Schema), the rest as text.
    for (const [k, v] of Object.entries(f.properties ?? {})) {
      expect(b.properties?.[k], `${key(f.properties)}.${k}`).toEqual(typeof v === 'number' ? v : String(v));
    }
  }
}

describe('referral GeoJSON', () => {
  it('holds the site with its properties, each detection, ellipses, plume outlines and exposure contours', () => {
    const input = referralFixture();
    const gj = JSON.parse(referralGeoJson(input)) as FeatureCollection<Point | Polygon>;
    const kinds = gj.features.map((f) => f.properties?.kind);
    const count = (k: string) => kinds.filter((x) => x === k).length;
    expect(count('site')).toBe(1);
    expect(count('detection')).toBe(input.detections.length);
    expect(count('site-location-ci90')).toBe(1);
    expect(count('detection-location-ci90')).toBe(input.detections.filter((d) => d.locationCi90).length);
    expect(count('plume-outline')).toBe(input.detections.filter((d) => d.plumeOutline).length);
    expect(count('exposure-contour')).toBe(input.exposure?.contours.length);
    const site = gj.features.find((f) => f.properties?.kind === 'site');
    expect(site?.geometry).toEqual({ type: 'Point', coordinates: [input.site.lon, input.site.lat] });
    expect(site?.properties).toMatchObject({
      id: input.site.id,
      name: input.site.name,
      rateKgPerHour: input.site.rateKgPerHour,
      rateKgPerHourCi90Lo: input.site.rateKgPerHourCi90?.[0],
      rateKgPerHourCi90Hi: input.site.rateKgPerHourCi90?.[1],
      referralId: input.referral.id,
      urgency: input.referral.urgency.level,
      acknowledgeBy: input.referral.acknowledgeBy,
      actionBy: input.referral.actionBy,
      detections: input.site.persistence.detections,
      overflights: input.site.persistence.overflights,
    });
  });

  it('draws a 90% ellipse whose axes have the stated lengths and azimuth (to 1 cm, 0.01°)', () => {
    const e = { semiMajorM: 120, semiMinorM: 40, azimuthDeg: 30 };
    const ring = ellipsePolygon(60.1, 24.9, e).coordinates[0];
    expect(ring.length).toBe(ELLIPSE_VERTICES + 1);
    expect(ring[0]).toEqual(ring[ring.length - 1]);
    // Back in the site's metric frame: vertex 0 lies on the major axis, a quarter turn later on the
    // minor axis, and every vertex satisfies the ellipse equation.
    const frame = localFrame(60.1, 24.9);
    const [x0, y0] = frame.toXY(ring[0][1], ring[0][0]);
    expect(Math.hypot(x0, y0)).toBeCloseTo(e.semiMajorM, 2);
    expect((Math.atan2(x0, y0) * 180) / Math.PI).toBeCloseTo(e.azimuthDeg, 2);
    const [x1, y1] = frame.toXY(ring[ELLIPSE_VERTICES / 4][1], ring[ELLIPSE_VERTICES / 4][0]);
    expect(Math.hypot(x1, y1)).toBeCloseTo(e.semiMinorM, 2);
    const az = (e.azimuthDeg * Math.PI) / 180;
    for (const [lon, lat] of ring) {
      const [x, y] = frame.toXY(lat, lon);
      const along = x * Math.sin(az) + y * Math.cos(az);
      const across = x * Math.cos(az) - y * Math.sin(az);
      expect((along / e.semiMajorM) ** 2 + (across / e.semiMinorM) ** 2).toBeCloseTo(1, 5);
    }
    // Counter-clockwise (RFC 7946 outer ring): positive shoelace area, equal to π·a·b within 0.2%.
    const xy = ring.map(([lon, lat]) => frame.toXY(lat, lon));
    let area = 0;
    for (let k = 0; k < xy.length - 1; k++) area += (xy[k][0] * xy[k + 1][1] - xy[k + 1][0] * xy[k][1]) / 2;
    expect(area / (Math.PI * e.semiMajorM * e.semiMinorM)).toBeGreaterThan(0.998);
    expect(area / (Math.PI * e.semiMajorM * e.semiMinorM)).toBeLessThan(1);
    // Sanity against an independent distance (haversine on a sphere: within 0.5%).
    expect(distanceM(60.1, 24.9, ring[0][1], ring[0][0]) / e.semiMajorM).toBeCloseTo(1, 2);
  });
});

describe('referral KML and KMZ', () => {
  it('read back with @tmcw/togeojson, give the GeoJSON features, properties and coordinates', () => {
    expectSameFeatures(referralFixture());
  });

  it('carry hostile names intact (escaped in the XML) and an empty referral', () => {
    const input = hostileFixture();
    const text = referralKml(input);
    expect(text).not.toContain('<script>');
    expect(text).toContain('&lt;script&gt;');
    expectSameFeatures(input);
    const back = parseKml(text);
    const site = back.features.find((f) => f.properties?.kind === 'site');
    expect(site?.properties?.name).toBe(HOSTILE);
    expectSameFeatures(emptyFixture());
    expect(parseKml(referralKml(emptyFixture())).features.map((f) => f.properties?.kind)).toEqual(['site']);
  });

  it('KMZ is a zip whose first entry is doc.kml, equal to the KML', () => {
    const input = referralFixture();
    const kmz = referralKmz(input);
    expect([kmz[0], kmz[1], kmz[2], kmz[3]]).toEqual([0x50, 0x4b, 0x03, 0x04]);
    // The first local file header names the first entry.
    const nameLen = kmz[26] | (kmz[27] << 8);
    expect(new TextDecoder().decode(kmz.subarray(30, 30 + nameLen))).toBe('doc.kml');
    const files = unzipSync(kmz);
    expect(Object.keys(files)).toEqual(['doc.kml']);
    expect(new TextDecoder().decode(files['doc.kml'])).toBe(referralKml(input));
  });
});
