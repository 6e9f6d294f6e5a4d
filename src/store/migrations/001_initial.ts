/**
 * The initial schema. Written with portable types only (text, integer, double precision) so the
 * same migration can run on PostgreSQL: ids are UUID text, times ISO-8601 text, JSON documents text.
 * Geometries are GeoJSON text plus min/max lon/lat columns for bounding-box filtering; the
 * PostGIS backend will use geometry columns (and GiST indexes) instead.
 */
import type { CreateTableBuilder, Kysely, Migration } from 'kysely';

/** The bounding box of a table's geometry column. */
function bboxColumns<TB extends string, C extends string>(t: CreateTableBuilder<TB, C>) {
  return t
    .addColumn('min_lon', 'double precision')
    .addColumn('min_lat', 'double precision')
    .addColumn('max_lon', 'double precision')
    .addColumn('max_lat', 'double precision');
}

export const initial: Migration = {
  async up(db: Kysely<unknown>) {
    const s = db.schema;
    await s
      .createTable('organization')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull().unique())
      .addColumn('kind', 'text', (c) => c.notNull()) // analyst | partner
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();

    await s
      .createTable('jurisdiction')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('organization_id', 'text', (c) => c.notNull().references('organization.id'))
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('geometry', 'text', (c) => c.notNull())
      .$call(bboxColumns)
      .execute();
    await s.createIndex('jurisdiction_organization_id').on('jurisdiction').column('organization_id').execute();

    // "user" is reserved in PostgreSQL.
    await s
      .createTable('app_user')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('organization_id', 'text', (c) => c.notNull().references('organization.id'))
      .addColumn('email', 'text', (c) => c.notNull().unique())
      .addColumn('display_name', 'text', (c) => c.notNull())
      .addColumn('role', 'text', (c) => c.notNull())
      .addColumn('password_hash', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
    await s.createIndex('app_user_organization_id').on('app_user').column('organization_id').execute();

    await s
      .createTable('campaign')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('organization_id', 'text', (c) => c.notNull().references('organization.id'))
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('description', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addUniqueConstraint('campaign_organization_name_key', ['organization_id', 'name'])
      .execute();

    await s
      .createTable('flight')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('campaign_id', 'text', (c) => c.notNull().references('campaign.id'))
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('platform', 'text', (c) => c.notNull())
      .addColumn('sensor_kind', 'text', (c) => c.notNull())
      .addColumn('start_time', 'text', (c) => c.notNull())
      .addColumn('end_time', 'text', (c) => c.notNull())
      .addColumn('track', 'text')
      .$call(bboxColumns)
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
    await s.createIndex('flight_campaign_id').on('flight').column('campaign_id').execute();

    await s
      .createTable('acquisition')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('flight_id', 'text', (c) => c.notNull().references('flight.id'))
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('source_uri', 'text', (c) => c.notNull())
      .addColumn('content_sha256', 'text', (c) => c.notNull())
      .addColumn('gas', 'text')
      .addColumn('sample_count', 'integer', (c) => c.notNull())
      .addColumn('start_time', 'text', (c) => c.notNull())
      .addColumn('end_time', 'text', (c) => c.notNull())
      .addColumn('footprint', 'text')
      .$call(bboxColumns)
      .addColumn('metadata', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
    await s.createIndex('acquisition_flight_id').on('acquisition').column('flight_id').execute();
    await s.createIndex('acquisition_content_sha256').unique().on('acquisition').column('content_sha256').execute();

    await s
      .createTable('insitu_sample')
      .addColumn('acquisition_id', 'text', (c) => c.notNull().references('acquisition.id').onDelete('cascade'))
      .addColumn('seq', 'integer', (c) => c.notNull())
      .addColumn('time', 'text', (c) => c.notNull())
      .addColumn('lat', 'double precision', (c) => c.notNull())
      .addColumn('lon', 'double precision', (c) => c.notNull())
      .addColumn('alt_m', 'double precision', (c) => c.notNull())
      .addColumn('ppm', 'double precision')
      .addColumn('wind_u', 'double precision')
      .addColumn('wind_v', 'double precision')
      .addColumn('sigma_ppm', 'double precision')
      .addColumn('kind', 'text', (c) => c.notNull().defaultTo('point'))
      .addColumn('lat2', 'double precision')
      .addColumn('lon2', 'double precision')
      .addColumn('alt2_m', 'double precision')
      .addColumn('wind_dir_std_deg', 'double precision')
      .addColumn('averaging_s', 'double precision')
      .addPrimaryKeyConstraint('insitu_sample_pkey', ['acquisition_id', 'seq'])
      .execute();

    await s
      .createTable('site')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('campaign_id', 'text', (c) => c.references('campaign.id'))
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('lat', 'double precision', (c) => c.notNull())
      .addColumn('lon', 'double precision', (c) => c.notNull())
      .addColumn('gases', 'text', (c) => c.notNull()) // JSON array, sorted
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('detection_count', 'integer', (c) => c.notNull())
      .addColumn('rate_kg_per_hour', 'double precision')
      .addColumn('rate_sigma_kg_per_hour', 'double precision')
      .addColumn('first_seen', 'text', (c) => c.notNull())
      .addColumn('last_seen', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();
    await s.createIndex('site_campaign_id').on('site').column('campaign_id').execute();
    // A site is a point: its bounding box is its lat/lon.
    await s.createIndex('site_lat_lon').on('site').columns(['lat', 'lon']).execute();
    await s.createIndex('site_last_seen').on('site').column('last_seen').execute();

    await s
      .createTable('detection')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('acquisition_id', 'text', (c) => c.notNull().references('acquisition.id'))
      .addColumn('site_id', 'text', (c) => c.references('site.id'))
      .addColumn('gas', 'text', (c) => c.notNull())
      .addColumn('geometry', 'text', (c) => c.notNull())
      .$call(bboxColumns)
      .addColumn('lat', 'double precision', (c) => c.notNull())
      .addColumn('lon', 'double precision', (c) => c.notNull())
      .addColumn('enhancement', 'double precision')
      .addColumn('enhancement_unit', 'text')
      .addColumn('rate_kg_per_hour', 'double precision')
      .addColumn('rate_sigma_kg_per_hour', 'double precision')
      .addColumn('method', 'text', (c) => c.notNull())
      .addColumn('algorithm_version', 'text', (c) => c.notNull())
      .addColumn('properties', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
    await s.createIndex('detection_acquisition_id').on('detection').column('acquisition_id').execute();
    await s.createIndex('detection_site_id').on('detection').column('site_id').execute();

    await s
      .createTable('review')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('site_id', 'text', (c) => c.notNull().references('site.id'))
      .addColumn('stage', 'text', (c) => c.notNull())
      .addColumn('reviewer_id', 'text', (c) => c.notNull().references('app_user.id'))
      .addColumn('decision', 'text', (c) => c.notNull())
      .addColumn('reason', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
    await s.createIndex('review_site_id').on('review').column('site_id').execute();
    await s.createIndex('review_reviewer_id').on('review').column('reviewer_id').execute();

    await s
      .createTable('referral')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('site_id', 'text', (c) => c.notNull().references('site.id'))
      .addColumn('organization_id', 'text', (c) => c.notNull().references('organization.id'))
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('outcome', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();
    await s.createIndex('referral_site_id').on('referral').column('site_id').execute();
    await s.createIndex('referral_organization_id').on('referral').column('organization_id').execute();

    // The store assigns seq itself (last + 1 inside the appending transaction) so the hash covers
    // it; AUTOINCREMENT keeps SQLite from ever reusing one. PostgreSQL: a bigint primary key.
    // actor_user_id has no foreign key on purpose: the log must outlive whatever it mentions.
    await s
      .createTable('audit_event')
      .addColumn('seq', 'integer', (c) => c.primaryKey().autoIncrement())
      .addColumn('id', 'text', (c) => c.notNull().unique())
      .addColumn('occurred_at', 'text', (c) => c.notNull())
      .addColumn('actor_user_id', 'text')
      .addColumn('action', 'text', (c) => c.notNull())
      .addColumn('entity_type', 'text', (c) => c.notNull())
      .addColumn('entity_id', 'text')
      .addColumn('payload', 'text', (c) => c.notNull())
      // Unique: two events can never name the same predecessor, so the chain cannot fork.
      .addColumn('prev_hash', 'text', (c) => c.notNull().unique())
      .addColumn('hash', 'text', (c) => c.notNull().unique())
      .execute();
    await s.createIndex('audit_event_entity').on('audit_event').columns(['entity_type', 'entity_id']).execute();
  },
};
