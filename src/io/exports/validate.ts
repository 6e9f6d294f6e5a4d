/**
 * Checks a ReferralPackageInput before any writer formats it, so a bad input gives one clear
 * PlumetraceError naming the field and never a half-written file.
 */
import type { Polygon } from 'geojson';
import { PlumetraceError } from '../../core/errors.ts';
import type { LocationEllipse, ReferralPackageInput } from './types.ts';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

/** Every number anywhere in the input (typed-array image values excepted) must be finite. */
function checkNumbers(value: unknown, path: string): void {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) {
      throw new PlumetraceError('PT_ERR_EXPORT_BAD_NUMBER', `${path} is ${String(value)}; it must be a finite number`);
    }
    return;
  }
  if (ArrayBuffer.isView(value)) return;
  if (Array.isArray(value)) {
    value.forEach((v, i) => {
      checkNumbers(v, `${path}[${i}]`);
    });
    return;
  }
  if (isObject(value)) {
    for (const [k, v] of Object.entries(value)) checkNumbers(v, path ? `${path}.${k}` : k);
  }
}

function field(path: string, message: string): PlumetraceError {
  return new PlumetraceError('PT_ERR_EXPORT_BAD_FIELD', `${path} ${message}`);
}

function str(v: unknown, path: string): void {
  if (typeof v !== 'string') throw field(path, `must be a string (got ${v === null ? 'null' : typeof v})`);
}

function time(v: unknown, path: string): void {
  str(v, path);
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/.test(v as string)) {
    throw field(path, `must be an ISO-8601 time with a zone, e.g. 2026-05-01T10:00:00Z (got ${JSON.stringify(v)})`);
  }
  if (Number.isNaN(Date.parse(v as string))) throw field(path, `is not a valid time (${JSON.stringify(v)})`);
}

function oneOf(v: unknown, allowed: readonly string[], path: string): void {
  if (typeof v !== 'string' || !allowed.includes(v)) {
    throw field(path, `must be one of ${allowed.join(', ')} (got ${JSON.stringify(v)})`);
  }
}

function num(v: unknown, path: string, min = Number.NEGATIVE_INFINITY): void {
  if (typeof v !== 'number') throw field(path, `must be a number (got ${v === null ? 'null' : typeof v})`);
  if (v < min) throw field(path, `must be at least ${min} (got ${v})`);
}

function latLon(lat: unknown, lon: unknown, path: string): void {
  num(lat, `${path}.lat`);
  num(lon, `${path}.lon`);
  if ((lat as number) < -90 || (lat as number) > 90) {
    throw new PlumetraceError('PT_ERR_EXPORT_BAD_GEOMETRY', `${path}.lat ${lat} is outside [-90, 90]`);
  }
  if ((lon as number) < -180 || (lon as number) > 180) {
    throw new PlumetraceError('PT_ERR_EXPORT_BAD_GEOMETRY', `${path}.lon ${lon} is outside [-180, 180]`);
  }
}

function interval(v: unknown, path: string): void {
  if (v === null || v === undefined) return;
  if (!Array.isArray(v) || v.length !== 2) throw field(path, 'must be [lo, hi] or null');
  num(v[0], `${path}[0]`);
  num(v[1], `${path}[1]`);
  if (v[0] > v[1]) throw field(path, `has lo ${v[0]} above hi ${v[1]}`);
}

function ellipse(v: LocationEllipse | null | undefined, path: string): void {
  if (v === null || v === undefined) return;
  if (!isObject(v)) throw field(path, 'must be {semiMajorM, semiMinorM, azimuthDeg} or null');
  num(v.semiMajorM, `${path}.semiMajorM`, 0);
  num(v.semiMinorM, `${path}.semiMinorM`, 0);
  num(v.azimuthDeg, `${path}.azimuthDeg`);
}

/** A GeoJSON Polygon: rings closed, ≥ 4 positions, [lon, lat] in range. */
export function checkPolygon(
  p: Polygon | null | undefined,
  path: string,
  code: 'PT_ERR_EXPORT_BAD_GEOMETRY' | 'PT_ERR_STAC_BAD_INPUT' = 'PT_ERR_EXPORT_BAD_GEOMETRY',
): void {
  if (p === null || p === undefined) return;
  const bad = (m: string) => new PlumetraceError(code, `${path} ${m}`);
  if (!isObject(p) || p.type !== 'Polygon' || !Array.isArray(p.coordinates) || p.coordinates.length === 0) {
    throw bad('must be a GeoJSON Polygon with at least one ring');
  }
  p.coordinates.forEach((ring, r) => {
    if (!Array.isArray(ring) || ring.length < 4) throw bad(`ring ${r} must have at least 4 positions`);
    for (const [i, pos] of ring.entries()) {
      const [lon, lat] = pos as number[];
      if (typeof lon !== 'number' || typeof lat !== 'number' || !Number.isFinite(lon) || !Number.isFinite(lat)) {
        throw bad(`ring ${r} position ${i} is not [lon, lat] numbers`);
      }
      if (lon < -180 || lon > 180 || lat < -90 || lat > 90) throw bad(`ring ${r} position ${i} is out of range`);
    }
    const a = ring[0];
    const b = ring[ring.length - 1];
    if (a[0] !== b[0] || a[1] !== b[1]) throw bad(`ring ${r} is not closed (first and last positions differ)`);
  });
}

export function validateReferralInput(input: ReferralPackageInput): void {
  if (!isObject(input)) throw field('input', 'must be an object');
  checkNumbers(input, '');
  time(input.generatedAt, 'generatedAt');
  if (!isObject(input.generatedBy)) throw field('generatedBy', 'is missing');
  str(input.generatedBy.displayName, 'generatedBy.displayName');
  str(input.generatedBy.organizationName, 'generatedBy.organizationName');
  const r = input.referral;
  if (!isObject(r)) throw field('referral', 'is missing');
  str(r.id, 'referral.id');
  str(r.status, 'referral.status');
  time(r.createdAt, 'referral.createdAt');
  str(r.organizationName, 'referral.organizationName');
  oneOf(r.basis, ['jurisdiction', 'analyst-choice'], 'referral.basis');
  if (r.reason !== undefined && r.reason !== null) str(r.reason, 'referral.reason');
  if (!isObject(r.urgency)) throw field('referral.urgency', 'is missing');
  oneOf(r.urgency.level, ['routine', 'priority', 'urgent'], 'referral.urgency.level');
  num(r.urgency.score, 'referral.urgency.score');
  time(r.acknowledgeBy, 'referral.acknowledgeBy');
  time(r.actionBy, 'referral.actionBy');
  if (!isObject(r.overdue)) throw field('referral.overdue', 'is missing');
  if (r.outcome !== undefined && r.outcome !== null) str(r.outcome, 'referral.outcome');
  const s = input.site;
  if (!isObject(s)) throw field('site', 'is missing');
  str(s.id, 'site.id');
  str(s.name, 'site.name');
  str(s.status, 'site.status');
  latLon(s.lat, s.lon, 'site');
  if (!Array.isArray(s.gases)) throw field('site.gases', 'must be a list');
  s.gases.forEach((g, i) => {
    str(g, `site.gases[${i}]`);
  });
  if (s.rateKgPerHour !== null) num(s.rateKgPerHour, 'site.rateKgPerHour', 0);
  interval(s.rateKgPerHourCi90, 'site.rateKgPerHourCi90');
  if (!isObject(s.persistence)) throw field('site.persistence', 'is missing');
  num(s.persistence.detections, 'site.persistence.detections', 0);
  num(s.persistence.overflights, 'site.persistence.overflights', 0);
  time(s.firstSeen, 'site.firstSeen');
  time(s.lastSeen, 'site.lastSeen');
  ellipse(s.locationCi90, 'site.locationCi90');
  for (const name of ['detections', 'emissionHistory', 'plumeImages', 'reviews', 'events', 'provenance'] as const) {
    if (!Array.isArray(input[name])) throw field(name, 'must be a list (empty when there is nothing)');
  }
  input.detections.forEach((d, i) => {
    const p = `detections[${i}]`;
    str(d.id, `${p}.id`);
    time(d.time, `${p}.time`);
    str(d.gas, `${p}.gas`);
    latLon(d.lat, d.lon, p);
    str(d.method, `${p}.method`);
    str(d.algorithmVersion, `${p}.algorithmVersion`);
    if (d.rateKgPerHour !== null) num(d.rateKgPerHour, `${p}.rateKgPerHour`, 0);
    interval(d.rateKgPerHourCi90, `${p}.rateKgPerHourCi90`);
    if (d.enhancement !== null) num(d.enhancement, `${p}.enhancement`);
    if (d.enhancementUnit !== null) oneOf(d.enhancementUnit, ['ppm', 'ppm·m'], `${p}.enhancementUnit`);
    str(d.flightName, `${p}.flightName`);
    str(d.platform, `${p}.platform`);
    str(d.sensorKind, `${p}.sensorKind`);
    ellipse(d.locationCi90, `${p}.locationCi90`);
    checkPolygon(d.plumeOutline, `${p}.plumeOutline`);
  });
  input.emissionHistory.forEach((h, i) => {
    const p = `emissionHistory[${i}]`;
    time(h.time, `${p}.time`);
    num(h.rateKgPerHour, `${p}.rateKgPerHour`);
    num(h.lo, `${p}.lo`);
    num(h.hi, `${p}.hi`);
    if (h.lo > h.hi) throw field(p, `has lo ${h.lo} above hi ${h.hi}`);
    str(h.method, `${p}.method`);
  });
  if (input.exposure !== null) {
    const e = input.exposure;
    if (!isObject(e) || !isObject(e.estimate)) throw field('exposure', 'must be {estimate, windFromDeg, ...} or null');
    num(e.windFromDeg, 'exposure.windFromDeg');
    num(e.windSpeedMps, 'exposure.windSpeedMps', 0);
    if (!Array.isArray(e.estimate.thresholds)) throw field('exposure.estimate.thresholds', 'must be a list');
    if (!Array.isArray(e.contours)) throw field('exposure.contours', 'must be a list');
    e.contours.forEach((c, i) => {
      num(c.ppm, `exposure.contours[${i}].ppm`);
      checkPolygon(c.polygon, `exposure.contours[${i}].polygon`);
    });
  }
  input.plumeImages.forEach((im, i) => {
    const p = `plumeImages[${i}]`;
    str(im.detectionId, `${p}.detectionId`);
    str(im.title, `${p}.title`);
    str(im.unit, `${p}.unit`);
    const ok = (n: unknown) => typeof n === 'number' && Number.isInteger(n) && n > 0 && n <= 8192;
    if (!ok(im.width) || !ok(im.height)) {
      throw new PlumetraceError(
        'PT_ERR_EXPORT_BAD_IMAGE',
        `${p} width and height must be whole numbers 1–8192 (got ${im.width} × ${im.height})`,
      );
    }
    if (!(im.values instanceof Float32Array) || im.values.length !== im.width * im.height) {
      throw new PlumetraceError(
        'PT_ERR_EXPORT_BAD_IMAGE',
        `${p}.values must be a Float32Array of ${im.width * im.height} values (got ${
          im.values instanceof Float32Array ? im.values.length : typeof im.values
        })`,
      );
    }
  });
  input.reviews.forEach((rv, i) => {
    const p = `reviews[${i}]`;
    oneOf(rv.stage, ['R1', 'R2'], `${p}.stage`);
    str(rv.reviewerName, `${p}.reviewerName`);
    str(rv.decision, `${p}.decision`);
    str(rv.reason, `${p}.reason`);
    time(rv.at, `${p}.at`);
  });
  input.events.forEach((ev, i) => {
    const p = `events[${i}]`;
    time(ev.at, `${p}.at`);
    str(ev.action, `${p}.action`);
    str(ev.by, `${p}.by`);
    if (ev.text !== undefined && ev.text !== null) str(ev.text, `${p}.text`);
  });
  input.provenance.forEach((pv, i) => {
    str(pv.quantity, `provenance[${i}].quantity`);
    str(pv.value, `provenance[${i}].value`);
    str(pv.source, `provenance[${i}].source`);
  });
}
