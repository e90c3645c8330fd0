import { dayOf } from '../../core/analytics/time-zone.js';
import { SLOT_MS } from '../../storage/analytics-records.js';
import type { Storage } from '../../storage/storage.js';
import type { ActionContext } from '../context.js';
import { countResolved, resolvePending } from './follow-ups.js';

/** Batches per sweep, so one tick of the sweeper stays short however much piled up (the next continues). */
const MAX_BATCHES = 10;
/** Retention deletes whole days of counts: checking once an hour (of the server's clock) is plenty. */
const RETENTION_EVERY_MS = 3_600_000;
const nextRetention = new WeakMap<Storage, number>();

/**
 * The analytics sweep, run by the server's sweeper every second and directly by tests: denials whose
 * sender did nothing within `analytics.followUpSeconds` are resolved `none`, `limit` per transaction;
 * then, at most hourly, counts and activity older than `analytics.retentionDays` are deleted. Returns how
 * many denials it resolved.
 */
export async function sweepAnalytics(ctx: ActionContext, limit = 200): Promise<number> {
  const now = ctx.clock.now();
  const before = now - ctx.config.analytics.followUpSeconds * 1000;
  let resolved = 0;
  for (let batch = 0; batch < MAX_BATCHES; batch++) {
    // Looked for in a read first: usually there is nothing, and then no write transaction is opened.
    if ((await ctx.storage.read((tx) => tx.listStaleFollowUps(before, 1))).length === 0) break;
    const done = await ctx.storage.transaction(async (tx) => {
      const stale = await tx.listStaleFollowUps(before, limit);
      return {
        listed: stale.length,
        resolved: await resolvePending(
          tx,
          stale.map((entry) => ({ entry, as: 'none' })),
        ),
      };
    });
    countResolved(ctx, done.resolved)();
    resolved += done.resolved.get('none') ?? 0;
    if (done.listed < limit) break;
  }
  await retainAnalytics(ctx, now);
  return resolved;
}

/**
 * Deletes counts of slots, and activity of days, older than `analytics.retentionDays` — the slot and the
 * day the cut-off falls in are kept whole. Pending denials are never that old: the follow-up window is at
 * most a day, retention at least one, and the sweep resolves them first.
 */
async function retainAnalytics(ctx: ActionContext, now: number): Promise<void> {
  if (now < (nextRetention.get(ctx.storage) ?? -Infinity)) return;
  const cutoff = now - ctx.config.analytics.retentionDays * 86_400_000;
  const beforeSlot = Math.floor(cutoff / SLOT_MS) * SLOT_MS;
  const beforeDay = dayOf(cutoff, ctx.config.analytics.timeZone);
  await ctx.storage.transaction((tx) => tx.deleteAnalyticsBefore(beforeSlot, beforeDay));
  nextRetention.set(ctx.storage, now + RETENTION_EVERY_MS);
}
