/**
 * The plumetrace HTTP server: the REST API under /api (schema-first routes over the Store contract)
 * and the map app that talks to it. `buildServer` assembles the Fastify instance without listening
 * (tests drive it through `inject`); `startServer` listens and reports the URL.
 */
import Fastify, { type FastifyInstance, type FastifyPluginAsync } from 'fastify';
import type { Feature, FeatureCollection, LineString, Point } from 'geojson';
import { PlumetraceError } from '../core/errors.ts';
import type { Site, SiteFilter, SiteStatus, Store } from '../store/types.ts';
import { loadBasemap } from './basemap.ts';
import { type AuthOptions, registerAuth } from './auth/plugin.ts';
import { parseBBox } from './bbox.ts';
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
import { registerWebAssets } from './web-assets.ts';

export interface BuildServerOptions {
  store: Store;
  /** Log requests (pino, JSON lines on stdout). Off by default. */
  logger?: boolean;
  /** Sessions, cookies and rate limits (see src/server/auth/plugin.ts). */
  auth?: AuthOptions;
  /** Largest request body accepted, bytes (default 1 MiB). */
  bodyLimit?: number;
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
  await app.register(apiRoutes(opts.store), { prefix: '/api' });
  await registerWebAssets(app);
  return app;
}

function apiRoutes(store: Store): FastifyPluginAsync {
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
      async (request): Promise<FeatureCollection<Point, SiteProperties>> => {
        const { bbox, gas, status, campaign } = request.query;
        const boxes = bbox === undefined ? [undefined] : parseBBox(bbox);
        const base: SiteFilter = { campaignId: await campaignId(campaign), gas, status };
        const seen = new Set<string>();
        const features: Feature<Point, SiteProperties>[] = [];
        for (const box of boxes) {
          for (const s of await store.listSites(box ? { ...base, bbox: box } : base)) {
            if (seen.has(s.id)) continue;
            seen.add(s.id);
            features.push(siteFeature(s));
          }
        }
        return { type: 'FeatureCollection', features };
      },
    );

    api.get<{ Params: { id: string } }>(
      '/sites/:id',
      { schema: { params: siteParams, response: { 200: siteDetailResponse, ...errorResponses } } },
      async (request) => {
        const site = await store.getSite(request.params.id);
        if (!site) throw new PlumetraceError('PT_ERR_NOT_FOUND', `no site with id "${request.params.id}"`);
        const detections = await store.listDetections({ siteId: site.id });
        return {
          ...siteFeature(site),
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
        const flights = await store.listFlights(await campaignId(request.query.campaign));
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
  const app = await buildServer({ store: opts.store, logger: opts.logger, auth: opts.auth });
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
