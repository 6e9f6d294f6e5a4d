/** The side panel: one entry per site, highest emission rate first. */
import type { SiteProperties } from './api.ts';
import { h } from './dom.ts';
import { formatDate, formatRate, plural } from './format.ts';
import { statusStyle } from './status.ts';

export interface SiteList {
  /** Marks one entry as the current one (or none) and scrolls it into view. */
  setCurrent(siteId: string | null): void;
}

export function compareSites(a: SiteProperties, b: SiteProperties): number {
  const ra = a.rateKgPerHour ?? Number.NEGATIVE_INFINITY;
  const rb = b.rateKgPerHour ?? Number.NEGATIVE_INFINITY;
  return rb - ra || a.name.localeCompare(b.name);
}

export function statusBadge(status: string): HTMLElement {
  const style = statusStyle(status);
  return h('span', { class: 'badge', text: style.label, style: { '--status-color': style.color } });
}

export function renderSiteList(
  list: HTMLOListElement,
  sites: SiteProperties[],
  onSelect: (siteId: string) => void,
): SiteList {
  const items = new Map<string, HTMLButtonElement>();
  list.replaceChildren(
    ...[...sites].sort(compareSites).map((s) => {
      const button = h('button', { class: 'site', attrs: { type: 'button', 'data-site-id': s.id } }, [
        h('span', { class: 'site-row' }, [
          h('span', { class: 'dot', style: { '--status-color': statusStyle(s.status).color } }),
          h('span', { class: 'site-name', text: s.name }),
          statusBadge(s.status),
        ]),
        h('span', { class: 'site-row site-detail' }, [
          h(
            'span',
            { class: 'gases' },
            s.gases.length ? s.gases.map((g) => h('span', { class: 'gas', text: g })) : ['–'],
          ),
          h('span', { class: 'rate', text: formatRate(s.rateKgPerHour, s.rateSigmaKgPerHour) }),
        ]),
        h('span', {
          class: 'site-row site-meta',
          text: `${plural(s.detectionCount, 'detection')} · last seen ${formatDate(s.lastSeen)}`,
        }),
      ]);
      button.addEventListener('click', () => onSelect(s.id));
      items.set(s.id, button);
      return h('li', {}, [button]);
    }),
  );
  return {
    setCurrent(siteId) {
      for (const [id, button] of items) {
        if (id === siteId) {
          button.setAttribute('aria-current', 'true');
          button.scrollIntoView({ block: 'nearest' });
        } else {
          button.removeAttribute('aria-current');
        }
      }
    },
  };
}
