import { api, limits } from '@retract/protocol';
import type { Server } from '../app.js';
import { syncEvents } from '../../actions/sync.js';
import { actorOf } from '../authenticate.js';

export function syncRoutes(app: Server): void {
  const { ctx, auth } = app.retract;
  app.get(
    '/v1/sync',
    {
      schema: {
        tags: ['events'],
        summary: 'Events after a cursor, oldest first, rendered from current state',
        querystring: api.SyncQuery,
        response: { 200: api.SyncPage },
        security: [{ bearer: [] }],
      },
      onRequest: auth,
    },
    async (request) =>
      syncEvents(
        ctx,
        actorOf(request),
        request.query.after ?? 0,
        request.query.limit ?? limits.defaultPageSize,
      ),
  );
}
