import { dayOf } from '../../core/analytics/time-zone.js';
import type { Storage, StorageTx } from '../../storage/storage.js';
import type { ActionContext } from '../context.js';
import { nothingAfterCommit, type AfterCommit } from './after-commit.js';

/**
 * Who sent, who attempted a recall, per day of the operator's zone: one idempotent upsert per user, day
 * and kind. Most sends come from users already marked today, so this process remembers what it marked
 * and skips the write for them — an optimisation only: a cold memo (a restart, another node) just writes
 * again, harmlessly. The memo holds today's entries only (bounded by today's active users) and is emptied
 * when the day changes. Keyed by the storage object, so several servers in one process (tests) keep
 * their own.
 */
const marked = new WeakMap<Storage, { day: string; keys: Set<string> }>();

export async function markActivityOnce(
  tx: StorageTx,
  ctx: ActionContext,
  userId: string,
  what: 'sent' | 'attempted',
  nowMs: number,
): Promise<AfterCommit> {
  const day = dayOf(nowMs, ctx.config.analytics.timeZone);
  const key = `${day}|${userId}|${what}`;
  const memo = marked.get(ctx.storage);
  if (memo?.day === day && memo.keys.has(key)) return nothingAfterCommit;
  await tx.markActivity(day, userId, what);
  // Remembered only once committed: a rolled-back mark must be written again next time.
  return () => {
    let current = marked.get(ctx.storage);
    if (current !== undefined && current.day > day) return; // a late commit from yesterday
    if (current?.day !== day) {
      current = { day, keys: new Set() };
      marked.set(ctx.storage, current);
    }
    current.keys.add(key);
  };
}
