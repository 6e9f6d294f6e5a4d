/**
 * A realistic referral for the export tests: a methane site seen by an imaging spectrometer on
 * three of four overflights and by a drone's in-situ sensor, referred to the partner authority,
 * with an exposure estimate computed by core/exposure and its threshold areas on the map
 * (contours of the ground-level grid, exposureGrid + exposureContours).
 */
import type { Polygon, Position } from 'geojson';
import { type ExposureInput, exposureContours, exposureEstimate, exposureGrid } from '../../core/exposure/index.ts';
import { localFrame } from '../../core/geo/local-frame.ts';
import type { PlumeImage, ReferralPackageInput } from './types.ts';

export const SITE_LAT = 51.2345678;
export const SITE_LON = -1.4567891;
export const WIND_FROM_DEG = 240;
export const WIND_SPEED_MPS = 3.2;

/** A plume outline: a teardrop from the source downwind, `lengthM` long. */
function plumeOutline(lat: number, lon: number, lengthM: number, widthM: number, windFromDeg: number): Polygon {
  const f = localFrame(lat, lon);
  const to = ((windFromDeg + 180) * Math.PI) / 180;
  const ux = Math.sin(to);
  const uy = Math.cos(to);
  const ring: Position[] = [];
  const n = 24;
  for (let k = 0; k <= n; k++) {
    const t = (k / n) * 2 * Math.PI;
    const along = (lengthM / 2) * (1 - Math.cos(t));
    const across = (widthM / 2) * Math.sin(t) * Math.sqrt(along / lengthM);
    const [la, lo] = f.toLatLon(along * ux + across * uy, along * uy - across * ux);
    ring.push([lo, la]);
  }
  ring[n] = [...ring[0]];
  return { type: 'Polygon', coordinates: [ring] };
}

/** A column-enhancement image (ppm·m) of a plume blowing toward the image's right, with a no-data corner. */
export function plumeImage(detectionId: string, width: number, height: number, peakPpmM: number): PlumeImage {
  const values = new Float32Array(width * height);
  for (let j = 0; j < height; j++) {
    for (let i = 0; i < width; i++) {
      const x = (i - width * 0.2) / width;
      const y = (j - height / 2) / height;
      const sigma = 0.03 + 0.25 * Math.max(0, x);
      values[j * width + i] =
        x > -0.05
          ? (peakPpmM * Math.exp(-(y * y) / (2 * sigma * sigma)) * 0.03) / sigma + 20 * Math.sin(i * 7 + j * 3)
          : 0;
      if (i < 6 && j < 6) values[j * width + i] = Number.NaN;
    }
  }
  return { detectionId, title: `CH4 column enhancement, ${detectionId}`, width, height, values, unit: 'ppm·m' };
}

export function referralFixture(): ReferralPackageInput {
  const exposureInput: ExposureInput = {
    gas: 'CH4',
    rateKgPerHour: 42,
    rateKgPerHourCi90: [27, 66],
    sourceHeightM: 2,
    windSpeedMps: WIND_SPEED_MPS,
    stability: { C: 0.1, D: 0.6, E: 0.3 },
    thresholdsPpm: [1, 10],
  };
  const estimate = exposureEstimate(exposureInput);
  const extentM = estimate.thresholds[0].maxDistanceM.central * 1.15;
  const grid = exposureGrid({ ...exposureInput, windFromDeg: WIND_FROM_DEG, cellM: extentM / 150, extentM });
  const contours = exposureContours(grid, SITE_LAT, SITE_LON).flatMap((c) =>
    c.polygons.map((polygon) => ({ ppm: c.thresholdPpm, polygon })),
  );
  const frame = localFrame(SITE_LAT, SITE_LON);
  const det = (k: number, dx: number, dy: number) => {
    const [lat, lon] = frame.toLatLon(dx, dy);
    return { lat, lon, id: `det-${k}` };
  };
  const d1 = det(1, 6.5, -4.2);
  const d2 = det(2, -3.1, 5.8);
  const d3 = det(3, 2.2, 1.4);
  const d4 = det(4, -8.4, -2.6);
  return {
    generatedAt: '2026-06-03T09:15:00Z',
    generatedBy: { displayName: 'A. Analyst', organizationName: 'Regional Air Survey Agency' },
    referral: {
      id: 'ref-0042',
      status: 'referred',
      createdAt: '2026-06-02T16:40:00Z',
      organizationName: 'County Environmental Health',
      basis: 'jurisdiction',
      reason: null,
      urgency: { level: 'priority', score: 0.64 },
      acknowledgeBy: '2026-06-04T16:40:00Z',
      actionBy: '2026-06-09T16:40:00Z',
      overdue: { acknowledge: false, action: false },
      outcome: null,
    },
    site: {
      id: 'site-7f3a',
      name: 'Barn complex off Mill Lane',
      lat: SITE_LAT,
      lon: SITE_LON,
      gases: ['CH4'],
      status: 'referred',
      rateKgPerHour: 42,
      rateKgPerHourCi90: [27, 66],
      persistence: { detections: 4, overflights: 5 },
      firstSeen: '2026-05-12T10:21:00Z',
      lastSeen: '2026-06-01T11:02:00Z',
      locationCi90: { semiMajorM: 18.5, semiMinorM: 9.2, azimuthDeg: 62 },
    },
    detections: [
      {
        ...d1,
        time: '2026-05-12T10:21:00Z',
        gas: 'CH4',
        method: 'CMF + IME',
        algorithmVersion: 'cmf-2.1.0',
        rateKgPerHour: 38.2,
        rateKgPerHourCi90: [21.5, 61.8],
        enhancement: 1840,
        enhancementUnit: 'ppm·m',
        flightName: 'RASA-2026-05-12-A',
        platform: 'King Air B200',
        sensorKind: 'imaging spectrometer (SWIR)',
        locationCi90: { semiMajorM: 30, semiMinorM: 14, azimuthDeg: 55 },
        plumeOutline: plumeOutline(d1.lat, d1.lon, 140, 45, 235),
      },
      {
        ...d2,
        time: '2026-05-20T09:58:00Z',
        gas: 'CH4',
        method: 'CMF + IME',
        algorithmVersion: 'cmf-2.1.0',
        rateKgPerHour: 51.0,
        rateKgPerHourCi90: [30.4, 80.9],
        enhancement: 2210,
        enhancementUnit: 'ppm·m',
        flightName: 'RASA-2026-05-20-B',
        platform: 'King Air B200',
        sensorKind: 'imaging spectrometer (SWIR)',
        locationCi90: { semiMajorM: 26, semiMinorM: 15, azimuthDeg: 70 },
        plumeOutline: plumeOutline(d2.lat, d2.lon, 170, 50, 250),
      },
      {
        ...d3,
        time: '2026-05-27T14:12:00Z',
        gas: 'CH4',
        method: 'in-situ STE (Bayesian)',
        algorithmVersion: 'ste-1.4.2',
        rateKgPerHour: 35.7,
        rateKgPerHourCi90: [24.1, 52.3],
        enhancement: 14.6,
        enhancementUnit: 'ppm',
        flightName: 'drone-sortie-0527-1',
        platform: 'quadcopter (PX4)',
        sensorKind: 'in-situ open-path laser',
        locationCi90: { semiMajorM: 12, semiMinorM: 8, azimuthDeg: 20 },
        plumeOutline: null,
      },
      {
        ...d4,
        time: '2026-06-01T11:02:00Z',
        gas: 'CH4',
        method: 'CMF',
        algorithmVersion: 'cmf-2.1.0',
        rateKgPerHour: null,
        rateKgPerHourCi90: null,
        enhancement: 960,
        enhancementUnit: 'ppm·m',
        flightName: 'RASA-2026-06-01-A',
        platform: 'King Air B200',
        sensorKind: 'imaging spectrometer (SWIR)',
        locationCi90: null,
        plumeOutline: plumeOutline(d4.lat, d4.lon, 90, 30, 225),
      },
    ],
    emissionHistory: [
      { time: '2026-05-12T10:21:00Z', rateKgPerHour: 38.2, lo: 21.5, hi: 61.8, method: 'CMF + IME' },
      { time: '2026-05-20T09:58:00Z', rateKgPerHour: 51.0, lo: 30.4, hi: 80.9, method: 'CMF + IME' },
      { time: '2026-05-27T14:12:00Z', rateKgPerHour: 35.7, lo: 24.1, hi: 52.3, method: 'in-situ STE (Bayesian)' },
    ],
    exposure: { estimate, windFromDeg: WIND_FROM_DEG, windSpeedMps: WIND_SPEED_MPS, contours },
    plumeImages: [plumeImage('det-1', 96, 64, 1840), plumeImage('det-2', 80, 80, 2210)],
    reviews: [
      {
        stage: 'R1',
        reviewerName: 'B. Reviewer',
        decision: 'reviewed',
        reason: 'Plume consistent across two flights; shape follows the wind.',
        at: '2026-05-28T08:30:00Z',
      },
      {
        stage: 'R2',
        reviewerName: 'C. Senior',
        decision: 'confirm',
        reason: 'Confirmed: persistent source, in-situ sample agrees.',
        at: '2026-06-02T15:10:00Z',
      },
    ],
    events: [
      { at: '2026-05-28T08:30:00Z', action: 'r1-review', by: 'B. Reviewer (Regional Air Survey Agency)' },
      { at: '2026-06-02T15:10:00Z', action: 'r2-confirm', by: 'C. Senior (Regional Air Survey Agency)' },
      {
        at: '2026-06-02T16:40:00Z',
        action: 'refer',
        by: 'A. Analyst (Regional Air Survey Agency)',
        text: 'Referred to the authority of the jurisdiction.',
      },
    ],
    provenance: [
      { quantity: 'Emission rate (kg/h)', value: '42 (90%: 27-66)', source: 'fusion of det-1..det-3, fusion-1.2.0' },
      {
        quantity: 'Site location',
        value: `${SITE_LAT}, ${SITE_LON}`,
        source: 'weighted mean of detection locations, fusion-1.2.0',
      },
      {
        quantity: 'Exposure distances',
        value: 'see exposure table',
        source: 'core/exposure Gaussian plume, ISC3 sigmas',
      },
      {
        quantity: 'Wind',
        value: `${WIND_FROM_DEG} deg, ${WIND_SPEED_MPS} m/s`,
        source: 'ERA5 reanalysis 10 m wind, 2026-06-01 11:00',
      },
    ],
  };
}

/** Names and reasons that try to break every format: XML specials, quotes, commas, line breaks, non-Latin text. */
export const HOSTILE = `Ünïcødé 中文 <script>alert("x")</script> & 'quote', "comma" \u2014 CH\u2084 \u2264 5\n=SUM(A1)`;

export function hostileFixture(): ReferralPackageInput {
  const f = referralFixture();
  return {
    ...f,
    generatedBy: { displayName: HOSTILE, organizationName: HOSTILE },
    referral: { ...f.referral, organizationName: HOSTILE, reason: HOSTILE, basis: 'analyst-choice', outcome: HOSTILE },
    site: { ...f.site, name: HOSTILE, status: HOSTILE },
    detections: f.detections.map((d) => ({ ...d, flightName: HOSTILE, platform: HOSTILE, method: HOSTILE })),
    plumeImages: f.plumeImages.map((im) => ({ ...im, title: HOSTILE, unit: HOSTILE })),
    reviews: f.reviews.map((r) => ({ ...r, reviewerName: HOSTILE, reason: HOSTILE })),
    events: f.events.map((e) => ({ ...e, by: HOSTILE, text: HOSTILE })),
    provenance: [...f.provenance, { quantity: HOSTILE, value: HOSTILE, source: HOSTILE }],
  };
}

/** A referral with nothing attached: no detections, images, history, reviews, events or exposure. */
export function emptyFixture(): ReferralPackageInput {
  const f = referralFixture();
  return {
    ...f,
    site: { ...f.site, rateKgPerHour: null, rateKgPerHourCi90: null, locationCi90: null, gases: [] },
    detections: [],
    emissionHistory: [],
    exposure: null,
    plumeImages: [],
    reviews: [],
    events: [],
    provenance: [],
  };
}
