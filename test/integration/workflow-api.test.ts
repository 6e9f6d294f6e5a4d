/**
 * The review and referral workflow through the HTTP API (app.inject on a real SQLite store): every
 * transition and who may take it, the partner's view, evidence, deadlines, the audit trail, and a
 * property test that a partner never sees a site not referred to it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Polygon } from 'geojson';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../src/core/errors.ts';
import { localFrame } from '../../src/core/geo/local-frame.ts';
import { Rng } from '../../src/core/random.ts';
import { buildServer } from '../../src/server/app.ts';
import { openStore } from '../../src/store/index.ts';
import type { Organization, Role, Store } from '../../src/store/types.ts';

const tmp = mkdtempSync(join(tmpdir(), 'plumetrace-workflow-api-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
let dbNo = 0;

const box = (lon0: number, lat0: number, lon1: number, lat1: number): Polygon => ({
  type: 'Polygon',
  coordinates: [
    [
      [lon0, lat0],
      [lon1, lat0],
      [lon1, lat1],
      [lon0, lat1],
      [lon0, lat0],
    ],
  ],
});

interface Person {
  id: string;
  email: string;
  auth: { authorization: string };
  orgId: string;
}

/** Stores one overflight of `campaignId` covering (lat, lon) and a detection there; returns the new site id. */
async function addSite(store: Store, campaignId: string, lat: number, lon: number, tag: string): Promise<string> {
  const t0 = '2026-05-01T10:00:00.000Z';
  const t1 = '2026-05-01T10:30:00.000Z';
  const acq = await store.storeInSituAcquisition({
    flight: {
      campaignId,
      name: `flight ${tag}`,
      platform: 'drone',
      sensorKind: 'insitu',
      startTime: t0,
      endTime: t1,
      track: null,
    },
    acquisition: {
      kind: 'insitu-series',
      sourceUri: `file:///${tag}.csv`,
      contentSha256: Buffer.from(tag).toString('hex').padStart(64, '0').slice(-64),
      gas: 'CH4',
      sampleCount: 0,
      startTime: t0,
      endTime: t1,
      footprint: box(lon - 0.01, lat - 0.01, lon + 0.01, lat + 0.01),
      metadata: {},
    },
    samples: [],
  });
  const r = await store.recordDetections(acq.acquisitionId, [
    {
      detection: {
        gas: 'CH4',
        geometry: { type: 'Point', coordinates: [lon, lat] },
        lat,
        lon,
        enhancement: null,
        enhancementUnit: null,
        rateKgPerHour: 20,
        rateSigmaKgPerHour: 4,
        method: 'test',
        algorithmVersion: 'test-1',
        properties: {},
      },
      site: { new: { campaignId, name: `site ${tag}`, lat, lon } },
    },
  ]);
  return r.sites[0]!.id;
}

async function person(store: Store, org: Organization, role: Role, tag: string): Promise<Person> {
  const u = await store.createUser({ organizationId: org.id, email: `${tag}@test.example`, displayName: tag, role });
  const { token } = await store.createApiToken(u.id);
  return { id: u.id, email: u.email, auth: { authorization: `Bearer ${token}` }, orgId: org.id };
}

describe('workflow over HTTP', () => {
  let store: Store;
  let app: FastifyInstance;
  const p: Record<string, Person> = {};
  const org: Record<string, Organization> = {};
  const site: Record<string, string> = {};

  beforeAll(async () => {
    store = await openStore(`sqlite:${join(tmp, `w${dbNo++}.sqlite`)}`);
    org.agency = await store.createOrganization({ name: 'Agency', kind: 'analyst' });
    org.other = await store.createOrganization({ name: 'Other agency', kind: 'analyst' });
    // B covers lon −1.5…−1.4; D covers −1.45…−1.35 (overlapping B); C lies far away.
    org.b = await store.createOrganization({ name: 'Authority B', kind: 'partner' }, [
      { name: 'B', geometry: box(-1.5, 51.0, -1.4, 51.2) },
    ]);
    org.d = await store.createOrganization({ name: 'Authority D', kind: 'partner' }, [
      { name: 'D', geometry: box(-1.45, 51.0, -1.35, 51.2) },
    ]);
    org.c = await store.createOrganization({ name: 'Authority C', kind: 'partner' }, [
      { name: 'C', geometry: box(10, 50, 11, 51) },
    ]);
    for (const [tag, o, role] of [
      ['admin', 'agency', 'admin'],
      ['analyst1', 'agency', 'analyst'],
      ['analyst2', 'agency', 'analyst'],
      ['reviewer1', 'agency', 'reviewer'],
      ['reviewer2', 'agency', 'reviewer'],
      ['viewer', 'agency', 'viewer'],
      ['otherAnalyst', 'other', 'analyst'],
      ['partnerB', 'b', 'partner'],
      ['viewerB', 'b', 'viewer'],
      ['partnerC', 'c', 'partner'],
      ['partnerD', 'd', 'partner'],
    ] as const) {
      p[tag] = await person(store, org[o]!, role, tag);
    }
    const campaign = await store.createCampaign({
      organizationId: org.agency.id,
      name: 'Agency campaign',
      description: '',
    });
    const otherCampaign = await store.createCampaign({ organizationId: org.other.id, name: 'Other', description: '' });
    site.inB = await addSite(store, campaign.id, 51.1, -1.48, 'inB'); // B only
    site.dismiss = await addSite(store, campaign.id, 51.11, -1.49, 'dismiss'); // B only
    site.overlap = await addSite(store, campaign.id, 51.1, -1.42, 'overlap'); // B and D
    site.nowhere = await addSite(store, campaign.id, 52.5, -3.0, 'nowhere'); // no jurisdiction
    site.adminR1 = await addSite(store, campaign.id, 51.12, -1.47, 'adminR1');
    site.others = await addSite(store, otherCampaign.id, 51.1, -1.46, 'others'); // another agency's, in B
    site.popul = await addSite(store, campaign.id, 51.13, -1.485, 'popul'); // B only, people nearby
    app = await buildServer({ store, auth: { rateLimit: { max: 100_000 } } });
  });
  afterAll(async () => {
    await app?.close();
    await store?.close();
  });

  const call = async (who: Person | null, method: 'GET' | 'POST', url: string, payload?: unknown) => {
    const r = await app.inject({
      method,
      url,
      headers: who ? who.auth : {},
      ...(payload === undefined ? {} : { payload: payload as object }),
    });
    return {
      status: r.statusCode,
      body: r.body ? (JSON.parse(r.body) as Record<string, unknown> & { code?: string }) : {},
    };
  };
  const status = async (id: string) =>
    ((await call(p.admin!, 'GET', `/api/sites/${id}`)).body.properties as { status: string }).status;
  const refused = async (
    who: Person,
    method: 'GET' | 'POST',
    url: string,
    payload: unknown,
    code: string,
    http: number,
  ) => {
    const before = (await store.listAudit()).length;
    const r = await call(who, method, url, payload);
    expect({ who: who.email, url, status: r.status, code: r.body.code }).toEqual({
      who: who.email,
      url,
      status: http,
      code,
    });
    expect((await store.listAudit()).length).toBe(before);
  };
  const FORBIDDEN = 'PT_ERR_WORKFLOW_FORBIDDEN';
  const NOT_FOUND = 'PT_ERR_NOT_FOUND';

  it('walks candidate → R1 → R2 → referred → acknowledged → inspected → closed → verified, refusing everyone else at each step', async () => {
    const id = site.inB!;
    const review = `/api/sites/${id}/reviews`;
    // R1: analysts (or admins) of the owning agency only.
    await refused(p.viewer!, 'POST', review, { decision: 'reviewed', reason: 'x' }, FORBIDDEN, 403);
    await refused(p.reviewer1!, 'POST', review, { decision: 'reviewed', reason: 'x' }, FORBIDDEN, 403);
    await refused(p.otherAnalyst!, 'POST', review, { decision: 'reviewed', reason: 'x' }, NOT_FOUND, 404);
    await refused(p.partnerB!, 'POST', review, { decision: 'reviewed', reason: 'x' }, NOT_FOUND, 404);
    await refused(
      p.analyst1!,
      'POST',
      review,
      { decision: 'confirmed', reason: 'x' },
      'PT_ERR_WORKFLOW_ILLEGAL_TRANSITION',
      409,
    );
    await refused(p.analyst1!, 'POST', review, { decision: 'reviewed' }, 'PT_ERR_BAD_REQUEST', 400);
    let r = await call(p.analyst1!, 'POST', review, { decision: 'reviewed', reason: 'Clear plume on two transects' });
    expect(r.status).toBe(200);
    expect(r.body.status).toBe('r1-reviewed');

    // R2: a reviewer, not the R1 reviewer; the R1 analyst cannot confirm (wrong role, and own R1).
    await refused(p.analyst1!, 'POST', review, { decision: 'confirmed', reason: 'x' }, FORBIDDEN, 403);
    await refused(p.viewer!, 'POST', review, { decision: 'confirmed', reason: 'x' }, FORBIDDEN, 403);
    r = await call(p.reviewer1!, 'POST', review, { decision: 'confirmed', reason: 'Residuals fine' });
    expect(r.status).toBe(200);
    expect(r.body.status).toBe('confirmed');
    const reviews = await call(p.viewer!, 'GET', review);
    expect(
      (reviews.body as unknown as { stage: string; reviewerId: string; reviewerName: string }[]).map((x) => [
        x.stage,
        x.reviewerId,
        x.reviewerName,
      ]),
    ).toEqual([
      ['R1', p.analyst1!.id, 'analyst1'],
      ['R2', p.reviewer1!.id, 'reviewer1'],
    ]);

    // Refer: to the one authority whose jurisdiction contains the site; not elsewhere.
    const refer = `/api/sites/${id}/referral`;
    await refused(p.reviewer1!, 'POST', refer, {}, FORBIDDEN, 403);
    await refused(p.viewer!, 'POST', refer, {}, FORBIDDEN, 403);
    await refused(p.analyst2!, 'POST', refer, { organizationId: org.c!.id, reason: 'x' }, FORBIDDEN, 403);
    expect(await call(p.partnerB!, 'GET', `/api/sites/${id}`)).toMatchObject({ status: 404 });
    r = await call(p.analyst2!, 'POST', refer, {});
    expect(r.status).toBe(201);
    expect(r.body.status).toBe('referred');
    const referralId = r.body.referralId as string;

    // The partner now sees it, with deadlines; other partners and agencies do not.
    const seenB = await call(p.partnerB!, 'GET', '/api/referrals');
    expect((seenB.body as unknown as { id: string }[]).map((x) => x.id)).toEqual([referralId]);
    const detail = await call(p.partnerB!, 'GET', `/api/referrals/${referralId}`);
    expect(detail.status).toBe(200);
    expect(detail.body).toMatchObject({
      organizationId: org.b!.id,
      organizationName: 'Authority B',
      basis: 'jurisdiction',
      status: 'referred',
      overdue: false,
      actions: ['acknowledge', 'comment', 'upload-evidence'],
    });
    const urgency = detail.body.urgency as { level: string; acknowledgeWithinH: number };
    const deadlines = detail.body.deadlines as { kind: string; dueAt: string }[];
    expect(Date.parse(deadlines[0]!.dueAt) - Date.parse(detail.body.createdAt as string)).toBe(
      urgency.acknowledgeWithinH * 3_600_000,
    );
    expect((await call(p.partnerB!, 'GET', '/api/sites')).body.features).toHaveLength(1);
    expect(await call(p.partnerC!, 'GET', `/api/referrals/${referralId}`)).toMatchObject({ status: 404 });
    expect((await call(p.partnerC!, 'GET', '/api/referrals')).body).toEqual([]);
    expect(await call(p.otherAnalyst!, 'GET', `/api/referrals/${referralId}`)).toMatchObject({ status: 404 });
    expect((await store.listNotifications(org.b!.id)).map((n) => n.topic)).toEqual(['referral-received']);

    // Acknowledge: the partner liaison of the addressed authority only.
    const ack = `/api/referrals/${referralId}/acknowledge`;
    await refused(p.partnerC!, 'POST', ack, {}, NOT_FOUND, 404);
    await refused(p.viewerB!, 'POST', ack, {}, FORBIDDEN, 403);
    await refused(p.analyst1!, 'POST', ack, {}, FORBIDDEN, 403);
    r = await call(p.partnerB!, 'POST', ack, { comment: 'Team assigned' });
    expect(r.body.status).toBe('acknowledged');
    await refused(p.partnerB!, 'POST', ack, {}, 'PT_ERR_WORKFLOW_ILLEGAL_TRANSITION', 409);

    // Comments from both sides; evidence from the partner, downloadable by both, by no one else.
    expect(
      (await call(p.partnerB!, 'POST', `/api/referrals/${referralId}/comments`, { text: 'Gate locked' })).status,
    ).toBe(200);
    expect(
      (await call(p.analyst1!, 'POST', `/api/referrals/${referralId}/comments`, { text: 'Call the owner' })).status,
    ).toBe(200);
    await refused(p.viewer!, 'POST', `/api/referrals/${referralId}/comments`, { text: 'x' }, FORBIDDEN, 403);
    const bytes = Buffer.from('photo bytes \u0000\u00ff');
    r = await call(p.partnerB!, 'POST', `/api/referrals/${referralId}/evidence`, {
      filename: 'gate.jpg',
      mediaType: 'image/jpeg',
      contentBase64: bytes.toString('base64'),
    });
    expect(r.status).toBe(201);
    const evidenceUrl = `/api/referrals/${referralId}/evidence/${r.body.evidenceId as string}`;
    const dl = await app.inject({ url: evidenceUrl, headers: p.analyst1!.auth });
    expect(dl.statusCode).toBe(200);
    expect(dl.rawPayload.equals(bytes)).toBe(true);
    expect(dl.headers['content-disposition']).toBe('attachment; filename="gate.jpg"');
    expect((await app.inject({ url: evidenceUrl, headers: p.partnerC!.auth })).statusCode).toBe(404);

    // Inspect, outcome (one of the four), then verification by a later overflight.
    await refused(p.analyst1!, 'POST', `/api/referrals/${referralId}/inspect`, {}, FORBIDDEN, 403);
    expect((await call(p.partnerB!, 'POST', `/api/referrals/${referralId}/inspect`, {})).body.status).toBe('inspected');
    await refused(
      p.partnerB!,
      'POST',
      `/api/referrals/${referralId}/outcome`,
      { outcome: 'arrested' },
      'PT_ERR_BAD_REQUEST',
      400,
    );
    r = await call(p.partnerB!, 'POST', `/api/referrals/${referralId}/outcome`, {
      outcome: 'dismantled',
      comment: 'Equipment removed',
    });
    expect(r.body.status).toBe('closed');
    const verify = `/api/sites/${id}/verify`;
    await refused(p.partnerB!, 'POST', verify, { overflightAt: new Date().toISOString() }, FORBIDDEN, 403);
    await refused(p.analyst1!, 'POST', verify, { overflightAt: '2020-01-01T00:00:00Z' }, 'PT_ERR_BAD_REQUEST', 400);
    await refused(p.analyst1!, 'POST', verify, { overflightAt: '2999-01-01T00:00:00Z' }, 'PT_ERR_BAD_REQUEST', 400);
    await new Promise((res) => setTimeout(res, 5));
    r = await call(p.analyst1!, 'POST', verify, { overflightAt: new Date().toISOString(), reason: 'Clean overflight' });
    expect(r.body.status).toBe('verified');
    expect(await status(id)).toBe('verified');

    const final = await call(p.partnerB!, 'GET', `/api/referrals/${referralId}`);
    expect((final.body.events as { byName: string }[]).map((e) => e.byName)).toContain('partnerB');
    expect((final.body.events as { kind: string }[]).map((e) => e.kind)).toEqual([
      'referred',
      'acknowledged',
      'comment',
      'comment',
      'evidence',
      'inspected',
      'outcome',
      'verified',
    ]);
    expect(final.body.outcome).toBe('dismantled');
    expect(final.body.actions).toEqual([]);

    // The audit log: every step, chained; for the agency's admins only.
    await refused(p.analyst1!, 'GET', '/api/audit', undefined, 'PT_ERR_FORBIDDEN', 403);
    await refused(p.partnerB!, 'GET', '/api/audit', undefined, 'PT_ERR_FORBIDDEN', 403);
    const audit = await call(p.admin!, 'GET', `/api/audit?entityType=site&entityId=${id}`);
    expect(audit.body.chain).toMatchObject({ ok: true });
    expect((audit.body.events as { action: string }[]).map((e) => e.action)).toEqual([
      'site.r1-review',
      'site.r2-confirm',
      'site.refer',
      'site.acknowledge',
      'site.comment',
      'site.comment',
      'site.upload-evidence',
      'site.inspect',
      'site.record-outcome',
      'site.verify',
    ]);
  });

  it('dismisses at R2, after which nothing can be referred', async () => {
    const id = site.dismiss!;
    expect(
      (await call(p.analyst2!, 'POST', `/api/sites/${id}/reviews`, { decision: 'reviewed', reason: 'weak' })).status,
    ).toBe(200);
    const r = await call(p.reviewer2!, 'POST', `/api/sites/${id}/reviews`, {
      decision: 'dismissed',
      reason: 'barn vent',
    });
    expect(r.body.status).toBe('dismissed');
    await refused(p.analyst1!, 'POST', `/api/sites/${id}/referral`, {}, 'PT_ERR_WORKFLOW_ILLEGAL_TRANSITION', 409);
  });

  it('never lets the R1 reviewer confirm, even as admin', async () => {
    const id = site.adminR1!;
    expect(
      (await call(p.admin!, 'POST', `/api/sites/${id}/reviews`, { decision: 'reviewed', reason: 'r1' })).status,
    ).toBe(200);
    await refused(
      p.admin!,
      'POST',
      `/api/sites/${id}/reviews`,
      { decision: 'confirmed', reason: 'r2' },
      FORBIDDEN,
      403,
    );
    await refused(
      p.admin!,
      'POST',
      `/api/sites/${id}/reviews`,
      { decision: 'dismissed', reason: 'r2' },
      FORBIDDEN,
      403,
    );
    expect(await status(id)).toBe('r1-reviewed');
  });

  it('lets the analyst choose among several jurisdictions, or name one where none applies, with a reason', async () => {
    for (const [id, choice, wrong] of [
      [site.overlap!, org.d!, org.c!],
      [site.nowhere!, org.c!, org.agency!],
    ] as const) {
      await call(p.analyst1!, 'POST', `/api/sites/${id}/reviews`, { decision: 'reviewed', reason: 'r1' });
      await call(p.reviewer1!, 'POST', `/api/sites/${id}/reviews`, { decision: 'confirmed', reason: 'r2' });
      await refused(p.analyst1!, 'POST', `/api/sites/${id}/referral`, {}, 'PT_ERR_BAD_REQUEST', 400);
      await refused(
        p.analyst1!,
        'POST',
        `/api/sites/${id}/referral`,
        { organizationId: choice.id },
        'PT_ERR_BAD_REQUEST',
        400,
      );
      await refused(
        p.analyst1!,
        'POST',
        `/api/sites/${id}/referral`,
        { organizationId: wrong.id, reason: 'x' },
        wrong.kind === 'analyst' ? 'PT_ERR_BAD_REQUEST' : FORBIDDEN,
        wrong.kind === 'analyst' ? 400 : 403,
      );
      const r = await call(p.analyst1!, 'POST', `/api/sites/${id}/referral`, {
        organizationId: choice.id,
        reason: 'Authority with the inspection team nearby',
      });
      expect(r.status).toBe(201);
      const ref = await call(p.analyst1!, 'GET', `/api/referrals/${r.body.referralId as string}`);
      expect(ref.body).toMatchObject({ basis: 'analyst-choice', organizationId: choice.id });
    }
  });

  it('takes a signed-in partner through a step with the session cookie and the CSRF header', async () => {
    await store.createUser({
      organizationId: org.d!.id,
      email: 'liaison-d@test.example',
      displayName: 'D',
      role: 'partner',
      passwordHash: await (await import('../../src/server/auth/password.ts')).hashPassword('correct horse battery'),
    });
    const login = await app.inject({
      method: 'POST',
      url: '/api/session',
      payload: { email: 'liaison-d@test.example', password: 'correct horse battery' },
    });
    expect(login.statusCode).toBe(200);
    const cookie = login.cookies.find((c) => c.name === 'pt_session')!;
    const csrf = (JSON.parse(login.body) as { csrfToken: string }).csrfToken;
    const [referral] = (await store.listReferrals({ organizationId: org.d!.id })) ?? [];
    const url = `/api/referrals/${referral!.id}/acknowledge`;
    const without = await app.inject({ method: 'POST', url, payload: {}, cookies: { pt_session: cookie.value } });
    expect(without.statusCode).toBe(403);
    expect(JSON.parse(without.body).code).toBe('PT_ERR_CSRF');
    const withCsrf = await app.inject({
      method: 'POST',
      url,
      payload: {},
      cookies: { pt_session: cookie.value },
      headers: { 'x-csrf-token': csrf },
    });
    expect(withCsrf.statusCode).toBe(200);
  });

  it('joins reports from other sources to the site within their uncertainty and raises its priority', async () => {
    const id = site.adminR1!;
    const before = (await call(p.analyst1!, 'GET', `/api/sites/${id}`)).body as {
      priority: { score: number; terms: { reports: number } };
      reports: unknown[];
      coverage: { overflights: number; persistenceCi90: number[] };
    };
    expect(before.reports).toEqual([]);
    expect(before.priority.terms.reports).toBe(0);
    // One overflight, one detection: Beta(2, 1) — the 90% interval is [√0.05, √0.95].
    expect(before.coverage.overflights).toBe(1);
    expect(before.coverage.persistenceCi90[0]).toBeCloseTo(Math.sqrt(0.05), 6);
    const tip = {
      lat: 51.1204,
      lon: -1.47,
      uncertaintyM: 30,
      observedAt: '2026-05-02T08:00:00Z',
      source: 'public tip',
      text: 'Smell of gas at night',
    };
    await refused(p.viewer!, 'POST', '/api/reports', { ...tip, credibility: 0.6 }, 'PT_ERR_FORBIDDEN', 403);
    await refused(p.partnerB!, 'POST', '/api/reports', { ...tip, credibility: 0.6 }, 'PT_ERR_FORBIDDEN', 403);
    await refused(p.analyst1!, 'POST', '/api/reports', { ...tip, credibility: 1.6 }, 'PT_ERR_BAD_REQUEST', 400);
    const joined = await call(p.analyst1!, 'POST', '/api/reports', { ...tip, credibility: 0.6 });
    expect(joined.status).toBe(201);
    expect(joined.body.siteId).toBe(id); // 44 m away, within 2σ = 60 m
    const far = await call(p.analyst1!, 'POST', '/api/reports', { ...tip, lat: 51.13, credibility: 0.9 });
    expect(far.body.siteId).toBeNull(); // 1.1 km away
    const after = (await call(p.analyst1!, 'GET', `/api/sites/${id}`)).body as typeof before;
    expect(after.reports).toHaveLength(1);
    expect(after.priority.terms.reports).toBeCloseTo(0.6, 12);
    expect(after.priority.score - before.priority.score).toBeCloseTo(0.25 * 0.6, 12);
    expect((await call(p.analyst1!, 'GET', '/api/reports')).body).toHaveLength(2);
    expect((await call(p.otherAnalyst!, 'GET', '/api/reports')).body).toHaveLength(0);
    // Partners see the referral, not the agency's tips.
    expect(await call(p.partnerB!, 'GET', '/api/reports')).toMatchObject({ status: 403 });
  });

  it('raises the urgency of a referral with the people living near the site, once population data is loaded', async () => {
    const id = site.popul!;
    await call(p.analyst1!, 'POST', `/api/sites/${id}/reviews`, { decision: 'reviewed', reason: 'r1' });
    await call(p.reviewer1!, 'POST', `/api/sites/${id}/reviews`, { decision: 'confirmed', reason: 'r2' });
    // 300 people 50 m away (weight 1) and 400 at 200 m (weight (100/200)² = 1/4): 400 exposed.
    const frame = localFrame(51.13, -1.485);
    const [la1, lo1] = frame.toLatLon(50, 0);
    const [la2, lo2] = frame.toLatLon(0, -200);
    await store.loadPopulation(org.agency!.id, 'homes', [
      { lat: la1, lon: lo1, people: 300 },
      { lat: la2, lon: lo2, people: 400 },
    ]);
    const r = await call(p.analyst1!, 'POST', `/api/sites/${id}/referral`, {});
    expect(r.status).toBe(201);
    const ref = (await call(p.analyst1!, 'GET', `/api/referrals/${r.body.referralId as string}`)).body as {
      urgency: { level: string; populationData: string };
    };
    expect(ref.urgency.populationData).toBe('loaded');
    const stored = (await store.getReferral(r.body.referralId as string))!.urgency!;
    // ±0.5 person: the flat local frame and the great-circle distance differ by ~0.02% at 200 m.
    expect(stored.exposedPeople).toBeCloseTo(300 + 400 / 4, 0);
    // Someone within 100 m: at least priority, whatever the rate.
    expect(['priority', 'urgent']).toContain(ref.urgency.level);
  });

  it('lists campaigns and detections only to their agency, and a viewer changes nothing', async () => {
    const mine = (await call(p.viewer!, 'GET', '/api/campaigns')).body as unknown as { name: string }[];
    expect(mine.map((c) => c.name)).toEqual(['Agency campaign']);
    expect((await call(p.partnerB!, 'GET', '/api/campaigns')).body).toEqual([]);
    const dets = (await call(p.otherAnalyst!, 'GET', '/api/detections')).body as unknown as { siteId: string }[];
    expect(dets.map((d) => d.siteId)).toEqual([site.others]);
    expect(await call(p.otherAnalyst!, 'GET', `/api/detections?siteId=${site.inB}`)).toMatchObject({ status: 404 });
    // Every write route, as a viewer of the owning agency: refused, and nothing written.
    const [referral] = await store.listReferrals({ siteOrganizationId: org.agency!.id });
    const audit = (await store.listAudit()).length;
    const statuses = await store.listSites();
    for (const [url, body] of [
      [`/api/sites/${site.popul}/reviews`, { decision: 'reviewed', reason: 'x' }],
      [`/api/sites/${site.popul}/referral`, {}],
      [`/api/sites/${site.popul}/verify`, { overflightAt: '2026-01-01T00:00:00Z' }],
      [`/api/referrals/${referral!.id}/acknowledge`, {}],
      [`/api/referrals/${referral!.id}/inspect`, {}],
      [`/api/referrals/${referral!.id}/outcome`, { outcome: 'dismantled' }],
      [`/api/referrals/${referral!.id}/comments`, { text: 'x' }],
      [
        `/api/referrals/${referral!.id}/evidence`,
        { filename: 'a.txt', mediaType: 'text/plain', contentBase64: 'QUJD' },
      ],
      [
        '/api/reports',
        {
          lat: 51,
          lon: -1,
          uncertaintyM: 1,
          observedAt: '2026-01-01T00:00:00Z',
          credibility: 0.5,
          source: 's',
          text: 't',
        },
      ],
    ] as const) {
      const r = await call(p.viewer!, 'POST', url, body);
      expect(r.status, url).toBe(403);
    }
    expect((await store.listAudit()).length).toBe(audit);
    expect(await store.listSites()).toEqual(statuses);
  });

  it('answers malformed and hostile requests with 4xx and a registered code, never a 500', async () => {
    const rng = new Rng(7);
    const [referral] = await store.listReferrals({ organizationId: org.b!.id });
    const ids = [site.inB!, referral!.id, '../../etc/passwd', "' OR 1=1 --", 'ü'.repeat(64), '%00', 'x'.repeat(65)];
    const junk: unknown[] = [
      null,
      [],
      'text',
      42,
      { decision: 'reviewed', reason: 'x'.repeat(5000) },
      { decision: 'reviewed', reason: 7 },
      { decision: 'reviewed', reason: 'ok', extra: true },
      { outcome: 'dismantled', comment: { $ne: 1 } },
      { overflightAt: 'yesterday' },
      { filename: '../x', mediaType: 'text/plain', contentBase64: '!!!!' },
      { filename: 'a', mediaType: 'text/plain', contentBase64: 'QUJD' },
      { organizationId: "'; drop table site; --", reason: 'x' },
      { text: '<script>alert(1)</script>' },
    ];
    const routes = [
      '/api/sites/:id/reviews',
      '/api/sites/:id/referral',
      '/api/sites/:id/verify',
      '/api/referrals/:id/acknowledge',
      '/api/referrals/:id/inspect',
      '/api/referrals/:id/outcome',
      '/api/referrals/:id/comments',
      '/api/referrals/:id/evidence',
    ];
    const who = [p.viewer!, p.partnerC!, p.analyst1!, p.partnerB!, p.otherAnalyst!];
    for (let i = 0; i < 300; i++) {
      const url = routes[rng.int(routes.length)]!.replace(':id', encodeURIComponent(ids[rng.int(ids.length)]!));
      const body = junk[rng.int(junk.length)];
      const r = await app.inject({
        method: 'POST',
        url,
        headers: { ...who[rng.int(who.length)]!.auth, 'content-type': 'application/json' },
        payload: JSON.stringify(body),
      });
      // Some junk is valid for some route and role (a partner's comment on its referral): 2xx is fine then.
      expect(r.statusCode, `${url} ${JSON.stringify(body)} → ${r.body}`).toBeLessThan(500);
      if (r.statusCode >= 400) expect(Object.keys(ERROR_CODES)).toContain(JSON.parse(r.body).code);
    }
    expect(
      (
        await app.inject({
          method: 'POST',
          url: `/api/sites/${site.inB!}/reviews`,
          headers: { ...p.analyst1!.auth, 'content-type': 'application/json' },
          payload: '{"decision":',
        })
      ).statusCode,
    ).toBe(400);
  });
});

describe('a partner never sees a site not referred to it (property)', () => {
  it('holds over randomly generated organizations, users, referrals and requests', async () => {
    for (const seed of [1, 2, 3]) {
      const rng = new Rng(seed);
      const store = await openStore(`sqlite:${join(tmp, `prop${dbNo++}.sqlite`)}`);
      const app = await buildServer({ store, auth: { rateLimit: { max: 100_000 } } });
      try {
        const nAgencies = 1 + rng.int(2);
        const nPartners = 2 + rng.int(3);
        const agencies: Organization[] = [];
        const partners: Organization[] = [];
        for (let i = 0; i < nAgencies; i++)
          agencies.push(await store.createOrganization({ name: `agency ${i}`, kind: 'analyst' }));
        for (let i = 0; i < nPartners; i++) {
          // Random jurisdictions, overlapping at times, some missing.
          const lon0 = -2 + rng.uniform() * 1.5;
          const lat0 = 51 + rng.uniform() * 0.5;
          const js = rng.uniform() < 0.8 ? [{ name: `j${i}`, geometry: box(lon0, lat0, lon0 + 0.6, lat0 + 0.4) }] : [];
          partners.push(await store.createOrganization({ name: `partner ${i}`, kind: 'partner' }, js));
        }
        const people: Person[] = [];
        const roles: Role[] = ['admin', 'analyst', 'reviewer', 'partner', 'viewer'];
        for (const [i, o] of [...agencies, ...partners].entries())
          for (let k = 0; k < 2 + rng.int(3); k++)
            people.push(await person(store, o, roles[rng.int(roles.length)]!, `s${seed}o${i}u${k}`));
        const sites: string[] = [];
        for (const [i, a] of agencies.entries()) {
          const c = await store.createCampaign({ organizationId: a.id, name: `c${i}`, description: '' });
          for (let k = 0; k < 3 + rng.int(4); k++)
            sites.push(
              await addSite(store, c.id, 51 + rng.uniform() * 0.9, -2 + rng.uniform() * 2, `s${seed}a${i}k${k}`),
            );
        }
        // Refer a random half, through the machine, to whom the rules allow.
        for (const id of sites) {
          if (rng.uniform() < 0.5) continue;
          const s = (await store.getSite(id))!;
          const owner = s.organizationId!;
          const analyst = await store.createUser({
            organizationId: owner,
            email: `a-${id}@x.example`,
            displayName: 'a',
            role: 'analyst',
          });
          const reviewer = await store.createUser({
            organizationId: owner,
            email: `r-${id}@x.example`,
            displayName: 'r',
            role: 'reviewer',
          });
          const at = (m: number) => new Date(Date.parse('2026-06-01T00:00:00Z') + m * 60_000).toISOString();
          await store.applyWorkflowAction(id, {
            kind: 'r1-review',
            actor: { userId: analyst.id, role: 'analyst', organizationId: owner },
            at: at(1),
            reason: 'r',
          });
          await store.applyWorkflowAction(id, {
            kind: 'r2-confirm',
            actor: { userId: reviewer.id, role: 'reviewer', organizationId: owner },
            at: at(2),
            reason: 'r',
          });
          const analystActor = { userId: analyst.id, role: 'analyst' as const, organizationId: owner };
          // By jurisdiction where one contains the site; else the analyst names a random partner
          // (refused when several contain the site and it is not one of them: then not referred).
          await store
            .applyWorkflowAction(id, { kind: 'refer', actor: analystActor, at: at(3) })
            .catch(() =>
              store.applyWorkflowAction(id, {
                kind: 'refer',
                actor: analystActor,
                at: at(3),
                referralOrganizationId: partners[rng.int(partners.length)]!.id,
                reason: 'chosen',
              }),
            )
            .catch(() => undefined);
        }
        const referredTo = new Map<string, Set<string>>();
        for (const r of await store.listReferrals()) {
          if (!referredTo.has(r.organizationId)) referredTo.set(r.organizationId, new Set());
          referredTo.get(r.organizationId)!.add(r.siteId);
        }
        const partnerIds = new Set(partners.map((o) => o.id));
        const allReferrals = await store.listReferrals();
        let checked = 0;
        for (let i = 0; i < 150; i++) {
          const who = people[rng.int(people.length)]!;
          const sid = sites[rng.int(sites.length)]!;
          const rid = allReferrals.length > 0 ? allReferrals[rng.int(allReferrals.length)]!.id : 'none';
          const url = [
            '/api/sites',
            `/api/sites/${sid}`,
            `/api/sites/${sid}/reviews`,
            '/api/referrals',
            `/api/referrals/${rid}`,
            '/api/flights',
            '/api/notifications',
          ][rng.int(7)]!;
          const r = await app.inject({ url, headers: who.auth });
          expect(r.statusCode).toBeLessThan(500);
          if (!partnerIds.has(who.orgId)) continue;
          const allowed = referredTo.get(who.orgId) ?? new Set<string>();
          const asked = url.split('/')[3];
          if (url.startsWith('/api/sites/') && !allowed.has(asked!)) expect(r.statusCode).toBe(404);
          if (r.statusCode >= 400) continue; // an error names only what was asked for
          // Every site id an answer mentions must be one referred to the partner.
          const body = r.body;
          for (const s of sites)
            if (body.includes(s)) expect(allowed.has(s), `${who.email} ${url} leaked ${s}`).toBe(true);
          checked++;
        }
        expect(checked).toBeGreaterThan(10);
      } finally {
        await app.close();
        await store.close();
      }
    }
  });
});
