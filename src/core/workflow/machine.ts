/**
 * The review and referral workflow of a site, as an explicit, pure state machine (issue 4, item 2).
 *
 *   candidate ─r1-review─► r1-reviewed ─r2-confirm─► confirmed ─refer─► referred ─acknowledge─► acknowledged
 *                                      └r2-dismiss─► dismissed
 *   acknowledged ─inspect─► inspected ─record-outcome─► closed ─verify─► verified
 *   referred | acknowledged | inspected: comment, upload-evidence (state unchanged)
 *
 * `WORKFLOW_TABLE` is the machine as data (docs and the API show it); `transition` enforces it plus
 * the charter's rules: two different people review (R1 analyst, R2 reviewer) before anything
 * leaves the platform; a referral goes to the authority whose jurisdiction contains the site (the
 * analyst chooses only when none or several do); a partner acts only on what was referred to its
 * organization; viewers change nothing. Every accepted action yields an audit event.
 *
 * Pure: no Node APIs, no clock (the caller passes `at`). The store applies `effects` in one
 * transaction together with the audit event.
 */
import { PlumetraceError } from '../errors.ts';

/** The workflow states of a site, in order; the store's `SiteStatus` and the API's schemas use this list. */
export const WORKFLOW_STATUSES = [
  'candidate',
  'r1-reviewed',
  'confirmed',
  'dismissed',
  'referred',
  'acknowledged',
  'inspected',
  'closed',
  'verified',
] as const;

export type WorkflowStatus = (typeof WORKFLOW_STATUSES)[number];

export type WorkflowActionKind =
  | 'r1-review'
  | 'r2-confirm'
  | 'r2-dismiss'
  | 'refer'
  | 'acknowledge'
  | 'inspect'
  | 'record-outcome'
  | 'verify'
  | 'comment'
  | 'upload-evidence';

export const WORKFLOW_ACTIONS: readonly WorkflowActionKind[] = [
  'r1-review',
  'r2-confirm',
  'r2-dismiss',
  'refer',
  'acknowledge',
  'inspect',
  'record-outcome',
  'verify',
  'comment',
  'upload-evidence',
];

/** Same names as `Role` in src/store/types.ts. */
export type WorkflowRole = 'admin' | 'analyst' | 'reviewer' | 'partner' | 'viewer';
/** Same names as `Referral.outcome` in src/store/types.ts. */
export type ReferralOutcome = 'dismantled' | 'remediated' | 'not-found' | 'no-access';
export const REFERRAL_OUTCOMES: readonly ReferralOutcome[] = ['dismantled', 'remediated', 'not-found', 'no-access'];

export interface Actor {
  userId: string;
  role: WorkflowRole;
  organizationId: string;
}

/** What the machine needs to know about a site. */
export interface WorkflowSite {
  status: WorkflowStatus;
  /** Who did the R1 review (set by the r1-review effect). */
  r1ReviewerId?: string;
  /** Who did the R2 review. */
  r2ReviewerId?: string;
  /** When the outcome was recorded (a verifying overflight must come after it). */
  outcomeAt?: string;
}

export interface WorkflowAction {
  kind: WorkflowActionKind;
  actor: Actor;
  /** Required for r1-review, r2-confirm, r2-dismiss, an analyst-chosen referral, and comment. */
  reason?: string;
  /** Required for record-outcome. */
  outcome?: ReferralOutcome;
  /** For refer: the authority the analyst names; allowed only when none or several jurisdictions contain the site. */
  referralOrganizationId?: string;
  /** For upload-evidence: the stored evidence object's id. */
  evidenceId?: string;
  /** For verify: when the later overflight that checked the site flew (after the outcome). */
  overflightAt?: string;
  /** ISO-8601 time of the action. */
  at: string;
}

export interface WorkflowContext {
  /** The organization that owns the site (the analyst agency). */
  siteOrganizationId: string;
  /** The organization the site was referred to, once it was. */
  referralOrganizationId?: string;
  /** Organizations whose jurisdiction polygons contain the site. */
  jurisdictionOrganizationIds: readonly string[];
}

/** Which organization an actor of the cell must belong to. */
export type OrgScope = 'site' | 'referral';

export interface TableCell {
  from: WorkflowStatus;
  action: WorkflowActionKind;
  to: WorkflowStatus;
  /** Roles allowed, and the organization they must be in. */
  who: readonly { role: WorkflowRole; org: OrgScope }[];
  /** Further rules, in words (the same ones `transition` enforces). */
  rule: string;
}

const SITE_ANALYST = [
  { role: 'analyst', org: 'site' },
  { role: 'admin', org: 'site' },
] as const;
const SITE_REVIEWER = [
  { role: 'reviewer', org: 'site' },
  { role: 'admin', org: 'site' },
] as const;
const PARTNER = [{ role: 'partner', org: 'referral' }] as const;
const DISCUSSANTS = [{ role: 'partner', org: 'referral' }, ...SITE_ANALYST] as const;

const R2_RULE = 'reason required; the R2 reviewer is not the R1 reviewer';
const DISCUSS_RULE = 'state unchanged; comment needs a reason (its text), upload-evidence an evidenceId';

/** The machine, as data: every allowed (state, action) → next state, and who may do it. */
export const WORKFLOW_TABLE: readonly TableCell[] = [
  { from: 'candidate', action: 'r1-review', to: 'r1-reviewed', who: SITE_ANALYST, rule: 'reason required' },
  { from: 'r1-reviewed', action: 'r2-confirm', to: 'confirmed', who: SITE_REVIEWER, rule: R2_RULE },
  { from: 'r1-reviewed', action: 'r2-dismiss', to: 'dismissed', who: SITE_REVIEWER, rule: R2_RULE },
  {
    from: 'confirmed',
    action: 'refer',
    to: 'referred',
    who: SITE_ANALYST,
    rule:
      'to the one organization whose jurisdiction contains the site; when none or several do, the analyst names one ' +
      '(of the several, if several) with a reason',
  },
  { from: 'referred', action: 'acknowledge', to: 'acknowledged', who: PARTNER, rule: 'partner of the referral' },
  { from: 'acknowledged', action: 'inspect', to: 'inspected', who: PARTNER, rule: 'partner of the referral' },
  {
    from: 'inspected',
    action: 'record-outcome',
    to: 'closed',
    who: PARTNER,
    rule: 'outcome required: dismantled | remediated | not-found | no-access',
  },
  {
    from: 'closed',
    action: 'verify',
    to: 'verified',
    who: SITE_ANALYST,
    rule: 'overflightAt required, after the outcome was recorded',
  },
  ...(['referred', 'acknowledged', 'inspected'] as const).flatMap((s) =>
    (['comment', 'upload-evidence'] as const).map(
      (a): TableCell => ({ from: s, action: a, to: s, who: DISCUSSANTS, rule: DISCUSS_RULE }),
    ),
  ),
];

/** The cell for (state, action), or undefined when the action is illegal in that state. */
export function tableCell(from: WorkflowStatus, action: WorkflowActionKind): TableCell | undefined {
  return WORKFLOW_TABLE.find((c) => c.from === from && c.action === action);
}

/** States in which the site has been referred (a partner of the referral's organization may see it). */
export const REFERRED_STATES: readonly WorkflowStatus[] = [
  'referred',
  'acknowledged',
  'inspected',
  'closed',
  'verified',
];

export type WorkflowEffect =
  | {
      kind: 'record-review';
      stage: 'R1' | 'R2';
      decision: 'reviewed' | 'confirmed' | 'dismissed';
      reviewerId: string;
      reason: string;
      at: string;
    }
  | {
      kind: 'create-referral';
      organizationId: string;
      /** 'jurisdiction': the one containing organization; 'analyst-choice': named by the analyst (none or several contained the site). */
      basis: 'jurisdiction' | 'analyst-choice';
      /** The organizations whose jurisdiction contained the site when it was referred. */
      containingOrganizationIds: string[];
      chosenBy?: string;
      reason?: string;
      at: string;
    }
  | { kind: 'notify-organization'; organizationId: string; topic: 'referral-received' | 'referral-updated'; at: string }
  | { kind: 'update-referral'; status: 'acknowledged' | 'inspected' | 'closed'; at: string }
  | { kind: 'record-outcome'; outcome: ReferralOutcome; at: string }
  | { kind: 'record-verification'; overflightAt: string; verifiedBy: string; at: string }
  | { kind: 'add-comment'; text: string; by: string; at: string }
  | { kind: 'attach-evidence'; evidenceId: string; by: string; at: string };

export interface AuditRecord {
  /** e.g. "site.r1-review". */
  action: string;
  payload: {
    from: WorkflowStatus;
    to: WorkflowStatus;
    actorUserId: string;
    actorRole: WorkflowRole;
    actorOrganizationId: string;
    at: string;
    reason?: string;
    [key: string]: unknown;
  };
}

export interface TransitionResult {
  status: WorkflowStatus;
  effects: WorkflowEffect[];
  auditEvent: AuditRecord;
}

const ISO_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

/** Milliseconds since the epoch of an ISO-8601 time with a zone; PT_ERR_BAD_REQUEST naming `field` otherwise. */
export function isoMs(value: unknown, field: string): number {
  const ms = typeof value === 'string' && ISO_RE.test(value) ? Date.parse(value) : Number.NaN;
  if (!Number.isFinite(ms))
    throw new PlumetraceError(
      'PT_ERR_BAD_REQUEST',
      `${field} must be an ISO-8601 time with a zone, got ${JSON.stringify(value)}`,
      {
        column: field,
      },
    );
  return ms;
}

function forbidden(detail: string): PlumetraceError {
  return new PlumetraceError('PT_ERR_WORKFLOW_FORBIDDEN', detail);
}

function requireText(value: string | undefined, field: string, why: string): string {
  const s = value?.trim() ?? '';
  if (s === '') throw new PlumetraceError('PT_ERR_BAD_REQUEST', `${field} is required: ${why}`, { column: field });
  return s;
}

/** Whether the actor belongs to the organization the scope names, for this site. */
function inScope(actor: Actor, scope: OrgScope, site: WorkflowSite, ctx: WorkflowContext): boolean {
  if (scope === 'site') return actor.organizationId === ctx.siteOrganizationId;
  return (
    REFERRED_STATES.includes(site.status) &&
    ctx.referralOrganizationId !== undefined &&
    actor.organizationId === ctx.referralOrganizationId
  );
}

/**
 * Applies one action to a site. Returns the next status, what the store must do, and the audit
 * event; or throws PlumetraceError:
 * - PT_ERR_WORKFLOW_FORBIDDEN (403): viewer; actor with no standing on this site (checked before
 *   the state, so an outsider learns nothing of it); wrong role or organization for the action;
 *   R2 by the R1 reviewer; a referral destination the rules do not allow.
 * - PT_ERR_WORKFLOW_ILLEGAL_TRANSITION (409): the action is not in the table for the site's state,
 *   or the site record lacks what the step needs (R1 reviewer unknown).
 * - PT_ERR_BAD_REQUEST (400): a required reason, outcome, evidence id or time is missing or malformed.
 */
export function transition(site: WorkflowSite, action: WorkflowAction, ctx: WorkflowContext): TransitionResult {
  const { actor } = action;
  const at = action.at;
  isoMs(at, 'at');
  if (!WORKFLOW_STATUSES.includes(site.status))
    throw new PlumetraceError('PT_ERR_BAD_REQUEST', `unknown site status ${JSON.stringify(site.status)}`);
  if (!WORKFLOW_ACTIONS.includes(action.kind))
    throw new PlumetraceError('PT_ERR_BAD_REQUEST', `unknown action ${JSON.stringify(action.kind)}`, {
      column: 'kind',
    });

  // 1. Standing: who may touch this site at all (before looking at its state).
  if (actor.role === 'viewer') throw forbidden('viewers cannot change anything');
  const standing =
    inScope(actor, 'site', site, ctx) || (actor.role === 'partner' && inScope(actor, 'referral', site, ctx));
  if (!standing || (actor.role === 'partner' && !inScope(actor, 'referral', site, ctx)))
    throw forbidden(`user ${actor.userId} has no standing on this site (it was not referred to their organization)`);

  // 2. Legality in the table.
  const cell = tableCell(site.status, action.kind);
  if (!cell)
    throw new PlumetraceError(
      'PT_ERR_WORKFLOW_ILLEGAL_TRANSITION',
      `"${action.kind}" is not allowed when the site is "${site.status}"`,
    );

  // 3. Role and organization for this cell.
  if (!cell.who.some((w) => w.role === actor.role && inScope(actor, w.org, site, ctx)))
    throw forbidden(
      `"${action.kind}" needs ${cell.who.map((w) => `${w.role} of the ${w.org === 'site' ? "site's" : "referral's"} organization`).join(' or ')}; ` +
        `user ${actor.userId} is ${actor.role} of ${actor.organizationId}`,
    );

  // 4. Cell-specific rules.
  const effects: WorkflowEffect[] = [];
  const extra: Record<string, unknown> = {};
  let reason: string | undefined;
  switch (action.kind) {
    case 'r1-review': {
      reason = requireText(action.reason, 'reason', 'R1 records why the site is worth a second look');
      effects.push({ kind: 'record-review', stage: 'R1', decision: 'reviewed', reviewerId: actor.userId, reason, at });
      break;
    }
    case 'r2-confirm':
    case 'r2-dismiss': {
      reason = requireText(action.reason, 'reason', 'R2 records why the site is confirmed or dismissed');
      if (!site.r1ReviewerId)
        throw new PlumetraceError('PT_ERR_WORKFLOW_ILLEGAL_TRANSITION', 'the R1 reviewer of this site is unknown');
      if (site.r1ReviewerId === actor.userId)
        throw forbidden('two people review: the R1 reviewer cannot also do the R2 review');
      const decision = action.kind === 'r2-confirm' ? 'confirmed' : 'dismissed';
      effects.push({ kind: 'record-review', stage: 'R2', decision, reviewerId: actor.userId, reason, at });
      extra['r1ReviewerId'] = site.r1ReviewerId;
      break;
    }
    case 'refer': {
      if (!site.r1ReviewerId || !site.r2ReviewerId || site.r1ReviewerId === site.r2ReviewerId)
        throw new PlumetraceError(
          'PT_ERR_WORKFLOW_ILLEGAL_TRANSITION',
          'a referral needs R1 and R2 reviews by two different people on record',
        );
      const containing = [...new Set(ctx.jurisdictionOrganizationIds)];
      const named = action.referralOrganizationId;
      let organizationId: string;
      if (containing.length === 1) {
        organizationId = containing[0]!;
        if (named !== undefined && named !== organizationId)
          throw forbidden(
            `the site lies in the jurisdiction of ${organizationId} only; it cannot be referred to ${named}`,
          );
        effects.push({
          kind: 'create-referral',
          organizationId,
          basis: 'jurisdiction',
          containingOrganizationIds: containing,
          at,
        });
      } else {
        const why =
          containing.length === 0
            ? 'no jurisdiction contains the site'
            : `${containing.length} jurisdictions contain the site`;
        if (named === undefined || named.trim() === '')
          throw new PlumetraceError('PT_ERR_BAD_REQUEST', `referralOrganizationId is required: ${why}`, {
            column: 'referralOrganizationId',
          });
        if (containing.length > 1 && !containing.includes(named))
          throw forbidden(`${why} (${containing.join(', ')}); ${named} is not one of them`);
        if (named === ctx.siteOrganizationId) throw forbidden('a site cannot be referred to its own organization');
        reason = requireText(action.reason, 'reason', `the analyst chooses the authority because ${why}`);
        organizationId = named;
        effects.push({
          kind: 'create-referral',
          organizationId,
          basis: 'analyst-choice',
          containingOrganizationIds: containing,
          chosenBy: actor.userId,
          reason,
          at,
        });
      }
      effects.push({ kind: 'notify-organization', organizationId, topic: 'referral-received', at });
      extra['referralOrganizationId'] = organizationId;
      extra['basis'] = containing.length === 1 ? 'jurisdiction' : 'analyst-choice';
      break;
    }
    case 'acknowledge':
    case 'inspect': {
      effects.push({ kind: 'update-referral', status: cell.to as 'acknowledged' | 'inspected', at });
      break;
    }
    case 'record-outcome': {
      const outcome = action.outcome;
      if (outcome === undefined || !REFERRAL_OUTCOMES.includes(outcome))
        throw new PlumetraceError(
          'PT_ERR_BAD_REQUEST',
          `outcome must be one of ${REFERRAL_OUTCOMES.join(', ')}, got ${JSON.stringify(outcome)}`,
          { column: 'outcome' },
        );
      effects.push({ kind: 'update-referral', status: 'closed', at }, { kind: 'record-outcome', outcome, at });
      extra['outcome'] = outcome;
      break;
    }
    case 'verify': {
      const flown = isoMs(action.overflightAt, 'overflightAt');
      if (site.outcomeAt !== undefined && flown <= isoMs(site.outcomeAt, 'outcomeAt'))
        throw new PlumetraceError(
          'PT_ERR_BAD_REQUEST',
          `the verifying overflight (${action.overflightAt}) must come after the outcome (${site.outcomeAt})`,
          { column: 'overflightAt' },
        );
      reason = action.reason?.trim() || undefined;
      effects.push({ kind: 'record-verification', overflightAt: action.overflightAt!, verifiedBy: actor.userId, at });
      extra['overflightAt'] = action.overflightAt;
      break;
    }
    case 'comment': {
      reason = requireText(action.reason, 'reason', 'a comment needs its text');
      effects.push({ kind: 'add-comment', text: reason, by: actor.userId, at });
      break;
    }
    case 'upload-evidence': {
      const evidenceId = requireText(action.evidenceId, 'evidenceId', 'which stored evidence object to attach');
      effects.push({ kind: 'attach-evidence', evidenceId, by: actor.userId, at });
      extra['evidenceId'] = evidenceId;
      break;
    }
  }
  // The other side hears of partner answers and of analyst notes on a live referral.
  if (cell.from !== 'confirmed' && REFERRED_STATES.includes(cell.from) && ctx.referralOrganizationId !== undefined) {
    const other =
      actor.organizationId === ctx.referralOrganizationId ? ctx.siteOrganizationId : ctx.referralOrganizationId;
    effects.push({ kind: 'notify-organization', organizationId: other, topic: 'referral-updated', at });
  }

  return {
    status: cell.to,
    effects,
    auditEvent: {
      action: `site.${action.kind}`,
      payload: {
        from: site.status,
        to: cell.to,
        actorUserId: actor.userId,
        actorRole: actor.role,
        actorOrganizationId: actor.organizationId,
        at,
        ...(reason !== undefined ? { reason } : {}),
        ...extra,
      },
    },
  };
}

/**
 * The site record after a successful transition (folds the effects the machine itself reads back:
 * reviewers and outcome time). The store keeps its own rows; this is for callers that hold a
 * `WorkflowSite` in memory (tests, the simulator, the demo seeder).
 */
export function applyTransition(site: WorkflowSite, result: TransitionResult): WorkflowSite {
  const next: WorkflowSite = { ...site, status: result.status };
  for (const e of result.effects) {
    if (e.kind === 'record-review' && e.stage === 'R1') next.r1ReviewerId = e.reviewerId;
    if (e.kind === 'record-review' && e.stage === 'R2') next.r2ReviewerId = e.reviewerId;
    if (e.kind === 'record-outcome') next.outcomeAt = e.at;
  }
  return next;
}

/** The referral organization after a successful transition (set by create-referral), for in-memory callers. */
export function referralOrganizationAfter(ctx: WorkflowContext, result: TransitionResult): string | undefined {
  for (const e of result.effects) if (e.kind === 'create-referral') return e.organizationId;
  return ctx.referralOrganizationId;
}
