import type Database from 'better-sqlite3';
import type { ClaimedPush, NotifyFanout, PushJobKey, PushTargetRecord } from '../push-records.js';
import { toPushJob, toPushTarget, type PushJobRow, type PushTargetRow } from '../rows.js';

/**
 * Push notifications' part of the SQLite backend (tables `push_targets`, `push_outbox`,
 * `push_receipts`), prepared once per connection. Synchronous: `SqliteTx` wraps each call in the
 * port's async signature. The single writer makes a claim exclusive: two workers never take one row.
 */
export function preparePush(db: Database.Database) {
  const s = {
    targetsOf: db.prepare<[string], PushTargetRow>(
      'SELECT * FROM push_targets WHERE device_id = ? ORDER BY created_at, id',
    ),
    target: db.prepare<[string], PushTargetRow>('SELECT * FROM push_targets WHERE id = ?'),
    // Registering the same subscription again replaces it (new keys, new secret), and its queue with it.
    replaceTarget: db.prepare(
      `DELETE FROM push_targets WHERE device_id = ? AND kind = ? AND address = ? AND coalesce(pushkey, '') = ?`,
    ),
    insertTarget: db.prepare(
      `INSERT INTO push_targets (id, user_id, device_id, kind, address, p256dh, auth, pushkey, secret, privacy, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    deleteTarget: db.prepare('DELETE FROM push_targets WHERE id = ?'),
    deleteTargetOf: db.prepare('DELETE FROM push_targets WHERE id = ? AND device_id = ?'),
    fanout: db.prepare(
      `INSERT INTO push_outbox (target_id, message_id, kind, tag, attempts, next_attempt_at)
       SELECT t.id, ?, 'notify', ?, 0, ? FROM push_targets t
       JOIN members m ON m.user_id = t.user_id AND m.conversation_id = ?
       WHERE t.device_id IS NOT ? AND t.user_id IS NOT ?
       ON CONFLICT DO NOTHING`,
    ),
    dropNotifies: db.prepare(`DELETE FROM push_outbox WHERE message_id = ? AND kind = 'notify'`),
    retractReceipts: db.prepare(
      `INSERT INTO push_outbox (target_id, message_id, kind, tag, attempts, next_attempt_at)
       SELECT target_id, message_id, 'retract', tag, 0, ? FROM push_receipts WHERE message_id = ?
       ON CONFLICT DO NOTHING`,
    ),
    dropReceipts: db.prepare('DELETE FROM push_receipts WHERE message_id = ?'),
    due: db.prepare<[number, number], PushJobRow>(
      'SELECT * FROM push_outbox WHERE next_attempt_at <= ? ORDER BY next_attempt_at LIMIT ?',
    ),
    lease: db.prepare(
      `UPDATE push_outbox SET attempts = attempts + 1, next_attempt_at = ?
       WHERE target_id = ? AND message_id = ? AND kind = ?`,
    ),
    receipt: db.prepare(
      `INSERT INTO push_receipts (target_id, message_id, tag, sent_at) VALUES (?, ?, ?, ?)
       ON CONFLICT DO NOTHING`,
    ),
    deleteJob: db.prepare('DELETE FROM push_outbox WHERE target_id = ? AND message_id = ? AND kind = ?'),
    reschedule: db.prepare(
      'UPDATE push_outbox SET next_attempt_at = ? WHERE target_id = ? AND message_id = ? AND kind = ?',
    ),
    oldReceipts: db.prepare('DELETE FROM push_receipts WHERE sent_at < ?'),
    depth: db.prepare<[], { n: number }>('SELECT count(*) AS n FROM push_outbox'),
  };
  return {
    targetsOf: (deviceId: string) => s.targetsOf.all(deviceId).map(toPushTarget),
    insertTarget(t: PushTargetRecord): void {
      s.replaceTarget.run(t.deviceId, t.kind, t.address, t.pushkey ?? '');
      s.insertTarget.run(
        t.id,
        t.userId,
        t.deviceId,
        t.kind,
        t.address,
        t.p256dh,
        t.auth,
        t.pushkey,
        t.secret,
        t.privacy ? 1 : 0,
        t.createdAt,
      );
    },
    deleteTarget: (id: string, deviceId: string | null): boolean =>
      (deviceId === null ? s.deleteTarget.run(id) : s.deleteTargetOf.run(id, deviceId)).changes > 0,
    queueNotify: (f: NotifyFanout): number =>
      s.fanout.run(f.messageId, f.tag, f.dueAt, f.conversationId, f.skipDeviceId, f.skipUserId).changes,
    retract(messageId: string, dueAt: number): number {
      s.dropNotifies.run(messageId);
      const queued = s.retractReceipts.run(dueAt, messageId).changes;
      s.dropReceipts.run(messageId);
      return queued;
    },
    claim(now: number, leaseUntil: number, limit: number): ClaimedPush[] {
      const claimed: ClaimedPush[] = [];
      for (const row of s.due.all(now, limit)) {
        const target = s.target.get(row.target_id);
        if (!target) continue;
        s.lease.run(leaseUntil, row.target_id, row.message_id, row.kind);
        // Recorded when claimed, not when sent: a recall committed while this push is on the wire must
        // still find it and queue the retraction.
        if (row.kind === 'notify') s.receipt.run(row.target_id, row.message_id, row.tag, now);
        claimed.push({
          job: { ...toPushJob(row), attempts: row.attempts + 1 },
          target: toPushTarget(target),
        });
      }
      return claimed;
    },
    deleteJob: (k: PushJobKey): void => void s.deleteJob.run(k.targetId, k.messageId, k.kind),
    reschedule: (k: PushJobKey, at: number): void =>
      void s.reschedule.run(at, k.targetId, k.messageId, k.kind),
    deleteReceiptsBefore: (before: number): void => void s.oldReceipts.run(before),
    depth: (): number => s.depth.get()?.n ?? 0,
  };
}
