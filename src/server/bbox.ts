import { PlumetraceError } from '../core/errors.ts';

/** [minLon, minLat, maxLon, maxLat] in degrees, WGS84. */
export type BBox = [number, number, number, number];

const DECIMAL = /^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/;

/**
 * Parses the `bbox` query parameter (`minLon,minLat,maxLon,maxLat`). A box whose minLon is greater
 * than its maxLon crosses the antimeridian and comes back as two boxes, one each side of it.
 * Anything else that is not a box on the globe is a PT_ERR_BAD_REQUEST naming what is wrong.
 */
export function parseBBox(text: string): BBox[] {
  const parts = text.split(',').map((s) => s.trim());
  if (parts.length !== 4 || parts.some((p) => p === '')) {
    throw badBBox(text, 'expected four comma-separated numbers minLon,minLat,maxLon,maxLat');
  }
  const bad = parts.find((p) => !DECIMAL.test(p));
  if (bad !== undefined) throw badBBox(text, `"${bad}" is not a decimal number`);
  const [minLon, minLat, maxLon, maxLat] = parts.map(Number) as BBox;
  for (const [name, value] of [
    ['minLon', minLon],
    ['maxLon', maxLon],
  ] as const) {
    if (value < -180 || value > 180) throw badBBox(text, `${name} ${value} is outside [-180, 180]`);
  }
  for (const [name, value] of [
    ['minLat', minLat],
    ['maxLat', maxLat],
  ] as const) {
    if (value < -90 || value > 90) throw badBBox(text, `${name} ${value} is outside [-90, 90]`);
  }
  if (minLat > maxLat) throw badBBox(text, `minLat ${minLat} is greater than maxLat ${maxLat}`);
  if (minLon <= maxLon) return [[minLon, minLat, maxLon, maxLat]];
  return [
    [minLon, minLat, 180, maxLat],
    [-180, minLat, maxLon, maxLat],
  ];
}

function badBBox(text: string, why: string): PlumetraceError {
  return new PlumetraceError('PT_ERR_BAD_REQUEST', `querystring/bbox "${text}": ${why}`, { column: 'bbox' });
}
