import { api, limits } from '@retract/protocol';
import type { Server } from '../app.js';
import { history, sendMessage } from '../../actions/messages.js';
import { recallMessage } from '../../actions/recall.js';
import { hideMessage } from '../../actions/hide.js';
import { checkMessage } from '../../actions/check.js';
import { markRead } from '../../actions/read.js';
import { actorOf } from '../authenticate.js';
import { optionalBody } from '../optional-body.js';

export function messageRoutes(app: Server): void {
  const { ctx, auth } = app.retract;
  const security = [{ bearer: [] }];

  app.post(
    '/v1/conversations/:id/messages',
    {
      schema: {
        tags: ['messages'],
        summary: 'Send a text message (idempotent per clientMsgId)',
        params: api.IdParams,
        body: api.SendMessageRequest,
        response: { 200: api.SendMessageResponse, 201: api.SendMessageResponse },
        security,
      },
      onRequest: auth,
    },
    async (request, reply) => {
      const result = await sendMessage(ctx, actorOf(request), {
        ...request.body,
        conversationId: request.params.id,
      });
      return reply.status(result.created ? 201 : 200).send(result);
    },
  );

  app.post(
    '/v1/conversations/:id/read',
    {
      schema: {
        tags: ['messages'],
        summary: 'Read receipt: the caller has read the conversation up to a message',
        params: api.IdParams,
        body: api.ReadRequest,
        security,
      },
      onRequest: auth,
    },
    async (request) => markRead(ctx, actorOf(request), request.params.id, request.body.upTo),
  );

  app.post(
    '/v1/conversations/:id/messages::check',
    {
      schema: {
        tags: ['messages'],
        summary: 'Pre-send check: sensitive content found, recipients, and the recall window it would get',
        params: api.IdParams,
        body: api.CheckMessageRequest,
        response: { 200: api.CheckMessageResponse },
        security,
      },
      onRequest: auth,
    },
    async (request) => checkMessage(ctx, actorOf(request), request.params.id, request.body.body),
  );

  app.get(
    '/v1/conversations/:id/messages',
    {
      schema: {
        tags: ['messages'],
        summary: 'History, newest first',
        params: api.IdParams,
        querystring: api.HistoryQuery,
        response: { 200: api.HistoryPage },
        security,
      },
      onRequest: auth,
    },
    async (request) =>
      history(ctx, actorOf(request), request.params.id, {
        before: request.query.before,
        limit: request.query.limit ?? limits.defaultPageSize,
      }),
  );

  app.post(
    '/v1/messages/:id/recall',
    {
      schema: {
        tags: ['messages'],
        summary: 'Recall a message: tombstone, erase, tell every device',
        params: api.IdParams,
        body: api.RecallRequest,
        response: { 200: api.RecallResponse },
        security,
      },
      preValidation: optionalBody,
      onRequest: auth,
    },
    async (request) => recallMessage(ctx, actorOf(request), request.params.id, request.body),
  );

  app.post(
    '/v1/messages/:id/hide',
    {
      schema: {
        tags: ['messages'],
        summary: 'Delete for me: hide on all of the caller’s devices',
        params: api.IdParams,
        body: api.EmptyBody,
        response: { 200: api.HideResponse },
        security,
      },
      preValidation: optionalBody,
      onRequest: auth,
    },
    async (request) => hideMessage(ctx, actorOf(request), request.params.id),
  );
}
