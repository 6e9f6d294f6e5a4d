/**
 * API tokens. Only the SHA-256 (hex) of a token is stored: the token itself is shown once, when
 * it is created. A revoked token (revoked_at set) no longer authenticates; rows are kept for audit.
 */
import type { Kysely, Migration } from 'kysely';

export const apiToken: Migration = {
  async up(db: Kysely<unknown>) {
    const s = db.schema;
    await s
      .createTable('api_token')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('user_id', 'text', (c) => c.notNull().references('app_user.id'))
      .addColumn('token_sha256', 'text', (c) => c.notNull().unique())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('last_used_at', 'text')
      .addColumn('revoked_at', 'text')
      .execute();
    await s.createIndex('api_token_user_id').on('api_token').column('user_id').execute();
  },
};
