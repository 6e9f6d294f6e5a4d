/** Shared fixtures for the workflow tests (not a test file itself). */
import type {
  Actor,
  WorkflowAction,
  WorkflowActionKind,
  WorkflowContext,
  WorkflowRole,
  WorkflowSite,
} from './machine.ts';

export const AGENCY = 'org-agency';
export const PARTNER_B = 'org-partner-b';
export const PARTNER_C = 'org-partner-c';
export const ORGS = [AGENCY, PARTNER_B, PARTNER_C] as const;
export const ROLES: readonly WorkflowRole[] = ['admin', 'analyst', 'reviewer', 'partner', 'viewer'];

export const T0 = '2026-03-01T08:00:00.000Z';

export function actor(role: WorkflowRole, organizationId: string, userId = `${role}@${organizationId}`): Actor {
  return { userId, role, organizationId };
}

/** An action of `kind` carrying every field that kind needs. */
export function fullAction(kind: WorkflowActionKind, who: Actor, at = T0): WorkflowAction {
  return {
    kind,
    actor: who,
    at,
    reason: `because (${kind})`,
    ...(kind === 'record-outcome' ? { outcome: 'dismantled' as const } : {}),
    ...(kind === 'upload-evidence' ? { evidenceId: 'ev-1' } : {}),
    ...(kind === 'verify' ? { overflightAt: '2026-04-01T08:00:00.000Z' } : {}),
  };
}

/** A site record in `status` with two different reviewers on record and an outcome time. */
export function siteIn(status: WorkflowSite['status']): WorkflowSite {
  return { status, r1ReviewerId: 'r1-person', r2ReviewerId: 'r2-person', outcomeAt: '2026-03-10T00:00:00.000Z' };
}

export function ctxFor(status: WorkflowSite['status'], jurisdiction: string[] = [PARTNER_B]): WorkflowContext {
  const referred = ['referred', 'acknowledged', 'inspected', 'closed', 'verified'].includes(status);
  return {
    siteOrganizationId: AGENCY,
    jurisdictionOrganizationIds: jurisdiction,
    ...(referred ? { referralOrganizationId: PARTNER_B } : {}),
  };
}
