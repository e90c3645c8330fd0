import type { api } from '@retract/protocol';
import { decideRecall, type RecallDecision } from '../core/policy/index.js';
import { messageRecalled } from '../core/events.js';
import { tombstoneView } from '../core/views.js';
import { AppError } from '../errors.js';
import type { TombstoneRecord } from '../storage/records.js';
import { publishCommitted, type ActionContext, type Actor } from './context.js';
import { recallContext } from './recall-context.js';

/**
 * Recalls a message. The server decides, on its own clock, under the policy in force in the message's
 * conversation; then one transaction turns the message into a tombstone, erases its content and appends
 * `message.recalled` to the stream of everyone who received it (the sender's other devices included).
 * Only after commit is it published, and the erased text purged from the storage files before the caller
 * hears "done".
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
  const reason = input.reason?.trim() ? input.reason.trim() : null;
  const outcome = await ctx.storage.transaction(async (tx) => {
    const found = await recallContext(ctx, tx, actor, messageId);
    if (!found) return { decision: { kind: 'hidden' } as RecallDecision, conversationId: '' };
    const { message, context } = found;
    const decision = decideRecall({ ...context, reason });
    if (decision.kind !== 'allowed') return { decision, conversationId: message.conversationId };
    const tombstone: TombstoneRecord = {
      recalledAt: context.nowMs,
      recalledBy: actor.userId,
      role: decision.as,
      reason,
      label: decision.label,
    };
    await tx.eraseMessage(message.id, tombstone);
    if (message.attachmentId !== null) await tx.markAttachmentDeleted(message.attachmentId, context.nowMs);
    const pair = messageRecalled(message, tombstone);
    // Everyone who received it, and every current member: someone who joined later may hold a reply
    // that quotes it, and that quote must turn into the tombstone too.
    const members = (await tx.listMembers(message.conversationId)).map((m) => m.userId);
    const recipients = [...new Set([...(await tx.usersWhoReceived(message.id)), ...members])];
    const deliveries = await tx.appendEvent(pair.stored, recipients);
    const reEditSeconds =
      message.senderId === actor.userId && message.type === 'text' ? found.policy.reEditSeconds : 0;
    return {
      decision,
      conversationId: message.conversationId,
      committed: {
        pair,
        deliveries,
        tombstone,
        attachmentId: message.attachmentId,
        reEdit: reEditSeconds > 0 ? message.body : null,
        reEditSeconds,
      },
    };
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
        conversationId: outcome.conversationId,
        tombstone: decision.tombstone,
        transitioned: false,
      };
    case 'allowed': {
      const committed = 'committed' in outcome ? outcome.committed : undefined;
      if (!committed) throw new Error('allowed recall wrote nothing');
      await publishCommitted(ctx, committed.pair, committed.deliveries);
      if (committed.attachmentId !== null) await deleteBlob(ctx, committed.attachmentId);
      await purge(ctx);
      const response: api.RecallResponse = {
        messageId,
        conversationId: outcome.conversationId,
        tombstone: tombstoneView(committed.tombstone),
        transitioned: true,
      };
      // Re-edit: the text goes back to the device that recalled it, once, in this response — the
      // server keeps no copy to hand out later.
      return committed.reEdit === null || committed.reEdit === undefined
        ? response
        : {
            ...response,
            reEdit: {
              body: committed.reEdit,
              until: new Date(committed.tombstone.recalledAt + committed.reEditSeconds * 1000).toISOString(),
            },
          };
    }
  }
}

/** The file goes right after commit; its metadata already says it is gone, so its URL answers 410. */
async function deleteBlob(ctx: ActionContext, id: string): Promise<void> {
  try {
    await ctx.blobs.delete(id);
  } catch (error) {
    ctx.log.error({ err: error, attachmentId: id }, 'deleting a recalled attachment failed');
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
