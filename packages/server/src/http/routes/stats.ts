import { stats } from '@retract/protocol';
import type { Server } from '../app.js';
import { recallStats, recallWhatIf } from '../../actions/stats.js';
import { actorOf } from '../authenticate.js';

/** Recall analytics (docs/analytics.md): counts only, for server admins. */
export function statsRoutes(app: Server): void {
  const { ctx, auth } = app.retract;
  const security = [{ bearer: [] }];
  const tags = ['admin'];

  app.get(
    '/v1/admin/stats',
    {
      schema: {
        tags,
        summary: 'Recall figures over a period: outcomes, delays, hours, follow-ups (server admins)',
        querystring: stats.StatsQuery,
        response: { 200: stats.RecallStats },
        security,
      },
      onRequest: auth,
    },
    async (request, reply) =>
      // Figures change with every attempt; a cache must not serve yesterday's as today's.
      reply.header('cache-control', 'no-store').send(await recallStats(ctx, actorOf(request), request.query)),
  );

  app.get(
    '/v1/admin/stats/what-if',
    {
      schema: {
        tags,
        summary: 'How many window denials a longer window would have allowed (server admins)',
        querystring: stats.WhatIfQuery,
        response: { 200: stats.WhatIf },
        security,
      },
      onRequest: auth,
    },
    async (request, reply) =>
      reply
        .header('cache-control', 'no-store')
        .send(await recallWhatIf(ctx, actorOf(request), request.query)),
  );
}
