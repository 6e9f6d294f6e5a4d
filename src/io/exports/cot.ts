/**
 * One Cursor-on-Target 2.0 event for the referred site, for TAK and other CoT consumers.
 *
 * - type `b-d-c-b-c` (the chemical-detection type the referral workflow agreed on, issue 4);
 *   how `m-f` (machine, fused: the position is fused from the site's detections).
 * - uid `plumetrace-site-<site id>`: stable per site, so a newer event for the same site replaces
 *   the older one on a consumer's map.
 * - time = start = the package's generatedAt; stale = the action deadline when that is later,
 *   else 24 h after time.
 * - point: lat/lon of the site; hae and le 9999999 (the CoT "unknown"), since the site's height
 *   is not measured; ce is the circular 1-sigma error (m) CoT asks for: the 90% ellipse's
 *   semi-major axis divided by √(−2 ln 0.1) ≈ 2.146 (the 90% radius of a 2-D normal in sigmas) —
 *   the larger axis, so the circle is not tighter than the ellipse. 9999999 when unknown.
 * - detail: contact (callsign = site name), remarks (a readable summary), precisionlocation, link
 *   to the referral, and a `chemical` element with the site's gases, rate with its 90% interval,
 *   the largest enhancement per gas, status, urgency, deadlines and the referral id.
 */
import type { ReferralPackageInput } from './types.ts';
import { validateReferralInput } from './validate.ts';
import { numText, xmlAttr, xmlText } from './xml.ts';

export const COT_TYPE = 'b-d-c-b-c';
export const COT_HOW = 'm-f';
/** CoT's value for an unknown hae, ce or le. */
export const COT_UNKNOWN = 9999999;
/** Radius of the 90% region of a 2-D standard normal, in sigmas: √(−2 ln 0.1). */
export const SIGMA_PER_CI90_2D = Math.sqrt(-2 * Math.log(0.1));
const DAY_MS = 86_400_000;

export const cotUid = (siteId: string) => `plumetrace-site-${siteId}`;

/** CoT times: UTC with milliseconds and Z. */
const cotTime = (ms: number) => new Date(ms).toISOString();

const round = (v: number, digits: number) => Number(v.toFixed(digits));

export function cotCircularErrorM(input: ReferralPackageInput): number {
  const e = input.site.locationCi90;
  return e ? round(Math.max(e.semiMajorM, e.semiMinorM) / SIGMA_PER_CI90_2D, 2) : COT_UNKNOWN;
}

/** The largest enhancement seen per gas, with its unit. */
export function maxEnhancementByGas(input: ReferralPackageInput): Map<string, { value: number; unit: string }> {
  const out = new Map<string, { value: number; unit: string }>();
  for (const d of input.detections) {
    if (d.enhancement === null || d.enhancementUnit === null) continue;
    const seen = out.get(d.gas);
    if (!seen || d.enhancement > seen.value) out.set(d.gas, { value: d.enhancement, unit: d.enhancementUnit });
  }
  return out;
}

export function cotRemarks(input: ReferralPackageInput): string {
  const { site, referral } = input;
  const rate =
    site.rateKgPerHour === null
      ? 'rate not quantified'
      : `rate ${site.rateKgPerHour} kg/h${site.rateKgPerHourCi90 ? ` (90%: ${site.rateKgPerHourCi90[0]}-${site.rateKgPerHourCi90[1]} kg/h)` : ''}`;
  const parts = [
    `Suspected emission source "${site.name}" (site ${site.id}): ${site.gases.join(', ') || 'gas not identified'}, ${rate}.`,
    `Seen on ${site.persistence.detections} of ${site.persistence.overflights} overflights, ${site.firstSeen} to ${site.lastSeen}.`,
    `Referral ${referral.id} to ${referral.organizationName}, ${referral.urgency.level}; acknowledge by ${referral.acknowledgeBy}, act by ${referral.actionBy}.`,
  ];
  const e = input.exposure;
  if (e) {
    for (const t of e.estimate.thresholds) {
      parts.push(
        `${t.thresholdPpm} ppm up to ${Math.round(t.maxDistanceM.central)} m downwind (90%: ${Math.round(t.maxDistanceM.lo)}-${Math.round(t.maxDistanceM.hi)} m).`,
      );
    }
    parts.push(`Wind from ${e.windFromDeg} deg at ${e.windSpeedMps} m/s: approach from upwind.`);
  }
  return parts.join(' ');
}

export function referralCot(input: ReferralPackageInput): string {
  validateReferralInput(input);
  const { site, referral } = input;
  const t = Date.parse(input.generatedAt);
  const action = Date.parse(referral.actionBy);
  const stale = action > t ? action : t + DAY_MS;
  const a = (name: string, v: string | number) => ` ${name}="${xmlAttr(typeof v === 'number' ? numText(v) : v)}"`;
  const chem: string[] = [];
  chem.push(
    `<chemical${a('siteId', site.id)}${a('siteStatus', site.status)}${a('referralId', referral.id)}${a('referralStatus', referral.status)}${a('urgency', referral.urgency.level)}${a('acknowledgeBy', referral.acknowledgeBy)}${a('actionBy', referral.actionBy)}${a('detections', site.persistence.detections)}${a('overflights', site.persistence.overflights)}${
      site.rateKgPerHour === null ? '' : a('rateKgPerHour', site.rateKgPerHour)
    }${site.rateKgPerHourCi90 ? a('rateKgPerHourCi90Lo', site.rateKgPerHourCi90[0]) + a('rateKgPerHourCi90Hi', site.rateKgPerHourCi90[1]) : ''}>`,
  );
  const enh = maxEnhancementByGas(input);
  for (const g of site.gases) {
    const e = enh.get(g);
    chem.push(`<gas${a('name', g)}${e ? a('maxEnhancement', e.value) + a('enhancementUnit', e.unit) : ''}/>`);
  }
  if (site.locationCi90) {
    chem.push(
      `<locationCi90${a('semiMajorM', site.locationCi90.semiMajorM)}${a('semiMinorM', site.locationCi90.semiMinorM)}${a('azimuthDeg', site.locationCi90.azimuthDeg)}/>`,
    );
  }
  if (input.exposure) {
    for (const th of input.exposure.estimate.thresholds) {
      chem.push(
        `<exposure${a('thresholdPpm', th.thresholdPpm)}${a('maxDistanceM', round(th.maxDistanceM.central, 1))}${a('maxDistanceMCi90Lo', round(th.maxDistanceM.lo, 1))}${a('maxDistanceMCi90Hi', round(th.maxDistanceM.hi, 1))}/>`,
      );
    }
  }
  chem.push('</chemical>');
  return [
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>',
    `<event version="2.0"${a('uid', cotUid(site.id))}${a('type', COT_TYPE)}${a('how', COT_HOW)}${a('time', cotTime(t))}${a('start', cotTime(t))}${a('stale', cotTime(stale))}>`,
    `<point${a('lat', site.lat)}${a('lon', site.lon)}${a('hae', COT_UNKNOWN)}${a('ce', cotCircularErrorM(input))}${a('le', COT_UNKNOWN)}/>`,
    '<detail>',
    `<contact${a('callsign', site.name)}/>`,
    `<precisionlocation${a('geopointsrc', 'CALC')}${a('altsrc', '???')}/>`,
    `<link${a('uid', `plumetrace-referral-${referral.id}`)}${a('relation', 'p-p')}${a('type', 'b-d-c-b-c')}/>`,
    ...chem,
    `<remarks>${xmlText(cotRemarks(input))}</remarks>`,
    '</detail>',
    '</event>',
    '',
  ].join('\n');
}
