/**
 * The PDF evidence report parsed with pdfjs-dist: its text holds the site, the rate and its
 * interval, the exposure distances, the deadlines and every provenance entry; hostile and empty
 * inputs give a readable PDF too. The fixture's package is written to test-artifacts/exports/ so
 * a person can open it.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as pdfjs from 'pdfjs-dist/legacy/build/pdf.mjs';
import { describe, expect, it } from 'vitest';
import { emptyFixture, hostileFixture, referralFixture } from './fixture.test-helpers.ts';
import { buildReferralPackage } from './index.ts';
import { MAX_TEXT_CHARS, referralPdf } from './pdf.ts';
import { winAnsi } from './text.ts';

const ARTIFACTS = fileURLToPath(new URL('../../../test-artifacts/exports/', import.meta.url));

async function pdfText(bytes: Uint8Array): Promise<{ pages: number; text: string; title: unknown }> {
  const doc = await pdfjs.getDocument({
    data: bytes.slice(),
    useWorkerFetch: false,
    isEvalSupported: false,
    useSystemFonts: false,
    verbosity: 0,
  }).promise;
  const lines: string[] = [];
  for (let p = 1; p <= doc.numPages; p++) {
    const page = await doc.getPage(p);
    const content = await page.getTextContent();
    for (const item of content.items) if ('str' in item) lines.push(item.str);
  }
  const meta = await doc.getMetadata();
  const pages = doc.numPages;
  await doc.destroy();
  return { pages, text: lines.join('\n'), title: (meta.info as Record<string, unknown>).Title };
}

/** The numbers in a line of text. */
const numbers = (s: string) => [...s.matchAll(/\d+(?:\.\d+)?/g)].map((m) => Number(m[0]));

describe('referral PDF', () => {
  it('shows the site, the rate with its interval, exposure distances, deadlines and provenance', async () => {
    const input = referralFixture();
    const pkg = await buildReferralPackage(input);
    mkdirSync(ARTIFACTS, { recursive: true });
    writeFileSync(`${ARTIFACTS}referral.pdf`, pkg.pdf);
    writeFileSync(`${ARTIFACTS}referral.geojson`, pkg.geojson);
    writeFileSync(`${ARTIFACTS}referral.kml`, pkg.kml);
    writeFileSync(`${ARTIFACTS}referral.kmz`, pkg.kmz);
    writeFileSync(`${ARTIFACTS}referral.cot.xml`, pkg.cot);
    writeFileSync(`${ARTIFACTS}referral.csv`, pkg.csv);

    const { text, pages, title } = await pdfText(pkg.pdf);
    expect(pages).toBeGreaterThanOrEqual(3);
    expect(title).toBe(`Referral ${input.referral.id}: ${input.site.name}`);
    expect(text).toContain(input.site.id);
    expect(text).toContain(input.site.name);
    expect(text).toContain(input.referral.id);
    expect(text).toContain(input.referral.organizationName);
    expect(text).toContain('PRIORITY');
    // The rate line: central value and 90% bounds, each within 0.5% (3 significant digits).
    const rateLine = text.split('\n').find((l) => /kg\/h \(90%/.test(l));
    expect(rateLine).toBeDefined();
    const [rate, lo, hi] = numbers(rateLine ?? '').filter((v) => v !== 90);
    const [wantLo, wantHi] = input.site.rateKgPerHourCi90 ?? [0, 0];
    expect(rate).toBeCloseTo(input.site.rateKgPerHour ?? 0, 1);
    expect(Math.abs(lo - wantLo) / wantLo).toBeLessThan(0.005);
    expect(Math.abs(hi - wantHi) / wantHi).toBeLessThan(0.005);
    // Deadlines, to the minute.
    for (const t of [input.referral.acknowledgeBy, input.referral.actionBy]) {
      expect(text).toContain(`${t.slice(0, 10)} ${t.slice(11, 16)} UTC`);
    }
    // Exposure: "X ppm up to D m downwind (90%: lo–hi m)" with distances to the metre.
    const th = input.exposure?.estimate.thresholds ?? [];
    expect(th.length).toBe(2);
    for (const t of th) {
      const line = text.split('\n').find((l) => l.startsWith(`${t.thresholdPpm} ppm up to `));
      expect(line, `${t.thresholdPpm} ppm line`).toBeDefined();
      const m = /up to (\d+) m downwind \(90%: (\d+)\u2013(\d+) m\)/.exec(line ?? '');
      expect(m).not.toBeNull();
      const [d, dlo, dhi] = (m ?? []).slice(1).map(Number);
      expect(Math.abs(d - t.maxDistanceM.central)).toBeLessThanOrEqual(0.5);
      expect(Math.abs(dlo - t.maxDistanceM.lo)).toBeLessThanOrEqual(0.5);
      expect(Math.abs(dhi - t.maxDistanceM.hi)).toBeLessThanOrEqual(0.5);
    }
    for (const a of input.exposure?.estimate.assumptions ?? []) {
      expect(text.replace(/\n/g, ' ')).toContain(winAnsi(a).slice(0, 40));
    }
    // Every provenance entry, every review and event, every detection.
    for (const p of input.provenance) {
      expect(text).toContain(p.quantity);
      expect(text).toContain(p.value);
    }
    // …and the writer's own rows: every detection's numbers and the exposure model.
    for (const d of input.detections) {
      if (d.rateKgPerHour !== null) expect(text).toContain(`Rate, detection ${d.id}`);
      if (d.enhancement !== null) expect(text).toContain(`Enhancement, detection ${d.id}`);
    }
    for (const t of th) expect(text).toContain(`Exposure distance, ${t.thresholdPpm} ppm`);
    for (const r of input.reviews) expect(text).toContain(r.reviewerName);
    for (const e of input.events) expect(text).toContain(e.action);
    for (const d of input.detections) expect(text).toContain(d.id);
    // Map furniture and the charts' labels.
    expect(text).toMatch(/\d+ (k?m)\n/);
    expect(text).toContain('N');
    expect(text).toContain(`wind from ${input.exposure?.windFromDeg} deg`);
    expect(text).toContain('kg/h');
  });

  it('prints hostile text in a sanitized form without crashing', async () => {
    const input = hostileFixture();
    const bytes = await referralPdf(input);
    mkdirSync(ARTIFACTS, { recursive: true });
    writeFileSync(`${ARTIFACTS}referral-hostile.pdf`, bytes);
    const { text } = await pdfText(bytes);
    const flat = text.replace(/\n/g, ' ');
    expect(flat).toContain('Ünïcødé ?? <script>alert("x")</script>');
    expect(flat).toContain('CH4 <= 5');
    expect(flat).not.toContain('中');
  });

  it('cuts very long unbroken text instead of stalling (200 000 characters in a reason)', async () => {
    const input = referralFixture();
    input.referral.reason = 'x'.repeat(200_000);
    input.referral.basis = 'analyst-choice';
    const t0 = performance.now();
    const { text, pages } = await pdfText(await referralPdf(input));
    expect(performance.now() - t0).toBeLessThan(20_000);
    expect(text).toContain(`[${200_000 - MAX_TEXT_CHARS} more characters not shown]`);
    expect(pages).toBeLessThan(10);
    // The cut lines fill the width: each piece but the last holds the same number of characters.
    const pieces = text.split('\n').filter((l) => /^x+$/.test(l));
    expect(pieces.length).toBeGreaterThan(10);
    expect(new Set(pieces.slice(0, -1).map((p) => p.length)).size).toBe(1);
  });

  it('works with nothing attached (no detections, images, history or exposure)', async () => {
    const bytes = await referralPdf(emptyFixture());
    const { text } = await pdfText(bytes);
    expect(text).toContain('No detections attached.');
    expect(text).toContain('No plume images.');
    expect(text).toContain('No quantified emission estimates.');
    expect(text).toContain('No exposure estimate');
    expect(text).toContain('not quantified');
  });
});
