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

async function getJson<T>(path: string): Promise<T> {
  const response = await fetch(apiUrl(path), { headers: { accept: 'application/json' } });
  if (!response.ok) {
    let code = `HTTP_${response.status}`;
    let message = response.statusText;
    try {
      const body = (await response.json()) as { code?: string; message?: string; detail?: string };
      code = body.code ?? code;
      message = [body.message, body.detail].filter(Boolean).join(': ') || message;
    } catch {
      // not a JSON error body; keep the status line
    }
    throw new ApiError(response.status, code, `${path}: ${message}`);
  }
  return (await response.json()) as T;
}

export function fetchSites(): Promise<SitesCollection> {
  return getJson<SitesCollection>('/api/sites');
}

export function fetchFlights(): Promise<FlightsCollection> {
  return getJson<FlightsCollection>('/api/flights');
}

export const BASEMAP_PATH = '/api/basemap';
