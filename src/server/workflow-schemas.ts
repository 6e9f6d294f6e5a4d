/**
 * JSON schemas of the review and referral routes (see workflow-routes.ts). Responses list every
 * property: Fastify serializes only what a response schema declares.
 */
import { REFERRAL_OUTCOMES, WORKFLOW_ACTIONS, WORKFLOW_STATUSES } from '../core/workflow/machine.ts';
import { siteParams } from './schemas.ts';

const str = { type: 'string' } as const;
const nullableStr = { type: ['string', 'null'] } as const;
const nullableNumber = { type: ['number', 'null'] } as const;
const reasonText = { type: 'string', minLength: 1, maxLength: 4000 } as const;
const iso = { type: 'string', minLength: 16, maxLength: 40, description: 'ISO-8601 time with a zone' } as const;

/** `:id` of a site or a referral. */
export const idParams = siteParams;

export const evidenceParams = {
  type: 'object',
  required: ['id', 'evidenceId'],
  properties: {
    id: { type: 'string', minLength: 1, maxLength: 64 },
    evidenceId: { type: 'string', minLength: 1, maxLength: 64 },
  },
  additionalProperties: false,
} as const;

export const packageParams = {
  type: 'object',
  required: ['id', 'format'],
  properties: {
    id: { type: 'string', minLength: 1, maxLength: 64 },
    format: { type: 'string', enum: ['pdf', 'geojson', 'kml', 'kmz', 'cot', 'csv'] },
  },
  additionalProperties: false,
} as const;

export const reviewBody = {
  type: 'object',
  required: ['decision', 'reason'],
  properties: {
    decision: {
      type: 'string',
      enum: ['reviewed', 'confirmed', 'dismissed'],
      description: "'reviewed' is the R1 review; 'confirmed' or 'dismissed' the R2 decision (another person)",
    },
    reason: reasonText,
  },
  additionalProperties: false,
} as const;

export const referBody = {
  type: 'object',
  properties: {
    organizationId: {
      type: 'string',
      minLength: 1,
      maxLength: 64,
      description: 'Only when no jurisdiction, or several, contain the site',
    },
    reason: reasonText,
  },
  additionalProperties: false,
} as const;

export const verifyBody = {
  type: 'object',
  required: ['overflightAt'],
  properties: { overflightAt: iso, reason: reasonText },
  additionalProperties: false,
} as const;

export const stepBody = {
  type: 'object',
  properties: { comment: reasonText },
  additionalProperties: false,
} as const;

export const outcomeBody = {
  type: 'object',
  required: ['outcome'],
  properties: { outcome: { type: 'string', enum: REFERRAL_OUTCOMES }, comment: reasonText },
  additionalProperties: false,
} as const;

export const commentBody = {
  type: 'object',
  required: ['text'],
  properties: { text: reasonText },
  additionalProperties: false,
} as const;

export const evidenceBody = {
  type: 'object',
  required: ['filename', 'mediaType', 'contentBase64'],
  properties: {
    filename: { type: 'string', minLength: 1, maxLength: 255 },
    mediaType: { type: 'string', minLength: 3, maxLength: 127 },
    contentBase64: { type: 'string', minLength: 1, maxLength: 12_000_000 },
  },
  additionalProperties: false,
} as const;

export const referralsQuerystring = {
  type: 'object',
  properties: {
    status: { type: 'string', enum: ['referred', 'acknowledged', 'inspected', 'closed'] },
    overdue: { type: 'boolean', description: 'Only referrals flagged overdue now' },
  },
  additionalProperties: false,
} as const;

const review = {
  type: 'object',
  required: ['id', 'stage', 'reviewerId', 'reviewerName', 'decision', 'reason', 'createdAt'],
  properties: {
    id: str,
    stage: { type: 'string', enum: ['R1', 'R2'] },
    reviewerId: str,
    reviewerName: str,
    decision: str,
    reason: str,
    createdAt: str,
  },
} as const;

export const reviewsResponse = { type: 'array', items: review } as const;

const deadline = {
  type: 'object',
  required: ['kind', 'dueAt', 'missed', 'overdueByH'],
  properties: {
    kind: { type: 'string', enum: ['acknowledge', 'act'] },
    dueAt: str,
    metAt: str,
    missed: { type: 'boolean' },
    overdueByH: { type: 'number' },
  },
} as const;

const siteSummary = {
  type: 'object',
  required: ['id', 'name', 'lat', 'lon', 'gases', 'status', 'rateKgPerHour', 'rateSigmaKgPerHour'],
  properties: {
    id: str,
    name: str,
    lat: { type: 'number' },
    lon: { type: 'number' },
    gases: { type: 'array', items: str },
    status: { type: 'string', enum: WORKFLOW_STATUSES },
    rateKgPerHour: nullableNumber,
    rateSigmaKgPerHour: nullableNumber,
  },
} as const;

export const referralProperties = {
  id: str,
  siteId: str,
  organizationId: str,
  organizationName: str,
  status: { type: 'string', enum: ['referred', 'acknowledged', 'inspected', 'closed'] },
  outcome: nullableStr,
  basis: { type: 'string', enum: ['jurisdiction', 'analyst-choice'] },
  containingOrganizationIds: { type: 'array', items: str },
  reason: nullableStr,
  createdBy: nullableStr,
  createdAt: str,
  updatedAt: str,
  acknowledgedAt: nullableStr,
  inspectedAt: nullableStr,
  closedAt: nullableStr,
  verifiedAt: nullableStr,
  overflightAt: nullableStr,
  urgency: {
    type: ['object', 'null'],
    properties: {
      level: { type: 'string', enum: ['routine', 'priority', 'urgent'] },
      score: { type: 'number' },
      scoreRange: { type: 'array', items: { type: 'number' } },
      acknowledgeWithinH: { type: 'number' },
      actWithinH: { type: 'number' },
      populationData: str,
      notes: { type: 'array', items: str },
    },
  },
  deadlines: { type: 'array', items: deadline },
  overdue: { type: 'boolean', description: 'Open and past a deadline now' },
  site: siteSummary,
} as const;

const referral = { type: 'object', required: Object.keys(referralProperties), properties: referralProperties } as const;

export const referralsResponse = { type: 'array', items: referral } as const;

const evidence = {
  type: 'object',
  required: ['id', 'filename', 'mediaType', 'sha256', 'sizeBytes', 'uploadedBy', 'uploadedByName', 'createdAt'],
  properties: {
    id: str,
    filename: str,
    mediaType: str,
    sha256: str,
    sizeBytes: { type: 'integer' },
    uploadedBy: str,
    uploadedByName: str,
    createdAt: str,
  },
} as const;

export const referralDetailResponse = {
  type: 'object',
  required: [...referral.required, 'events', 'evidence', 'actions'],
  properties: {
    ...referralProperties,
    events: {
      type: 'array',
      items: {
        type: 'object',
        required: ['id', 'kind', 'at', 'byUserId', 'byName', 'text', 'evidenceId'],
        properties: {
          id: str,
          kind: str,
          at: str,
          byUserId: str,
          byName: str,
          text: nullableStr,
          evidenceId: nullableStr,
        },
      },
    },
    evidence: { type: 'array', items: evidence },
    actions: { type: 'array', items: { type: 'string', enum: WORKFLOW_ACTIONS } },
  },
} as const;

export const workflowResultResponse = {
  type: 'object',
  required: ['siteId', 'status', 'auditEventId', 'referralId'],
  properties: {
    siteId: str,
    status: { type: 'string', enum: WORKFLOW_STATUSES },
    auditEventId: str,
    referralId: nullableStr,
    evidenceId: str,
  },
} as const;

export const organizationsResponse = {
  type: 'array',
  items: {
    type: 'object',
    required: ['id', 'name', 'kind', 'jurisdictions'],
    properties: {
      id: str,
      name: str,
      kind: { type: 'string', enum: ['analyst', 'partner'] },
      jurisdictions: { type: 'array', items: str },
    },
  },
} as const;

export const notificationsResponse = {
  type: 'array',
  items: {
    type: 'object',
    required: ['id', 'referralId', 'siteId', 'topic', 'at'],
    properties: { id: str, referralId: nullableStr, siteId: str, topic: str, at: str },
  },
} as const;

export const auditResponse = {
  type: 'object',
  required: ['chain', 'events'],
  properties: {
    chain: {
      type: 'object',
      required: ['ok'],
      properties: {
        ok: { type: 'boolean' },
        count: { type: 'integer' },
        seq: { type: 'integer', description: 'The first bad event' },
        id: str,
        problem: { type: 'string', enum: ['hash-mismatch', 'broken-link', 'sequence-gap'] },
      },
    },
    events: {
      type: 'array',
      items: {
        type: 'object',
        required: ['seq', 'id', 'occurredAt', 'actorUserId', 'action', 'entityType', 'entityId', 'payload', 'hash'],
        properties: {
          seq: { type: 'integer' },
          id: str,
          occurredAt: str,
          actorUserId: nullableStr,
          action: str,
          entityType: str,
          entityId: nullableStr,
          payload: { type: 'object', additionalProperties: true },
          prevHash: str,
          hash: str,
        },
      },
    },
  },
} as const;

export const auditQuerystring = {
  type: 'object',
  properties: {
    entityType: { type: 'string', maxLength: 64 },
    entityId: { type: 'string', maxLength: 64 },
    limit: { type: 'integer', minimum: 1, maximum: 10_000 },
  },
  additionalProperties: false,
} as const;
