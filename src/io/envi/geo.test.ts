import { describe, expect, it } from 'vitest';
import { geoTransform, mapToPixel, pixelToMap } from './geo.ts';
import type { EnviMapInfo } from './header.ts';

const utm: EnviMapInfo = {
  projection: 'UTM',
  referencePixelSample: 1,
  referencePixelLine: 1,
  easting: 500000,
  northing: 4000000,
  pixelSizeX: 30,
  pixelSizeY: 20,
  zone: 11,
  hemisphere: 'North',
  datum: 'WGS-84',
};

describe('ENVI map info geometry', () => {
  it('reference pixel (1,1) is the upper-left corner; pixel centres sit half a pixel in', () => {
    expect(pixelToMap(utm, 0, 0)).toEqual([500000, 4000000]);
    expect(pixelToMap(utm, 0.5, 0.5)).toEqual([500015, 3999990]); // centre of the first pixel
    expect(pixelToMap(utm, 10, 3)).toEqual([500090, 3999800]);
  });

  it('honours a reference pixel elsewhere: ENVI (1.5, 1.5) names the first pixel centre', () => {
    const centre = { ...utm, referencePixelSample: 1.5, referencePixelLine: 1.5, easting: 500015, northing: 3999990 };
    expect(pixelToMap(centre, 0, 0)).toEqual([500000, 4000000]);
    const far = { ...utm, referencePixelSample: 101, referencePixelLine: 51, easting: 503000, northing: 3999000 };
    expect(pixelToMap(far, 0, 0)).toEqual([500000, 4000000]);
    expect(mapToPixel(far, 500000, 4000000)).toEqual([0, 0]);
  });

  it('matches GDAL 3.6 geotransforms of the same headers (values from gdalinfo -json)', () => {
    // map info = {UTM, 2, 3, 500000, 4000000, 30, 20, ...}: unrotated, reference elsewhere.
    expect(geoTransform({ ...utm, referencePixelSample: 2, referencePixelLine: 3 })).toEqual([
      499970, 30, 0, 4000040, 0, -20,
    ]);
    // map info = {UTM, 1, 1, 500000, 4000000, 30, 30, ..., rotation=30}.
    const gt = geoTransform({ ...utm, pixelSizeY: 30, rotationDeg: 30 });
    const gdal = [500000.0, 25.98076211353316, 15.0, 4000000.0, 15.0, -25.98076211353316];
    gt.forEach((v, i) => {
      expect(v).toBeCloseTo(gdal[i], 9);
    });
  });

  it('rotation turns the sample axis counter-clockwise about the reference pixel; mapToPixel inverts it', () => {
    const rot = { ...utm, referencePixelSample: 5, referencePixelLine: 7, rotationDeg: 90 };
    // At 90°, one sample step goes north by pixelSizeX, one line step goes east by pixelSizeY.
    const [x0, y0] = pixelToMap(rot, 6, 4);
    expect([x0, y0]).toEqual([500000, 4000000]);
    const [x1, y1] = pixelToMap(rot, 6, 5);
    expect(x1 - x0).toBeCloseTo(0, 9);
    expect(y1 - y0).toBeCloseTo(30, 9);
    const [x2, y2] = pixelToMap(rot, 7, 4);
    expect(x2 - x0).toBeCloseTo(20, 9);
    expect(y2 - y0).toBeCloseTo(0, 9);
    for (const deg of [0, 17.5, -42, 180]) {
      const m = { ...rot, rotationDeg: deg };
      for (const [l, s] of [
        [0, 0],
        [12.25, 3.5],
        [-4, 99],
      ]) {
        const [x, y] = pixelToMap(m, l, s);
        const [l2, s2] = mapToPixel(m, x, y);
        expect(l2).toBeCloseTo(l, 9);
        expect(s2).toBeCloseTo(s, 9);
        const g = geoTransform(m);
        expect(g[0] + s * g[1] + l * g[2]).toBeCloseTo(x, 6);
        expect(g[3] + s * g[4] + l * g[5]).toBeCloseTo(y, 6);
      }
    }
  });
});
