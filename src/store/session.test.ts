/**
 * Sessions and credentials in the SQLite store: tokens stored only as SHA-256, expiry, revocation,
 * their audit events, and the user's organization kind.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { verifyAuditChain } from './audit.ts';
import { openStore } from './index.ts';
import type { SqliteStore } from './sqlite-store.ts';
import type { Organization, Store, User } from './types.ts';

let tmp: string;
let store: Store;
let org: Organization;
let user: User;

beforeEach(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'plumetrace-session-'));
  store = await openStore(join(tmp, 'session.sqlite'));
  org = await store.createOrganization({ name: 'Police', kind: 'partner' });
  user = await store.createUser({
    organizationId: org.id,
    email: 'Liaison@Police.example',
    displayName: 'Lia',
    role: 'partner',
    passwordHash: 'scrypt$hash',
  });
});

afterEach(async () => {
  await store.close();
  rmSync(tmp, { recursive: true, force: true });
});

describe('sessions', () => {
  it('creates a session stored only as its SHA-256, found with the user and their organization kind', async () => {
    const before = Date.now();
    const s = await store.createSession(user.id);
    expect(s.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(s.token, 'base64url')).toHaveLength(32);
    expect(s.csrfToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(s.csrfToken).not.toBe(s.token);
    // Default lifetime: 12 hours.
    expect(Date.parse(s.expiresAt) - before).toBeGreaterThanOrEqual(12 * 3600 * 1000 - 1000);
    expect(Date.parse(s.expiresAt) - before).toBeLessThanOrEqual(12 * 3600 * 1000 + 1000);

    expect(await store.findSession(s.token)).toEqual({
      user: { ...user, organizationKind: 'partner' },
      csrfToken: s.csrfToken,
      expiresAt: s.expiresAt,
    });
    expect(await store.findSession(`${s.token}x`)).toBeNull();
    expect(await store.findSession('')).toBeNull();

    const rows = await (store as SqliteStore).db.selectFrom('session').selectAll().execute();
    expect(rows).toHaveLength(1);
    expect(rows[0].token_sha256).toBe(createHash('sha256').update(s.token).digest('hex'));
    expect(JSON.stringify(rows)).not.toContain(s.token);
    expect(rows[0]).toMatchObject({ user_id: user.id, revoked_at: null });

    const log = await store.listAudit();
    expect(log.map((e) => [e.action, e.actorUserId, e.payload])).toEqual([
      ['session.created', user.id, { expiresAt: s.expiresAt }],
    ]);
    expect(JSON.stringify(log)).not.toContain(s.token);
  });

  it('two sessions are independent; revoking one leaves the other, and is audited once', async () => {
    const a = await store.createSession(user.id);
    const b = await store.createSession(user.id);
    expect(a.token).not.toBe(b.token);
    expect(await store.revokeSession(a.token)).toBe(true);
    expect(await store.findSession(a.token)).toBeNull();
    expect((await store.findSession(b.token))?.user.id).toBe(user.id);
    expect(await store.revokeSession(a.token)).toBe(false);
    expect(await store.revokeSession('unknown')).toBe(false);
    const log = await store.listAudit();
    expect(log.map((e) => e.action)).toEqual(['session.created', 'session.created', 'session.revoked']);
    expect(verifyAuditChain(log)).toEqual({ ok: true, count: 3 });
  });

  it('an expired session opens nothing', async () => {
    const s = await store.createSession(user.id, { ttlS: 0.005 });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await store.findSession(s.token)).toBeNull();
    expect(await store.revokeSession(s.token)).toBe(false);
  });

  it('refuses a session for an unknown user or with a lifetime that is not positive', async () => {
    await expect(store.createSession('no-such-user')).rejects.toMatchObject({ code: 'PT_ERR_NOT_FOUND' });
    await expect(store.createSession(user.id, { ttlS: 0 })).rejects.toMatchObject({ code: 'PT_ERR_BAD_REQUEST' });
    await expect(store.createSession(user.id, { ttlS: Number.NaN })).rejects.toMatchObject({
      code: 'PT_ERR_BAD_REQUEST',
    });
    expect(await store.listAudit()).toEqual([]);
  });
});

describe('credentials and organizations', () => {
  it('finds a user by email (trimmed, any case) with the password hash and organization kind', async () => {
    expect(await store.findUserCredentials('  LIAISON@police.EXAMPLE ')).toEqual({
      user: { ...user, organizationKind: 'partner' },
      passwordHash: 'scrypt$hash',
    });
    expect(await store.findUserCredentials('nobody@police.example')).toBeNull();
  });

  it('gets an organization by id', async () => {
    expect(await store.getOrganization(org.id)).toEqual(org);
    expect(await store.getOrganization('nope')).toBeNull();
  });
});
