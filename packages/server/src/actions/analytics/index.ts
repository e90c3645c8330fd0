import type { StorageTx } from '../../storage/storage.js';
import type { ActionContext } from '../context.js';
import { markActivityOnce } from './activity.js';
import { allAfterCommit, type AfterCommit } from './after-commit.js';
import { resolveFollowUps } from './follow-ups.js';

/**
 * Recall analytics, recorded by the actions that make them (docs/analytics.md): counts per quarter hour,
 * never content. Each hook writes in the caller's transaction and returns what to do after it commits.
 */
export { allAfterCommit, nothingAfterCommit, type AfterCommit } from './after-commit.js';
export { attemptOf, recordRecallAttempt, type RecallAttempt } from './record.js';
export { resolveFollowUps, resolvePending, type Resolution, type SenderAction } from './follow-ups.js';
export { sweepAnalytics } from './sweep.js';

/**
 * A user sent a message into a conversation: they count as a sender today, and their pending denials
 * there are resolved — a correction when the message corrects an earlier one, else another message.
 */
export async function noteSent(
  tx: StorageTx,
  ctx: ActionContext,
  send: { readonly userId: string; readonly conversationId: string; readonly corrects: boolean },
  nowMs: number,
): Promise<AfterCommit> {
  const resolved = await resolveFollowUps(
    tx,
    ctx,
    send.userId,
    send.conversationId,
    { kind: 'send', corrects: send.corrects },
    nowMs,
  );
  // Cells before the activity row, as in recordRecallAttempt: one order, so that a send and a recall of
  // the same user on PostgreSQL never wait on each other's rows in opposite orders.
  const marked = await markActivityOnce(tx, ctx, send.userId, 'sent', nowMs);
  return allAfterCommit(resolved, marked);
}
