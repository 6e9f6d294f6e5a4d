/** The referrals view: one entry per referral, overdue ones first, then the most recent. */
import type { Referral } from './api.ts';
import { overdueFlag, urgencyWords } from './detail.ts';
import { h } from './dom.ts';
import { formatTime } from './format.ts';
import { statusBadge } from './panel.ts';

export interface ReferralList {
  setCurrent(referralId: string | null): void;
}

export function compareReferrals(a: Referral, b: Referral): number {
  return Number(b.overdue) - Number(a.overdue) || b.createdAt.localeCompare(a.createdAt);
}

/** "Acknowledge by 2025-06-03 14:00 UTC", the first deadline not yet met; null when none is open. */
export function nextDeadline(r: Referral): string | null {
  const open = r.deadlines.filter((d) => !d.metAt).sort((a, b) => a.dueAt.localeCompare(b.dueAt))[0];
  if (!open) return null;
  return `${open.kind === 'acknowledge' ? 'Acknowledge' : 'Act'} by ${formatTime(open.dueAt)}`;
}

export function renderReferralList(
  list: HTMLOListElement,
  referrals: Referral[],
  onSelect: (referralId: string) => void,
): ReferralList {
  const items = new Map<string, HTMLButtonElement>();
  list.replaceChildren(
    ...[...referrals].sort(compareReferrals).map((r) => {
      const deadline = nextDeadline(r);
      const button = h(
        'button',
        { class: 'site referral', attrs: { type: 'button', 'data-referral-id': r.id, 'data-site-id': r.siteId } },
        [
          h('span', { class: 'site-row' }, [
            h('span', { class: 'site-name', text: r.site.name }),
            statusBadge(r.status),
          ]),
          h('span', { class: 'site-row site-meta' }, [
            r.overdue ? overdueFlag() : null,
            `${r.organizationName} · urgency ${urgencyWords(r)}`,
          ]),
          h('span', {
            class: 'site-row site-meta',
            text: [`Referred ${formatTime(r.createdAt)}`, deadline, r.outcome ? `outcome ${r.outcome}` : null]
              .filter(Boolean)
              .join(' · '),
          }),
        ],
      );
      button.addEventListener('click', () => onSelect(r.id));
      items.set(r.id, button);
      return h('li', {}, [button]);
    }),
  );
  return {
    setCurrent(referralId) {
      for (const [id, button] of items) {
        if (id === referralId) button.setAttribute('aria-current', 'true');
        else button.removeAttribute('aria-current');
      }
    },
  };
}
