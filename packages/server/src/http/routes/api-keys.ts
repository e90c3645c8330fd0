import type { FastifyReply, FastifyRequest } from 'fastify';
import { api, webhooks } from '@retract/protocol';
import type { Server } from '../app.js';
import {
  authenticateApiKey,
  bulkForcedRecall,
  createApiKey,
  forcedRecall,
  keyActor,
  listApiKeys,
  revokeApiKey,
} from '../../actions/api-keys.js';
import type { ActionContext, Actor } from '../../actions/context.js';
import { getRecallJob } from '../../actions/recall-jobs.js';
import { AppError } from '../../errors.js';
import type { ApiKeyRecord } from '../../storage/webhook-records.js';
import { actorOf, bearerToken } from '../authenticate.js';

declare module 'fastify' {
  interface FastifyRequest {
    apiKey: ApiKeyRecord | null;
  }
}

/**
 * An onRequest hook for the forced-recall routes only: `Authorization: Bearer rk_…` with a live key that
 * holds `scope`. A session token is not accepted here, and a key is accepted nowhere else.
 */
function requireApiKey(ctx: ActionContext, scope: webhooks.ApiKeyScope) {
  return async (request: FastifyRequest, _reply: FastifyReply): Promise<void> => {
    const token = bearerToken(request.headers.authorization);
    const key = token ? await authenticateApiKey(ctx, token) : null;
    if (!key) throw new AppError('unauthenticated');
    if (!key.scopes.includes(scope)) {
      throw new AppError('not_permitted', { reason: `this API key lacks the '${scope}' scope`, scope });
    }
    request.apiKey = key;
  };
}

function keyActorOf(request: FastifyRequest): Actor {
  if (!request.apiKey) throw new AppError('unauthenticated');
  return keyActor(request.apiKey, request.id);
}

/** Admin API keys (made by server admins) and the routes they authenticate: forced recall. */
export function apiKeyRoutes(app: Server): void {
  const { ctx, auth } = app.retract;
  const security = [{ bearer: [] }];
  const tags = ['admin'];
  app.decorateRequest('apiKey', null);

  app.post(
    '/v1/admin/api-keys',
    {
      schema: {
        tags,
        summary: 'Make a scoped API key; the key is returned this once (server admins)',
        body: webhooks.CreateApiKeyRequest,
        response: { 201: webhooks.CreatedApiKey },
        security,
      },
      onRequest: auth,
    },
    async (request, reply) =>
      reply
        .status(201)
        .header('cache-control', 'no-store')
        .send(await createApiKey(ctx, actorOf(request), request.body)),
  );

  app.get(
    '/v1/admin/api-keys',
    {
      schema: {
        tags,
        summary: 'API keys, without secrets (server admins)',
        response: { 200: webhooks.ApiKeyList },
        security,
      },
      onRequest: auth,
    },
    async (request) => listApiKeys(ctx, actorOf(request)),
  );

  app.delete(
    '/v1/admin/api-keys/:id',
    {
      schema: {
        tags,
        summary: 'Revoke an API key, at once on every node (server admins)',
        params: webhooks.ApiKeyParams,
        security,
      },
      onRequest: auth,
    },
    async (request, reply) => {
      await revokeApiKey(ctx, actorOf(request), request.params.id);
      return reply.status(204).send();
    },
  );

  app.post(
    '/v1/admin/messages/:id/recall',
    {
      schema: {
        tags,
        summary:
          'Forced recall with a reason, by an API key with the `recall` scope; audited as a server admin recall',
        params: api.IdParams,
        body: webhooks.ForcedRecallRequest,
        response: { 200: api.RecallResponse },
        security,
      },
      onRequest: requireApiKey(ctx, 'recall'),
    },
    async (request) => forcedRecall(ctx, keyActorOf(request), request.params.id, request.body.reason),
  );

  app.post(
    '/v1/admin/recalls',
    {
      schema: {
        tags,
        summary:
          'Bulk forced recall (listed messages, or one sender’s as a job), by an API key with `recall:bulk`',
        body: webhooks.BulkRecallRequest,
        response: { 200: webhooks.BulkRecallResponse, 202: webhooks.BulkRecallResponse },
        security,
      },
      onRequest: requireApiKey(ctx, 'recall:bulk'),
    },
    async (request, reply) => {
      const result = await bulkForcedRecall(ctx, keyActorOf(request), request.body);
      return reply.status(result.jobId === undefined ? 200 : 202).send(result);
    },
  );

  app.get(
    '/v1/admin/recall-jobs/:id',
    {
      schema: {
        tags,
        summary: 'Progress of a bulk forced recall job, by an API key with `recall:bulk`',
        params: api.IdParams,
        response: { 200: api.RecallJob },
        security,
      },
      onRequest: requireApiKey(ctx, 'recall:bulk'),
    },
    async (request) => getRecallJob(ctx, keyActorOf(request), request.params.id),
  );
}
