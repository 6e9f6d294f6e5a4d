/**
 * Row-level authorization: which sites and referrals a caller may see. The rules (issue 4, item 3;
 * the charter's "referrals only to the authority where the site lies"):
 * - a user of an analyst organization sees the sites its organization owns (through its
 *   campaigns) and the referrals of those sites;
 * - a user of a partner organization sees only the referrals addressed to it and their sites —
 *   never a site that was not referred to it, whatever it asks for.
 * Something a caller may not see answers 404, exactly like something that does not exist.
 */
import type { FastifyRequest } from 'fastify';
import { PlumetraceError } from '../core/errors.ts';
import type { Actor } from '../core/workflow/machine.ts';
import type { OrgKind, Referral, Site, SiteFilter, Store } from '../store/types.ts';

export interface Viewer {
  actor: Actor;
  organizationKind: OrgKind;
}

/** The authenticated caller (set by the auth plugin); 401 when there is none. */
export function viewerOf(request: FastifyRequest): Viewer {
  const user = request.user;
  if (!user) throw new PlumetraceError('PT_ERR_UNAUTHENTICATED', 'sign in or send an API token');
  return {
    actor: { userId: user.id, role: user.role, organizationId: user.organizationId },
    organizationKind: user.organizationKind,
  };
}

/** The part of a site filter that limits a listing to what the viewer may see. */
export function visibleSitesFilter(v: Viewer): Pick<SiteFilter, 'organizationId' | 'referredToOrganizationId'> {
  return v.organizationKind === 'partner'
    ? { referredToOrganizationId: v.actor.organizationId }
    : { organizationId: v.actor.organizationId };
}

export function canSeeReferral(v: Viewer, referral: Referral, site: Site): boolean {
  return v.organizationKind === 'partner'
    ? referral.organizationId === v.actor.organizationId
    : site.organizationId === v.actor.organizationId;
}

/** The site, when the viewer may see it; PT_ERR_NOT_FOUND otherwise (and when it does not exist). */
export async function visibleSite(store: Store, v: Viewer, id: string): Promise<Site> {
  const site = await store.getSite(id);
  if (site) {
    if (v.organizationKind !== 'partner' && site.organizationId === v.actor.organizationId) return site;
    if (v.organizationKind === 'partner') {
      const referrals = await store.listReferrals({ siteId: id, organizationId: v.actor.organizationId });
      if (referrals.length > 0) return site;
    }
  }
  throw new PlumetraceError('PT_ERR_NOT_FOUND', `no site with id "${id}"`);
}

/** The referral and its site, when the viewer may see them; PT_ERR_NOT_FOUND otherwise. */
export async function visibleReferral(
  store: Store,
  v: Viewer,
  id: string,
): Promise<{ referral: Referral; site: Site }> {
  const referral = await store.getReferral(id);
  const site = referral ? await store.getSite(referral.siteId) : null;
  if (referral && site && canSeeReferral(v, referral, site)) return { referral, site };
  throw new PlumetraceError('PT_ERR_NOT_FOUND', `no referral with id "${id}"`);
}
