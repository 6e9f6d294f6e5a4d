/**
 * Opens plumetrace's store. A SQLite path (or `file:` URL, or ":memory:") gives the embedded
 * backend; PostgreSQL is planned behind the same `Store` contract (types.ts).
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { PlumetraceError } from '../core/errors.ts';
import { SqliteStore } from './sqlite-store.ts';
import type { Store } from './types.ts';

export { verifyAuditChain } from './audit.ts';
export type * from './types.ts';

/** The SQLite file a store URL names: a plain path, `file:path`, `file:///abs/path`, or ":memory:". */
function sqlitePath(url: string): string {
  if (/^postgres(ql)?:\/\//i.test(url)) {
    throw new PlumetraceError('PT_ERR_DB_UNSUPPORTED', 'PostgreSQL backend is not implemented yet; use a SQLite path');
  }
  if (url.startsWith('file://')) return fileURLToPath(url);
  if (url.startsWith('file:')) return url.slice('file:'.length);
  const scheme = /^([a-z][a-z0-9+.-]+):\/\//i.exec(url);
  if (scheme) {
    throw new PlumetraceError(
      'PT_ERR_DB_UNSUPPORTED',
      `no database backend for "${scheme[1]}:" URLs; use a SQLite path`,
    );
  }
  return url;
}

/**
 * Opens (creating if needed) the store at `url` and, unless `migrate: false`, brings its schema
 * up to date. Throws PT_ERR_DB_UNSUPPORTED for a PostgreSQL URL and PT_ERR_DB_OPEN, naming the
 * path, when the file cannot be opened as a SQLite database.
 */
export async function openStore(url: string, opts: { migrate?: boolean } = {}): Promise<Store> {
  const path = sqlitePath(url);
  let sqlite: Database.Database | undefined;
  try {
    if (path !== ':memory:' && path !== '') mkdirSync(dirname(path), { recursive: true });
    sqlite = new Database(path);
    sqlite.pragma('busy_timeout = 5000');
    sqlite.pragma('journal_mode = WAL'); // the first read of the file: fails on a non-SQLite file
    sqlite.pragma('foreign_keys = ON');
  } catch (e) {
    sqlite?.close();
    const reason = e instanceof Error ? e.message : String(e);
    throw new PlumetraceError(
      'PT_ERR_DB_OPEN',
      `not a usable SQLite database: ${reason}`,
      { file: path },
      { cause: e },
    );
  }
  const store = new SqliteStore(sqlite, path);
  if (opts.migrate !== false) {
    try {
      await store.migrate();
    } catch (e) {
      await store.close();
      throw e;
    }
  }
  return store;
}
