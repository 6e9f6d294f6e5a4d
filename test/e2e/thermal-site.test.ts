/**
 * The demo's thermal site J in a real headless Chromium: the analyst opens it from the site list and
 * the drawer shows the gases its thermal detection identified (name, CAS, confidence, column) and
 * the signature-profile scores the server computed, with the caveat that the shipped example
 * profiles are examples, not truth. A methane site shows neither. Expected texts come from the
 * stored detection and the server's own scoring, formatted by the page's formatters.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scoreSiteProfiles, type SignatureProfile } from '../../src/core/spectral/signature-profiles.ts';
import { buildDemo } from '../../src/pipeline/demo.ts';
import { DEMO_USERS } from '../../src/pipeline/demo-workflow.ts';
import { EXAMPLE_PROFILES_PATH, readSignatureProfiles } from '../../src/pipeline/signature-profiles.ts';
import { detectionGases, startServer } from '../../src/server/app.ts';
import { hashPassword } from '../../src/server/auth/password.ts';
import { openStore } from '../../src/store/index.ts';
import type { Detection, Site, Store } from '../../src/store/types.ts';
import { formatConfidence, formatNumber } from '../../web/src/format.ts';
import { ARTIFACTS, browserMissing, browserMissingTest, CHROMIUM, CHROMIUM_ARGS, VIEWPORT } from './browser.ts';

const PASSWORD = 'e2e password, long enough';
const ANALYST = DEMO_USERS.find((u) => u.role === 'analyst' && u.org === 'agency')!;

if (browserMissing) {
  browserMissingTest('thermal site in the map app');
} else {
  describe('thermal site in the map app', () => {
    let tmp: string;
    let store: Store;
    let server: { url: string; close(): Promise<void> };
    let browser: Browser;
    let page: Page;
    let profiles: SignatureProfile[];
    let siteJ: Site;
    let methaneSite: Site;
    let thermal: Detection;
    const consoleErrors: string[] = [];
    const badResponses: string[] = [];

    const openSite = async (id: string) => {
      await page.click(`#site-list [data-site-id="${id}"]`);
      await page.waitForSelector(`#detail[data-state="ready"] .detail-body[data-site-id="${id}"]`, {
        timeout: 30_000,
      });
    };

    beforeAll(async () => {
      tmp = mkdtempSync(join(tmpdir(), 'plumetrace-e2e-thermal-'));
      store = await openStore(join(tmp, 'e2e.sqlite'));
      // As `npm start` without a profile file of one's own: the demo and the server use the example.
      profiles = await readSignatureProfiles(EXAMPLE_PROFILES_PATH);
      await buildDemo(store, { dir: join(tmp, 'demo'), profiles, people: { password: PASSWORD, hashPassword } });
      const sites = await store.listSites();
      siteJ = sites.find((s) => s.gases.includes('Tetrachloroethene'))!;
      methaneSite = sites.find((s) => s.gases.includes('CH4') && s.rateKgPerHour !== null)!;
      [thermal] = await store.listDetections({ siteId: siteJ.id });
      server = await startServer({ store, host: '127.0.0.1', port: 0, signatureProfiles: profiles });
      const origin = new URL(server.url).origin;
      browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
      page = await (await browser.newContext({ viewport: VIEWPORT })).newPage();
      page.on('console', (msg) => {
        if (msg.type() === 'error') consoleErrors.push(msg.text());
      });
      page.on('pageerror', (error) => consoleErrors.push(`page error: ${error.message}`));
      page.on('response', (response) => {
        if (response.status() >= 400)
          badResponses.push(
            `${response.request().method()} ${response.status()} ${response.url().slice(origin.length)}`,
          );
      });
      await page.goto(server.url);
      await page.waitForSelector('body[data-auth="signed-out"] #login-form', { timeout: 120_000 });
      await page.fill('#login-email', ANALYST.email);
      await page.fill('#login-password', PASSWORD);
      await page.click('#login-submit');
      await page.waitForSelector('body[data-ready="true"]', { timeout: 120_000 });
    });

    afterAll(async () => {
      await browser?.close();
      await server?.close();
      await store?.close();
      if (tmp) rmSync(tmp, { recursive: true, force: true });
    });

    it('shows the thermal site’s gases: name, CAS, confidence and column', async () => {
      expect(siteJ).toBeDefined();
      await openSite(siteJ.id);
      const gases = thermal.properties.gases as { name: string; cas: string; confidence: number; columnPpmM: number }[];
      expect(gases[0]!.name).toBe('Tetrachloroethene');
      const rows = await page.$$eval('#detail [data-section="gases"] tbody tr', (els) =>
        els.map((el) => ({ gas: el.getAttribute('data-gas'), cells: [...el.children].map((c) => c.textContent) })),
      );
      // One detection: its gases, best first, as the detector listed them.
      expect(rows.map((r) => r.gas)).toEqual(gases.map((g) => g.name));
      for (const [i, g] of gases.entries()) {
        expect(rows[i]!.cells).toEqual([
          `${g.name}${g.cas ? ` (CAS ${g.cas})` : ''}`,
          formatConfidence(g.confidence),
          `${formatNumber(g.columnPpmM)} ppm·m`,
        ]);
      }
      expect(rows[0]!.cells[0]).toContain('127-18-4');
    });

    it('shows the site’s signature-profile scores, with the example-profile caveat', async () => {
      // The server's own scoring of the site's stored detections.
      const scored = scoreSiteProfiles(
        profiles,
        (await store.listDetections({ siteId: siteJ.id })).map(detectionGases),
      );
      expect(scored.length).toBeGreaterThan(0);
      expect(scored[0]!.name).toBe('Chlorinated degreasing solvents (example)');
      const rows = await page.$$eval('#detail [data-section="profiles"] tbody tr', (els) =>
        els.map((el) => ({ name: el.getAttribute('data-profile'), cells: [...el.children].map((c) => c.textContent) })),
      );
      expect(rows.map((r) => r.name)).toEqual(scored.map((s) => s.name));
      for (const [i, s] of scored.entries()) {
        const kind = profiles.find((p) => p.name === s.name)?.sourceKind ?? '–';
        expect(rows[i]!.cells).toEqual([s.name, s.score.toFixed(2), kind]);
      }
      const caveat = page.locator('#detail [data-section="profiles"] [data-caveat="example-profiles"]');
      expect(await caveat.isVisible()).toBe(true);
      expect(await caveat.textContent()).toContain('examples, not truth');
      mkdirSync(ARTIFACTS, { recursive: true });
      await page.locator('#detail [data-section="gases"]').scrollIntoViewIfNeeded();
      await page.screenshot({ path: join(ARTIFACTS, 'thermal-site.png') });
    });

    it('shows neither for a methane site', async () => {
      await openSite(methaneSite.id);
      expect(await page.$$('#detail [data-section="detections"]')).toHaveLength(1);
      expect(await page.$$('#detail [data-section="gases"]')).toHaveLength(0);
      expect(await page.$$('#detail [data-section="profiles"]')).toHaveLength(0);
    });

    it('did it without errors', () => {
      // Only the 401 of GET /api/session before signing in.
      expect(badResponses).toEqual(['GET 401 /api/session']);
      expect(consoleErrors.every((e) => e.includes('401'))).toBe(true);
    });
  });
}
