/**
 * The repository contract of plumetrace's store. The SQLite backend (embedded default) implements
 * it now; a PostgreSQL/PostGIS backend will implement the same interface later, so nothing above
 * the store may depend on which one it talks to.
 *
 * Conventions: ids are UUID strings; times are ISO-8601 UTC strings; geometries are GeoJSON
 * objects (WGS84 lon/lat) — the SQLite backend keeps them as JSON text plus a bounding box for
 * filtering, PostGIS will keep them as geometry columns. Every method that writes several rows is
 * one transaction: it lands whole or not at all.
 */
import type { LineString, MultiPolygon, Point, Polygon } from 'geojson';
import type { WorkflowAction, WorkflowStatus } from '../core/workflow/machine.ts';
import type { Urgency } from '../core/workflow/urgency.ts';

export type OrgKind = 'analyst' | 'partner';
export type Role = 'admin' | 'analyst' | 'reviewer' | 'partner' | 'viewer';
export type Platform = 'drone' | 'aircraft' | 'satellite' | 'ground';
export type SensorKind = 'insitu' | 'open-path' | 'swir-imaging' | 'lwir-imaging';
export type AcquisitionKind = 'insitu-series' | 'imaging-scene';
/** Workflow states of a site (the state machine is src/core/workflow/machine.ts). */
export type SiteStatus = WorkflowStatus;

export interface Organization {
  id: string;
  name: string;
  kind: OrgKind;
  createdAt: string;
}

export interface Jurisdiction {
  id: string;
  organizationId: string;
  name: string;
  geometry: Polygon | MultiPolygon;
}

export interface User {
  id: string;
  organizationId: string;
  email: string;
  displayName: string;
  role: Role;
  createdAt: string;
}

/** A user with the kind of their organization (what authorization needs to know about them). */
export interface UserWithOrganization extends User {
  organizationKind: OrgKind;
}

/** A new browser session: the token goes in the user's cookie and is never stored, nor shown again. */
export interface NewSession {
  token: string;
  csrfToken: string;
  expiresAt: string;
}

/** A live session, as found by its token. */
export interface SessionInfo {
  user: UserWithOrganization;
  csrfToken: string;
  expiresAt: string;
}

export interface Campaign {
  id: string;
  organizationId: string;
  name: string;
  description: string;
  createdAt: string;
}

export interface Flight {
  id: string;
  campaignId: string;
  name: string;
  platform: Platform;
  sensorKind: SensorKind;
  startTime: string;
  endTime: string;
  /** The flown track, or null when unknown. */
  track: LineString | null;
  createdAt: string;
}

export interface Acquisition {
  id: string;
  flightId: string;
  kind: AcquisitionKind;
  /** Where the data came from (a file path or URL), for provenance. */
  sourceUri: string;
  /** SHA-256 of the source file's bytes: the same content is stored once. */
  contentSha256: string;
  gas: string | null;
  sampleCount: number;
  startTime: string;
  endTime: string;
  /** The area the acquisition observed (a scene's footprint, a survey's buffered track). */
  footprint: Polygon | null;
  metadata: Record<string, unknown>;
  createdAt: string;
}

/** One in-situ sample row, as ingested. */
export interface InSituSample {
  seq: number;
  time: string;
  lat: number;
  lon: number;
  altM: number;
  /** Null for a dropout (empty or NaN in the source). */
  ppm: number | null;
  windU: number | null;
  windV: number | null;
  sigmaPpm: number | null;
  /** 'path': the mean along a beam from (lat, lon, altM) to (lat2, lon2, alt2M). Default 'point'. */
  kind?: 'point' | 'path';
  lat2?: number | null;
  lon2?: number | null;
  alt2M?: number | null;
  windDirStdDeg?: number | null;
  averagingS?: number | null;
}

export interface Detection {
  id: string;
  acquisitionId: string;
  siteId: string | null;
  gas: string;
  /** The source point, or a plume outline for imaging detections. */
  geometry: Point | Polygon;
  lat: number;
  lon: number;
  /** Peak enhancement above background, in the unit of `enhancementUnit`. */
  enhancement: number | null;
  enhancementUnit: 'ppm' | 'ppm·m' | null;
  rateKgPerHour: number | null;
  rateSigmaKgPerHour: number | null;
  /** The method that made it (e.g. "insitu-grid-lsq", "cmf"). */
  method: string;
  algorithmVersion: string;
  properties: Record<string, unknown>;
  createdAt: string;
}

export interface Site {
  id: string;
  campaignId: string | null;
  /** The analyst organization that owns the site (its campaign's); null for a site without campaign. */
  organizationId: string | null;
  name: string;
  lat: number;
  lon: number;
  gases: string[];
  status: SiteStatus;
  detectionCount: number;
  /** Latest estimate of the emission rate and its 1-sigma, kg/h. */
  rateKgPerHour: number | null;
  rateSigmaKgPerHour: number | null;
  firstSeen: string;
  lastSeen: string;
  createdAt: string;
  updatedAt: string;
}

export interface Review {
  id: string;
  siteId: string;
  stage: 'R1' | 'R2';
  reviewerId: string;
  decision: 'reviewed' | 'confirmed' | 'dismissed';
  reason: string;
  createdAt: string;
}

export interface Referral {
  id: string;
  siteId: string;
  /** The authority the site was referred to. */
  organizationId: string;
  status: 'referred' | 'acknowledged' | 'inspected' | 'closed';
  outcome: 'dismantled' | 'remediated' | 'not-found' | 'no-access' | null;
  createdAt: string;
  updatedAt: string;
  /** 'jurisdiction': the one organization whose jurisdiction contains the site; 'analyst-choice': named by the analyst. */
  basis: 'jurisdiction' | 'analyst-choice';
  /** The organizations whose jurisdictions contained the site when it was referred. */
  containingOrganizationIds: string[];
  /** The analyst's reason, for an analyst-chosen destination. */
  reason: string | null;
  /** Who referred it. */
  createdBy: string | null;
  /** Urgency and deadlines computed when the site was referred. */
  urgency: Urgency | null;
  acknowledgedAt: string | null;
  inspectedAt: string | null;
  /** When the outcome was recorded. */
  closedAt: string | null;
  /** When an analyst recorded the verifying overflight, and when that overflight flew. */
  verifiedAt: string | null;
  overflightAt: string | null;
}

/** One entry of a referral's timeline. */
export interface ReferralEvent {
  id: string;
  referralId: string;
  kind: 'referred' | 'acknowledged' | 'inspected' | 'outcome' | 'verified' | 'comment' | 'evidence';
  at: string;
  byUserId: string;
  text: string | null;
  evidenceId: string | null;
}

/** A file a partner or analyst attached to a referral (its content is read separately). */
export interface Evidence {
  id: string;
  referralId: string;
  filename: string;
  mediaType: string;
  sha256: string;
  sizeBytes: number;
  uploadedBy: string;
  createdAt: string;
}

export interface NewEvidence {
  filename: string;
  mediaType: string;
  content: Uint8Array;
}

/** Something an organization should look at: a referral it received, or news on one it is party to. */
export interface Notification {
  id: string;
  organizationId: string;
  referralId: string | null;
  siteId: string;
  topic: 'referral-received' | 'referral-updated';
  at: string;
}

/** Evidence from another source: a tip, an inspection, another sensor's alert. */
export interface Report {
  id: string;
  /** The analyst organization that holds it. */
  organizationId: string;
  /** The site it was joined to (within its location uncertainty), or null. */
  siteId: string | null;
  lat: number;
  lon: number;
  /** 1-sigma location uncertainty (m). */
  uncertaintyM: number;
  observedAt: string;
  /** 0..1: how likely it is right. */
  credibility: number;
  /** What kind of source (e.g. "public tip", "police", "satellite alert"). */
  source: string;
  text: string;
  createdBy: string;
  createdAt: string;
}

export type NewReport = Omit<Report, 'id' | 'siteId' | 'createdAt'>;

/** Which overflights covered a site, and in how many of them it was detected (issue 4, fusion). */
export interface SiteCoverage {
  /** Distinct flights with an acquisition whose footprint contains the site. */
  overflights: number;
  /** Of those, the flights with a detection of the site. */
  detectedFlights: number;
  /** detectedFlights / overflights; null when no flight covered it. */
  persistence: number | null;
  flights: { flightId: string; name: string; startTime: string; detected: boolean }[];
}

/** What applying a workflow action wrote. */
export interface WorkflowWriteResult {
  site: Site;
  /** The site's referral after the action (null before it is referred). */
  referral: Referral | null;
  auditEvent: AuditEvent;
  /** The evidence stored by an upload-evidence action. */
  evidence?: Evidence;
}

export interface AuditEvent {
  seq: number;
  id: string;
  occurredAt: string;
  actorUserId: string | null;
  action: string;
  entityType: string;
  entityId: string | null;
  payload: Record<string, unknown>;
  /** SHA-256 hex of the previous event (64 zeros for the first). */
  prevHash: string;
  /** SHA-256 hex over this event's canonical content and prevHash. */
  hash: string;
}

// ---- inputs of write methods -------------------------------------------------------------

export type NewOrganization = Omit<Organization, 'id' | 'createdAt'>;
export type NewJurisdiction = Omit<Jurisdiction, 'id'>;
export type NewUser = Omit<User, 'id' | 'createdAt'> & { passwordHash?: string | null };
export type NewCampaign = Omit<Campaign, 'id' | 'createdAt'>;
export type NewFlight = Omit<Flight, 'id' | 'createdAt'>;
export type NewAcquisition = Omit<Acquisition, 'id' | 'flightId' | 'createdAt'>;
export type NewDetection = Omit<Detection, 'id' | 'createdAt' | 'siteId' | 'acquisitionId'>;
export type NewAuditEvent = Pick<AuditEvent, 'action' | 'entityType' | 'entityId' | 'payload' | 'actorUserId'>;

/**
 * Asks a write method to append its audit event ('organization.created', 'user.created') in the
 * same transaction, naming who did it (null: an operator at the command line, or the system).
 */
export interface AuditedWrite {
  audit?: { actorUserId: string | null };
}

/** What `storeInSituAcquisition` writes: the flight (new, or an existing id), the acquisition and its samples. */
export interface InSituAcquisitionInput {
  flight: NewFlight | { id: string };
  acquisition: NewAcquisition;
  samples: InSituSample[];
}

/** What `storeImagingAcquisition` writes: the flight (new, or an existing id) and the scene's acquisition (no samples). */
export interface ImagingAcquisitionInput {
  flight: NewFlight | { id: string };
  acquisition: NewAcquisition;
}

export type StoreAcquisitionResult =
  | { stored: true; flightId: string; acquisitionId: string }
  | { stored: false; reason: 'duplicate'; flightId: string; acquisitionId: string };

/** A detection to record, and the site it joins: an existing site id, or a new site. */
export interface DetectionWithSite {
  detection: NewDetection;
  site: { id: string } | { new: Pick<Site, 'campaignId' | 'name' | 'lat' | 'lon'> };
}

export interface SiteFilter {
  /** [minLon, minLat, maxLon, maxLat] */
  bbox?: [number, number, number, number];
  campaignId?: string;
  gas?: string;
  status?: SiteStatus;
  /** Sites owned by this organization. */
  organizationId?: string;
  /** Sites referred to this organization (a partner's view). */
  referredToOrganizationId?: string;
  /** Last seen at or after / at or before (ISO-8601). */
  seenAfter?: string;
  seenBefore?: string;
  /** Latest rate at least this (kg/h); sites without a rate are left out. */
  minRateKgPerHour?: number;
  /** Keyset pagination: sites after this one in the listing's order (last seen, newest first; then id). */
  after?: { lastSeen: string; id: string };
  limit?: number;
}

export interface ReferralFilter {
  /** Referrals addressed to this organization. */
  organizationId?: string;
  /** Referrals of sites owned by this organization. */
  siteOrganizationId?: string;
  siteId?: string;
}

export interface Store {
  /** Which backend this is ("sqlite" now; "postgres" later). */
  readonly dialect: 'sqlite' | 'postgres';
  /** Bring the schema up to date (idempotent). */
  migrate(): Promise<void>;
  close(): Promise<void>;

  /** One transaction: the organization, its jurisdictions and (with opts.audit) an 'organization.created' event. */
  createOrganization(
    org: NewOrganization,
    jurisdictions?: Omit<NewJurisdiction, 'organizationId'>[],
    opts?: AuditedWrite,
  ): Promise<Organization>;
  findOrganizationByName(name: string): Promise<Organization | null>;
  listJurisdictions(organizationId?: string): Promise<Jurisdiction[]>;
  /** One transaction: the user and (with opts.audit) a 'user.created' event (never the password hash). */
  createUser(user: NewUser, opts?: AuditedWrite): Promise<User>;
  findUserByEmail(email: string): Promise<User | null>;
  /**
   * One transaction: a new API token for the user (32 random bytes, base64url, prefixed `pt_`),
   * stored only as its SHA-256, and a 'token.created' audit event (never the token). The token is
   * returned here once and can never be read back.
   */
  createApiToken(userId: string, opts?: { actorUserId?: string | null }): Promise<{ id: string; token: string }>;
  /** One transaction: revokes every live API token of the user, one 'token.revoked' event each; returns how many. */
  revokeApiTokens(userId: string, opts?: { actorUserId?: string | null }): Promise<number>;
  /** The user a token belongs to, or null for an unknown or revoked token. */
  findUserByApiToken(token: string): Promise<User | null>;

  /** An organization by id, or null. */
  getOrganization(id: string): Promise<Organization | null>;
  /** The user with this email (trimmed, lower-cased) and their password hash (null: no password set). */
  findUserCredentials(email: string): Promise<{ user: UserWithOrganization; passwordHash: string | null } | null>;
  /**
   * One transaction: a new session for the user (token: 32 random bytes, base64url, stored only as its
   * SHA-256; a CSRF token of its own) that expires after ttlS seconds (default 12 h), and a
   * 'session.created' audit event.
   */
  createSession(userId: string, opts?: { ttlS?: number }): Promise<NewSession>;
  /** The session a token opens, or null when the token is unknown, expired or revoked. */
  findSession(token: string): Promise<SessionInfo | null>;
  /** Revokes a live session ('session.revoked' audit event in the same transaction); false when none was live. */
  revokeSession(token: string): Promise<boolean>;

  createCampaign(c: NewCampaign): Promise<Campaign>;
  findCampaignByName(name: string): Promise<Campaign | null>;
  listCampaigns(): Promise<Campaign[]>;

  /** One transaction: flight (unless given by id), acquisition and all samples; a duplicate content hash stores nothing. */
  storeInSituAcquisition(input: InSituAcquisitionInput): Promise<StoreAcquisitionResult>;
  /** One transaction: flight (unless given by id) and an imaging-scene acquisition; a duplicate content hash stores nothing. */
  storeImagingAcquisition(input: ImagingAcquisitionInput): Promise<StoreAcquisitionResult>;
  findAcquisitionBySha256(sha256: string): Promise<Acquisition | null>;
  getAcquisition(id: string): Promise<Acquisition | null>;
  listAcquisitions(flightId?: string): Promise<Acquisition[]>;
  getInSituSamples(acquisitionId: string): Promise<InSituSample[]>;
  listFlights(campaignId?: string): Promise<Flight[]>;
  getFlight(id: string): Promise<Flight | null>;

  /**
   * One transaction: insert the detections, create or update their sites (count, gases, last seen,
   * latest rate), and append one audit event per detection.
   */
  recordDetections(
    acquisitionId: string,
    items: DetectionWithSite[],
  ): Promise<{ detections: Detection[]; sites: Site[] }>;
  listDetections(filter?: { acquisitionId?: string; siteId?: string }): Promise<Detection[]>;
  listSites(filter?: SiteFilter): Promise<Site[]>;
  getSite(id: string): Promise<Site | null>;

  // ---- review and referral workflow ----

  /**
   * One transaction: applies a workflow action to a site through the state machine
   * (core/workflow/machine.ts) — the site's owner, reviews, referral and the jurisdictions that
   * contain it are read inside the transaction — then writes its effects (review, referral with
   * urgency and deadlines, timeline entry, notification, evidence), the site's new status and
   * the audit event. A refused action writes nothing and throws the machine's error.
   */
  applyWorkflowAction(
    siteId: string,
    action: WorkflowAction,
    opts?: { evidence?: NewEvidence },
  ): Promise<WorkflowWriteResult>;
  listReviews(siteId: string): Promise<Review[]>;
  listReferrals(filter?: ReferralFilter): Promise<Referral[]>;
  getReferral(id: string): Promise<Referral | null>;
  listReferralEvents(referralId: string): Promise<ReferralEvent[]>;
  listEvidence(referralId: string): Promise<Evidence[]>;
  getEvidenceContent(id: string): Promise<{ evidence: Evidence; content: Uint8Array } | null>;
  listNotifications(organizationId: string): Promise<Notification[]>;
  listOrganizations(): Promise<Organization[]>;
  getUser(id: string): Promise<User | null>;
  /** Overflights that covered the site (footprint contains it) and whether each detected it. */
  siteCoverage(siteId: string): Promise<SiteCoverage>;

  // ---- evidence from other sources, population data ----

  /**
   * One transaction: the report, joined to the organization's nearest site within its location
   * uncertainty (core/fusion/priority.ts associateReport), and a 'report.added' audit event.
   */
  addReport(report: NewReport): Promise<Report>;
  listReports(filter: { organizationId?: string; siteId?: string }): Promise<Report[]>;
  /** One transaction: replaces the organization's points of `dataset`; audit 'population.loaded'. */
  loadPopulation(
    organizationId: string,
    dataset: string,
    points: readonly { lat: number; lon: number; people: number }[],
    opts?: { actorUserId?: string | null },
  ): Promise<{ points: number; people: number }>;
  /** People within `radiusM` of a point, as (distance, count) pairs; empty when none is loaded. */
  peopleNear(lat: number, lon: number, radiusM: number): Promise<{ distanceM: number; people: number }[]>;
  /** Whether any population data is loaded. */
  hasPopulationData(): Promise<boolean>;

  /** Appends to the hash-chained audit log (in its own transaction, or the caller's). */
  appendAudit(event: NewAuditEvent): Promise<AuditEvent>;
  listAudit(): Promise<AuditEvent[]>;
}
