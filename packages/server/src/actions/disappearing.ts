import { messageRecalled, type EventPair } from '../core/events.js';
import { AppError } from '../errors.js';
import type { Delivery, Disappearing, TombstoneRecord } from '../storage/records.js';
import { requireMember } from './conversations.js';
import { publishCommitted, type ActionContext, type Actor } from './context.js';

/** The conversation's disappearing-messages timer, for its members. */
export async function getDisappearing(ctx: ActionContext, actor: Actor, conversationId: string) {
  return ctx.storage.read(async (tx) => {
    await requireMember(tx, conversationId, actor.userId);
    return { disappearing: await tx.findDisappearing(conversationId) };
  });
}

/** Owners (both people in a direct chat) turn the timer on, change it, or turn it off (null). */
export async function setDisappearing(
  ctx: ActionContext,
  actor: Actor,
  conversationId: string,
  setting: Disappearing | null,
) {
  return ctx.storage.transaction(async (tx) => {
    const { membership } = await requireMember(tx, conversationId, actor.userId);
    if (membership.role !== 'owner' && !actor.serverAdmin) {
      throw new AppError('not_permitted', { reason: 'only owners change disappearing messages' });
    }
    await tx.setDisappearing(conversationId, setting);
    return { disappearing: setting };
  });
}

/**
 * Erases every message whose timer has run out: the same erasure as a recall (tombstone, content and
 * attachment gone, `message.recalled` to everyone who holds it, blob deleted, files purged), in the
 * `expiry` role. Returns how many it erased. Called by the server's sweeper, and directly by tests.
 */
export async function expireDue(ctx: ActionContext, limit = 100): Promise<number> {
  const now = ctx.clock.now();
  const done = await ctx.storage.transaction(async (tx) => {
    const erased: { pair: EventPair; deliveries: Delivery[]; attachmentId: string | null }[] = [];
    for (const id of await tx.listExpired(now, limit)) {
      const message = await tx.findMessage(id);
      if (!message || message.tombstone !== null) continue;
      const tombstone: TombstoneRecord = {
        recalledAt: now,
        recalledBy: message.senderId,
        role: 'expiry',
        reason: null,
        label: null,
      };
      await tx.eraseMessage(message.id, tombstone);
      if (message.attachmentId !== null) await tx.markAttachmentDeleted(message.attachmentId, now);
      const pair = messageRecalled(message, tombstone);
      const members = (await tx.listMembers(message.conversationId)).map((m) => m.userId);
      const recipients = [...new Set([...(await tx.usersWhoReceived(message.id)), ...members])];
      erased.push({
        pair,
        deliveries: await tx.appendEvent(pair.stored, recipients),
        attachmentId: message.attachmentId,
      });
    }
    return erased;
  });
  for (const e of done) {
    await publishCommitted(ctx, e.pair, e.deliveries);
    if (e.attachmentId !== null) await ctx.blobs.delete(e.attachmentId).catch(() => false);
  }
  if (done.length > 0) await ctx.storage.purgeErased();
  return done.length;
}
