import { messageHidden } from '../core/events.js';
import type { Delivery } from '../storage/records.js';
import { publishCommitted, type ActionContext, type Actor } from './context.js';
import { requireVisibleMessage } from './messages.js';
import type { EventPair } from '../core/events.js';
import { resolveFollowUps, type AfterCommit } from './analytics/index.js';

/**
 * Delete for me: hides the message on every device of the caller and nobody else's. Hiding twice is a
 * no-op that answers the same.
 */
export async function hideMessage(
  ctx: ActionContext,
  actor: Actor,
  messageId: string,
): Promise<{ messageId: string; hidden: true }> {
  const now = ctx.clock.now();
  const outcome = await ctx.storage.transaction(async (tx) => {
    const { message } = await requireVisibleMessage(tx, messageId, actor.userId);
    if (!(await tx.hideMessage(actor.userId, message.id, now))) return null;
    const pair = messageHidden(message, now);
    const deliveries: Delivery[] = await tx.appendEvent(pair.stored, [actor.userId]);
    // Hiding a message one tried to recall and could not is that denial's follow-up (analytics).
    const analytics = await resolveFollowUps(
      tx,
      ctx,
      actor.userId,
      message.conversationId,
      { kind: 'hide', messageId: message.id },
      now,
    );
    return { pair, deliveries, analytics } satisfies {
      pair: EventPair;
      deliveries: Delivery[];
      analytics: AfterCommit;
    };
  });
  if (outcome) {
    outcome.analytics();
    await publishCommitted(ctx, outcome.pair, outcome.deliveries);
    ctx.metrics.hides.inc();
  }
  return { messageId, hidden: true };
}
