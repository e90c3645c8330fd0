import { randomBytes } from 'node:crypto';
import type { ConversationKind } from '@retract/protocol';
import { delayBucketOf } from '../../core/analytics/delay-buckets.js';
import type { RecallContext, RecallDecision } from '../../core/policy/index.js';
import { SLOT_MS, type RecallBucketKey } from '../../storage/analytics-records.js';
import type { StorageTx } from '../../storage/storage.js';
import type { ActionContext } from '../context.js';
import { markActivityOnce } from './activity.js';
import { allAfterCommit, type AfterCommit } from './after-commit.js';

/** One recall attempt as analytics keep it: who and where only to learn the follow-up, never content. */
export interface RecallAttempt {
  readonly userId: string;
  readonly conversationId: string;
  readonly messageId: string;
  /** `recalled`, or the denial code. */
  readonly outcome: string;
  readonly conversationKind: ConversationKind;
  readonly contentType: string;
  readonly role: string;
  readonly sentAtMs: number;
  readonly nowMs: number;
}

/** The attempt behind a decision that analytics count (allowed or denied); null for any other. */
export function attemptOf(
  userId: string,
  messageId: string,
  conversationId: string,
  context: RecallContext,
  decision: RecallDecision,
): RecallAttempt | null {
  if (decision.kind !== 'allowed' && decision.kind !== 'denied') return null;
  return {
    userId,
    conversationId,
    messageId,
    outcome: decision.kind === 'allowed' ? 'recalled' : decision.code,
    conversationKind: context.conversationKind,
    contentType: context.message.type,
    role: attemptRole(context, decision),
    sentAtMs: context.message.sentAtMs,
    nowMs: context.nowMs,
  };
}

/**
 * The capacity the actor recalled in (allowed), or tried (denied: the policy's facts name it). Some
 * denials name none — a type that is not recallable is refused before any capacity is tried, a non-member
 * server admin has no conversation role — and then it is the actor's standing: `sender` for their own
 * message, else their conversation role (`member`, `owner`, `admin`), else `server_admin`, else
 * `unknown`. A small set either way, fit for a metric label.
 */
export function attemptRole(context: RecallContext, decision: RecallDecision): string {
  if (decision.kind === 'allowed') return decision.as;
  if (decision.kind === 'denied' && typeof decision.facts.role === 'string') return decision.facts.role;
  const { actor, message } = context;
  if (actor.conversationRole !== null && message.senderId === actor.userId) return 'sender';
  return actor.conversationRole ?? (actor.serverAdmin ? 'server_admin' : 'unknown');
}

/**
 * Counts the attempt in its quarter hour's cell, in the recall's own transaction (so it is counted once
 * exactly when the recall commits, and never holds message content). An allowed attempt has no
 * follow-up; a denial is counted `pending` and remembered until its sender's next step resolves it
 * (follow-ups.ts) or the sweep calls it `none` (sweep.ts). The actor is marked as having attempted a
 * recall today.
 */
export async function recordRecallAttempt(
  tx: StorageTx,
  ctx: ActionContext,
  attempt: RecallAttempt,
): Promise<AfterCommit> {
  const delaySeconds = Math.max(0, (attempt.nowMs - attempt.sentAtMs) / 1000);
  const denied = attempt.outcome !== 'recalled';
  const key: RecallBucketKey = {
    slot: Math.floor(attempt.nowMs / SLOT_MS) * SLOT_MS,
    outcome: attempt.outcome,
    conversationKind: attempt.conversationKind,
    contentType: attempt.contentType,
    role: attempt.role,
    delayBucket: delayBucketOf(delaySeconds),
    followUp: denied ? 'pending' : null,
  };
  await tx.addRecallBucket(key, 1);
  if (denied) {
    await tx.insertPendingFollowUp({
      id: `f_${randomBytes(12).toString('base64url')}`,
      userId: attempt.userId,
      conversationId: attempt.conversationId,
      messageId: attempt.messageId,
      deniedAt: attempt.nowMs,
      bucket: key,
    });
  }
  const marked = await markActivityOnce(tx, ctx, attempt.userId, 'attempted', attempt.nowMs);
  return allAfterCommit(marked, () =>
    ctx.metrics.recallDelay.observe({ outcome_class: denied ? 'denied' : 'recalled' }, delaySeconds),
  );
}
