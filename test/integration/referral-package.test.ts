/**
 * The referral package of the real demo through the API: every format opens in its consumers'
 * parser and carries the site, its detections, the exposure areas and the plume image; only the
 * parties of the referral may fetch it; each export is audited.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { kml as kmlToGeoJson } from '@tmcw/togeojson';
import { DOMParser } from '@xmldom/xmldom';
import { parse as parseCsv } from 'csv-parse/sync';
import { XMLParser } from 'fast-xml-parser';
import type { FastifyInstance } from 'fastify';
import { unzipSync, strFromU8 } from 'fflate';
import type { FeatureCollection } from 'geojson';
import * as pdfjs from 'pdfjs-dist/legacy/build/pdf.mjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LWIR_DETECT_ALGORITHM_VERSION } from '../../src/core/spectral/lwir-detect.ts';
import { openEnvi } from '../../src/io/envi/reader.ts';
import { buildDemo } from '../../src/pipeline/demo.ts';
import { DEMO_USERS } from '../../src/pipeline/demo-workflow.ts';
import { assembleReferralPackage } from '../../src/pipeline/referral-package.ts';
import { buildServer } from '../../src/server/app.ts';
import { hashPassword } from '../../src/server/auth/password.ts';
import { openStore } from '../../src/store/index.ts';
import type { Site, Store } from '../../src/store/types.ts';

const tmp = mkdtempSync(join(tmpdir(), 'plumetrace-package-'));
let store: Store;
let app: FastifyInstance;
const auth: Record<string, { authorization: string }> = {};

async function pdfText(bytes: Uint8Array): Promise<string> {
  const doc = await pdfjs.getDocument({
    data: bytes.slice(),
    useWorkerFetch: false,
    isEvalSupported: false,
    verbosity: 0,
  }).promise;
  const parts: string[] = [];
  for (let p = 1; p <= doc.numPages; p++)
    for (const item of (await (await doc.getPage(p)).getTextContent()).items) if ('str' in item) parts.push(item.str);
  await doc.destroy();
  return parts.join('\n');
}

beforeAll(async () => {
  store = await openStore(join(tmp, 'demo.sqlite'));
  await buildDemo(store, { dir: join(tmp, 'demo'), people: { password: 'package test password', hashPassword } });
  for (const u of DEMO_USERS) {
    const user = (await store.findUserByEmail(u.email))!;
    auth[`${u.role}@${u.org}`] = { authorization: `Bearer ${(await store.createApiToken(user.id)).token}` };
  }
  const elsewhere = await store.createOrganization({ name: 'Elsewhere authority', kind: 'partner' });
  const outsider = await store.createUser({
    organizationId: elsewhere.id,
    email: 'x@elsewhere.example',
    displayName: 'X',
    role: 'partner',
  });
  auth.outsider = { authorization: `Bearer ${(await store.createApiToken(outsider.id)).token}` };
  app = await buildServer({ store, auth: { rateLimit: { max: 100_000 } } });
}, 180_000);

afterAll(async () => {
  await app?.close();
  await store?.close();
  rmSync(tmp, { recursive: true, force: true });
});

const get = (url: string, who: string) => app.inject({ url, headers: auth[who] });

interface StacItemView {
  id: string;
  properties: Record<string, unknown>;
  assets: Record<string, { href: string; roles: string[]; description?: string }>;
  links: { rel: string; href: string }[];
}

async function referralOf(site: Site): Promise<string> {
  const [r] = await store.listReferrals({ siteId: site.id });
  return r!.id;
}

describe('referral package', () => {
  it('exports the aircraft site, once referred, in every format, readable by each consumer', async () => {
    // Site C (seen only from the air, with a rate) is confirmed in the demo: the analyst refers it.
    // (The thermal site J is confirmed too; it has no rate.)
    const siteC = (await store.listSites({ status: 'confirmed' })).find((s) => s.rateKgPerHour !== null)!;
    const referred = await app.inject({
      method: 'POST',
      url: `/api/sites/${siteC.id}/referral`,
      headers: auth['analyst@agency'],
      payload: {},
    });
    expect(referred.statusCode).toBe(201);
    const id = JSON.parse(referred.body).referralId as string;
    const base = `/api/referrals/${id}/package`;

    const geo = await get(`${base}/geojson`, 'partner@partner');
    expect(geo.statusCode).toBe(200);
    expect(geo.headers['content-type']).toContain('application/geo+json');
    const fc = JSON.parse(geo.body) as FeatureCollection;
    const kinds = fc.features.map((f) => f.properties?.kind);
    expect(kinds).toContain('site');
    expect(kinds).toContain('detection');
    expect(kinds).toContain('plume-outline');
    const siteFeature = fc.features.find((f) => f.properties?.kind === 'site')!;
    expect(siteFeature.geometry).toMatchObject({ type: 'Point' });
    const [lon, lat] = (siteFeature.geometry as { coordinates: number[] }).coordinates;
    expect(Math.abs(lon! - siteC.lon)).toBeLessThan(1e-7);
    expect(Math.abs(lat! - siteC.lat)).toBeLessThan(1e-7);

    const kml = await get(`${base}/kml`, 'analyst@agency');
    const back = kmlToGeoJson(new DOMParser().parseFromString(kml.body, 'text/xml') as unknown as Document);
    expect(back.features.length).toBe(fc.features.length);
    const kmlSite = back.features.find((f) => f.properties?.kind === 'site')!;
    expect((kmlSite.geometry as { coordinates: number[] }).coordinates[0]).toBeCloseTo(siteC.lon, 7);

    const kmz = await get(`${base}/kmz`, 'analyst@agency');
    const files = unzipSync(new Uint8Array(kmz.rawPayload));
    expect(Object.keys(files)[0]).toBe('doc.kml');
    expect(strFromU8(files['doc.kml']!)).toContain(siteC.id);

    const cot = await get(`${base}/cot`, 'partner@partner');
    const event = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(cot.body).event;
    expect(event.type).toBe('b-d-c-b-c');
    expect(event.uid).toBe(`plumetrace-site-${siteC.id}`);
    expect(Number(event.point.lat)).toBeCloseTo(siteC.lat, 6);
    expect(Number(event.point.lon)).toBeCloseTo(siteC.lon, 6);
    expect(event.detail.chemical).toBeDefined();

    const csv = await get(`${base}/csv`, 'analyst@agency');
    const rows = parseCsv(csv.body, { columns: true }) as Record<string, string>[];
    const detections = await store.listDetections({ siteId: siteC.id });
    expect(rows.length).toBe(detections.length);
    expect(Number(rows[0]!.rate_kg_per_h)).toBeCloseTo(detections[0]!.rateKgPerHour!, 6);

    const pdf = await get(`${base}/pdf`, 'partner@partner');
    expect(pdf.headers['content-type']).toBe('application/pdf');
    expect(pdf.headers['content-disposition']).toBe(`attachment; filename="referral-${id.slice(0, 8)}.pdf"`);
    const text = await pdfText(new Uint8Array(pdf.rawPayload));
    expect(text).toContain(siteC.name);
    expect(text).toContain('Test Valley Environmental Authority');
    // The plume image comes from the scene's CH4 product.
    expect(text).toContain('CH4 column enhancement around the plume origin');

    // Only the parties of the referral: not another authority, not unauthenticated callers.
    expect((await get(`${base}/pdf`, 'outsider')).statusCode).toBe(404);
    expect((await app.inject({ url: `${base}/pdf` })).statusCode).toBe(401);
    expect((await get(`${base}/docx`, 'analyst@agency')).statusCode).toBe(400);

    const exported = (await store.listAudit()).filter((e) => e.action === 'referral.exported' && e.entityId === id);
    expect(exported.map((e) => e.payload.format)).toEqual(['geojson', 'kml', 'kmz', 'cot', 'csv', 'pdf']);
  });

  it('carries the exposure areas and the emission history of a drone-surveyed site', async () => {
    const siteA = (await store.listSites({ status: 'verified' }))[0]!;
    const id = await referralOf(siteA);
    const fc = JSON.parse(
      (await get(`/api/referrals/${id}/package/geojson`, 'partner@partner')).body,
    ) as FeatureCollection;
    const contours = fc.features.filter((f) => f.properties?.kind === 'exposure-contour');
    expect(contours.length).toBeGreaterThan(0);
    expect(new Set(contours.map((f) => f.properties?.thresholdPpm ?? f.properties?.ppm)).size).toBeGreaterThan(0);
    const text = await pdfText(
      new Uint8Array((await get(`/api/referrals/${id}/package/pdf`, 'analyst@agency')).rawPayload),
    );
    // Two surveys of site A: two points of history; the exposure table states the distances.
    expect((await store.listDetections({ siteId: siteA.id })).length).toBe(2);
    expect(text).toMatch(/1 ppm up to \d+ m downwind/);
    expect(text).toContain('remediated');
  });

  it('lists the aircraft scene and its products as STAC Items, for the agency only', async () => {
    const collection = JSON.parse((await get('/api/stac', 'analyst@agency')).body);
    expect(collection).toMatchObject({ type: 'Collection', stac_version: '1.0.0', id: 'plumetrace-imaging' });
    const items = JSON.parse((await get('/api/stac/items', 'analyst@agency')).body).features as {
      id: string;
      properties: Record<string, unknown>;
      assets: Record<string, { href: string }>;
      bbox: number[];
      links: { rel: string; href: string }[];
    }[];
    // The SWIR scene with its CH4 map and plumes; the thermal scene (site J) with one column map per
    // reported gas and its plumes (the next test).
    const thermalMaps = items.filter((i) => i.properties['plumetrace:kind'] === 'gas-column-map').length;
    expect(thermalMaps).toBeGreaterThan(0);
    expect(items.map((i) => i.properties['plumetrace:kind']).sort()).toEqual(
      ['ch4-map', ...Array(thermalMaps).fill('gas-column-map'), 'plumes', 'plumes', 'scene', 'scene'].sort(),
    );
    const swirMap = items.find((i) => i.properties['plumetrace:kind'] === 'ch4-map')!;
    const scene = items.find(
      (i) =>
        i.properties['plumetrace:kind'] === 'scene' &&
        swirMap.links.some((l) => l.rel === 'derived_from' && l.href.endsWith(i.id)),
    )!;
    const acq = await store.getAcquisition(scene.id);
    expect(acq?.kind).toBe('imaging-scene');
    expect(scene.properties.datetime).toBe(new Date(acq!.startTime).toISOString());
    const siteC = (await store.listSites()).find((s) => s.rateKgPerHour !== null && s.rateKgPerHour > 1000)!;
    const [w, s0, e, n] = scene.bbox;
    expect(siteC.lon).toBeGreaterThan(w!);
    expect(siteC.lon).toBeLessThan(e!);
    expect(siteC.lat).toBeGreaterThan(s0!);
    expect(siteC.lat).toBeLessThan(n!);
    const map = items.find((i) => i.properties['plumetrace:kind'] === 'ch4-map')!;
    expect(map.links.some((l) => l.rel === 'derived_from' && l.href.endsWith(scene.id))).toBe(true);
    expect(map.assets.ch4_ppm_m?.href).toMatch(/^file:.*_ch4_ppmm\.img$/);
    const one = await get(`/api/stac/items/${map.id}`, 'analyst@agency');
    expect(JSON.parse(one.body).id).toBe(map.id);
    expect((await get('/api/stac/items/nope', 'analyst@agency')).statusCode).toBe(404);
    expect((await get('/api/stac', 'partner@partner')).statusCode).toBe(403);
  });

  it('lists the thermal scene with one column-map Item per reported gas (ppm·m, gas and CAS) and its plumes', async () => {
    const items = JSON.parse((await get('/api/stac/items', 'analyst@agency')).body).features as StacItemView[];
    const thermalFlight = (await store.listFlights()).find((f) => f.sensorKind === 'lwir-imaging')!;
    const [acq] = await store.listAcquisitions(thermalFlight.id);
    const [d] = await store.listDetections({ acquisitionId: acq!.id });
    const gases = d!.properties.gases as { name: string; cas: string }[];
    expect(d!.gas).toBe('Tetrachloroethene');
    // The method is the detector's name, and the version it carries starts with it.
    expect(d!.algorithmVersion.startsWith(`${d!.method}/`)).toBe(true);
    expect(d!.method).toBe(LWIR_DETECT_ALGORITHM_VERSION.split('/')[0]);

    const derived = items.filter((i) =>
      i.links.some((l) => l.rel === 'derived_from' && l.href.endsWith(`/${acq!.id}`)),
    );
    const maps = derived.filter((i) => i.properties['plumetrace:kind'] === 'gas-column-map');
    // One per gas the plume reports (the demo's scene has one plume).
    expect(maps.map((m) => m.properties['plumetrace:gas']).sort()).toEqual(gases.map((g) => g.name).sort());
    for (const g of gases) {
      const m = maps.find((i) => i.properties['plumetrace:gas'] === g.name)!;
      expect(m.properties['plumetrace:cas']).toBe(g.cas);
      expect(m.properties['plumetrace:unit']).toBe('ppm·m');
      expect(m.properties['processing:software']).toEqual({ [d!.method]: d!.algorithmVersion });
      const data = Object.values(m.assets).find((a) => a.roles.includes('data'))!;
      expect(data.description).toContain('unit: ppm·m');
      expect(data.href).toMatch(/^file:.*_ppmm\.img$/);
      expect(existsSync(fileURLToPath(data.href))).toBe(true);
    }
    // The best gas's map holds, at the plume origin, the detection's largest |column| (float32).
    const best = maps.find((i) => i.properties['plumetrace:gas'] === d!.gas)!;
    const header = Object.values(best.assets).find((a) => a.roles.includes('metadata'))!;
    const reader = await openEnvi(fileURLToPath(header.href));
    const at = await reader.readWindow({
      line0: d!.properties.originLine as number,
      lines: 1,
      sample0: d!.properties.originSample as number,
      samples: 1,
      bands: [0],
    });
    await reader.close();
    expect(Math.abs(at[0]!) / d!.enhancement!).toBeCloseTo(1, 5);

    const plumes = derived.find((i) => i.properties['plumetrace:kind'] === 'plumes')!;
    expect(plumes.id).toBe(`${acq!.id}-plumes`);
    expect(plumes.properties['plumetrace:gases']).toEqual(maps.map((m) => m.properties['plumetrace:gas']));
    const fc = JSON.parse(readFileSync(fileURLToPath(plumes.assets.plumes!.href), 'utf8')) as FeatureCollection;
    expect(fc.features.map((f) => f.properties?.gas)).toEqual([d!.gas]);
    expect(fc.features[0]!.properties?.gases).toEqual(gases);
  });

  it('gives the thermal site J, once referred, its plume image from its best gas’s column map', async () => {
    const siteJ = (await store.listSites({ status: 'confirmed' })).find((s) => s.gases.includes('Tetrachloroethene'))!;
    const referred = await app.inject({
      method: 'POST',
      url: `/api/sites/${siteJ.id}/referral`,
      headers: auth['analyst@agency'],
      payload: {},
    });
    expect(referred.statusCode).toBe(201);
    const id = JSON.parse(referred.body).referralId as string;
    const [d] = await store.listDetections({ siteId: siteJ.id });
    const cas = (d!.properties.gases as { name: string; cas: string }[])[0]!.cas;
    expect(cas).toBe('127-18-4');

    const input = await assembleReferralPackage(store, (await store.getReferral(id))!, {
      generatedBy: { displayName: 'test', organizationName: 'test' },
    });
    expect(input.plumeImages).toHaveLength(1);
    const [image] = input.plumeImages;
    expect(image!.detectionId).toBe(d!.id);
    expect(image!.unit).toBe('ppm·m');
    expect(image!.title).toContain(`Tetrachloroethene (CAS ${cas}) column`);
    // The window's pixel at the plume origin is the detection's largest |column|.
    const line0 = Number(/lines (\d+)/.exec(image!.title)![1]);
    const sample0 = Number(/samples (\d+)/.exec(image!.title)![1]);
    const origin =
      image!.values[
        ((d!.properties.originLine as number) - line0) * image!.width + (d!.properties.originSample as number) - sample0
      ]!;
    expect(Math.abs(origin) / d!.enhancement!).toBeCloseTo(1, 5);

    const text = await pdfText(
      new Uint8Array((await get(`/api/referrals/${id}/package/pdf`, 'partner@partner')).rawPayload),
    );
    expect(text).toContain(siteJ.name);
    expect(text).toContain('Tetrachloroethene (CAS 127-18-4) column (thermal matched filter) around the plume origin');
    expect(text).not.toContain('No plume images.');
  });

  it('serves the OpenAPI document of every route at /api/docs/json, to signed-in callers', async () => {
    expect((await app.inject({ url: '/api/docs/json' })).statusCode).toBe(401);
    const doc = JSON.parse((await get('/api/docs/json', 'viewer@agency')).body);
    expect(doc.openapi).toMatch(/^3\./);
    for (const path of [
      '/api/sites',
      '/api/sites/{id}',
      '/api/sites/{id}/reviews',
      '/api/referrals',
      '/api/referrals/{id}',
      '/api/referrals/{id}/package/{format}',
      '/api/audit',
      '/api/stac',
      '/api/reports',
    ])
      expect(Object.keys(doc.paths), path).toContain(path);
    expect((await get('/api/docs', 'viewer@agency')).statusCode).toBeLessThan(400);
  });
});
