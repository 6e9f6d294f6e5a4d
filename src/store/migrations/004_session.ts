/**
 * Browser sessions. Only the SHA-256 (hex) of a session token is stored; the token lives in the
 * user's HttpOnly cookie. A session stops authenticating when it expires (expires_at) or is revoked
 * (revoked_at set, on sign-out); rows are kept for audit. The CSRF token is the session's own, sent
 * back by the page in the X-CSRF-Token header of every request that changes something.
 */
import type { Kysely, Migration } from 'kysely';

export const session: Migration = {
  async up(db: Kysely<unknown>) {
    const s = db.schema;
    await s
      .createTable('session')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('user_id', 'text', (c) => c.notNull().references('app_user.id'))
      .addColumn('token_sha256', 'text', (c) => c.notNull().unique())
      .addColumn('csrf_token', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('expires_at', 'text', (c) => c.notNull())
      .addColumn('last_seen_at', 'text', (c) => c.notNull())
      .addColumn('revoked_at', 'text')
      .execute();
    await s.createIndex('session_user_id').on('session').column('user_id').execute();
  },
};
