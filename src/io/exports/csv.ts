/**
 * One row per detection (RFC 4180: CRLF line ends, fields with a comma, quote or line break
 * quoted, quotes doubled), with the site and referral ids on every row so a row stands alone.
 * Units are in the column names; an unknown value is an empty cell. Text that would start a
 * spreadsheet formula is prefixed with an apostrophe (see csvText).
 */
import type { ReferralPackageInput } from './types.ts';
import { validateReferralInput } from './validate.ts';
import { numText } from './xml.ts';

export const CSV_COLUMNS = [
  'referral_id',
  'site_id',
  'detection_id',
  'time_utc',
  'gas',
  'lat_deg',
  'lon_deg',
  'rate_kg_per_h',
  'rate_ci90_lo_kg_per_h',
  'rate_ci90_hi_kg_per_h',
  'enhancement',
  'enhancement_unit',
  'location_ci90_semi_major_m',
  'location_ci90_semi_minor_m',
  'location_ci90_azimuth_deg',
  'method',
  'algorithm_version',
  'flight',
  'platform',
  'sensor_kind',
] as const;

/**
 * Text that a spreadsheet would run as a formula (starting with = + - @, tab or CR) gets a leading
 * apostrophe (OWASP "CSV injection"); numbers are written as they are.
 */
export function csvText(s: string): string {
  return /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
}

function cell(v: string | number | null | undefined): string {
  if (v === null || v === undefined) return '';
  const s = typeof v === 'number' ? numText(v) : csvText(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function referralCsv(input: ReferralPackageInput): string {
  validateReferralInput(input);
  const rows: string[] = [CSV_COLUMNS.join(',')];
  for (const d of input.detections) {
    const values: (string | number | null | undefined)[] = [
      input.referral.id,
      input.site.id,
      d.id,
      d.time,
      d.gas,
      d.lat,
      d.lon,
      d.rateKgPerHour,
      d.rateKgPerHourCi90?.[0],
      d.rateKgPerHourCi90?.[1],
      d.enhancement,
      d.enhancementUnit,
      d.locationCi90?.semiMajorM,
      d.locationCi90?.semiMinorM,
      d.locationCi90?.azimuthDeg,
      d.method,
      d.algorithmVersion,
      d.flightName,
      d.platform,
      d.sensorKind,
    ];
    rows.push(values.map(cell).join(','));
  }
  return `${rows.join('\r\n')}\r\n`;
}
