/**
 * Row ↔ domain mapping, in one place: camelCase domain objects (types.ts) to snake_case rows
 * (schema.ts) and back. JSON columns are serialized here and parsed here.
 */
import type { Geometry, LineString, MultiPolygon, Point, Polygon, Position } from 'geojson';
import type {
  AcquisitionTable,
  AppUserTable,
  AuditEventTable,
  BboxColumns,
  CampaignTable,
  DetectionTable,
  FlightTable,
  InsituSampleTable,
  EvidenceTable,
  JurisdictionTable,
  NotificationTable,
  OrganizationTable,
  ReferralEventTable,
  ReferralTable,
  ReportTable,
  ReviewTable,
  SiteTable,
} from './schema.ts';
import type {
  Acquisition,
  AuditEvent,
  Campaign,
  Detection,
  Flight,
  InSituSample,
  Jurisdiction,
  Evidence,
  Notification,
  Organization,
  Referral,
  ReferralEvent,
  Report,
  Review,
  Site,
  User,
} from './types.ts';
import type { Urgency } from '../core/workflow/urgency.ts';

/** Bounding box of a GeoJSON geometry (all nulls for null or an empty geometry). */
export function geometryBbox(g: Geometry | null): BboxColumns {
  const box = { min_lon: Infinity, min_lat: Infinity, max_lon: -Infinity, max_lat: -Infinity };
  const visit = (c: Position | Position[] | Position[][] | Position[][][]): void => {
    if (typeof c[0] === 'number') {
      const [lon, lat] = c as Position;
      box.min_lon = Math.min(box.min_lon, lon);
      box.max_lon = Math.max(box.max_lon, lon);
      box.min_lat = Math.min(box.min_lat, lat);
      box.max_lat = Math.max(box.max_lat, lat);
    } else for (const p of c as Position[]) visit(p);
  };
  const walk = (geom: Geometry): void => {
    if (geom.type === 'GeometryCollection') geom.geometries.forEach(walk);
    else visit(geom.coordinates);
  };
  if (g) walk(g);
  if (box.min_lon === Infinity) return { min_lon: null, min_lat: null, max_lon: null, max_lat: null };
  return box;
}

const json = (v: unknown): string => JSON.stringify(v);
const jsonOrNull = (v: unknown): string | null => (v == null ? null : JSON.stringify(v));
const parse = <T>(s: string): T => JSON.parse(s) as T;
const parseOrNull = <T>(s: string | null): T | null => (s == null ? null : (JSON.parse(s) as T));

export const toOrganization = (r: OrganizationTable): Organization => ({
  id: r.id,
  name: r.name,
  kind: r.kind,
  createdAt: r.created_at,
});
export const organizationRow = (o: Organization): OrganizationTable => ({
  id: o.id,
  name: o.name,
  kind: o.kind,
  created_at: o.createdAt,
});

export const toJurisdiction = (r: JurisdictionTable): Jurisdiction => ({
  id: r.id,
  organizationId: r.organization_id,
  name: r.name,
  geometry: parse<Polygon | MultiPolygon>(r.geometry),
});
export const jurisdictionRow = (j: Jurisdiction): JurisdictionTable => ({
  id: j.id,
  organization_id: j.organizationId,
  name: j.name,
  geometry: json(j.geometry),
  ...geometryBbox(j.geometry),
});

export const toUser = (r: AppUserTable): User => ({
  id: r.id,
  organizationId: r.organization_id,
  email: r.email,
  displayName: r.display_name,
  role: r.role,
  createdAt: r.created_at,
});
export const userRow = (u: User, passwordHash: string | null): AppUserTable => ({
  id: u.id,
  organization_id: u.organizationId,
  email: u.email,
  display_name: u.displayName,
  role: u.role,
  password_hash: passwordHash,
  created_at: u.createdAt,
});

export const toCampaign = (r: CampaignTable): Campaign => ({
  id: r.id,
  organizationId: r.organization_id,
  name: r.name,
  description: r.description,
  createdAt: r.created_at,
});
export const campaignRow = (c: Campaign): CampaignTable => ({
  id: c.id,
  organization_id: c.organizationId,
  name: c.name,
  description: c.description,
  created_at: c.createdAt,
});

export const toFlight = (r: FlightTable): Flight => ({
  id: r.id,
  campaignId: r.campaign_id,
  name: r.name,
  platform: r.platform,
  sensorKind: r.sensor_kind,
  startTime: r.start_time,
  endTime: r.end_time,
  track: parseOrNull<LineString>(r.track),
  createdAt: r.created_at,
});
export const flightRow = (f: Flight): FlightTable => ({
  id: f.id,
  campaign_id: f.campaignId,
  name: f.name,
  platform: f.platform,
  sensor_kind: f.sensorKind,
  start_time: f.startTime,
  end_time: f.endTime,
  track: jsonOrNull(f.track),
  ...geometryBbox(f.track),
  created_at: f.createdAt,
});

export const toAcquisition = (r: AcquisitionTable): Acquisition => ({
  id: r.id,
  flightId: r.flight_id,
  kind: r.kind,
  sourceUri: r.source_uri,
  contentSha256: r.content_sha256,
  gas: r.gas,
  sampleCount: r.sample_count,
  startTime: r.start_time,
  endTime: r.end_time,
  footprint: parseOrNull<Polygon>(r.footprint),
  metadata: parse<Record<string, unknown>>(r.metadata),
  createdAt: r.created_at,
});
export const acquisitionRow = (a: Acquisition): AcquisitionTable => ({
  id: a.id,
  flight_id: a.flightId,
  kind: a.kind,
  source_uri: a.sourceUri,
  content_sha256: a.contentSha256,
  gas: a.gas,
  sample_count: a.sampleCount,
  start_time: a.startTime,
  end_time: a.endTime,
  footprint: jsonOrNull(a.footprint),
  ...geometryBbox(a.footprint),
  metadata: json(a.metadata),
  created_at: a.createdAt,
});

export const toSample = (r: InsituSampleTable): InSituSample => ({
  seq: r.seq,
  time: r.time,
  lat: r.lat,
  lon: r.lon,
  altM: r.alt_m,
  ppm: r.ppm,
  windU: r.wind_u,
  windV: r.wind_v,
  sigmaPpm: r.sigma_ppm,
  kind: r.kind,
  lat2: r.lat2,
  lon2: r.lon2,
  alt2M: r.alt2_m,
  windDirStdDeg: r.wind_dir_std_deg,
  averagingS: r.averaging_s,
});
export const sampleRow = (acquisitionId: string, s: InSituSample): InsituSampleTable => ({
  acquisition_id: acquisitionId,
  seq: s.seq,
  time: s.time,
  lat: s.lat,
  lon: s.lon,
  alt_m: s.altM,
  ppm: s.ppm === null || Number.isNaN(s.ppm) ? null : s.ppm,
  wind_u: s.windU ?? null,
  wind_v: s.windV ?? null,
  sigma_ppm: s.sigmaPpm ?? null,
  kind: s.kind ?? 'point',
  lat2: s.lat2 ?? null,
  lon2: s.lon2 ?? null,
  alt2_m: s.alt2M ?? null,
  wind_dir_std_deg: s.windDirStdDeg ?? null,
  averaging_s: s.averagingS ?? null,
});

export const toDetection = (r: DetectionTable): Detection => ({
  id: r.id,
  acquisitionId: r.acquisition_id,
  siteId: r.site_id,
  gas: r.gas,
  geometry: parse<Point | Polygon>(r.geometry),
  lat: r.lat,
  lon: r.lon,
  enhancement: r.enhancement,
  enhancementUnit: r.enhancement_unit,
  rateKgPerHour: r.rate_kg_per_hour,
  rateSigmaKgPerHour: r.rate_sigma_kg_per_hour,
  method: r.method,
  algorithmVersion: r.algorithm_version,
  properties: parse<Record<string, unknown>>(r.properties),
  createdAt: r.created_at,
});
export const detectionRow = (d: Detection): DetectionTable => ({
  id: d.id,
  acquisition_id: d.acquisitionId,
  site_id: d.siteId,
  gas: d.gas,
  geometry: json(d.geometry),
  ...geometryBbox(d.geometry),
  lat: d.lat,
  lon: d.lon,
  enhancement: d.enhancement,
  enhancement_unit: d.enhancementUnit,
  rate_kg_per_hour: d.rateKgPerHour,
  rate_sigma_kg_per_hour: d.rateSigmaKgPerHour,
  method: d.method,
  algorithm_version: d.algorithmVersion,
  properties: json(d.properties),
  created_at: d.createdAt,
});

export const toSite = (r: SiteTable): Site => ({
  id: r.id,
  campaignId: r.campaign_id,
  organizationId: r.organization_id,
  name: r.name,
  lat: r.lat,
  lon: r.lon,
  gases: parse<string[]>(r.gases),
  status: r.status,
  detectionCount: r.detection_count,
  rateKgPerHour: r.rate_kg_per_hour,
  rateSigmaKgPerHour: r.rate_sigma_kg_per_hour,
  firstSeen: r.first_seen,
  lastSeen: r.last_seen,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});
export const siteRow = (s: Site): SiteTable => ({
  id: s.id,
  campaign_id: s.campaignId,
  organization_id: s.organizationId,
  name: s.name,
  lat: s.lat,
  lon: s.lon,
  gases: json(s.gases),
  status: s.status,
  detection_count: s.detectionCount,
  rate_kg_per_hour: s.rateKgPerHour,
  rate_sigma_kg_per_hour: s.rateSigmaKgPerHour,
  first_seen: s.firstSeen,
  last_seen: s.lastSeen,
  created_at: s.createdAt,
  updated_at: s.updatedAt,
});

export const toAuditEvent = (r: AuditEventTable): AuditEvent => ({
  seq: r.seq,
  id: r.id,
  occurredAt: r.occurred_at,
  actorUserId: r.actor_user_id,
  action: r.action,
  entityType: r.entity_type,
  entityId: r.entity_id,
  payload: parse<Record<string, unknown>>(r.payload),
  prevHash: r.prev_hash,
  hash: r.hash,
});
export const auditEventRow = (e: AuditEvent): AuditEventTable => ({
  seq: e.seq,
  id: e.id,
  occurred_at: e.occurredAt,
  actor_user_id: e.actorUserId,
  action: e.action,
  entity_type: e.entityType,
  entity_id: e.entityId,
  payload: json(e.payload),
  prev_hash: e.prevHash,
  hash: e.hash,
});

export const toReview = (r: ReviewTable): Review => ({
  id: r.id,
  siteId: r.site_id,
  stage: r.stage,
  reviewerId: r.reviewer_id,
  decision: r.decision,
  reason: r.reason,
  createdAt: r.created_at,
});

export const toReferral = (r: ReferralTable): Referral => ({
  id: r.id,
  siteId: r.site_id,
  organizationId: r.organization_id,
  status: r.status,
  outcome: r.outcome,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  basis: r.basis ?? 'jurisdiction',
  containingOrganizationIds: parseOrNull<string[]>(r.containing_organization_ids) ?? [],
  reason: r.reason,
  createdBy: r.created_by,
  urgency: parseOrNull<Urgency>(r.urgency),
  acknowledgedAt: r.acknowledged_at,
  inspectedAt: r.inspected_at,
  closedAt: r.closed_at,
  verifiedAt: r.verified_at,
  overflightAt: r.overflight_at,
});
export const referralRow = (r: Referral): ReferralTable => ({
  id: r.id,
  site_id: r.siteId,
  organization_id: r.organizationId,
  status: r.status,
  outcome: r.outcome,
  created_at: r.createdAt,
  updated_at: r.updatedAt,
  basis: r.basis,
  containing_organization_ids: json(r.containingOrganizationIds),
  reason: r.reason,
  created_by: r.createdBy,
  urgency: jsonOrNull(r.urgency),
  acknowledge_within_h: r.urgency?.acknowledgeWithinH ?? null,
  act_within_h: r.urgency?.actWithinH ?? null,
  acknowledged_at: r.acknowledgedAt,
  inspected_at: r.inspectedAt,
  closed_at: r.closedAt,
  verified_at: r.verifiedAt,
  overflight_at: r.overflightAt,
});

export const toReferralEvent = (r: ReferralEventTable): ReferralEvent => ({
  id: r.id,
  referralId: r.referral_id,
  kind: r.kind,
  at: r.at,
  byUserId: r.by_user_id,
  text: r.text,
  evidenceId: r.evidence_id,
});

export const toEvidence = (r: Omit<EvidenceTable, 'content'>): Evidence => ({
  id: r.id,
  referralId: r.referral_id,
  filename: r.filename,
  mediaType: r.media_type,
  sha256: r.sha256,
  sizeBytes: r.size_bytes,
  uploadedBy: r.uploaded_by,
  createdAt: r.created_at,
});

export const toNotification = (r: NotificationTable): Notification => ({
  id: r.id,
  organizationId: r.organization_id,
  referralId: r.referral_id,
  siteId: r.site_id,
  topic: r.topic,
  at: r.at,
});

export const toReport = (r: ReportTable): Report => ({
  id: r.id,
  organizationId: r.organization_id,
  siteId: r.site_id,
  lat: r.lat,
  lon: r.lon,
  uncertaintyM: r.uncertainty_m,
  observedAt: r.observed_at,
  credibility: r.credibility,
  source: r.source,
  text: r.text,
  createdBy: r.created_by,
  createdAt: r.created_at,
});
