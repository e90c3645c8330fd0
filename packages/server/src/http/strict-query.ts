import type { FastifyRequest } from 'fastify';
import { AppError } from '../errors.js';

interface QuerySchema {
  readonly properties?: Readonly<Record<string, { readonly type?: unknown }>>;
}

/**
 * Schema coercion would read `after=%20` as 0 and `after=0x10` as 16; a query parameter the route's schema
 * declares an integer (a cursor, a page size, an audit index) must be written as plain decimal digits, so
 * anything else is refused before validation coerces it. Which parameters are integers is the route's to
 * say: `from` is an audit index on one route and an ISO date-time on another (`/v1/admin/stats`).
 */
export async function strictIntegerQuery(request: FastifyRequest): Promise<void> {
  const query = request.query as Record<string, unknown> | undefined;
  if (!query) return;
  const schema = request.routeOptions.schema?.querystring as QuerySchema | undefined;
  for (const [key, value] of Object.entries(query)) {
    if (schema?.properties?.[key]?.type !== 'integer') continue;
    if (typeof value !== 'string' || !/^[0-9]{1,15}$/.test(value)) {
      throw new AppError('invalid_request', {
        in: 'querystring',
        problems: [{ path: `/${key}`, message: 'must be a whole number written in decimal digits' }],
      });
    }
  }
}
