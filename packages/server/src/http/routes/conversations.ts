import { api } from '@retract/protocol';
import type { Server } from '../app.js';
import {
  addMembers,
  createConversation,
  getConversation,
  listConversations,
  removeMember,
} from '../../actions/conversations.js';
import { actorOf } from '../authenticate.js';

const ConversationBody = api.ConversationResponse;

export function conversationRoutes(app: Server): void {
  const { ctx, auth } = app.retract;
  const security = [{ bearer: [] }];

  app.post(
    '/v1/conversations',
    {
      schema: {
        tags: ['conversations'],
        summary: 'Create a group, or get-or-create the direct conversation with one user',
        body: api.CreateConversationRequest,
        response: { 200: ConversationBody, 201: ConversationBody },
        security,
      },
      onRequest: auth,
    },
    async (request, reply) => {
      const { conversation, created } = await createConversation(ctx, actorOf(request), request.body);
      return reply.status(created ? 201 : 200).send({ conversation });
    },
  );

  app.get(
    '/v1/conversations',
    {
      schema: {
        tags: ['conversations'],
        summary: 'Conversations the caller belongs to',
        response: { 200: api.ConversationList },
        security,
      },
      onRequest: auth,
    },
    async (request) => ({ conversations: await listConversations(ctx, actorOf(request)) }),
  );

  app.get(
    '/v1/conversations/:id',
    {
      schema: {
        tags: ['conversations'],
        summary: 'One conversation',
        params: api.IdParams,
        response: { 200: ConversationBody },
        security,
      },
      onRequest: auth,
    },
    async (request) => ({ conversation: await getConversation(ctx, actorOf(request), request.params.id) }),
  );

  app.post(
    '/v1/conversations/:id/members',
    {
      schema: {
        tags: ['conversations'],
        summary: 'Add members to a group (owners and admins)',
        params: api.IdParams,
        body: api.AddMembersRequest,
        response: { 200: ConversationBody },
        security,
      },
      onRequest: auth,
    },
    async (request) => ({
      conversation: await addMembers(ctx, actorOf(request), request.params.id, request.body),
    }),
  );

  app.delete(
    '/v1/conversations/:id/members/:userId',
    {
      schema: {
        tags: ['conversations'],
        summary: 'Remove a member, or leave (your own user id)',
        params: api.MemberParams,
        security,
      },
      onRequest: auth,
    },
    async (request, reply) => {
      await removeMember(ctx, actorOf(request), request.params.id, request.params.userId);
      return reply.status(204).send();
    },
  );
}
