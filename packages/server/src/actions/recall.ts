import type { api } from '@retract/protocol';
import { decideRecall, type RecallDecision } from '../core/recall-decision.js';
import { messageRecalled, type EventPair } from '../core/events.js';
import { tombstoneView } from '../core/views.js';
import { AppError } from '../errors.js';
import type { Delivery, TombstoneRecord } from '../storage/records.js';
import { publishCommitted, type ActionContext, type Actor } from './context.js';

/**
 * Recalls a message. The server decides on its own clock; then one transaction turns the message into a
 * tombstone, erases its content and appends `message.recalled` to the stream of everyone who received the
 * message (the sender's other devices included). Only after commit is it published, and the erased text
 * purged from the storage files before the caller hears "done".
 *
 * Idempotent: recalling again returns the same tombstone. Concurrent recalls serialise in storage, so
 * exactly one makes the transition.
 */
export async function recallMessage(
  ctx: ActionContext,
  actor: Actor,
  messageId: string,
  input: { reason?: string | undefined } = {},
): Promise<api.RecallResponse> {
  const outcome = await ctx.storage.transaction(async (tx) => {
    const message = await tx.findMessage(messageId);
    if (!message) return { decision: { kind: 'hidden' } as RecallDecision };
    const membership = await tx.findMembership(message.conversationId, actor.userId);
    const visible = membership !== null && message.pos > membership.fromPos;
    const decision = decideRecall({
      actorId: actor.userId,
      actorRole: visible ? membership.role : null,
      message: {
        senderId: message.senderId,
        sentAtMs: message.sentAt,
        tombstone: message.tombstone && tombstoneView(message.tombstone),
      },
      windowSeconds: ctx.config.recall.windowSeconds,
      nowMs: ctx.clock.now(),
    });
    if (decision.kind !== 'allowed') return { decision, conversationId: message.conversationId };
    const tombstone: TombstoneRecord = {
      recalledAt: ctx.clock.now(),
      recalledBy: actor.userId,
      role: decision.role,
      reason: input.reason ?? null,
      label: null,
    };
    await tx.eraseMessage(message.id, tombstone);
    const pair: EventPair = messageRecalled(message, tombstone);
    const recipients = await tx.usersWhoReceived(message.id);
    const deliveries: Delivery[] = await tx.appendEvent(pair.stored, recipients);
    return { decision, conversationId: message.conversationId, pair, deliveries, tombstone };
  });

  const { decision } = outcome;
  ctx.metrics.recalls.inc({ outcome: outcomeLabel(decision) });
  switch (decision.kind) {
    case 'hidden':
      throw new AppError('not_found');
    case 'denied':
      throw new AppError(decision.code, { ...decision.facts });
    case 'already_recalled':
      return {
        messageId,
        conversationId: outcome.conversationId ?? '',
        tombstone: decision.tombstone,
        transitioned: false,
      };
    case 'allowed': {
      if (!('pair' in outcome) || !outcome.pair || !outcome.tombstone)
        throw new Error('allowed recall wrote nothing');
      await publishCommitted(ctx, outcome.pair, outcome.deliveries);
      await purge(ctx);
      return {
        messageId,
        conversationId: outcome.conversationId,
        tombstone: tombstoneView(outcome.tombstone),
        transitioned: true,
      };
    }
  }
}

async function purge(ctx: ActionContext): Promise<void> {
  try {
    await ctx.storage.purgeErased();
  } catch (error) {
    // The content is already erased in the committed state; only old file pages may linger until the
    // next checkpoint. Worth an alarm, not a failed recall.
    ctx.log.error({ err: error }, 'purging erased content from storage files failed');
  }
}

function outcomeLabel(decision: RecallDecision): string {
  switch (decision.kind) {
    case 'allowed':
      return 'recalled';
    case 'already_recalled':
      return 'already_recalled';
    case 'hidden':
      return 'not_found';
    case 'denied':
      return decision.code;
  }
}
