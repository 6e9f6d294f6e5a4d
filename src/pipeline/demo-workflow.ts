/**
 * The demo's people and workflow (issue 4): an analyst agency and a partner authority whose
 * jurisdiction covers the Test Valley, users of every role, and the demo sites walked through the
 * real state machine (Store.applyWorkflowAction) into every workflow state — one each — with
 * reviews, a referral per referred site, comments and evidence, so a new user can walk the whole
 * workflow. Times are set in the weeks after the surveys, so referrals left open show as overdue.
 *
 * Running it again changes nothing: organizations and users that exist are kept (their passwords
 * too), and only sites still in 'candidate' are moved.
 */
import type { Polygon } from 'geojson';
import type { WorkflowAction, WorkflowActionKind, WorkflowStatus } from '../core/workflow/machine.ts';
import type { Actor } from '../core/workflow/machine.ts';
import type { Organization, Role, Site, Store } from '../store/types.ts';

export const DEMO_PARTNER = 'Test Valley Environmental Authority';

/** The partner's jurisdiction: the Test Valley around the demo sites (lon −1.60…−1.30, lat 51.05…51.25). */
export const DEMO_JURISDICTION: Polygon = {
  type: 'Polygon',
  coordinates: [
    [
      [-1.6, 51.05],
      [-1.3, 51.05],
      [-1.3, 51.25],
      [-1.6, 51.25],
      [-1.6, 51.05],
    ],
  ],
};

/** The demo users: every role of the agency, and the partner's liaison and a partner viewer. */
export const DEMO_USERS: readonly { email: string; displayName: string; role: Role; org: 'agency' | 'partner' }[] = [
  { email: 'admin@agency.demo', displayName: 'Ada Admin', role: 'admin', org: 'agency' },
  { email: 'analyst@agency.demo', displayName: 'Ana Analyst', role: 'analyst', org: 'agency' },
  { email: 'reviewer@agency.demo', displayName: 'Rei Reviewer', role: 'reviewer', org: 'agency' },
  { email: 'viewer@agency.demo', displayName: 'Vic Viewer', role: 'viewer', org: 'agency' },
  { email: 'liaison@authority.demo', displayName: 'Lia Liaison', role: 'partner', org: 'partner' },
  { email: 'viewer@authority.demo', displayName: 'Pat Viewer', role: 'viewer', org: 'partner' },
];

/** The actions that take a candidate to each state (the last one names the state). */
const PATHS: Record<WorkflowStatus, readonly WorkflowActionKind[]> = {
  candidate: [],
  'r1-reviewed': ['r1-review'],
  confirmed: ['r1-review', 'r2-confirm'],
  dismissed: ['r1-review', 'r2-dismiss'],
  referred: ['r1-review', 'r2-confirm', 'refer'],
  acknowledged: ['r1-review', 'r2-confirm', 'refer', 'acknowledge', 'comment'],
  inspected: ['r1-review', 'r2-confirm', 'refer', 'acknowledge', 'inspect', 'upload-evidence'],
  closed: ['r1-review', 'r2-confirm', 'refer', 'acknowledge', 'inspect', 'record-outcome'],
  verified: ['r1-review', 'r2-confirm', 'refer', 'acknowledge', 'inspect', 'record-outcome', 'verify'],
};

/**
 * Which state each demo site is walked to, in the order the demo creates them: A, B, then the
 * six later surveys' sites D–I, then the aircraft scene's site C, then the thermal scene's site J.
 */
export const DEMO_STATES: readonly WorkflowStatus[] = [
  'verified',
  'referred',
  'candidate',
  'r1-reviewed',
  'dismissed',
  'acknowledged',
  'inspected',
  'closed',
  'confirmed',
  // J, the thermal scene's solvent site: confirmed, ready for a referral.
  'confirmed',
];

const REASONS: Record<WorkflowActionKind, string> = {
  'r1-review': 'Plume consistent across transects; source inside a farm compound. Recommend confirmation.',
  'r2-confirm': 'Checked the fit residuals and the wind record; confirmed.',
  'r2-dismiss': 'Enhancement explained by the dairy barn ventilation logged by the ground team; dismissed.',
  refer: 'Referred to the authority whose jurisdiction contains the site.',
  acknowledge: 'Received; inspection team assigned.',
  inspect: 'Site inspected with a handheld analyser.',
  'record-outcome': 'Leaking valve on the digester replaced.',
  verify: 'Later overflight shows no enhancement above background.',
  comment: 'Access is from the north track; please coordinate with the landowner.',
  'upload-evidence': 'Inspection photo',
};

export interface DemoPeopleResult {
  agency: Organization;
  partner: Organization;
  /** Users created this run (none when they all existed). */
  createdUsers: string[];
  /** Sites moved this run, with the state they reached. */
  moved: { site: string; status: WorkflowStatus }[];
}

/**
 * Seeds the demo's organizations, users and workflow states. `hashPassword` comes from the caller
 * (the server's scrypt hashing; the pipeline does not depend on the server).
 */
export async function seedDemoWorkflow(
  store: Store,
  opts: {
    agencyName: string;
    password: string;
    hashPassword: (password: string) => Promise<string>;
    /** The demo's sites in order; each is walked to DEMO_STATES[i]. */
    sites: readonly Site[];
  },
): Promise<DemoPeopleResult> {
  const agency =
    (await store.findOrganizationByName(opts.agencyName)) ??
    (await store.createOrganization({ name: opts.agencyName, kind: 'analyst' }, [], { audit: { actorUserId: null } }));
  const partner =
    (await store.findOrganizationByName(DEMO_PARTNER)) ??
    (await store.createOrganization(
      { name: DEMO_PARTNER, kind: 'partner' },
      [{ name: 'Test Valley', geometry: DEMO_JURISDICTION }],
      { audit: { actorUserId: null } },
    ));
  const createdUsers: string[] = [];
  const actors = new Map<Role | 'partner-viewer', Actor>();
  let passwordHash: string | undefined;
  for (const u of DEMO_USERS) {
    const org = u.org === 'agency' ? agency : partner;
    let user = await store.findUserByEmail(u.email);
    if (!user) {
      passwordHash ??= await opts.hashPassword(opts.password);
      user = await store.createUser(
        { organizationId: org.id, email: u.email, displayName: u.displayName, role: u.role, passwordHash },
        { audit: { actorUserId: null } },
      );
      createdUsers.push(u.email);
    }
    actors.set(u.org === 'partner' && u.role === 'viewer' ? 'partner-viewer' : u.role, {
      userId: user.id,
      role: user.role,
      organizationId: user.organizationId,
    });
  }
  const who = (kind: WorkflowActionKind): Actor => {
    if (kind === 'r2-confirm' || kind === 'r2-dismiss') return actors.get('reviewer')!;
    if (['acknowledge', 'inspect', 'record-outcome', 'upload-evidence'].includes(kind)) return actors.get('partner')!;
    return actors.get('analyst')!;
  };

  const moved: DemoPeopleResult['moved'] = [];
  for (const [i, site] of opts.sites.entries()) {
    const target = DEMO_STATES[i % DEMO_STATES.length]!;
    const current = await store.getSite(site.id);
    if (current?.status !== 'candidate' || target === 'candidate') continue;
    // Two days after the site was last seen, then a step every few days.
    let t = Date.parse(site.lastSeen) + 2 * 86_400_000;
    for (const kind of PATHS[target]) {
      t += (kind === 'verify' ? 30 : 3) * 86_400_000;
      const at = new Date(t).toISOString();
      const action: WorkflowAction = {
        kind,
        actor: who(kind),
        at,
        reason: REASONS[kind],
        ...(kind === 'record-outcome' ? { outcome: 'remediated' as const } : {}),
        ...(kind === 'verify' ? { overflightAt: new Date(t - 86_400_000).toISOString() } : {}),
      };
      await store.applyWorkflowAction(
        site.id,
        action,
        kind === 'upload-evidence'
          ? {
              evidence: {
                filename: 'inspection-notes.txt',
                mediaType: 'text/plain',
                content: new TextEncoder().encode(
                  `Inspection notes for ${site.name}: handheld CH4 readings up to 40 ppm at the fence line.\n`,
                ),
              },
            }
          : {},
      );
    }
    moved.push({ site: site.name, status: target });
  }
  return { agency, partner, createdUsers, moved };
}
