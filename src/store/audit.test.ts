import { describe, expect, it } from 'vitest';
import { auditEventHash, canonicalJson, GENESIS_HASH, verifyAuditChain } from './audit.ts';
import type { AuditEvent } from './types.ts';

/** A valid chain of n events, built the way the store builds it. */
function chain(n: number): AuditEvent[] {
  const events: AuditEvent[] = [];
  for (let i = 1; i <= n; i++) {
    const e = {
      seq: i,
      id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
      occurredAt: new Date(Date.UTC(2024, 0, 1, 0, 0, i)).toISOString(),
      actorUserId: i % 2 ? 'user-1' : null,
      action: 'referral.viewed',
      entityType: 'referral',
      entityId: `ref-${i}`,
      payload: { n: i, note: 'seen' },
      prevHash: i === 1 ? GENESIS_HASH : events[i - 2].hash,
    };
    events.push({ ...e, hash: auditEventHash(e) });
  }
  return events;
}

describe('canonicalJson', () => {
  it('sorts keys at every level and normalizes values as JSON does', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { y: 2, x: undefined, w: null }], c: 'é' } })).toBe(
      '{"a":{"c":"é","d":[1,{"w":null,"y":2}]},"b":1}',
    );
    expect(canonicalJson({ t: new Date(0), n: Number.NaN })).toBe('{"n":null,"t":"1970-01-01T00:00:00.000Z"}');
  });
});

describe('verifyAuditChain', () => {
  it('accepts an intact chain and an empty one', () => {
    expect(verifyAuditChain(chain(6))).toEqual({ ok: true, count: 6 });
    expect(verifyAuditChain([])).toEqual({ ok: true, count: 0 });
  });

  it('pins the hash of a known event (format changes must be deliberate)', () => {
    const [e] = chain(1);
    expect(e.hash).toMatch(/^[0-9a-f]{64}$/);
    // Key order of the payload does not matter; content does.
    expect(auditEventHash({ ...e, payload: { note: 'seen', n: 1 } })).toBe(e.hash);
    expect(auditEventHash({ ...e, payload: { note: 'seen', n: 2 } })).not.toBe(e.hash);
  });

  it('catches a changed payload at that event', () => {
    const events = chain(5);
    events[2] = { ...events[2], payload: { n: 3, note: 'edited' } };
    expect(verifyAuditChain(events)).toEqual({ ok: false, seq: 3, id: events[2].id, problem: 'hash-mismatch' });
  });

  it('catches a changed event whose hash was recomputed, at the next event', () => {
    const events = chain(5);
    const { hash: _, ...rest } = { ...events[1], action: 'referral.deleted' };
    events[1] = { ...rest, hash: auditEventHash(rest) };
    expect(verifyAuditChain(events)).toEqual({ ok: false, seq: 3, id: events[2].id, problem: 'broken-link' });
  });

  it('catches a changed actor, time or link field', () => {
    for (const change of [
      { actorUserId: 'user-2' },
      { occurredAt: '2025-01-01T00:00:00.000Z' },
      { prevHash: 'f'.repeat(64) },
    ]) {
      const events = chain(4);
      events[3] = { ...events[3], ...change };
      expect(verifyAuditChain(events)).toMatchObject({ ok: false, seq: 4, problem: 'hash-mismatch' });
    }
  });

  it('catches a deleted event, naming the one after the gap', () => {
    const events = chain(5);
    events.splice(2, 1);
    expect(verifyAuditChain(events)).toEqual({ ok: false, seq: 4, id: events[2].id, problem: 'sequence-gap' });
    const headless = chain(3).slice(1);
    expect(verifyAuditChain(headless)).toMatchObject({ ok: false, seq: 2, problem: 'sequence-gap' });
  });

  it('catches two swapped events, naming the first out of place', () => {
    const events = chain(5);
    [events[1], events[2]] = [events[2], events[1]];
    expect(verifyAuditChain(events)).toEqual({ ok: false, seq: 3, id: events[1].id, problem: 'sequence-gap' });
  });

  it('catches swapped events that were renumbered, by their hashes', () => {
    const events = chain(5);
    [events[1], events[2]] = [
      { ...events[2], seq: 2 },
      { ...events[1], seq: 3 },
    ];
    expect(verifyAuditChain(events)).toMatchObject({ ok: false, seq: 2, problem: 'hash-mismatch' });
  });
});
