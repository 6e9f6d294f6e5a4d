/**
 * The plumetrace map page: sites and flight tracks from the REST API over an offline basemap, and a
 * side panel listing the sites. When the map has drawn everything it sets `body[data-ready=true]`
 * (or `error` when loading failed); tests and scripts wait for it. Before any of that the user signs
 * in (`body[data-auth=signed-out]` while the sign-in form shows).
 */
import * as maplibregl from 'maplibre-gl';
import { errorWords } from './actions.ts';
import {
  type FlightsCollection,
  fetchFlights,
  fetchReferrals,
  fetchSites,
  type SiteProperties,
  type SitesCollection,
} from './api.ts';
import { type DetailHost, renderReferralDetail, renderSiteDetail } from './detail.ts';
import { byId, h } from './dom.ts';
import { plural } from './format.ts';
import { renderLegend } from './legend.ts';
import { baseStyle, dataLayers } from './map-style.ts';
import { renderSiteList, type SiteList } from './panel.ts';
import { flightPopup, sitePopup } from './popup.ts';
import { type ReferralList, renderReferralList } from './referrals.ts';
import { ensureSignedIn } from './session.ts';
import { STATUS_STYLES, statusStyle } from './status.ts';

declare global {
  interface Window {
    plumetraceMap?: maplibregl.Map;
  }
}

const FIT_PADDING = 64;
const FIT_MAX_ZOOM = 13;
const FLY_MIN_ZOOM = 12;
/** CSS pixels kept between a selected site and the detail drawer. */
const DRAWER_MARGIN = 48;

type Tab = 'sites' | 'referrals';

async function main(): Promise<void> {
  // The API answers only a signed-in user: sign in first (the form shows when needed).
  const user = await ensureSignedIn();
  const map = new maplibregl.Map({
    container: 'map',
    style: baseStyle(),
    center: [0, 20],
    zoom: 1.5,
    attributionControl: { compact: true },
    canvasContextAttributes: { preserveDrawingBuffer: true },
    dragRotate: false,
    pitchWithRotate: false,
  });
  window.plumetraceMap = map;
  map.touchZoomRotate.disableRotation();
  map.addControl(new maplibregl.NavigationControl({ showCompass: false }), 'top-right');
  map.addControl(new maplibregl.ScaleControl({ unit: 'metric', maxWidth: 120 }), 'bottom-right');
  const loaded = map.once('load');

  let [sites, flights, referrals] = await Promise.all([fetchSites(), fetchFlights(), fetchReferrals(), loaded]);
  let siteById = new Map(sites.features.map((f) => [f.properties.id, f]));
  let statusFilter = '';
  let currentSiteId: string | null = null;
  let currentReferralId: string | null = null;

  map.addSource('flights', { type: 'geojson', data: flights });
  map.addSource('sites', { type: 'geojson', data: withColors(sites) });
  for (const layer of dataLayers()) map.addLayer(layer);

  const popup = new maplibregl.Popup({ closeButton: true, maxWidth: '320px', offset: 12 });
  let list: SiteList | undefined;
  let referralList: ReferralList | undefined;

  const highlight = (siteId: string | null) => {
    currentSiteId = siteId;
    map.setFilter('sites-selected', ['==', ['get', 'id'], siteId ?? '']);
    list?.setCurrent(siteId);
  };
  // Closing the popup (by the user, or by reopening it elsewhere) drops the highlight.
  popup.on('close', () => highlight(null));

  const showPopup = (siteId: string): boolean => {
    const site = siteById.get(siteId);
    if (!site) return false;
    const [lon, lat] = site.geometry.coordinates;
    popup
      .setLngLat([lon, lat])
      .setDOMContent(sitePopup(site.properties, lon, lat))
      .addTo(map);
    return true;
  };

  // ---- the detail drawer ----

  const detail = byId('detail');
  let detailToken = 0;
  const closeDetail = () => {
    detailToken++;
    const returnTo = currentReferralId
      ? document.querySelector<HTMLElement>(`#referral-list [data-referral-id="${CSS.escape(currentReferralId)}"]`)
      : currentSiteId
        ? document.querySelector<HTMLElement>(`#site-list [data-site-id="${CSS.escape(currentSiteId)}"]`)
        : null;
    detail.hidden = true;
    detail.replaceChildren();
    delete detail.dataset.state;
    currentReferralId = null;
    referralList?.setCurrent(null);
    popup.remove();
    returnTo?.focus();
  };
  /** Renders into a fresh body and swaps it in, so a slow answer never overwrites a newer one. */
  const openDetail = async (render: (body: HTMLElement) => Promise<void>) => {
    const token = ++detailToken;
    detail.hidden = false;
    detail.dataset.state = 'loading';
    detail.setAttribute('aria-busy', 'true');
    const body = h('div', { class: 'detail-body' });
    try {
      await render(body);
      if (token !== detailToken) return;
      detail.replaceChildren(body);
      detail.dataset.state = 'ready';
    } catch (error) {
      if (token !== detailToken) return;
      const close = h('button', { class: 'secondary', text: 'Close', attrs: { type: 'button' } });
      close.addEventListener('click', closeDetail);
      detail.replaceChildren(
        h('div', { class: 'detail-body' }, [
          h('h2', { class: 'detail-title', text: 'Could not load the details', attrs: { id: 'detail-title' } }),
          h('p', { class: 'form-error', text: errorWords(error), attrs: { role: 'alert' } }),
          close,
        ]),
      );
      detail.dataset.state = 'error';
    } finally {
      if (token === detailToken) detail.removeAttribute('aria-busy');
    }
  };
  const host: DetailHost = {
    user,
    refresh: () => refresh(),
    openSite: (id) => select(id, true),
    openReferral: (id) => selectReferral(id),
  };
  detail.addEventListener('keydown', (e) => {
    if (e.key === 'Escape' && !e.defaultPrevented) {
      e.preventDefault();
      closeDetail();
    }
  });

  /** How much of the map's right side the open drawer covers, in CSS pixels (0 while it is closed). */
  const drawerCover = () => (detail.hidden ? 0 : Math.max(0, map.getContainer().clientWidth - detail.offsetLeft));
  /** Moves a site out from under the drawer (only when it is under it). */
  const keepClear = (center: [number, number]) => {
    const right = drawerCover();
    if (right > 0 && map.project(center).x > map.getContainer().clientWidth - right - DRAWER_MARGIN)
      map.easeTo({ center, padding: { top: 0, bottom: 0, left: 0, right } });
  };

  const select = (siteId: string, fly: boolean) => {
    if (!showPopup(siteId)) return;
    currentReferralId = null;
    referralList?.setCurrent(null);
    highlight(siteId);
    void openDetail((body) => renderSiteDetail(body, siteId, host, closeDetail));
    const center = siteById.get(siteId)!.geometry.coordinates as [number, number];
    if (fly)
      map.flyTo({
        center,
        zoom: Math.max(map.getZoom(), FLY_MIN_ZOOM),
        // The site lands in the middle of what the drawer leaves visible.
        padding: { top: 0, bottom: 0, left: 0, right: drawerCover() },
        essential: true,
      });
    else keepClear(center);
  };

  const selectReferral = (referralId: string) => {
    const referral = referrals.find((r) => r.id === referralId);
    currentReferralId = referralId;
    referralList?.setCurrent(referralId);
    void openDetail((body) => renderReferralDetail(body, referralId, host, closeDetail));
    const site = referral && siteById.get(referral.siteId);
    if (site && showPopup(site.properties.id)) {
      highlight(site.properties.id);
      keepClear(site.geometry.coordinates as [number, number]);
    }
  };

  // ---- the lists ----

  const filterSelect = byId<HTMLSelectElement>('status-filter');
  filterSelect.addEventListener('change', () => {
    statusFilter = filterSelect.value;
    renderSites();
  });

  const renderSites = () => {
    const shown = statusFilter ? sites.features.filter((f) => f.properties.status === statusFilter) : sites.features;
    (map.getSource('sites') as maplibregl.GeoJSONSource).setData(withColors({ ...sites, features: shown }));
    list = renderSiteList(
      byId<HTMLOListElement>('site-list'),
      shown.map((f) => f.properties),
      (id) => select(id, true),
    );
    list.setCurrent(currentSiteId);
    byId('site-count').textContent = String(shown.length);
    byId('summary').textContent =
      `${plural(sites.features.length, 'site')} · ${plural(flights.features.length, 'flight track')}`;
    renderLegend(
      byId('legend'),
      sites.features.map((f) => f.properties.status),
      flights.features.length > 0,
    );
    renderStatusOptions(filterSelect, sites, statusFilter);
    if (sites.features.length === 0) showMessage('No sites yet. Sites appear here once detections are recorded.');
    else if (shown.length === 0) showMessage(`No ${statusStyle(statusFilter).label.toLowerCase()} sites.`);
    else byId('panel-message').hidden = true;
  };

  const renderReferrals = () => {
    byId('referral-count').textContent = String(referrals.length);
    const listEl = byId<HTMLOListElement>('referral-list');
    referralList = renderReferralList(listEl, referrals, selectReferral);
    referralList.setCurrent(currentReferralId);
    if (referrals.length === 0)
      listEl.replaceChildren(
        h('li', {
          class: 'empty',
          text:
            user.organizationKind === 'partner'
              ? 'Nothing has been referred to your organization yet.'
              : 'No site has been referred yet.',
        }),
      );
  };

  /** After an action: the sites (list, map colours, legend), the referrals and the open popup. */
  const refresh = async () => {
    [sites, referrals] = await Promise.all([fetchSites(), fetchReferrals()]);
    siteById = new Map(sites.features.map((f) => [f.properties.id, f]));
    renderSites();
    renderReferrals();
    if (currentSiteId && popup.isOpen()) showPopup(currentSiteId);
  };

  renderSites();
  renderReferrals();
  setUpTabs(user.organizationKind === 'partner' ? 'referrals' : 'sites');

  map.on('click', 'sites', (e) => {
    const id = e.features?.[0]?.properties?.id;
    if (typeof id === 'string') select(id, false);
  });
  map.on('click', 'flights', (e) => {
    // A site under the pointer wins over the track beneath it.
    if (map.queryRenderedFeatures(e.point, { layers: ['sites'] }).length > 0) return;
    const props = e.features?.[0]?.properties;
    if (!props) return;
    const flight = flights.features.find((f) => f.properties.id === props.id);
    if (flight) popup.setLngLat(e.lngLat).setDOMContent(flightPopup(flight.properties)).addTo(map);
  });
  for (const layer of ['sites', 'flights']) {
    map.on('mouseenter', layer, () => {
      map.getCanvas().style.cursor = 'pointer';
    });
    map.on('mouseleave', layer, () => {
      map.getCanvas().style.cursor = '';
    });
  }

  const bounds = dataBounds(sites, flights);
  if (bounds) {
    // Keep the data clear of the legend in the top-left corner.
    const legend = byId('legend');
    const left = legend.hidden ? FIT_PADDING : legend.offsetLeft + legend.offsetWidth + FIT_PADDING / 2;
    map.fitBounds(bounds, {
      padding: { top: FIT_PADDING, bottom: FIT_PADDING, right: FIT_PADDING, left },
      maxZoom: FIT_MAX_ZOOM,
      animate: false,
    });
  }

  await map.once('idle');
  document.body.dataset.ready = 'true';
}

/** The status filter's options: every workflow state, with how many sites are in it. */
function renderStatusOptions(select: HTMLSelectElement, sites: SitesCollection, current: string): void {
  const counts = new Map<string, number>();
  for (const f of sites.features) counts.set(f.properties.status, (counts.get(f.properties.status) ?? 0) + 1);
  const statuses = [...Object.keys(STATUS_STYLES), ...[...counts.keys()].filter((s) => !(s in STATUS_STYLES))];
  select.replaceChildren(
    h('option', { text: `All statuses (${sites.features.length})`, attrs: { value: '' } }),
    ...statuses.map((s) =>
      h('option', { text: `${statusStyle(s).label} (${counts.get(s) ?? 0})`, attrs: { value: s } }),
    ),
  );
  select.value = current;
}

/** The Sites | Referrals tabs (WAI-ARIA tabs: arrow keys move between them). */
function setUpTabs(initial: Tab): void {
  const tabs: Record<Tab, HTMLButtonElement> = {
    sites: byId<HTMLButtonElement>('tab-sites'),
    referrals: byId<HTMLButtonElement>('tab-referrals'),
  };
  const show = (tab: Tab, focus: boolean) => {
    for (const [name, button] of Object.entries(tabs) as [Tab, HTMLButtonElement][]) {
      const on = name === tab;
      button.setAttribute('aria-selected', String(on));
      button.tabIndex = on ? 0 : -1;
      byId(`view-${name}`).hidden = !on;
    }
    document.body.dataset.tab = tab;
    if (focus) tabs[tab].focus();
  };
  for (const [name, button] of Object.entries(tabs) as [Tab, HTMLButtonElement][]) {
    button.addEventListener('click', () => show(name, false));
    button.addEventListener('keydown', (e) => {
      if (e.key === 'ArrowRight' || e.key === 'ArrowLeft' || e.key === 'Home' || e.key === 'End') {
        e.preventDefault();
        show(name === 'sites' ? 'referrals' : 'sites', true);
      }
    });
  }
  show(initial, false);
}

/** Adds each site's status color to its properties, for the circle layer. */
function withColors(sites: SitesCollection): SitesCollection {
  return {
    ...sites,
    features: sites.features.map((f) => ({
      ...f,
      properties: { ...f.properties, color: statusStyle(f.properties.status).color } as SiteProperties,
    })),
  };
}

/** The box around every site and track point, or null when there is nothing to show. */
function dataBounds(sites: SitesCollection, flights: FlightsCollection): maplibregl.LngLatBounds | null {
  const bounds = new maplibregl.LngLatBounds();
  let any = false;
  for (const f of sites.features) {
    bounds.extend(f.geometry.coordinates as [number, number]);
    any = true;
  }
  for (const f of flights.features) {
    for (const p of f.geometry.coordinates) {
      bounds.extend(p as [number, number]);
      any = true;
    }
  }
  return any ? bounds : null;
}

function showMessage(text: string, isError = false): void {
  const box = byId('panel-message');
  box.replaceChildren(h('span', { text }));
  box.classList.toggle('error', isError);
  box.hidden = false;
}

main().catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  showMessage(`Could not load the map data. ${message}`, true);
  console.error('plumetrace: loading the map failed:', error);
  document.body.dataset.ready = 'error';
});
