import { api, webhooks } from '@retract/protocol';
import type { Server } from '../app.js';
import {
  createWebhook,
  deleteWebhook,
  listWebhookDeliveries,
  listWebhooks,
  rotateWebhookSecret,
} from '../../actions/webhooks.js';
import { actorOf } from '../authenticate.js';
import { optionalBody } from '../optional-body.js';

/** Webhook subscriptions and their delivery log (docs/webhooks.md), for server admins. */
export function webhookRoutes(app: Server): void {
  const { ctx, auth } = app.retract;
  const security = [{ bearer: [] }];
  const tags = ['admin'];

  app.post(
    '/v1/admin/webhooks',
    {
      schema: {
        tags,
        summary: 'Subscribe a URL to events; the signing secret is returned this once (server admins)',
        body: webhooks.CreateWebhookRequest,
        response: { 201: webhooks.WebhookWithSecret },
        security,
      },
      onRequest: auth,
    },
    async (request, reply) =>
      reply
        .status(201)
        .header('cache-control', 'no-store')
        .send(await createWebhook(ctx, actorOf(request), request.body)),
  );

  app.get(
    '/v1/admin/webhooks',
    {
      schema: {
        tags,
        summary: 'Webhook subscriptions, without secrets (server admins)',
        response: { 200: webhooks.WebhookList },
        security,
      },
      onRequest: auth,
    },
    async (request) => listWebhooks(ctx, actorOf(request)),
  );

  app.delete(
    '/v1/admin/webhooks/:id',
    {
      schema: {
        tags,
        summary: 'Remove a subscription and its delivery log (server admins)',
        params: webhooks.WebhookParams,
        security,
      },
      onRequest: auth,
    },
    async (request, reply) => {
      await deleteWebhook(ctx, actorOf(request), request.params.id);
      return reply.status(204).send();
    },
  );

  app.post(
    '/v1/admin/webhooks/:id/rotate-secret',
    {
      schema: {
        tags,
        summary: 'Replace the signing secret; the new one is returned this once (server admins)',
        params: webhooks.WebhookParams,
        body: api.EmptyBody,
        response: { 200: webhooks.WebhookWithSecret },
        security,
      },
      preValidation: optionalBody,
      onRequest: auth,
    },
    async (request, reply) =>
      reply
        .header('cache-control', 'no-store')
        .send(await rotateWebhookSecret(ctx, actorOf(request), request.params.id)),
  );

  app.get(
    '/v1/admin/webhooks/:id/deliveries',
    {
      schema: {
        tags,
        summary:
          'The delivery log, newest first: event, attempts, last status and error — never bodies (server admins)',
        params: webhooks.WebhookParams,
        querystring: webhooks.WebhookDeliveriesQuery,
        response: { 200: webhooks.WebhookDeliveryList },
        security,
      },
      onRequest: auth,
    },
    async (request) =>
      listWebhookDeliveries(ctx, actorOf(request), request.params.id, request.query.limit ?? 100),
  );
}
