/**
 * The review and referral routes (issue 4): reviews and referral of a site, the partner's steps
 * on a referral (acknowledge, inspect, outcome, comments, evidence), verification, and what a
 * caller may read (referrals, notifications, organizations, the audit log). Every write goes
 * through Store.applyWorkflowAction, i.e. through the one state machine, in one transaction with
 * its audit event; the machine decides who may do what. Row-level visibility: visibility.ts.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { PlumetraceError } from '../core/errors.ts';
import {
  REFERRED_STATES,
  tableCell,
  WORKFLOW_ACTIONS,
  type WorkflowAction,
  type WorkflowActionKind,
  type WorkflowSite,
} from '../core/workflow/machine.ts';
import { referralOverdue } from '../core/workflow/urgency.ts';
import { referralPackage } from '../pipeline/referral-package.ts';
import { verifyAuditChain } from '../store/audit.ts';
import type { NewEvidence, Referral, Site, Store } from '../store/types.ts';
import { errorResponses } from './schemas.ts';
import { type Viewer, viewerOf, visibleReferral, visibleSite } from './visibility.ts';
import {
  auditQuerystring,
  auditResponse,
  commentBody,
  evidenceBody,
  evidenceParams,
  idParams,
  notificationsResponse,
  organizationsResponse,
  outcomeBody,
  packageParams,
  referBody,
  referralDetailResponse,
  referralsQuerystring,
  referralsResponse,
  reviewBody,
  reviewsResponse,
  stepBody,
  verifyBody,
  workflowResultResponse,
} from './workflow-schemas.ts';

type Params = { Params: { id: string } };

/** The referral package's files: media type and file extension. */
export const PACKAGE_FORMATS = {
  pdf: { type: 'application/pdf', ext: 'pdf' },
  geojson: { type: 'application/geo+json; charset=utf-8', ext: 'geojson' },
  kml: { type: 'application/vnd.google-earth.kml+xml; charset=utf-8', ext: 'kml' },
  kmz: { type: 'application/vnd.google-earth.kmz', ext: 'kmz' },
  cot: { type: 'application/xml; charset=utf-8', ext: 'cot.xml' },
  csv: { type: 'text/csv; charset=utf-8', ext: 'csv' },
} as const;
type PackageFormat = keyof typeof PACKAGE_FORMATS;

/** The actions the viewer could take on a site now (the table's cells for its state and the viewer's standing). */
export function allowedActions(v: Viewer, site: Site, referral: Referral | null): WorkflowActionKind[] {
  const ws: WorkflowSite = { status: site.status };
  return WORKFLOW_ACTIONS.filter((kind) => {
    const cell = tableCell(ws.status, kind);
    if (!cell) return false;
    return cell.who.some(
      (w) =>
        w.role === v.actor.role &&
        (w.org === 'site'
          ? site.organizationId === v.actor.organizationId
          : REFERRED_STATES.includes(site.status) && referral?.organizationId === v.actor.organizationId),
    );
  });
}

export function workflowRoutes(store: Store) {
  return async (api: FastifyInstance): Promise<void> => {
    const orgName = async (id: string): Promise<string> => (await store.getOrganization(id))?.name ?? id;
    /** A platform user's display name (people appear by display name only, never by email). */
    const userName = async (id: string): Promise<string> => (await store.getUser(id))?.displayName ?? 'former user';

    const referralView = async (r: Referral, site: Site, now: string) => {
      const report = referralOverdue(r, site.status, now);
      return {
        ...r,
        organizationName: await orgName(r.organizationId),
        deadlines: report?.deadlines ?? [],
        overdue: report?.flagged ?? false,
        site: {
          id: site.id,
          name: site.name,
          lat: site.lat,
          lon: site.lon,
          gases: site.gases,
          status: site.status,
          rateKgPerHour: site.rateKgPerHour,
          rateSigmaKgPerHour: site.rateSigmaKgPerHour,
        },
      };
    };

    /** Applies one workflow action for the caller and answers with what it changed. */
    const act = async (
      request: FastifyRequest,
      reply: FastifyReply,
      siteId: string,
      fields: Omit<WorkflowAction, 'actor' | 'at'>,
      evidence?: NewEvidence,
    ) => {
      const v = viewerOf(request);
      await visibleSite(store, v, siteId);
      const result = await store.applyWorkflowAction(
        siteId,
        { ...fields, actor: v.actor, at: new Date().toISOString() },
        evidence ? { evidence } : {},
      );
      reply.code(fields.kind === 'upload-evidence' || fields.kind === 'refer' ? 201 : 200);
      return {
        siteId,
        status: result.site.status,
        auditEventId: result.auditEvent.id,
        referralId: result.referral?.id ?? null,
        ...(result.evidence ? { evidenceId: result.evidence.id } : {}),
      };
    };
    const written = { 200: workflowResultResponse, 201: workflowResultResponse, ...errorResponses };

    /** The referral the caller may see, for a partner step on it. */
    const onReferral = async (request: FastifyRequest, id: string) =>
      (await visibleReferral(store, viewerOf(request), id)).referral;

    // ---- sites: reviews, referral, verification ----

    api.get<Params>(
      '/sites/:id/reviews',
      { schema: { params: idParams, response: { 200: reviewsResponse, ...errorResponses } } },
      async (request) => {
        const v = viewerOf(request);
        const site = await visibleSite(store, v, request.params.id);
        // Partners see referrals, not the agency's internal deliberation.
        if (v.organizationKind === 'partner') return [];
        const reviews = await store.listReviews(site.id);
        return Promise.all(reviews.map(async (r) => ({ ...r, reviewerName: await userName(r.reviewerId) })));
      },
    );

    api.post<Params & { Body: { decision: 'reviewed' | 'confirmed' | 'dismissed'; reason: string } }>(
      '/sites/:id/reviews',
      { schema: { params: idParams, body: reviewBody, response: written } },
      async (request, reply) => {
        const { decision, reason } = request.body;
        const kind = decision === 'reviewed' ? 'r1-review' : decision === 'confirmed' ? 'r2-confirm' : 'r2-dismiss';
        return act(request, reply, request.params.id, { kind, reason });
      },
    );

    api.post<Params & { Body: { organizationId?: string; reason?: string } }>(
      '/sites/:id/referral',
      { schema: { params: idParams, body: referBody, response: written } },
      async (request, reply) =>
        act(request, reply, request.params.id, {
          kind: 'refer',
          ...(request.body.organizationId ? { referralOrganizationId: request.body.organizationId } : {}),
          ...(request.body.reason ? { reason: request.body.reason } : {}),
        }),
    );

    api.post<Params & { Body: { overflightAt: string; reason?: string } }>(
      '/sites/:id/verify',
      { schema: { params: idParams, body: verifyBody, response: written } },
      async (request, reply) => {
        // A verifying overflight has flown (a little clock skew is tolerated).
        if (Date.parse(request.body.overflightAt) > Date.now() + 5 * 60_000)
          throw new PlumetraceError('PT_ERR_BAD_REQUEST', 'body/overflightAt lies in the future', {
            column: 'overflightAt',
          });
        return act(request, reply, request.params.id, {
          kind: 'verify',
          overflightAt: request.body.overflightAt,
          ...(request.body.reason ? { reason: request.body.reason } : {}),
        });
      },
    );

    // ---- referrals ----

    api.get<{ Querystring: { status?: Referral['status']; overdue?: boolean } }>(
      '/referrals',
      { schema: { querystring: referralsQuerystring, response: { 200: referralsResponse, ...errorResponses } } },
      async (request) => {
        const v = viewerOf(request);
        const list = await store.listReferrals(
          v.organizationKind === 'partner'
            ? { organizationId: v.actor.organizationId }
            : { siteOrganizationId: v.actor.organizationId },
        );
        const now = new Date().toISOString();
        const views = [];
        for (const r of list) {
          if (request.query.status !== undefined && r.status !== request.query.status) continue;
          const site = await store.getSite(r.siteId);
          if (!site) continue;
          const view = await referralView(r, site, now);
          if (request.query.overdue !== undefined && view.overdue !== request.query.overdue) continue;
          views.push(view);
        }
        return views;
      },
    );

    api.get<Params>(
      '/referrals/:id',
      { schema: { params: idParams, response: { 200: referralDetailResponse, ...errorResponses } } },
      async (request) => {
        const v = viewerOf(request);
        const { referral, site } = await visibleReferral(store, v, request.params.id);
        return {
          ...(await referralView(referral, site, new Date().toISOString())),
          events: await Promise.all(
            (await store.listReferralEvents(referral.id)).map(async (e) => ({
              ...e,
              byName: await userName(e.byUserId),
            })),
          ),
          evidence: await Promise.all(
            (await store.listEvidence(referral.id)).map(async (e) => ({
              ...e,
              uploadedByName: await userName(e.uploadedBy),
            })),
          ),
          actions: allowedActions(v, site, referral),
        };
      },
    );

    for (const [path, kind] of [
      ['acknowledge', 'acknowledge'],
      ['inspect', 'inspect'],
    ] as const) {
      api.post<Params & { Body: { comment?: string } }>(
        `/referrals/:id/${path}`,
        { schema: { params: idParams, body: stepBody, response: written } },
        async (request, reply) => {
          const r = await onReferral(request, request.params.id);
          return act(request, reply, r.siteId, {
            kind,
            ...(request.body?.comment ? { reason: request.body.comment } : {}),
          });
        },
      );
    }

    api.post<Params & { Body: { outcome: NonNullable<Referral['outcome']>; comment?: string } }>(
      '/referrals/:id/outcome',
      { schema: { params: idParams, body: outcomeBody, response: written } },
      async (request, reply) => {
        const r = await onReferral(request, request.params.id);
        return act(request, reply, r.siteId, {
          kind: 'record-outcome',
          outcome: request.body.outcome,
          ...(request.body.comment ? { reason: request.body.comment } : {}),
        });
      },
    );

    api.post<Params & { Body: { text: string } }>(
      '/referrals/:id/comments',
      { schema: { params: idParams, body: commentBody, response: written } },
      async (request, reply) => {
        const r = await onReferral(request, request.params.id);
        return act(request, reply, r.siteId, { kind: 'comment', reason: request.body.text });
      },
    );

    api.post<Params & { Body: { filename: string; mediaType: string; contentBase64: string } }>(
      '/referrals/:id/evidence',
      { schema: { params: idParams, body: evidenceBody, response: written }, bodyLimit: 12_500_000 },
      async (request, reply) => {
        const r = await onReferral(request, request.params.id);
        const { filename, mediaType, contentBase64 } = request.body;
        if (!/^[A-Za-z0-9+/]+={0,2}$/.test(contentBase64) || contentBase64.length % 4 !== 0)
          throw new PlumetraceError('PT_ERR_BAD_REQUEST', 'body/contentBase64 is not base64', {
            column: 'contentBase64',
          });
        const content = new Uint8Array(Buffer.from(contentBase64, 'base64'));
        return act(request, reply, r.siteId, { kind: 'upload-evidence' }, { filename, mediaType, content });
      },
    );

    api.get<{ Params: { id: string; evidenceId: string } }>(
      '/referrals/:id/evidence/:evidenceId',
      { schema: { params: evidenceParams, response: { ...errorResponses } } },
      async (request, reply) => {
        const r = await onReferral(request, request.params.id);
        const found = await store.getEvidenceContent(request.params.evidenceId);
        if (!found || found.evidence.referralId !== r.id)
          throw new PlumetraceError('PT_ERR_NOT_FOUND', `no evidence "${request.params.evidenceId}" on this referral`);
        // Served as a download, never rendered: a partner's upload must not run in the app's origin.
        return reply
          .header('content-type', 'application/octet-stream')
          .header('content-disposition', `attachment; filename="${found.evidence.filename.replace(/[^\w.-]/g, '_')}"`)
          .header('x-content-type-options', 'nosniff')
          .header('x-evidence-media-type', found.evidence.mediaType)
          .header('x-evidence-sha256', found.evidence.sha256)
          .send(Buffer.from(found.content));
      },
    );

    api.get<{ Params: { id: string; format: PackageFormat } }>(
      '/referrals/:id/package/:format',
      { schema: { params: packageParams, response: { ...errorResponses } } },
      async (request, reply) => {
        const v = viewerOf(request);
        const { referral } = await visibleReferral(store, v, request.params.id);
        const user = request.user!;
        const org = await store.getOrganization(user.organizationId);
        const files = await referralPackage(store, referral, {
          generatedBy: { displayName: user.displayName, organizationName: org?.name ?? '' },
        });
        const format = request.params.format;
        await store.appendAudit({
          action: 'referral.exported',
          entityType: 'referral',
          entityId: referral.id,
          actorUserId: v.actor.userId,
          payload: { format, siteId: referral.siteId },
        });
        const { type, ext } = PACKAGE_FORMATS[format];
        const body = files[format];
        return reply
          .header('content-type', type)
          .header('content-disposition', `attachment; filename="referral-${referral.id.slice(0, 8)}.${ext}"`)
          .send(typeof body === 'string' ? body : Buffer.from(body));
      },
    );

    // ---- what a caller may read besides ----

    api.get(
      '/organizations',
      { schema: { response: { 200: organizationsResponse, ...errorResponses } } },
      async (request) => {
        const v = viewerOf(request);
        const orgs = await store.listOrganizations();
        const jurisdictions = await store.listJurisdictions();
        // A partner knows only itself; an analyst sees the authorities it may refer to.
        return orgs
          .filter((o) => (v.organizationKind === 'partner' ? o.id === v.actor.organizationId : true))
          .map((o) => ({
            id: o.id,
            name: o.name,
            kind: o.kind,
            jurisdictions: jurisdictions.filter((j) => j.organizationId === o.id).map((j) => j.name),
          }));
      },
    );

    api.get(
      '/notifications',
      { schema: { response: { 200: notificationsResponse, ...errorResponses } } },
      async (request) => store.listNotifications(viewerOf(request).actor.organizationId),
    );

    api.get<{ Querystring: { entityType?: string; entityId?: string; limit?: number } }>(
      '/audit',
      { schema: { querystring: auditQuerystring, response: { 200: auditResponse, ...errorResponses } } },
      async (request) => {
        const v = viewerOf(request);
        if (v.actor.role !== 'admin' || v.organizationKind !== 'analyst')
          throw new PlumetraceError('PT_ERR_FORBIDDEN', 'the audit log is for administrators of the analyst agency');
        const all = await store.listAudit();
        const { entityType, entityId, limit } = request.query;
        const events = all.filter(
          (e) =>
            (entityType === undefined || e.entityType === entityType) &&
            (entityId === undefined || e.entityId === entityId),
        );
        return { chain: verifyAuditChain(all), events: limit ? events.slice(-limit) : events };
      },
    );
  };
}
