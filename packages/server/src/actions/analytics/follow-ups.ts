import type { FollowUp, PendingFollowUpRecord, RecallBucketKey } from '../../storage/analytics-records.js';
import type { StorageTx } from '../../storage/storage.js';
import type { ActionContext } from '../context.js';
import { nothingAfterCommit, type AfterCommit } from './after-commit.js';

/** What a denial turned out to be followed by. */
export type Resolution = Exclude<FollowUp, 'pending'>;

/** What the sender did that may resolve their pending denials in one conversation. */
export type SenderAction =
  /** Sent a message there; `corrects` when it names an earlier message as the one it corrects. */
  | { readonly kind: 'send'; readonly corrects: boolean }
  /** Hid a message for themselves (delete for me). */
  | { readonly kind: 'hide'; readonly messageId: string };

/**
 * Resolves the user's pending denials in the conversation that `action` answers, in the caller's
 * transaction (the send's or the hide's): a send answers all of them (`correction` or `message`), a
 * hide those of the hidden message (`hide`). A denial older than `analytics.followUpSeconds` that the
 * sweep has not reached yet is resolved as the sweep would, `none`: the action came too late to count.
 */
export async function resolveFollowUps(
  tx: StorageTx,
  ctx: ActionContext,
  userId: string,
  conversationId: string,
  action: SenderAction,
  nowMs: number,
): Promise<AfterCommit> {
  const pending = await tx.listPendingFollowUps(userId, conversationId);
  if (pending.length === 0) return nothingAfterCommit;
  const answered = action.kind === 'hide' ? pending.filter((p) => p.messageId === action.messageId) : pending;
  const inTime = nowMs - ctx.config.analytics.followUpSeconds * 1000;
  const resolution: Resolution = action.kind === 'hide' ? 'hide' : action.corrects ? 'correction' : 'message';
  const resolved = await resolvePending(
    tx,
    answered.map((entry) => ({ entry, as: entry.deniedAt < inTime ? 'none' : resolution })),
  );
  return countResolved(ctx, resolved);
}

/**
 * Moves each entry's count from its `pending` cell to the cell of its resolution, and forgets the entry.
 * An entry is resolved by whoever deletes it: when the delete finds it gone (another request or node
 * resolved it since it was listed), its count is not moved again. The cells' changes are summed and
 * applied in one order (sorted by key), so that two transactions never lock two cells in opposite orders
 * (PostgreSQL). Returns how many were resolved, per resolution.
 */
export async function resolvePending(
  tx: StorageTx,
  items: readonly { readonly entry: PendingFollowUpRecord; readonly as: Resolution }[],
): Promise<Map<Resolution, number>> {
  const deltas = new Map<string, { key: RecallBucketKey; delta: number }>();
  const add = (key: RecallBucketKey, delta: number) => {
    const id = cellId(key);
    const cell = deltas.get(id) ?? { key, delta: 0 };
    cell.delta += delta;
    deltas.set(id, cell);
  };
  const resolved = new Map<Resolution, number>();
  for (const { entry, as } of items) {
    if (!(await tx.deletePendingFollowUp(entry.id))) continue;
    add({ ...entry.bucket, followUp: 'pending' }, -1);
    add({ ...entry.bucket, followUp: as }, +1);
    resolved.set(as, (resolved.get(as) ?? 0) + 1);
  }
  const ordered = [...deltas.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  for (const [, { key, delta }] of ordered) if (delta !== 0) await tx.addRecallBucket(key, delta);
  return resolved;
}

/** After commit: the follow-ups counter. */
export function countResolved(ctx: ActionContext, resolved: ReadonlyMap<Resolution, number>): AfterCommit {
  if (resolved.size === 0) return nothingAfterCommit;
  return () => {
    for (const [followUp, n] of resolved) ctx.metrics.recallFollowUps.inc({ follow_up: followUp }, n);
  };
}

/** A cell's key as one string, for summing and ordering. */
function cellId(k: RecallBucketKey): string {
  return JSON.stringify([
    k.slot,
    k.outcome,
    k.conversationKind,
    k.contentType,
    k.role,
    k.delayBucket,
    k.followUp,
  ]);
}
