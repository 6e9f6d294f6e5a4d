/**
 * Pixel ↔ map coordinates for an ENVI `map info`.
 *
 * Pixel coordinates here are 0-based and continuous, in the pixel-corner convention: (line 0,
 * sample 0) is the upper-left corner of the upper-left pixel, (0.5, 0.5) its centre, and pixel
 * index i spans [i, i + 1). ENVI's 1-based reference pixel is therefore at (refLine − 1,
 * refSample − 1). Rotation θ (`rotation=` in map info, degrees) turns the sample axis
 * counter-clockwise from map east, about the reference pixel:
 *
 *   x = E + ds·px·cosθ + dl·py·sinθ
 *   y = N + ds·px·sinθ − dl·py·cosθ      with ds = sample − (refSample − 1), dl = line − (refLine − 1)
 *
 * For square pixels with the reference pixel at (1, 1) this is exactly GDAL's geotransform of the
 * same header. (GDAL 3.6 turns a rotated header with the reference elsewhere, or with unequal pixel
 * sizes, into a slightly different, non-rigid transform; we keep the rigid rotation.)
 */
import type { EnviMapInfo } from './header.ts';

/** GDAL-style affine geotransform: x = g0 + sample·g1 + line·g2, y = g3 + sample·g4 + line·g5. */
export type GeoTransform = [number, number, number, number, number, number];

export function geoTransform(m: EnviMapInfo): GeoTransform {
  const t = ((m.rotationDeg ?? 0) * Math.PI) / 180;
  const c = m.rotationDeg ? Math.cos(t) : 1;
  const s = m.rotationDeg ? Math.sin(t) : 0;
  const g1 = m.pixelSizeX * c;
  const g2 = m.pixelSizeY * s;
  const g4 = m.pixelSizeX * s;
  const g5 = -m.pixelSizeY * c;
  const s0 = m.referencePixelSample - 1;
  const l0 = m.referencePixelLine - 1;
  return [m.easting - s0 * g1 - l0 * g2, g1, g2, m.northing - s0 * g4 - l0 * g5, g4, g5];
}

/** Map coordinates (x = easting or longitude, y = northing or latitude) of a 0-based pixel position. */
export function pixelToMap(m: EnviMapInfo, line: number, sample: number): [x: number, y: number] {
  const t = ((m.rotationDeg ?? 0) * Math.PI) / 180;
  const c = m.rotationDeg ? Math.cos(t) : 1;
  const s = m.rotationDeg ? Math.sin(t) : 0;
  const ds = (sample - (m.referencePixelSample - 1)) * m.pixelSizeX;
  const dl = (line - (m.referencePixelLine - 1)) * m.pixelSizeY;
  return [m.easting + ds * c + dl * s, m.northing + ds * s - dl * c];
}

/** 0-based continuous pixel position of a map coordinate; the inverse of {@link pixelToMap}. */
export function mapToPixel(m: EnviMapInfo, x: number, y: number): [line: number, sample: number] {
  const t = ((m.rotationDeg ?? 0) * Math.PI) / 180;
  const c = m.rotationDeg ? Math.cos(t) : 1;
  const s = m.rotationDeg ? Math.sin(t) : 0;
  const dx = x - m.easting;
  const dy = y - m.northing;
  // Rotate back by −θ: ds·px = dx·cosθ + dy·sinθ, dl·py = dx·sinθ − dy·cosθ.
  const ds = (dx * c + dy * s) / m.pixelSizeX;
  const dl = (dx * s - dy * c) / m.pixelSizeY;
  return [dl + (m.referencePixelLine - 1), ds + (m.referencePixelSample - 1)];
}
