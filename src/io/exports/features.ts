/**
 * The map features of a referral package, built once and written by every map format (GeoJSON,
 * KML/KMZ): the site point, each detection point, the 90% location ellipses, the plume outlines
 * and the exposure contours. Each feature's `kind` says which it is. Properties are flat scalars
 * (string, number, boolean) so that formats without nested values (KML ExtendedData, CSV) carry
 * them unchanged; absent values are left out rather than written as null.
 */
import type { Feature, FeatureCollection, Point, Polygon, Position } from 'geojson';
import { localFrame } from '../../core/geo/local-frame.ts';
import type { LocationEllipse, ReferralPackageInput } from './types.ts';

export type FeatureKind =
  | 'site'
  | 'detection'
  | 'site-location-ci90'
  | 'detection-location-ci90'
  | 'plume-outline'
  | 'exposure-contour';

export type FeatureValue = string | number | boolean;
export type ReferralFeatureProperties = { kind: FeatureKind; id: string; name: string } & Record<string, FeatureValue>;
export type ReferralFeature = Feature<Point | Polygon, ReferralFeatureProperties>;

/** Vertices of an ellipse outline (the ring has one more, closing it). */
export const ELLIPSE_VERTICES = 72;

/** Rounds a coordinate to 1e-9° (0.1 mm): short files, far inside the 1e-7° the tests ask for. */
const round9 = (v: number) => Math.round(v * 1e9) / 1e9;

/** A 90% location ellipse as a closed lon/lat ring around (lat, lon), in a local metric frame. */
export function ellipsePolygon(lat: number, lon: number, e: LocationEllipse, n = ELLIPSE_VERTICES): Polygon {
  const frame = localFrame(lat, lon);
  const az = (e.azimuthDeg * Math.PI) / 180;
  // Major-axis unit vector (east, north) at azimuth az clockwise from north; the minor axis a
  // quarter turn counter-clockwise from it, so the ring runs counter-clockwise (RFC 7946 outer ring).
  const ux = Math.sin(az);
  const uy = Math.cos(az);
  const ring: Position[] = [];
  for (let k = 0; k < n; k++) {
    const t = (2 * Math.PI * k) / n;
    const a = e.semiMajorM * Math.cos(t);
    const b = e.semiMinorM * Math.sin(t);
    const x = a * ux - b * uy;
    const y = a * uy + b * ux;
    const [la, lo] = frame.toLatLon(x, y);
    ring.push([round9(lo), round9(la)]);
  }
  ring.push([...ring[0]]);
  return { type: 'Polygon', coordinates: [ring] };
}

const fmtInterval = (ci: readonly [number, number] | null) => (ci ? { lo: ci[0], hi: ci[1] } : null);

function put(props: Record<string, FeatureValue>, key: string, v: FeatureValue | null | undefined): void {
  if (v !== null && v !== undefined) props[key] = v;
}

export function referralFeatures(input: ReferralPackageInput): ReferralFeature[] {
  const { site, referral } = input;
  const features: ReferralFeature[] = [];
  const siteProps: ReferralFeatureProperties = {
    kind: 'site',
    id: site.id,
    name: site.name,
    status: site.status,
    gases: site.gases.join(','),
    detections: site.persistence.detections,
    overflights: site.persistence.overflights,
    firstSeen: site.firstSeen,
    lastSeen: site.lastSeen,
    referralId: referral.id,
    referralStatus: referral.status,
    referredTo: referral.organizationName,
    urgency: referral.urgency.level,
    urgencyScore: referral.urgency.score,
    acknowledgeBy: referral.acknowledgeBy,
    actionBy: referral.actionBy,
    overdueAcknowledge: referral.overdue.acknowledge,
    overdueAction: referral.overdue.action,
  };
  put(siteProps, 'rateKgPerHour', site.rateKgPerHour);
  const sci = fmtInterval(site.rateKgPerHourCi90);
  put(siteProps, 'rateKgPerHourCi90Lo', sci?.lo);
  put(siteProps, 'rateKgPerHourCi90Hi', sci?.hi);
  put(siteProps, 'locationCi90SemiMajorM', site.locationCi90?.semiMajorM);
  put(siteProps, 'locationCi90SemiMinorM', site.locationCi90?.semiMinorM);
  put(siteProps, 'locationCi90AzimuthDeg', site.locationCi90?.azimuthDeg);
  put(siteProps, 'outcome', referral.outcome);
  features.push({
    type: 'Feature',
    geometry: { type: 'Point', coordinates: [site.lon, site.lat] },
    properties: siteProps,
  });
  if (site.locationCi90) {
    features.push({
      type: 'Feature',
      geometry: ellipsePolygon(site.lat, site.lon, site.locationCi90),
      properties: {
        kind: 'site-location-ci90',
        id: `${site.id}/location-ci90`,
        name: `${site.name}: 90% location`,
        siteId: site.id,
        semiMajorM: site.locationCi90.semiMajorM,
        semiMinorM: site.locationCi90.semiMinorM,
        azimuthDeg: site.locationCi90.azimuthDeg,
      },
    });
  }
  for (const d of input.detections) {
    const p: ReferralFeatureProperties = {
      kind: 'detection',
      id: d.id,
      name: `${d.gas} ${d.time}`,
      siteId: site.id,
      time: d.time,
      gas: d.gas,
      method: d.method,
      algorithmVersion: d.algorithmVersion,
      flightName: d.flightName,
      platform: d.platform,
      sensorKind: d.sensorKind,
    };
    put(p, 'rateKgPerHour', d.rateKgPerHour);
    const ci = fmtInterval(d.rateKgPerHourCi90);
    put(p, 'rateKgPerHourCi90Lo', ci?.lo);
    put(p, 'rateKgPerHourCi90Hi', ci?.hi);
    put(p, 'enhancement', d.enhancement);
    put(p, 'enhancementUnit', d.enhancementUnit);
    features.push({ type: 'Feature', geometry: { type: 'Point', coordinates: [d.lon, d.lat] }, properties: p });
    if (d.locationCi90) {
      features.push({
        type: 'Feature',
        geometry: ellipsePolygon(d.lat, d.lon, d.locationCi90),
        properties: {
          kind: 'detection-location-ci90',
          id: `${d.id}/location-ci90`,
          name: `${d.id}: 90% location`,
          detectionId: d.id,
          semiMajorM: d.locationCi90.semiMajorM,
          semiMinorM: d.locationCi90.semiMinorM,
          azimuthDeg: d.locationCi90.azimuthDeg,
        },
      });
    }
    if (d.plumeOutline) {
      features.push({
        type: 'Feature',
        geometry: d.plumeOutline,
        properties: {
          kind: 'plume-outline',
          id: `${d.id}/plume`,
          name: `${d.id}: plume outline`,
          detectionId: d.id,
          gas: d.gas,
          time: d.time,
        },
      });
    }
  }
  if (input.exposure) {
    const e = input.exposure;
    e.contours.forEach((c, i) => {
      const t = e.estimate.thresholds.find((th) => th.thresholdPpm === c.ppm);
      const p: ReferralFeatureProperties = {
        kind: 'exposure-contour',
        id: `${site.id}/exposure-${i}`,
        name: `${e.estimate.gas} above ${c.ppm} ppm`,
        siteId: site.id,
        gas: e.estimate.gas,
        thresholdPpm: c.ppm,
        windFromDeg: e.windFromDeg,
        windSpeedMps: e.windSpeedMps,
        stability: e.estimate.stability.central,
      };
      put(p, 'maxDistanceM', t?.maxDistanceM.central);
      put(p, 'maxDistanceMCi90Lo', t?.maxDistanceM.lo);
      put(p, 'maxDistanceMCi90Hi', t?.maxDistanceM.hi);
      features.push({ type: 'Feature', geometry: c.polygon, properties: p });
    });
  }
  return features;
}

export function referralFeatureCollection(input: ReferralPackageInput): FeatureCollection<Point | Polygon> {
  return { type: 'FeatureCollection', features: referralFeatures(input) };
}
