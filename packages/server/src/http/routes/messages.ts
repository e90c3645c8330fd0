import { api, limits } from '@retract/protocol';
import type { Server } from '../app.js';
import { history, sendMessage } from '../../actions/messages.js';
import { recallMessage } from '../../actions/recall.js';
import { hideMessage } from '../../actions/hide.js';
import { cancelSend } from '../../actions/held.js';
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
        summary: 'Send a message (idempotent per clientMsgId); 202 when held for your send delay',
        params: api.IdParams,
        body: api.SendMessageRequest,
        response: {
          200: api.SendMessageResponse,
          201: api.SendMessageResponse,
          202: api.SendMessageResponse,
        },
        security,
      },
      onRequest: auth,
    },
    async (request, reply) => {
      const result = await sendMessage(ctx, actorOf(request), {
        ...request.body,
        conversationId: request.params.id,
      });
      // 202: held for the sender's send delay (undo send), not yet delivered.
      return reply.status(result.held && result.created ? 202 : result.created ? 201 : 200).send(result);
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
        response: { 200: api.ReadResponse },
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
    '/v1/messages/:id/cancel',
    {
      schema: {
        tags: ['messages'],
        summary: 'Undo send: cancel a message still held for your send delay; its content comes back',
        params: api.IdParams,
        body: api.EmptyBody,
        response: { 200: api.CancelSendResponse },
        security,
      },
      preValidation: optionalBody,
      onRequest: auth,
    },
    async (request) => cancelSend(ctx, actorOf(request), request.params.id),
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
