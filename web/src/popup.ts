/** What a popup says about a site or a flight. */
import type { FlightProperties, SiteProperties } from './api.ts';
import { h } from './dom.ts';
import { formatLonLat, formatRate, formatTime } from './format.ts';
import { statusBadge } from './panel.ts';

function facts(rows: [string, string][]): HTMLElement {
  return h(
    'dl',
    { class: 'facts' },
    rows.flatMap(([term, value]) => [h('dt', { text: term }), h('dd', { text: value })]),
  );
}

export function sitePopup(site: SiteProperties, lon: number, lat: number): HTMLElement {
  return h('div', { class: 'popup', attrs: { 'data-site-id': site.id } }, [
    h('div', { class: 'popup-head' }, [
      h('strong', { class: 'popup-title', text: site.name }),
      statusBadge(site.status),
    ]),
    facts([
      ['Gas', site.gases.join(', ') || '–'],
      ['Rate', formatRate(site.rateKgPerHour, site.rateSigmaKgPerHour)],
      ['Detections', String(site.detectionCount)],
      ['First seen', formatTime(site.firstSeen)],
      ['Last seen', formatTime(site.lastSeen)],
      ['Location', formatLonLat(lon, lat)],
    ]),
  ]);
}

export function flightPopup(flight: FlightProperties): HTMLElement {
  return h('div', { class: 'popup' }, [
    h('div', { class: 'popup-head' }, [h('strong', { class: 'popup-title', text: flight.name })]),
    facts([
      ['Platform', flight.platform],
      ['Sensor', flight.sensorKind],
      ['Start', formatTime(flight.startTime)],
      ['End', formatTime(flight.endTime)],
    ]),
  ]);
}
