/**
 * JSON schemas of the REST API: Fastify validates requests and serializes responses with them, and
 * they are the API's documentation (an OpenAPI document can be generated from them later).
 */
import { WORKFLOW_ACTIONS, WORKFLOW_STATUSES } from '../core/workflow/machine.ts';

const SITE_STATUSES = WORKFLOW_STATUSES;

/** Every error body the API answers with: the registered code, its message, and what exactly was wrong. */
export const errorSchema = {
  $id: 'PlumetraceError',
  type: 'object',
  required: ['code', 'message', 'detail'],
  properties: {
    code: { type: 'string' },
    message: { type: 'string' },
    detail: { type: 'string' },
  },
  additionalProperties: false,
} as const;

const errorRef = { $ref: 'PlumetraceError#' } as const;
/** Error responses every route declares. */
export const errorResponses = { '4xx': errorRef, '5xx': errorRef } as const;

const position = { type: 'array', items: { type: 'number' }, minItems: 2, maxItems: 3 } as const;
const nullableNumber = { type: ['number', 'null'] } as const;

export const healthResponse = {
  type: 'object',
  required: ['ok', 'dialect'],
  properties: { ok: { type: 'boolean' }, dialect: { type: 'string', enum: ['sqlite', 'postgres'] } },
  additionalProperties: false,
} as const;

const campaignParam = {
  type: 'string',
  minLength: 1,
  maxLength: 200,
  description: 'Campaign id or exact campaign name',
} as const;

export const sitesQuerystring = {
  type: 'object',
  properties: {
    bbox: {
      type: 'string',
      maxLength: 200,
      // Parsed and range-checked by parseBBox, which names exactly what is wrong.
      description: 'minLon,minLat,maxLon,maxLat in degrees (WGS84); minLon > maxLon crosses the antimeridian',
    },
    gas: { type: 'string', minLength: 1, maxLength: 64 },
    status: { type: 'string', enum: SITE_STATUSES },
    campaign: campaignParam,
    after: { type: 'string', format: 'date-time', description: 'Last seen at or after this time' },
    before: { type: 'string', format: 'date-time', description: 'Last seen at or before this time' },
    minRate: { type: 'number', minimum: 0, description: 'Latest rate at least this (kg/h)' },
    minPersistence: { type: 'number', minimum: 0, maximum: 1, description: 'Detections / covering overflights' },
    cursor: { type: 'string', maxLength: 400, description: 'nextCursor of the previous page' },
    limit: { type: 'integer', minimum: 1, maximum: 5000, default: 500 },
  },
  additionalProperties: false,
} as const;

export const flightsQuerystring = {
  type: 'object',
  properties: { campaign: campaignParam },
  additionalProperties: false,
} as const;

/** One site as a GeoJSON Point Feature. */
const siteFeature = {
  type: 'object',
  required: ['type', 'id', 'geometry', 'properties'],
  properties: {
    type: { type: 'string', enum: ['Feature'] },
    id: { type: 'string' },
    geometry: {
      type: 'object',
      required: ['type', 'coordinates'],
      properties: { type: { type: 'string', enum: ['Point'] }, coordinates: position },
    },
    properties: {
      type: 'object',
      required: [
        'id',
        'name',
        'status',
        'gases',
        'detectionCount',
        'rateKgPerHour',
        'rateSigmaKgPerHour',
        'firstSeen',
        'lastSeen',
      ],
      properties: {
        id: { type: 'string' },
        name: { type: 'string' },
        status: { type: 'string' },
        gases: { type: 'array', items: { type: 'string' } },
        detectionCount: { type: 'integer' },
        rateKgPerHour: nullableNumber,
        rateSigmaKgPerHour: nullableNumber,
        firstSeen: { type: 'string' },
        lastSeen: { type: 'string' },
      },
    },
  },
} as const;

export const sitesResponse = {
  type: 'object',
  required: ['type', 'features'],
  properties: {
    type: { type: 'string', enum: ['FeatureCollection'] },
    features: { type: 'array', items: siteFeature },
    nextCursor: { type: ['string', 'null'], description: 'Pass as `cursor` for the next page; null on the last' },
  },
} as const;

export const siteParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', minLength: 1, maxLength: 64 } },
  additionalProperties: false,
} as const;

/** Evidence from another source (Store Report). */
export const reportSchema = {
  type: 'object',
  required: ['id', 'siteId', 'lat', 'lon', 'uncertaintyM', 'observedAt', 'credibility', 'source', 'text', 'createdAt'],
  properties: {
    id: { type: 'string' },
    siteId: { type: ['string', 'null'] },
    lat: { type: 'number' },
    lon: { type: 'number' },
    uncertaintyM: { type: 'number' },
    observedAt: { type: 'string' },
    credibility: { type: 'number' },
    source: { type: 'string' },
    text: { type: 'string' },
    createdBy: { type: 'string' },
    createdAt: { type: 'string' },
  },
} as const;

export const newReportBody = {
  type: 'object',
  required: ['lat', 'lon', 'uncertaintyM', 'observedAt', 'credibility', 'source', 'text'],
  properties: {
    lat: { type: 'number', minimum: -90, maximum: 90 },
    lon: { type: 'number', minimum: -180, maximum: 180 },
    uncertaintyM: { type: 'number', minimum: 0, maximum: 100000, description: '1-sigma location uncertainty (m)' },
    observedAt: { type: 'string', format: 'date-time' },
    credibility: { type: 'number', minimum: 0, maximum: 1 },
    source: { type: 'string', minLength: 1, maxLength: 200, description: 'e.g. public tip, police, satellite alert' },
    text: { type: 'string', minLength: 1, maxLength: 4000 },
  },
  additionalProperties: false,
} as const;

/** One site, with the detections that make it (each carrying the algorithm version that made it). */
export const siteDetailResponse = {
  type: 'object',
  required: [
    ...siteFeature.required,
    'detections',
    'coverage',
    'priority',
    'reports',
    'referral',
    'actions',
    'profiles',
    'profilesAreExamples',
  ],
  properties: {
    ...siteFeature.properties,
    coverage: {
      type: 'object',
      description: 'Overflights whose footprint covered the site, and in how many it was detected',
      required: ['overflights', 'detectedFlights', 'persistence', 'persistenceCi90'],
      properties: {
        overflights: { type: 'integer' },
        detectedFlights: { type: 'integer' },
        persistence: nullableNumber,
        persistenceCi90: {
          type: 'array',
          items: { type: 'number' },
          description: '90% interval of the detection probability (Beta posterior, uniform prior)',
        },
      },
    },
    priority: {
      type: 'object',
      description: 'core/fusion/priority.ts: 0.45·rate + 0.30·persistence + 0.25·reports, each 0..1',
      required: ['score', 'terms'],
      properties: {
        score: { type: 'number' },
        terms: {
          type: 'object',
          required: ['rate', 'persistence', 'reports'],
          properties: { rate: { type: 'number' }, persistence: { type: 'number' }, reports: { type: 'number' } },
        },
      },
    },
    reports: { type: 'array', items: reportSchema },
    referral: {
      type: ['object', 'null'],
      required: ['id', 'status', 'organizationId'],
      properties: { id: { type: 'string' }, status: { type: 'string' }, organizationId: { type: 'string' } },
    },
    profiles: {
      type: 'array',
      description:
        "Signature profiles (the server's profile file) with a score > 0, best first: score = Σ weight·confidence / Σ weight, the confidence of each gas being its largest over the site's detections (src/core/spectral/signature-profiles.ts)",
      items: {
        type: 'object',
        required: ['name', 'score'],
        properties: { name: { type: 'string' }, score: { type: 'number' }, sourceKind: { type: 'string' } },
      },
    },
    profilesAreExamples: {
      type: 'boolean',
      description:
        'True when the profiles are the shipped examples (config/signature-profiles.example.json): examples, not truth',
    },
    actions: {
      type: 'array',
      description: 'Workflow actions the caller may take on the site now',
      items: { type: 'string', enum: WORKFLOW_ACTIONS },
    },
    detections: {
      type: 'array',
      items: {
        type: 'object',
        required: ['id', 'acquisitionId', 'gas', 'lat', 'lon', 'method', 'algorithmVersion', 'createdAt'],
        properties: {
          id: { type: 'string' },
          acquisitionId: { type: 'string' },
          gas: { type: 'string' },
          lat: { type: 'number' },
          lon: { type: 'number' },
          enhancement: nullableNumber,
          enhancementUnit: { type: ['string', 'null'] },
          rateKgPerHour: nullableNumber,
          rateSigmaKgPerHour: nullableNumber,
          method: { type: 'string' },
          algorithmVersion: { type: 'string' },
          createdAt: { type: 'string' },
          properties: { type: 'object', additionalProperties: true },
        },
      },
    },
  },
} as const;

export const flightsResponse = {
  type: 'object',
  required: ['type', 'features'],
  properties: {
    type: { type: 'string', enum: ['FeatureCollection'] },
    features: {
      type: 'array',
      items: {
        type: 'object',
        required: ['type', 'id', 'geometry', 'properties'],
        properties: {
          type: { type: 'string', enum: ['Feature'] },
          id: { type: 'string' },
          geometry: {
            type: 'object',
            required: ['type', 'coordinates'],
            properties: {
              type: { type: 'string', enum: ['LineString'] },
              coordinates: { type: 'array', items: position },
            },
          },
          properties: {
            type: 'object',
            required: ['id', 'name', 'platform', 'sensorKind', 'startTime', 'endTime'],
            properties: {
              id: { type: 'string' },
              name: { type: 'string' },
              platform: { type: 'string' },
              sensorKind: { type: 'string' },
              startTime: { type: 'string' },
              endTime: { type: 'string' },
            },
          },
        },
      },
    },
  },
} as const;

/** The basemap is sent pre-serialized; this documents its shape. */
export const basemapResponse = {
  type: 'object',
  description: 'Country polygons (Natural Earth 1:50m via world-atlas) as a GeoJSON FeatureCollection',
  properties: { type: { type: 'string', enum: ['FeatureCollection'] }, features: { type: 'array' } },
} as const;
