/**
 * The schema migrations, in order. Names sort in the order they run; a migration, once released,
 * is never edited: change the schema with a new one.
 */
import type { Migration, MigrationProvider } from 'kysely';
import { initial } from './001_initial.ts';
import { auditAppendOnly } from './002_audit_append_only.ts';
import { apiToken } from './003_api_token.ts';
import { session } from './004_session.ts';
import { workflow } from './005_workflow.ts';
import { reportsPopulation } from './006_reports_population.ts';

export const migrations: Record<string, Migration> = {
  '001_initial': initial,
  '002_audit_append_only': auditAppendOnly,
  '003_api_token': apiToken,
  '004_session': session,
  '005_workflow': workflow,
  '006_reports_population': reportsPopulation,
};

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => migrations,
};
