/**
 * The SQLite implementation of the store contract (types.ts), through Kysely on better-sqlite3.
 * Every write runs in one transaction and either lands whole or is rolled back and reported as
 * PT_ERR_DB_WRITE (input and lookup errors keep their own codes).
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type BetterSqlite3 from 'better-sqlite3';
import {
  CompiledQuery,
  type DatabaseConnection,
  Kysely,
  Migrator,
  SqliteAdapter,
  SqliteDialect,
  type SqliteDialectConfig,
  SqliteDriver,
  sql,
  type Transaction,
} from 'kysely';
import { isPlumetraceError, PlumetraceError } from '../core/errors.ts';
import { auditEventHash, GENESIS_HASH } from './audit.ts';
import {
  acquisitionRow,
  auditEventRow,
  campaignRow,
  detectionRow,
  flightRow,
  jurisdictionRow,
  organizationRow,
  sampleRow,
  siteRow,
  toAcquisition,
  toAuditEvent,
  toCampaign,
  toDetection,
  toEvidence,
  toFlight,
  toJurisdiction,
  toNotification,
  toOrganization,
  toReferral,
  toReferralEvent,
  toReview,
  toSample,
  toSite,
  toUser,
  userRow,
} from './mapping.ts';
import { migrationProvider } from './migrations/index.ts';
import type { Database } from './schema.ts';
import {
  addReportIn,
  applyWorkflowActionIn,
  latestReferral,
  listReportsIn,
  loadPopulationIn,
  peopleNearIn,
  siteCoverageIn,
} from './sqlite-workflow.ts';
import type {
  Acquisition,
  AuditedWrite,
  AuditEvent,
  Campaign,
  Detection,
  DetectionWithSite,
  Evidence,
  Flight,
  ImagingAcquisitionInput,
  InSituAcquisitionInput,
  InSituSample,
  Jurisdiction,
  NewAcquisition,
  NewAuditEvent,
  NewCampaign,
  NewFlight,
  NewJurisdiction,
  NewOrganization,
  NewEvidence,
  NewReport,
  NewSession,
  NewUser,
  Notification,
  Organization,
  Referral,
  ReferralEvent,
  ReferralFilter,
  Report,
  Review,
  SessionInfo,
  Site,
  SiteCoverage,
  SiteFilter,
  Store,
  StoreAcquisitionResult,
  User,
  WorkflowWriteResult,
  UserWithOrganization,
} from './types.ts';
import type { WorkflowAction } from '../core/workflow/machine.ts';

/** Rows per multi-row INSERT of samples (10 columns each: well under SQLite's 32,766 parameters). */
const SAMPLE_CHUNK = 500;

// Every transaction of this store writes, so take the write lock up front (BEGIN IMMEDIATE): a
// second process then waits (busy_timeout) instead of failing when it upgrades a read lock, and
// read-then-insert steps such as the audit chain's are serialized across processes too.
class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

// SQLite's DDL is transactional; saying so makes Kysely's Migrator run all pending migrations in
// one transaction, so a failing migration leaves the schema as it was.
class TransactionalDdlSqliteAdapter extends SqliteAdapter {
  override get supportsTransactionalDdl(): boolean {
    return true;
  }
}

class StoreSqliteDialect extends SqliteDialect {
  readonly #config: SqliteDialectConfig;
  constructor(config: SqliteDialectConfig) {
    super(config);
    this.#config = config;
  }
  override createDriver(): SqliteDriver {
    return new ImmediateSqliteDriver(this.#config);
  }
  override createAdapter(): SqliteAdapter {
    return new TransactionalDdlSqliteAdapter();
  }
}

const now = (): string => new Date().toISOString();
/** A session lasts 12 hours unless asked otherwise. */
export const DEFAULT_SESSION_TTL_S = 12 * 3600;
const SESSION_SEEN_RESOLUTION_MS = 60_000;
const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));

function notFound(what: string, id: string): PlumetraceError {
  return new PlumetraceError('PT_ERR_NOT_FOUND', `${what} ${id} does not exist`);
}

/** Appends one event to the audit chain inside the caller's transaction. */
async function appendAuditIn(trx: Transaction<Database>, e: NewAuditEvent): Promise<AuditEvent> {
  const last = await trx
    .selectFrom('audit_event')
    .select(['seq', 'hash'])
    .orderBy('seq', 'desc')
    .limit(1)
    .executeTakeFirst();
  const unhashed = {
    seq: (last?.seq ?? 0) + 1,
    id: randomUUID(),
    occurredAt: now(),
    actorUserId: e.actorUserId ?? null,
    action: e.action,
    entityType: e.entityType,
    entityId: e.entityId ?? null,
    // As it will read back from the JSON column, so the returned event verifies as stored.
    payload: JSON.parse(JSON.stringify(e.payload ?? {})) as Record<string, unknown>,
    prevHash: last?.hash ?? GENESIS_HASH,
  };
  const event: AuditEvent = { ...unhashed, hash: auditEventHash(unhashed) };
  await trx.insertInto('audit_event').values(auditEventRow(event)).execute();
  return event;
}

const sha256Hex = (s: string): string => createHash('sha256').update(s).digest('hex');

function checkTime(value: string, field: string): void {
  if (typeof value !== 'string' || Number.isNaN(Date.parse(value))) {
    throw new PlumetraceError('PT_ERR_BAD_REQUEST', `${field} is not an ISO-8601 time: ${String(value)}`, {
      column: field,
    });
  }
}

export class SqliteStore implements Store {
  readonly dialect = 'sqlite' as const;
  /** The Kysely handle, for code inside src/store only (tests, future repositories). */
  readonly db: Kysely<Database>;
  /** The database file (or ":memory:"), named in error messages. */
  readonly path: string;

  constructor(sqlite: BetterSqlite3.Database, path: string) {
    this.db = new Kysely<Database>({ dialect: new StoreSqliteDialect({ database: sqlite }) });
    this.path = path;
  }

  async migrate(): Promise<void> {
    const { error } = await new Migrator({ db: this.db, provider: migrationProvider }).migrateToLatest();
    if (error) {
      throw new PlumetraceError(
        'PT_ERR_DB_OPEN',
        `schema migration failed: ${message(error)}`,
        { file: this.path },
        {
          cause: error,
        },
      );
    }
  }

  async close(): Promise<void> {
    await this.db.destroy();
  }

  /** Runs `fn` in one transaction; a database failure is rolled back and rethrown as PT_ERR_DB_WRITE. */
  async #write<T>(what: string, fn: (trx: Transaction<Database>) => Promise<T>): Promise<T> {
    try {
      return await this.db.transaction().execute(fn);
    } catch (e) {
      if (isPlumetraceError(e)) throw e;
      throw new PlumetraceError('PT_ERR_DB_WRITE', `${what}: ${message(e)}`, { file: this.path }, { cause: e });
    }
  }

  // ---- organizations, users, campaigns ---------------------------------------------------

  createOrganization(
    org: NewOrganization,
    jurisdictions: Omit<NewJurisdiction, 'organizationId'>[] = [],
    opts: AuditedWrite = {},
  ): Promise<Organization> {
    const o: Organization = { id: randomUUID(), name: org.name, kind: org.kind, createdAt: now() };
    return this.#write('create organization', async (trx) => {
      await trx.insertInto('organization').values(organizationRow(o)).execute();
      const jurisdictionIds: string[] = [];
      for (const j of jurisdictions) {
        const row = jurisdictionRow({ id: randomUUID(), organizationId: o.id, name: j.name, geometry: j.geometry });
        await trx.insertInto('jurisdiction').values(row).execute();
        jurisdictionIds.push(row.id);
      }
      if (opts.audit) {
        await appendAuditIn(trx, {
          action: 'organization.created',
          entityType: 'organization',
          entityId: o.id,
          actorUserId: opts.audit.actorUserId,
          payload: {
            name: o.name,
            kind: o.kind,
            jurisdictions: jurisdictions.map((j, i) => ({ id: jurisdictionIds[i], name: j.name })),
          },
        });
      }
      return o;
    });
  }

  async findOrganizationByName(name: string): Promise<Organization | null> {
    const r = await this.db.selectFrom('organization').selectAll().where('name', '=', name).executeTakeFirst();
    return r ? toOrganization(r) : null;
  }

  async listJurisdictions(organizationId?: string): Promise<Jurisdiction[]> {
    let q = this.db.selectFrom('jurisdiction').selectAll();
    if (organizationId !== undefined) q = q.where('organization_id', '=', organizationId);
    return (await q.orderBy('name').orderBy('id').execute()).map(toJurisdiction);
  }

  /** Emails are stored and looked up trimmed and lower-cased: one account per address. */
  createUser(user: NewUser, opts: AuditedWrite = {}): Promise<User> {
    const u: User = {
      id: randomUUID(),
      organizationId: user.organizationId,
      email: user.email.trim().toLowerCase(),
      displayName: user.displayName,
      role: user.role,
      createdAt: now(),
    };
    return this.#write('create user', async (trx) => {
      await trx
        .insertInto('app_user')
        .values(userRow(u, user.passwordHash ?? null))
        .execute();
      if (opts.audit) {
        await appendAuditIn(trx, {
          action: 'user.created',
          entityType: 'user',
          entityId: u.id,
          actorUserId: opts.audit.actorUserId,
          // Never the password or its hash.
          payload: { organizationId: u.organizationId, email: u.email, role: u.role },
        });
      }
      return u;
    });
  }

  async findUserByEmail(email: string): Promise<User | null> {
    const r = await this.db
      .selectFrom('app_user')
      .selectAll()
      .where('email', '=', email.trim().toLowerCase())
      .executeTakeFirst();
    return r ? toUser(r) : null;
  }

  revokeApiTokens(userId: string, opts: { actorUserId?: string | null } = {}): Promise<number> {
    return this.#write('revoke API tokens', async (trx) => {
      const live = await trx
        .selectFrom('api_token')
        .select('id')
        .where('user_id', '=', userId)
        .where('revoked_at', 'is', null)
        .execute();
      const t = now();
      for (const { id } of live) {
        await trx.updateTable('api_token').set({ revoked_at: t }).where('id', '=', id).execute();
        await appendAuditIn(trx, {
          action: 'token.revoked',
          entityType: 'api_token',
          entityId: id,
          actorUserId: opts.actorUserId ?? null,
          payload: { userId },
        });
      }
      return live.length;
    });
  }

  createApiToken(userId: string, opts: { actorUserId?: string | null } = {}): Promise<{ id: string; token: string }> {
    const token = `pt_${randomBytes(32).toString('base64url')}`;
    const id = randomUUID();
    return this.#write('create API token', async (trx) => {
      const user = await trx.selectFrom('app_user').select('id').where('id', '=', userId).executeTakeFirst();
      if (!user) throw notFound('user', userId);
      await trx
        .insertInto('api_token')
        .values({
          id,
          user_id: userId,
          token_sha256: sha256Hex(token),
          created_at: now(),
          last_used_at: null,
          revoked_at: null,
        })
        .execute();
      await appendAuditIn(trx, {
        action: 'token.created',
        entityType: 'api_token',
        entityId: id,
        actorUserId: opts.actorUserId ?? null,
        payload: { userId }, // never the token, nor its hash
      });
      return { id, token };
    });
  }

  async findUserByApiToken(token: string): Promise<User | null> {
    if (typeof token !== 'string' || !token.startsWith('pt_')) return null;
    const r = await this.db
      .selectFrom('api_token as t')
      .innerJoin('app_user as u', 'u.id', 't.user_id')
      .selectAll('u')
      .where('t.token_sha256', '=', sha256Hex(token))
      .where('t.revoked_at', 'is', null)
      .executeTakeFirst();
    return r ? toUser(r) : null;
  }

  async getOrganization(id: string): Promise<Organization | null> {
    const r = await this.db.selectFrom('organization').selectAll().where('id', '=', id).executeTakeFirst();
    return r ? toOrganization(r) : null;
  }

  // ---- credentials and sessions ------------------------------------------------------------

  async findUserCredentials(
    email: string,
  ): Promise<{ user: UserWithOrganization; passwordHash: string | null } | null> {
    if (typeof email !== 'string') return null;
    const r = await this.db
      .selectFrom('app_user as u')
      .innerJoin('organization as o', 'o.id', 'u.organization_id')
      .selectAll('u')
      .select('o.kind as organization_kind')
      .where('u.email', '=', email.trim().toLowerCase())
      .executeTakeFirst();
    if (!r) return null;
    return { user: { ...toUser(r), organizationKind: r.organization_kind }, passwordHash: r.password_hash };
  }

  createSession(userId: string, opts: { ttlS?: number } = {}): Promise<NewSession> {
    const ttlS = opts.ttlS ?? DEFAULT_SESSION_TTL_S;
    if (!Number.isFinite(ttlS) || ttlS <= 0) {
      return Promise.reject(new PlumetraceError('PT_ERR_BAD_REQUEST', `session ttlS must be > 0, not ${ttlS}`));
    }
    const token = randomBytes(32).toString('base64url');
    const csrfToken = randomBytes(32).toString('base64url');
    const id = randomUUID();
    const createdAt = now();
    const expiresAt = new Date(Date.parse(createdAt) + ttlS * 1000).toISOString();
    return this.#write('create session', async (trx) => {
      const user = await trx.selectFrom('app_user').select('id').where('id', '=', userId).executeTakeFirst();
      if (!user) throw notFound('user', userId);
      await trx
        .insertInto('session')
        .values({
          id,
          user_id: userId,
          token_sha256: sha256Hex(token),
          csrf_token: csrfToken,
          created_at: createdAt,
          expires_at: expiresAt,
          last_seen_at: createdAt,
          revoked_at: null,
        })
        .execute();
      await appendAuditIn(trx, {
        action: 'session.created',
        entityType: 'session',
        entityId: id,
        actorUserId: userId,
        payload: { expiresAt }, // never the token, nor its hash
      });
      return { token, csrfToken, expiresAt };
    });
  }

  async findSession(token: string): Promise<SessionInfo | null> {
    if (typeof token !== 'string' || token.length === 0) return null;
    const at = now();
    const r = await this.db
      .selectFrom('session as s')
      .innerJoin('app_user as u', 'u.id', 's.user_id')
      .innerJoin('organization as o', 'o.id', 'u.organization_id')
      .selectAll('u')
      .select(['o.kind as organization_kind', 's.id as session_id', 's.csrf_token', 's.expires_at', 's.last_seen_at'])
      .where('s.token_sha256', '=', sha256Hex(token))
      .where('s.revoked_at', 'is', null)
      .where('s.expires_at', '>', at)
      .executeTakeFirst();
    if (!r) return null;
    // Record activity, at most once a minute per session (a write on every request would serialize reads).
    if (Date.parse(at) - Date.parse(r.last_seen_at) > SESSION_SEEN_RESOLUTION_MS) {
      await this.db.updateTable('session').set({ last_seen_at: at }).where('id', '=', r.session_id).execute();
    }
    return {
      user: { ...toUser(r), organizationKind: r.organization_kind },
      csrfToken: r.csrf_token,
      expiresAt: r.expires_at,
    };
  }

  revokeSession(token: string): Promise<boolean> {
    if (typeof token !== 'string' || token.length === 0) return Promise.resolve(false);
    return this.#write('revoke session', async (trx) => {
      const at = now();
      const s = await trx
        .selectFrom('session')
        .select(['id', 'user_id'])
        .where('token_sha256', '=', sha256Hex(token))
        .where('revoked_at', 'is', null)
        .where('expires_at', '>', at)
        .executeTakeFirst();
      if (!s) return false;
      await trx.updateTable('session').set({ revoked_at: at }).where('id', '=', s.id).execute();
      await appendAuditIn(trx, {
        action: 'session.revoked',
        entityType: 'session',
        entityId: s.id,
        actorUserId: s.user_id,
        payload: {},
      });
      return true;
    });
  }

  createCampaign(c: NewCampaign): Promise<Campaign> {
    const campaign: Campaign = {
      id: randomUUID(),
      organizationId: c.organizationId,
      name: c.name,
      description: c.description,
      createdAt: now(),
    };
    return this.#write('create campaign', async (trx) => {
      await trx.insertInto('campaign').values(campaignRow(campaign)).execute();
      return campaign;
    });
  }

  /** Campaign names are unique per organization; across organizations the oldest one wins. */
  async findCampaignByName(name: string): Promise<Campaign | null> {
    const r = await this.db
      .selectFrom('campaign')
      .selectAll()
      .where('name', '=', name)
      .orderBy('created_at')
      .orderBy('id')
      .executeTakeFirst();
    return r ? toCampaign(r) : null;
  }

  async listCampaigns(): Promise<Campaign[]> {
    return (await this.db.selectFrom('campaign').selectAll().orderBy('created_at').orderBy('id').execute()).map(
      toCampaign,
    );
  }

  // ---- flights, acquisitions, samples ----------------------------------------------------

  async storeInSituAcquisition(input: InSituAcquisitionInput): Promise<StoreAcquisitionResult> {
    const { acquisition: a, samples } = input;
    if (a.sampleCount !== samples.length) {
      throw new PlumetraceError(
        'PT_ERR_BAD_REQUEST',
        `acquisition.sampleCount is ${a.sampleCount} but ${samples.length} samples were given`,
        { column: 'sampleCount' },
      );
    }
    checkTime(a.startTime, 'acquisition.startTime');
    checkTime(a.endTime, 'acquisition.endTime');
    return this.#write('store in-situ acquisition', async (trx) => {
      const r = await this.#insertFlightAndAcquisition(trx, input.flight, a);
      if (!r.stored) return r;
      for (let i = 0; i < samples.length; i += SAMPLE_CHUNK) {
        const rows = samples.slice(i, i + SAMPLE_CHUNK).map((s) => sampleRow(r.acquisitionId, s));
        await trx.insertInto('insitu_sample').values(rows).execute();
      }
      return r;
    });
  }

  async storeImagingAcquisition(input: ImagingAcquisitionInput): Promise<StoreAcquisitionResult> {
    const a = input.acquisition;
    if (a.kind !== 'imaging-scene') {
      throw new PlumetraceError('PT_ERR_BAD_REQUEST', `acquisition.kind must be 'imaging-scene', got '${a.kind}'`, {
        column: 'kind',
      });
    }
    checkTime(a.startTime, 'acquisition.startTime');
    checkTime(a.endTime, 'acquisition.endTime');
    return this.#write('store imaging acquisition', (trx) => this.#insertFlightAndAcquisition(trx, input.flight, a));
  }

  /** Inside a write transaction: duplicate check, then the flight (unless given by id) and the acquisition. */
  async #insertFlightAndAcquisition(
    trx: Transaction<Database>,
    flightIn: NewFlight | { id: string },
    a: NewAcquisition,
  ): Promise<StoreAcquisitionResult> {
    const dup = await trx
      .selectFrom('acquisition')
      .select(['id', 'flight_id'])
      .where('content_sha256', '=', a.contentSha256)
      .executeTakeFirst();
    if (dup) return { stored: false, reason: 'duplicate', flightId: dup.flight_id, acquisitionId: dup.id };

    let flightId: string;
    if ('id' in flightIn) {
      flightId = flightIn.id;
      const found = await trx.selectFrom('flight').select('id').where('id', '=', flightId).executeTakeFirst();
      if (!found) throw notFound('flight', flightId);
    } else {
      const f = flightIn;
      flightId = randomUUID();
      const flight: Flight = {
        id: flightId,
        campaignId: f.campaignId,
        name: f.name,
        platform: f.platform,
        sensorKind: f.sensorKind,
        startTime: f.startTime,
        endTime: f.endTime,
        track: f.track,
        createdAt: now(),
      };
      await trx.insertInto('flight').values(flightRow(flight)).execute();
    }

    const acquisition: Acquisition = {
      id: randomUUID(),
      flightId,
      kind: a.kind,
      sourceUri: a.sourceUri,
      contentSha256: a.contentSha256,
      gas: a.gas,
      sampleCount: a.sampleCount,
      startTime: a.startTime,
      endTime: a.endTime,
      footprint: a.footprint,
      metadata: a.metadata,
      createdAt: now(),
    };
    await trx.insertInto('acquisition').values(acquisitionRow(acquisition)).execute();
    return { stored: true, flightId, acquisitionId: acquisition.id };
  }

  async findAcquisitionBySha256(sha256: string): Promise<Acquisition | null> {
    const r = await this.db
      .selectFrom('acquisition')
      .selectAll()
      .where('content_sha256', '=', sha256)
      .executeTakeFirst();
    return r ? toAcquisition(r) : null;
  }

  async getAcquisition(id: string): Promise<Acquisition | null> {
    const r = await this.db.selectFrom('acquisition').selectAll().where('id', '=', id).executeTakeFirst();
    return r ? toAcquisition(r) : null;
  }

  async listAcquisitions(flightId?: string): Promise<Acquisition[]> {
    let q = this.db.selectFrom('acquisition').selectAll();
    if (flightId !== undefined) q = q.where('flight_id', '=', flightId);
    return (await q.orderBy('start_time').orderBy('id').execute()).map(toAcquisition);
  }

  async getInSituSamples(acquisitionId: string): Promise<InSituSample[]> {
    const rows = await this.db
      .selectFrom('insitu_sample')
      .selectAll()
      .where('acquisition_id', '=', acquisitionId)
      .orderBy('seq')
      .execute();
    return rows.map(toSample);
  }

  async listFlights(campaignId?: string): Promise<Flight[]> {
    let q = this.db.selectFrom('flight').selectAll();
    if (campaignId !== undefined) q = q.where('campaign_id', '=', campaignId);
    return (await q.orderBy('start_time').orderBy('id').execute()).map(toFlight);
  }

  async getFlight(id: string): Promise<Flight | null> {
    const r = await this.db.selectFrom('flight').selectAll().where('id', '=', id).executeTakeFirst();
    return r ? toFlight(r) : null;
  }

  // ---- detections and sites --------------------------------------------------------------

  recordDetections(
    acquisitionId: string,
    items: DetectionWithSite[],
  ): Promise<{ detections: Detection[]; sites: Site[] }> {
    return this.#write('record detections', async (trx) => {
      const acq = await trx
        .selectFrom('acquisition')
        .select(['start_time', 'end_time'])
        .where('id', '=', acquisitionId)
        .executeTakeFirst();
      if (!acq) throw notFound('acquisition', acquisitionId);
      const t = now();
      const detections: Detection[] = [];
      const touched = new Set<string>();
      for (const { detection: nd, site } of items) {
        let siteId: string;
        if ('new' in site) {
          siteId = randomUUID();
          const campaign =
            site.new.campaignId === null
              ? undefined
              : await trx
                  .selectFrom('campaign')
                  .select('organization_id')
                  .where('id', '=', site.new.campaignId)
                  .executeTakeFirst();
          // Placeholder aggregates; refreshSite below derives them from the site's detections.
          const s: Site = {
            id: siteId,
            campaignId: site.new.campaignId,
            organizationId: campaign?.organization_id ?? null,
            name: site.new.name,
            lat: site.new.lat,
            lon: site.new.lon,
            gases: [],
            status: 'candidate',
            detectionCount: 0,
            rateKgPerHour: null,
            rateSigmaKgPerHour: null,
            firstSeen: acq.start_time,
            lastSeen: acq.end_time,
            createdAt: t,
            updatedAt: t,
          };
          await trx.insertInto('site').values(siteRow(s)).execute();
        } else {
          siteId = site.id;
          if (!touched.has(siteId)) {
            const found = await trx.selectFrom('site').select('id').where('id', '=', siteId).executeTakeFirst();
            if (!found) throw notFound('site', siteId);
          }
        }
        touched.add(siteId);
        const d: Detection = {
          id: randomUUID(),
          acquisitionId,
          siteId,
          gas: nd.gas,
          geometry: nd.geometry,
          lat: nd.lat,
          lon: nd.lon,
          enhancement: nd.enhancement,
          enhancementUnit: nd.enhancementUnit,
          rateKgPerHour: nd.rateKgPerHour,
          rateSigmaKgPerHour: nd.rateSigmaKgPerHour,
          method: nd.method,
          algorithmVersion: nd.algorithmVersion,
          properties: nd.properties,
          createdAt: t,
        };
        await trx.insertInto('detection').values(detectionRow(d)).execute();
        detections.push(d);
        await appendAuditIn(trx, {
          action: 'detection.recorded',
          entityType: 'detection',
          entityId: d.id,
          actorUserId: null,
          payload: {
            acquisitionId,
            siteId,
            siteCreated: 'new' in site,
            gas: d.gas,
            lat: d.lat,
            lon: d.lon,
            rateKgPerHour: d.rateKgPerHour,
            rateSigmaKgPerHour: d.rateSigmaKgPerHour,
            method: d.method,
            algorithmVersion: d.algorithmVersion,
          },
        });
      }
      const sites: Site[] = [];
      for (const siteId of touched) sites.push(await this.#refreshSite(trx, siteId, t));
      return { detections, sites };
    });
  }

  /**
   * Re-derives a site's aggregates from all its detections: count; gases (union); first/last seen
   * (from the acquisitions' time spans); rate and sigma of the most recently observed detection
   * that has a rate; position = mean of the detections, weighted by 1/rateSigma² when every
   * detection has a positive sigma, plain otherwise (no antimeridian handling).
   */
  async #refreshSite(trx: Transaction<Database>, siteId: string, updatedAt: string): Promise<Site> {
    const site = toSite(await trx.selectFrom('site').selectAll().where('id', '=', siteId).executeTakeFirstOrThrow());
    const rows = await trx
      .selectFrom('detection as d')
      .innerJoin('acquisition as a', 'a.id', 'd.acquisition_id')
      .select([
        'd.lat',
        'd.lon',
        'd.gas',
        'd.rate_kg_per_hour',
        'd.rate_sigma_kg_per_hour',
        'a.start_time',
        'a.end_time',
      ])
      .where('d.site_id', '=', siteId)
      .orderBy('d.created_at')
      .orderBy('d.id')
      .execute();
    const weighted = rows.every((r) => r.rate_sigma_kg_per_hour !== null && r.rate_sigma_kg_per_hour > 0);
    let sw = 0;
    let slat = 0;
    let slon = 0;
    let first = Date.parse(site.firstSeen);
    let last = Date.parse(site.lastSeen);
    let latestEnd = -Infinity;
    const gases = new Set(site.gases);
    for (const r of rows) {
      const w = weighted ? 1 / r.rate_sigma_kg_per_hour! ** 2 : 1;
      sw += w;
      slat += w * r.lat;
      slon += w * r.lon;
      gases.add(r.gas);
      first = Math.min(first, Date.parse(r.start_time));
      const end = Date.parse(r.end_time);
      last = Math.max(last, end);
      if (r.rate_kg_per_hour !== null && end >= latestEnd) {
        latestEnd = end;
        site.rateKgPerHour = r.rate_kg_per_hour;
        site.rateSigmaKgPerHour = r.rate_sigma_kg_per_hour;
      }
    }
    if (sw > 0) {
      site.lat = slat / sw;
      site.lon = slon / sw;
    }
    site.gases = [...gases].sort();
    site.detectionCount = rows.length;
    site.firstSeen = new Date(first).toISOString();
    site.lastSeen = new Date(last).toISOString();
    site.updatedAt = updatedAt;
    const { id, created_at, ...changes } = siteRow(site);
    await trx.updateTable('site').set(changes).where('id', '=', id).execute();
    return site;
  }

  async listDetections(filter: { acquisitionId?: string; siteId?: string } = {}): Promise<Detection[]> {
    let q = this.db.selectFrom('detection').selectAll();
    if (filter.acquisitionId !== undefined) q = q.where('acquisition_id', '=', filter.acquisitionId);
    if (filter.siteId !== undefined) q = q.where('site_id', '=', filter.siteId);
    return (await q.orderBy('created_at').orderBy('id').execute()).map(toDetection);
  }

  /** Sites matching every given filter, most recently seen first. A bbox may cross the antimeridian (minLon > maxLon). */
  async listSites(filter: SiteFilter = {}): Promise<Site[]> {
    let q = this.db.selectFrom('site').selectAll();
    if (filter.bbox) {
      const [minLon, minLat, maxLon, maxLat] = filter.bbox;
      q = q.where('lat', '>=', minLat).where('lat', '<=', maxLat);
      q =
        minLon <= maxLon
          ? q.where('lon', '>=', minLon).where('lon', '<=', maxLon)
          : q.where((eb) => eb.or([eb('lon', '>=', minLon), eb('lon', '<=', maxLon)]));
    }
    if (filter.campaignId !== undefined) q = q.where('campaign_id', '=', filter.campaignId);
    if (filter.status !== undefined) q = q.where('status', '=', filter.status);
    if (filter.organizationId !== undefined) q = q.where('organization_id', '=', filter.organizationId);
    if (filter.referredToOrganizationId !== undefined) {
      const org = filter.referredToOrganizationId;
      q = q.where('id', 'in', (eb) => eb.selectFrom('referral').select('site_id').where('organization_id', '=', org));
    }
    if (filter.seenAfter !== undefined) q = q.where('last_seen', '>=', filter.seenAfter);
    if (filter.seenBefore !== undefined) q = q.where('last_seen', '<=', filter.seenBefore);
    if (filter.minRateKgPerHour !== undefined) q = q.where('rate_kg_per_hour', '>=', filter.minRateKgPerHour);
    if (filter.after !== undefined) {
      const { lastSeen, id } = filter.after;
      q = q.where((eb) =>
        eb.or([eb('last_seen', '<', lastSeen), eb.and([eb('last_seen', '=', lastSeen), eb('id', '>', id)])]),
      );
    }
    if (filter.gas !== undefined) {
      q = q.where(sql<boolean>`exists (select 1 from json_each(site.gases) where json_each.value = ${filter.gas})`);
    }
    q = q.orderBy('last_seen', 'desc').orderBy('id');
    if (filter.limit !== undefined) q = q.limit(filter.limit);
    return (await q.execute()).map(toSite);
  }

  async getSite(id: string): Promise<Site | null> {
    const r = await this.db.selectFrom('site').selectAll().where('id', '=', id).executeTakeFirst();
    return r ? toSite(r) : null;
  }

  // ---- review and referral workflow ------------------------------------------------------

  applyWorkflowAction(
    siteId: string,
    action: WorkflowAction,
    opts: { evidence?: NewEvidence } = {},
  ): Promise<WorkflowWriteResult> {
    return this.#write('apply workflow action', (trx) =>
      applyWorkflowActionIn(trx, siteId, action, opts, appendAuditIn),
    );
  }

  async listReviews(siteId: string): Promise<Review[]> {
    const rows = await this.db
      .selectFrom('review')
      .selectAll()
      .where('site_id', '=', siteId)
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    return rows.map(toReview);
  }

  async listReferrals(filter: ReferralFilter = {}): Promise<Referral[]> {
    let q = this.db.selectFrom('referral').selectAll('referral');
    if (filter.organizationId !== undefined) q = q.where('referral.organization_id', '=', filter.organizationId);
    if (filter.siteId !== undefined) q = q.where('referral.site_id', '=', filter.siteId);
    if (filter.siteOrganizationId !== undefined) {
      const org = filter.siteOrganizationId;
      q = q.where('referral.site_id', 'in', (eb) =>
        eb.selectFrom('site').select('id').where('organization_id', '=', org),
      );
    }
    return (await q.orderBy('referral.created_at', 'desc').orderBy('referral.id').execute()).map(toReferral);
  }

  async getReferral(id: string): Promise<Referral | null> {
    const r = await this.db.selectFrom('referral').selectAll().where('id', '=', id).executeTakeFirst();
    return r ? toReferral(r) : null;
  }

  async listReferralEvents(referralId: string): Promise<ReferralEvent[]> {
    const rows = await this.db
      .selectFrom('referral_event')
      .selectAll()
      .where('referral_id', '=', referralId)
      .orderBy('at')
      .orderBy('id')
      .execute();
    return rows.map(toReferralEvent);
  }

  async listEvidence(referralId: string): Promise<Evidence[]> {
    const rows = await this.db
      .selectFrom('evidence')
      .select(['id', 'referral_id', 'filename', 'media_type', 'sha256', 'size_bytes', 'uploaded_by', 'created_at'])
      .where('referral_id', '=', referralId)
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    return rows.map(toEvidence);
  }

  async getEvidenceContent(id: string): Promise<{ evidence: Evidence; content: Uint8Array } | null> {
    const r = await this.db.selectFrom('evidence').selectAll().where('id', '=', id).executeTakeFirst();
    return r ? { evidence: toEvidence(r), content: new Uint8Array(r.content) } : null;
  }

  async listNotifications(organizationId: string): Promise<Notification[]> {
    const rows = await this.db
      .selectFrom('notification')
      .selectAll()
      .where('organization_id', '=', organizationId)
      .orderBy('at', 'desc')
      .orderBy('id')
      .execute();
    return rows.map(toNotification);
  }

  async listOrganizations(): Promise<Organization[]> {
    return (await this.db.selectFrom('organization').selectAll().orderBy('name').execute()).map(toOrganization);
  }

  async getUser(id: string): Promise<User | null> {
    const r = await this.db.selectFrom('app_user').selectAll().where('id', '=', id).executeTakeFirst();
    return r ? toUser(r) : null;
  }

  siteCoverage(siteId: string): Promise<SiteCoverage> {
    return siteCoverageIn(this.db, siteId);
  }

  addReport(report: NewReport): Promise<Report> {
    return this.#write('add report', (trx) => addReportIn(trx, report, appendAuditIn));
  }

  listReports(filter: { organizationId?: string; siteId?: string }): Promise<Report[]> {
    return listReportsIn(this.db, filter);
  }

  loadPopulation(
    organizationId: string,
    dataset: string,
    points: readonly { lat: number; lon: number; people: number }[],
    opts: { actorUserId?: string | null } = {},
  ): Promise<{ points: number; people: number }> {
    return this.#write('load population', (trx) =>
      loadPopulationIn(trx, organizationId, dataset, points, opts.actorUserId ?? null, appendAuditIn),
    );
  }

  peopleNear(lat: number, lon: number, radiusM: number): Promise<{ distanceM: number; people: number }[]> {
    return peopleNearIn(this.db, lat, lon, radiusM);
  }

  async hasPopulationData(): Promise<boolean> {
    return (await this.db.selectFrom('population_point').select('id').limit(1).executeTakeFirst()) !== undefined;
  }

  /** The site's current referral (the latest), or null. */
  latestReferral(siteId: string): Promise<Referral | null> {
    return latestReferral(this.db, siteId);
  }

  // ---- audit log -------------------------------------------------------------------------

  appendAudit(event: NewAuditEvent): Promise<AuditEvent> {
    return this.#write('append audit event', (trx) => appendAuditIn(trx, event));
  }

  async listAudit(): Promise<AuditEvent[]> {
    return (await this.db.selectFrom('audit_event').selectAll().orderBy('seq').execute()).map(toAuditEvent);
  }
}
