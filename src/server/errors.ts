/**
 * How the server reports errors: every error body is {code, message, detail} with a code from the
 * registry in core/errors.ts. Bad input is a 4xx naming what was wrong; only our own faults are 500,
 * and those never carry a stack trace or an internal message to the client.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ERROR_CODES, type ErrorCode, isPlumetraceError } from '../core/errors.ts';

export interface ErrorBody {
  code: ErrorCode;
  message: string;
  detail: string;
}

export function errorBody(code: ErrorCode, detail: string): ErrorBody {
  return { code, message: ERROR_CODES[code].message, detail };
}

/** Status and body for any error thrown while serving a request. */
export function describeError(error: unknown): { status: number; body: ErrorBody; internal: boolean } {
  if (isPlumetraceError(error)) {
    return { status: error.httpStatus, body: errorBody(error.code, error.detail), internal: error.httpStatus >= 500 };
  }
  const fe = error as Partial<FastifyError> | null;
  if (fe && typeof fe === 'object' && Array.isArray(fe.validation)) {
    const context = fe.validationContext ?? 'request';
    const detail = fe.validation
      .map((v) => `${context}${v.instancePath || ''}${describeParam(v.params)} ${v.message ?? 'is invalid'}`)
      .join('; ');
    return { status: 400, body: errorBody('PT_ERR_BAD_REQUEST', detail), internal: false };
  }
  // Fastify's own client errors (malformed JSON, body too large, unsupported media type, …).
  const status = fe && typeof fe === 'object' ? fe.statusCode : undefined;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    const code = frameworkCode(status, fe?.code);
    return { status, body: errorBody(code, fe?.message ?? ERROR_CODES[code].message), internal: false };
  }
  return {
    status: 500,
    body: errorBody('PT_ERR_INTERNAL', 'The server could not complete the request; the error was logged.'),
    internal: true,
  };
}

/** The registered code for a client error Fastify itself raised (body parsing, routing). */
function frameworkCode(status: number, fastifyCode: string | undefined): ErrorCode {
  if (fastifyCode === 'FST_ERR_CTP_INVALID_JSON_BODY' || fastifyCode === 'FST_ERR_CTP_EMPTY_JSON_BODY') {
    return 'PT_ERR_MALFORMED_JSON';
  }
  if (status === 404) return 'PT_ERR_NOT_FOUND';
  if (status === 413) return 'PT_ERR_BODY_TOO_LARGE';
  if (status === 415) return 'PT_ERR_UNSUPPORTED_MEDIA_TYPE';
  if (status === 429) return 'PT_ERR_RATE_LIMITED';
  return 'PT_ERR_BAD_REQUEST';
}

/** Names the offending property for errors Ajv reports on the parent object (required, additionalProperties). */
function describeParam(params: Record<string, unknown> | undefined): string {
  if (!params) return '';
  if (typeof params.additionalProperty === 'string') return `/${params.additionalProperty}`;
  if (typeof params.missingProperty === 'string') return `/${params.missingProperty}`;
  return '';
}

/**
 * For Fastify's `frameworkErrors` option: errors found before routing (a URL that does not decode)
 * get the same body as every other error.
 */
export function frameworkErrorHandler(error: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
  const { status, body } = describeError(error);
  reply.code(status).type('application/json; charset=utf-8').send(body);
}

export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: unknown, request: FastifyRequest, reply: FastifyReply) => {
    const { status, body, internal } = describeError(error);
    if (internal) request.log.error({ err: error }, 'request failed');
    else request.log.info({ code: body.code, detail: body.detail }, 'request rejected');
    return reply.code(status).type('application/json; charset=utf-8').send(body);
  });

  app.setNotFoundHandler((request: FastifyRequest, reply: FastifyReply) => {
    const path = request.url.split('?')[0];
    return reply
      .code(404)
      .type('application/json; charset=utf-8')
      .send(errorBody('PT_ERR_NOT_FOUND', `No resource at ${request.method} ${path}`));
  });
}
