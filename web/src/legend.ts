/** The map legend: the site states present on the map, and the flight track line. */
import { h } from './dom.ts';
import { FLIGHT_TRACK_COLOR, STATUS_STYLES, statusStyle } from './status.ts';

export function renderLegend(container: HTMLElement, statuses: Iterable<string>, hasFlights: boolean): void {
  const present = new Set(statuses);
  // Workflow order for known states, then any the page does not know.
  const ordered = [
    ...Object.keys(STATUS_STYLES).filter((s) => present.has(s)),
    ...[...present].filter((s) => !(s in STATUS_STYLES)),
  ];
  container.replaceChildren(
    h('div', { class: 'legend-title', text: 'Site status' }),
    h(
      'ul',
      { class: 'legend-list' },
      ordered.map((s) =>
        h('li', {}, [
          h('span', { class: 'dot', style: { '--status-color': statusStyle(s).color } }),
          statusStyle(s).label,
        ]),
      ),
    ),
    ...(hasFlights
      ? [
          h('ul', { class: 'legend-list legend-tracks' }, [
            h('li', {}, [
              h('span', { class: 'track', style: { '--track-color': FLIGHT_TRACK_COLOR } }),
              'Flight track',
            ]),
          ]),
        ]
      : []),
  );
  container.hidden = ordered.length === 0 && !hasFlights;
}
