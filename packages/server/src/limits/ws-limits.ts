import { errorPayload, type ErrorPayload } from '@retract/protocol';
import type { ActionContext, Actor } from '../actions/context.js';
import { userBudget } from './budgets.js';
import { rateLimitsOf } from './rate-limits.js';

/**
 * The WebSocket side of the request budgets: each command frame (send, recall, hide, …) costs what an
 * HTTP request does, from the same per-user budget. Pings and acks are free: they are the protocol's
 * own housekeeping and cost no more than reading the socket. A refused command gets a failed reply and
 * the socket stays open — the client waits `retryAfterSeconds` and sends again.
 */
export function commandLimiter(ctx: ActionContext): (actor: Actor) => Promise<ErrorPayload | null> {
  const limits = rateLimitsOf(ctx);
  return async (actor) => {
    const budget = userBudget(actor.serverAdmin);
    const refused = await limits.consume(budget, actor.userId);
    if (refused === null) return null;
    ctx.metrics.rateLimited.labels('ws', budget).inc();
    return errorPayload('rate_limited', { retryAfterSeconds: refused.retryAfterSeconds });
  };
}
