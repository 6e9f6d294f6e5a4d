/**
 * Authentication and request security for the whole server.
 *
 * - Every route under /api needs a principal — a session cookie (`pt_session`) or an
 *   `Authorization: Bearer <API token>` — except the routes marked `config: { public: true }`
 *   (only `POST /api/session`, the sign-in). The check is one onRequest hook on the root instance,
 *   so a route anyone adds later is covered without doing anything, and so is a path no route
 *   matches (an unauthenticated client learns nothing about which routes exist).
 * - A cookie-authenticated request that changes something (POST, PUT, PATCH, DELETE) carries the
 *   session's CSRF token in `X-CSRF-Token`; bearer requests are exempt (a browser never adds that
 *   header cross-site by itself).
 * - Bodies sent to /api are JSON only (415 otherwise); rate limits per principal or address, and a
 *   strict one on sign-in; security headers (CSP, HSTS, no-referrer, nosniff, no framing).
 *
 * Sets `request.user` and `request.actor` for the route handlers; `requireRole` checks a role.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import fastifyCookie from '@fastify/cookie';
import fastifyHelmet from '@fastify/helmet';
import fastifyRateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import { PlumetraceError } from '../../core/errors.ts';
import type { Actor } from '../../core/workflow/machine.ts';
import type { Role, Store, UserWithOrganization } from '../../store/types.ts';
import { errorResponses } from '../schemas.ts';
import { hashPassword, verifyPassword } from './password.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The signed-in user (with their organization's kind); null outside /api and on public routes. */
    user: UserWithOrganization | null;
    /** The same user as the workflow machine sees them; null when `user` is. */
    actor: Actor | null;
    /** How the request authenticated. */
    authVia: 'session' | 'bearer' | null;
  }
  interface FastifyContextConfig {
    /** An /api route anyone may call without signing in. Only the sign-in route should be. */
    public?: boolean;
  }
}

export const SESSION_COOKIE = 'pt_session';
export const CSRF_HEADER = 'x-csrf-token';

export interface RateLimitOptions {
  /** Requests per window per principal (or address, when unauthenticated). Default 600. */
  max?: number;
  /** Sign-in attempts per window per address. Default 10. */
  loginMax?: number;
  /** The window, in milliseconds. Default 60 000. */
  timeWindowMs?: number;
}

export interface AuthOptions {
  /** Mark the session cookie Secure (sent over HTTPS only). Default true; false for plain-http local use. */
  secureCookies?: boolean;
  /** How long a session lasts, seconds (default: the store's, 12 h). */
  sessionTtlS?: number;
  rateLimit?: RateLimitOptions;
}

/**
 * The page may load from its own origin only: no tile server, no fonts, nothing on the internet.
 * MapLibre runs its worker from a same-origin module URL (or a blob: one) and styles map elements inline.
 */
export const CSP_DIRECTIVES = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  workerSrc: ["'self'", 'blob:'],
  styleSrc: ["'self'", "'unsafe-inline'"],
  imgSrc: ["'self'", 'data:', 'blob:'],
  connectSrc: ["'self'"],
  fontSrc: ["'self'"],
  objectSrc: ["'none'"],
  baseUri: ["'self'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
};

const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const JSON_TYPE = /^application\/json\s*(?:;|$)/i;
const BEARER = /^Bearer +([A-Za-z0-9._~+/=-]+) *$/;
const LOGIN_FAILED = 'wrong email or password';

/** The session routes' schemas. */
const userSchema = {
  type: 'object',
  required: ['id', 'email', 'displayName', 'role', 'organizationId', 'organizationKind'],
  properties: {
    id: { type: 'string' },
    email: { type: 'string' },
    displayName: { type: 'string' },
    role: { type: 'string', enum: ['admin', 'analyst', 'reviewer', 'partner', 'viewer'] },
    organizationId: { type: 'string' },
    organizationKind: { type: 'string', enum: ['analyst', 'partner'] },
  },
  additionalProperties: false,
} as const;

export const sessionResponse = {
  type: 'object',
  required: ['user', 'csrfToken'],
  properties: {
    user: userSchema,
    csrfToken: {
      type: ['string', 'null'],
      description: 'Send back as X-CSRF-Token on unsafe requests; null when authenticated by an API token',
    },
  },
  additionalProperties: false,
} as const;

export const sessionBody = {
  type: 'object',
  required: ['email', 'password'],
  properties: {
    email: { type: 'string', minLength: 1, maxLength: 320 },
    password: { type: 'string', minLength: 1, maxLength: 1024 },
  },
  additionalProperties: false,
} as const;

/** Every route the server has, as Fastify registered it (the auth tests walk this list). */
export interface RegisteredRoute {
  method: string;
  url: string;
  public: boolean;
}
const routesByApp = new WeakMap<FastifyInstance, RegisteredRoute[]>();
/** The CSRF token of the session a request came with. */
const csrfOf = new WeakMap<FastifyRequest, string>();

/** The routes registered on `app` since `registerAuth` (each method on its own line). */
export function registeredRoutes(app: FastifyInstance): readonly RegisteredRoute[] {
  return routesByApp.get(app) ?? [];
}

/** Throws 403 PT_ERR_FORBIDDEN unless the signed-in user has one of `roles`. */
export function requireRole(request: FastifyRequest, roles: readonly Role[]): UserWithOrganization {
  const user = requireUser(request);
  if (!roles.includes(user.role)) {
    throw new PlumetraceError(
      'PT_ERR_FORBIDDEN',
      `${request.method} ${request.routeOptions.url ?? request.url} needs the role ${roles.join(' or ')}; you are ${user.role}`,
    );
  }
  return user;
}

const sha256Hex = (s: string): string => createHash('sha256').update(s).digest('hex');

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function pathOf(url: string): string {
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}

const underApi = (path: string | undefined): boolean =>
  path !== undefined && (path === '/api' || path.startsWith('/api/'));

/** Whether a request is for the API: by the route it matched (decoded) or, unmatched, by its raw path. */
function isApiRequest(request: FastifyRequest): boolean {
  return underApi(request.routeOptions.url) || underApi(pathOf(request.url));
}

function hasBody(request: FastifyRequest): boolean {
  const length = request.headers['content-length'];
  return (length !== undefined && length !== '0') || request.headers['transfer-encoding'] !== undefined;
}

function toActor(user: UserWithOrganization): Actor {
  return { userId: user.id, role: user.role, organizationId: user.organizationId };
}

function publicUser(user: UserWithOrganization) {
  return {
    id: user.id,
    email: user.email,
    displayName: user.displayName,
    role: user.role,
    organizationId: user.organizationId,
    organizationKind: user.organizationKind,
  };
}

/**
 * Registers cookies, security headers, rate limits, the authentication hook and the session routes
 * on `app` itself (not encapsulated), so every route registered afterwards is covered.
 */
export async function registerAuth(app: FastifyInstance, store: Store, opts: AuthOptions = {}): Promise<void> {
  const secure = opts.secureCookies ?? true;
  const windowMs = opts.rateLimit?.timeWindowMs ?? 60_000;
  const cookieOptions = { path: '/', httpOnly: true, sameSite: 'strict', secure } as const;

  const routes: RegisteredRoute[] = [];
  routesByApp.set(app, routes);
  app.addHook('onRoute', (route: RouteOptions) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) {
      routes.push({ method, url: route.url, public: route.config?.public === true });
    }
  });

  app.decorateRequest('user', null);
  app.decorateRequest('actor', null);
  app.decorateRequest('authVia', null);

  await app.register(fastifyCookie);
  await app.register(fastifyHelmet, {
    contentSecurityPolicy: { useDefaults: false, directives: CSP_DIRECTIVES },
    referrerPolicy: { policy: 'no-referrer' },
    frameguard: { action: 'deny' },
    strictTransportSecurity: { maxAge: 31_536_000, includeSubDomains: true },
  });

  // Authentication, CSRF and body type, before any route handler (and before the rate limits,
  // which run as route hooks and so can count by the principal found here).
  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    if (!isApiRequest(request)) return;
    if (request.routeOptions.config?.public !== true) await authenticate(request, reply);
    if (UNSAFE_METHODS.has(request.method) && hasBody(request)) {
      const type = request.headers['content-type'];
      if (type === undefined || !JSON_TYPE.test(type)) {
        throw new PlumetraceError(
          'PT_ERR_UNSUPPORTED_MEDIA_TYPE',
          `the API takes request bodies as application/json, not ${type === undefined ? 'an untyped body' : `"${type}"`}`,
        );
      }
    }
  });

  async function authenticate(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const authorization = request.headers.authorization;
    if (authorization !== undefined) {
      const m = BEARER.exec(authorization);
      if (!m) {
        throw new PlumetraceError('PT_ERR_UNAUTHENTICATED', 'the Authorization header must be "Bearer <token>"');
      }
      const user = await store.findUserByApiToken(m[1]);
      const org = user ? await store.getOrganization(user.organizationId) : null;
      if (!user || !org) throw new PlumetraceError('PT_ERR_UNAUTHENTICATED', 'the API token is unknown or revoked');
      setPrincipal(request, { ...user, organizationKind: org.kind }, 'bearer');
      return;
    }
    const token = request.cookies[SESSION_COOKIE];
    if (token === undefined || token === '') {
      throw new PlumetraceError(
        'PT_ERR_UNAUTHENTICATED',
        'sign in (POST /api/session), or send Authorization: Bearer <token>',
      );
    }
    const session = await store.findSession(token);
    if (!session) {
      reply.clearCookie(SESSION_COOKIE, cookieOptions); // a dead cookie, no use keeping it
      throw new PlumetraceError('PT_ERR_UNAUTHENTICATED', 'the session has expired or was signed out; sign in again');
    }
    setPrincipal(request, session.user, 'session');
    csrfOf.set(request, session.csrfToken);
    if (UNSAFE_METHODS.has(request.method)) {
      const sent = request.headers[CSRF_HEADER];
      if (typeof sent !== 'string' || sent === '') {
        throw new PlumetraceError(
          'PT_ERR_CSRF',
          `${request.method} with a session cookie needs the X-CSRF-Token header`,
        );
      }
      if (!sameSecret(sent, session.csrfToken)) {
        throw new PlumetraceError('PT_ERR_CSRF', "X-CSRF-Token does not match this session's token");
      }
    }
  }

  function setPrincipal(request: FastifyRequest, user: UserWithOrganization, via: 'session' | 'bearer'): void {
    request.user = user;
    request.actor = toActor(user);
    request.authVia = via;
  }

  await app.register(fastifyRateLimit, {
    global: true,
    max: opts.rateLimit?.max ?? 600,
    timeWindow: windowMs,
    keyGenerator: (request) => (request.user ? `user:${request.user.id}` : `ip:${request.ip}`),
    errorResponseBuilder: (_request, context) =>
      new PlumetraceError(
        'PT_ERR_RATE_LIMITED',
        `more than ${context.max} requests in ${context.after}; try again in ${Math.ceil(context.ttl / 1000)} s`,
      ),
  });

  // A hash to verify against when the email is unknown, so that answer takes as long as a wrong
  // password. Made on the first sign-in (whoever it is for), not at start: tests build many servers.
  let dummyHash: Promise<string> | undefined;
  const dummy = (): Promise<string> => {
    dummyHash ??= hashPassword('plumetrace: no such user, compare anyway');
    return dummyHash;
  };

  app.post<{ Body: { email: string; password: string } }>(
    '/api/session',
    {
      config: {
        public: true,
        rateLimit: {
          max: opts.rateLimit?.loginMax ?? 10,
          timeWindow: windowMs,
          keyGenerator: (request: FastifyRequest) => `login:${request.ip}`,
        },
      },
      schema: { body: sessionBody, response: { 200: sessionResponse, ...errorResponses } },
    },
    async (request, reply) => {
      const { email, password } = request.body;
      const fallback = await dummy();
      const found = await store.findUserCredentials(email);
      const ok = await verifyPassword(password, found?.passwordHash ?? fallback);
      if (!found || found.passwordHash === null || !ok) {
        await store.appendAudit({
          action: 'session.login-failed',
          entityType: 'session',
          entityId: null,
          actorUserId: null,
          // Who tried is not ours to keep: the address only as a hash, to spot repeated attempts.
          payload: { emailSha256: sha256Hex(email.trim().toLowerCase()) },
        });
        throw new PlumetraceError('PT_ERR_UNAUTHENTICATED', LOGIN_FAILED);
      }
      // A new session every time; one the browser still held ends here (no session fixation).
      const previous = request.cookies[SESSION_COOKIE];
      if (previous) await store.revokeSession(previous);
      const session = await store.createSession(found.user.id, { ttlS: opts.sessionTtlS });
      const maxAge = Math.max(1, Math.floor((Date.parse(session.expiresAt) - Date.now()) / 1000));
      reply.setCookie(SESSION_COOKIE, session.token, { ...cookieOptions, maxAge });
      reply.header('cache-control', 'no-store');
      return { user: publicUser(found.user), csrfToken: session.csrfToken };
    },
  );

  app.get(
    '/api/session',
    { schema: { response: { 200: sessionResponse, ...errorResponses } } },
    async (request, reply) => {
      const user = requireUser(request);
      reply.header('cache-control', 'no-store');
      return { user: publicUser(user), csrfToken: csrfOf.get(request) ?? null };
    },
  );

  app.delete('/api/session', { schema: { response: errorResponses } }, async (request, reply: FastifyReply) => {
    requireUser(request);
    if (request.authVia === 'session') await store.revokeSession(request.cookies[SESSION_COOKIE] ?? '');
    reply.clearCookie(SESSION_COOKIE, cookieOptions);
    return reply.code(204).send();
  });
}

/** The signed-in user (always set on a non-public /api route; throws 401 elsewhere). */
export function requireUser(request: FastifyRequest): UserWithOrganization {
  if (!request.user) throw new PlumetraceError('PT_ERR_UNAUTHENTICATED', 'not signed in');
  return request.user;
}
