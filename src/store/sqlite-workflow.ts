/**
 * The review and referral workflow on SQLite: reads what the state machine needs inside the
 * caller's transaction, runs `transition` (core/workflow/machine.ts, the only place the rules
 * live), and writes its effects. Also the fusion read of a site's coverage (which overflights saw
 * it, and which detected it). Called by SqliteStore; nothing here opens its own transaction.
 */
import { createHash, randomUUID } from 'node:crypto';
import { booleanPointInPolygon } from '@turf/boolean-point-in-polygon';
import type { MultiPolygon, Polygon } from 'geojson';
import type { Kysely, Transaction } from 'kysely';
import { PlumetraceError } from '../core/errors.ts';
import { associateReport } from '../core/fusion/priority.ts';
import { distanceM } from '../core/geo/local-frame.ts';
import { transition, type WorkflowAction, type WorkflowSite } from '../core/workflow/machine.ts';
import { urgency } from '../core/workflow/urgency.ts';
import { referralRow, toReferral, toReport, toSite } from './mapping.ts';
import type { Database } from './schema.ts';
import type {
  AuditEvent,
  Evidence,
  NewAuditEvent,
  NewEvidence,
  NewReport,
  Referral,
  ReferralEvent,
  Report,
  SiteCoverage,
  WorkflowWriteResult,
} from './types.ts';

/** Largest evidence file accepted (bytes). */
export const MAX_EVIDENCE_BYTES = 8 * 1024 * 1024;

type Db = Kysely<Database> | Transaction<Database>;

/** Organizations whose jurisdiction polygons contain the point. */
export async function containingOrganizationIds(db: Db, lat: number, lon: number): Promise<string[]> {
  const rows = await db
    .selectFrom('jurisdiction')
    .select(['organization_id', 'geometry'])
    .where('min_lat', '<=', lat)
    .where('max_lat', '>=', lat)
    .where('min_lon', '<=', lon)
    .where('max_lon', '>=', lon)
    .execute();
  const ids = new Set<string>();
  for (const r of rows) {
    const g = JSON.parse(r.geometry) as Polygon | MultiPolygon;
    if (booleanPointInPolygon([lon, lat], g)) ids.add(r.organization_id);
  }
  return [...ids].sort();
}

/** The overflights that covered a site: flights with an acquisition whose footprint contains it, or that detected it. */
export async function siteCoverageIn(db: Db, siteId: string): Promise<SiteCoverage> {
  const site = await db.selectFrom('site').select(['lat', 'lon']).where('id', '=', siteId).executeTakeFirst();
  if (!site) throw new PlumetraceError('PT_ERR_NOT_FOUND', `site ${siteId} does not exist`);
  const { lat, lon } = site;
  const covering = await db
    .selectFrom('acquisition as a')
    .innerJoin('flight as f', 'f.id', 'a.flight_id')
    .select(['a.footprint', 'f.id as flight_id', 'f.name', 'f.start_time'])
    .where('a.min_lat', '<=', lat)
    .where('a.max_lat', '>=', lat)
    .where('a.min_lon', '<=', lon)
    .where('a.max_lon', '>=', lon)
    .execute();
  const detecting = await db
    .selectFrom('detection as d')
    .innerJoin('acquisition as a', 'a.id', 'd.acquisition_id')
    .innerJoin('flight as f', 'f.id', 'a.flight_id')
    .select(['f.id as flight_id', 'f.name', 'f.start_time'])
    .where('d.site_id', '=', siteId)
    .execute();
  const flights = new Map<string, SiteCoverage['flights'][number]>();
  for (const r of covering) {
    if (r.footprint === null || !booleanPointInPolygon([lon, lat], JSON.parse(r.footprint) as Polygon)) continue;
    flights.set(r.flight_id, { flightId: r.flight_id, name: r.name, startTime: r.start_time, detected: false });
  }
  for (const r of detecting)
    flights.set(r.flight_id, { flightId: r.flight_id, name: r.name, startTime: r.start_time, detected: true });
  const list = [...flights.values()].sort((a, b) => a.startTime.localeCompare(b.startTime));
  const detectedFlights = list.filter((f) => f.detected).length;
  return {
    overflights: list.length,
    detectedFlights,
    persistence: list.length > 0 ? detectedFlights / list.length : null,
    flights: list,
  };
}

export async function latestReferral(db: Db, siteId: string): Promise<Referral | null> {
  const r = await db
    .selectFrom('referral')
    .selectAll()
    .where('site_id', '=', siteId)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .executeTakeFirst();
  return r ? toReferral(r) : null;
}

function checkEvidence(e: NewEvidence | undefined): NewEvidence {
  if (!e) throw new PlumetraceError('PT_ERR_BAD_REQUEST', 'upload-evidence needs the evidence file');
  const name = e.filename.trim();
  if (name === '' || name.length > 255 || /[/\\\0]/.test(name))
    throw new PlumetraceError('PT_ERR_BAD_REQUEST', 'evidence filename must be 1–255 characters without / \\ or NUL', {
      column: 'filename',
    });
  if (!/^[a-z]+\/[a-z0-9.+-]+$/i.test(e.mediaType))
    throw new PlumetraceError('PT_ERR_BAD_REQUEST', `evidence mediaType "${e.mediaType}" is not a media type`, {
      column: 'mediaType',
    });
  if (e.content.byteLength === 0 || e.content.byteLength > MAX_EVIDENCE_BYTES)
    throw new PlumetraceError(
      'PT_ERR_BAD_REQUEST',
      `evidence must hold 1 to ${MAX_EVIDENCE_BYTES} bytes, got ${e.content.byteLength}`,
      { column: 'content' },
    );
  return { ...e, filename: name };
}

type AppendAudit = (trx: Transaction<Database>, e: NewAuditEvent) => Promise<AuditEvent>;

/** See Store.applyWorkflowAction. */
export async function applyWorkflowActionIn(
  trx: Transaction<Database>,
  siteId: string,
  action: WorkflowAction,
  opts: { evidence?: NewEvidence },
  appendAudit: AppendAudit,
): Promise<WorkflowWriteResult> {
  const row = await trx.selectFrom('site').selectAll().where('id', '=', siteId).executeTakeFirst();
  if (!row) throw new PlumetraceError('PT_ERR_NOT_FOUND', `site ${siteId} does not exist`);
  const reviews = await trx
    .selectFrom('review')
    .select(['stage', 'reviewer_id'])
    .where('site_id', '=', siteId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  let referral = await latestReferral(trx, siteId);
  const wsite: WorkflowSite = {
    status: row.status,
    r1ReviewerId: reviews.findLast((r) => r.stage === 'R1')?.reviewer_id,
    r2ReviewerId: reviews.findLast((r) => r.stage === 'R2')?.reviewer_id,
    outcomeAt: referral?.closedAt ?? undefined,
  };
  const containing = await containingOrganizationIds(trx, row.lat, row.lon);
  const named = action.kind === 'refer' ? action.referralOrganizationId : undefined;
  if (named !== undefined) {
    const org = await trx.selectFrom('organization').select('kind').where('id', '=', named).executeTakeFirst();
    if (org?.kind !== 'partner')
      throw new PlumetraceError('PT_ERR_BAD_REQUEST', `no partner organization with id "${named}"`, {
        column: 'organizationId',
      });
  }
  const evidence = action.kind === 'upload-evidence' ? checkEvidence(opts.evidence) : undefined;
  const evidenceId = evidence ? randomUUID() : undefined;
  const result = transition(wsite, evidenceId ? { ...action, evidenceId } : action, {
    // A site without an owner has no one with standing on it: the machine refuses everyone.
    siteOrganizationId: row.organization_id ?? '',
    referralOrganizationId: referral?.organizationId,
    jurisdictionOrganizationIds: containing,
  });

  const at = action.at;
  const by = action.actor.userId;
  const event = async (kind: ReferralEvent['kind'], text: string | null, evId: string | null = null) => {
    if (!referral) throw new PlumetraceError('PT_ERR_WORKFLOW_ILLEGAL_TRANSITION', `site ${siteId} has no referral`);
    await trx
      .insertInto('referral_event')
      .values({ id: randomUUID(), referral_id: referral.id, kind, at, by_user_id: by, text, evidence_id: evId })
      .execute();
  };
  let storedEvidence: Evidence | undefined;
  for (const e of result.effects) {
    switch (e.kind) {
      case 'record-review':
        await trx
          .insertInto('review')
          .values({
            id: randomUUID(),
            site_id: siteId,
            stage: e.stage,
            reviewer_id: e.reviewerId,
            decision: e.decision,
            reason: e.reason,
            created_at: e.at,
          })
          .execute();
        break;
      case 'create-referral': {
        const coverage = await siteCoverageIn(trx, siteId);
        const populated = await trx.selectFrom('population_point').select('id').limit(1).executeTakeFirst();
        const u = urgency({
          rateKgPerHour: row.rate_kg_per_hour ?? 0,
          rateSigmaKgPerHour: row.rate_sigma_kg_per_hour ?? 0,
          persistence: coverage.persistence ?? 0,
          ...(populated ? { peopleWithinM: await peopleNearIn(trx, row.lat, row.lon, PEOPLE_RADIUS_M) } : {}),
        });
        referral = {
          id: randomUUID(),
          siteId,
          organizationId: e.organizationId,
          status: 'referred',
          outcome: null,
          createdAt: e.at,
          updatedAt: e.at,
          basis: e.basis,
          containingOrganizationIds: e.containingOrganizationIds,
          reason: e.reason ?? null,
          createdBy: by,
          urgency: u,
          acknowledgedAt: null,
          inspectedAt: null,
          closedAt: null,
          verifiedAt: null,
          overflightAt: null,
        };
        await trx.insertInto('referral').values(referralRow(referral)).execute();
        await event('referred', e.reason ?? null);
        break;
      }
      case 'notify-organization':
        await trx
          .insertInto('notification')
          .values({
            id: randomUUID(),
            organization_id: e.organizationId,
            referral_id: referral?.id ?? null,
            site_id: siteId,
            topic: e.topic,
            at: e.at,
          })
          .execute();
        break;
      case 'update-referral': {
        const field = { acknowledged: 'acknowledgedAt', inspected: 'inspectedAt', closed: 'closedAt' } as const;
        if (!referral)
          throw new PlumetraceError('PT_ERR_WORKFLOW_ILLEGAL_TRANSITION', `site ${siteId} has no referral`);
        referral = { ...referral, status: e.status, [field[e.status]]: e.at, updatedAt: e.at };
        if (e.status !== 'closed') await event(e.status, action.reason?.trim() || null);
        break;
      }
      case 'record-outcome':
        referral = { ...referral!, outcome: e.outcome, updatedAt: e.at };
        await event('outcome', [e.outcome, action.reason?.trim()].filter(Boolean).join(': '));
        break;
      case 'record-verification':
        referral = { ...referral!, verifiedAt: e.at, overflightAt: e.overflightAt, updatedAt: e.at };
        await event('verified', action.reason?.trim() || null);
        break;
      case 'add-comment':
        await event('comment', e.text);
        break;
      case 'attach-evidence': {
        const ev = evidence!;
        storedEvidence = {
          id: e.evidenceId,
          referralId: referral!.id,
          filename: ev.filename,
          mediaType: ev.mediaType,
          sha256: createHash('sha256').update(ev.content).digest('hex'),
          sizeBytes: ev.content.byteLength,
          uploadedBy: by,
          createdAt: e.at,
        };
        await trx
          .insertInto('evidence')
          .values({
            id: storedEvidence.id,
            referral_id: storedEvidence.referralId,
            filename: storedEvidence.filename,
            media_type: storedEvidence.mediaType,
            sha256: storedEvidence.sha256,
            size_bytes: storedEvidence.sizeBytes,
            content: ev.content,
            uploaded_by: by,
            created_at: e.at,
          })
          .execute();
        await event('evidence', ev.filename, storedEvidence.id);
        break;
      }
    }
  }
  if (referral) {
    const { id, ...changes } = referralRow(referral);
    await trx.updateTable('referral').set(changes).where('id', '=', id).execute();
  }
  await trx.updateTable('site').set({ status: result.status, updated_at: at }).where('id', '=', siteId).execute();
  const auditEvent = await appendAudit(trx, {
    action: result.auditEvent.action,
    entityType: 'site',
    entityId: siteId,
    actorUserId: by,
    payload: {
      ...result.auditEvent.payload,
      ...(referral ? { referralId: referral.id, referralOrganizationId: referral.organizationId } : {}),
      ...(storedEvidence ? { evidenceId: storedEvidence.id, evidenceSha256: storedEvidence.sha256 } : {}),
    },
  });
  const site = toSite(await trx.selectFrom('site').selectAll().where('id', '=', siteId).executeTakeFirstOrThrow());
  return { site, referral, auditEvent, ...(storedEvidence ? { evidence: storedEvidence } : {}) };
}

/** How far the urgency rule counts people (its weight is 0 beyond 2 km). */
export const PEOPLE_RADIUS_M = 2000;

/** People within `radiusM` of a point: (distance, count) pairs. */
export async function peopleNearIn(
  db: Db,
  lat: number,
  lon: number,
  radiusM: number,
): Promise<{ distanceM: number; people: number }[]> {
  const dLat = radiusM / 111_000 + 1e-6;
  const dLon = dLat / Math.max(0.01, Math.cos((lat * Math.PI) / 180));
  const rows = await db
    .selectFrom('population_point')
    .select(['lat', 'lon', 'people'])
    .where('lat', '>=', lat - dLat)
    .where('lat', '<=', lat + dLat)
    .where('lon', '>=', lon - dLon)
    .where('lon', '<=', lon + dLon)
    .execute();
  return rows
    .map((r) => ({ distanceM: distanceM(lat, lon, r.lat, r.lon), people: r.people }))
    .filter((p) => p.distanceM <= radiusM);
}

function checkReport(r: NewReport): void {
  const bad = (field: string, why: string) =>
    new PlumetraceError('PT_ERR_BAD_REQUEST', `${field} ${why}`, { column: field });
  if (!Number.isFinite(r.lat) || Math.abs(r.lat) > 90) throw bad('lat', 'must be a latitude');
  if (!Number.isFinite(r.lon) || Math.abs(r.lon) > 180) throw bad('lon', 'must be a longitude');
  if (!Number.isFinite(r.uncertaintyM) || r.uncertaintyM < 0 || r.uncertaintyM > 100_000)
    throw bad('uncertaintyM', 'must be 0–100,000 m');
  if (!Number.isFinite(r.credibility) || r.credibility < 0 || r.credibility > 1)
    throw bad('credibility', 'must lie in [0, 1]');
  if (Number.isNaN(Date.parse(r.observedAt))) throw bad('observedAt', 'must be an ISO-8601 time');
  if (r.source.trim() === '' || r.text.trim() === '') throw bad('text', 'and source must not be empty');
}

/** See Store.addReport. */
export async function addReportIn(trx: Transaction<Database>, r: NewReport, appendAudit: AppendAudit): Promise<Report> {
  checkReport(r);
  const sites = await trx
    .selectFrom('site')
    .select(['id', 'lat', 'lon'])
    .where('organization_id', '=', r.organizationId)
    .execute();
  const match = associateReport(r, sites);
  const report: Report = { ...r, id: randomUUID(), siteId: match?.siteId ?? null, createdAt: new Date().toISOString() };
  await trx
    .insertInto('report')
    .values({
      id: report.id,
      organization_id: report.organizationId,
      site_id: report.siteId,
      lat: report.lat,
      lon: report.lon,
      uncertainty_m: report.uncertaintyM,
      observed_at: report.observedAt,
      credibility: report.credibility,
      source: report.source,
      text: report.text,
      created_by: report.createdBy,
      created_at: report.createdAt,
    })
    .execute();
  await appendAudit(trx, {
    action: 'report.added',
    entityType: 'report',
    entityId: report.id,
    actorUserId: report.createdBy,
    payload: {
      siteId: report.siteId,
      credibility: report.credibility,
      source: report.source,
      distanceM: match?.distanceM ?? null,
    },
  });
  return report;
}

export async function listReportsIn(db: Db, filter: { organizationId?: string; siteId?: string }): Promise<Report[]> {
  let q = db.selectFrom('report').selectAll();
  if (filter.organizationId !== undefined) q = q.where('organization_id', '=', filter.organizationId);
  if (filter.siteId !== undefined) q = q.where('site_id', '=', filter.siteId);
  return (await q.orderBy('observed_at').orderBy('id').execute()).map(toReport);
}

/** See Store.loadPopulation. */
export async function loadPopulationIn(
  trx: Transaction<Database>,
  organizationId: string,
  dataset: string,
  points: readonly { lat: number; lon: number; people: number }[],
  actorUserId: string | null,
  appendAudit: AppendAudit,
): Promise<{ points: number; people: number }> {
  await trx
    .deleteFrom('population_point')
    .where('organization_id', '=', organizationId)
    .where('dataset', '=', dataset)
    .execute();
  let people = 0;
  for (let i = 0; i < points.length; i += 500) {
    const chunk = points.slice(i, i + 500).map((p) => {
      people += p.people;
      return { id: randomUUID(), organization_id: organizationId, dataset, lat: p.lat, lon: p.lon, people: p.people };
    });
    await trx.insertInto('population_point').values(chunk).execute();
  }
  await appendAudit(trx, {
    action: 'population.loaded',
    entityType: 'organization',
    entityId: organizationId,
    actorUserId,
    payload: { dataset, points: points.length, people },
  });
  return { points: points.length, people };
}
