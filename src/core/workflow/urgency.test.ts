import { describe, expect, it } from 'vitest';
import { PlumetraceError } from '../errors.ts';
import { Rng } from '../random.ts';
import { DEADLINES, overdue, peopleWeight, type UrgencyInput, urgency } from './urgency.ts';

const base: UrgencyInput = { rateKgPerHour: 1, rateSigmaKgPerHour: 0.3, persistence: 0.5 };

describe('urgency', () => {
  it('scores by the documented rule (hand-computed reference values)', () => {
    // rate 1 kg/h: log10(10)/3 = 1/3 → 0.45/3 = 0.15; persistence 0.5 → 0.125; no people → 0.
    const u = urgency(base);
    expect(u.score).toBeCloseTo(0.275, 12);
    expect(u.level).toBe('routine');
    expect(u).toMatchObject(DEADLINES.routine);
    // 100 kg/h, persistence 1, 1000 people within 100 m: every term saturates → 1.
    const top = urgency({
      rateKgPerHour: 100,
      rateSigmaKgPerHour: 10,
      persistence: 1,
      peopleWithinM: [{ distanceM: 50, people: 1000 }],
    });
    expect(top.score).toBeCloseTo(1, 12);
    expect(top.level).toBe('urgent');
    expect(top).toMatchObject({ acknowledgeWithinH: 4, actWithinH: 48 });
    // 10 kg/h (2/3 → 0.3), persistence 0.4 (0.1): 0.4 → priority.
    expect(urgency({ rateKgPerHour: 10, rateSigmaKgPerHour: 1, persistence: 0.4 })).toMatchObject({
      level: 'priority',
    });
    expect(urgency({ rateKgPerHour: 10, rateSigmaKgPerHour: 1, persistence: 0.4 }).score).toBeCloseTo(0.4, 12);
  });

  it('says when no population data is loaded, and not when it is (even if empty)', () => {
    const none = urgency(base);
    expect(none.populationData).toBe('not-loaded');
    expect(none.exposedPeople).toBeNull();
    expect(none.notes.join(' ')).toMatch(/No population or building data/);
    const empty = urgency({ ...base, peopleWithinM: [] });
    expect(empty.populationData).toBe('loaded');
    expect(empty.exposedPeople).toBe(0);
    expect(empty.notes.join(' ')).not.toMatch(/No population/);
  });

  it('people within 100 m make a site at least priority', () => {
    const u = urgency({ ...base, peopleWithinM: [{ distanceM: 30, people: 1 }] });
    expect(u.level).toBe('priority');
    expect(urgency({ ...base, peopleWithinM: [{ distanceM: 1500, people: 1 }] }).level).toBe('routine');
  });

  it('distance weight falls with distance and is 0 beyond 2 km', () => {
    expect(peopleWeight(0)).toBe(1);
    expect(peopleWeight(100)).toBe(1);
    expect(peopleWeight(200)).toBeCloseTo(0.25, 12);
    expect(peopleWeight(2001)).toBe(0);
  });

  it('is monotone: more rate, persistence or people (or people closer) never lowers score or level', () => {
    const rng = new Rng(7);
    const rank = { routine: 0, priority: 1, urgent: 2 } as const;
    for (let i = 0; i < 3000; i++) {
      const a: UrgencyInput = {
        rateKgPerHour: 10 ** (rng.uniform() * 4 - 2),
        rateSigmaKgPerHour: rng.uniform() * 5,
        persistence: rng.uniform(),
        peopleWithinM: [{ distanceM: rng.uniform() * 3000, people: Math.floor(rng.uniform() * 500) }],
      };
      const p = a.peopleWithinM![0]!;
      const variants: UrgencyInput[] = [
        { ...a, rateKgPerHour: a.rateKgPerHour * (1 + rng.uniform() * 3) },
        { ...a, persistence: Math.min(1, a.persistence + rng.uniform() * 0.5) },
        { ...a, peopleWithinM: [{ ...p, people: p.people + 1 + rng.int(100) }] },
        { ...a, peopleWithinM: [{ ...p, distanceM: p.distanceM * rng.uniform() }] },
        { ...a, peopleWithinM: [p, { distanceM: rng.uniform() * 3000, people: 1 + rng.int(50) }] },
      ];
      const ua = urgency(a);
      for (const b of variants) {
        const ub = urgency(b);
        expect(ub.score).toBeGreaterThanOrEqual(ua.score - 1e-12);
        expect(rank[ub.level]).toBeGreaterThanOrEqual(rank[ua.level]);
        expect(ub.acknowledgeWithinH).toBeLessThanOrEqual(ua.acknowledgeWithinH);
      }
      expect(ua.scoreRange[0]).toBeLessThanOrEqual(ua.score);
      expect(ua.scoreRange[1]).toBeGreaterThanOrEqual(ua.score);
    }
  });

  it('rejects bad inputs with 400 naming the field', () => {
    for (const bad of [
      { ...base, rateKgPerHour: -1 },
      { ...base, rateSigmaKgPerHour: Number.NaN },
      { ...base, persistence: 1.2 },
      { ...base, peopleWithinM: [{ distanceM: -5, people: 3 }] },
    ]) {
      expect(() => urgency(bad)).toThrow(PlumetraceError);
    }
    expect(() => urgency({ ...base, persistence: 2 })).toThrow(/persistence/);
  });
});

describe('overdue', () => {
  const d = { acknowledgeWithinH: 24, actWithinH: 168 };
  const referredAt = '2026-03-01T00:00:00Z';

  it('open and past due: missed by the hours since due, flagged', () => {
    const r = overdue({ status: 'referred', referredAt }, d, '2026-03-02T06:30:00Z');
    expect(r.deadlines[0]).toEqual({
      kind: 'acknowledge',
      dueAt: '2026-03-02T00:00:00.000Z',
      missed: true,
      overdueByH: 6.5,
    });
    expect(r.deadlines[1]).toMatchObject({
      kind: 'act',
      dueAt: '2026-03-08T00:00:00.000Z',
      missed: false,
      overdueByH: 0,
    });
    expect(r.missed.map((m) => m.kind)).toEqual(['acknowledge']);
    expect(r.flagged).toBe(true);
  });

  it('within deadlines: nothing missed', () => {
    const r = overdue({ status: 'referred', referredAt }, d, '2026-03-01T23:59:59Z');
    expect(r.missed).toEqual([]);
    expect(r.flagged).toBe(false);
  });

  it('met late: missed by how late it was met, measured to the meeting time, not now; not flagged', () => {
    const r = overdue(
      { status: 'inspected', referredAt, acknowledgedAt: '2026-03-03T00:00:00Z', inspectedAt: '2026-03-07T00:00:00Z' },
      d,
      '2026-05-01T00:00:00Z',
    );
    expect(r.deadlines[0]).toMatchObject({ missed: true, overdueByH: 24, metAt: '2026-03-03T00:00:00Z' });
    expect(r.deadlines[1]).toMatchObject({ missed: false, overdueByH: 0, metAt: '2026-03-07T00:00:00Z' });
    expect(r.flagged).toBe(false);
  });

  it('action is met by the inspection or the outcome, whichever came first', () => {
    const r = overdue(
      {
        status: 'closed',
        referredAt,
        acknowledgedAt: '2026-03-01T01:00:00Z',
        inspectedAt: '2026-03-20T00:00:00Z',
        closedAt: '2026-03-09T00:00:00Z',
      },
      d,
      '2026-05-01T00:00:00Z',
    );
    expect(r.deadlines[1]).toMatchObject({ metAt: '2026-03-09T00:00:00Z', missed: true, overdueByH: 24 });
  });

  it('rejects inconsistent or malformed input', () => {
    expect(() => overdue({ status: 'acknowledged', referredAt }, d, referredAt)).toThrow(/acknowledgedAt/);
    expect(() => overdue({ status: 'referred', referredAt: '1 March' }, d, referredAt)).toThrow(/referredAt/);
    expect(() => overdue({ status: 'referred', referredAt }, d, 'now')).toThrow(/now/);
    expect(() =>
      overdue({ status: 'referred', referredAt }, { acknowledgeWithinH: -1, actWithinH: 1 }, referredAt),
    ).toThrow(/acknowledgeWithinH/);
  });
});
