/**
 * The REST API as the map app sees it. The page talks to the server over HTTP only; these types
 * mirror the JSON the server's route schemas promise.
 */
import type { FeatureCollection, LineString, Point } from 'geojson';

// The shapes the server answers with (type-only: erased from the bundle; the page still talks to
// the server over HTTP only).
import type { ReferralOutcome, WorkflowActionKind } from '../../src/core/workflow/machine.ts';
import type { DeadlineState, Urgency } from '../../src/core/workflow/urgency.ts';
import type { FlightProperties, SiteProperties } from '../../src/server/app.ts';
import type {
  Evidence as StoreEvidence,
  Referral as StoreReferral,
  ReferralEvent as StoreReferralEvent,
  Review as StoreReview,
} from '../../src/store/types.ts';

export type { FlightProperties, SiteProperties };

export type SitesCollection = FeatureCollection<Point, SiteProperties>;
export type FlightsCollection = FeatureCollection<LineString, FlightProperties>;

/** An error answered by the API ({code, message, detail}). */
export class ApiError extends Error {
  readonly code: string;
  readonly status: number;
  /** What the server said, in words, without the request path: "Bad request: reason is required". */
  readonly said: string;
  constructor(status: number, code: string, message: string, said = message) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.said = said;
  }
}

export function apiUrl(path: string): string {
  return new URL(path, window.location.href).href;
}

/** The signed-in user, as GET/POST /api/session answer. */
export interface SessionUser {
  id: string;
  email: string;
  displayName: string;
  role: 'admin' | 'analyst' | 'reviewer' | 'partner' | 'viewer';
  organizationId: string;
  organizationKind: 'analyst' | 'partner';
}

interface SessionBody {
  user: SessionUser;
  csrfToken: string | null;
}

/**
 * The session's CSRF token, kept in memory only (never in storage a script on another page could
 * read); sent as X-CSRF-Token on every request that changes something.
 */
let csrfToken: string | null = null;

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * fetch() for the API: same-origin cookies, JSON accepted, and the X-CSRF-Token header on unsafe
 * methods. A plain-object body is sent as JSON. Throws ApiError for a non-2xx answer.
 */
export async function apiFetch(
  path: string,
  init: Omit<RequestInit, 'body'> & { body?: unknown } = {},
): Promise<Response> {
  const method = (init.method ?? 'GET').toUpperCase();
  const headers = new Headers(init.headers);
  headers.set('accept', 'application/json');
  if (UNSAFE.has(method) && csrfToken !== null) headers.set('x-csrf-token', csrfToken);
  let body: BodyInit | undefined;
  if (init.body !== undefined) {
    headers.set('content-type', 'application/json');
    body = JSON.stringify(init.body);
  }
  const response = await fetch(apiUrl(path), { ...init, method, headers, body, credentials: 'same-origin' });
  if (!response.ok) throw await apiError(path, response);
  return response;
}

async function apiError(path: string, response: Response): Promise<ApiError> {
  let code = `HTTP_${response.status}`;
  let message = response.statusText;
  try {
    const body = (await response.json()) as { code?: string; message?: string; detail?: string };
    code = body.code ?? code;
    message = [body.message, body.detail].filter(Boolean).join(': ') || message;
  } catch {
    // not a JSON error body; keep the status line
  }
  return new ApiError(response.status, code, `${path}: ${message}`, message);
}

async function getJson<T>(path: string): Promise<T> {
  return (await (await apiFetch(path)).json()) as T;
}

/** Who is signed in, or null when nobody is (the API answered 401). */
export async function currentSession(): Promise<SessionUser | null> {
  try {
    const body = await getJson<SessionBody>('/api/session');
    csrfToken = body.csrfToken;
    return body.user;
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return null;
    throw error;
  }
}

export async function signIn(email: string, password: string): Promise<SessionUser> {
  const response = await apiFetch('/api/session', { method: 'POST', body: { email, password } });
  const body = (await response.json()) as SessionBody;
  csrfToken = body.csrfToken;
  return body.user;
}

export async function signOut(): Promise<void> {
  await apiFetch('/api/session', { method: 'DELETE' });
  csrfToken = null;
}

export function fetchSites(): Promise<SitesCollection> {
  return getJson<SitesCollection>('/api/sites');
}

export function fetchFlights(): Promise<FlightsCollection> {
  return getJson<FlightsCollection>('/api/flights');
}

export const BASEMAP_PATH = '/api/basemap';

// ---- the review and referral workflow (src/server/workflow-routes.ts, workflow-schemas.ts) ----

/** The actions GET /api/sites/:id and GET /api/referrals/:id list as what the caller may take now. */
export type { ReferralOutcome, WorkflowActionKind };

/** The outcomes a partner records (the server's REFERRAL_OUTCOMES; the type keeps them in step). */
export const REFERRAL_OUTCOMES: readonly ReferralOutcome[] = ['dismantled', 'remediated', 'not-found', 'no-access'];

export interface DetectionView {
  id: string;
  acquisitionId: string;
  gas: string;
  lat: number;
  lon: number;
  enhancement?: number | null;
  enhancementUnit?: string | null;
  rateKgPerHour?: number | null;
  rateSigmaKgPerHour?: number | null;
  method: string;
  algorithmVersion: string;
  createdAt: string;
  /** What the detector recorded beside the numbers (a thermal plume: `gases`, `profiles`, …). */
  properties?: Record<string, unknown>;
}

/** A gas of a thermal (LWIR) detection, as its `properties.gases` lists it (best first). */
export interface DetectionGas {
  name: string;
  cas: string;
  confidence: number;
  /** Mean column over the plume, ppm·m. */
  columnPpmM: number;
}

/** A signature profile scored on the site (the server's profile file), best first. */
export interface SiteProfileScore {
  name: string;
  score: number;
  sourceKind?: string;
}

/** GET /api/sites/:id: the site as a GeoJSON Feature, with coverage, detections, its referral and the caller's actions. */
export interface SiteDetail {
  type: 'Feature';
  id: string;
  geometry: Point;
  properties: SiteProperties;
  coverage: { overflights: number; detectedFlights: number; persistence: number | null; persistenceCi90: number[] };
  /** core/fusion/priority.ts: 0.45·rate + 0.30·persistence + 0.25·reports, each term 0..1. */
  priority: { score: number; terms: { rate: number; persistence: number; reports: number } };
  /** Evidence from other sources joined to the site (empty for partners). */
  reports: { id: string; observedAt: string; credibility: number; source: string; text: string }[];
  referral: { id: string; status: string; organizationId: string } | null;
  actions: WorkflowActionKind[];
  detections: DetectionView[];
  /** Signature profiles with a score > 0 on the site's detections, best first. */
  profiles: SiteProfileScore[];
  /** True when those profiles are the shipped examples: examples, not truth. */
  profilesAreExamples: boolean;
}

/** GET /api/sites/:id/reviews: a site's reviews as the store keeps them (without the site id). */
export type Review = Omit<StoreReview, 'siteId'> & { reviewerName: string };

export type Deadline = DeadlineState;

/** GET /api/referrals: the store's referral, its authority's name, its deadlines now, and its site in brief. */
export interface Referral extends Omit<StoreReferral, 'urgency'> {
  organizationName: string;
  /** The urgency as the API serializes it (the response schema leaves the score's terms out). */
  urgency: Pick<
    Urgency,
    'level' | 'score' | 'scoreRange' | 'acknowledgeWithinH' | 'actWithinH' | 'populationData' | 'notes'
  > | null;
  deadlines: Deadline[];
  overdue: boolean;
  site: Pick<SiteProperties, 'id' | 'name' | 'gases' | 'status' | 'rateKgPerHour' | 'rateSigmaKgPerHour'> & {
    lat: number;
    lon: number;
  };
}

export type ReferralEvent = Omit<StoreReferralEvent, 'referralId'> & { byName: string };

export type Evidence = Omit<StoreEvidence, 'referralId'> & { uploadedByName: string };

export interface ReferralDetail extends Referral {
  events: ReferralEvent[];
  evidence: Evidence[];
  actions: WorkflowActionKind[];
}

export interface Organization {
  id: string;
  name: string;
  kind: 'analyst' | 'partner';
  jurisdictions: string[];
}

/** POST answers of the workflow routes. */
export interface WorkflowResult {
  siteId: string;
  status: string;
  auditEventId: string;
  referralId: string | null;
  evidenceId?: string;
}

/** The files of a referral package, as /api/referrals/:id/package/:format serves them. */
export const PACKAGE_FORMATS = ['pdf', 'kml', 'kmz', 'cot', 'csv', 'geojson'] as const;

const seg = encodeURIComponent;

export function fetchSite(id: string): Promise<SiteDetail> {
  return getJson<SiteDetail>(`/api/sites/${seg(id)}`);
}

export function fetchReviews(siteId: string): Promise<Review[]> {
  return getJson<Review[]>(`/api/sites/${seg(siteId)}/reviews`);
}

export function fetchReferrals(): Promise<Referral[]> {
  return getJson<Referral[]>('/api/referrals');
}

export function fetchReferral(id: string): Promise<ReferralDetail> {
  return getJson<ReferralDetail>(`/api/referrals/${seg(id)}`);
}

export function fetchOrganizations(): Promise<Organization[]> {
  return getJson<Organization[]>('/api/organizations');
}

export function packageUrl(referralId: string, format: (typeof PACKAGE_FORMATS)[number]): string {
  return `/api/referrals/${seg(referralId)}/package/${format}`;
}

export function evidenceUrl(referralId: string, evidenceId: string): string {
  return `/api/referrals/${seg(referralId)}/evidence/${seg(evidenceId)}`;
}

/** POSTs a workflow action's body to `path` and answers with what it changed. */
export async function postAction(path: string, body: Record<string, unknown>): Promise<WorkflowResult> {
  return (await (await apiFetch(path, { method: 'POST', body })).json()) as WorkflowResult;
}

export function sitePath(siteId: string, rest: 'reviews' | 'referral' | 'verify'): string {
  return `/api/sites/${seg(siteId)}/${rest}`;
}

export function referralPath(
  referralId: string,
  rest: 'acknowledge' | 'inspect' | 'outcome' | 'comments' | 'evidence',
): string {
  return `/api/referrals/${seg(referralId)}/${rest}`;
}
