import { describe, expect, it } from 'vitest';
import { associateReport, persistenceEstimate, PRIORITY_WEIGHTS, priority } from './priority.ts';

describe('persistence', () => {
  it('has the Beta posterior quantiles of closed forms', () => {
    // No overflight: Beta(1, 1) is uniform.
    const none = persistenceEstimate(0, 0);
    expect(none.observed).toBeNull();
    expect(none.posteriorMean).toBe(0.5);
    expect(none.ci90[0]).toBeCloseTo(0.05, 9);
    expect(none.ci90[1]).toBeCloseTo(0.95, 9);
    // One in one: Beta(2, 1), CDF x².
    const one = persistenceEstimate(1, 1);
    expect(one.observed).toBe(1);
    expect(one.posteriorMean).toBeCloseTo(2 / 3, 12);
    expect(one.ci90[0]).toBeCloseTo(Math.sqrt(0.05), 9);
    expect(one.ci90[1]).toBeCloseTo(Math.sqrt(0.95), 9);
    // Two in three: Beta(3, 2), CDF 4x³ − 3x⁴.
    const two = persistenceEstimate(2, 3);
    const cdf = (x: number) => 4 * x ** 3 - 3 * x ** 4;
    expect(cdf(two.ci90[0])).toBeCloseTo(0.05, 9);
    expect(cdf(two.ci90[1])).toBeCloseTo(0.95, 9);
  });

  it('is less sure of one sighting in one overflight than of ten in ten', () => {
    const a = persistenceEstimate(1, 1);
    const b = persistenceEstimate(10, 10);
    expect(a.observed).toBe(b.observed);
    expect(a.posteriorMean).toBeLessThan(b.posteriorMean);
    expect(a.ci90[0]).toBeLessThan(b.ci90[0]);
  });

  it('refuses impossible counts', () => {
    expect(() => persistenceEstimate(3, 2)).toThrow(/0 ≤ detections ≤ overflights/);
    expect(() => persistenceEstimate(-1, 2)).toThrow();
    expect(() => persistenceEstimate(0.5, 2)).toThrow();
  });
});

describe('priority', () => {
  it('adds the weighted terms: rate on a log scale, persistence posterior, reports as a noisy OR', () => {
    const p = priority({
      rateKgPerHour: 10,
      detectedFlights: 2,
      overflights: 3,
      reports: [{ credibility: 0.5 }, { credibility: 0.5 }],
    });
    expect(p.terms.rate).toBeCloseTo(2 / 3, 12);
    expect(p.terms.persistence).toBeCloseTo(3 / 5, 12);
    expect(p.terms.reports).toBeCloseTo(0.75, 12);
    expect(p.score).toBeCloseTo(
      PRIORITY_WEIGHTS.rate * (2 / 3) + PRIORITY_WEIGHTS.persistence * 0.6 + PRIORITY_WEIGHTS.reports * 0.75,
      12,
    );
  });

  it('never falls when the rate, a detection or a report is added', () => {
    const base = { rateKgPerHour: 5, detectedFlights: 1, overflights: 4, reports: [] };
    const s = priority(base).score;
    expect(priority({ ...base, rateKgPerHour: 50 }).score).toBeGreaterThan(s);
    expect(priority({ ...base, detectedFlights: 2 }).score).toBeGreaterThan(s);
    expect(priority({ ...base, reports: [{ credibility: 0.2 }] }).score).toBeGreaterThan(s);
    expect(priority({ ...base, rateKgPerHour: null }).terms.rate).toBe(0);
  });

  it('refuses a credibility outside [0, 1] and a negative rate', () => {
    expect(() =>
      priority({ rateKgPerHour: 1, detectedFlights: 0, overflights: 0, reports: [{ credibility: 1.5 }] }),
    ).toThrow(/credibility/);
    expect(() => priority({ rateKgPerHour: -1, detectedFlights: 0, overflights: 0, reports: [] })).toThrow(
      /rateKgPerHour/,
    );
  });
});

describe('associateReport', () => {
  const sites = [
    { id: 'near', lat: 51.15, lon: -1.44 },
    { id: 'far', lat: 51.16, lon: -1.44 },
  ];
  it('joins the nearest site within 2σ of the combined uncertainty, at least 50 m', () => {
    // ~111 m north of "near".
    const r = { lat: 51.151, lon: -1.44 };
    expect(associateReport({ ...r, uncertaintyM: 10 }, sites)).toBeNull();
    expect(associateReport({ ...r, uncertaintyM: 60 }, sites)?.siteId).toBe('near');
    expect(associateReport({ ...r, uncertaintyM: 10 }, [{ ...sites[0]!, locationSigmaM: 60 }])?.siteId).toBe('near');
    expect(associateReport({ lat: 51.15, lon: -1.44, uncertaintyM: 0 }, sites)).toEqual({
      siteId: 'near',
      distanceM: 0,
    });
  });
});
