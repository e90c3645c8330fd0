import type { FastifyInstance, FastifyReply, FastifyRequest, onRequestHookHandler } from 'fastify';
import type { ActionContext } from '../actions/context.js';
import { isServerAdmin } from '../actions/policy.js';
import { AppError } from '../errors.js';
import { bearerToken } from '../http/authenticate.js';
import { userBudget, type BudgetName } from './budgets.js';
import { rateLimitsOf } from './rate-limits.js';

/** Monitoring must never be throttled, nor eat into the budget of the address it comes from. */
const exempt = new Set(['/healthz', '/metrics']);

/**
 * Puts the rate limit on every route as its last onRequest hook: after the route's own authentication,
 * so a signed-in caller is counted by user (or API key) rather than by address, and before the body is
 * read or any work is done. Must be installed before the routes are declared.
 */
export function installHttpRateLimits(app: FastifyInstance, ctx: ActionContext): void {
  const limits = rateLimitsOf(ctx);
  app.addHook('onClose', async () => limits.close());
  app.addHook('onRoute', (route) => {
    if (exempt.has(route.url)) return;
    const own = route.onRequest === undefined ? [] : [route.onRequest].flat();
    // A route with an onRequest hook of its own authenticates (the only kind there is): whoever reaches
    // this point past it holds a session or an API key. Without one, the route is public and every
    // caller counts by address, whatever headers they send.
    const authenticated = own.length > 0;
    const limit: onRequestHookHandler = async (request: FastifyRequest, reply: FastifyReply) => {
      const { budget, key } = budgetFor(ctx, request, authenticated);
      const refused = await limits.consume(budget, key);
      if (refused === null) return;
      ctx.metrics.rateLimited.labels('http', budget).inc();
      void reply.header('retry-after', String(refused.retryAfterSeconds));
      throw new AppError('rate_limited', { retryAfterSeconds: refused.retryAfterSeconds });
    };
    route.onRequest = [...own, limit];
  });
}

function budgetFor(
  ctx: ActionContext,
  request: FastifyRequest,
  authenticated: boolean,
): { budget: BudgetName; key: string } {
  if (authenticated) {
    // API keys (`rk_…`, http/routes/api-keys.ts) authenticated by their route: one budget per key, by
    // its id; a key route that does not name the key is counted by the key itself (hashed in the limiter).
    const apiKey = (request as { apiKey?: { readonly id: string } | null }).apiKey;
    if (apiKey) return { budget: 'apiKey', key: apiKey.id };
    const token = bearerToken(request.headers.authorization);
    if (token?.startsWith('rk_')) return { budget: 'apiKey', key: token };
    const session = request.session;
    if (session) {
      return { budget: userBudget(isServerAdmin(ctx, session.user.username)), key: session.user.id };
    }
  }
  return { budget: 'ip', key: request.ip };
}
