/**
 * Authentication and request security through app.inject, on a real SQLite file: every /api route
 * (as Fastify registered it, so routes added later are covered too) refuses a request without
 * credentials; sign-in, cookies, bearer tokens, CSRF, rate limits, headers and body handling.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../store/index.ts';
import type { Store, User } from '../../store/types.ts';
import { buildServer } from '../app.ts';
import { hashPassword } from './password.ts';
import { registeredRoutes, requireRole, SESSION_COOKIE } from './plugin.ts';

const PASSWORD = 'correct horse battery staple';
const ANALYST = 'ana@agency.example';
const PARTNER = 'liaison@police.example';

let tmp: string;
let store: Store;
let app: FastifyInstance;
let analyst: User;
let partner: User;
let analystToken: string;
let partnerToken: string;

type ErrorBody = { code: string; message: string; detail: string };

/** Routes a test adds after buildServer, as a later feature would: auth must cover them unasked. */
function addLateRoutes(server: FastifyInstance): void {
  server.post('/api/test/echo', async (request) => ({ body: request.body, actor: request.actor }));
  server.get('/api/test/admin-only', async (request) => {
    requireRole(request, ['admin']);
    return { ok: true };
  });
  server.get('/api/test/analysts', async (request) => {
    const user = requireRole(request, ['analyst', 'reviewer']);
    return { organizationKind: user.organizationKind, actor: request.actor };
  });
  server.register(
    async (scoped) => {
      scoped.put('/:id', async () => ({ ok: true }));
    },
    { prefix: '/api/test/scoped' },
  );
}

async function login(server: FastifyInstance, email: string, password = PASSWORD) {
  const r = await server.inject({ method: 'POST', url: '/api/session', payload: { email, password } });
  const cookie = r.cookies.find((c) => c.name === SESSION_COOKIE);
  return { r, cookie, csrf: r.statusCode === 200 ? (r.json() as { csrfToken: string }).csrfToken : '' };
}

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'plumetrace-auth-'));
  store = await openStore(join(tmp, 'auth.sqlite'));
  const agency = await store.createOrganization({ name: 'Agency', kind: 'analyst' });
  const police = await store.createOrganization({ name: 'Police', kind: 'partner' });
  const passwordHash = await hashPassword(PASSWORD);
  analyst = await store.createUser({
    organizationId: agency.id,
    email: ANALYST,
    displayName: 'Ana',
    role: 'analyst',
    passwordHash,
  });
  partner = await store.createUser({
    organizationId: police.id,
    email: PARTNER,
    displayName: 'Lia',
    role: 'partner',
    passwordHash,
  });
  await store.createUser({
    organizationId: agency.id,
    email: 'nopass@agency.example',
    displayName: 'N',
    role: 'viewer',
  });
  analystToken = (await store.createApiToken(analyst.id)).token;
  partnerToken = (await store.createApiToken(partner.id)).token;
  app = await buildServer({ store, auth: { rateLimit: { max: 100_000, loginMax: 100_000 } } });
  addLateRoutes(app);
  await app.ready();
});

afterAll(async () => {
  await app?.close();
  await store?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

/** A concrete URL for a route pattern (parameters and wildcards filled in). */
const concrete = (url: string): string => url.replace(/:[^/]+/g, 'x').replace(/\*/g, 'x');

describe('every /api route needs credentials', () => {
  const apiRoutes = () => registeredRoutes(app).filter((r) => r.url === '/api' || r.url.startsWith('/api/'));

  it('enumerates the routes Fastify registered, and only the sign-in is public', () => {
    const names = apiRoutes().map((r) => `${r.method} ${r.url}`);
    for (const expected of [
      'GET /api/health',
      'GET /api/sites',
      'GET /api/sites/:id',
      'GET /api/flights',
      'GET /api/basemap',
      'GET /api/session',
      'DELETE /api/session',
      'POST /api/test/echo',
      'PUT /api/test/scoped/:id',
    ]) {
      expect(names).toContain(expected);
    }
    expect(apiRoutes().filter((r) => r.public)).toEqual([{ method: 'POST', url: '/api/session', public: true }]);
  });

  it('answers 401 PT_ERR_UNAUTHENTICATED on each of them without credentials, or with bad ones', async () => {
    const routes = apiRoutes().filter((r) => !r.public);
    expect(routes.length).toBeGreaterThanOrEqual(10);
    const variants: Record<string, Record<string, string>> = {
      none: {},
      'unknown cookie': { cookie: `${SESSION_COOKIE}=not-a-session` },
      'unknown token': { authorization: 'Bearer pt_not-a-token' },
      'not a bearer': { authorization: `Basic ${Buffer.from(`${ANALYST}:${PASSWORD}`).toString('base64')}` },
    };
    for (const route of routes) {
      for (const [name, headers] of Object.entries(variants)) {
        const unsafe = !['GET', 'HEAD', 'OPTIONS'].includes(route.method);
        const r = await app.inject({
          method: route.method as 'GET',
          url: concrete(route.url),
          headers,
          ...(unsafe ? { payload: { x: 1 } } : {}),
        });
        expect(r.statusCode, `${route.method} ${route.url} (${name})`).toBe(401);
        if (route.method !== 'HEAD') {
          expect((r.json() as ErrorBody).code, `${route.method} ${route.url} (${name})`).toBe('PT_ERR_UNAUTHENTICATED');
        }
      }
    }
  });

  it('answers 401 for /api paths no route matches, however the path is spelled', async () => {
    for (const url of ['/api/nope', '/api', '/%61pi/sites', '/api/sites/../health', '/api//sites']) {
      const r = await app.inject({ url });
      expect(r.statusCode, url).toBe(401);
    }
  });

  it('lets the same routes through with a session cookie or a bearer token', async () => {
    const { cookie } = await login(app, ANALYST);
    for (const url of ['/api/health', '/api/sites', '/api/flights', '/api/session']) {
      const viaCookie = await app.inject({ url, cookies: { [SESSION_COOKIE]: cookie!.value } });
      expect(viaCookie.statusCode, url).toBe(200);
      const viaToken = await app.inject({ url, headers: { authorization: `Bearer ${analystToken}` } });
      expect(viaToken.statusCode, url).toBe(200);
    }
  });

  it('leaves the page and its assets public', async () => {
    for (const url of ['/', '/app.js', '/app.css', '/vendor/maplibre-gl/maplibre-gl.mjs']) {
      expect((await app.inject({ url })).statusCode, url).toBe(200);
    }
  });
});

describe('POST /api/session', () => {
  it('signs in: the user with their organization kind, a CSRF token, and a strict HttpOnly cookie', async () => {
    const { r, cookie, csrf } = await login(app, `  ${ANALYST.toUpperCase()} `);
    expect(r.statusCode).toBe(200);
    expect(r.json()).toEqual({
      user: {
        id: analyst.id,
        email: ANALYST,
        displayName: 'Ana',
        role: 'analyst',
        organizationId: analyst.organizationId,
        organizationKind: 'analyst',
      },
      csrfToken: csrf,
    });
    expect(csrf).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/', secure: true });
    expect(cookie!.value).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // 12 hours, give or take the request.
    expect(Math.abs(cookie!.maxAge! - 12 * 3600)).toBeLessThanOrEqual(2);
    expect(r.headers['cache-control']).toBe('no-store');
    // The store keeps only the token's hash.
    const audit = await store.listAudit();
    expect(JSON.stringify(audit)).not.toContain(cookie!.value);
    expect(audit.at(-1)).toMatchObject({ action: 'session.created', actorUserId: analyst.id });
  });

  it('answers a wrong password, an unknown user and a user without a password alike (401)', async () => {
    const wrong = await login(app, ANALYST, 'not the password at all');
    const unknown = await login(app, 'nobody@nowhere.example');
    const nopass = await login(app, 'nopass@agency.example');
    for (const { r, cookie } of [wrong, unknown, nopass]) {
      expect(r.statusCode).toBe(401);
      expect(cookie).toBeUndefined();
    }
    expect(unknown.r.json()).toEqual(wrong.r.json());
    expect(nopass.r.json()).toEqual(wrong.r.json());
    expect(wrong.r.json()).toEqual({
      code: 'PT_ERR_UNAUTHENTICATED',
      message: 'Sign-in required',
      detail: 'wrong email or password',
    });
  });

  it('records a failed sign-in with the email only as its SHA-256', async () => {
    await login(app, 'Mallory@Evil.example', 'guess-guess-guess');
    const event = (await store.listAudit()).at(-1)!;
    expect(event).toMatchObject({ action: 'session.login-failed', actorUserId: null, entityType: 'session' });
    expect(event.payload).toEqual({
      emailSha256: createHash('sha256').update('mallory@evil.example').digest('hex'),
    });
    expect(JSON.stringify(event).toLowerCase()).not.toContain('mallory');
  });

  it('rejects a body without a password or that is not JSON, and ignores extra fields', async () => {
    const missing = await app.inject({ method: 'POST', url: '/api/session', payload: { email: ANALYST } });
    expect(missing.statusCode).toBe(400);
    expect((missing.json() as ErrorBody).detail).toContain('body/password');
    const extra = await app.inject({
      method: 'POST',
      url: '/api/session',
      payload: { email: ANALYST, password: PASSWORD, role: 'admin' },
    });
    // Unknown fields are dropped by the schema (Fastify's Ajv removes them): no role from the client.
    expect(extra.statusCode).toBe(200);
    expect((extra.json() as { user: { role: string } }).user.role).toBe('analyst');
    const form = await app.inject({
      method: 'POST',
      url: '/api/session',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: `email=${ANALYST}&password=${PASSWORD}`,
    });
    expect(form.statusCode).toBe(415);
    expect((form.json() as ErrorBody).code).toBe('PT_ERR_UNSUPPORTED_MEDIA_TYPE');
  });

  it('leaves Secure off the cookie when the server is configured for plain-http local use', async () => {
    const local = await buildServer({ store, auth: { secureCookies: false } });
    try {
      const { cookie } = await login(local, ANALYST);
      expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/' });
      expect(cookie!.secure).toBeUndefined();
    } finally {
      await local.close();
    }
  });
});

describe('GET and DELETE /api/session', () => {
  it('tells who is signed in, with the CSRF token for a cookie and none for a token', async () => {
    const { cookie, csrf } = await login(app, PARTNER);
    const viaCookie = await app.inject({ url: '/api/session', cookies: { [SESSION_COOKIE]: cookie!.value } });
    expect(viaCookie.json()).toMatchObject({
      user: { id: partner.id, role: 'partner', organizationKind: 'partner' },
      csrfToken: csrf,
    });
    const viaToken = await app.inject({ url: '/api/session', headers: { authorization: `Bearer ${partnerToken}` } });
    expect(viaToken.json()).toMatchObject({ user: { id: partner.id }, csrfToken: null });
  });

  it('signs out: needs the CSRF token, revokes the session, clears the cookie', async () => {
    const { cookie, csrf } = await login(app, ANALYST);
    const cookies = { [SESSION_COOKIE]: cookie!.value };
    const noCsrf = await app.inject({ method: 'DELETE', url: '/api/session', cookies });
    expect(noCsrf.statusCode).toBe(403);
    expect((noCsrf.json() as ErrorBody).code).toBe('PT_ERR_CSRF');
    const out = await app.inject({ method: 'DELETE', url: '/api/session', cookies, headers: { 'x-csrf-token': csrf } });
    expect(out.statusCode).toBe(204);
    const cleared = out.cookies.find((c) => c.name === SESSION_COOKIE);
    expect(cleared?.value).toBe('');
    expect(cleared?.expires?.getTime()).toBeLessThanOrEqual(Date.now());
    expect((await store.listAudit()).at(-1)).toMatchObject({ action: 'session.revoked', actorUserId: analyst.id });
    const after = await app.inject({ url: '/api/sites', cookies });
    expect(after.statusCode).toBe(401);
    expect((after.json() as ErrorBody).detail).toContain('expired or was signed out');
  });

  it('refuses an expired session, and clears its cookie', async () => {
    const session = await store.createSession(analyst.id, { ttlS: 0.001 });
    await new Promise((resolve) => setTimeout(resolve, 20));
    const r = await app.inject({ url: '/api/sites', cookies: { [SESSION_COOKIE]: session.token } });
    expect(r.statusCode).toBe(401);
    expect(r.cookies.find((c) => c.name === SESSION_COOKIE)?.value).toBe('');
  });

  it('signing in again ends the session the browser still held', async () => {
    const first = await login(app, ANALYST);
    const again = await app.inject({
      method: 'POST',
      url: '/api/session',
      cookies: { [SESSION_COOKIE]: first.cookie!.value },
      payload: { email: ANALYST, password: PASSWORD },
    });
    expect(again.statusCode).toBe(200);
    const second = again.cookies.find((c) => c.name === SESSION_COOKIE)!;
    expect(second.value).not.toBe(first.cookie!.value);
    expect(await store.findSession(first.cookie!.value)).toBeNull();
    expect((await store.findSession(second.value))?.user.id).toBe(analyst.id);
  });
});

describe('request.user, request.actor and requireRole', () => {
  it('sets the actor the workflow machine uses, and requireRole answers 403 PT_ERR_FORBIDDEN', async () => {
    const headers = { authorization: `Bearer ${analystToken}` };
    const ok = await app.inject({ url: '/api/test/analysts', headers });
    expect(ok.json()).toEqual({
      organizationKind: 'analyst',
      actor: { userId: analyst.id, role: 'analyst', organizationId: analyst.organizationId },
    });
    const denied = await app.inject({ url: '/api/test/admin-only', headers });
    expect(denied.statusCode).toBe(403);
    expect(denied.json()).toEqual({
      code: 'PT_ERR_FORBIDDEN',
      message: 'Not allowed for this role',
      detail: 'GET /api/test/admin-only needs the role admin; you are analyst',
    });
    const partnerDenied = await app.inject({
      url: '/api/test/analysts',
      headers: { authorization: `Bearer ${partnerToken}` },
    });
    expect(partnerDenied.statusCode).toBe(403);
  });
});

describe('CSRF', () => {
  it('needs X-CSRF-Token equal to the session token on unsafe cookie requests; bearer requests are exempt', async () => {
    const { cookie, csrf } = await login(app, ANALYST);
    const cookies = { [SESSION_COOKIE]: cookie!.value };
    const post = (headers: Record<string, string>, withCookie = true) =>
      app.inject({
        method: 'POST',
        url: '/api/test/echo',
        payload: { hello: 'world' },
        headers,
        ...(withCookie ? { cookies } : {}),
      });
    for (const [name, headers] of [
      ['missing', {}],
      ['wrong', { 'x-csrf-token': `${csrf.slice(0, -1)}${csrf.endsWith('A') ? 'B' : 'A'}` }],
      ['another session', { 'x-csrf-token': (await login(app, ANALYST)).csrf }],
      ['empty', { 'x-csrf-token': '' }],
    ] as const) {
      const r = await post(headers);
      expect(r.statusCode, name).toBe(403);
      expect((r.json() as ErrorBody).code, name).toBe('PT_ERR_CSRF');
    }
    const ok = await post({ 'x-csrf-token': csrf });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ body: { hello: 'world' }, actor: { userId: analyst.id } });
    const bearer = await post({ authorization: `Bearer ${partnerToken}` }, false);
    expect(bearer.statusCode).toBe(200);
    expect(bearer.json()).toMatchObject({ actor: { userId: partner.id, role: 'partner' } });
    // Safe methods need no token.
    expect((await app.inject({ url: '/api/sites', cookies })).statusCode).toBe(200);
  });
});

describe('request bodies', () => {
  const bearer = () => ({ authorization: `Bearer ${analystToken}` });

  it('answers malformed or empty JSON with 400 PT_ERR_MALFORMED_JSON, never 500', async () => {
    for (const payload of ['{"email": ', '{]', 'nul', '']) {
      const r = await app.inject({
        method: 'POST',
        url: '/api/test/echo',
        headers: { ...bearer(), 'content-type': 'application/json' },
        payload,
      });
      expect(r.statusCode, payload).toBe(400);
      expect((r.json() as ErrorBody).code, payload).toBe('PT_ERR_MALFORMED_JSON');
    }
    const login = await app.inject({
      method: 'POST',
      url: '/api/session',
      headers: { 'content-type': 'application/json' },
      payload: '{"email":"a@b", "password": }',
    });
    expect(login.statusCode).toBe(400);
    expect((login.json() as ErrorBody).code).toBe('PT_ERR_MALFORMED_JSON');
  });

  it('answers a body that is not JSON with 415 PT_ERR_UNSUPPORTED_MEDIA_TYPE', async () => {
    for (const type of [
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'application/xml',
    ]) {
      const r = await app.inject({
        method: 'POST',
        url: '/api/test/echo',
        headers: { ...bearer(), 'content-type': type },
        payload: '{"hello":"world"}',
      });
      expect(r.statusCode, type).toBe(415);
      expect((r.json() as ErrorBody).code, type).toBe('PT_ERR_UNSUPPORTED_MEDIA_TYPE');
    }
  });

  it('answers a body over the limit with 413 PT_ERR_BODY_TOO_LARGE', async () => {
    const r = await app.inject({
      method: 'POST',
      url: '/api/test/echo',
      headers: bearer(),
      payload: { blob: 'x'.repeat(1024 * 1024 + 1) },
    });
    expect(r.statusCode).toBe(413);
    expect((r.json() as ErrorBody).code).toBe('PT_ERR_BODY_TOO_LARGE');
  });
});

describe('rate limits', () => {
  it('limits sign-in attempts per address, with the usual error body', async () => {
    const limited = await buildServer({ store, auth: { rateLimit: { loginMax: 3, max: 1000 } } });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) statuses.push((await login(limited, ANALYST, 'wrong password!!')).r.statusCode);
      expect(statuses).toEqual([401, 401, 401, 429]);
      const r = (await login(limited, ANALYST)).r;
      expect(r.statusCode).toBe(429);
      expect(Object.keys(r.json() as object).sort()).toEqual(['code', 'detail', 'message']);
      expect((r.json() as ErrorBody).code).toBe('PT_ERR_RATE_LIMITED');
      expect(Number(r.headers['retry-after'])).toBeGreaterThan(0);
      // Another address is not limited.
      const elsewhere = await limited.inject({
        method: 'POST',
        url: '/api/session',
        remoteAddress: '198.51.100.7',
        payload: { email: ANALYST, password: PASSWORD },
      });
      expect(elsewhere.statusCode).toBe(200);
    } finally {
      await limited.close();
    }
  });

  it('limits requests per principal', async () => {
    const limited = await buildServer({ store, auth: { rateLimit: { max: 5 } } });
    try {
      const get = (token: string) =>
        limited.inject({ url: '/api/health', headers: { authorization: `Bearer ${token}` } });
      const statuses: number[] = [];
      for (let i = 0; i < 6; i++) statuses.push((await get(analystToken)).statusCode);
      expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
      expect(((await get(analystToken)).json() as ErrorBody).code).toBe('PT_ERR_RATE_LIMITED');
      // The partner, from the same address, has a budget of their own.
      expect((await get(partnerToken)).statusCode).toBe(200);
    } finally {
      await limited.close();
    }
  });
});

describe('security headers', () => {
  it('sends CSP, HSTS, no-referrer, nosniff and no framing, on the page and on the API', async () => {
    for (const r of [
      await app.inject({ url: '/' }),
      await app.inject({ url: '/api/health', headers: { authorization: `Bearer ${analystToken}` } }),
      await app.inject({ url: '/api/health' }),
    ]) {
      const csp = String(r.headers['content-security-policy']);
      expect(csp).toContain("default-src 'self'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("worker-src 'self' blob:");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).toContain("object-src 'none'");
      expect(csp).not.toContain('unsafe-eval');
      expect(r.headers['referrer-policy']).toBe('no-referrer');
      expect(r.headers['x-content-type-options']).toBe('nosniff');
      expect(r.headers['x-frame-options']).toBe('DENY');
      expect(String(r.headers['strict-transport-security'])).toMatch(/max-age=\d{7,}/);
    }
  });
});
