/**
 * Property test: random sequences of actions by random actors (seeded), checking the charter's
 * invariants after every step.
 */
import { describe, expect, it } from 'vitest';
import { PlumetraceError } from '../errors.ts';
import { Rng } from '../random.ts';
import { AGENCY, actor, PARTNER_B, PARTNER_C } from './fixtures.test-helpers.ts';
import {
  type Actor,
  applyTransition,
  REFERRAL_OUTCOMES,
  REFERRED_STATES,
  referralOrganizationAfter,
  tableCell,
  transition,
  WORKFLOW_ACTIONS,
  WORKFLOW_TABLE,
  type WorkflowAction,
  type WorkflowContext,
  type WorkflowSite,
} from './machine.ts';

const PEOPLE: Actor[] = [
  actor('analyst', AGENCY, 'ana1'),
  actor('analyst', AGENCY, 'ana2'),
  actor('reviewer', AGENCY, 'rev1'),
  actor('reviewer', AGENCY, 'rev2'),
  actor('admin', AGENCY, 'adm1'),
  actor('viewer', AGENCY, 'vie1'),
  actor('partner', PARTNER_B, 'pb1'),
  actor('partner', PARTNER_B, 'pb2'),
  actor('analyst', PARTNER_B, 'anb'),
  actor('admin', PARTNER_B, 'admb'),
  actor('partner', PARTNER_C, 'pc1'),
  actor('partner', AGENCY, 'pa1'),
  actor('viewer', PARTNER_C, 'viec'),
];
const ORG_POOL = [PARTNER_B, PARTNER_C, AGENCY, 'org-elsewhere'];

function pick<T>(rng: Rng, xs: readonly T[]): T {
  return xs[rng.int(xs.length)]!;
}

function randomAction(rng: Rng, site: WorkflowSite, step: number): WorkflowAction {
  // Half the time an action the table allows here (so sequences get far), else any action.
  const legal = WORKFLOW_TABLE.filter((c) => c.from === site.status);
  const cell = legal.length > 0 && rng.uniform() < 0.6 ? pick(rng, legal) : undefined;
  const kind = cell?.action ?? pick(rng, WORKFLOW_ACTIONS);
  const roleFits = cell ? PEOPLE.filter((p) => cell.who.some((w) => w.role === p.role)) : PEOPLE;
  const who = rng.uniform() < 0.7 && roleFits.length > 0 ? pick(rng, roleFits) : pick(rng, PEOPLE);
  const at = new Date(Date.UTC(2026, 2, 1) + step * 3_600_000).toISOString();
  const a: WorkflowAction = { kind, actor: who, at };
  if (rng.uniform() < 0.85) a.reason = `reason ${step}`;
  if (rng.uniform() < 0.85) a.outcome = pick(rng, REFERRAL_OUTCOMES);
  if (rng.uniform() < 0.4) a.referralOrganizationId = pick(rng, ORG_POOL);
  if (rng.uniform() < 0.85) a.evidenceId = `ev-${step}`;
  if (rng.uniform() < 0.85)
    a.overflightAt = new Date(Date.UTC(2026, 2, 1) + (step + rng.int(3) - 1) * 3_600_000).toISOString();
  return a;
}

describe('workflow invariants under random action sequences', () => {
  it('holds over 600 seeded sequences of 120 actions', () => {
    const rng = new Rng(20260301);
    const reached = new Map<string, number>();
    let accepted = 0;
    let refusals = 0;
    for (let seq = 0; seq < 600; seq++) {
      const jurisdiction = [[], [PARTNER_B], [PARTNER_C], [PARTNER_B, PARTNER_C]][rng.int(4)]!;
      let ctx: WorkflowContext = { siteOrganizationId: AGENCY, jurisdictionOrganizationIds: jurisdiction };
      let site: WorkflowSite = { status: 'candidate' };
      // What the accepted history shows (not what the site record claims).
      const reviewers: { R1?: string; R2?: string } = {};
      for (let step = 0; step < 120; step++) {
        const action = randomAction(rng, site, step);
        let res: ReturnType<typeof transition>;
        try {
          res = transition(site, action, ctx);
        } catch (e) {
          expect(e).toBeInstanceOf(PlumetraceError);
          expect([403, 409, 400]).toContain((e as PlumetraceError).httpStatus);
          refusals++;
          continue;
        }
        accepted++;
        const from = site.status;
        // The state only moves along the table.
        const cell = tableCell(from, action.kind);
        expect(cell, `${from} × ${action.kind}`).toBeDefined();
        expect(res.status).toBe(cell!.to);
        expect(res.auditEvent.action).toBe(`site.${action.kind}`);
        expect(res.auditEvent.payload).toMatchObject({ from, to: res.status, actorUserId: action.actor.userId });
        // Viewers change nothing.
        expect(action.actor.role).not.toBe('viewer');
        // A partner acts only on a site referred to their organization.
        if (action.actor.role === 'partner') {
          expect(REFERRED_STATES).toContain(from);
          expect(action.actor.organizationId).toBe(ctx.referralOrganizationId);
        }
        // Nobody outside the site's organization acts except the referral's partner.
        if (action.actor.organizationId !== AGENCY) expect(action.actor.role).toBe('partner');
        for (const e of res.effects) if (e.kind === 'record-review') reviewers[e.stage] = e.reviewerId;
        // Nothing reaches 'referred' without two different reviewers having acted.
        if (REFERRED_STATES.includes(res.status)) {
          expect(reviewers.R1).toBeDefined();
          expect(reviewers.R2).toBeDefined();
          expect(reviewers.R1).not.toBe(reviewers.R2);
        }
        if (res.status === 'referred' && from !== 'referred') {
          const ref = res.effects.find((e) => e.kind === 'create-referral');
          expect(ref).toBeDefined();
          // To the one containing jurisdiction, or an analyst's recorded choice when none or several contain it.
          if (ref?.kind === 'create-referral') {
            if (jurisdiction.length === 1)
              expect(ref).toMatchObject({ organizationId: jurisdiction[0], basis: 'jurisdiction' });
            else expect(ref).toMatchObject({ basis: 'analyst-choice', chosenBy: action.actor.userId });
            if (jurisdiction.length > 1) expect(jurisdiction).toContain(ref.organizationId);
          }
        }
        reached.set(res.status, (reached.get(res.status) ?? 0) + 1);
        ctx = { ...ctx, referralOrganizationId: referralOrganizationAfter(ctx, res) };
        site = applyTransition(site, res);
      }
    }
    // The test must exercise the whole machine, not only refusals.
    for (const s of [
      'r1-reviewed',
      'confirmed',
      'dismissed',
      'referred',
      'acknowledged',
      'inspected',
      'closed',
      'verified',
    ])
      expect(reached.get(s) ?? 0, s).toBeGreaterThan(20);
    expect(accepted).toBeGreaterThan(3000);
    expect(refusals).toBeGreaterThan(5000);
  });
});
