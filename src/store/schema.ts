/**
 * The Kysely view of the database: one interface per table, snake_case columns as stored.
 *
 * SQLite keeps ids and ISO-8601 times as text, JSON documents (GeoJSON, metadata, properties,
 * gas lists) as text, and a bounding box in real columns beside each geometry for filtering.
 * The PostgreSQL backend will keep the same tables with jsonb and PostGIS geometry columns.
 * Mapping to the camelCase domain types of types.ts lives in mapping.ts, nowhere else.
 */
import type { AcquisitionKind, OrgKind, Platform, Role, SensorKind, SiteStatus } from './types.ts';

/** Bounding box of a row's geometry (null when the geometry is). */
export interface BboxColumns {
  min_lon: number | null;
  min_lat: number | null;
  max_lon: number | null;
  max_lat: number | null;
}

export interface OrganizationTable {
  id: string;
  name: string;
  kind: OrgKind;
  created_at: string;
}

export interface JurisdictionTable extends BboxColumns {
  id: string;
  organization_id: string;
  name: string;
  /** GeoJSON Polygon | MultiPolygon. */
  geometry: string;
}

export interface AppUserTable {
  id: string;
  organization_id: string;
  email: string;
  display_name: string;
  role: Role;
  password_hash: string | null;
  created_at: string;
}

export interface ApiTokenTable {
  id: string;
  user_id: string;
  /** SHA-256 hex of the token; the token itself is never stored. */
  token_sha256: string;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

export interface SessionTable {
  id: string;
  user_id: string;
  /** SHA-256 hex of the session token; the token itself is only in the user's cookie. */
  token_sha256: string;
  csrf_token: string;
  created_at: string;
  expires_at: string;
  last_seen_at: string;
  revoked_at: string | null;
}

export interface CampaignTable {
  id: string;
  organization_id: string;
  name: string;
  description: string;
  created_at: string;
}

export interface FlightTable extends BboxColumns {
  id: string;
  campaign_id: string;
  name: string;
  platform: Platform;
  sensor_kind: SensorKind;
  start_time: string;
  end_time: string;
  /** GeoJSON LineString or null. */
  track: string | null;
  created_at: string;
}

export interface AcquisitionTable extends BboxColumns {
  id: string;
  flight_id: string;
  kind: AcquisitionKind;
  source_uri: string;
  content_sha256: string;
  gas: string | null;
  sample_count: number;
  start_time: string;
  end_time: string;
  /** GeoJSON Polygon or null. */
  footprint: string | null;
  /** JSON object. */
  metadata: string;
  created_at: string;
}

export interface InsituSampleTable {
  acquisition_id: string;
  seq: number;
  time: string;
  lat: number;
  lon: number;
  alt_m: number;
  ppm: number | null;
  wind_u: number | null;
  wind_v: number | null;
  sigma_ppm: number | null;
  kind: 'point' | 'path';
  lat2: number | null;
  lon2: number | null;
  alt2_m: number | null;
  wind_dir_std_deg: number | null;
  averaging_s: number | null;
}

export interface DetectionTable extends BboxColumns {
  id: string;
  acquisition_id: string;
  site_id: string | null;
  gas: string;
  /** GeoJSON Point | Polygon. */
  geometry: string;
  lat: number;
  lon: number;
  enhancement: number | null;
  enhancement_unit: 'ppm' | 'ppm·m' | null;
  rate_kg_per_hour: number | null;
  rate_sigma_kg_per_hour: number | null;
  method: string;
  algorithm_version: string;
  /** JSON object. */
  properties: string;
  created_at: string;
}

export interface SiteTable {
  id: string;
  campaign_id: string | null;
  /** The analyst organization that owns the site (its campaign's). */
  organization_id: string | null;
  name: string;
  lat: number;
  lon: number;
  /** JSON array of gas names, sorted. */
  gases: string;
  status: SiteStatus;
  detection_count: number;
  rate_kg_per_hour: number | null;
  rate_sigma_kg_per_hour: number | null;
  first_seen: string;
  last_seen: string;
  created_at: string;
  updated_at: string;
}

export interface ReviewTable {
  id: string;
  site_id: string;
  stage: 'R1' | 'R2';
  reviewer_id: string;
  decision: 'reviewed' | 'confirmed' | 'dismissed';
  reason: string;
  created_at: string;
}

export interface ReferralTable {
  id: string;
  site_id: string;
  organization_id: string;
  status: 'referred' | 'acknowledged' | 'inspected' | 'closed';
  outcome: 'dismantled' | 'remediated' | 'not-found' | 'no-access' | null;
  created_at: string;
  updated_at: string;
  basis: 'jurisdiction' | 'analyst-choice' | null;
  /** JSON array of organization ids. */
  containing_organization_ids: string | null;
  reason: string | null;
  created_by: string | null;
  /** JSON: the Urgency computed when the site was referred. */
  urgency: string | null;
  acknowledge_within_h: number | null;
  act_within_h: number | null;
  acknowledged_at: string | null;
  inspected_at: string | null;
  closed_at: string | null;
  verified_at: string | null;
  overflight_at: string | null;
}

export interface EvidenceTable {
  id: string;
  referral_id: string;
  filename: string;
  media_type: string;
  sha256: string;
  size_bytes: number;
  content: Uint8Array;
  uploaded_by: string;
  created_at: string;
}

export interface ReferralEventTable {
  id: string;
  referral_id: string;
  kind: 'referred' | 'acknowledged' | 'inspected' | 'outcome' | 'verified' | 'comment' | 'evidence';
  at: string;
  by_user_id: string;
  text: string | null;
  evidence_id: string | null;
}

export interface NotificationTable {
  id: string;
  organization_id: string;
  referral_id: string | null;
  site_id: string;
  topic: 'referral-received' | 'referral-updated';
  at: string;
}

export interface AuditEventTable {
  /** Assigned by the store (last seq + 1, in the appending transaction) so the hash can cover it. */
  seq: number;
  id: string;
  occurred_at: string;
  actor_user_id: string | null;
  action: string;
  entity_type: string;
  entity_id: string | null;
  /** JSON object. */
  payload: string;
  prev_hash: string;
  hash: string;
}

export interface ReportTable {
  id: string;
  organization_id: string;
  site_id: string | null;
  lat: number;
  lon: number;
  uncertainty_m: number;
  observed_at: string;
  credibility: number;
  source: string;
  text: string;
  created_by: string;
  created_at: string;
}

export interface PopulationPointTable {
  id: string;
  organization_id: string;
  dataset: string;
  lat: number;
  lon: number;
  people: number;
}

export interface Database {
  organization: OrganizationTable;
  jurisdiction: JurisdictionTable;
  app_user: AppUserTable;
  api_token: ApiTokenTable;
  session: SessionTable;
  campaign: CampaignTable;
  flight: FlightTable;
  acquisition: AcquisitionTable;
  insitu_sample: InsituSampleTable;
  detection: DetectionTable;
  site: SiteTable;
  review: ReviewTable;
  referral: ReferralTable;
  evidence: EvidenceTable;
  referral_event: ReferralEventTable;
  notification: NotificationTable;
  report: ReportTable;
  population_point: PopulationPointTable;
  audit_event: AuditEventTable;
}
