/**
 * The OpenAPI document, generated from the routes' JSON schemas (the schemas are the contract),
 * served at /api/docs (Swagger UI) and /api/docs/json. Like every /api route it needs a session or
 * a token: sign in to the app first, then open /api/docs in the same browser.
 */
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';

export async function registerOpenApi(app: FastifyInstance): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'plumetrace API',
        version: '0.1.0',
        description:
          'Sites, detections, flights, reviews, referrals and the audit log. Authenticate with the session ' +
          'cookie from POST /api/session (unsafe methods then need the X-CSRF-Token header) or with ' +
          '`Authorization: Bearer <token>` (plumetrace token create).',
      },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer' },
          session: { type: 'apiKey', in: 'cookie', name: 'pt_session' },
        },
      },
      security: [{ bearer: [] }, { session: [] }],
    },
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => (json.$id as string) ?? `def-${i}` },
  });
  await app.register(swaggerUi, { routePrefix: '/api/docs', staticCSP: true });
}
