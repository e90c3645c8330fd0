import type { FastifyRequest } from 'fastify';

/** For commands whose body may be left out (recall without a reason): no body validates as `{}`. */
export async function optionalBody(request: FastifyRequest): Promise<void> {
  if (request.body === undefined || request.body === null) request.body = {};
}
