/**
 * Referral packages (PDF evidence report, GeoJSON, KML/KMZ, Cursor-on-Target, CSV) and STAC items,
 * as pure writers: they take plain inputs (types.ts) and return strings or bytes; the caller stores
 * or serves them. See README.md.
 */
import { referralCot } from './cot.ts';
import { referralCsv } from './csv.ts';
import { referralGeoJson } from './geojson.ts';
import { referralKml, referralKmz } from './kml.ts';
import { referralPdf } from './pdf.ts';
import type { ReferralPackage, ReferralPackageInput } from './types.ts';
import { validateReferralInput } from './validate.ts';

export { COT_HOW, COT_TYPE, COT_UNKNOWN, cotUid, referralCot, SIGMA_PER_CI90_2D } from './cot.ts';
export { CSV_COLUMNS, referralCsv } from './csv.ts';
export { ellipsePolygon, type FeatureKind, referralFeatureCollection } from './features.ts';
export { referralGeoJson } from './geojson.ts';
export { referralKml, referralKmz } from './kml.ts';
export { exposureLine, fmtRate, fmtSig, fmtTime, referralPdf } from './pdf.ts';
export { encodePng } from './png.ts';
export * from './stac.ts';
export type * from './types.ts';
export { validateReferralInput } from './validate.ts';

/** Every file of the package, from one validated input. */
export async function buildReferralPackage(input: ReferralPackageInput): Promise<ReferralPackage> {
  validateReferralInput(input);
  return {
    pdf: await referralPdf(input),
    geojson: referralGeoJson(input),
    kml: referralKml(input),
    kmz: referralKmz(input),
    cot: referralCot(input),
    csv: referralCsv(input),
  };
}
