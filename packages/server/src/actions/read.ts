import { conversationRead } from '../core/events.js';
import { AppError } from '../errors.js';
import { requireMember } from './conversations.js';
import { publishCommitted, type ActionContext, type Actor } from './context.js';
import { requireVisibleMessage } from './messages.js';

/**
 * A read receipt: the caller has read the conversation up to this message. Positions only move forward;
 * every member hears of a move (senders see who read, and "until read" recall closes).
 */
export async function markRead(
  ctx: ActionContext,
  actor: Actor,
  conversationId: string,
  upTo: string,
): Promise<{ conversationId: string; upTo: string }> {
  const now = ctx.clock.now();
  const outcome = await ctx.storage.transaction(async (tx) => {
    await requireMember(tx, conversationId, actor.userId);
    const { message } = await requireVisibleMessage(tx, upTo, actor.userId);
    if (message.conversationId !== conversationId) throw new AppError('not_found');
    if (!(await tx.markRead(conversationId, actor.userId, message.pos, now))) return null;
    const disappearing = await tx.findDisappearing(conversationId);
    if (disappearing?.mode === 'after_read') {
      await tx.startReadTimers(conversationId, actor.userId, message.pos, now + disappearing.seconds * 1000);
    }
    const pair = conversationRead(conversationId, actor.userId, message.id, now);
    const members = (await tx.listMembers(conversationId)).map((m) => m.userId);
    return { pair, deliveries: await tx.appendEvent(pair.stored, members) };
  });
  if (outcome) await publishCommitted(ctx, outcome.pair, outcome.deliveries);
  return { conversationId, upTo };
}
