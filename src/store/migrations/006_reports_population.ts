/**
 * Evidence from other sources and population data (issue 4): reports (a tip, an inspection,
 * another sensor's alert) with a location and its uncertainty, a time, a credibility and text,
 * joined to a site when one lies within their uncertainty; and counts of people at points
 * (population or building data an analyst loads), used by the urgency rule. No personal data:
 * counts and positions only.
 */
import type { Kysely, Migration } from 'kysely';

export const reportsPopulation: Migration = {
  async up(db: Kysely<unknown>) {
    const s = db.schema;
    await s
      .createTable('report')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('organization_id', 'text', (c) => c.notNull().references('organization.id'))
      .addColumn('site_id', 'text', (c) => c.references('site.id'))
      .addColumn('lat', 'double precision', (c) => c.notNull())
      .addColumn('lon', 'double precision', (c) => c.notNull())
      .addColumn('uncertainty_m', 'double precision', (c) => c.notNull())
      .addColumn('observed_at', 'text', (c) => c.notNull())
      .addColumn('credibility', 'double precision', (c) => c.notNull())
      .addColumn('source', 'text', (c) => c.notNull())
      .addColumn('text', 'text', (c) => c.notNull())
      .addColumn('created_by', 'text', (c) => c.notNull().references('app_user.id'))
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
    await s.createIndex('report_site_id').on('report').column('site_id').execute();
    await s.createIndex('report_organization_id').on('report').column('organization_id').execute();

    await s
      .createTable('population_point')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('organization_id', 'text', (c) => c.notNull().references('organization.id'))
      .addColumn('dataset', 'text', (c) => c.notNull())
      .addColumn('lat', 'double precision', (c) => c.notNull())
      .addColumn('lon', 'double precision', (c) => c.notNull())
      .addColumn('people', 'double precision', (c) => c.notNull())
      .execute();
    await s.createIndex('population_point_lat_lon').on('population_point').columns(['lat', 'lon']).execute();
  },
};
