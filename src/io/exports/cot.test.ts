/** The Cursor-on-Target event parsed with fast-xml-parser and checked field by field. */
import { DOMParser } from '@xmldom/xmldom';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { COT_HOW, COT_TYPE, COT_UNKNOWN, cotUid, referralCot, SIGMA_PER_CI90_2D } from './cot.ts';
import { emptyFixture, HOSTILE, hostileFixture, referralFixture } from './fixture.test-helpers.ts';

// biome-ignore lint/suspicious/noExplicitAny: parsed XML is untyped
type Node = any;

function parse(text: string): Node {
  expect(XMLValidator.validate(text)).toBe(true);
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '',
    parseAttributeValue: false,
    htmlEntities: true,
    isArray: (name) => name === 'gas' || name === 'exposure',
  });
  return parser.parse(text).event;
}

describe('referral Cursor-on-Target event', () => {
  it('has the stable uid, type, how, ordered times, point and every chemical detail field', () => {
    const input = referralFixture();
    const ev = parse(referralCot(input));
    expect(ev.version).toBe('2.0');
    expect(ev.uid).toBe(cotUid(input.site.id));
    expect(ev.uid).toBe(parse(referralCot({ ...input, generatedAt: '2026-07-01T00:00:00Z' })).uid);
    expect(ev.type).toBe('b-d-c-b-c');
    expect(ev.type).toBe(COT_TYPE);
    expect(ev.how).toBe(COT_HOW);
    const iso = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
    for (const k of ['time', 'start', 'stale']) expect(ev[k]).toMatch(iso);
    expect(Date.parse(ev.time)).toBe(Date.parse(input.generatedAt));
    expect(Date.parse(ev.start)).toBeLessThanOrEqual(Date.parse(ev.stale));
    expect(Date.parse(ev.time)).toBeLessThan(Date.parse(ev.stale));
    expect(Date.parse(ev.stale)).toBe(Date.parse(input.referral.actionBy));

    expect(Number(ev.point.lat)).toBe(input.site.lat);
    expect(Number(ev.point.lon)).toBe(input.site.lon);
    expect(Number(ev.point.hae)).toBe(COT_UNKNOWN);
    expect(Number(ev.point.le)).toBe(COT_UNKNOWN);
    // ce is the 1-sigma circular error: the 90% semi-major axis over the 2-D 90% radius in sigmas.
    const loc = input.site.locationCi90;
    if (!loc) throw new Error('fixture has a location ellipse');
    expect(SIGMA_PER_CI90_2D).toBeCloseTo(2.14597, 4);
    expect(Number(ev.point.ce)).toBeCloseTo(loc.semiMajorM / 2.14597, 1);

    const d = ev.detail;
    expect(d.contact.callsign).toBe(input.site.name);
    const c = d.chemical;
    expect(c.siteId).toBe(input.site.id);
    expect(c.siteStatus).toBe(input.site.status);
    expect(c.referralId).toBe(input.referral.id);
    expect(c.referralStatus).toBe(input.referral.status);
    expect(c.urgency).toBe(input.referral.urgency.level);
    expect(c.acknowledgeBy).toBe(input.referral.acknowledgeBy);
    expect(c.actionBy).toBe(input.referral.actionBy);
    expect(Number(c.detections)).toBe(input.site.persistence.detections);
    expect(Number(c.overflights)).toBe(input.site.persistence.overflights);
    expect(Number(c.rateKgPerHour)).toBe(input.site.rateKgPerHour);
    expect(Number(c.rateKgPerHourCi90Lo)).toBe(input.site.rateKgPerHourCi90?.[0]);
    expect(Number(c.rateKgPerHourCi90Hi)).toBe(input.site.rateKgPerHourCi90?.[1]);
    expect(c.gas.map((g: Node) => g.name)).toEqual(input.site.gases);
    // The largest enhancement per gas, in its unit, computed here from the detections.
    const ch4 = input.detections.filter((x) => x.gas === 'CH4' && x.enhancement !== null);
    const top = ch4.reduce((a, b) => ((b.enhancement ?? 0) > (a.enhancement ?? 0) ? b : a));
    expect(Number(c.gas[0].maxEnhancement)).toBe(top.enhancement);
    expect(c.gas[0].enhancementUnit).toBe(top.enhancementUnit);
    expect(Number(c.locationCi90.semiMajorM)).toBe(loc.semiMajorM);
    expect(Number(c.locationCi90.semiMinorM)).toBe(loc.semiMinorM);
    expect(Number(c.locationCi90.azimuthDeg)).toBe(loc.azimuthDeg);
    const th = input.exposure?.estimate.thresholds ?? [];
    expect(c.exposure.length).toBe(th.length);
    th.forEach((t, i) => {
      expect(Number(c.exposure[i].thresholdPpm)).toBe(t.thresholdPpm);
      expect(Number(c.exposure[i].maxDistanceM)).toBeCloseTo(t.maxDistanceM.central, 1);
      expect(Number(c.exposure[i].maxDistanceMCi90Lo)).toBeCloseTo(t.maxDistanceM.lo, 1);
      expect(Number(c.exposure[i].maxDistanceMCi90Hi)).toBeCloseTo(t.maxDistanceM.hi, 1);
    });
    expect(d.remarks).toContain(input.site.id);
    expect(d.remarks).toContain(input.referral.id);
    expect(d.remarks).toContain(`rate ${input.site.rateKgPerHour} kg/h`);
    expect(d.link.uid).toBe(`plumetrace-referral-${input.referral.id}`);
  });

  it('stale falls 24 h after the time when the action deadline has passed', () => {
    const input = referralFixture();
    const ev = parse(referralCot({ ...input, generatedAt: '2026-06-20T00:00:00Z' }));
    expect(Date.parse(ev.stale) - Date.parse(ev.time)).toBe(86_400_000);
  });

  it('keeps hostile text intact through the XML, and works with nothing attached', () => {
    const text = referralCot(hostileFixture());
    expect(text).not.toContain('<script>');
    const ev = parse(text);
    expect(ev.detail.contact.callsign).toBe(HOSTILE);
    expect(ev.detail.chemical.siteStatus).toBe(HOSTILE);
    // A conforming DOM parser normalizes attribute whitespace: line breaks must be references.
    const dom = new DOMParser().parseFromString(text, 'text/xml');
    expect(dom.getElementsByTagName('contact')[0].getAttribute('callsign')).toBe(HOSTILE);
    const empty = parse(referralCot(emptyFixture()));
    expect(Number(empty.point.ce)).toBe(COT_UNKNOWN);
    expect(empty.detail.chemical.rateKgPerHour).toBeUndefined();
    expect(empty.detail.chemical.gas).toBeUndefined();
    expect(empty.detail.remarks).toContain('rate not quantified');
  });
});
