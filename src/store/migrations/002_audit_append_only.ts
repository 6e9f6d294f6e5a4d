/**
 * The audit log is append-only: the database itself rejects UPDATE and DELETE on audit_event.
 * SQLite triggers; the PostgreSQL backend will need the same as a plpgsql trigger function
 * (`raise exception`) attached BEFORE UPDATE OR DELETE.
 */
import { type Kysely, type Migration, sql } from 'kysely';

export const auditAppendOnly: Migration = {
  async up(db: Kysely<unknown>) {
    for (const op of ['update', 'delete']) {
      await sql
        .raw(
          `create trigger audit_event_no_${op} before ${op} on audit_event ` +
            `begin select raise(abort, 'audit_event is append-only: ${op} rejected'); end`,
        )
        .execute(db);
    }
  },
};
