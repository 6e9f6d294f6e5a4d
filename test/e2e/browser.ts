import { it } from 'vitest';
/** What the browser tests share: Debian's Chromium, how it is launched, where screenshots go. */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Debian's Chromium; PLUMETRACE_CHROMIUM points elsewhere. */
export const CHROMIUM = process.env.PLUMETRACE_CHROMIUM || '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--enable-unsafe-swiftshader',
];
export const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/e2e/', import.meta.url));
export const VIEWPORT = { width: 1440, height: 900 };
/** Per channel, out of 255: the circle's fill is flat, so its centre pixel is the status color. */
export const COLOR_TOLERANCE = 12;

export const browserMissing = !existsSync(CHROMIUM);
export const requireBrowser = process.env.PLUMETRACE_REQUIRE_BROWSER === '1';
export const missingReason =
  `${CHROMIUM} not found, so the browser tests cannot run. Install it with "apt-get install -y chromium"` +
  (requireBrowser ? ' (PLUMETRACE_REQUIRE_BROWSER=1 makes this a failure).' : ' (skipped).');

/** #rrggbb → [r, g, b]. */
export function hexToRgb(hex: string): [number, number, number] {
  const n = Number.parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

/** The placeholder test of a browser suite on a machine without Chromium: fails when a browser is required, else skips. */
export function browserMissingTest(suite: string): void {
  it(`${suite}: needs Debian Chromium`, (ctx) => {
    if (requireBrowser) throw new Error(missingReason);
    console.warn(`e2e: ${missingReason}`);
    ctx.skip(missingReason);
  });
}
