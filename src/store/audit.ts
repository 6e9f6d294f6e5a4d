/**
 * The hash chain of the audit log. Each event's hash is the SHA-256 (hex) of a canonical JSON
 * (keys sorted, recursively) of its content and the previous event's hash; the first event links
 * to 64 zeros. Changing, deleting or reordering any event breaks the chain from there on.
 *
 * The chain alone cannot reveal that the newest events were cut off the end: for that, compare
 * the head (last seq and hash) with a copy kept elsewhere.
 */
import { createHash } from 'node:crypto';
import type { AuditEvent } from './types.ts';

export const GENESIS_HASH = '0'.repeat(64);

/** JSON with object keys sorted at every level; values normalized as JSON.stringify does. */
export function canonicalJson(value: unknown): string {
  return canonical(JSON.parse(JSON.stringify(value) ?? 'null'));
}

function canonical(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  const o = v as Record<string, unknown>;
  const members = Object.keys(o)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`);
  return `{${members.join(',')}}`;
}

/** The hash an event must carry: over exactly the fields below, whatever else the object holds. */
export function auditEventHash(e: Omit<AuditEvent, 'hash'>): string {
  const content = {
    seq: e.seq,
    id: e.id,
    occurredAt: e.occurredAt,
    actorUserId: e.actorUserId,
    action: e.action,
    entityType: e.entityType,
    entityId: e.entityId,
    payload: e.payload,
    prevHash: e.prevHash,
  };
  return createHash('sha256').update(canonicalJson(content)).digest('hex');
}

export type AuditChainVerdict =
  | { ok: true; count: number }
  | { ok: false; seq: number; id: string; problem: 'hash-mismatch' | 'broken-link' | 'sequence-gap' };

/**
 * Checks a whole log, in the order given (seq 1 first). Names the first event that is wrong:
 * its own content does not match its hash (changed), its seq is not the previous one + 1
 * (an event before it was deleted, or events were reordered), or it does not link to the
 * previous event's hash.
 */
export function verifyAuditChain(events: AuditEvent[]): AuditChainVerdict {
  let prevHash = GENESIS_HASH;
  let expectedSeq = 1;
  for (const e of events) {
    const bad = (problem: 'hash-mismatch' | 'broken-link' | 'sequence-gap') =>
      ({ ok: false, seq: e.seq, id: e.id, problem }) as const;
    if (auditEventHash(e) !== e.hash) return bad('hash-mismatch');
    if (e.seq !== expectedSeq) return bad('sequence-gap');
    if (e.prevHash !== prevHash) return bad('broken-link');
    prevHash = e.hash;
    expectedSeq = e.seq + 1;
  }
  return { ok: true, count: events.length };
}
