/**
 * The REST API as the map app sees it. The page talks to the server over HTTP only; these types
 * mirror the JSON the server's route schemas promise.
 */
import type { FeatureCollection, LineString, Point } from 'geojson';

// The shapes the server answers with (type-only: erased from the bundle; the page still talks to
// the server over HTTP only).
import type { FlightProperties, SiteProperties } from '../../src/server/app.ts';

export type { FlightProperties, SiteProperties };

export type SitesCollection = FeatureCollection<Point, SiteProperties>;
export type FlightsCollection = FeatureCollection<LineString, FlightProperties>;

/** An error answered by the API ({code, message, detail}). */
export class ApiError extends Error {
  readonly code: string;
  readonly status: number;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
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
  return new ApiError(response.status, code, `${path}: ${message}`);
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
