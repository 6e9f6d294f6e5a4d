/**
 * Association of a new detection with existing sites (first piece: nearest site of the same gas
 * within a radius that grows with the detection's location uncertainty). Issue 4 replaces this
 * with uncertainty-aware fusion; the contract — a detection in, a site id or "new" out — stays.
 */
import { distanceM } from '../geo/local-frame.ts';

export interface SiteCandidate {
  id: string;
  lat: number;
  lon: number;
  gases: readonly string[];
}

export interface DetectionPoint {
  lat: number;
  lon: number;
  gas: string;
  /** 1-sigma horizontal location uncertainty (m), when known. */
  locationSigmaM?: number;
}

/** Base association radius (m): two drone surveys of one source agree to within this. */
export const BASE_ASSOCIATION_RADIUS_M = 50;

export function associateDetection(
  det: DetectionPoint,
  sites: readonly SiteCandidate[],
): { siteId: string; distanceM: number } | null {
  const radius = Math.max(BASE_ASSOCIATION_RADIUS_M, 3 * (det.locationSigmaM ?? 0));
  let best: { siteId: string; distanceM: number } | null = null;
  for (const s of sites) {
    if (!s.gases.includes(det.gas)) continue;
    const d = distanceM(det.lat, det.lon, s.lat, s.lon);
    if (d <= radius && (best === null || d < best.distanceM)) best = { siteId: s.id, distanceM: d };
  }
  return best;
}
