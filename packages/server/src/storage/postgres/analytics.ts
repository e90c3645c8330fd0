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
import type { Connection } from './pool.js';

/**
 * Recall analytics' part of the PostgreSQL backend (tables `recall_buckets`, `recall_follow_ups`,
 * `daily_activity`). Nothing here holds message content.
 *
 * Concurrency. A cell is changed by one atomic upsert (`INSERT … ON CONFLICT DO UPDATE`), so concurrent
 * counts from several nodes all land; writers of one cell queue on its row. A pending follow-up is
 * resolved by whoever deletes its row: a second resolver's DELETE waits for the first to commit and then
 * deletes nothing, and the caller moves no count (actions/analytics). The sweep's stale list claims its
 * rows (`FOR UPDATE SKIP LOCKED`) as the other sweeps do, so nodes share the work.
 */
export class PostgresAnalytics {
  constructor(
    private readonly db: Connection,
    private readonly writable: boolean,
  ) {}

  async buckets(from: number, to: number): Promise<RecallBucketRecord[]> {
    // Cells brought back to 0 by resolved follow-ups are as if absent.
    const rows = await this.db.rows<RecallBucketRow>(
      'SELECT * FROM recall_buckets WHERE slot >= $1 AND slot < $2 AND count <> 0 ORDER BY slot',
      [from, to],
    );
    return rows.map(toRecallBucket);
  }

  async addBucket(key: RecallBucketKey, delta: number): Promise<void> {
    await this.db.run(
      `INSERT INTO recall_buckets (slot, outcome, conversation_kind, content_type, role, delay_bucket, follow_up, count)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (slot, outcome, conversation_kind, content_type, role, delay_bucket, follow_up)
       DO UPDATE SET count = recall_buckets.count + EXCLUDED.count`,
      [...bucketKeyValues(key), delta],
    );
  }

  async daily(from: string, to: string): Promise<DailyActivityRecord[]> {
    const rows = await this.db.rows<DailyActivityRow>(
      `SELECT day, sum(sent) AS senders, sum(attempted) AS attempters,
              sum(sent * attempted) AS senders_who_attempted
       FROM daily_activity WHERE day BETWEEN $1 AND $2 GROUP BY day ORDER BY day`,
      [from, to],
    );
    return rows.map(toDailyActivity);
  }

  async markActivity(day: string, userId: string, what: 'sent' | 'attempted'): Promise<void> {
    // Rewrites the row only when a flag goes from 0 to 1: marking again is a no-op, not a write.
    await this.db.run(
      `INSERT INTO daily_activity (day, user_id, sent, attempted) VALUES ($1, $2, $3, $4)
       ON CONFLICT (day, user_id) DO UPDATE
         SET sent = GREATEST(daily_activity.sent, EXCLUDED.sent),
             attempted = GREATEST(daily_activity.attempted, EXCLUDED.attempted)
       WHERE EXCLUDED.sent > daily_activity.sent OR EXCLUDED.attempted > daily_activity.attempted`,
      [day, userId, what === 'sent' ? 1 : 0, what === 'attempted' ? 1 : 0],
    );
  }

  async pendingOf(userId: string, conversationId: string): Promise<PendingFollowUpRecord[]> {
    const rows = await this.db.rows<PendingFollowUpRow>(
      `SELECT * FROM recall_follow_ups WHERE user_id = $1 AND conversation_id = $2 ORDER BY denied_at, id`,
      [userId, conversationId],
    );
    return rows.map(toPendingFollowUp);
  }

  async stale(before: number, limit: number): Promise<PendingFollowUpRecord[]> {
    const claim = this.writable ? ' FOR UPDATE SKIP LOCKED' : '';
    const rows = await this.db.rows<PendingFollowUpRow>(
      `SELECT * FROM recall_follow_ups WHERE denied_at < $1 ORDER BY denied_at, id LIMIT $2${claim}`,
      [before, limit],
    );
    return rows.map(toPendingFollowUp);
  }

  async insertPending(p: PendingFollowUpRecord): Promise<void> {
    await this.db.run(
      `INSERT INTO recall_follow_ups (id, user_id, conversation_id, message_id, denied_at, bucket_slot, bucket_outcome,
         bucket_conversation_kind, bucket_content_type, bucket_role, bucket_delay_bucket, bucket_follow_up)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
      pendingFollowUpValues(p),
    );
  }

  async deletePending(id: string): Promise<boolean> {
    return (await this.db.changes('DELETE FROM recall_follow_ups WHERE id = $1', [id])) === 1;
  }

  async deleteBefore(beforeSlot: number, beforeDay: string): Promise<void> {
    await this.db.run('DELETE FROM recall_buckets WHERE slot < $1', [beforeSlot]);
    await this.db.run('DELETE FROM daily_activity WHERE day < $1', [beforeDay]);
  }
}
