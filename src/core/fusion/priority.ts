/**
 * Fusion of a site's evidence (issue 4, item 1): its persistence over the overflights that covered
 * it, reports from other sources, and the priority score analysts sort by.
 *
 * Persistence with honest uncertainty: with d detections in n covering overflights, the detection
 * probability has a Beta(d + 1, n − d + 1) posterior (uniform prior); the point value reported is
 * d / n (what was seen), the score uses the posterior mean (d + 1) / (n + 2), which does not call a
 * site seen once in one overflight as certain as one seen ten times in ten.
 *
 * Reports (a tip, an inspection, another sensor's alert) carry a location with an uncertainty, a
 * time, a credibility in [0, 1] and text. Their weight combines as a noisy OR: the chance that at
 * least one is right, 1 − Π(1 − credibility_i).
 *
 *   priority = 0.45 · rateTerm + 0.30 · persistenceTerm + 0.25 · reportTerm          (0..1)
 *   rateTerm = clamp01(log10(rate / 0.1 kg/h) / 3)   (as the urgency rule: 0 at 0.1, 1 at 100 kg/h)
 *
 * Pure: no Node APIs, no clock.
 */
import { PlumetraceError } from '../errors.ts';
import { distanceM } from '../geo/local-frame.ts';

export const PRIORITY_WEIGHTS = { rate: 0.45, persistence: 0.3, reports: 0.25 } as const;

export interface PersistenceEstimate {
  detectedFlights: number;
  overflights: number;
  /** d / n, or null with no covering overflight. */
  observed: number | null;
  /** Posterior mean (d + 1) / (n + 2) under a uniform prior. */
  posteriorMean: number;
  /** Central 90% interval of the Beta posterior. */
  ci90: [number, number];
}

/** Regularized incomplete beta I_x(a, b) for integer a, b ≥ 1 (binomial tail sum; exact). */
function betaCdfInt(x: number, a: number, b: number): number {
  // I_x(a, b) = P(Binomial(a + b − 1, x) ≥ a)
  const n = a + b - 1;
  let p = 0;
  let term = (1 - x) ** n; // k = 0
  for (let k = 0; k <= n; k++) {
    if (k >= a) p += term;
    term *= ((n - k) / (k + 1)) * (x / (1 - x || Number.MIN_VALUE));
  }
  return Math.min(1, Math.max(0, p));
}

function betaQuantileInt(q: number, a: number, b: number): number {
  let lo = 0;
  let hi = 1;
  for (let i = 0; i < 60; i++) {
    const mid = (lo + hi) / 2;
    if (betaCdfInt(mid, a, b) < q) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

export function persistenceEstimate(detectedFlights: number, overflights: number): PersistenceEstimate {
  if (
    !Number.isInteger(detectedFlights) ||
    !Number.isInteger(overflights) ||
    detectedFlights < 0 ||
    detectedFlights > overflights
  )
    throw new PlumetraceError(
      'PT_ERR_BAD_REQUEST',
      `persistence needs 0 ≤ detections ≤ overflights (integers), got ${detectedFlights} / ${overflights}`,
    );
  const a = detectedFlights + 1;
  const b = overflights - detectedFlights + 1;
  return {
    detectedFlights,
    overflights,
    observed: overflights > 0 ? detectedFlights / overflights : null,
    posteriorMean: a / (a + b),
    ci90: [betaQuantileInt(0.05, a, b), betaQuantileInt(0.95, a, b)],
  };
}

export interface SiteReportInput {
  credibility: number;
}

export interface PriorityInput {
  rateKgPerHour: number | null;
  detectedFlights: number;
  overflights: number;
  reports: readonly SiteReportInput[];
}

export interface Priority {
  score: number;
  terms: { rate: number; persistence: number; reports: number };
  persistence: PersistenceEstimate;
}

const clamp01 = (v: number) => Math.min(1, Math.max(0, v));

export function priority(input: PriorityInput): Priority {
  const persistence = persistenceEstimate(input.detectedFlights, input.overflights);
  const rate = input.rateKgPerHour;
  if (rate !== null && (!Number.isFinite(rate) || rate < 0))
    throw new PlumetraceError('PT_ERR_BAD_REQUEST', `rateKgPerHour must be a finite number ≥ 0, got ${rate}`);
  let none = 1;
  for (const r of input.reports) {
    if (!Number.isFinite(r.credibility) || r.credibility < 0 || r.credibility > 1)
      throw new PlumetraceError('PT_ERR_BAD_REQUEST', `report credibility must lie in [0, 1], got ${r.credibility}`);
    none *= 1 - r.credibility;
  }
  const terms = {
    rate: rate === null || rate <= 0 ? 0 : clamp01(Math.log10(rate / 0.1) / 3),
    persistence: persistence.posteriorMean,
    reports: 1 - none,
  };
  const score =
    PRIORITY_WEIGHTS.rate * terms.rate +
    PRIORITY_WEIGHTS.persistence * terms.persistence +
    PRIORITY_WEIGHTS.reports * terms.reports;
  return { score, terms, persistence };
}

/** Smallest radius (m) within which a report joins a site: the sites' own placement scatter. */
export const REPORT_BASE_RADIUS_M = 50;

/**
 * The site a report belongs to: the nearest whose distance is within 2σ of the report's and the
 * site's combined location uncertainty (never below REPORT_BASE_RADIUS_M); null when none is.
 */
export function associateReport(
  report: { lat: number; lon: number; uncertaintyM: number },
  sites: readonly { id: string; lat: number; lon: number; locationSigmaM?: number }[],
): { siteId: string; distanceM: number } | null {
  let best: { siteId: string; distanceM: number } | null = null;
  for (const s of sites) {
    const d = distanceM(report.lat, report.lon, s.lat, s.lon);
    const radius = Math.max(REPORT_BASE_RADIUS_M, 2 * Math.hypot(report.uncertaintyM, s.locationSigmaM ?? 0));
    if (d <= radius && (best === null || d < best.distanceM)) best = { siteId: s.id, distanceM: d };
  }
  return best;
}
