/** The CSV parsed with csv-parse and compared cell by cell with the input. */
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { CSV_COLUMNS, csvText, referralCsv } from './csv.ts';
import { emptyFixture, HOSTILE, hostileFixture, referralFixture } from './fixture.test-helpers.ts';
import type { ReferralPackageInput } from './types.ts';

function expected(input: ReferralPackageInput): string[][] {
  const s = (v: string | number | null | undefined) => (v === null || v === undefined ? '' : String(v));
  return input.detections.map((d) => [
    input.referral.id,
    input.site.id,
    d.id,
    d.time,
    d.gas,
    s(d.lat),
    s(d.lon),
    s(d.rateKgPerHour),
    s(d.rateKgPerHourCi90?.[0]),
    s(d.rateKgPerHourCi90?.[1]),
    s(d.enhancement),
    s(d.enhancementUnit),
    s(d.locationCi90?.semiMajorM),
    s(d.locationCi90?.semiMinorM),
    s(d.locationCi90?.azimuthDeg),
    csvText(d.method),
    d.algorithmVersion,
    csvText(d.flightName),
    csvText(d.platform),
    d.sensorKind,
  ]);
}

describe('referral CSV', () => {
  it('has a header with units in the names and one row per detection, equal cell by cell', () => {
    const input = referralFixture();
    const text = referralCsv(input);
    expect(text.endsWith('\r\n')).toBe(true);
    const rows: string[][] = parse(text, { relax_column_count: false });
    expect(rows[0]).toEqual([...CSV_COLUMNS]);
    expect(rows[0]).toContain('rate_kg_per_h');
    expect(rows[0]).toContain('location_ci90_semi_major_m');
    expect(rows.slice(1)).toEqual(expected(input));
    // Numbers read back exactly.
    const lat = rows[0].indexOf('lat_deg');
    rows.slice(1).forEach((r, i) => {
      expect(Number(r[lat])).toBe(input.detections[i].lat);
    });
  });

  it('quotes commas, quotes and line breaks (RFC 4180) and defuses spreadsheet formulas', () => {
    const input = hostileFixture();
    const rows: string[][] = parse(referralCsv(input));
    expect(rows.slice(1)).toEqual(expected(input));
    const flight = rows[0].indexOf('flight');
    expect(rows[1][flight]).toBe(HOSTILE);
    const formula = { ...input, detections: input.detections.map((d) => ({ ...d, platform: '=HYPERLINK("x")' })) };
    const back: string[][] = parse(referralCsv(formula));
    expect(back[1][rows[0].indexOf('platform')]).toBe(`'=HYPERLINK("x")`);
  });

  it('an empty referral gives the header alone', () => {
    const rows: string[][] = parse(referralCsv(emptyFixture()));
    expect(rows).toEqual([[...CSV_COLUMNS]]);
  });
});
