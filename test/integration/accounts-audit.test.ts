/**
 * Accounts and the audit log through the real `plumetrace` command: org add / user add / token
 * create write what they say (and audit it, never the secret), refuse bad input with registered
 * exit codes, and `audit verify` catches a changed, a deleted and a reordered event — tampered
 * with directly in the SQLite file, triggers dropped first, as an attacker with file access could.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../src/core/errors.ts';
import { verifyPassword } from '../../src/server/auth/password.ts';
import { openStore } from '../../src/store/index.ts';

const root = new URL('../..', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'plumetrace-accounts-'));

function cli(db: string, args: string[], input?: string): { status: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [join(root, 'bin/plumetrace.js'), ...args], {
    cwd: dir,
    encoding: 'utf8',
    input: input ?? '',
    env: { ...process.env, PLUMETRACE_DB: db, PLUMETRACE_NO_PROGRESS: '1' },
  });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

async function withStoreAt<T>(db: string, fn: (s: Awaited<ReturnType<typeof openStore>>) => Promise<T>): Promise<T> {
  const s = await openStore(db);
  try {
    return await fn(s);
  } finally {
    await s.close();
  }
}

describe('plumetrace audit verify', () => {
  const demoDb = join(dir, 'demo.sqlite');
  let n = 0;
  beforeAll(() => {
    const r = cli(demoDb, ['demo', '--out', join(dir, 'demo')]);
    expect(r.status).toBe(0);
  }, 120_000);

  /** A fresh copy of the demo db with the append-only triggers dropped, tampered with by `fn`. */
  function tampered(fn: (db: Database.Database) => void): string {
    const copy = join(dir, `tampered-${++n}.sqlite`);
    copyFileSync(demoDb, copy);
    const db = new Database(copy);
    db.exec('drop trigger audit_event_no_update; drop trigger audit_event_no_delete;');
    fn(db);
    db.close();
    return copy;
  }
  type Row = { seq: number; id: string; payload: string; hash: string };
  const rows = (db: Database.Database): Row[] => db.prepare('select * from audit_event order by seq').all() as Row[];

  it('exits 0 on the demo database and counts its events', async () => {
    const count = await withStoreAt(demoDb, async (s) => (await s.listAudit()).length);
    expect(count).toBeGreaterThanOrEqual(4);
    const r = cli(demoDb, ['audit', 'verify', '--db', demoDb]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe(`audit chain intact: ${count} events`);
  });

  it('names a changed event', () => {
    let target: Row | undefined;
    const db = tampered((d) => {
      target = rows(d)[2];
      const p = JSON.parse(target.payload);
      p.rateKgPerHour = 0.001;
      d.prepare('update audit_event set payload = ? where seq = ?').run(JSON.stringify(p), target.seq);
    });
    const r = cli(db, ['audit', 'verify', '--db', db]);
    expect(r.status).toBe(ERROR_CODES.PT_ERR_AUDIT_BROKEN.exitCode);
    expect(r.stderr).toContain('PT_ERR_AUDIT_BROKEN');
    expect(r.stderr).toContain(`seq ${target?.seq}, id ${target?.id}, problem hash-mismatch`);
  });

  it('names the event after a deleted one', () => {
    let next: Row | undefined;
    const db = tampered((d) => {
      const all = rows(d);
      next = all[2];
      d.prepare('delete from audit_event where seq = ?').run(all[1].seq);
    });
    const r = cli(db, ['audit', 'verify', '--db', db]);
    expect(r.status).toBe(ERROR_CODES.PT_ERR_AUDIT_BROKEN.exitCode);
    expect(r.stderr).toContain(`seq ${next?.seq}, id ${next?.id}, problem sequence-gap`);
  });

  it('names the first of two events whose contents were swapped', () => {
    let movedIn: Row | undefined;
    let at = 0;
    const db = tampered((d) => {
      const all = rows(d);
      const [a, b] = [all[1], all[3]];
      at = a.seq;
      movedIn = b;
      const { seq: _sa, ...ca } = a;
      const { seq: _sb, ...cb } = b;
      const cols = Object.keys(ca);
      d.transaction(() => {
        d.prepare('delete from audit_event where seq in (?, ?)').run(a.seq, b.seq);
        const ins = d.prepare(
          `insert into audit_event (seq, ${cols.join(', ')}) values (?, ${cols.map(() => '?').join(', ')})`,
        );
        ins.run(a.seq, ...cols.map((c) => (cb as Record<string, unknown>)[c]));
        ins.run(b.seq, ...cols.map((c) => (ca as Record<string, unknown>)[c]));
      })();
    });
    const r = cli(db, ['audit', 'verify', '--db', db]);
    expect(r.status).toBe(ERROR_CODES.PT_ERR_AUDIT_BROKEN.exitCode);
    expect(r.stderr).toContain(`seq ${at}, id ${movedIn?.id}, problem`);
  });
});

describe('plumetrace org add / user add / token create', () => {
  const db = join(dir, 'accounts.sqlite');
  const jurisdiction = join(dir, 'county.geojson');
  const password = 'correct horse battery staple';

  beforeAll(() => {
    writeFileSync(
      jurisdiction,
      JSON.stringify({
        type: 'FeatureCollection',
        features: [
          {
            type: 'Feature',
            properties: { name: 'North' },
            geometry: {
              type: 'Polygon',
              coordinates: [
                [
                  [-1, 51],
                  [0, 51],
                  [0, 52],
                  [-1, 51],
                ],
              ],
            },
          },
          {
            type: 'Feature',
            properties: {},
            geometry: {
              type: 'MultiPolygon',
              coordinates: [
                [
                  [
                    [1, 51],
                    [2, 51],
                    [2, 52],
                    [1, 51],
                  ],
                ],
              ],
            },
          },
        ],
      }),
    );
  });

  it('adds an organization with its jurisdictions, audited', async () => {
    const r = cli(db, ['org', 'add', 'County Police', '--kind', 'partner', '--jurisdiction', jurisdiction]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(cli(db, ['org', 'add', 'Analysts']).status).toBe(0);
    await withStoreAt(db, async (s) => {
      const org = await s.findOrganizationByName('County Police');
      expect(org?.kind).toBe('partner');
      expect((await s.findOrganizationByName('Analysts'))?.kind).toBe('analyst');
      const js = await s.listJurisdictions(org?.id);
      expect(js.map((j) => [j.name, j.geometry.type])).toEqual([
        ['North', 'Polygon'],
        ['county', 'MultiPolygon'],
      ]);
      const log = await s.listAudit();
      expect(log.map((e) => [e.action, e.entityId])).toEqual([
        ['organization.created', org?.id],
        ['organization.created', expect.any(String)],
      ]);
    });
  });

  it('refuses a duplicate organization and a bad jurisdiction file, storing nothing', async () => {
    const dup = cli(db, ['org', 'add', 'County Police']);
    expect(dup.status).toBe(ERROR_CODES.PT_ERR_ALREADY_EXISTS.exitCode);
    const notJson = join(dir, 'broken.geojson');
    writeFileSync(notJson, '{"type": "Polygon", ');
    const point = join(dir, 'point.geojson');
    writeFileSync(
      point,
      JSON.stringify({ type: 'Feature', properties: {}, geometry: { type: 'Point', coordinates: [0, 0] } }),
    );
    for (const f of [notJson, point]) {
      const r = cli(db, ['org', 'add', 'Nowhere', '--jurisdiction', f]);
      expect(r.status).toBe(ERROR_CODES.PT_ERR_GEOJSON_FORMAT.exitCode);
      expect(r.stderr).toContain(f);
      expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    }
    await withStoreAt(db, async (s) => {
      expect(await s.findOrganizationByName('Nowhere')).toBeNull();
      expect(await s.listAudit()).toHaveLength(2);
    });
  });

  it('adds a user with a scrypt hash of the password read from standard input, audited without it', async () => {
    const r = cli(
      db,
      ['user', 'add', 'Liaison@Police.example', '--org', 'County Police', '--role', 'partner'],
      `${password}\nignored\n`,
    );
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    await withStoreAt(db, async (s) => {
      const u = await s.findUserByEmail('liaison@police.example');
      expect(u?.role).toBe('partner');
      const raw = new Database(db, { readonly: true });
      const { password_hash } = raw.prepare('select password_hash from app_user where id = ?').get(u?.id) as {
        password_hash: string;
      };
      raw.close();
      expect(password_hash).toMatch(/^scrypt\$32768\$8\$1\$/);
      expect(await verifyPassword(password, password_hash)).toBe(true);
      const log = await s.listAudit();
      const last = log[log.length - 1];
      expect(last).toMatchObject({ action: 'user.created', entityId: u?.id });
      expect(JSON.stringify(log)).not.toContain(password);
      expect(JSON.stringify(log)).not.toContain(password_hash.split('$')[5]);
    });
  });

  it('refuses an empty or short password, an unknown organization, a duplicate email and an unknown role', async () => {
    const add = (email: string, org: string, role: string, input: string) =>
      cli(db, ['user', 'add', email, '--org', org, '--role', role], input);
    expect(add('a@x.example', 'County Police', 'viewer', '').status).toBe(ERROR_CODES.PT_ERR_PASSWORD_WEAK.exitCode);
    expect(add('a@x.example', 'County Police', 'viewer', '   \n').status).toBe(
      ERROR_CODES.PT_ERR_PASSWORD_WEAK.exitCode,
    );
    expect(add('a@x.example', 'County Police', 'viewer', '11 chars ok\n').status).toBe(
      ERROR_CODES.PT_ERR_PASSWORD_WEAK.exitCode,
    );
    expect(add('a@x.example', 'Nobody', 'viewer', `${password}\n`).status).toBe(ERROR_CODES.PT_ERR_NOT_FOUND.exitCode);
    const dup = add('LIAISON@police.example', 'Analysts', 'viewer', `${password}\n`);
    expect(dup.status).toBe(ERROR_CODES.PT_ERR_ALREADY_EXISTS.exitCode);
    expect(add('a@x.example', 'County Police', 'overlord', `${password}\n`).status).toBe(
      ERROR_CODES.PT_ERR_USAGE.exitCode,
    );
    await withStoreAt(db, async (s) => {
      expect(await s.findUserByEmail('a@x.example')).toBeNull();
      expect((await s.listAudit()).filter((e) => e.action === 'user.created')).toHaveLength(1);
    });
  });

  it('creates an API token: printed once, stored only as its hash, audited without it', async () => {
    const r = cli(db, ['token', 'create', 'liaison@police.example']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const token = r.stdout.trim();
    expect(token).toMatch(/^pt_[A-Za-z0-9_-]{43}$/);
    await withStoreAt(db, async (s) => {
      expect((await s.findUserByApiToken(token))?.email).toBe('liaison@police.example');
      const log = await s.listAudit();
      expect(log[log.length - 1].action).toBe('token.created');
      expect(JSON.stringify(log)).not.toContain(token);
    });
    const raw = new Database(db, { readonly: true });
    const dump = JSON.stringify(raw.prepare('select * from api_token').all());
    raw.close();
    expect(dump).not.toContain(token);
    expect(cli(db, ['token', 'create', 'nobody@x.example']).status).toBe(ERROR_CODES.PT_ERR_NOT_FOUND.exitCode);
    // Revoked: the token stops working at once; the revocation is audited.
    const revoked = cli(db, ['token', 'revoke', 'liaison@police.example']);
    expect(revoked.status).toBe(0);
    expect(revoked.stdout.trim()).toBe('1 API token of liaison@police.example revoked');
    await withStoreAt(db, async (s) => {
      expect(await s.findUserByApiToken(token)).toBeNull();
      expect((await s.listAudit()).at(-1)?.action).toBe('token.revoked');
    });
    expect(cli(db, ['token', 'revoke', 'liaison@police.example']).stdout.trim()).toBe(
      '0 API tokens of liaison@police.example revoked',
    );
    // Everything done here left a verifiable chain.
    const v = cli(db, ['audit', 'verify']);
    expect(v.status).toBe(0);
    expect(v.stdout.trim()).toBe('audit chain intact: 5 events');
  });
});
