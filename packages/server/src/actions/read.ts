import { conversationRead, type EventPair } from '../core/events.js';
import { AppError } from '../errors.js';
import { requireMember } from './conversations.js';
import { publishCommitted, type ActionContext, type Actor } from './context.js';
import { requireVisibleMessage } from './messages.js';

/**
 * A read receipt: the caller has read the conversation up to this message. Positions only move forward;
 * every member hears of a move (senders see who read, and "until read" recall closes).
 *
 * Under an `after_read` disappearing timer the read starts the timers of the messages it covers, and the
 * receipt then carries their expiry (`expiresAt`, see the protocol's `conversation.read`), so every
 * member's devices count down from the moment the server will erase them — published, like the receipt
 * itself, only after commit.
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
    let started: { expiresAt: number; from: string } | null = null;
    if (disappearing?.mode === 'after_read') {
      const expiresAt = now + disappearing.seconds * 1000;
      const ids = await tx.startReadTimers(conversationId, actor.userId, message.pos, expiresAt);
      const from = ids[0];
      if (from !== undefined) started = { expiresAt, from };
    }
    const receipt = conversationRead(conversationId, actor.userId, message.id, now);
    const pair = started === null ? receipt : withExpiry(receipt, started);
    const members = (await tx.listMembers(conversationId)).map((m) => m.userId);
    return { pair, deliveries: await tx.appendEvent(pair.stored, members) };
  });
  if (outcome) await publishCommitted(ctx, outcome.pair, outcome.deliveries);
  return { conversationId, upTo };
}

/**
 * The receipt of a read that started timers. The moment and the first message it started are stored,
 * never the list of ids: which messages it covers follows from the receipt itself (from `from` up to
 * `upTo`, not the reader's, no expiry before), so the event's size does not grow with the number of
 * messages one read starts. `from` also keeps devices from starting timers on messages sent before the
 * reader joined, which the reader never saw and the server left alone.
 */
function withExpiry(receipt: EventPair, started: { expiresAt: number; from: string }): EventPair {
  const at = new Date(started.expiresAt).toISOString();
  if (receipt.live.type !== 'conversation.read') return receipt;
  return {
    stored: { ...receipt.stored, data: { ...receipt.stored.data, expiresAt: at, from: started.from } },
    live: { ...receipt.live, expiresAt: at, from: started.from },
  };
}
