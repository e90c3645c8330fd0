import { api } from '@retract/protocol';
import type { Server } from '../app.js';
import {
  getConversationPolicy,
  getRecallOptions,
  getServerPolicy,
  setConversationPolicy,
} from '../../actions/policies.js';
import { actorOf } from '../authenticate.js';
import { Type } from '@sinclair/typebox';
import { getRecallJob, startRecallJob } from '../../actions/recall-jobs.js';
import { getDisappearing, setDisappearing } from '../../actions/disappearing.js';

export function policyRoutes(app: Server): void {
  const { ctx, auth } = app.retract;
  const security = [{ bearer: [] }];

  app.get(
    '/v1/messages/:id/recall-options',
    {
      schema: {
        tags: ['messages'],
        summary: 'What the caller may do with a message now, and until when (for a countdown)',
        params: api.IdParams,
        response: { 200: api.RecallOptionsResponse },
        security,
      },
      onRequest: auth,
    },
    async (request) => getRecallOptions(ctx, actorOf(request), request.params.id),
  );

  app.post(
    '/v1/conversations/:id/recall-jobs',
    {
      schema: {
        tags: ['moderation'],
        summary: 'Bulk recall: all messages of one user here (optionally in a time range), as a job',
        params: api.IdParams,
        body: api.RecallJobRequest,
        response: { 202: Type.Object({ job: api.RecallJob }) },
        security,
      },
      onRequest: auth,
    },
    async (request, reply) =>
      reply
        .status(202)
        .send({ job: await startRecallJob(ctx, actorOf(request), request.params.id, request.body) }),
  );

  app.get(
    '/v1/recall-jobs/:id',
    {
      schema: {
        tags: ['moderation'],
        summary: 'A bulk recall job: progress and the outcome for each message',
        params: Type.Object(
          { id: Type.String({ pattern: '^j_[A-Za-z0-9_-]+$', maxLength: 40 }) },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ job: api.RecallJob }) },
        security,
      },
      onRequest: auth,
    },
    async (request) => ({ job: await getRecallJob(ctx, actorOf(request), request.params.id) }),
  );

  app.get(
    '/v1/conversations/:id/disappearing',
    {
      schema: {
        tags: ['conversations'],
        summary: 'The conversation’s disappearing-messages timer (null when off)',
        params: api.IdParams,
        response: { 200: api.DisappearingBody },
        security,
      },
      onRequest: auth,
    },
    async (request) => getDisappearing(ctx, actorOf(request), request.params.id),
  );

  app.put(
    '/v1/conversations/:id/disappearing',
    {
      schema: {
        tags: ['conversations'],
        summary: 'Set disappearing messages: erased N seconds after sending, or after being read (owners)',
        params: api.IdParams,
        body: api.DisappearingBody,
        response: { 200: api.DisappearingBody },
        security,
      },
      onRequest: auth,
    },
    async (request) => setDisappearing(ctx, actorOf(request), request.params.id, request.body.disappearing),
  );

  app.get(
    '/v1/policy',
    {
      schema: {
        tags: ['policy'],
        summary: 'The server’s policy in force per kind, the bounds for conversations, and the presets',
        response: { 200: api.ServerPolicyResponse },
        security,
      },
      onRequest: auth,
    },
    async () => getServerPolicy(ctx),
  );

  app.get(
    '/v1/conversations/:id/policy',
    {
      schema: {
        tags: ['policy'],
        summary: 'A conversation’s own policy document and the policy in force',
        params: api.IdParams,
        response: { 200: api.ConversationPolicyResponse },
        security,
      },
      onRequest: auth,
    },
    async (request) => getConversationPolicy(ctx, actorOf(request), request.params.id),
  );

  app.put(
    '/v1/conversations/:id/policy',
    {
      schema: {
        tags: ['policy'],
        summary: 'Set (or clear with null) a conversation’s policy — owners, within the server’s bounds',
        params: api.IdParams,
        body: api.SetPolicyRequest,
        response: { 200: api.ConversationPolicyResponse },
        security,
      },
      onRequest: auth,
    },
    async (request) => setConversationPolicy(ctx, actorOf(request), request.params.id, request.body.document),
  );
}
