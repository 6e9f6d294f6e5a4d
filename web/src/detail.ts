/**
 * The detail drawer beside the map: a site (status, rate ± sigma, persistence, detections, reviews,
 * its referral in brief) or a referral (urgency, deadlines, timeline, evidence, package downloads),
 * each with the actions the server says the caller may take now.
 */
import { type ActionTarget, renderActions } from './actions.ts';
import {
  evidenceUrl,
  fetchReferral,
  fetchReviews,
  fetchSite,
  PACKAGE_FORMATS,
  packageUrl,
  type DetectionGas,
  type DetectionView,
  type Referral,
  type ReferralDetail,
  type Review,
  type SessionUser,
  type SiteDetail,
  type SiteProfileScore,
  type WorkflowActionKind,
  type WorkflowResult,
} from './api.ts';
import { h } from './dom.ts';
import { formatConfidence, formatLonLat, formatNumber, formatRate, formatTime, plural } from './format.ts';
import { statusBadge } from './panel.ts';
import { statusStyle } from './status.ts';

/** What the drawer needs from the page. */
export interface DetailHost {
  user: SessionUser;
  /** Reloads the sites (list, map colours) and the referrals after an action. */
  refresh(): Promise<void>;
  openSite(siteId: string): void;
  openReferral(referralId: string): void;
}

export function facts(rows: [string, string | Node][]): HTMLElement {
  return h(
    'dl',
    { class: 'facts' },
    rows.flatMap(([term, value]) => [h('dt', { text: term }), h('dd', {}, [value])]),
  );
}

/** "2 of 3 overflights (67 %)"; "no overflight covered it yet" when none did. */
export function formatPersistence(c: SiteDetail['coverage']): string {
  if (c.overflights === 0 || c.persistence === null) return 'no overflight covered it yet';
  const [lo, hi] = c.persistenceCi90.map((v) => Math.round(v * 100));
  return `${c.detectedFlights} of ${plural(c.overflights, 'overflight')} (${Math.round(c.persistence * 100)} %; 90%: ${lo}–${hi} %)`;
}

export function formatPriority(p: SiteDetail['priority']): string {
  const t = p.terms;
  return `${p.score.toFixed(2)} (rate ${t.rate.toFixed(2)}, persistence ${t.persistence.toFixed(2)}, reports ${t.reports.toFixed(2)})`;
}

/**
 * The gases a site's thermal detections identified: per gas, the entry with the highest confidence
 * over the detections (as the profile scores take it), best first. Detections without a `gases`
 * list (methane, in-situ) add nothing: their gas is in the facts above.
 */
export function siteGases(detections: readonly DetectionView[]): DetectionGas[] {
  const best = new Map<string, DetectionGas>();
  for (const d of detections) {
    const list = d.properties?.gases;
    if (!Array.isArray(list)) continue;
    for (const g of list as Partial<DetectionGas>[]) {
      if (typeof g?.name !== 'string' || typeof g.confidence !== 'number') continue;
      const prev = best.get(g.name);
      if (prev && prev.confidence >= g.confidence) continue;
      best.set(g.name, {
        name: g.name,
        cas: typeof g.cas === 'string' ? g.cas : '',
        confidence: g.confidence,
        columnPpmM: typeof g.columnPpmM === 'number' ? g.columnPpmM : Number.NaN,
      });
    }
  }
  return [...best.values()].sort((a, b) => b.confidence - a.confidence || a.name.localeCompare(b.name));
}

function gasesSection(gases: DetectionGas[]): HTMLElement | '' {
  if (gases.length === 0) return '';
  return section(
    'Gases identified',
    [
      h('table', { class: 'detections gas-table' }, [
        h('caption', { class: 'sr-only', text: 'Gases identified in the thermal detections of this site' }),
        h('thead', {}, [
          h('tr', {}, [
            h('th', { text: 'Gas', attrs: { scope: 'col' } }),
            h('th', { text: 'Confidence', attrs: { scope: 'col' } }),
            h('th', { text: 'Column', attrs: { scope: 'col' } }),
          ]),
        ]),
        h(
          'tbody',
          {},
          gases.map((g) =>
            h('tr', { attrs: { 'data-gas': g.name } }, [
              h('td', {}, [g.name, g.cas ? h('span', { class: 'muted', text: ` (CAS ${g.cas})` }) : '']),
              h('td', { class: 'num', text: formatConfidence(g.confidence) }),
              h('td', {
                class: 'num',
                text: Number.isFinite(g.columnPpmM) ? `${formatNumber(g.columnPpmM)} ppm·m` : '–',
              }),
            ]),
          ),
        ),
      ]),
      h('p', {
        class: 'muted',
        text: 'Confidence: the probability of the plume models that contain the gas. Column: mean over the plume; the best over the site’s detections.',
      }),
    ],
    { 'data-section': 'gases' },
  );
}

function profilesSection(profiles: SiteProfileScore[], examples: boolean): HTMLElement | '' {
  if (profiles.length === 0) return '';
  return section(
    'Signature profiles',
    [
      examples
        ? h('p', {
            class: 'caveat',
            text: 'These are the example profiles shipped with plumetrace: examples, not truth. A shared set of gases proves no kind of source.',
            attrs: { 'data-caveat': 'example-profiles' },
          })
        : '',
      h('table', { class: 'detections profile-table' }, [
        h('caption', { class: 'sr-only', text: 'Signature profiles scored on this site' }),
        h('thead', {}, [
          h('tr', {}, [
            h('th', { text: 'Profile', attrs: { scope: 'col' } }),
            h('th', { text: 'Score', attrs: { scope: 'col' } }),
            h('th', { text: 'Kind of source', attrs: { scope: 'col' } }),
          ]),
        ]),
        h(
          'tbody',
          {},
          profiles.map((p) =>
            h('tr', { attrs: { 'data-profile': p.name } }, [
              h('td', { text: p.name }),
              h('td', { class: 'num', text: p.score.toFixed(2) }),
              h('td', { text: p.sourceKind ?? '–' }),
            ]),
          ),
        ),
      ]),
      h('p', {
        class: 'muted',
        text: 'Score 0–1: the weighted share of the profile’s gases seen, each at its highest confidence.',
      }),
    ],
    { 'data-section': 'profiles' },
  );
}

/** Who did something: "you", or the user's display name. */
function who(user: SessionUser, userId: string, name: string): string {
  return userId === user.id ? 'you' : name;
}

const ACTION_WORDS: Partial<Record<WorkflowActionKind, string>> = {
  'r1-review': 'R1 review recorded',
  'r2-confirm': 'Site confirmed',
  'r2-dismiss': 'Site dismissed',
  refer: 'Site referred',
  acknowledge: 'Referral acknowledged',
  inspect: 'Inspection recorded',
  'record-outcome': 'Outcome recorded',
  verify: 'Verification recorded',
  comment: 'Comment posted',
  'upload-evidence': 'Evidence uploaded',
};

export function doneWords(kind: WorkflowActionKind, result: WorkflowResult): string {
  return `${ACTION_WORDS[kind] ?? kind}. Site status: ${statusStyle(result.status).label}.`;
}

function head(title: string, badge: HTMLElement, onClose: () => void, extra: Node[] = []): HTMLElement {
  const close = h('button', {
    class: 'close',
    text: '×',
    attrs: { type: 'button', 'aria-label': 'Close details', 'data-close': '' },
  });
  close.addEventListener('click', onClose);
  return h('div', { class: 'detail-head' }, [
    h('h2', { class: 'detail-title', text: title, attrs: { id: 'detail-title', tabindex: '-1' } }),
    badge,
    ...extra,
    close,
  ]);
}

function section(title: string, children: (Node | string)[], attrs: Record<string, string> = {}): HTMLElement {
  return h('section', { class: 'detail-section', attrs }, [h('h3', { text: title }), ...children]);
}

export function overdueFlag(): HTMLElement {
  return h('span', { class: 'flag-overdue', text: 'OVERDUE', attrs: { title: 'Past a deadline and still open' } });
}

export function urgencyWords(r: Referral): string {
  if (!r.urgency) return 'not assessed';
  return `${r.urgency.level} (score ${formatNumber(r.urgency.score)})`;
}

function deadlineList(r: Referral): HTMLElement {
  if (r.deadlines.length === 0) return h('p', { class: 'muted', text: 'No deadlines set.' });
  return h(
    'ul',
    { class: 'deadlines' },
    r.deadlines.map((d) => {
      const what = d.kind === 'acknowledge' ? 'Acknowledge' : 'Act';
      const state = d.metAt
        ? `met ${formatTime(d.metAt)}${d.missed ? ' (late)' : ''}`
        : d.missed
          ? `missed, overdue by ${formatNumber(d.overdueByH)} h`
          : 'open';
      return h('li', { class: d.missed ? 'missed' : '', attrs: { 'data-deadline': d.kind } }, [
        `${what} by ${formatTime(d.dueAt)}: ${state}`,
      ]);
    }),
  );
}

/** A status region for "done" and failure messages, announced to screen readers. */
function notice(text: string | null): HTMLElement {
  const el = h('p', { class: 'detail-notice', attrs: { role: 'status', id: 'detail-notice' }, text: text ?? '' });
  el.hidden = text === null;
  return el;
}

/** Renders a site into the drawer; `flash` is a message to show on top (after an action). */
export async function renderSiteDetail(
  container: HTMLElement,
  siteId: string,
  host: DetailHost,
  onClose: () => void,
  flash: string | null = null,
): Promise<void> {
  const site = await fetchSite(siteId);
  const isPartner = host.user.organizationKind === 'partner';
  const [reviews, referral] = await Promise.all([
    isPartner ? Promise.resolve<Review[]>([]) : fetchReviews(siteId),
    site.referral ? fetchReferral(site.referral.id) : Promise.resolve(null),
  ]);
  const p = site.properties;
  const [lon, lat] = site.geometry.coordinates as [number, number];
  const target: ActionTarget = { siteId, referralId: site.referral?.id ?? null };
  const actions = h('section', { class: 'detail-section actions', attrs: { 'aria-label': 'Actions' } });
  const onDone = async (kind: WorkflowActionKind, result: WorkflowResult) => {
    await host.refresh();
    await renderSiteDetail(container, siteId, host, onClose, doneWords(kind, result));
    // The form that had the focus is gone: keep keyboard users in the drawer.
    container.querySelector<HTMLElement>('#detail-title')?.focus();
  };
  renderActions(actions, site.actions, target, onDone);

  container.replaceChildren(
    head(p.name, statusBadge(p.status), onClose),
    notice(flash),
    facts([
      ['Status', statusStyle(p.status).label],
      ['Gas', p.gases.join(', ') || '–'],
      ['Rate', formatRate(p.rateKgPerHour, p.rateSigmaKgPerHour)],
      ['Persistence', formatPersistence(site.coverage)],
      ['Priority', formatPriority(site.priority)],
      ...(site.reports.length > 0
        ? ([
            [
              'Reports',
              site.reports
                .map(
                  (r) =>
                    `${r.source} (credibility ${r.credibility.toFixed(2)}, ${formatTime(r.observedAt)}): ${r.text}`,
                )
                .join(' · '),
            ],
          ] as [string, string][])
        : []),
      ['Detections', String(p.detectionCount)],
      ['First seen', formatTime(p.firstSeen)],
      ['Last seen', formatTime(p.lastSeen)],
      ['Location', formatLonLat(lon, lat)],
    ]),
    actions,
    referral ? referralSummary(referral, host) : '',
    gasesSection(siteGases(site.detections)),
    profilesSection(site.profiles ?? [], site.profilesAreExamples === true),
    section(
      'Detections',
      [
        site.detections.length === 0
          ? h('p', { class: 'muted', text: 'No detections.' })
          : h('table', { class: 'detections' }, [
              h('caption', { class: 'sr-only', text: 'Detections of this site' }),
              h('thead', {}, [
                h('tr', {}, [
                  h('th', { text: 'Processed', attrs: { scope: 'col' } }),
                  h('th', { text: 'Gas', attrs: { scope: 'col' } }),
                  h('th', { text: 'Rate', attrs: { scope: 'col' } }),
                  h('th', { text: 'Method', attrs: { scope: 'col' } }),
                ]),
              ]),
              h(
                'tbody',
                {},
                [...site.detections]
                  .sort((a, b) => a.createdAt.localeCompare(b.createdAt))
                  .map((d) =>
                    h('tr', { attrs: { 'data-detection-id': d.id } }, [
                      h('td', { text: formatTime(d.createdAt) }),
                      h('td', { text: d.gas }),
                      h('td', { text: formatRate(d.rateKgPerHour ?? null, d.rateSigmaKgPerHour ?? null) }),
                      h('td', {
                        class: 'method',
                        // The version names its method ("insitu-bayes-ais/0.3.0"); say the method once.
                        text: d.algorithmVersion.startsWith(d.method)
                          ? d.algorithmVersion
                          : `${d.method} ${d.algorithmVersion}`,
                      }),
                    ]),
                  ),
              ),
            ]),
      ],
      { 'data-section': 'detections' },
    ),
    isPartner
      ? ''
      : section(
          'Reviews',
          [
            reviews.length === 0
              ? h('p', { class: 'muted', text: 'Not reviewed yet.' })
              : h(
                  'ol',
                  { class: 'reviews' },
                  reviews.map((r) =>
                    h('li', { attrs: { 'data-review-id': r.id } }, [
                      h('strong', { text: `${r.stage} · ${r.decision}` }),
                      ` by ${who(host.user, r.reviewerId, r.reviewerName)}, ${formatTime(r.createdAt)}`,
                      h('p', { class: 'quote', text: r.reason }),
                    ]),
                  ),
                ),
          ],
          { 'data-section': 'reviews' },
        ),
  );
  container.dataset.siteId = siteId;
  delete container.dataset.referralId;
}

function referralSummary(r: ReferralDetail, host: DetailHost): HTMLElement {
  const open = h('button', {
    class: 'secondary',
    text: 'Open referral',
    attrs: { type: 'button', 'data-open-referral': r.id },
  });
  open.addEventListener('click', () => host.openReferral(r.id));
  return section(
    'Referral',
    [
      facts([
        ['Authority', r.organizationName],
        ['Status', h('span', {}, [statusBadge(r.status), r.overdue ? overdueFlag() : ''])],
        ['Urgency', urgencyWords(r)],
        ['Referred', formatTime(r.createdAt)],
        ...(r.outcome ? ([['Outcome', r.outcome]] as [string, string][]) : []),
      ]),
      open,
    ],
    { 'data-section': 'referral' },
  );
}

/** Renders a referral into the drawer. */
export async function renderReferralDetail(
  container: HTMLElement,
  referralId: string,
  host: DetailHost,
  onClose: () => void,
  flash: string | null = null,
): Promise<void> {
  const r = await fetchReferral(referralId);
  const actions = h('section', { class: 'detail-section actions', attrs: { 'aria-label': 'Actions' } });
  renderActions(actions, r.actions, { siteId: r.siteId, referralId: r.id }, async (kind, result) => {
    await host.refresh();
    await renderReferralDetail(container, referralId, host, onClose, doneWords(kind, result));
    container.querySelector<HTMLElement>('#detail-title')?.focus();
  });
  const showSite = h('button', {
    class: 'secondary',
    text: 'Show site',
    attrs: { type: 'button', 'data-open-site': r.siteId },
  });
  showSite.addEventListener('click', () => host.openSite(r.siteId));
  const evidenceName = new Map(r.evidence.map((e) => [e.id, e.filename]));

  container.replaceChildren(
    head(`Referral · ${r.site.name}`, statusBadge(r.status), onClose, r.overdue ? [overdueFlag()] : []),
    notice(flash),
    facts([
      ['Site', r.site.name],
      ['Site status', statusStyle(r.site.status).label],
      ['Authority', r.organizationName],
      ['Basis', r.basis === 'jurisdiction' ? 'jurisdiction contains the site' : "analyst's choice"],
      ['Urgency', urgencyWords(r)],
      ['Rate', formatRate(r.site.rateKgPerHour, r.site.rateSigmaKgPerHour)],
      ['Referred', formatTime(r.createdAt)],
      ...(r.acknowledgedAt ? ([['Acknowledged', formatTime(r.acknowledgedAt)]] as [string, string][]) : []),
      ...(r.inspectedAt ? ([['Inspected', formatTime(r.inspectedAt)]] as [string, string][]) : []),
      ...(r.closedAt ? ([['Closed', formatTime(r.closedAt)]] as [string, string][]) : []),
      ...(r.outcome ? ([['Outcome', r.outcome]] as [string, string][]) : []),
      ...(r.verifiedAt ? ([['Verified', formatTime(r.verifiedAt)]] as [string, string][]) : []),
      ...(r.reason ? ([['Reason', r.reason]] as [string, string][]) : []),
    ]),
    showSite,
    actions,
    section('Deadlines', [deadlineList(r)], { 'data-section': 'deadlines' }),
    section(
      'Referral package',
      [
        h(
          'ul',
          { class: 'downloads' },
          PACKAGE_FORMATS.map((f) =>
            h('li', {}, [
              h('a', {
                text: f.toUpperCase(),
                attrs: {
                  href: packageUrl(r.id, f),
                  download: '',
                  'data-package': f,
                  'aria-label': `Download the referral package as ${f.toUpperCase()}`,
                },
              }),
            ]),
          ),
        ),
      ],
      { 'data-section': 'package' },
    ),
    section(
      'Evidence',
      [
        r.evidence.length === 0
          ? h('p', { class: 'muted', text: 'No evidence uploaded.' })
          : h(
              'ul',
              { class: 'evidence' },
              r.evidence.map((e) =>
                h('li', { attrs: { 'data-evidence-id': e.id } }, [
                  h('a', { text: e.filename, attrs: { href: evidenceUrl(r.id, e.id), download: e.filename } }),
                  ` · ${formatBytes(e.sizeBytes)} · ${who(host.user, e.uploadedBy, e.uploadedByName)}, ${formatTime(e.createdAt)}`,
                ]),
              ),
            ),
      ],
      { 'data-section': 'evidence' },
    ),
    section(
      'Timeline',
      [
        r.events.length === 0
          ? h('p', { class: 'muted', text: 'Nothing happened yet.' })
          : h(
              'ol',
              { class: 'timeline' },
              [...r.events]
                .sort((a, b) => a.at.localeCompare(b.at))
                .map((e) =>
                  h('li', { attrs: { 'data-event-kind': e.kind } }, [
                    h('strong', { text: e.kind.replaceAll('-', ' ') }),
                    ` · ${formatTime(e.at)} · ${who(host.user, e.byUserId, e.byName)}`,
                    e.text ? h('p', { class: 'quote', text: e.text }) : null,
                    // An upload's entry names its file, unless its text already does.
                    e.evidenceId && !e.text?.includes(evidenceName.get(e.evidenceId) ?? e.evidenceId)
                      ? h('p', { class: 'muted', text: `File: ${evidenceName.get(e.evidenceId) ?? e.evidenceId}` })
                      : null,
                  ]),
                ),
            ),
      ],
      { 'data-section': 'timeline' },
    ),
  );
  container.dataset.referralId = referralId;
  delete container.dataset.siteId;
}

function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${formatNumber(n / 1024)} KB`;
  return `${formatNumber(n / (1024 * 1024))} MB`;
}
