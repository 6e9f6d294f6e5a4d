import { describe, expect, it } from 'vitest';
import { type ErrorCode, PlumetraceError } from '../errors.ts';
import {
  AGENCY,
  actor,
  ctxFor,
  fullAction,
  ORGS,
  PARTNER_B,
  PARTNER_C,
  ROLES,
  siteIn,
  T0,
} from './fixtures.test-helpers.ts';
import {
  applyTransition,
  tableCell,
  transition,
  WORKFLOW_ACTIONS,
  WORKFLOW_STATUSES,
  WORKFLOW_TABLE,
  type WorkflowAction,
  type WorkflowContext,
  type WorkflowSite,
} from './machine.ts';

function codeOf(f: () => unknown): ErrorCode | 'ok' {
  try {
    f();
    return 'ok';
  } catch (e) {
    if (e instanceof PlumetraceError) return e.code;
    throw e;
  }
}

const analyst = actor('analyst', AGENCY, 'ana');
const analyst2 = actor('analyst', AGENCY, 'ana2');
const reviewer = actor('reviewer', AGENCY, 'rev');
const admin = actor('admin', AGENCY, 'adm');
const viewer = actor('viewer', AGENCY, 'vie');
const partnerB = actor('partner', PARTNER_B, 'pb');
const partnerC = actor('partner', PARTNER_C, 'pc');
const ctx0: WorkflowContext = { siteOrganizationId: AGENCY, jurisdictionOrganizationIds: [PARTNER_B] };

describe('workflow table', () => {
  it('has at most one cell per (state, action), only known states, and every state is reachable from candidate', () => {
    const keys = WORKFLOW_TABLE.map((c) => `${c.from}|${c.action}`);
    expect(new Set(keys).size).toBe(keys.length);
    const reach = new Set(['candidate']);
    for (let i = 0; i < WORKFLOW_STATUSES.length; i++)
      for (const c of WORKFLOW_TABLE) if (reach.has(c.from)) reach.add(c.to);
    expect([...reach].sort()).toEqual([...WORKFLOW_STATUSES].sort());
    expect(WORKFLOW_TABLE.length).toBe(14);
  });

  it('transition agrees with the table in every (state, action) cell, for every role and organization', () => {
    let checked = 0;
    for (const from of WORKFLOW_STATUSES) {
      for (const kind of WORKFLOW_ACTIONS) {
        const cell = tableCell(from, kind);
        const ctx = ctxFor(from);
        for (const role of ROLES) {
          for (const org of ORGS) {
            const who = actor(role, org);
            const got = codeOf(() => transition(siteIn(from), fullAction(kind, who), ctx));
            const referredToOrg = ctx.referralOrganizationId === org;
            const allowed = cell?.who.some(
              (w) => w.role === role && (w.org === 'site' ? org === AGENCY : referredToOrg),
            );
            // Standing: members of the site's organization, and partners of the referral's organization.
            const standing = role !== 'viewer' && (role === 'partner' ? referredToOrg : org === AGENCY);
            const expected: ErrorCode | 'ok' = !standing
              ? 'PT_ERR_WORKFLOW_FORBIDDEN'
              : !cell
                ? 'PT_ERR_WORKFLOW_ILLEGAL_TRANSITION'
                : allowed
                  ? 'ok'
                  : 'PT_ERR_WORKFLOW_FORBIDDEN';
            expect(got, `${from} × ${kind} by ${role}@${org}`).toBe(expected);
            if (expected === 'ok' && cell)
              expect(transition(siteIn(from), fullAction(kind, who), ctx).status).toBe(cell.to);
            checked++;
          }
        }
      }
    }
    expect(checked).toBe(WORKFLOW_STATUSES.length * WORKFLOW_ACTIONS.length * ROLES.length * ORGS.length);
  });
});

describe('transition: review', () => {
  const r1 = (who = analyst, reason: string | null = 'plume seen on 3 flights') =>
    transition({ status: 'candidate' }, { kind: 'r1-review', actor: who, reason: reason ?? undefined, at: T0 }, ctx0);

  it('R1 by an analyst of the site organization, with a reason, records the review and an audit event', () => {
    const res = r1();
    expect(res.status).toBe('r1-reviewed');
    expect(res.effects).toEqual([
      {
        kind: 'record-review',
        stage: 'R1',
        decision: 'reviewed',
        reviewerId: 'ana',
        reason: 'plume seen on 3 flights',
        at: T0,
      },
    ]);
    expect(res.auditEvent).toEqual({
      action: 'site.r1-review',
      payload: {
        from: 'candidate',
        to: 'r1-reviewed',
        actorUserId: 'ana',
        actorRole: 'analyst',
        actorOrganizationId: AGENCY,
        at: T0,
        reason: 'plume seen on 3 flights',
      },
    });
    expect(r1(admin).status).toBe('r1-reviewed');
  });

  it('R1 needs a reason, an analyst or admin, and the site organization', () => {
    expect(codeOf(() => r1(analyst, null))).toBe('PT_ERR_BAD_REQUEST');
    expect(codeOf(() => r1(analyst, '   '))).toBe('PT_ERR_BAD_REQUEST');
    expect(codeOf(() => r1(reviewer))).toBe('PT_ERR_WORKFLOW_FORBIDDEN');
    expect(codeOf(() => r1(viewer))).toBe('PT_ERR_WORKFLOW_FORBIDDEN');
    expect(codeOf(() => r1(actor('analyst', PARTNER_B)))).toBe('PT_ERR_WORKFLOW_FORBIDDEN');
    expect(codeOf(() => r1(partnerB))).toBe('PT_ERR_WORKFLOW_FORBIDDEN');
  });

  const reviewed: WorkflowSite = { status: 'r1-reviewed', r1ReviewerId: 'adm' };
  const r2 = (kind: 'r2-confirm' | 'r2-dismiss', who = reviewer, reason: string | undefined = 'matches permit map') =>
    transition(reviewed, { kind, actor: who, reason, at: T0 }, ctx0);

  it('R2 by a different reviewer confirms or dismisses, with a reason', () => {
    const c = r2('r2-confirm');
    expect(c.status).toBe('confirmed');
    expect(c.effects[0]).toMatchObject({ stage: 'R2', decision: 'confirmed', reviewerId: 'rev' });
    expect(c.auditEvent.payload).toMatchObject({ r1ReviewerId: 'adm', reason: 'matches permit map' });
    expect(r2('r2-dismiss').status).toBe('dismissed');
    expect(r2('r2-dismiss').effects[0]).toMatchObject({ decision: 'dismissed' });
  });

  it('no one confirms their own R1 — not even an admin', () => {
    expect(codeOf(() => r2('r2-confirm', admin))).toBe('PT_ERR_WORKFLOW_FORBIDDEN');
    expect(codeOf(() => r2('r2-dismiss', admin))).toBe('PT_ERR_WORKFLOW_FORBIDDEN');
    const byOther = transition(
      reviewed,
      { kind: 'r2-confirm', actor: actor('admin', AGENCY, 'adm2'), reason: 'ok', at: T0 },
      ctx0,
    );
    expect(byOther.status).toBe('confirmed');
  });

  it('R2 needs a reason, a reviewer or admin of the site organization, and a known R1 reviewer', () => {
    expect(codeOf(() => r2('r2-confirm', reviewer, ''))).toBe('PT_ERR_BAD_REQUEST');
    expect(codeOf(() => r2('r2-confirm', analyst))).toBe('PT_ERR_WORKFLOW_FORBIDDEN');
    expect(codeOf(() => r2('r2-confirm', actor('reviewer', PARTNER_B)))).toBe('PT_ERR_WORKFLOW_FORBIDDEN');
    expect(
      codeOf(() =>
        transition({ status: 'r1-reviewed' }, { kind: 'r2-confirm', actor: reviewer, reason: 'x', at: T0 }, ctx0),
      ),
    ).toBe('PT_ERR_WORKFLOW_ILLEGAL_TRANSITION');
  });

  it('out-of-order actions are 409: R2 before R1, refer before R2, R1 twice', () => {
    expect(codeOf(() => transition({ status: 'candidate' }, fullAction('r2-confirm', reviewer), ctx0))).toBe(
      'PT_ERR_WORKFLOW_ILLEGAL_TRANSITION',
    );
    expect(codeOf(() => transition(reviewed, fullAction('refer', analyst), ctx0))).toBe(
      'PT_ERR_WORKFLOW_ILLEGAL_TRANSITION',
    );
    expect(codeOf(() => transition(reviewed, fullAction('r1-review', analyst), ctx0))).toBe(
      'PT_ERR_WORKFLOW_ILLEGAL_TRANSITION',
    );
    expect(codeOf(() => transition(siteIn('dismissed'), fullAction('refer', analyst), ctx0))).toBe(
      'PT_ERR_WORKFLOW_ILLEGAL_TRANSITION',
    );
  });
});

describe('transition: referral', () => {
  const confirmed: WorkflowSite = { status: 'confirmed', r1ReviewerId: 'ana', r2ReviewerId: 'rev' };
  const refer = (jurisdiction: string[], extra: Partial<WorkflowAction> = {}, who = analyst2) =>
    transition(
      confirmed,
      { kind: 'refer', actor: who, at: T0, ...extra },
      { siteOrganizationId: AGENCY, jurisdictionOrganizationIds: jurisdiction },
    );

  it('goes to the one organization whose jurisdiction contains the site, and notifies it', () => {
    const res = refer([PARTNER_B]);
    expect(res.status).toBe('referred');
    expect(res.effects).toEqual([
      {
        kind: 'create-referral',
        organizationId: PARTNER_B,
        basis: 'jurisdiction',
        containingOrganizationIds: [PARTNER_B],
        at: T0,
      },
      { kind: 'notify-organization', organizationId: PARTNER_B, topic: 'referral-received', at: T0 },
    ]);
    expect(res.auditEvent.payload).toMatchObject({ referralOrganizationId: PARTNER_B, basis: 'jurisdiction' });
    // Naming that same organization is harmless; naming another is not allowed.
    expect(refer([PARTNER_B], { referralOrganizationId: PARTNER_B }).status).toBe('referred');
    expect(codeOf(() => refer([PARTNER_B], { referralOrganizationId: PARTNER_C, reason: 'x' }))).toBe(
      'PT_ERR_WORKFLOW_FORBIDDEN',
    );
  });

  it('when several jurisdictions contain the site the analyst names one of them, with a reason; recorded as their choice', () => {
    expect(codeOf(() => refer([PARTNER_B, PARTNER_C]))).toBe('PT_ERR_BAD_REQUEST');
    expect(codeOf(() => refer([PARTNER_B, PARTNER_C], { referralOrganizationId: PARTNER_C }))).toBe(
      'PT_ERR_BAD_REQUEST',
    );
    expect(codeOf(() => refer([PARTNER_B, PARTNER_C], { referralOrganizationId: 'org-x', reason: 'r' }))).toBe(
      'PT_ERR_WORKFLOW_FORBIDDEN',
    );
    const res = refer([PARTNER_B, PARTNER_C], { referralOrganizationId: PARTNER_C, reason: 'county lead agency' });
    expect(res.effects[0]).toEqual({
      kind: 'create-referral',
      organizationId: PARTNER_C,
      basis: 'analyst-choice',
      containingOrganizationIds: [PARTNER_B, PARTNER_C],
      chosenBy: 'ana2',
      reason: 'county lead agency',
      at: T0,
    });
  });

  it('when no jurisdiction contains the site the analyst names one (not the own organization)', () => {
    expect(codeOf(() => refer([]))).toBe('PT_ERR_BAD_REQUEST');
    expect(codeOf(() => refer([], { referralOrganizationId: AGENCY, reason: 'r' }))).toBe('PT_ERR_WORKFLOW_FORBIDDEN');
    const res = refer([], { referralOrganizationId: PARTNER_C, reason: 'nearest authority' });
    expect(res.effects[0]).toMatchObject({ basis: 'analyst-choice', organizationId: PARTNER_C, chosenBy: 'ana2' });
  });

  it('only an analyst or admin of the site organization refers, and only with two different reviewers on record', () => {
    expect(codeOf(() => refer([PARTNER_B], {}, reviewer))).toBe('PT_ERR_WORKFLOW_FORBIDDEN');
    expect(codeOf(() => refer([PARTNER_B], {}, partnerB))).toBe('PT_ERR_WORKFLOW_FORBIDDEN');
    expect(refer([PARTNER_B], {}, admin).status).toBe('referred');
    const same = { status: 'confirmed' as const, r1ReviewerId: 'ana', r2ReviewerId: 'ana' };
    expect(codeOf(() => transition(same, fullAction('refer', analyst2), ctx0))).toBe(
      'PT_ERR_WORKFLOW_ILLEGAL_TRANSITION',
    );
  });
});

describe('transition: partner answers', () => {
  const ctxB: WorkflowContext = { ...ctx0, referralOrganizationId: PARTNER_B };

  it('acknowledge → inspect → record-outcome, in order, by a partner of the referral organization', () => {
    let site: WorkflowSite = siteIn('referred');
    const steps = [
      { a: fullAction('acknowledge', partnerB), to: 'acknowledged' },
      { a: fullAction('inspect', partnerB), to: 'inspected' },
      { a: { ...fullAction('record-outcome', partnerB), outcome: 'no-access' as const }, to: 'closed' },
    ];
    for (const s of steps) {
      const res = transition(site, s.a, ctxB);
      expect(res.status).toBe(s.to);
      expect(res.effects).toContainEqual({
        kind: 'notify-organization',
        organizationId: AGENCY,
        topic: 'referral-updated',
        at: T0,
      });
      site = applyTransition(site, res);
    }
    expect(site.outcomeAt).toBe(T0);
    expect(codeOf(() => transition(siteIn('referred'), fullAction('inspect', partnerB), ctxB))).toBe(
      'PT_ERR_WORKFLOW_ILLEGAL_TRANSITION',
    );
    expect(codeOf(() => transition(siteIn('acknowledged'), fullAction('record-outcome', partnerB), ctxB))).toBe(
      'PT_ERR_WORKFLOW_ILLEGAL_TRANSITION',
    );
  });

  it('record-outcome needs a known outcome', () => {
    const a = { ...fullAction('record-outcome', partnerB), outcome: undefined };
    expect(codeOf(() => transition(siteIn('inspected'), a, ctxB))).toBe('PT_ERR_BAD_REQUEST');
    const b = { ...fullAction('record-outcome', partnerB), outcome: 'burned' as never };
    expect(codeOf(() => transition(siteIn('inspected'), b, ctxB))).toBe('PT_ERR_BAD_REQUEST');
  });

  it('a partner of another organization, or of a site not yet referred, can do nothing — and learns nothing of the state', () => {
    for (const kind of WORKFLOW_ACTIONS) {
      for (const status of WORKFLOW_STATUSES) {
        expect(codeOf(() => transition(siteIn(status), fullAction(kind, partnerC), ctxB))).toBe(
          'PT_ERR_WORKFLOW_FORBIDDEN',
        );
        if (!['referred', 'acknowledged', 'inspected', 'closed', 'verified'].includes(status))
          expect(codeOf(() => transition(siteIn(status), fullAction(kind, partnerB), ctx0))).toBe(
            'PT_ERR_WORKFLOW_FORBIDDEN',
          );
      }
    }
    // A referred site whose referral organization is unknown to the caller: no partner has standing.
    expect(codeOf(() => transition(siteIn('referred'), fullAction('acknowledge', partnerB), ctx0))).toBe(
      'PT_ERR_WORKFLOW_FORBIDDEN',
    );
  });

  it('analysts cannot answer for the partner; viewers change nothing', () => {
    expect(codeOf(() => transition(siteIn('referred'), fullAction('acknowledge', analyst), ctxB))).toBe(
      'PT_ERR_WORKFLOW_FORBIDDEN',
    );
    for (const kind of WORKFLOW_ACTIONS)
      for (const status of WORKFLOW_STATUSES)
        for (const org of ORGS)
          expect(codeOf(() => transition(siteIn(status), fullAction(kind, actor('viewer', org)), ctxB))).toBe(
            'PT_ERR_WORKFLOW_FORBIDDEN',
          );
  });

  it('comment and upload-evidence keep the state, need their text or evidence id, and are audited', () => {
    for (const status of ['referred', 'acknowledged', 'inspected'] as const) {
      const c = transition(siteIn(status), { ...fullAction('comment', partnerB), reason: 'door locked' }, ctxB);
      expect(c.status).toBe(status);
      expect(c.effects[0]).toEqual({ kind: 'add-comment', text: 'door locked', by: 'pb', at: T0 });
      expect(c.auditEvent).toMatchObject({ action: 'site.comment', payload: { from: status, to: status } });
      const u = transition(siteIn(status), fullAction('upload-evidence', analyst), ctxB);
      expect(u.effects[0]).toEqual({ kind: 'attach-evidence', evidenceId: 'ev-1', by: 'ana', at: T0 });
      expect(u.effects[1]).toMatchObject({ kind: 'notify-organization', organizationId: PARTNER_B });
    }
    expect(codeOf(() => transition(siteIn('referred'), { ...fullAction('comment', partnerB), reason: '' }, ctxB))).toBe(
      'PT_ERR_BAD_REQUEST',
    );
    expect(
      codeOf(() =>
        transition(siteIn('referred'), { ...fullAction('upload-evidence', partnerB), evidenceId: undefined }, ctxB),
      ),
    ).toBe('PT_ERR_BAD_REQUEST');
    expect(codeOf(() => transition(siteIn('closed'), fullAction('comment', partnerB), ctxB))).toBe(
      'PT_ERR_WORKFLOW_ILLEGAL_TRANSITION',
    );
  });

  it('verify: an analyst, after an outcome, with an overflight later than the outcome', () => {
    const closed: WorkflowSite = { ...siteIn('closed'), outcomeAt: '2026-03-10T00:00:00Z' };
    const ok = transition(closed, { ...fullAction('verify', analyst), overflightAt: '2026-03-12T09:00:00Z' }, ctxB);
    expect(ok.status).toBe('verified');
    expect(ok.effects[0]).toMatchObject({ kind: 'record-verification', verifiedBy: 'ana' });
    expect(
      codeOf(() =>
        transition(closed, { ...fullAction('verify', analyst), overflightAt: '2026-03-09T00:00:00Z' }, ctxB),
      ),
    ).toBe('PT_ERR_BAD_REQUEST');
    expect(codeOf(() => transition(closed, { ...fullAction('verify', analyst), overflightAt: undefined }, ctxB))).toBe(
      'PT_ERR_BAD_REQUEST',
    );
    expect(codeOf(() => transition(closed, fullAction('verify', partnerB), ctxB))).toBe('PT_ERR_WORKFLOW_FORBIDDEN');
    expect(codeOf(() => transition(siteIn('inspected'), fullAction('verify', analyst), ctxB))).toBe(
      'PT_ERR_WORKFLOW_ILLEGAL_TRANSITION',
    );
  });

  it('rejects a malformed time or unknown action with 400', () => {
    expect(
      codeOf(() => transition(siteIn('candidate'), { ...fullAction('r1-review', analyst), at: 'yesterday' }, ctx0)),
    ).toBe('PT_ERR_BAD_REQUEST');
    expect(
      codeOf(() => transition(siteIn('candidate'), { ...fullAction('r1-review', analyst), at: '2026-03-01' }, ctx0)),
    ).toBe('PT_ERR_BAD_REQUEST');
    expect(
      codeOf(() =>
        transition(siteIn('candidate'), { ...fullAction('r1-review', analyst), kind: 'delete' as never }, ctx0),
      ),
    ).toBe('PT_ERR_BAD_REQUEST');
  });

  it('errors carry the registered HTTP status: 409 for illegal transitions, 403 for forbidden', () => {
    try {
      transition(siteIn('candidate'), fullAction('refer', analyst), ctx0);
    } catch (e) {
      expect((e as PlumetraceError).httpStatus).toBe(409);
      expect((e as PlumetraceError).exitCode).toBe(85);
    }
    try {
      transition(siteIn('candidate'), fullAction('r1-review', viewer), ctx0);
    } catch (e) {
      expect((e as PlumetraceError).httpStatus).toBe(403);
      expect((e as PlumetraceError).exitCode).toBe(86);
    }
    expect.assertions(4);
  });
});
