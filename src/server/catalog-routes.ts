/**
 * What an analyst agency holds, as resources: campaigns, detections, evidence reports from other
 * sources, and STAC Items for imaging scenes and their products (io/exports/stac.ts), so catalogue
 * tools can list them. Row-level: an agency sees its own; a partner sees the detections of sites
 * referred to it and nothing else here.
 */
import type { FastifyInstance } from 'fastify';
import { PlumetraceError } from '../core/errors.ts';
import { STAC_COLLECTION_ID, type StacItem, sceneStacItems, stacCollection } from '../pipeline/stac.ts';
import type { Store } from '../store/types.ts';
import { errorResponses, newReportBody, reportSchema } from './schemas.ts';
import { type Viewer, viewerOf, visibleSite } from './visibility.ts';

const str = { type: 'string' } as const;

const campaignsResponse = {
  type: 'array',
  items: {
    type: 'object',
    required: ['id', 'name', 'description', 'createdAt'],
    properties: { id: str, name: str, description: str, createdAt: str },
  },
} as const;

const detectionsQuerystring = {
  type: 'object',
  properties: { siteId: { type: 'string', maxLength: 64 }, acquisitionId: { type: 'string', maxLength: 64 } },
  additionalProperties: false,
} as const;

const detectionsResponse = {
  type: 'array',
  items: {
    type: 'object',
    required: ['id', 'acquisitionId', 'siteId', 'gas', 'lat', 'lon', 'method', 'algorithmVersion', 'createdAt'],
    properties: {
      id: str,
      acquisitionId: str,
      siteId: { type: ['string', 'null'] },
      gas: str,
      lat: { type: 'number' },
      lon: { type: 'number' },
      enhancement: { type: ['number', 'null'] },
      enhancementUnit: { type: ['string', 'null'] },
      rateKgPerHour: { type: ['number', 'null'] },
      rateSigmaKgPerHour: { type: ['number', 'null'] },
      method: str,
      algorithmVersion: str,
      createdAt: str,
      properties: { type: 'object', additionalProperties: true },
    },
  },
} as const;

const reportsQuerystring = {
  type: 'object',
  properties: { siteId: { type: 'string', maxLength: 64 } },
  additionalProperties: false,
} as const;

const stacItemParams = {
  type: 'object',
  required: ['itemId'],
  properties: { itemId: { type: 'string', minLength: 1, maxLength: 80 } },
  additionalProperties: false,
} as const;

/** STAC documents are passed through as built (their shape is the STAC spec's). */
const stacDocument = { type: 'object', additionalProperties: true } as const;

export function catalogRoutes(store: Store) {
  return async (api: FastifyInstance): Promise<void> => {
    /** Campaign ids of the viewer's agency (none for a partner). */
    const ownCampaigns = async (v: Viewer): Promise<Set<string>> =>
      new Set(
        v.organizationKind === 'partner'
          ? []
          : (await store.listCampaigns()).filter((c) => c.organizationId === v.actor.organizationId).map((c) => c.id),
      );
    const requireAnalystOrg = (v: Viewer) => {
      if (v.organizationKind !== 'analyst')
        throw new PlumetraceError('PT_ERR_FORBIDDEN', 'only an analyst agency holds campaigns, reports and scenes');
    };

    api.get('/campaigns', { schema: { response: { 200: campaignsResponse, ...errorResponses } } }, async (request) => {
      const v = viewerOf(request);
      const own = await ownCampaigns(v);
      return (await store.listCampaigns()).filter((c) => own.has(c.id));
    });

    api.get<{ Querystring: { siteId?: string; acquisitionId?: string } }>(
      '/detections',
      { schema: { querystring: detectionsQuerystring, response: { 200: detectionsResponse, ...errorResponses } } },
      async (request) => {
        const v = viewerOf(request);
        const { siteId, acquisitionId } = request.query;
        if (siteId !== undefined) {
          await visibleSite(store, v, siteId);
          return store.listDetections({ siteId, ...(acquisitionId ? { acquisitionId } : {}) });
        }
        // Without a site: the detections of the sites the viewer may see.
        const visible = new Set<string>();
        const filter =
          v.organizationKind === 'partner'
            ? { referredToOrganizationId: v.actor.organizationId }
            : { organizationId: v.actor.organizationId };
        for (const s of await store.listSites(filter)) visible.add(s.id);
        return (await store.listDetections(acquisitionId ? { acquisitionId } : {})).filter(
          (d) => d.siteId !== null && visible.has(d.siteId),
        );
      },
    );

    api.get<{ Querystring: { siteId?: string } }>(
      '/reports',
      {
        schema: {
          querystring: reportsQuerystring,
          response: { 200: { type: 'array', items: reportSchema }, ...errorResponses },
        },
      },
      async (request) => {
        const v = viewerOf(request);
        requireAnalystOrg(v);
        return store.listReports({
          organizationId: v.actor.organizationId,
          ...(request.query.siteId ? { siteId: request.query.siteId } : {}),
        });
      },
    );

    api.post<{
      Body: {
        lat: number;
        lon: number;
        uncertaintyM: number;
        observedAt: string;
        credibility: number;
        source: string;
        text: string;
      };
    }>(
      '/reports',
      { schema: { body: newReportBody, response: { 201: reportSchema, ...errorResponses } } },
      async (request, reply) => {
        const v = viewerOf(request);
        requireAnalystOrg(v);
        if (v.actor.role !== 'analyst' && v.actor.role !== 'admin')
          throw new PlumetraceError('PT_ERR_FORBIDDEN', 'only analysts and administrators add reports');
        const report = await store.addReport({
          ...request.body,
          organizationId: v.actor.organizationId,
          createdBy: v.actor.userId,
        });
        return reply.code(201).send(report);
      },
    );

    const items = async (v: Viewer, baseUrl: string): Promise<StacItem[]> => {
      const own = await ownCampaigns(v);
      const out: StacItem[] = [];
      for (const f of await store.listFlights()) {
        if (!own.has(f.campaignId)) continue;
        for (const a of await store.listAcquisitions(f.id))
          out.push(...sceneStacItems(a, await store.listDetections({ acquisitionId: a.id }), baseUrl));
      }
      return out;
    };
    const base = (request: { protocol: string; host: string }) => `${request.protocol}://${request.host}/api/stac`;

    api.get('/stac', { schema: { response: { 200: stacDocument, ...errorResponses } } }, async (request) => {
      const v = viewerOf(request);
      requireAnalystOrg(v);
      const all = await items(v, base(request));
      return stacCollection({
        id: STAC_COLLECTION_ID,
        title: 'plumetrace imaging scenes and products',
        description:
          'Imaging-spectrometer scenes ingested by plumetrace and the gas maps (CH4 enhancement, thermal per-gas columns) and plume outlines made from them.',
        items: all,
        baseUrl: base(request),
      });
    });

    api.get('/stac/items', { schema: { response: { 200: stacDocument, ...errorResponses } } }, async (request) => {
      const v = viewerOf(request);
      requireAnalystOrg(v);
      return { type: 'FeatureCollection', features: await items(v, base(request)) };
    });

    api.get<{ Params: { itemId: string } }>(
      '/stac/items/:itemId',
      { schema: { params: stacItemParams, response: { 200: stacDocument, ...errorResponses } } },
      async (request) => {
        const v = viewerOf(request);
        requireAnalystOrg(v);
        const found = (await items(v, base(request))).find((i) => i.id === request.params.itemId);
        if (!found) throw new PlumetraceError('PT_ERR_NOT_FOUND', `no STAC item "${request.params.itemId}"`);
        return found;
      },
    );
  };
}
