/**
 * The plumetrace HTTP server: the REST API under /api (schema-first routes over the Store contract)
 * and the map app that talks to it. `buildServer` assembles the Fastify instance without listening
 * (tests drive it through `inject`); `startServer` listens and reports the URL.
 */
import Fastify, { type FastifyInstance, type FastifyPluginAsync } from 'fastify';
import type { Feature, FeatureCollection, LineString, Point } from 'geojson';
import { PlumetraceError } from '../core/errors.ts';
import { priority } from '../core/fusion/priority.ts';
import { type ReportedGas, type SignatureProfile, scoreSiteProfiles } from '../core/spectral/signature-profiles.ts';
import type { Flight, Site, SiteFilter, SiteStatus, Store } from '../store/types.ts';
import { profilesAreExamples } from '../pipeline/signature-profiles.ts';
import { loadBasemap } from './basemap.ts';
import { type AuthOptions, registerAuth } from './auth/plugin.ts';
import { parseBBox } from './bbox.ts';
import { catalogRoutes } from './catalog-routes.ts';
import { frameworkErrorHandler, installErrorHandling } from './errors.ts';
import {
  basemapResponse,
  errorResponses,
  errorSchema,
  flightsQuerystring,
  flightsResponse,
  healthResponse,
  siteDetailResponse,
  siteParams,
  sitesQuerystring,
  sitesResponse,
} from './schemas.ts';
import { type Viewer, viewerOf, visibleSite, visibleSitesFilter } from './visibility.ts';
import { registerOpenApi } from './openapi.ts';
import { registerWebAssets } from './web-assets.ts';
import { allowedActions, workflowRoutes } from './workflow-routes.ts';

export interface BuildServerOptions {
  store: Store;
  /** Log requests (pino, JSON lines on stdout). Off by default. */
  logger?: boolean;
  /** Sessions, cookies and rate limits (see src/server/auth/plugin.ts). */
  auth?: AuthOptions;
  /** Largest request body accepted, bytes (default 1 MiB). */
  bodyLimit?: number;
  /** Signature profiles scored on each site's detail (none: an empty list). */
  signatureProfiles?: readonly SignatureProfile[];
  /**
   * Whether those profiles are the shipped examples (the site detail's `profilesAreExamples`);
   * default: whether they were read from config/signature-profiles.example.json.
   */
  signatureProfilesAreExamples?: boolean;
}

/**
 * The gases a stored detection reports: its `properties.gases` (LWIR: name, CAS, confidence), else
 * its own gas with confidence 1.
 */
export function detectionGases(d: { gas: string; properties: Record<string, unknown> }): ReportedGas[] {
  const list = d.properties.gases;
  if (Array.isArray(list)) {
    const ok = list.filter(
      (g): g is { name: string; cas?: unknown; confidence: number } =>
        typeof g === 'object' && g !== null && typeof g.name === 'string' && typeof g.confidence === 'number',
    );
    if (ok.length > 0)
      return ok.map((g) => ({ name: g.name, cas: typeof g.cas === 'string' ? g.cas : '', confidence: g.confidence }));
  }
  return [{ name: d.gas, cas: '', confidence: 1 }];
}

/** A site as a GeoJSON Point Feature (the list and the detail routes answer with the same shape). */
function siteFeature(s: Site): Feature<Point, SiteProperties> & { id: string } {
  return {
    type: 'Feature',
    id: s.id,
    geometry: { type: 'Point', coordinates: [s.lon, s.lat] },
    properties: {
      id: s.id,
      name: s.name,
      status: s.status,
      gases: s.gases,
      detectionCount: s.detectionCount,
      rateKgPerHour: s.rateKgPerHour,
      rateSigmaKgPerHour: s.rateSigmaKgPerHour,
      firstSeen: s.firstSeen,
      lastSeen: s.lastSeen,
    },
  };
}

export interface SiteProperties {
  id: string;
  name: string;
  status: SiteStatus;
  gases: string[];
  detectionCount: number;
  rateKgPerHour: number | null;
  rateSigmaKgPerHour: number | null;
  firstSeen: string;
  lastSeen: string;
}

export interface FlightProperties {
  id: string;
  name: string;
  platform: string;
  sensorKind: string;
  startTime: string;
  endTime: string;
}

interface SitesQuery {
  bbox?: string;
  gas?: string;
  status?: SiteStatus;
  campaign?: string;
  after?: string;
  before?: string;
  minRate?: number;
  minPersistence?: number;
  cursor?: string;
  limit?: number;
}

/** Sites per page when the request names no limit. */
const DEFAULT_SITE_PAGE = 500;

/** The opaque `cursor` of the sites listing: the last site of a page, base64url JSON. */
function encodeCursor(c: { lastSeen: string; id: string }): string {
  return Buffer.from(JSON.stringify([c.lastSeen, c.id])).toString('base64url');
}

function decodeCursor(text: string): { lastSeen: string; id: string } {
  try {
    const v = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(v) && v.length === 2 && typeof v[0] === 'string' && typeof v[1] === 'string')
      return { lastSeen: v[0], id: v[1] };
  } catch {
    // reported below
  }
  throw new PlumetraceError('PT_ERR_BAD_REQUEST', 'querystring/cursor is not a cursor this API gave out', {
    column: 'cursor',
  });
}

/** Flights the viewer may see: its organization's campaigns', or for a partner those that detected a site referred to it. */
async function visibleFlights(store: Store, v: Viewer, campaignId: string | undefined): Promise<Flight[]> {
  const flights = await store.listFlights(campaignId);
  if (v.organizationKind === 'partner') {
    const ids = new Set<string>();
    for (const site of await store.listSites(visibleSitesFilter(v)))
      for (const d of await store.listDetections({ siteId: site.id }))
        ids.add((await store.getAcquisition(d.acquisitionId))?.flightId ?? '');
    return flights.filter((f) => ids.has(f.id));
  }
  const campaigns = new Set(
    (await store.listCampaigns()).filter((c) => c.organizationId === v.actor.organizationId).map((c) => c.id),
  );
  return flights.filter((f) => campaigns.has(f.campaignId));
}

/** The basemap barely ever changes: a week in the browser cache. */
const BASEMAP_CACHE_CONTROL = 'public, max-age=604800';

export async function buildServer(opts: BuildServerOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: opts.logger ?? false,
    frameworkErrors: frameworkErrorHandler,
    routerOptions: { ignoreTrailingSlash: true },
    bodyLimit: opts.bodyLimit ?? 1024 * 1024,
  });
  app.addSchema(errorSchema);
  installErrorHandling(app);
  // First: every route registered after it is behind authentication.
  await registerAuth(app, opts.store, opts.auth);
  await registerOpenApi(app);
  const profiles = opts.signatureProfiles ?? [];
  const examples = opts.signatureProfilesAreExamples ?? profilesAreExamples(profiles);
  await app.register(apiRoutes(opts.store, profiles, examples), { prefix: '/api' });
  await app.register(workflowRoutes(opts.store), { prefix: '/api' });
  await app.register(catalogRoutes(opts.store), { prefix: '/api' });
  await registerWebAssets(app);
  return app;
}

function apiRoutes(store: Store, profiles: readonly SignatureProfile[], profilesExamples: boolean): FastifyPluginAsync {
  return async (api) => {
    /** Resolves the `campaign` parameter (an id or an exact name) to a campaign id. */
    const campaignId = async (campaign: string | undefined): Promise<string | undefined> => {
      if (campaign === undefined) return undefined;
      const found = (await store.listCampaigns()).find((c) => c.id === campaign || c.name === campaign);
      if (!found) {
        throw new PlumetraceError(
          'PT_ERR_NOT_FOUND',
          `querystring/campaign: no campaign with id or name "${campaign}"`,
        );
      }
      return found.id;
    };

    api.get('/health', { schema: { response: { 200: healthResponse, ...errorResponses } } }, async () => ({
      ok: true,
      dialect: store.dialect,
    }));

    api.get<{ Querystring: SitesQuery }>(
      '/sites',
      { schema: { querystring: sitesQuerystring, response: { 200: sitesResponse, ...errorResponses } } },
      async (request): Promise<FeatureCollection<Point, SiteProperties> & { nextCursor: string | null }> => {
        const v = viewerOf(request);
        const q = request.query;
        const boxes = q.bbox === undefined ? undefined : parseBBox(q.bbox);
        const limit = q.limit ?? DEFAULT_SITE_PAGE;
        const filter: SiteFilter = {
          ...visibleSitesFilter(v),
          campaignId: await campaignId(q.campaign),
          gas: q.gas,
          status: q.status,
          seenAfter: q.after,
          seenBefore: q.before,
          minRateKgPerHour: q.minRate,
          // Two boxes (across the antimeridian) are one box with minLon > maxLon to the store.
          bbox: boxes && [boxes[0]![0], boxes[0]![1], boxes.at(-1)![2], boxes.at(-1)![3]],
          after: q.cursor === undefined ? undefined : decodeCursor(q.cursor),
        };
        const features: Feature<Point, SiteProperties>[] = [];
        const keep = async (site: Site): Promise<boolean> => {
          if (q.minPersistence === undefined) return true;
          const { persistence } = await store.siteCoverage(site.id);
          return persistence !== null && persistence >= q.minPersistence;
        };
        // Keyset pages; persistence is not a column, so pages are read on past the sites it leaves out.
        let cursor = filter.after;
        let more = false;
        pages: for (;;) {
          const page = await store.listSites({ ...filter, after: cursor, limit: limit + 1 });
          for (const site of page) {
            if (features.length === limit) {
              more = true;
              break pages;
            }
            cursor = { lastSeen: site.lastSeen, id: site.id };
            if (await keep(site)) features.push(siteFeature(site));
          }
          if (page.length <= limit) break;
        }
        return { type: 'FeatureCollection', features, nextCursor: more && cursor ? encodeCursor(cursor) : null };
      },
    );

    api.get<{ Params: { id: string } }>(
      '/sites/:id',
      { schema: { params: siteParams, response: { 200: siteDetailResponse, ...errorResponses } } },
      async (request) => {
        const v = viewerOf(request);
        const site = await visibleSite(store, v, request.params.id);
        const referrals = await store.listReferrals({
          siteId: site.id,
          ...(v.organizationKind === 'partner' ? { organizationId: v.actor.organizationId } : {}),
        });
        const referral = referrals[0] ?? null;
        const detections = await store.listDetections({ siteId: site.id });
        const coverage = await store.siteCoverage(site.id);
        // Reports are the agency's own evidence: partners see the referral, not the tips behind it.
        const reports = v.organizationKind === 'partner' ? [] : await store.listReports({ siteId: site.id });
        const p = priority({
          rateKgPerHour: site.rateKgPerHour,
          detectedFlights: coverage.detectedFlights,
          overflights: coverage.overflights,
          reports,
        });
        return {
          ...siteFeature(site),
          coverage: {
            overflights: coverage.overflights,
            detectedFlights: coverage.detectedFlights,
            persistence: coverage.persistence,
            persistenceCi90: p.persistence.ci90,
          },
          priority: { score: p.score, terms: p.terms },
          reports,
          referral: referral && { id: referral.id, status: referral.status, organizationId: referral.organizationId },
          actions: allowedActions(v, site, referral),
          profiles: scoreSiteProfiles(profiles, detections.map(detectionGases)).map((s) => {
            const kind = profiles.find((p) => p.name === s.name)?.sourceKind;
            return kind !== undefined ? { ...s, sourceKind: kind } : s;
          }),
          profilesAreExamples: profilesExamples,
          detections: detections.map((d) => ({
            id: d.id,
            acquisitionId: d.acquisitionId,
            gas: d.gas,
            lat: d.lat,
            lon: d.lon,
            enhancement: d.enhancement,
            enhancementUnit: d.enhancementUnit,
            rateKgPerHour: d.rateKgPerHour,
            rateSigmaKgPerHour: d.rateSigmaKgPerHour,
            method: d.method,
            algorithmVersion: d.algorithmVersion,
            createdAt: d.createdAt,
            properties: d.properties,
          })),
        };
      },
    );

    api.get<{ Querystring: { campaign?: string } }>(
      '/flights',
      { schema: { querystring: flightsQuerystring, response: { 200: flightsResponse, ...errorResponses } } },
      async (request): Promise<FeatureCollection<LineString, FlightProperties>> => {
        const v = viewerOf(request);
        const flights = await visibleFlights(store, v, await campaignId(request.query.campaign));
        return {
          type: 'FeatureCollection',
          features: flights.flatMap((f) =>
            f.track === null
              ? []
              : [
                  {
                    type: 'Feature' as const,
                    id: f.id,
                    geometry: f.track,
                    properties: {
                      id: f.id,
                      name: f.name,
                      platform: f.platform,
                      sensorKind: f.sensorKind,
                      startTime: f.startTime,
                      endTime: f.endTime,
                    },
                  },
                ],
          ),
        };
      },
    );

    api.get(
      '/basemap',
      { schema: { response: { 200: basemapResponse, ...errorResponses } } },
      async (request, reply) => {
        const basemap = await loadBasemap();
        reply
          .header('cache-control', BASEMAP_CACHE_CONTROL)
          .header('etag', basemap.etag)
          .header('vary', 'accept-encoding')
          .type('application/geo+json; charset=utf-8');
        if (request.headers['if-none-match'] === basemap.etag) return reply.code(304).send();
        if (/\bgzip\b/.test(request.headers['accept-encoding'] ?? '')) {
          return reply.header('content-encoding', 'gzip').send(basemap.gzip);
        }
        return reply.send(basemap.json);
      },
    );
  };
}

export interface StartServerOptions {
  store: Store;
  /** Interface to listen on; default 127.0.0.1. */
  host?: string;
  /** Port; 0 (the default) picks a free one. */
  port?: number;
  logger?: boolean;
  auth?: AuthOptions;
  signatureProfiles?: readonly SignatureProfile[];
  signatureProfilesAreExamples?: boolean;
}

export interface RunningServer {
  /** Where a browser reaches it, e.g. http://localhost:8080. */
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Builds the server and listens. A taken port is PT_ERR_PORT_IN_USE. The store stays the caller's to close. */
export async function startServer(opts: StartServerOptions): Promise<RunningServer> {
  const host = opts.host ?? '127.0.0.1';
  const app = await buildServer({
    store: opts.store,
    logger: opts.logger,
    auth: opts.auth,
    signatureProfiles: opts.signatureProfiles,
    signatureProfilesAreExamples: opts.signatureProfilesAreExamples,
  });
  try {
    await app.listen({ host, port: opts.port ?? 0 });
  } catch (error) {
    await app.close();
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new PlumetraceError(
        'PT_ERR_PORT_IN_USE',
        `port ${opts.port} on ${host} is already in use`,
        {},
        { cause: error },
      );
    }
    throw error;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : (opts.port ?? 0);
  return { url: `http://${urlHost(host)}:${port}`, port, close: () => app.close() };
}

function urlHost(host: string): string {
  if (['0.0.0.0', '127.0.0.1', 'localhost', '::', '::1', ''].includes(host)) return 'localhost';
  return host.includes(':') ? `[${host}]` : host;
}
