import { api } from '@retract/protocol';
import type { Server } from '../app.js';
import { listHolds, readHold } from '../../actions/compliance.js';
import { actorOf } from '../authenticate.js';

/** Compliance hold: recalled content kept for the compliance role, each read audited. */
export function complianceRoutes(app: Server): void {
  const { ctx, auth } = app.retract;
  const security = [{ bearer: [] }];
  const tags = ['compliance'];

  app.get(
    '/v1/compliance/holds',
    {
      schema: {
        tags,
        summary: 'Recalled messages under a compliance hold (no content); compliance role only',
        querystring: api.ComplianceHoldQuery,
        response: { 200: api.ComplianceHoldList },
        security,
      },
      onRequest: auth,
    },
    async (request) => listHolds(ctx, actorOf(request), request.query),
  );

  app.get(
    '/v1/compliance/holds/:id',
    {
      schema: {
        tags,
        summary: 'Read the held content of a recalled message (audited); compliance role only',
        params: api.IdParams,
        response: { 200: api.ComplianceHoldContent },
        security,
      },
      onRequest: auth,
    },
    async (request) => readHold(ctx, actorOf(request), request.params.id),
  );
}
