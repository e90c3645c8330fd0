import type { api } from '@retract/protocol';
import { decideRecall, type RecallDecision } from '../core/policy/index.js';
import { tombstoneView } from '../core/views.js';
import { AppError } from '../errors.js';
import type { TombstoneRecord } from '../storage/records.js';
import type { ActionContext, Actor } from './context.js';
import { eraseInTx, finishErasures } from './erase.js';
import { recallContext } from './recall-context.js';
import { recallBy } from './recall-audit.js';
import { queueWebhooks } from '../webhooks/queue.js';
import { attemptOf, nothingAfterCommit, recordRecallAttempt, type AfterCommit } from './analytics/index.js';

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
  input: { reason?: string | undefined; jobId?: string } = {},
): Promise<api.RecallResponse> {
  const reason = input.reason?.trim() ? input.reason.trim() : null;
  const outcome = await ctx.storage.transaction(async (tx) => {
    const found = await recallContext(ctx, tx, actor, messageId);
    if (!found) {
      return {
        decision: { kind: 'hidden' } as RecallDecision,
        conversationId: '',
        analytics: nothingAfterCommit,
      };
    }
    const { message, context } = found;
    const decision = decideRecall({ ...context, reason });
    // Analytics count a person's attempts at one message: allowed or denied, in this transaction. Not
    // `hidden` (nothing to count: to the caller the message does not exist), not `already_recalled` (a
    // repeat answered with the tombstone, not a new decision), and not a bulk job's steps: the job is one
    // moderator's request over many messages, whose steps would swamp the per-attempt figures (delays,
    // denial shares) and leave pending follow-ups for a sender who made no attempt. Nor an API key's
    // recalls: an integration acting for the operator, not a person taking their words back.
    const attempt =
      input.jobId === undefined && actor.keyId === undefined
        ? attemptOf(actor.userId, message.id, message.conversationId, context, decision)
        : null;
    if (decision.kind !== 'allowed') {
      const analytics = attempt === null ? nothingAfterCommit : await recordRecallAttempt(tx, ctx, attempt);
      // A webhook-only event: who was refused what, by code — committed with the analytics.
      if (decision.kind === 'denied') {
        const ref = { conversationId: message.conversationId, messageId: message.id };
        await queueWebhooks(
          tx,
          'recall.denied',
          { ...ref, subjectId: actor.userId, detail: decision.code },
          context.nowMs,
        );
      }
      return { decision, conversationId: message.conversationId, analytics };
    }
    const tombstone: TombstoneRecord = {
      recalledAt: context.nowMs,
      recalledBy: actor.userId,
      role: decision.as,
      reason,
      label: decision.label,
    };
    const why = recallBy(actor, decision.as, input.jobId === undefined ? {} : { jobId: input.jobId });
    const erasure = await eraseInTx(tx, ctx, message, tombstone, why);
    // After the erasure: the cell is locked for the shortest time, and after the audit state, as by
    // every allowed recall (no lock-order reversal on PostgreSQL).
    const analytics: AfterCommit =
      attempt === null ? nothingAfterCommit : await recordRecallAttempt(tx, ctx, attempt);
    const reEditSeconds =
      message.senderId === actor.userId && message.type === 'text' ? found.policy.reEditSeconds : 0;
    return {
      decision,
      conversationId: message.conversationId,
      analytics,
      committed: {
        erasure,
        tombstone,
        reEdit: reEditSeconds > 0 ? message.body : null,
        reEditSeconds,
      },
    };
  });

  const { decision } = outcome;
  ctx.metrics.recalls.inc({ outcome: outcomeLabel(decision) });
  outcome.analytics();
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
      ctx.faults?.afterRecallCommit?.();
      await finishErasures(ctx, [committed.erasure]);
      const { commitmentSalt } = committed.erasure;
      const response: api.RecallResponse = {
        messageId,
        conversationId: outcome.conversationId,
        tombstone: tombstoneView(committed.tombstone),
        transitioned: true,
        // The only copy of the salt of the audit entry's content commitment: for this device alone, so
        // whoever kept the text can later prove it is what was recalled (docs/audit.md). A bulk job's
        // steps drop it.
        ...(commitmentSalt === null || input.jobId !== undefined ? {} : { commitmentSalt }),
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
