import type { FastifyRequest } from 'fastify';
import { AppError } from '../errors.js';

/** Query parameters that are integers: cursors, page sizes, audit log indexes and tree sizes. */
const integerParams = new Set(['after', 'limit', 'from', 'to', 'index', 'treeSize']);

/**
 * Schema coercion would read `after=%20` as 0 and `after=0x10` as 16; a cursor must be written as plain
 * decimal digits, so anything else is refused before validation coerces it.
 */
export async function strictIntegerQuery(request: FastifyRequest): Promise<void> {
  const query = request.query as Record<string, unknown> | undefined;
  if (!query) return;
  for (const [key, value] of Object.entries(query)) {
    if (!integerParams.has(key)) continue;
    if (typeof value !== 'string' || !/^[0-9]{1,15}$/.test(value)) {
      throw new AppError('invalid_request', {
        in: 'querystring',
        problems: [{ path: `/${key}`, message: 'must be a whole number written in decimal digits' }],
      });
    }
  }
}
