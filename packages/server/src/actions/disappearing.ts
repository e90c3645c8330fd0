import { disappearingChanged } from '../core/events.js';
import { AppError } from '../errors.js';
import type { Disappearing, TombstoneRecord } from '../storage/records.js';
import { requireMember } from './conversations.js';
import { publishCommitted, type ActionContext, type Actor } from './context.js';
import { eraseInTx, finishErasures, type Erasure } from './erase.js';
import { expiryRecall } from './recall-audit.js';
import { appendAudit, byActor } from './audit.js';

/** The conversation's disappearing-messages timer, for its members. */
export async function getDisappearing(ctx: ActionContext, actor: Actor, conversationId: string) {
  return ctx.storage.read(async (tx) => {
    await requireMember(tx, conversationId, actor.userId);
    return { disappearing: await tx.findDisappearing(conversationId) };
  });
}

/**
 * Owners (both people in a direct chat) turn the timer on, change it, or turn it off (null). Every member
 * hears of it (`disappearing.changed`), appended with the change so sync replays it, and published only
 * after commit so no device is told of a setting that did not stick.
 */
export async function setDisappearing(
  ctx: ActionContext,
  actor: Actor,
  conversationId: string,
  setting: Disappearing | null,
) {
  const now = ctx.clock.now();
  const outcome = await ctx.storage.transaction(async (tx) => {
    const { membership } = await requireMember(tx, conversationId, actor.userId);
    if (membership.role !== 'owner' && !actor.serverAdmin) {
      throw new AppError('not_permitted', { reason: 'only owners change disappearing messages' });
    }
    await tx.setDisappearing(conversationId, setting);
    await appendAudit(tx, ctx, {
      kind: 'disappearing.changed',
      ...byActor(actor, membership.role === 'owner' ? 'owner' : 'server_admin'),
      target: { conversationId },
      reason: null,
      details: { mode: setting?.mode ?? null, seconds: setting?.seconds ?? null },
    });
    const pair = disappearingChanged(conversationId, setting, actor.userId, now);
    const members = (await tx.listMembers(conversationId)).map((m) => m.userId);
    return { pair, deliveries: await tx.appendEvent(pair.stored, members) };
  });
  await publishCommitted(ctx, outcome.pair, outcome.deliveries);
  return { disappearing: setting };
}

/**
 * Erases every message whose timer has run out: the same erasure as a recall (tombstone, content and
 * attachment gone, `message.recalled` to everyone who holds it, blob deleted, files purged), in the
 * `expiry` role. Returns how many it erased. Called by the server's sweeper, and directly by tests.
 */
export async function expireDue(ctx: ActionContext, limit = 100): Promise<number> {
  const now = ctx.clock.now();
  const erasures = await ctx.storage.transaction(async (tx) => {
    const done: Erasure[] = [];
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
      done.push(await eraseInTx(tx, ctx, message, tombstone, expiryRecall));
    }
    return done;
  });
  await finishErasures(ctx, erasures);
  return erasures.length;
}
