import { referralFeatureCollection } from './features.ts';
import type { ReferralPackageInput } from './types.ts';
import { validateReferralInput } from './validate.ts';

/**
 * The referral's map features as a GeoJSON FeatureCollection (RFC 7946, lon/lat WGS84): the site
 * point with all its properties, each detection point, the 90% location ellipses, the plume
 * outlines and the exposure contours, each with a `kind` property.
 */
export function referralGeoJson(input: ReferralPackageInput): string {
  validateReferralInput(input);
  return `${JSON.stringify(referralFeatureCollection(input), null, 1)}\n`;
}
