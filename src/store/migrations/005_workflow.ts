/**
 * The review and referral workflow (issue 4): the owning organization of a site (from its
 * campaign), what a referral records beyond its status (how its destination was chosen, urgency
 * and deadlines, when each step happened), the referral's timeline (comments, evidence, steps),
 * uploaded evidence, and the notifications an organization receives.
 */
import { type Kysely, type Migration, sql } from 'kysely';

export const workflow: Migration = {
  async up(db: Kysely<unknown>) {
    const s = db.schema;
    await s
      .alterTable('site')
      .addColumn('organization_id', 'text', (c) => c.references('organization.id'))
      .execute();
    await sql`update site set organization_id = (select organization_id from campaign where campaign.id = site.campaign_id)`.execute(
      db,
    );
    await s.createIndex('site_organization_id').on('site').column('organization_id').execute();

    for (const [name, type] of [
      ['basis', 'text'],
      ['containing_organization_ids', 'text'],
      ['reason', 'text'],
      ['created_by', 'text'],
      ['urgency', 'text'],
      ['acknowledge_within_h', 'double precision'],
      ['act_within_h', 'double precision'],
      ['acknowledged_at', 'text'],
      ['inspected_at', 'text'],
      ['closed_at', 'text'],
      ['verified_at', 'text'],
      ['overflight_at', 'text'],
    ] as const) {
      await s.alterTable('referral').addColumn(name, type).execute();
    }

    await s
      .createTable('evidence')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('referral_id', 'text', (c) => c.notNull().references('referral.id'))
      .addColumn('filename', 'text', (c) => c.notNull())
      .addColumn('media_type', 'text', (c) => c.notNull())
      .addColumn('sha256', 'text', (c) => c.notNull())
      .addColumn('size_bytes', 'integer', (c) => c.notNull())
      .addColumn('content', 'blob', (c) => c.notNull())
      .addColumn('uploaded_by', 'text', (c) => c.notNull().references('app_user.id'))
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
    await s.createIndex('evidence_referral_id').on('evidence').column('referral_id').execute();

    await s
      .createTable('referral_event')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('referral_id', 'text', (c) => c.notNull().references('referral.id'))
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('at', 'text', (c) => c.notNull())
      .addColumn('by_user_id', 'text', (c) => c.notNull().references('app_user.id'))
      .addColumn('text', 'text')
      .addColumn('evidence_id', 'text', (c) => c.references('evidence.id'))
      .execute();
    await s.createIndex('referral_event_referral_id').on('referral_event').column('referral_id').execute();

    await s
      .createTable('notification')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('organization_id', 'text', (c) => c.notNull().references('organization.id'))
      .addColumn('referral_id', 'text', (c) => c.references('referral.id'))
      .addColumn('site_id', 'text', (c) => c.notNull().references('site.id'))
      .addColumn('topic', 'text', (c) => c.notNull())
      .addColumn('at', 'text', (c) => c.notNull())
      .execute();
    await s.createIndex('notification_organization_id').on('notification').column('organization_id').execute();
  },
};
