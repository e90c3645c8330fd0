import { api } from '@retract/protocol';
import { Type } from '@sinclair/typebox';
import type { Server } from '../app.js';
import { askConsent, getConsent, listConsent, stepConsent } from '../../actions/consent.js';
import { actorOf } from '../authenticate.js';
import { optionalBody } from '../optional-body.js';

const ConsentParams = Type.Object(
  { id: Type.String({ pattern: '^k_[A-Za-z0-9_-]+$', maxLength: 40 }) },
  { additionalProperties: false },
);

/** Consent recall: ask past the window; the other person (or a group's owners and admins) decides. */
export function consentRoutes(app: Server): void {
  const { ctx, auth } = app.retract;
  const security = [{ bearer: [] }];
  const tags = ['consent'];

  app.post(
    '/v1/messages/:id/consent-requests',
    {
      schema: {
        tags,
        summary: 'Ask for consent to recall your own message past its window',
        params: api.IdParams,
        body: api.ConsentAskRequest,
        response: { 200: api.ConsentRequestResponse, 201: api.ConsentRequestResponse },
        security,
      },
      preValidation: optionalBody,
      onRequest: auth,
    },
    async (request, reply) => {
      const { request: view, created } = await askConsent(
        ctx,
        actorOf(request),
        request.params.id,
        request.body,
      );
      return reply.status(created ? 201 : 200).send({ request: view });
    },
  );

  app.get(
    '/v1/consent-requests',
    {
      schema: {
        tags,
        summary: 'Consent requests you made or may decide, newest first',
        querystring: api.ConsentListQuery,
        response: { 200: api.ConsentRequestList },
        security,
      },
      onRequest: auth,
    },
    async (request) => listConsent(ctx, actorOf(request), request.query),
  );

  app.get(
    '/v1/consent-requests/:id',
    {
      schema: {
        tags,
        summary: 'One consent request',
        params: ConsentParams,
        response: { 200: api.ConsentRequestResponse },
        security,
      },
      onRequest: auth,
    },
    async (request) => getConsent(ctx, actorOf(request), request.params.id),
  );

  app.post(
    '/v1/consent-requests/:id/approve',
    {
      schema: {
        tags,
        summary: 'Approve: the message is recalled exactly as its sender’s own recall',
        params: ConsentParams,
        body: api.ConsentDecisionRequest,
        response: { 200: api.ConsentApproveResponse },
        security,
      },
      preValidation: optionalBody,
      onRequest: auth,
    },
    async (request) => {
      const { request: view, recall } = await stepConsent(
        ctx,
        actorOf(request),
        request.params.id,
        'approve',
        request.body,
      );
      if (!recall) throw new Error('an approval that recalled nothing');
      return { request: view, recall };
    },
  );

  app.post(
    '/v1/consent-requests/:id/decline',
    {
      schema: {
        tags,
        summary: 'Decline: the message stays; the sender cannot ask again for it',
        params: ConsentParams,
        body: api.ConsentDecisionRequest,
        response: { 200: api.ConsentRequestResponse },
        security,
      },
      preValidation: optionalBody,
      onRequest: auth,
    },
    async (request) => stepConsent(ctx, actorOf(request), request.params.id, 'decline', request.body),
  );

  app.post(
    '/v1/consent-requests/:id/cancel',
    {
      schema: {
        tags,
        summary: 'Cancel your own pending request',
        params: ConsentParams,
        body: api.EmptyBody,
        response: { 200: api.ConsentRequestResponse },
        security,
      },
      preValidation: optionalBody,
      onRequest: auth,
    },
    async (request) => stepConsent(ctx, actorOf(request), request.params.id, 'cancel'),
  );
}
