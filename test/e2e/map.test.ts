/**
 * The map page in a real headless Chromium: the server runs on a seeded SQLite file, the user signs
 * in through the page's form, the page loads everything from that server only, lists every site,
 * draws every site and flight track, and signs out.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer } from '../../src/server/app.ts';
import { openStore } from '../../src/store/index.ts';
import type { Flight, Site, Store } from '../../src/store/types.ts';
import { formatRate } from '../../web/src/format.ts';
import { statusStyle } from '../../web/src/status.ts';
import { WORKFLOW_STATUSES } from '../../src/core/workflow/machine.ts';
import { buildDemo, DEMO_SURVEYS } from '../../src/pipeline/demo.ts';
import { DEMO_STATES, DEMO_USERS } from '../../src/pipeline/demo-workflow.ts';
import { hashPassword } from '../../src/server/auth/password.ts';
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

/** The demo's analyst (src/pipeline/demo-workflow.ts), with the password the demo is seeded with here. */
const ANALYST = DEMO_USERS.find((u) => u.role === 'analyst')!;
const EMAIL = ANALYST.email;
const PASSWORD = 'e2e password, long enough';

if (browserMissing) {
  browserMissingTest('map page');
} else {
  describe('map page', () => {
    let tmp: string;
    let store: Store;
    let server: { url: string; close(): Promise<void> };
    let context: BrowserContext;
    let page: Page;
    let sites: Site[];
    let trackedFlights: Flight[];
    const consoleErrors: string[] = [];
    const badRequests: string[] = [];
    /** What went wrong before signing in: only the expected 401 of GET /api/session. */
    let beforeSignIn: { consoleErrors: string[]; badRequests: string[] };

    beforeAll(async () => {
      tmp = mkdtempSync(join(tmpdir(), 'plumetrace-e2e-'));
      store = await openStore(join(tmp, 'e2e.sqlite'));
      // The real demo campaign, with its people and workflow states, as `npm start` builds it.
      await buildDemo(store, { dir: join(tmp, 'demo'), people: { password: PASSWORD, hashPassword } });
      sites = await store.listSites();
      trackedFlights = (await store.listFlights()).filter((f) => f.track !== null);
      // Secure cookies, as in production: Chromium takes them from http://localhost.
      server = await startServer({ store, host: '127.0.0.1', port: 0 });
      const origin = new URL(server.url).origin;

      context = await chromium.launchPersistentContext(join(tmp, 'profile'), {
        executablePath: CHROMIUM,
        headless: true,
        args: CHROMIUM_ARGS,
        viewport: VIEWPORT,
      });
      page = context.pages()[0] ?? (await context.newPage());
      page.on('console', (msg) => {
        if (msg.type() === 'error') consoleErrors.push(msg.text());
      });
      page.on('pageerror', (error) => consoleErrors.push(`page error: ${error.message}`));
      page.on('request', (request) => {
        const url = request.url();
        if (!url.startsWith(origin) && !url.startsWith('blob:') && !url.startsWith('data:')) {
          badRequests.push(`external request: ${url}`);
        }
      });
      page.on('requestfailed', (request) =>
        badRequests.push(`failed: ${request.url()} ${request.failure()?.errorText}`),
      );
      page.on('response', (response) => {
        if (response.status() >= 400) badRequests.push(`HTTP ${response.status()}: ${response.url()}`);
      });

      await page.goto(server.url);
      await page.waitForSelector('body[data-auth="signed-out"] #login-form', { timeout: 120_000 });
      // A wrong password first: the form says so and stays.
      await page.fill('#login-email', EMAIL);
      await page.fill('#login-password', 'not the password');
      await page.click('#login-submit');
      await page.waitForSelector('#login-error:not([hidden])', { timeout: 30_000 });
      mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: join(ARTIFACTS, 'login.png') });
      beforeSignIn = { consoleErrors: consoleErrors.splice(0), badRequests: badRequests.splice(0) };
      await page.fill('#login-password', PASSWORD);
      await page.click('#login-submit');
      await page.waitForSelector('body[data-ready]', { timeout: 120_000 });
    });

    afterAll(async () => {
      await context?.close();
      await server?.close();
      await store?.close();
      if (tmp) rmSync(tmp, { recursive: true, force: true });
    });

    it('has the demo campaign to look at: a site in every workflow state, every drone track', () => {
      expect(sites.map((s) => s.status).sort()).toEqual([...DEMO_STATES].sort());
      expect(new Set(sites.map((s) => s.status))).toEqual(new Set(WORKFLOW_STATUSES));
      expect(trackedFlights.length).toBe(DEMO_SURVEYS.length);
    });

    it('asks to sign in first, and says when the password is wrong', async () => {
      const origin = new URL(server.url).origin;
      // GET /api/session finds nobody signed in; POST /api/session refuses the wrong password.
      expect(beforeSignIn.badRequests).toEqual([`HTTP 401: ${origin}/api/session`, `HTTP 401: ${origin}/api/session`]);
      expect(beforeSignIn.consoleErrors.every((e) => e.includes('401'))).toBe(true);
      expect(await page.evaluate(() => document.body.dataset.auth)).toBe('signed-in');
      expect(await page.isHidden('#login')).toBe(true);
      expect(await page.textContent('#account-name')).toContain(ANALYST.displayName);
    });

    it('keeps the session in an HttpOnly, SameSite=Strict cookie that scripts cannot read', async () => {
      const [cookie] = (await context.cookies(server.url)).filter((c) => c.name === 'pt_session');
      expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', secure: true, path: '/' });
      expect(await page.evaluate(() => document.cookie)).not.toContain('pt_session');
    });

    it('becomes ready without errors', async () => {
      expect(await page.evaluate(() => document.body.dataset.ready)).toBe('true');
      expect(await page.title()).toContain('plumetrace');
      expect(consoleErrors).toEqual([]);
      expect(badRequests).toEqual([]);
    });

    it('lists every site in the side panel', async () => {
      const entries = await page.$$eval('#site-list [data-site-id]', (els) =>
        els.map((el) => ({ id: el.getAttribute('data-site-id'), text: el.textContent ?? '' })),
      );
      expect(entries.map((e) => e.id).sort()).toEqual(sites.map((s) => s.id).sort());
      for (const site of sites) {
        const entry = entries.find((e) => e.id === site.id)!;
        expect(entry.text).toContain(site.name);
        for (const gas of site.gases) expect(entry.text).toContain(gas);
        expect(entry.text).toContain(formatRate(site.rateKgPerHour, site.rateSigmaKgPerHour));
        expect(entry.text).toContain(`${site.detectionCount} detection`);
        expect(entry.text).toContain(statusStyle(site.status).label);
      }
      expect(await page.textContent('#site-count')).toBe(String(sites.length));
    });

    it('draws every site and every flight track on the basemap', async () => {
      const drawn = await page.evaluate(() => {
        const map = window.plumetraceMap!;
        const ids = (layer: string) =>
          [...new Set(map.queryRenderedFeatures({ layers: [layer] }).map((f) => String(f.properties.id)))].sort();
        return {
          sites: ids('sites'),
          flights: ids('flights'),
          countries: map.queryRenderedFeatures({ layers: ['countries-fill'] }).length,
        };
      });
      expect(drawn.sites).toEqual(sites.map((s) => s.id).sort());
      expect(drawn.flights).toEqual(trackedFlights.map((f) => f.id).sort());
      expect(drawn.countries).toBeGreaterThan(0);
    });

    it('paints each site in its status color where it stands', async () => {
      for (const site of sites) {
        const pixel = await page.evaluate(
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
            return {
              x,
              y,
              inside: x >= 0 && y >= 0 && x < canvas.width && y < canvas.height,
              rgba: [...ctx.getImageData(0, 0, 1, 1).data],
            };
          },
          [site.lon, site.lat] as const,
        );
        expect(pixel.inside, `${site.name} is inside the map view`).toBe(true);
        const expected = hexToRgb(statusStyle(site.status).color);
        const diff = expected.map((c, i) => Math.abs(c - pixel.rgba[i]));
        expect(
          Math.max(...diff),
          `${site.name} at (${pixel.x}, ${pixel.y}) is rgba(${pixel.rgba})`,
        ).toBeLessThanOrEqual(COLOR_TOLERANCE);
      }
    });

    it('opens a popup for a site clicked on the map', async () => {
      const top = [...sites].sort((a, b) => (b.rateKgPerHour ?? -1) - (a.rateKgPerHour ?? -1))[0];
      const at = await page.evaluate(
        ([lon, lat]) => {
          const map = window.plumetraceMap!;
          const p = map.project([lon, lat]);
          const r = map.getCanvas().getBoundingClientRect();
          return { x: r.left + p.x, y: r.top + p.y };
        },
        [top.lon, top.lat] as const,
      );
      await page.mouse.click(at.x, at.y);
      const popup = page.locator('.maplibregl-popup .popup');
      await popup.waitFor({ timeout: 10_000 });
      expect(await popup.getAttribute('data-site-id')).toBe(top.id);
      expect(await popup.textContent()).toContain(top.name);
      expect(await page.getAttribute(`#site-list [data-site-id="${top.id}"]`, 'aria-current')).toBe('true');

      mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: join(ARTIFACTS, 'map.png') });
      expect(consoleErrors).toEqual([]);
    });

    it('flies to a site chosen in the list', async () => {
      const target = sites.find((s) => s.rateKgPerHour === null) ?? sites[sites.length - 1];
      await page.click(`#site-list [data-site-id="${target.id}"]`);
      await page.waitForFunction(
        ([lon, lat]) => {
          const map = window.plumetraceMap!;
          const c = map.getCenter();
          return !map.isMoving() && Math.abs(c.lng - lon) < 1e-4 && Math.abs(c.lat - lat) < 1e-4;
        },
        [target.lon, target.lat] as const,
        { timeout: 20_000 },
      );
      expect(await page.locator('.maplibregl-popup .popup').getAttribute('data-site-id')).toBe(target.id);
      expect(await page.getAttribute(`#site-list [data-site-id="${target.id}"]`, 'aria-current')).toBe('true');
      expect(await page.$$eval('#site-list [aria-current]', (els) => els.length)).toBe(1);
      expect(await page.evaluate(() => JSON.stringify(window.plumetraceMap!.getFilter('sites-selected')))).toContain(
        target.id,
      );
      expect(await page.evaluate(() => window.plumetraceMap!.getZoom())).toBeGreaterThanOrEqual(12);
      await page.screenshot({ path: join(ARTIFACTS, 'map-site.png') });
      expect(consoleErrors).toEqual([]);
      expect(badRequests).toEqual([]);
    });

    it('signs out: the session ends and the sign-in form is back', async () => {
      await Promise.all([page.waitForEvent('load'), page.click('#sign-out')]);
      await page.waitForSelector('body[data-auth="signed-out"] #login-form', { timeout: 60_000 });
      expect((await context.cookies(server.url)).filter((c) => c.name === 'pt_session')).toEqual([]);
      const status = await page.evaluate(async () => (await fetch('/api/sites')).status);
      expect(status).toBe(401);
    });
  });
}
