import type { FastifyError, FastifyInstance } from 'fastify';
import { errorPayload, errorRegistry, limits, type ErrorCode } from '@retract/protocol';
import { AppError } from '../errors.js';
import { StorageUnavailableError } from '../storage/storage.js';

/**
 * Every failure leaves as `{ error: { code, message, details } }` with a registry code and the registry's
 * status. Unknown failures become `internal`, logged with the request id; no stack trace reaches a client.
 */
export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const { code, details } = classify(error);
    const payload = errorPayload(code, details);
    if (code === 'internal') request.log.error({ err: error }, 'unhandled error');
    else if (code === 'unavailable') request.log.warn({ err: error }, 'storage unavailable');
    void reply
      .status(statusOf(error, code))
      .header('cache-control', 'no-store')
      .send({ error: { ...payload, details: { ...payload.details, requestId: request.id } } });
  });
  app.setNotFoundHandler((request, reply) => {
    void reply.status(404).send({
      error: errorPayload('route_not_found', { method: request.method, path: request.url.split('?')[0] }),
    });
  });
}

function statusOf(error: FastifyError, code: ErrorCode): number {
  if (error instanceof AppError) return error.status;
  return errorStatus[code];
}

const errorStatus = Object.fromEntries(
  Object.entries(errorRegistry).map(([k, v]) => [k, v.status]),
) as Record<ErrorCode, number>;

function classify(error: FastifyError): { code: ErrorCode; details?: Record<string, unknown> } {
  if (error instanceof AppError)
    return { code: error.code, ...(error.details ? { details: error.details } : {}) };
  if (error instanceof StorageUnavailableError) return { code: 'unavailable' };
  if (error.validation) {
    return {
      code: 'invalid_request',
      details: {
        in: error.validationContext ?? 'body',
        problems: error.validation.slice(0, 10).map((v) => ({
          path: v.instancePath || '/',
          message: v.message ?? 'invalid',
          ...(v.keyword === 'additionalProperties' ? { field: String(v.params['additionalProperty']) } : {}),
        })),
      },
    };
  }
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return { code: 'body_too_large', details: { limit: limits.maxBodyBytes } };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return { code: 'unsupported_media_type' };
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return { code: 'invalid_json' };
  }
  // JSON.parse's SyntaxError and secure-json-parse's prototype-poisoning refusal arrive as 400s.
  if (error instanceof SyntaxError || error.statusCode === 400) return { code: 'invalid_json' };
  if (error.statusCode === 413) return { code: 'body_too_large', details: { limit: limits.maxBodyBytes } };
  if (error.statusCode === 415) return { code: 'unsupported_media_type' };
  if (error.statusCode === 404) return { code: 'route_not_found' };
  if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
    return { code: 'invalid_request' };
  }
  return { code: 'internal' };
}
