import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Polygon } from 'geojson';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PlumetraceError } from '../core/errors.ts';
import type { Actor, WorkflowAction, WorkflowActionKind } from '../core/workflow/machine.ts';
import { verifyAuditChain } from './audit.ts';
import { openStore } from './index.ts';
import type { Organization, Role, Store } from './types.ts';

const tmp = mkdtempSync(join(tmpdir(), 'plumetrace-workflow-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
let n = 0;

const square = (lon0: number, lat0: number, d: number): Polygon => ({
  type: 'Polygon',
  coordinates: [
    [
      [lon0, lat0],
      [lon0 + d, lat0],
      [lon0 + d, lat0 + d],
      [lon0, lat0 + d],
      [lon0, lat0],
    ],
  ],
});

interface World {
  store: Store;
  agency: Organization;
  partner: Organization;
  actors: Record<Role | 'analyst2', Actor>;
  siteId: string;
  acquisitionIds: string[];
}

/** An agency with a campaign and a site at (51.15, −1.44); a partner whose jurisdiction contains it. */
async function world(): Promise<World> {
  const store = await openStore(`sqlite:${join(tmp, `w${n++}.sqlite`)}`);
  const agency = await store.createOrganization({ name: 'Agency', kind: 'analyst' });
  const partner = await store.createOrganization({ name: 'Authority', kind: 'partner' }, [
    { name: 'County', geometry: square(-1.5, 51.1, 0.1) },
  ]);
  const user = async (role: Role, org: Organization, tag: string = role): Promise<Actor> => {
    const u = await store.createUser({
      organizationId: org.id,
      email: `${tag}@${org.name}.test`,
      displayName: tag,
      role,
    });
    return { userId: u.id, role, organizationId: org.id };
  };
  const actors = {
    admin: await user('admin', agency),
    analyst: await user('analyst', agency),
    analyst2: await user('analyst', agency, 'analyst2'),
    reviewer: await user('reviewer', agency),
    viewer: await user('viewer', agency),
    partner: await user('partner', partner),
  };
  const campaign = await store.createCampaign({ organizationId: agency.id, name: 'C', description: '' });
  const acquisitionIds: string[] = [];
  // Three overflights whose footprints cover the site; the first and third detect it.
  for (const [k, day] of ['01', '02', '03'].entries()) {
    const stored = await store.storeInSituAcquisition({
      flight: {
        campaignId: campaign.id,
        name: `flight ${day}`,
        platform: 'drone',
        sensorKind: 'insitu',
        startTime: `2026-05-${day}T10:00:00.000Z`,
        endTime: `2026-05-${day}T10:30:00.000Z`,
        track: null,
      },
      acquisition: {
        kind: 'insitu-series',
        sourceUri: `file:///f${k}.csv`,
        contentSha256: `${k}`.padStart(64, '0'),
        gas: 'CH4',
        sampleCount: 0,
        startTime: `2026-05-${day}T10:00:00.000Z`,
        endTime: `2026-05-${day}T10:30:00.000Z`,
        footprint: square(-1.45, 51.14, 0.02),
        metadata: {},
      },
      samples: [],
    });
    acquisitionIds.push(stored.acquisitionId);
  }
  const det = (lat: number) => ({
    gas: 'CH4',
    geometry: { type: 'Point' as const, coordinates: [-1.44, lat] },
    lat,
    lon: -1.44,
    enhancement: null,
    enhancementUnit: null,
    rateKgPerHour: 12,
    rateSigmaKgPerHour: 2,
    method: 'test',
    algorithmVersion: 'test-1',
    properties: {},
  });
  const first = await store.recordDetections(acquisitionIds[0]!, [
    { detection: det(51.15), site: { new: { campaignId: campaign.id, name: 'S', lat: 51.15, lon: -1.44 } } },
  ]);
  const siteId = first.sites[0]!.id;
  await store.recordDetections(acquisitionIds[2]!, [{ detection: det(51.1501), site: { id: siteId } }]);
  return { store, agency, partner, actors, siteId, acquisitionIds };
}

let w: World;
beforeEach(async () => {
  w = await world();
});
afterEach(async () => {
  await w.store.close();
});

let minute = 0;
function act(kind: WorkflowActionKind, actor: Actor, extra: Partial<WorkflowAction> = {}): WorkflowAction {
  minute += 1;
  return {
    kind,
    actor,
    at: new Date(Date.parse('2026-06-01T00:00:00Z') + minute * 60_000).toISOString(),
    reason: `${kind} reason`,
    ...extra,
  };
}

describe('workflow store', () => {
  it('stamps new sites with their campaign organization and measures persistence over covering overflights', async () => {
    const site = await w.store.getSite(w.siteId);
    expect(site?.organizationId).toBe(w.agency.id);
    const cov = await w.store.siteCoverage(w.siteId);
    expect(cov.overflights).toBe(3);
    expect(cov.detectedFlights).toBe(2);
    expect(cov.persistence).toBeCloseTo(2 / 3, 12);
    expect(cov.flights.map((f) => f.detected)).toEqual([true, false, true]);
  });

  it('walks candidate → verified, writing reviews, referral, timeline, notifications, evidence and audit', async () => {
    const { store, actors } = w;
    await store.applyWorkflowAction(w.siteId, act('r1-review', actors.analyst));
    await store.applyWorkflowAction(w.siteId, act('r2-confirm', actors.reviewer));
    const referred = await store.applyWorkflowAction(w.siteId, act('refer', actors.analyst));
    expect(referred.site.status).toBe('referred');
    expect(referred.referral?.organizationId).toBe(w.partner.id);
    expect(referred.referral?.basis).toBe('jurisdiction');
    expect(referred.referral?.containingOrganizationIds).toEqual([w.partner.id]);
    // 12 kg/h, persistence 2/3, no population data: the urgency rule gives a score of
    // 0.45·log10(120)/3 + 0.25·2/3 ≈ 0.4468 → priority.
    expect(referred.referral?.urgency?.score).toBeCloseTo(0.45 * (Math.log10(120) / 3) + 0.25 * (2 / 3), 10);
    expect(referred.referral?.urgency?.level).toBe('priority');
    expect((await store.listNotifications(w.partner.id)).map((x) => x.topic)).toEqual(['referral-received']);

    await store.applyWorkflowAction(w.siteId, act('acknowledge', actors.partner));
    const ev = await store.applyWorkflowAction(w.siteId, act('upload-evidence', actors.partner), {
      evidence: { filename: 'photo.jpg', mediaType: 'image/jpeg', content: new Uint8Array([1, 2, 3]) },
    });
    expect(ev.evidence?.sizeBytes).toBe(3);
    const got = await store.getEvidenceContent(ev.evidence!.id);
    expect([...got!.content]).toEqual([1, 2, 3]);
    await store.applyWorkflowAction(w.siteId, act('comment', actors.analyst));
    await store.applyWorkflowAction(w.siteId, act('inspect', actors.partner));
    const closed = await store.applyWorkflowAction(
      w.siteId,
      act('record-outcome', actors.partner, { outcome: 'dismantled' }),
    );
    expect(closed.referral?.outcome).toBe('dismantled');
    const verified = await store.applyWorkflowAction(
      w.siteId,
      act('verify', actors.analyst, { overflightAt: '2026-07-01T00:00:00.000Z' }),
    );
    expect(verified.site.status).toBe('verified');
    expect(verified.referral?.overflightAt).toBe('2026-07-01T00:00:00.000Z');
    const r = verified.referral!;
    expect(r.acknowledgedAt! < r.inspectedAt!).toBe(true);
    expect(r.inspectedAt! < r.closedAt!).toBe(true);

    const reviews = await store.listReviews(w.siteId);
    expect(reviews.map((x) => [x.stage, x.decision, x.reviewerId])).toEqual([
      ['R1', 'reviewed', actors.analyst.userId],
      ['R2', 'confirmed', actors.reviewer.userId],
    ]);
    const events = await store.listReferralEvents(r.id);
    expect(events.map((e) => e.kind)).toEqual([
      'referred',
      'acknowledged',
      'evidence',
      'comment',
      'inspected',
      'outcome',
      'verified',
    ]);
    expect(await store.listReferrals({ organizationId: w.partner.id })).toHaveLength(1);
    expect(await store.listReferrals({ siteOrganizationId: w.agency.id })).toHaveLength(1);
    expect(await store.listSites({ referredToOrganizationId: w.partner.id })).toHaveLength(1);
    expect(await store.listSites({ referredToOrganizationId: w.agency.id })).toHaveLength(0);
    const audit = await store.listAudit();
    expect(verifyAuditChain(audit).ok).toBe(true);
    expect(audit.filter((e) => e.entityType === 'site').map((e) => e.action)).toEqual([
      'site.r1-review',
      'site.r2-confirm',
      'site.refer',
      'site.acknowledge',
      'site.upload-evidence',
      'site.comment',
      'site.inspect',
      'site.record-outcome',
      'site.verify',
    ]);
  });

  it('refuses the R1 reviewer as R2 and writes nothing', async () => {
    const { store, actors } = w;
    const admin = actors.admin;
    await store.applyWorkflowAction(w.siteId, act('r1-review', admin));
    const before = (await store.listAudit()).length;
    await expect(store.applyWorkflowAction(w.siteId, act('r2-confirm', admin))).rejects.toMatchObject({
      code: 'PT_ERR_WORKFLOW_FORBIDDEN',
    });
    expect((await store.getSite(w.siteId))?.status).toBe('r1-reviewed');
    expect(await store.listReviews(w.siteId)).toHaveLength(1);
    expect(await store.listAudit()).toHaveLength(before);
  });

  it('rejects bad evidence without writing, and an unknown site with 404', async () => {
    const { store, actors } = w;
    await store.applyWorkflowAction(w.siteId, act('r1-review', actors.analyst));
    await store.applyWorkflowAction(w.siteId, act('r2-confirm', actors.reviewer));
    await store.applyWorkflowAction(w.siteId, act('refer', actors.analyst));
    for (const evidence of [
      undefined,
      { filename: '../etc/passwd', mediaType: 'text/plain', content: new Uint8Array([1]) },
      { filename: 'a.txt', mediaType: 'not a type', content: new Uint8Array([1]) },
      { filename: 'a.txt', mediaType: 'text/plain', content: new Uint8Array(0) },
    ]) {
      await expect(
        store.applyWorkflowAction(w.siteId, act('upload-evidence', actors.partner), { evidence }),
      ).rejects.toBeInstanceOf(PlumetraceError);
    }
    const ref = (await store.listReferrals({ siteId: w.siteId }))[0]!;
    expect(await store.listEvidence(ref.id)).toHaveLength(0);
    await expect(store.applyWorkflowAction('nope', act('r1-review', actors.analyst))).rejects.toMatchObject({
      code: 'PT_ERR_NOT_FOUND',
    });
  });
});
