import type { ClaimedPush, NotifyFanout, PushJobKey, PushTargetRecord } from '../push-records.js';
import { toPushJob, toPushTarget, type PushJobRow, type PushTargetRow } from '../rows.js';
import type { Connection } from './pool.js';

/**
 * Push notifications' part of the PostgreSQL backend (tables `push_targets`, `push_outbox`,
 * `push_receipts`). No message content here.
 *
 * Concurrency. Every node runs the outbox worker. A claim locks its due rows `FOR UPDATE SKIP LOCKED`
 * and pushes their next attempt past a lease in the same statement, so another node's claim skips them
 * now and finds them not due after commit: each push is sent once (again only if the node dies mid-send
 * and the lease runs out). A claimed notify is recorded as a receipt in the claiming transaction. An
 * erasure first deletes the message's notify rows — waiting for any claim holding them — and only then,
 * in a later statement (a new snapshot under READ COMMITTED), turns the receipts into retractions: a
 * claim that committed meanwhile is seen, a claim that starts later finds the rows gone.
 */
export class PostgresPush {
  constructor(
    private readonly db: Connection,
    private readonly writable: boolean,
  ) {}

  async targetsOf(deviceId: string): Promise<PushTargetRecord[]> {
    const rows = await this.db.rows<PushTargetRow>(
      'SELECT * FROM push_targets WHERE device_id = $1 ORDER BY created_at, id',
      [deviceId],
    );
    return rows.map(toPushTarget);
  }

  async insertTarget(t: PushTargetRecord): Promise<void> {
    // Registering the same subscription again replaces it (new keys, new secret), and its queue with it.
    await this.db.run(
      `DELETE FROM push_targets WHERE device_id = $1 AND kind = $2 AND address = $3 AND coalesce(pushkey, '') = $4`,
      [t.deviceId, t.kind, t.address, t.pushkey ?? ''],
    );
    await this.db.run(
      `INSERT INTO push_targets (id, user_id, device_id, kind, address, p256dh, auth, pushkey, secret, privacy, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
      [
        t.id,
        t.userId,
        t.deviceId,
        t.kind,
        t.address,
        t.p256dh,
        t.auth,
        t.pushkey,
        t.secret,
        t.privacy,
        t.createdAt,
      ],
    );
  }

  async deleteTarget(id: string, deviceId: string | null): Promise<boolean> {
    const changed =
      deviceId === null
        ? await this.db.changes('DELETE FROM push_targets WHERE id = $1', [id])
        : await this.db.changes('DELETE FROM push_targets WHERE id = $1 AND device_id = $2', [id, deviceId]);
    return changed > 0;
  }

  async queueNotify(f: NotifyFanout): Promise<number> {
    return this.db.changes(
      `INSERT INTO push_outbox (target_id, message_id, kind, tag, attempts, next_attempt_at)
       SELECT t.id, $1, 'notify', $2, 0, $3 FROM push_targets t
       JOIN members m ON m.user_id = t.user_id AND m.conversation_id = $4
       WHERE t.device_id IS DISTINCT FROM $5 AND t.user_id IS DISTINCT FROM $6
       ON CONFLICT DO NOTHING`,
      [f.messageId, f.tag, f.dueAt, f.conversationId, f.skipDeviceId, f.skipUserId],
    );
  }

  async retract(messageId: string, dueAt: number): Promise<number> {
    await this.db.run(`DELETE FROM push_outbox WHERE message_id = $1 AND kind = 'notify'`, [messageId]);
    const queued = await this.db.changes(
      `INSERT INTO push_outbox (target_id, message_id, kind, tag, attempts, next_attempt_at)
       SELECT target_id, message_id, 'retract', tag, 0, $1 FROM push_receipts WHERE message_id = $2
       ON CONFLICT DO NOTHING`,
      [dueAt, messageId],
    );
    await this.db.run('DELETE FROM push_receipts WHERE message_id = $1', [messageId]);
    return queued;
  }

  async claim(now: number, leaseUntil: number, limit: number): Promise<ClaimedPush[]> {
    if (!this.writable) throw new Error('claiming pushes needs a write transaction');
    const jobs = await this.db.rows<PushJobRow>(
      `WITH due AS (
         SELECT target_id, message_id, kind FROM push_outbox WHERE next_attempt_at <= $1
         ORDER BY next_attempt_at LIMIT $2 FOR UPDATE SKIP LOCKED
       )
       UPDATE push_outbox o SET attempts = o.attempts + 1, next_attempt_at = $3
       FROM due WHERE o.target_id = due.target_id AND o.message_id = due.message_id AND o.kind = due.kind
       RETURNING o.*`,
      [now, limit, leaseUntil],
    );
    if (jobs.length === 0) return [];
    const notified = jobs.filter((j) => j.kind === 'notify');
    if (notified.length > 0) {
      // Recorded when claimed, not when sent: a recall committed while the push is on the wire must
      // still find it and queue the retraction.
      await this.db.run(
        `INSERT INTO push_receipts (target_id, message_id, tag, sent_at)
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[])
         ON CONFLICT DO NOTHING`,
        [
          notified.map((j) => j.target_id),
          notified.map((j) => j.message_id),
          notified.map((j) => j.tag),
          notified.map(() => now),
        ],
      );
    }
    const targets = await this.db.rows<PushTargetRow>(
      'SELECT * FROM push_targets WHERE id = ANY($1::text[])',
      [[...new Set(jobs.map((j) => j.target_id))]],
    );
    const byId = new Map(targets.map((t) => [t.id, toPushTarget(t)]));
    return jobs.flatMap((j) => {
      const target = byId.get(j.target_id);
      return target ? [{ job: toPushJob(j), target }] : [];
    });
  }

  async deleteJob(k: PushJobKey): Promise<void> {
    await this.db.run('DELETE FROM push_outbox WHERE target_id = $1 AND message_id = $2 AND kind = $3', [
      k.targetId,
      k.messageId,
      k.kind,
    ]);
  }

  async reschedule(k: PushJobKey, at: number): Promise<void> {
    await this.db.run(
      'UPDATE push_outbox SET next_attempt_at = $1 WHERE target_id = $2 AND message_id = $3 AND kind = $4',
      [at, k.targetId, k.messageId, k.kind],
    );
  }

  async deleteReceiptsBefore(before: number): Promise<void> {
    await this.db.run('DELETE FROM push_receipts WHERE sent_at < $1', [before]);
  }

  async depth(): Promise<number> {
    const row = await this.db.one<{ n: string }>('SELECT count(*)::bigint AS n FROM push_outbox');
    return Number(row?.n ?? 0);
  }
}
