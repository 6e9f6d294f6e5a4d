import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PlumetraceError } from '../core/errors.ts';
import { verifyAuditChain } from './audit.ts';
import { openStore } from './index.ts';
import { SqliteStore } from './sqlite-store.ts';
import type { DetectionWithSite, InSituAcquisitionInput, InSituSample, NewDetection, Store } from './types.ts';

const tmp = mkdtempSync(join(tmpdir(), 'plumetrace-store-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
let fileNo = 0;

function sqliteOf(store: Store): SqliteStore {
  if (!(store instanceof SqliteStore)) throw new Error('not a SqliteStore');
  return store;
}

async function count(
  store: Store,
  table: 'flight' | 'acquisition' | 'insitu_sample' | 'detection' | 'site' | 'audit_event',
) {
  const r = await sqliteOf(store)
    .db.selectFrom(table)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

function samples(n: number, t0 = Date.parse('2024-05-01T10:00:00Z')): InSituSample[] {
  return Array.from({ length: n }, (_, i) => ({
    seq: i,
    time: new Date(t0 + i * 100).toISOString(),
    lat: 51.1 + i * 1e-6,
    lon: -1.43 - i * 1e-6,
    altM: 20 + (i % 7),
    ppm: 1.9 + (i % 13) * 0.01,
    windU: i % 2 ? 2.5 : null,
    windV: i % 2 ? -0.5 : null,
    sigmaPpm: i % 3 ? 0.01 : null,
  }));
}

function acquisitionInput(
  campaignId: string,
  sha: string,
  n: number,
  start = '2024-05-01T10:00:00.000Z',
  end = '2024-05-01T10:30:00.000Z',
): InSituAcquisitionInput {
  return {
    flight: {
      campaignId,
      name: `flight ${sha.slice(0, 4)}`,
      platform: 'drone',
      sensorKind: 'insitu',
      startTime: start,
      endTime: end,
      track: {
        type: 'LineString',
        coordinates: [
          [-1.44, 51.1],
          [-1.42, 51.12],
        ],
      },
    },
    acquisition: {
      kind: 'insitu-series',
      sourceUri: `/data/${sha}.csv`,
      contentSha256: sha,
      gas: 'CH4',
      sampleCount: n,
      startTime: start,
      endTime: end,
      footprint: {
        type: 'Polygon',
        coordinates: [
          [
            [-1.45, 51.09],
            [-1.41, 51.09],
            [-1.41, 51.13],
            [-1.45, 51.09],
          ],
        ],
      },
      metadata: { instrument: 'LGR', columns: ['time', 'ppm'], nested: { b: 1, a: [1, 2] } },
    },
    samples: samples(n),
  };
}

const sha = (c: string) => c.repeat(64);

function detection(lat: number, lon: number, rate: number | null, sigma: number | null, gas = 'CH4'): NewDetection {
  return {
    gas,
    geometry: { type: 'Point', coordinates: [lon, lat] },
    lat,
    lon,
    enhancement: 3.2,
    enhancementUnit: 'ppm',
    rateKgPerHour: rate,
    rateSigmaKgPerHour: sigma,
    method: 'insitu-grid-lsq',
    algorithmVersion: 'insitu-grid-lsq@1.0.0',
    properties: { residualRmsPpm: 0.02 },
  };
}

async function seedCampaign(store: Store) {
  const org = await store.createOrganization({ name: `Org ${++fileNo}`, kind: 'analyst' });
  return store.createCampaign({ organizationId: org.id, name: 'Survey', description: 'test campaign' });
}

const backends: [string, () => string][] = [
  ['file', () => join(tmp, `db${++fileNo}`, 'store.sqlite')],
  [':memory:', () => ':memory:'],
];

describe.each(backends)('SQLite store (%s)', (_name, location) => {
  let store: Store;
  beforeEach(async () => {
    store = await openStore(location());
  });
  afterEach(async () => {
    await store.close();
  });

  it('is the sqlite dialect and migrating again changes nothing', async () => {
    expect(store.dialect).toBe('sqlite');
    await store.migrate();
    await store.migrate();
    const applied = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(
      sqliteOf(store).db,
    );
    expect(applied.rows.map((r) => r.name)).toEqual([
      '001_initial',
      '002_audit_append_only',
      '003_api_token',
      '004_session',
    ]);
  });

  it('round-trips organizations, jurisdictions, users and campaigns', async () => {
    const geometry = {
      type: 'Polygon' as const,
      coordinates: [
        [
          [-2, 50],
          [0, 50],
          [0, 52],
          [-2, 52],
          [-2, 50],
        ],
      ],
    };
    const org = await store.createOrganization({ name: 'Hampshire Police', kind: 'partner' }, [
      { name: 'Hampshire', geometry },
    ]);
    expect(await store.findOrganizationByName('Hampshire Police')).toEqual(org);
    expect(await store.findOrganizationByName('nobody')).toBeNull();
    const js = await store.listJurisdictions(org.id);
    expect(js).toEqual([{ id: js[0].id, organizationId: org.id, name: 'Hampshire', geometry }]);
    expect(await store.listJurisdictions('other')).toEqual([]);
    const bbox = await sqliteOf(store)
      .db.selectFrom('jurisdiction')
      .select(['min_lon', 'min_lat', 'max_lon', 'max_lat'])
      .executeTakeFirstOrThrow();
    expect(bbox).toEqual({ min_lon: -2, min_lat: 50, max_lon: 0, max_lat: 52 });

    const user = await store.createUser({
      organizationId: org.id,
      email: ' Ana@Example.org ',
      displayName: 'Ana',
      role: 'partner',
      passwordHash: 'scrypt$x',
    });
    expect(user.email).toBe('ana@example.org');
    expect(await store.findUserByEmail('ANA@example.org')).toEqual(user);
    await expect(
      store.createUser({ organizationId: org.id, email: 'ana@example.org', displayName: 'Twin', role: 'viewer' }),
    ).rejects.toMatchObject({ code: 'PT_ERR_DB_WRITE' });

    const c = await store.createCampaign({ organizationId: org.id, name: 'Spring', description: 'd' });
    expect(await store.findCampaignByName('Spring')).toEqual(c);
    expect(await store.listCampaigns()).toEqual([c]);
  });

  it('rolls back an organization whose jurisdiction cannot be written', async () => {
    const bad = { name: 'broken', geometry: undefined as unknown as { type: 'Polygon'; coordinates: [] } };
    await expect(store.createOrganization({ name: 'Half', kind: 'partner' }, [bad])).rejects.toMatchObject({
      code: 'PT_ERR_DB_WRITE',
    });
    expect(await store.findOrganizationByName('Half')).toBeNull();
  });

  it('stores an in-situ acquisition with its flight and samples, and reads them back', async () => {
    const campaign = await seedCampaign(store);
    const input = acquisitionInput(campaign.id, sha('a'), 25);
    const r = await store.storeInSituAcquisition(input);
    expect(r.stored).toBe(true);

    const flight = await store.getFlight(r.flightId);
    expect(flight).toEqual({ ...input.flight, id: r.flightId, createdAt: flight?.createdAt });
    expect(await store.listFlights(campaign.id)).toEqual([flight]);
    expect(await store.listFlights('none')).toEqual([]);

    const acq = await store.getAcquisition(r.acquisitionId);
    expect(acq).toEqual({ ...input.acquisition, id: r.acquisitionId, flightId: r.flightId, createdAt: acq?.createdAt });
    expect(await store.findAcquisitionBySha256(sha('a'))).toEqual(acq);
    expect(await store.listAcquisitions(r.flightId)).toEqual([acq]);
    expect(await store.getInSituSamples(r.acquisitionId)).toEqual(input.samples.map(withSampleDefaults));

    // A second acquisition on the existing flight.
    const again = acquisitionInput(campaign.id, sha('b'), 3);
    const r2 = await store.storeInSituAcquisition({ ...again, flight: { id: r.flightId } });
    expect(r2).toMatchObject({ stored: true, flightId: r.flightId });
    expect(await count(store, 'flight')).toBe(1);
    expect(await store.listAcquisitions(r.flightId)).toHaveLength(2);
  });

  it('stores nothing new for content it already has', async () => {
    const campaign = await seedCampaign(store);
    const first = await store.storeInSituAcquisition(acquisitionInput(campaign.id, sha('c'), 10));
    const before = [
      await count(store, 'flight'),
      await count(store, 'acquisition'),
      await count(store, 'insitu_sample'),
    ];
    const dup = await store.storeInSituAcquisition(acquisitionInput(campaign.id, sha('c'), 4));
    expect(dup).toEqual({
      stored: false,
      reason: 'duplicate',
      flightId: first.flightId,
      acquisitionId: first.acquisitionId,
    });
    expect([
      await count(store, 'flight'),
      await count(store, 'acquisition'),
      await count(store, 'insitu_sample'),
    ]).toEqual(before);
    expect(before).toEqual([1, 1, 10]);
  });

  it('leaves no flight, acquisition or sample behind when a write fails midway', async () => {
    const campaign = await seedCampaign(store);
    const input = acquisitionInput(campaign.id, sha('d'), 1200);
    input.samples[1199].lat = Number.NaN; // SQLite binds NaN as NULL: the NOT NULL constraint fails in the last chunk
    const err = await store.storeInSituAcquisition(input).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(PlumetraceError);
    expect(err).toMatchObject({ code: 'PT_ERR_DB_WRITE' });
    expect((err as Error).message).toMatch(/NOT NULL constraint failed: insitu_sample\.lat/);
    expect((err as Error).cause).toBeInstanceOf(Error);
    expect(await count(store, 'flight')).toBe(0);
    expect(await count(store, 'acquisition')).toBe(0);
    expect(await count(store, 'insitu_sample')).toBe(0);
    // The store is still usable after the rollback.
    input.samples[1199].lat = 51;
    expect((await store.storeInSituAcquisition(input)).stored).toBe(true);
    expect(await count(store, 'insitu_sample')).toBe(1200);
  });

  it('rejects bad input before writing', async () => {
    const campaign = await seedCampaign(store);
    const input = acquisitionInput(campaign.id, sha('e'), 5);
    await expect(store.storeInSituAcquisition({ ...input, samples: input.samples.slice(1) })).rejects.toMatchObject({
      code: 'PT_ERR_BAD_REQUEST',
    });
    await expect(store.storeInSituAcquisition({ ...input, flight: { id: 'no-such-flight' } })).rejects.toMatchObject({
      code: 'PT_ERR_NOT_FOUND',
    });
    expect(await count(store, 'acquisition')).toBe(0);
  });

  it('stores an imaging scene with its flight in one transaction; the same content again stores nothing', async () => {
    const campaign = await seedCampaign(store);
    const base = acquisitionInput(campaign.id, sha('9'), 0);
    const input = {
      flight: {
        ...base.flight,
        name: 'swir scene',
        platform: 'aircraft' as const,
        sensorKind: 'swir-imaging' as const,
        track: null,
      },
      acquisition: {
        ...base.acquisition,
        kind: 'imaging-scene' as const,
        sampleCount: 120 * 100,
        metadata: { lines: 120, samples: 100 },
      },
    };
    const r = await store.storeImagingAcquisition(input);
    expect(r.stored).toBe(true);
    const acq = await store.getAcquisition(r.acquisitionId);
    expect(acq).toEqual({ ...input.acquisition, id: r.acquisitionId, flightId: r.flightId, createdAt: acq?.createdAt });
    const flight = await store.getFlight(r.flightId);
    expect(flight).toEqual({ ...input.flight, id: r.flightId, createdAt: flight?.createdAt });
    expect(await store.getInSituSamples(r.acquisitionId)).toEqual([]);

    const dup = await store.storeImagingAcquisition({ ...input, flight: { ...input.flight, name: 'other' } });
    expect(dup).toEqual({ stored: false, reason: 'duplicate', flightId: r.flightId, acquisitionId: r.acquisitionId });
    expect([await count(store, 'flight'), await count(store, 'acquisition')]).toEqual([1, 1]);

    await expect(
      store.storeImagingAcquisition({
        ...input,
        acquisition: { ...input.acquisition, kind: 'insitu-series', contentSha256: sha('8') },
      }),
    ).rejects.toMatchObject({ code: 'PT_ERR_BAD_REQUEST' });
    await expect(
      store.storeImagingAcquisition({
        flight: { id: 'no-such-flight' },
        acquisition: { ...input.acquisition, contentSha256: sha('7') },
      }),
    ).rejects.toMatchObject({ code: 'PT_ERR_NOT_FOUND' });
    expect([await count(store, 'flight'), await count(store, 'acquisition')]).toEqual([1, 1]);
  });

  it('stores a 10,000-sample series in well under a second', async () => {
    const campaign = await seedCampaign(store);
    const input = acquisitionInput(campaign.id, sha('f'), 10_000);
    const t0 = performance.now();
    const r = await store.storeInSituAcquisition(input);
    const ms = performance.now() - t0;
    console.log(`stored 10,000 samples in ${ms.toFixed(1)} ms (${_name})`);
    expect(r.stored).toBe(true);
    expect(await count(store, 'insitu_sample')).toBe(10_000);
    expect(ms).toBeLessThan(1000);
    const back = await store.getInSituSamples(r.acquisitionId);
    expect(back[9_999]).toEqual(withSampleDefaults(input.samples[9_999]));
  });

  it('records detections: creates a site, then joins it and updates its aggregates', async () => {
    const campaign = await seedCampaign(store);
    const a1 = await store.storeInSituAcquisition(
      acquisitionInput(campaign.id, sha('1'), 2, '2024-05-01T10:00:00.000Z', '2024-05-01T10:30:00.000Z'),
    );
    const a2 = await store.storeInSituAcquisition(
      acquisitionInput(campaign.id, sha('2'), 2, '2024-06-01T09:00:00.000Z', '2024-06-01T09:20:00.000Z'),
    );

    const first = await store.recordDetections(a1.acquisitionId, [
      {
        detection: detection(51.1, -1.43, 10, 2),
        site: { new: { campaignId: campaign.id, name: 'S1', lat: 51.1, lon: -1.43 } },
      },
    ]);
    expect(first.detections).toHaveLength(1);
    const site = first.sites[0];
    expect(site).toMatchObject({
      name: 'S1',
      status: 'candidate',
      detectionCount: 1,
      gases: ['CH4'],
      lat: 51.1,
      lon: -1.43,
      rateKgPerHour: 10,
      rateSigmaKgPerHour: 2,
      firstSeen: '2024-05-01T10:00:00.000Z',
      lastSeen: '2024-05-01T10:30:00.000Z',
    });
    expect(await store.getSite(site.id)).toEqual(site);
    expect(first.detections[0]).toMatchObject({ siteId: site.id, acquisitionId: a1.acquisitionId });
    expect(await store.listDetections({ siteId: site.id })).toEqual(first.detections);

    // Second overflight: sigma 1 weighs 4× the first (sigma 2); a new gas joins the list.
    const second = await store.recordDetections(a2.acquisitionId, [
      { detection: detection(51.2, -1.53, 14, 1), site: { id: site.id } },
      { detection: detection(51.2, -1.53, null, null, 'C2H6'), site: { id: site.id } },
    ]);
    expect(second.sites).toHaveLength(1);
    const joined = second.sites[0];
    expect(joined.id).toBe(site.id);
    expect(joined.detectionCount).toBe(3);
    expect(joined.gases).toEqual(['C2H6', 'CH4']);
    // Not every detection has a sigma: plain mean of the three.
    expect(joined.lat).toBeCloseTo((51.1 + 51.2 + 51.2) / 3, 12);
    expect(joined.rateKgPerHour).toBe(14);
    expect(joined.rateSigmaKgPerHour).toBe(1);
    expect(joined.firstSeen).toBe('2024-05-01T10:00:00.000Z');
    expect(joined.lastSeen).toBe('2024-06-01T09:20:00.000Z');
    expect(await store.getSite(site.id)).toEqual(joined);
    expect(await store.listDetections({ acquisitionId: a2.acquisitionId })).toHaveLength(2);

    const events = await store.listAudit();
    expect(events.map((e) => e.action)).toEqual(['detection.recorded', 'detection.recorded', 'detection.recorded']);
    expect(events[0]).toMatchObject({ entityType: 'detection', entityId: first.detections[0].id });
    expect(events[0].payload).toMatchObject({ siteId: site.id, siteCreated: true, rateKgPerHour: 10 });
    expect(verifyAuditChain(events)).toEqual({ ok: true, count: 3 });
  });

  it('weights the site position by 1/sigma² when every detection has a sigma', async () => {
    const campaign = await seedCampaign(store);
    const a = await store.storeInSituAcquisition(acquisitionInput(campaign.id, sha('3'), 1));
    const { sites } = await store.recordDetections(a.acquisitionId, [
      { detection: detection(50, 10, 5, 2), site: { new: { campaignId: null, name: 'W', lat: 50, lon: 10 } } },
    ]);
    const r = await store.recordDetections(a.acquisitionId, [
      { detection: detection(51, 11, 5, 1), site: { id: sites[0].id } },
    ]);
    // weights 1/4 and 1
    expect(r.sites[0].lat).toBeCloseTo((50 * 0.25 + 51) / 1.25, 12);
    expect(r.sites[0].lon).toBeCloseTo((10 * 0.25 + 11) / 1.25, 12);
  });

  it('records no detection, site or audit event when one item fails', async () => {
    const campaign = await seedCampaign(store);
    const a = await store.storeInSituAcquisition(acquisitionInput(campaign.id, sha('4'), 1));
    const items: DetectionWithSite[] = [
      { detection: detection(51, -1, 1, 1), site: { new: { campaignId: campaign.id, name: 'X', lat: 51, lon: -1 } } },
      { detection: detection(51, -1, 1, 1), site: { id: 'no-such-site' } },
    ];
    await expect(store.recordDetections(a.acquisitionId, items)).rejects.toMatchObject({ code: 'PT_ERR_NOT_FOUND' });
    const broken = [
      items[0],
      { detection: { ...detection(51, -1, 1, 1), method: null as unknown as string }, site: items[0].site },
    ];
    await expect(store.recordDetections(a.acquisitionId, broken)).rejects.toMatchObject({ code: 'PT_ERR_DB_WRITE' });
    await expect(store.recordDetections('no-such-acquisition', [items[0]])).rejects.toMatchObject({
      code: 'PT_ERR_NOT_FOUND',
    });
    expect([await count(store, 'detection'), await count(store, 'site'), await count(store, 'audit_event')]).toEqual([
      0, 0, 0,
    ]);
  });

  it('filters sites by bbox, campaign, gas, status and limit, newest first', async () => {
    const c1 = await seedCampaign(store);
    const c2 = await seedCampaign(store);
    const a1 = await store.storeInSituAcquisition(
      acquisitionInput(c1.id, sha('5'), 1, '2024-01-01T00:00:00.000Z', '2024-01-01T01:00:00.000Z'),
    );
    const a2 = await store.storeInSituAcquisition(
      acquisitionInput(c2.id, sha('6'), 1, '2024-03-01T00:00:00.000Z', '2024-03-01T01:00:00.000Z'),
    );
    const mk = (campaignId: string, name: string, lat: number, lon: number, gas: string): DetectionWithSite => ({
      detection: detection(lat, lon, 1, 1, gas),
      site: { new: { campaignId, name, lat, lon } },
    });
    await store.recordDetections(a1.acquisitionId, [mk(c1.id, 'A', 51, -1, 'CH4'), mk(c1.id, 'B', 40, 179.5, 'NH3')]);
    await store.recordDetections(a2.acquisitionId, [mk(c2.id, 'C', 51.5, -0.5, 'CH4'), mk(c2.id, 'D', 10, 10, 'C2H6')]);
    const names = async (f: Parameters<Store['listSites']>[0]) => (await store.listSites(f)).map((s) => s.name);

    const all = await store.listSites();
    expect(
      all
        .slice(0, 2)
        .map((s) => s.name)
        .sort(),
    ).toEqual(['C', 'D']); // last seen in March
    expect(
      all
        .slice(2)
        .map((s) => s.name)
        .sort(),
    ).toEqual(['A', 'B']);
    expect(await names({ bbox: [-2, 50, 0, 52] })).toEqual(['C', 'A']);
    expect(await names({ bbox: [179, 39, -179, 41] })).toEqual(['B']); // across the antimeridian
    expect((await names({ campaignId: c1.id })).sort()).toEqual(['A', 'B']);
    expect(await names({ gas: 'CH4' })).toEqual(['C', 'A']);
    expect(await names({ gas: 'CH' })).toEqual([]);
    expect(await names({ gas: 'CH4', campaignId: c2.id })).toEqual(['C']);
    expect(await names({ status: 'candidate', limit: 1 })).toHaveLength(1);
    expect(await names({ status: 'confirmed' })).toEqual([]);
  });

  it('appends a verifiable audit chain, also under concurrent appends', async () => {
    const events = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        store.appendAudit({
          action: 'referral.viewed',
          entityType: 'referral',
          entityId: `r${i}`,
          actorUserId: null,
          payload: { i, when: new Date(0), z: { b: 2, a: 1 } },
        }),
      ),
    );
    const log = await store.listAudit();
    expect(log.map((e) => e.seq)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(log[0].prevHash).toBe('0'.repeat(64));
    expect(log).toEqual([...events].sort((x, y) => x.seq - y.seq));
    expect(verifyAuditChain(log)).toEqual({ ok: true, count: 20 });
  });

  it('audits organization and user creation when asked, in the same transaction, without the password hash', async () => {
    const geometry = {
      type: 'Polygon' as const,
      coordinates: [
        [
          [0, 0],
          [1, 0],
          [1, 1],
          [0, 0],
        ],
      ],
    };
    const org = await store.createOrganization({ name: 'Audited', kind: 'partner' }, [{ name: 'Zone', geometry }], {
      audit: { actorUserId: null },
    });
    const user = await store.createUser(
      {
        organizationId: org.id,
        email: 'a@example.org',
        displayName: 'A',
        role: 'admin',
        passwordHash: 'scrypt$secret',
      },
      { audit: { actorUserId: null } },
    );
    await store.createOrganization({ name: 'Quiet', kind: 'analyst' }); // no audit asked: none written
    const log = await store.listAudit();
    expect(log.map((e) => [e.action, e.entityType, e.entityId])).toEqual([
      ['organization.created', 'organization', org.id],
      ['user.created', 'user', user.id],
    ]);
    const [jz] = await store.listJurisdictions(org.id);
    expect(log[0].payload).toEqual({ name: 'Audited', kind: 'partner', jurisdictions: [{ id: jz.id, name: 'Zone' }] });
    expect(log[1].payload).toEqual({ organizationId: org.id, email: 'a@example.org', role: 'admin' });
    expect(JSON.stringify(log)).not.toContain('secret');
    // A failed write leaves no audit event behind.
    await expect(
      store.createUser(
        { organizationId: org.id, email: 'a@example.org', displayName: 'B', role: 'viewer' },
        { audit: { actorUserId: null } },
      ),
    ).rejects.toMatchObject({ code: 'PT_ERR_DB_WRITE' });
    expect(await store.listAudit()).toHaveLength(2);
    expect(verifyAuditChain(await store.listAudit())).toEqual({ ok: true, count: 2 });
  });

  it('creates API tokens stored only as SHA-256, finds their user, and ignores unknown or revoked ones', async () => {
    const org = await store.createOrganization({ name: 'Tokens', kind: 'analyst' });
    const user = await store.createUser({
      organizationId: org.id,
      email: 't@example.org',
      displayName: 'T',
      role: 'analyst',
    });
    const { id, token } = await store.createApiToken(user.id);
    expect(token).toMatch(/^pt_[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(token.slice(3), 'base64url')).toHaveLength(32);
    const second = await store.createApiToken(user.id);
    expect(second.token).not.toBe(token);

    expect(await store.findUserByApiToken(token)).toEqual(user);
    expect(await store.findUserByApiToken(second.token)).toEqual(user);
    expect(await store.findUserByApiToken(`${token}x`)).toBeNull();
    expect(await store.findUserByApiToken('pt_')).toBeNull();
    expect(await store.findUserByApiToken('')).toBeNull();

    const db = sqliteOf(store).db;
    const rows = await db.selectFrom('api_token').selectAll().orderBy('created_at').execute();
    expect(rows).toHaveLength(2);
    const row = rows.find((r) => r.id === id);
    expect(row?.token_sha256).toBe(createHash('sha256').update(token).digest('hex'));
    expect(JSON.stringify(rows)).not.toContain(token);
    expect(row).toMatchObject({ user_id: user.id, last_used_at: null, revoked_at: null });

    await db.updateTable('api_token').set({ revoked_at: new Date().toISOString() }).where('id', '=', id).execute();
    expect(await store.findUserByApiToken(token)).toBeNull();
    expect(await store.findUserByApiToken(second.token)).toEqual(user);

    const log = await store.listAudit();
    expect(log.map((e) => [e.action, e.entityId, e.payload])).toEqual([
      ['token.created', id, { userId: user.id }],
      ['token.created', second.id, { userId: user.id }],
    ]);
    expect(JSON.stringify(log)).not.toContain(token.slice(3));
    expect(JSON.stringify(log)).not.toContain(row?.token_sha256);

    await expect(store.createApiToken('no-such-user')).rejects.toMatchObject({ code: 'PT_ERR_NOT_FOUND' });
    expect(await store.listAudit()).toHaveLength(2);
  });

  it('rejects UPDATE and DELETE on the audit log', async () => {
    await store.appendAudit({ action: 'a', entityType: 'x', entityId: null, actorUserId: null, payload: {} });
    const db = sqliteOf(store).db;
    await expect(db.updateTable('audit_event').set({ payload: '{"x":1}' }).execute()).rejects.toThrow(/append-only/);
    await expect(db.deleteFrom('audit_event').execute()).rejects.toThrow(/append-only/);
    expect(verifyAuditChain(await store.listAudit())).toEqual({ ok: true, count: 1 });
  });
});

describe('openStore', () => {
  it('accepts file: URLs, creates missing parent folders, and keeps data across reopening', async () => {
    const path = join(tmp, 'deep', 'er', 'a.sqlite');
    const s1 = await openStore(`file:${path}`);
    await s1.createOrganization({ name: 'Kept', kind: 'analyst' });
    await s1.close();
    const s2 = await openStore(new URL(`file://${path}`).href);
    expect(await s2.findOrganizationByName('Kept')).not.toBeNull();
    await s2.migrate();
    await s2.close();
  });

  it('does not migrate when told not to', async () => {
    const s = await openStore(':memory:', { migrate: false });
    await expect(s.listCampaigns()).rejects.toThrow(/no such table/);
    await s.migrate();
    expect(await s.listCampaigns()).toEqual([]);
    await s.close();
  });

  it('runs pending migrations in one transaction: a failing one leaves the schema as it was', async () => {
    const s = await openStore(':memory:', { migrate: false });
    const db = sqliteOf(s).db;
    await sql`create table site (id text)`.execute(db); // collides with 001_initial, after several tables
    await expect(s.migrate()).rejects.toMatchObject({ code: 'PT_ERR_DB_OPEN' });
    const tables = await sql<{
      name: string;
    }>`select name from sqlite_master where type = 'table' order by name`.execute(db);
    expect(tables.rows.map((r) => r.name)).not.toContain('organization');
    await s.close();
  });

  it('refuses PostgreSQL URLs with PT_ERR_DB_UNSUPPORTED', async () => {
    for (const url of ['postgres://u@localhost/pt', 'postgresql://localhost:5432/pt']) {
      await expect(openStore(url)).rejects.toMatchObject({
        code: 'PT_ERR_DB_UNSUPPORTED',
        detail: 'PostgreSQL backend is not implemented yet; use a SQLite path',
      });
    }
    await expect(openStore('mysql://x/y')).rejects.toMatchObject({ code: 'PT_ERR_DB_UNSUPPORTED' });
  });

  it('reports a directory or a non-SQLite file as PT_ERR_DB_OPEN, naming the path', async () => {
    const dir = mkdtempSync(join(tmp, 'dir-'));
    await expect(openStore(dir)).rejects.toMatchObject({ code: 'PT_ERR_DB_OPEN', location: { file: dir } });
    const text = join(tmp, 'notes.txt');
    writeFileSync(text, 'this is not a database, just some text that is long enough to be a header.\n'.repeat(20));
    const err = await openStore(text).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'PT_ERR_DB_OPEN', location: { file: text } });
    expect((err as Error).message).toContain(text);
  });
});

/** A stored sample reads back with the optional path and wind-variability fields filled in. */
function withSampleDefaults(s: InSituSample): InSituSample {
  return { kind: 'point', lat2: null, lon2: null, alt2M: null, windDirStdDeg: null, averagingS: null, ...s };
}
