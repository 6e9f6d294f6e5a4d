/** Bad numbers and fields in a referral are a PlumetraceError naming the field, from every writer. */
import { describe, expect, it } from 'vitest';
import { type ErrorCode, isPlumetraceError } from '../../core/errors.ts';
import { referralCot } from './cot.ts';
import { referralCsv } from './csv.ts';
import { referralFixture } from './fixture.test-helpers.ts';
import { referralGeoJson } from './geojson.ts';
import { buildReferralPackage } from './index.ts';
import { referralKml, referralKmz } from './kml.ts';
import { referralPdf } from './pdf.ts';
import type { ReferralPackageInput } from './types.ts';

const writers: [string, (i: ReferralPackageInput) => unknown][] = [
  ['geojson', referralGeoJson],
  ['kml', referralKml],
  ['kmz', referralKmz],
  ['cot', referralCot],
  ['csv', referralCsv],
  ['pdf', referralPdf],
  ['package', buildReferralPackage],
];

async function failure(fn: () => unknown): Promise<unknown> {
  try {
    await fn();
  } catch (e) {
    return e;
  }
  return undefined;
}

type Mutation = [name: string, mutate: (i: ReferralPackageInput) => void, code: ErrorCode, field: string];

const mutations: Mutation[] = [
  [
    'NaN site rate',
    (i) => Object.assign(i.site, { rateKgPerHour: Number.NaN }),
    'PT_ERR_EXPORT_BAD_NUMBER',
    'site.rateKgPerHour',
  ],
  [
    'Infinity in an interval',
    (i) => Object.assign(i.site, { rateKgPerHourCi90: [1, Number.POSITIVE_INFINITY] }),
    'PT_ERR_EXPORT_BAD_NUMBER',
    'site.rateKgPerHourCi90[1]',
  ],
  [
    'NaN detection latitude',
    (i) => Object.assign(i.detections[2], { lat: Number.NaN }),
    'PT_ERR_EXPORT_BAD_NUMBER',
    'detections[2].lat',
  ],
  [
    '-Infinity enhancement',
    (i) => Object.assign(i.detections[0], { enhancement: Number.NEGATIVE_INFINITY }),
    'PT_ERR_EXPORT_BAD_NUMBER',
    'detections[0].enhancement',
  ],
  [
    'NaN in a plume outline',
    (i) => {
      (i.detections[0].plumeOutline as { coordinates: number[][][] }).coordinates[0][3][0] = Number.NaN;
    },
    'PT_ERR_EXPORT_BAD_NUMBER',
    'detections[0].plumeOutline.coordinates[0][3][0]',
  ],
  [
    'NaN in the exposure estimate',
    (i) => {
      if (i.exposure) i.exposure.estimate.thresholds[1].maxDistanceM.hi = Number.NaN;
    },
    'PT_ERR_EXPORT_BAD_NUMBER',
    'exposure.estimate.thresholds[1].maxDistanceM.hi',
  ],
  [
    'NaN wind',
    (i) => {
      if (i.exposure) i.exposure.windSpeedMps = Number.NaN;
    },
    'PT_ERR_EXPORT_BAD_NUMBER',
    'exposure.windSpeedMps',
  ],
  [
    'NaN history bound',
    (i) => Object.assign(i.emissionHistory[1], { lo: Number.NaN }),
    'PT_ERR_EXPORT_BAD_NUMBER',
    'emissionHistory[1].lo',
  ],
  [
    'NaN urgency score',
    (i) => Object.assign(i.referral.urgency, { score: Number.NaN }),
    'PT_ERR_EXPORT_BAD_NUMBER',
    'referral.urgency.score',
  ],
  ['latitude out of range', (i) => Object.assign(i.site, { lat: 91 }), 'PT_ERR_EXPORT_BAD_GEOMETRY', 'site.lat'],
  [
    'open contour ring',
    (i) => {
      i.exposure?.contours[0].polygon.coordinates[0].pop();
    },
    'PT_ERR_EXPORT_BAD_GEOMETRY',
    'exposure.contours[0].polygon',
  ],
  [
    'bad time',
    (i) => Object.assign(i.referral, { actionBy: 'next Tuesday' }),
    'PT_ERR_EXPORT_BAD_FIELD',
    'referral.actionBy',
  ],
  [
    'unknown urgency',
    (i) => Object.assign(i.referral.urgency, { level: 'whenever' }),
    'PT_ERR_EXPORT_BAD_FIELD',
    'referral.urgency.level',
  ],
  ['missing site name', (i) => Object.assign(i.site, { name: undefined }), 'PT_ERR_EXPORT_BAD_FIELD', 'site.name'],
  [
    'interval upside down',
    (i) => Object.assign(i.detections[1], { rateKgPerHourCi90: [9, 3] }),
    'PT_ERR_EXPORT_BAD_FIELD',
    'detections[1].rateKgPerHourCi90',
  ],
  ['detections not a list', (i) => Object.assign(i, { detections: null }), 'PT_ERR_EXPORT_BAD_FIELD', 'detections'],
  [
    'image of the wrong size',
    (i) => Object.assign(i.plumeImages[0], { width: 95 }),
    'PT_ERR_EXPORT_BAD_IMAGE',
    'plumeImages[0].values',
  ],
  [
    'image of zero width',
    (i) => Object.assign(i.plumeImages[1], { width: 0 }),
    'PT_ERR_EXPORT_BAD_IMAGE',
    'plumeImages[1]',
  ],
];

describe('referral input validation', () => {
  for (const [name, mutate, code, field] of mutations) {
    it(`${name}: ${code} naming ${field}, from every writer`, async () => {
      for (const [writer, fn] of writers) {
        const input = referralFixture();
        mutate(input);
        const err = await failure(() => fn(input));
        expect(isPlumetraceError(err), `${writer}: ${String(err)}`).toBe(true);
        if (!isPlumetraceError(err)) continue;
        expect(err.code, writer).toBe(code);
        expect(err.detail.startsWith(field), `${writer}: ${err.detail}`).toBe(true);
      }
    });
  }

  it('NaN pixels in a plume image are no data, not an error', async () => {
    const input = referralFixture();
    input.plumeImages[0].values[100] = Number.NaN;
    const pdf = await referralPdf(input);
    expect(pdf.length).toBeGreaterThan(1000);
  });
});
