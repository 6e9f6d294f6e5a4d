/**
 * The review and referral workflow in a real headless Chromium, as the demo's people walk it: the
 * analyst takes the demo's candidate site through the R1 review, the reviewer confirms it, the
 * analyst refers it (naming the authority, since two jurisdictions contain it here), the partner's
 * liaison acknowledges it, uploads evidence and downloads the referral package, and viewers see no
 * action at all. Every step goes through the page's buttons and forms; the store says what happened.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../src/core/errors.ts';
import { buildDemo } from '../../src/pipeline/demo.ts';
import { DEMO_JURISDICTION, DEMO_PARTNER, DEMO_USERS } from '../../src/pipeline/demo-workflow.ts';
import { startServer } from '../../src/server/app.ts';
import { hashPassword } from '../../src/server/auth/password.ts';
import { openStore } from '../../src/store/index.ts';
import type { Organization, Site, Store } from '../../src/store/types.ts';
import { formatRate } from '../../web/src/format.ts';
import { statusStyle } from '../../web/src/status.ts';
import {
  ARTIFACTS,
  browserMissing,
  browserMissingTest,
  CHROMIUM,
  CHROMIUM_ARGS,
  COLOR_TOLERANCE,
  hexToRgb,
  VIEWPORT,
} from './browser.ts';

const PASSWORD = 'e2e password, long enough';
const person = (role: string, org: 'agency' | 'partner') => DEMO_USERS.find((u) => u.role === role && u.org === org)!;
const ANALYST = person('analyst', 'agency');
const REVIEWER = person('reviewer', 'agency');
const LIAISON = person('partner', 'partner');
const VIEWERS = [person('viewer', 'agency'), person('viewer', 'partner')];
/** A second authority whose jurisdiction also covers the demo area: the analyst must choose. */
const OVERLAPPING_PARTNER = 'Overlapping Water Authority';

/** A signed-in page, and what went wrong on it (console errors, answers of 400 and up). */
interface Session {
  context: BrowserContext;
  page: Page;
  consoleErrors: string[];
  badResponses: string[];
}

if (browserMissing) {
  browserMissingTest('workflow in the map app');
} else {
  describe('workflow in the map app', () => {
    let tmp: string;
    let store: Store;
    let server: { url: string; close(): Promise<void> };
    let browser: Browser;
    let origin: string;
    let partner: Organization;
    /** The demo's candidate site: the one this test walks through the workflow. */
    let site: Site;
    /** The demo's site already R1-reviewed, for a stale-form conflict. */
    let otherReviewed: Site;
    let referralId: string;
    const sessions: Session[] = [];

    async function signIn(user: { email: string; displayName: string }): Promise<Session> {
      const context = await browser.newContext({ viewport: VIEWPORT });
      const page = await context.newPage();
      const s: Session = { context, page, consoleErrors: [], badResponses: [] };
      page.on('console', (msg) => {
        if (msg.type() === 'error') s.consoleErrors.push(msg.text());
      });
      page.on('pageerror', (error) => s.consoleErrors.push(`page error: ${error.message}`));
      page.on('response', (response) => {
        if (response.status() >= 400)
          s.badResponses.push(
            `${response.request().method()} ${response.status()} ${response.url().slice(origin.length)}`,
          );
      });
      page.on('request', (request) => {
        const url = request.url();
        if (!url.startsWith(origin) && !url.startsWith('blob:') && !url.startsWith('data:'))
          s.badResponses.push(`external request: ${url}`);
      });
      await page.goto(server.url);
      await page.waitForSelector('body[data-auth="signed-out"] #login-form', { timeout: 120_000 });
      await page.fill('#login-email', user.email);
      await page.fill('#login-password', PASSWORD);
      await page.click('#login-submit');
      await page.waitForSelector('body[data-ready="true"]', { timeout: 120_000 });
      expect(await page.textContent('#account-name')).toContain(user.displayName);
      sessions.push(s);
      return s;
    }

    /** Only the expected failures happened: the 401 of GET /api/session before signing in, and `also`. */
    function expectClean(s: Session, also: string[] = []): void {
      expect(s.badResponses).toEqual(['GET 401 /api/session', ...also]);
      const statuses = ['401', ...also.map((a) => a.split(' ')[1]!)];
      for (const e of s.consoleErrors)
        expect(
          statuses.some((code) => e.includes(code)),
          e,
        ).toBe(true);
    }

    /** GET as the page's user: what the server says (the page's own session cookie). */
    function apiGet<T>(page: Page, path: string): Promise<T> {
      return page.evaluate(async (p) => {
        const r = await fetch(p, { headers: { accept: 'application/json' } });
        if (!r.ok) throw new Error(`${p}: HTTP ${r.status}`);
        return r.json();
      }, path) as Promise<T>;
    }

    async function openSite(page: Page, id: string): Promise<void> {
      if ((await page.evaluate(() => document.body.dataset.tab)) !== 'sites') await page.click('#tab-sites');
      await page.click(`#site-list [data-site-id="${id}"]`);
      await page.waitForSelector(`#detail[data-state="ready"] .detail-body[data-site-id="${id}"]`, {
        timeout: 30_000,
      });
    }

    async function openReferral(page: Page, id: string): Promise<void> {
      if ((await page.evaluate(() => document.body.dataset.tab)) !== 'referrals') await page.click('#tab-referrals');
      await page.click(`#referral-list [data-referral-id="${id}"]`);
      await page.waitForSelector(`#detail[data-state="ready"] .detail-body[data-referral-id="${id}"]`, {
        timeout: 30_000,
      });
    }

    const actionButtons = (page: Page) =>
      page.$$eval('#detail [data-action]:not(form)', (els) => els.map((el) => el.getAttribute('data-action')));

    /** Opens an action's form, lets `fill` fill it, submits it and waits for the page to say `done`. */
    async function act(page: Page, kind: string, fill: () => Promise<void>, done: string): Promise<void> {
      await page.click(`#detail button[data-action="${kind}"]`);
      await page.waitForSelector(`#detail form[data-action="${kind}"]`);
      await fill();
      await page.click(`#detail form[data-action="${kind}"] button[type="submit"]`);
      await page.waitForFunction(
        (text) => document.querySelector('#detail-notice')?.textContent?.includes(text),
        done,
        {
          timeout: 30_000,
        },
      );
    }

    async function formError(page: Page, kind: string): Promise<string> {
      const selector = `#act-${kind}-error:not([hidden])`;
      await page.waitForSelector(selector, { timeout: 30_000 });
      return (await page.textContent(selector)) ?? '';
    }

    /** The site ids drawn on the map now. */
    const drawnIds = (page: Page) =>
      page.evaluate(() =>
        [
          ...new Set(
            window.plumetraceMap!.queryRenderedFeatures({ layers: ['sites'] }).map((f) => String(f.properties.id)),
          ),
        ].sort(),
      );

    /** The colour of the centre pixel of a site's circle, once the map shows it in `status` and stands still. */
    async function drawnColor(page: Page, s: Site, status: string): Promise<number[]> {
      await page.waitForFunction(
        ([lon, lat, id, want]) => {
          const map = window.plumetraceMap!;
          if (map.isMoving() || !map.loaded()) return false;
          const f = map
            .queryRenderedFeatures(map.project([lon, lat]), { layers: ['sites'] })
            .find((x) => x.properties.id === id);
          return f?.properties.status === want;
        },
        [s.lon, s.lat, s.id, status] as const,
        { timeout: 30_000 },
      );
      // Two frames, so the canvas holds what the query saw.
      await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
      return page.evaluate(
        ([lon, lat]) => {
          const map = window.plumetraceMap!;
          const canvas = map.getCanvas();
          const p = map.project([lon, lat]);
          const x = Math.round(p.x * (canvas.width / canvas.clientWidth));
          const y = Math.round(p.y * (canvas.height / canvas.clientHeight));
          const probe = document.createElement('canvas');
          probe.width = 1;
          probe.height = 1;
          const ctx = probe.getContext('2d')!;
          ctx.drawImage(canvas, x, y, 1, 1, 0, 0, 1, 1);
          return [...ctx.getImageData(0, 0, 1, 1).data];
        },
        [s.lon, s.lat] as const,
      );
    }

    beforeAll(async () => {
      tmp = mkdtempSync(join(tmpdir(), 'plumetrace-e2e-workflow-'));
      store = await openStore(join(tmp, 'e2e.sqlite'));
      await buildDemo(store, { dir: join(tmp, 'demo'), people: { password: PASSWORD, hashPassword } });
      partner = (await store.findOrganizationByName(DEMO_PARTNER))!;
      await store.createOrganization(
        { name: OVERLAPPING_PARTNER, kind: 'partner' },
        [{ name: 'Test Valley (water)', geometry: DEMO_JURISDICTION }],
        { audit: { actorUserId: null } },
      );
      const sites = await store.listSites();
      site = sites.find((s) => s.status === 'candidate')!;
      otherReviewed = sites.find((s) => s.status === 'r1-reviewed')!;
      server = await startServer({ store, host: '127.0.0.1', port: 0 });
      origin = new URL(server.url).origin;
      browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
      mkdirSync(ARTIFACTS, { recursive: true });
    });

    afterAll(async () => {
      for (const s of sessions) await s.context.close();
      await browser?.close();
      await server?.close();
      await store?.close();
      if (tmp) rmSync(tmp, { recursive: true, force: true });
    });

    it('has a candidate site to walk and a second authority over the same ground', async () => {
      expect(site).toBeDefined();
      expect(otherReviewed).toBeDefined();
      expect((await store.listJurisdictions()).length).toBeGreaterThanOrEqual(2);
    });

    let analyst: Session;

    it('filters the list and the map by status', async () => {
      analyst = await signIn(ANALYST);
      const { page } = analyst;
      expect(await page.evaluate(() => document.body.dataset.tab)).toBe('sites');
      const all = await store.listSites();
      for (const status of ['candidate', 'referred']) {
        await page.selectOption('#status-filter', status);
        const expected = all
          .filter((s) => s.status === status)
          .map((s) => s.id)
          .sort();
        expect(expected.length).toBeGreaterThan(0);
        const listed = await page.$$eval('#site-list [data-site-id]', (els) =>
          els.map((el) => el.getAttribute('data-site-id')).sort(),
        );
        expect(listed).toEqual(expected);
        expect(await page.textContent('#site-count')).toBe(String(expected.length));
        await page.waitForFunction(
          (want) => {
            const map = window.plumetraceMap!;
            const ids = new Set(map.queryRenderedFeatures({ layers: ['sites'] }).map((f) => String(f.properties.id)));
            return map.loaded() && ids.size === want.length && want.every((id) => ids.has(id));
          },
          expected,
          { timeout: 30_000 },
        );
        expect(await drawnIds(page)).toEqual(expected);
      }
      await page.selectOption('#status-filter', '');
      expect(await page.$$eval('#site-list [data-site-id]', (els) => els.length)).toBe(all.length);
      await page.waitForFunction((n) => {
        const map = window.plumetraceMap!;
        return new Set(map.queryRenderedFeatures({ layers: ['sites'] }).map((f) => f.properties.id)).size === n;
      }, all.length);
      expectClean(analyst);
    });

    it('shows the candidate site in detail, with the R1 review as its one action', async () => {
      const { page } = analyst;
      await openSite(page, site.id);
      const text = (await page.textContent('#detail')) ?? '';
      expect(text).toContain(site.name);
      expect(text).toContain(formatRate(site.rateKgPerHour, site.rateSigmaKgPerHour));
      const coverage = await store.siteCoverage(site.id);
      expect(coverage.overflights).toBeGreaterThan(0);
      expect(text).toContain(`${coverage.detectedFlights} of ${coverage.overflights} overflight`);
      const detections = await store.listDetections({ siteId: site.id });
      expect(await page.$$eval('#detail [data-detection-id]', (els) => els.length)).toBe(detections.length);
      expect(await page.textContent('#detail [data-section="reviews"]')).toContain('Not reviewed yet');
      const served = await apiGet<{ actions: string[] }>(page, `/api/sites/${site.id}`);
      expect(served.actions).toEqual(['r1-review']);
      expect(await actionButtons(page)).toEqual(served.actions);
    });

    it('R1: asks for a reason, then records the review; list and map take the new colour', async () => {
      const { page } = analyst;
      await page.click('#detail button[data-action="r1-review"]');
      await page.click('#detail form[data-action="r1-review"] button[type="submit"]');
      expect(await formError(page, 'r1-review')).toBe('Reason is required.');
      expect((await store.getSite(site.id))!.status).toBe('candidate');
      await page.click('#detail form[data-action="r1-review"] button[type="button"]'); // Cancel

      const reason = 'Plume seen on two transects, source inside the yard; recommend confirmation.';
      await act(page, 'r1-review', () => page.fill('#act-r1-review-reason', reason), 'R1 review recorded');
      expect((await store.getSite(site.id))!.status).toBe('r1-reviewed');
      const [review] = await store.listReviews(site.id);
      expect(review).toMatchObject({ stage: 'R1', decision: 'reviewed', reason });
      expect(await page.textContent('#detail [data-section="reviews"]')).toContain(reason);
      // The second review is another person's: nothing left for the analyst.
      expect(await actionButtons(page)).toEqual([]);
      expect(await page.textContent(`#site-list [data-site-id="${site.id}"]`)).toContain('R1 reviewed');
      const rgba = await drawnColor(page, site, 'r1-reviewed');
      const want = hexToRgb(statusStyle('r1-reviewed').color);
      expect(Math.max(...want.map((c, i) => Math.abs(c - rgba[i]!))), `rgba(${rgba})`).toBeLessThanOrEqual(
        COLOR_TOLERANCE,
      );
      await page.screenshot({ path: join(ARTIFACTS, 'workflow-r1.png') });
      expectClean(analyst);
    });

    let reviewer: Session;

    it('R2: a stale form shows the server’s refusal in words', async () => {
      reviewer = await signIn(REVIEWER);
      const { page } = reviewer;
      await openSite(page, otherReviewed.id);
      expect(await actionButtons(page)).toEqual(['r2-confirm', 'r2-dismiss']);
      await page.click('#detail button[data-action="r2-dismiss"]');
      await page.fill('#act-r2-dismiss-reason', 'Barn ventilation.');
      // Meanwhile the site is decided elsewhere (another tab, another reviewer's click).
      const me = (await store.findUserByEmail(REVIEWER.email))!;
      await store.applyWorkflowAction(otherReviewed.id, {
        kind: 'r2-confirm',
        reason: 'Confirmed in another tab.',
        actor: { userId: me.id, role: me.role, organizationId: me.organizationId },
        at: new Date().toISOString(),
      });
      await page.click('#detail form[data-action="r2-dismiss"] button[type="submit"]');
      const said = await formError(page, 'r2-dismiss');
      expect(said).toContain(ERROR_CODES.PT_ERR_WORKFLOW_ILLEGAL_TRANSITION.message);
      expect((await store.getSite(otherReviewed.id))!.status).toBe('confirmed');
      expectClean(reviewer, [`POST 409 /api/sites/${otherReviewed.id}/reviews`]);
      reviewer.badResponses.pop();
      reviewer.consoleErrors.splice(0);
    });

    it('R2: the reviewer confirms the site the analyst reviewed', async () => {
      const { page } = reviewer;
      await openSite(page, site.id);
      expect(await actionButtons(page)).toEqual(['r2-confirm', 'r2-dismiss']);
      const reason = 'Residuals and wind record checked; confirmed.';
      await act(page, 'r2-confirm', () => page.fill('#act-r2-confirm-reason', reason), 'Site confirmed');
      expect((await store.getSite(site.id))!.status).toBe('confirmed');
      const reviews = await store.listReviews(site.id);
      expect(reviews.map((r) => [r.stage, r.decision])).toEqual([
        ['R1', 'reviewed'],
        ['R2', 'confirmed'],
      ]);
      expect(new Set(reviews.map((r) => r.reviewerId)).size).toBe(2);
      expect(await actionButtons(page)).toEqual([]);
      expectClean(reviewer);
    });

    it('refers: the server asks which authority, the analyst names it with a reason', async () => {
      const { page } = analyst;
      await openSite(page, site.id);
      expect(await actionButtons(page)).toEqual(['refer']);
      await page.click('#detail button[data-action="refer"]');
      await page.click('#detail form[data-action="refer"] button[type="submit"]');
      // Two jurisdictions contain the site: the answer is a 400 asking for the organization.
      expect(await formError(page, 'refer')).toContain('referralOrganizationId is required');
      await page.waitForSelector('#act-refer-organizationId');
      const offered = await page.$$eval('#act-refer-organizationId option', (els) =>
        els
          .map((el) => (el as HTMLOptionElement).value)
          .filter(Boolean)
          .sort(),
      );
      const partners = (await store.listOrganizations()).filter((o) => o.kind === 'partner').map((o) => o.id);
      expect(offered).toEqual(partners.sort());
      await page.click('#detail form[data-action="refer"] button[type="submit"]');
      expect(await formError(page, 'refer')).toBe('Authority is required.');
      await page.selectOption('#act-refer-organizationId', partner.id);
      await page.click('#detail form[data-action="refer"] button[type="submit"]');
      expect(await formError(page, 'refer')).toBe('Reason is required.');
      const reason = 'The environmental authority handles farm digesters.';
      await page.fill('#act-refer-reason', reason);
      await page.click('#detail form[data-action="refer"] button[type="submit"]');
      await page.waitForFunction(() =>
        document.querySelector('#detail-notice')?.textContent?.includes('Site referred'),
      );

      expect((await store.getSite(site.id))!.status).toBe('referred');
      const [referral] = await store.listReferrals({ siteId: site.id });
      expect(referral).toMatchObject({ organizationId: partner.id, basis: 'analyst-choice', reason });
      referralId = referral!.id;
      expect(await page.textContent('#detail [data-section="referral"]')).toContain(DEMO_PARTNER);
      expect(await page.$$eval(`#referral-list [data-referral-id="${referralId}"]`, (els) => els.length)).toBe(1);
      await page.screenshot({ path: join(ARTIFACTS, 'workflow-referred.png') });
      expectClean(analyst, [`POST 400 /api/sites/${site.id}/referral`]);
    });

    let liaison: Session;

    it('the partner lands on its referrals, sees only what was referred to it, and the overdue flags', async () => {
      liaison = await signIn(LIAISON);
      const { page } = liaison;
      expect(await page.evaluate(() => document.body.dataset.tab)).toBe('referrals');
      expect(await page.isVisible('#view-referrals')).toBe(true);
      expect(await page.isHidden('#view-sites')).toBe(true);
      const mine = await store.listReferrals({ organizationId: partner.id });
      const listed = await page.$$eval('#referral-list [data-referral-id]', (els) =>
        els.map((el) => el.getAttribute('data-referral-id')).sort(),
      );
      expect(listed).toEqual(mine.map((r) => r.id).sort());
      expect(listed).toContain(referralId);
      await page.click('#tab-sites');
      const sitesListed = await page.$$eval('#site-list [data-site-id]', (els) =>
        els.map((el) => el.getAttribute('data-site-id')).sort(),
      );
      expect(sitesListed).toEqual([...new Set(mine.map((r) => r.siteId))].sort());
      // OVERDUE exactly where the server flags it (the demo leaves some referrals open past their deadlines).
      const served = await apiGet<{ id: string; overdue: boolean }[]>(page, '/api/referrals');
      const overdue = served
        .filter((r) => r.overdue)
        .map((r) => r.id)
        .sort();
      expect(overdue.length).toBeGreaterThan(0);
      expect(overdue).not.toContain(referralId);
      const flagged = await page.$$eval('#referral-list [data-referral-id]', (els) =>
        els.filter((el) => el.querySelector('.flag-overdue')).map((el) => el.getAttribute('data-referral-id')),
      );
      expect(flagged.sort()).toEqual(overdue);
      expectClean(liaison);
    });

    it('the partner acknowledges the referral and uploads evidence', async () => {
      const { page } = liaison;
      await openReferral(page, referralId);
      const served = await apiGet<{ actions: string[] }>(page, `/api/referrals/${referralId}`);
      expect(served.actions).toEqual(['acknowledge', 'comment', 'upload-evidence']);
      expect(await actionButtons(page)).toEqual(served.actions);
      const note = 'Received; a team goes out on Thursday.';
      await act(page, 'acknowledge', () => page.fill('#act-acknowledge-reason', note), 'Referral acknowledged');
      expect((await store.getReferral(referralId))!.status).toBe('acknowledged');
      expect((await store.getSite(site.id))!.status).toBe('acknowledged');
      expect(await page.textContent('#detail [data-section="timeline"]')).toContain(note);
      expect(await actionButtons(page)).toEqual(['inspect', 'comment', 'upload-evidence']);

      const content = Buffer.from('inspection note: valve hissing at the north wall\n');
      await act(
        page,
        'upload-evidence',
        () =>
          page.setInputFiles('#act-upload-evidence-file', {
            name: 'note.txt',
            mimeType: 'text/plain',
            buffer: content,
          }),
        'Evidence uploaded',
      );
      const [evidence] = await store.listEvidence(referralId);
      expect(evidence).toMatchObject({ filename: 'note.txt', mediaType: 'text/plain', sizeBytes: content.length });
      const href = await page.getAttribute(`#detail [data-evidence-id="${evidence!.id}"] a`, 'href');
      const downloaded = await page.evaluate(async (url) => {
        const r = await fetch(url!);
        return { status: r.status, text: await r.text() };
      }, href);
      expect(downloaded).toEqual({ status: 200, text: content.toString() });
      expectClean(liaison);
    });

    it('the referral view links the package; the PDF downloads', async () => {
      const { page } = liaison;
      const formats = await page.$$eval('#detail [data-package]', (els) =>
        els.map((el) => el.getAttribute('data-package')),
      );
      expect(formats).toEqual(['pdf', 'kml', 'kmz', 'cot', 'csv', 'geojson']);
      const href = await page.getAttribute('#detail a[data-package="pdf"]', 'href');
      expect(href).toBe(`/api/referrals/${referralId}/package/pdf`);
      const pdf = await page.evaluate(async (url) => {
        const r = await fetch(url!);
        const bytes = new Uint8Array(await r.arrayBuffer());
        return {
          status: r.status,
          type: r.headers.get('content-type'),
          head: String.fromCharCode(...bytes.slice(0, 5)),
          size: bytes.length,
        };
      }, href);
      expect(pdf).toMatchObject({ status: 200, type: 'application/pdf', head: '%PDF-' });
      expect(pdf.size).toBeGreaterThan(1000);
      await page.screenshot({ path: join(ARTIFACTS, 'workflow-referral.png') });
      expectClean(liaison);
    });

    it('the partner comments, records the inspection and the outcome; the analyst verifies', async () => {
      const { page } = liaison;
      const comment = 'Please keep the north gate closed.';
      await act(page, 'comment', () => page.fill('#act-comment-reason', comment), 'Comment posted');
      await act(page, 'inspect', async () => {}, 'Inspection recorded');
      expect((await store.getReferral(referralId))!.status).toBe('inspected');
      expect(await actionButtons(page)).toEqual(['record-outcome', 'comment', 'upload-evidence']);
      await page.click('#detail button[data-action="record-outcome"]');
      await page.click('#detail form[data-action="record-outcome"] button[type="submit"]');
      expect(await formError(page, 'record-outcome')).toBe('Outcome is required.');
      expect(
        await page.$$eval('#act-record-outcome-outcome option', (els) =>
          els.map((el) => (el as HTMLOptionElement).value).filter(Boolean),
        ),
      ).toEqual(['dismantled', 'remediated', 'not-found', 'no-access']);
      await page.selectOption('#act-record-outcome-outcome', 'dismantled');
      await page.click('#detail form[data-action="record-outcome"] button[type="submit"]');
      await page.waitForFunction(() => document.querySelector('#detail-notice')?.textContent?.includes('Outcome'));
      expect(await store.getReferral(referralId)).toMatchObject({ status: 'closed', outcome: 'dismantled' });
      expect(await actionButtons(page)).toEqual([]);
      const timeline = await page.$$eval('#detail [data-event-kind]', (els) =>
        els.map((el) => el.getAttribute('data-event-kind')),
      );
      const events = (await store.listReferralEvents(referralId)).map((e) => e.kind);
      expect(timeline.sort()).toEqual([...events].sort());
      expect(await page.textContent('#detail [data-section="timeline"]')).toContain(comment);
      expectClean(liaison);

      // The analyst: an overflight before the outcome is refused in words; a later one verifies.
      const a = analyst.page;
      await openSite(a, site.id);
      expect(await actionButtons(a)).toEqual(['verify']);
      await a.click('#detail button[data-action="verify"]');
      await a.fill('#act-verify-overflightAt', '2020-01-01T10:00');
      await a.click('#detail form[data-action="verify"] button[type="submit"]');
      expect(await formError(a, 'verify')).toContain('must come after the outcome');
      expect((await store.getSite(site.id))!.status).toBe('closed');
      // The next whole minute: after the outcome, and not in the future by more than the server tolerates.
      const next = new Date(Math.ceil((Date.now() + 1000) / 60_000) * 60_000).toISOString().slice(0, 16);
      await a.fill('#act-verify-overflightAt', next);
      await a.click('#detail form[data-action="verify"] button[type="submit"]');
      await a.waitForFunction(() => document.querySelector('#detail-notice')?.textContent?.includes('Verification'));
      expect(await store.getReferral(referralId)).toMatchObject({ overflightAt: `${next}:00Z` });
      expect((await store.getSite(site.id))!.status).toBe('verified');
      await drawnColor(a, site, 'verified');
      expectClean(analyst, [`POST 400 /api/sites/${site.id}/referral`, `POST 400 /api/sites/${site.id}/verify`]);
    });

    it('works from the keyboard: Enter opens a site, Escape closes it, arrows switch the tabs', async () => {
      const { page } = analyst;
      await page.evaluate(() => {
        for (const b of document.querySelectorAll<HTMLButtonElement>('#detail [data-close]')) b.click();
      });
      await page.waitForSelector('#detail', { state: 'hidden' });
      await page.focus(`#site-list [data-site-id="${site.id}"]`);
      await page.keyboard.press('Enter');
      await page.waitForSelector(`#detail[data-state="ready"] .detail-body[data-site-id="${site.id}"]`);
      await page.focus('#detail-title');
      await page.keyboard.press('Escape');
      await page.waitForSelector('#detail', { state: 'hidden' });
      expect(await page.evaluate(() => document.activeElement?.getAttribute('data-site-id'))).toBe(site.id);
      await page.focus('#tab-sites');
      await page.keyboard.press('ArrowRight');
      expect(await page.evaluate(() => document.activeElement?.id)).toBe('tab-referrals');
      expect(await page.getAttribute('#tab-referrals', 'aria-selected')).toBe('true');
      expect(await page.isVisible('#view-referrals')).toBe(true);
      await page.focus(`#referral-list [data-referral-id="${referralId}"]`);
      await page.keyboard.press('Enter');
      await page.waitForSelector(`#detail[data-state="ready"] .detail-body[data-referral-id="${referralId}"]`);
      await page.focus('#detail-title');
      await page.keyboard.press('Escape');
      await page.waitForSelector('#detail', { state: 'hidden' });
      expect(await page.evaluate(() => document.activeElement?.getAttribute('data-referral-id'))).toBe(referralId);
    });

    it('viewers see the site and the referral, and no action', async () => {
      for (const user of VIEWERS) {
        const viewer = await signIn(user);
        const { page } = viewer;
        await openSite(page, site.id);
        expect(await page.textContent('#detail')).toContain(site.name);
        expect((await apiGet<{ actions: string[] }>(page, `/api/sites/${site.id}`)).actions).toEqual([]);
        expect(await page.$$eval('#detail button[data-action], #detail form', (els) => els.length)).toBe(0);
        await openReferral(page, referralId);
        expect((await apiGet<{ actions: string[] }>(page, `/api/referrals/${referralId}`)).actions).toEqual([]);
        expect(await page.$$eval('#detail button[data-action], #detail form', (els) => els.length)).toBe(0);
        expect(await page.$$eval('#detail [data-package]', (els) => els.length)).toBe(6);
        if (user === VIEWERS[0]) await page.screenshot({ path: join(ARTIFACTS, 'workflow-viewer.png') });
        expectClean(viewer);
      }
    });
  });
}
