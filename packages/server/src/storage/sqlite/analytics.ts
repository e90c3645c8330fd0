import type Database from 'better-sqlite3';
import type {
  DailyActivityRecord,
  PendingFollowUpRecord,
  RecallBucketKey,
  RecallBucketRecord,
} from '../analytics-records.js';
import {
  bucketKeyValues,
  pendingFollowUpValues,
  toDailyActivity,
  toPendingFollowUp,
  toRecallBucket,
  type DailyActivityRow,
  type PendingFollowUpRow,
  type RecallBucketRow,
} from '../rows.js';

/**
 * Recall analytics' part of the SQLite backend (tables `recall_buckets`, `recall_follow_ups`,
 * `daily_activity`), prepared once per connection. Synchronous: `SqliteTx` wraps each call in the port's
 * async signature. Nothing here holds message content.
 */
export function prepareAnalytics(db: Database.Database) {
  const s = {
    // Cells brought back to 0 by resolved follow-ups are as if absent.
    buckets: db.prepare<[number, number], RecallBucketRow>(
      'SELECT * FROM recall_buckets WHERE slot >= ? AND slot < ? AND count != 0 ORDER BY slot',
    ),
    addBucket: db.prepare(
      `INSERT INTO recall_buckets (slot, outcome, conversation_kind, content_type, role, delay_bucket, follow_up, count)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (slot, outcome, conversation_kind, content_type, role, delay_bucket, follow_up)
       DO UPDATE SET count = count + excluded.count`,
    ),
    daily: db.prepare<[string, string], DailyActivityRow>(
      `SELECT day, sum(sent) AS senders, sum(attempted) AS attempters, sum(sent * attempted) AS senders_who_attempted
       FROM daily_activity WHERE day BETWEEN ? AND ? GROUP BY day ORDER BY day`,
    ),
    // Rewrites the row only when a flag goes from 0 to 1: marking again is a no-op, not a write.
    markActivity: db.prepare(
      `INSERT INTO daily_activity (day, user_id, sent, attempted) VALUES (?, ?, ?, ?)
       ON CONFLICT (day, user_id) DO UPDATE SET sent = max(sent, excluded.sent), attempted = max(attempted, excluded.attempted)
       WHERE excluded.sent > daily_activity.sent OR excluded.attempted > daily_activity.attempted`,
    ),
    pendingOf: db.prepare<[string, string], PendingFollowUpRow>(
      `SELECT * FROM recall_follow_ups WHERE user_id = ? AND conversation_id = ? ORDER BY denied_at, id`,
    ),
    stale: db.prepare<[number, number], PendingFollowUpRow>(
      'SELECT * FROM recall_follow_ups WHERE denied_at < ? ORDER BY denied_at, id LIMIT ?',
    ),
    insertPending: db.prepare(
      `INSERT INTO recall_follow_ups (id, user_id, conversation_id, message_id, denied_at, bucket_slot, bucket_outcome,
         bucket_conversation_kind, bucket_content_type, bucket_role, bucket_delay_bucket, bucket_follow_up)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    deletePending: db.prepare('DELETE FROM recall_follow_ups WHERE id = ?'),
    deleteBuckets: db.prepare('DELETE FROM recall_buckets WHERE slot < ?'),
    deleteActivity: db.prepare('DELETE FROM daily_activity WHERE day < ?'),
  };

  return {
    buckets(from: number, to: number): RecallBucketRecord[] {
      return s.buckets.all(from, to).map(toRecallBucket);
    },
    addBucket(key: RecallBucketKey, delta: number): void {
      s.addBucket.run(...bucketKeyValues(key), delta);
    },
    daily(from: string, to: string): DailyActivityRecord[] {
      return s.daily.all(from, to).map(toDailyActivity);
    },
    markActivity(day: string, userId: string, what: 'sent' | 'attempted'): void {
      s.markActivity.run(day, userId, what === 'sent' ? 1 : 0, what === 'attempted' ? 1 : 0);
    },
    pendingOf(userId: string, conversationId: string): PendingFollowUpRecord[] {
      return s.pendingOf.all(userId, conversationId).map(toPendingFollowUp);
    },
    stale(before: number, limit: number): PendingFollowUpRecord[] {
      return s.stale.all(before, limit).map(toPendingFollowUp);
    },
    insertPending(p: PendingFollowUpRecord): void {
      s.insertPending.run(...pendingFollowUpValues(p));
    },
    deletePending(id: string): boolean {
      return s.deletePending.run(id).changes === 1;
    },
    deleteBefore(beforeSlot: number, beforeDay: string): void {
      s.deleteBuckets.run(beforeSlot);
      s.deleteActivity.run(beforeDay);
    },
  };
}

export type SqliteAnalytics = ReturnType<typeof prepareAnalytics>;
