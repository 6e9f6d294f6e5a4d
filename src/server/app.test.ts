import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import type { FastifyInstance } from 'fastify';
import type { FeatureCollection, LineString, Point } from 'geojson';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PlumetraceError } from '../core/errors.ts';
import { openStore } from '../store/index.ts';
import type { Campaign, NewFlight, Store } from '../store/types.ts';
import { parseSignatureProfiles } from '../core/spectral/signature-profiles.ts';
import { EXAMPLE_PROFILES_PATH, readSignatureProfiles } from '../pipeline/signature-profiles.ts';
import { buildServer, type FlightProperties, type SiteProperties, startServer } from './app.ts';

/** Sites the tests seed, with where they stand. */
const SITES = {
  pad: { name: 'Well pad 17', lon: -102.2, lat: 31.85, gas: 'CH4', rate: 12.5, sigma: 2.25 },
  pond: { name: 'Produced-water pond', lon: -102.0, lat: 32.1, gas: 'NH3', rate: null, sigma: null },
  // Fiji, just west of the antimeridian.
  reef: { name: 'Reef outfall', lon: 179.6, lat: -16.8, gas: 'CH4', rate: 3.5, sigma: 0.75 },
} as const;
type SiteKey = keyof typeof SITES;

const TRACK_A: LineString = {
  type: 'LineString',
  coordinates: [
    [-102.25, 31.8],
    [-101.95, 31.8],
    [-101.95, 32.15],
    [-102.25, 32.15],
  ],
};
const TRACK_B: LineString = {
  type: 'LineString',
  coordinates: [
    [179.4, -16.9],
    [179.9, -16.7],
  ],
};

interface Seeded {
  alpha: Campaign;
  pacific: Campaign;
  siteIds: Record<SiteKey, string>;
  flightIds: { a: string; b: string; untracked: string };
}

let acquisitionCount = 0;

async function storeFlight(store: Store, flight: NewFlight): Promise<{ flightId: string; acquisitionId: string }> {
  acquisitionCount += 1;
  const [lon, lat] = flight.track?.coordinates[0] ?? [0, 0];
  const result = await store.storeInSituAcquisition({
    flight,
    acquisition: {
      kind: 'insitu-series',
      sourceUri: `test://server/${acquisitionCount}.csv`,
      contentSha256: createHash('sha256').update(`server test acquisition ${acquisitionCount}`).digest('hex'),
      gas: 'CH4',
      sampleCount: 1,
      startTime: flight.startTime,
      endTime: flight.endTime,
      footprint: null,
      metadata: {},
    },
    samples: [{ seq: 0, time: flight.startTime, lat, lon, altM: 30, ppm: 2.1, windU: 2, windV: 1, sigmaPpm: 0.02 }],
  });
  return { flightId: result.flightId, acquisitionId: result.acquisitionId };
}

async function recordSites(store: Store, acquisitionId: string, campaignId: string, keys: SiteKey[]) {
  const { sites } = await store.recordDetections(
    acquisitionId,
    keys.map((key) => {
      const s = SITES[key];
      return {
        detection: {
          gas: s.gas,
          geometry: { type: 'Point', coordinates: [s.lon, s.lat] },
          lat: s.lat,
          lon: s.lon,
          enhancement: 0.5,
          enhancementUnit: 'ppm',
          rateKgPerHour: s.rate,
          rateSigmaKgPerHour: s.sigma,
          method: 'insitu-grid-lsq',
          algorithmVersion: 'test',
          properties: {},
        },
        site: { new: { campaignId, name: s.name, lat: s.lat, lon: s.lon } },
      };
    }),
  );
  return Object.fromEntries(keys.map((key) => [key, sites.find((s) => s.name === SITES[key].name)!.id]));
}

async function seed(store: Store): Promise<Seeded> {
  const org = await store.createOrganization({ name: 'Test analysts', kind: 'analyst' });
  const alpha = await store.createCampaign({ organizationId: org.id, name: 'Alpha survey', description: '' });
  const pacific = await store.createCampaign({ organizationId: org.id, name: 'Pacific transect', description: '' });
  const base = { platform: 'drone', sensorKind: 'insitu' } as const;
  const a = await storeFlight(store, {
    ...base,
    campaignId: alpha.id,
    name: 'Alpha 1',
    startTime: '2025-05-01T10:00:00.000Z',
    endTime: '2025-05-01T10:30:00.000Z',
    track: TRACK_A,
  });
  const untracked = await storeFlight(store, {
    ...base,
    campaignId: alpha.id,
    name: 'Alpha 2 (no track)',
    startTime: '2025-05-02T10:00:00.000Z',
    endTime: '2025-05-02T10:30:00.000Z',
    track: null,
  });
  const b = await storeFlight(store, {
    ...base,
    platform: 'aircraft',
    campaignId: pacific.id,
    name: 'Pacific 1',
    startTime: '2025-05-03T22:00:00.000Z',
    endTime: '2025-05-03T23:00:00.000Z',
    track: TRACK_B,
  });
  const siteIds = {
    ...(await recordSites(store, a.acquisitionId, alpha.id, ['pad', 'pond'])),
    ...(await recordSites(store, b.acquisitionId, pacific.id, ['reef'])),
  } as Record<SiteKey, string>;
  return { alpha, pacific, siteIds, flightIds: { a: a.flightId, b: b.flightId, untracked: untracked.flightId } };
}

let store: Store;
let app: FastifyInstance;
let seeded: Seeded;
/** Every /api request of these tests authenticates with an API token (src/server/auth tests the rest). */
let auth: { authorization: string };

beforeAll(async () => {
  store = await openStore(':memory:');
  seeded = await seed(store);
  const org = await store.findOrganizationByName('Test analysts');
  const user = await store.createUser({
    organizationId: org!.id,
    email: 'analyst@test.example',
    displayName: 'Analyst',
    role: 'analyst',
  });
  auth = { authorization: `Bearer ${(await store.createApiToken(user.id)).token}` };
  app = await buildServer({ store });
});

afterAll(async () => {
  await app?.close();
  await store?.close();
});

async function getJson<T>(url: string): Promise<{ status: number; body: T; headers: Record<string, unknown> }> {
  const r = await app.inject({ method: 'GET', url, headers: auth });
  return { status: r.statusCode, body: r.json() as T, headers: r.headers };
}

type Sites = FeatureCollection<Point, SiteProperties>;
type ErrorBody = { code: string; message: string; detail: string };

/** Site keys of a sites response, sorted. */
function keysOf(fc: Sites): SiteKey[] {
  const byId = new Map(Object.entries(seeded.siteIds).map(([k, id]) => [id, k as SiteKey]));
  return fc.features.map((f) => byId.get(f.properties.id)!).sort();
}

describe('GET /api/health', () => {
  it('answers ok with the store dialect, to an authenticated client only', async () => {
    const r = await getJson<{ ok: boolean; dialect: string }>('/api/health');
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ ok: true, dialect: 'sqlite' });
    const anonymous = await app.inject({ url: '/api/health' });
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.json()).toMatchObject({ code: 'PT_ERR_UNAUTHENTICATED' });
  });
});

describe('GET /api/sites', () => {
  it('returns a FeatureCollection with one Point per seeded site where it stands', async () => {
    const r = await getJson<Sites>('/api/sites');
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toMatch(/^application\/json/);
    expect(r.body.type).toBe('FeatureCollection');
    expect(r.body.features).toHaveLength(3);
    for (const [key, s] of Object.entries(SITES) as [SiteKey, (typeof SITES)[SiteKey]][]) {
      const f = r.body.features.find((x) => x.properties.id === seeded.siteIds[key]);
      expect(f, key).toBeDefined();
      expect(f!.type).toBe('Feature');
      expect(f!.id).toBe(seeded.siteIds[key]);
      expect(f!.geometry.type).toBe('Point');
      // GeoJSON order is [lon, lat]: exactly the store's site position, which is the seeded one
      // (the store's weighted mean of one detection may differ from it in the last bit).
      const stored = (await store.getSite(seeded.siteIds[key]))!;
      expect(f!.geometry.coordinates).toEqual([stored.lon, stored.lat]);
      expect(f!.geometry.coordinates[0]).toBeCloseTo(s.lon, 9);
      expect(f!.geometry.coordinates[1]).toBeCloseTo(s.lat, 9);
      expect(f!.properties).toEqual({
        id: stored.id,
        name: s.name,
        status: 'candidate',
        gases: [s.gas],
        detectionCount: 1,
        rateKgPerHour: s.rate,
        rateSigmaKgPerHour: s.sigma,
        firstSeen: stored.firstSeen,
        lastSeen: stored.lastSeen,
      });
    }
  });

  it('filters by bbox', async () => {
    expect(keysOf((await getJson<Sites>('/api/sites?bbox=-102.3,31.8,-102.1,31.9')).body)).toEqual(['pad']);
    expect(keysOf((await getJson<Sites>('/api/sites?bbox=-103,31,-101,33')).body)).toEqual(['pad', 'pond']);
    expect(keysOf((await getJson<Sites>('/api/sites?bbox=-102.3,%2031.8,%20-102.1,31.9')).body)).toEqual(['pad']);
    expect(keysOf((await getJson<Sites>('/api/sites?bbox=0,0,10,10')).body)).toEqual([]);
    expect(keysOf((await getJson<Sites>('/api/sites?bbox=-180,-90,180,90')).body)).toEqual(['pad', 'pond', 'reef']);
  });

  it('reads a bbox with minLon > maxLon as crossing the antimeridian', async () => {
    expect(keysOf((await getJson<Sites>('/api/sites?bbox=179,-20,-179,-10')).body)).toEqual(['reef']);
    expect(keysOf((await getJson<Sites>('/api/sites?bbox=179.7,-20,-179,-10')).body)).toEqual([]);
  });

  it('filters by gas, status and campaign (id or name)', async () => {
    expect(keysOf((await getJson<Sites>('/api/sites?gas=NH3')).body)).toEqual(['pond']);
    expect(keysOf((await getJson<Sites>('/api/sites?gas=CH4')).body)).toEqual(['pad', 'reef']);
    expect(keysOf((await getJson<Sites>('/api/sites?status=candidate')).body)).toEqual(['pad', 'pond', 'reef']);
    expect(keysOf((await getJson<Sites>('/api/sites?status=confirmed')).body)).toEqual([]);
    expect(keysOf((await getJson<Sites>(`/api/sites?campaign=${seeded.alpha.id}`)).body)).toEqual(['pad', 'pond']);
    expect(keysOf((await getJson<Sites>('/api/sites?campaign=Pacific%20transect')).body)).toEqual(['reef']);
    expect(
      keysOf((await getJson<Sites>(`/api/sites?campaign=${seeded.alpha.id}&gas=NH3&bbox=-103,31,-101,33`)).body),
    ).toEqual(['pond']);
  });

  it('answers 404 PT_ERR_NOT_FOUND for a campaign that does not exist', async () => {
    const r = await getJson<ErrorBody>('/api/sites?campaign=No%20such%20campaign');
    expect(r.status).toBe(404);
    expect(r.body.code).toBe('PT_ERR_NOT_FOUND');
    expect(r.body.detail).toContain('No such campaign');
  });

  it.each([
    ['1,2,3', 'four comma-separated numbers'],
    ['1,2,3,4,5', 'four comma-separated numbers'],
    ['', 'four comma-separated numbers'],
    ['1,,3,4', 'four comma-separated numbers'],
    ['a,b,c,d', '"a" is not a decimal number'],
    ['NaN,0,1,1', '"NaN" is not a decimal number'],
    ['Infinity,0,1,1', 'not a decimal number'],
    ['0x10,0,1,1', 'not a decimal number'],
    ['0,0,200,1', 'maxLon 200 is outside [-180, 180]'],
    ['-181,0,1,1', 'minLon -181 is outside'],
    ['0,-91,1,1', 'minLat -91 is outside [-90, 90]'],
    ['0,10,1,5', 'minLat 10 is greater than maxLat 5'],
  ])('rejects bbox=%j with 400 PT_ERR_BAD_REQUEST (%s)', async (bbox, why) => {
    const r = await getJson<ErrorBody>(`/api/sites?bbox=${encodeURIComponent(bbox)}`);
    expect(r.status).toBe(400);
    expect(r.body).toEqual({
      code: 'PT_ERR_BAD_REQUEST',
      message: 'Bad request',
      detail: expect.stringContaining(why),
    });
    expect(r.body.detail).toContain('bbox');
  });

  it('rejects an unknown status and a repeated parameter with 400, naming the field', async () => {
    const status = await getJson<ErrorBody>('/api/sites?status=approved');
    expect(status.status).toBe(400);
    expect(status.body.code).toBe('PT_ERR_BAD_REQUEST');
    expect(status.body.detail).toContain('querystring/status');
    const twice = await getJson<ErrorBody>('/api/sites?gas=CH4&gas=NH3');
    expect(twice.status).toBe(400);
    expect(twice.body.detail).toContain('querystring/gas');
  });
});

describe('GET /api/sites/:id', () => {
  it('returns the site as a Feature with the detections that make it', async () => {
    const id = seeded.siteIds.pad;
    const list = await getJson<Sites>('/api/sites');
    const inList = list.body.features.find((f) => f.properties.id === id);
    const r = await getJson<
      Sites['features'][number] & {
        detections: { id: string; algorithmVersion: string; gas: string }[];
        coverage: { overflights: number; detectedFlights: number; persistence: number | null };
        priority: { score: number };
        reports: unknown[];
        referral: unknown;
        actions: string[];
        profiles: unknown[];
        profilesAreExamples: boolean;
      }
    >(`/api/sites/${id}`);
    expect(r.status).toBe(200);
    const { detections, coverage, priority, reports, referral, actions, profiles, profilesAreExamples, ...feature } =
      r.body;
    expect(reports).toEqual([]);
    expect(profiles).toEqual([]); // no signature profiles configured
    expect(profilesAreExamples).toBe(false);
    expect(priority.score).toBeGreaterThan(0);
    expect(feature).toEqual(inList);
    // Seeded without footprints: only the detecting flights count as overflights.
    expect(coverage.detectedFlights).toBe(coverage.overflights);
    expect(coverage.persistence).toBe(1);
    expect(referral).toBeNull();
    // The caller is an analyst of the site's agency and the site a candidate.
    expect(actions).toEqual(['r1-review']);
    expect(detections.length).toBe(inList?.properties.detectionCount);
    expect(detections.every((d) => d.algorithmVersion === 'test' && d.gas === inList?.properties.gases[0])).toBe(true);
  });

  it('scores the signature profiles the server was given on the site’s detections', async () => {
    const withProfiles = await buildServer({
      store,
      signatureProfiles: parseSignatureProfiles(
        JSON.stringify({
          profiles: [
            { name: 'Gas well (test)', sourceKind: 'well pad', gases: [{ gas: 'ch4', weight: 3 }, 'C2H6'] },
            { name: 'Solvents (test)', gases: ['acetone'] },
          ],
        }),
      ),
    });
    try {
      const r = await withProfiles.inject({ url: `/api/sites/${seeded.siteIds.pad}`, headers: auth });
      expect(r.statusCode).toBe(200);
      // A CH4 detection without a gases list counts as CH4 at confidence 1: 3·1 / (3 + 1).
      expect((r.json() as { profiles: unknown[] }).profiles).toEqual([
        { name: 'Gas well (test)', score: 0.75, sourceKind: 'well pad' },
      ]);
      // Not read from the example file: not flagged as examples.
      expect((r.json() as { profilesAreExamples: boolean }).profilesAreExamples).toBe(false);
    } finally {
      await withProfiles.close();
    }
  });

  it('says when the profiles are the shipped examples (read from the example file), unless told otherwise', async () => {
    const examples = await readSignatureProfiles(EXAMPLE_PROFILES_PATH);
    const flagOf = async (opts: { signatureProfilesAreExamples?: boolean }, profiles = examples) => {
      const app = await buildServer({ store, signatureProfiles: profiles, ...opts });
      try {
        const r = await app.inject({ url: `/api/sites/${seeded.siteIds.pad}`, headers: auth });
        expect(r.statusCode).toBe(200);
        return (r.json() as { profilesAreExamples: boolean }).profilesAreExamples;
      } finally {
        await app.close();
      }
    };
    expect(await flagOf({})).toBe(true);
    expect(await flagOf({ signatureProfilesAreExamples: false })).toBe(false);
    // The same profiles parsed from the same text, but not read from the example file.
    const copy = parseSignatureProfiles(readFileSync(EXAMPLE_PROFILES_PATH, 'utf8'));
    expect(await flagOf({}, copy)).toBe(false);
  });

  it('answers 404 PT_ERR_NOT_FOUND for an unknown site', async () => {
    const r = await getJson<ErrorBody>('/api/sites/no-such-site');
    expect(r.status).toBe(404);
    expect(r.body.code).toBe('PT_ERR_NOT_FOUND');
    expect(r.body.detail).toContain('no-such-site');
  });
});

describe('GET /api/flights', () => {
  it('returns the tracked flights as LineStrings and omits flights without a track', async () => {
    const r = await getJson<FeatureCollection<LineString, FlightProperties>>('/api/flights');
    expect(r.status).toBe(200);
    expect(r.body.type).toBe('FeatureCollection');
    const byId = new Map(r.body.features.map((f) => [f.properties.id, f]));
    expect([...byId.keys()].sort()).toEqual([seeded.flightIds.a, seeded.flightIds.b].sort());
    expect(byId.get(seeded.flightIds.a)!.geometry).toEqual(TRACK_A);
    expect(byId.get(seeded.flightIds.b)!.geometry).toEqual(TRACK_B);
    expect(byId.get(seeded.flightIds.b)!.properties).toEqual({
      id: seeded.flightIds.b,
      name: 'Pacific 1',
      platform: 'aircraft',
      sensorKind: 'insitu',
      startTime: '2025-05-03T22:00:00.000Z',
      endTime: '2025-05-03T23:00:00.000Z',
    });
  });

  it('filters by campaign', async () => {
    const r = await getJson<FeatureCollection>(`/api/flights?campaign=${encodeURIComponent('Alpha survey')}`);
    expect(r.body.features.map((f) => f.id)).toEqual([seeded.flightIds.a]);
  });
});

describe('GET /api/basemap', () => {
  it('serves country polygons with a long cache lifetime', async () => {
    const r = await app.inject({ url: '/api/basemap', headers: auth });
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toMatch(/json/);
    const maxAge = Number(/max-age=(\d+)/.exec(String(r.headers['cache-control']))?.[1]);
    expect(maxAge).toBeGreaterThanOrEqual(86_400);
    const fc = r.json() as FeatureCollection;
    expect(fc.type).toBe('FeatureCollection');
    expect(fc.features.length).toBeGreaterThan(100);
    for (const f of fc.features) expect(['Polygon', 'MultiPolygon']).toContain(f.geometry.type);
    const names = fc.features.map((f) => f.properties?.name);
    expect(names).toContain('United States of America');
    expect(names).toContain('Fiji');
  });

  it('serves the same bytes gzipped when asked, and 304 for a current ETag', async () => {
    const plain = await app.inject({ url: '/api/basemap', headers: auth });
    const gz = await app.inject({ url: '/api/basemap', headers: { ...auth, 'accept-encoding': 'gzip, deflate' } });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gz.rawPayload.length).toBeLessThan(plain.rawPayload.length / 2);
    expect(gunzipSync(gz.rawPayload).equals(plain.rawPayload)).toBe(true);
    const etag = String(plain.headers.etag);
    const again = await app.inject({ url: '/api/basemap', headers: { ...auth, 'if-none-match': etag } });
    expect(again.statusCode).toBe(304);
    expect(again.rawPayload.length).toBe(0);
  });
});

describe('the map page and its assets', () => {
  it('serves the page with a same-origin-only content security policy', async () => {
    const r = await app.inject({ url: '/' });
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toMatch(/^text\/html/);
    expect(r.body).toContain('id="map"');
    expect(r.body).toContain('src="/app.js"');
    expect(String(r.headers['content-security-policy'])).toContain("default-src 'self'");
    expect(String(r.headers['content-security-policy'])).toContain("connect-src 'self'");
  });

  it('serves the bundled browser code, importing maplibre-gl from the vendored path', async () => {
    const r = await app.inject({ url: '/app.js' });
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toMatch(/^text\/javascript/);
    expect(r.body).toContain('from "/vendor/maplibre-gl/maplibre-gl.mjs"');
    expect(r.body).toContain('plumetraceMap');
    expect(r.body).not.toMatch(/https?:\/\//);
    const map = await app.inject({ url: '/app.js.map' });
    expect(map.statusCode).toBe(200);
    expect((map.json() as { sources: string[] }).sources.some((s) => s.endsWith('main.ts'))).toBe(true);
  });

  it('serves maplibre-gl with its worker beside it, and nothing else from node_modules', async () => {
    for (const file of ['maplibre-gl.mjs', 'maplibre-gl-worker.mjs']) {
      const r = await app.inject({ url: `/vendor/maplibre-gl/${file}` });
      expect(r.statusCode, file).toBe(200);
      expect(r.headers['content-type'], file).toMatch(/javascript/);
    }
    const css = await app.inject({ url: '/vendor/maplibre-gl/maplibre-gl.css' });
    expect(css.statusCode).toBe(200);
    expect(css.headers['content-type']).toMatch(/^text\/css/);
    for (const url of ['/vendor/maplibre-gl/maplibre-gl.d.ts', '/vendor/maplibre-gl/../package.json', '/vendor/x.js']) {
      const r = await app.inject({ url });
      expect(r.statusCode, url).toBe(404);
    }
  });
});

describe('errors', () => {
  it.each([
    ['GET', '/api/nope'],
    ['GET', '/no/such/page'],
    ['POST', '/api/sites'],
    ['DELETE', '/api/health'],
  ] as const)('answers %s %s with 404 PT_ERR_NOT_FOUND', async (method, url) => {
    const r = await app.inject({ method, url, headers: auth });
    expect(r.statusCode).toBe(404);
    expect(r.json()).toEqual({
      code: 'PT_ERR_NOT_FOUND',
      message: 'Resource not found',
      detail: `No resource at ${method} ${url}`,
    });
  });

  it('answers a URL that does not decode with 400 PT_ERR_BAD_REQUEST', async () => {
    const r = await app.inject({ url: '/api/%E0%A4%A', headers: auth });
    expect(r.statusCode).toBe(400);
    expect(r.json()).toMatchObject({ code: 'PT_ERR_BAD_REQUEST', message: 'Bad request' });
  });

  it('maps a PlumetraceError to its registered status, and hides anything else behind a 500', async () => {
    const failing = (error: Error): Store =>
      Object.assign(Object.create(store) as Store, {
        dialect: store.dialect,
        listSites: async () => {
          throw error;
        },
      });
    const a = await buildServer({ store: failing(new PlumetraceError('PT_ERR_DB_OPEN', 'database is locked')) });
    const b = await buildServer({ store: failing(new Error('secret: /var/lib/plumetrace/db at line 42')) });
    try {
      const r1 = await a.inject({ url: '/api/sites', headers: auth });
      expect(r1.statusCode).toBe(503);
      expect(r1.json()).toEqual({
        code: 'PT_ERR_DB_OPEN',
        message: 'Cannot open the database',
        detail: 'database is locked',
      });
      const r2 = await b.inject({ url: '/api/sites', headers: auth });
      expect(r2.statusCode).toBe(500);
      expect(r2.json()).toMatchObject({ code: 'PT_ERR_INTERNAL', message: 'Internal error' });
      expect(r2.body).not.toContain('secret');
      expect(r2.body).not.toContain('stack');
    } finally {
      await a.close();
      await b.close();
    }
  });
});

describe('startServer', () => {
  it('listens, reports a localhost URL, and reports a taken port as PT_ERR_PORT_IN_USE', async () => {
    const server = await startServer({ store, host: '127.0.0.1', port: 0 });
    try {
      expect(server.url).toMatch(/^http:\/\/localhost:\d+$/);
      const port = Number(new URL(server.url).port);
      expect(port).toBeGreaterThan(0);
      const health = await fetch(`http://127.0.0.1:${port}/api/health`, { headers: auth });
      expect(await health.json()).toEqual({ ok: true, dialect: 'sqlite' });
      const taken = startServer({ store, host: '127.0.0.1', port });
      await expect(taken).rejects.toBeInstanceOf(PlumetraceError);
      await expect(taken).rejects.toMatchObject({ code: 'PT_ERR_PORT_IN_USE', httpStatus: 500 });
    } finally {
      await server.close();
    }
  });
});
