/**
 * The plumetrace map page: sites and flight tracks from the REST API over an offline basemap, and a
 * side panel listing the sites. When the map has drawn everything it sets `body[data-ready=true]`
 * (or `error` when loading failed); tests and scripts wait for it. Before any of that the user signs
 * in (`body[data-auth=signed-out]` while the sign-in form shows).
 */
import * as maplibregl from 'maplibre-gl';
import { type FlightsCollection, fetchFlights, fetchSites, type SiteProperties, type SitesCollection } from './api.ts';
import { byId, h } from './dom.ts';
import { plural } from './format.ts';
import { renderLegend } from './legend.ts';
import { baseStyle, dataLayers } from './map-style.ts';
import { renderSiteList, type SiteList } from './panel.ts';
import { flightPopup, sitePopup } from './popup.ts';
import { ensureSignedIn } from './session.ts';
import { statusStyle } from './status.ts';

declare global {
  interface Window {
    plumetraceMap?: maplibregl.Map;
  }
}

const FIT_PADDING = 64;
const FIT_MAX_ZOOM = 13;
const FLY_MIN_ZOOM = 12;

async function main(): Promise<void> {
  // The API answers only a signed-in user: sign in first (the form shows when needed).
  await ensureSignedIn();
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

  const [sites, flights] = await Promise.all([fetchSites(), fetchFlights(), loaded]);
  const siteById = new Map(sites.features.map((f) => [f.properties.id, f]));

  map.addSource('flights', { type: 'geojson', data: flights });
  map.addSource('sites', { type: 'geojson', data: withColors(sites) });
  for (const layer of dataLayers()) map.addLayer(layer);

  byId('summary').textContent =
    `${plural(sites.features.length, 'site')} · ${plural(flights.features.length, 'flight track')}`;
  byId('site-count').textContent = String(sites.features.length);
  renderLegend(
    byId('legend'),
    sites.features.map((f) => f.properties.status),
    flights.features.length > 0,
  );
  if (sites.features.length === 0) showMessage('No sites yet. Sites appear here once detections are recorded.');

  const popup = new maplibregl.Popup({ closeButton: true, maxWidth: '320px', offset: 12 });
  let list: SiteList | undefined;

  const highlight = (siteId: string | null) => {
    map.setFilter('sites-selected', ['==', ['get', 'id'], siteId ?? '']);
    list?.setCurrent(siteId);
  };
  // Closing the popup (by the user, or by reopening it elsewhere) drops the highlight.
  popup.on('close', () => highlight(null));

  const select = (siteId: string, fly: boolean) => {
    const site = siteById.get(siteId);
    if (!site) return;
    const [lon, lat] = site.geometry.coordinates;
    popup
      .setLngLat([lon, lat])
      .setDOMContent(sitePopup(site.properties, lon, lat))
      .addTo(map);
    highlight(siteId);
    if (fly) map.flyTo({ center: [lon, lat], zoom: Math.max(map.getZoom(), FLY_MIN_ZOOM), essential: true });
  };

  list = renderSiteList(
    byId<HTMLOListElement>('site-list'),
    sites.features.map((f) => f.properties),
    (id) => select(id, true),
  );

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
