import type { Server } from '../app.js';

/** Liveness and readiness, Prometheus metrics, and the OpenAPI document. */
export function opsRoutes(app: Server): void {
  const { ctx } = app.retract;

  app.get('/healthz', { schema: { hide: true } }, async (_request, reply) => {
    try {
      await ctx.storage.ping();
      return { status: 'ok', storage: 'ok' };
    } catch {
      return reply.status(503).send({ status: 'unavailable', storage: 'unreachable' });
    }
  });

  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) => {
    const registry = ctx.metrics.registry;
    return reply.header('content-type', registry.contentType).send(await registry.metrics());
  });

  app.get('/v1/openapi.json', { schema: { hide: true } }, async () => app.swagger());
}
