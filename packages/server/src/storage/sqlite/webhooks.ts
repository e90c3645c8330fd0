import { randomBytes } from 'node:crypto';
import type Database from 'better-sqlite3';
import {
  toApiKey,
  toWebhookDelivery,
  toWebhookSubscription,
  type ApiKeyRecord,
  type ApiKeyRow,
  type WebhookAttemptResult,
  type WebhookDeliveryRecord,
  type WebhookDeliveryRow,
  type WebhookEventRecord,
  type WebhookSubscriptionRecord,
  type WebhookSubscriptionRow,
} from '../webhook-records.js';

/**
 * Webhooks' and API keys' part of the SQLite backend (tables `webhook_subscriptions`,
 * `webhook_deliveries`, `api_keys`), prepared once per connection. Synchronous: `SqliteTx` wraps each call
 * in the port's async signature. One writer at a time, so a claim (select due rows and lease them in one
 * statement) can never hand the same row to two workers.
 */
export function prepareWebhooks(db: Database.Database) {
  const s = {
    subscriptions: db.prepare<[], WebhookSubscriptionRow>(
      'SELECT * FROM webhook_subscriptions ORDER BY created_at, id',
    ),
    subscription: db.prepare<[string], WebhookSubscriptionRow>(
      'SELECT * FROM webhook_subscriptions WHERE id = ?',
    ),
    subscribedTo: db.prepare<[string], { id: string }>(
      `SELECT id FROM webhook_subscriptions s
       WHERE EXISTS (SELECT 1 FROM json_each(s.events) WHERE value = ?) ORDER BY id`,
    ),
    insertSubscription: db.prepare(
      `INSERT INTO webhook_subscriptions (id, url, events, description, secret, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
    ),
    deleteSubscription: db.prepare('DELETE FROM webhook_subscriptions WHERE id = ?'),
    deleteDeliveriesOf: db.prepare('DELETE FROM webhook_deliveries WHERE subscription_id = ?'),
    setSecret: db.prepare('UPDATE webhook_subscriptions SET secret = ? WHERE id = ?'),
    insertDelivery: db.prepare(
      `INSERT INTO webhook_deliveries (id, subscription_id, event_id, event_type, conversation_id, message_id,
         subject_id, detail, occurred_at, status, attempts, next_attempt_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', 0, ?)`,
    ),
    deliveriesOf: db.prepare<[string, number], WebhookDeliveryRow>(
      'SELECT * FROM webhook_deliveries WHERE subscription_id = ? ORDER BY occurred_at DESC, id DESC LIMIT ?',
    ),
    // Leases the due rows: moved out of reach until `leaseUntil`, so a worker that dies mid-send leaves them
    // to be tried again, not lost.
    claim: db.prepare<[number, number, number, number], WebhookDeliveryRow>(
      `UPDATE webhook_deliveries SET attempts = attempts + 1, last_attempt_at = ?, next_attempt_at = ?
       WHERE id IN (SELECT id FROM webhook_deliveries WHERE status = 'pending' AND next_attempt_at <= ?
                    ORDER BY next_attempt_at, id LIMIT ?)
       RETURNING *`,
    ),
    record: db.prepare(
      `UPDATE webhook_deliveries SET status = ?, next_attempt_at = ?, last_status_code = ?, last_error = ?,
         delivered_at = ? WHERE id = ?`,
    ),
    prune: db.prepare("DELETE FROM webhook_deliveries WHERE status <> 'pending' AND occurred_at < ?"),
    apiKeys: db.prepare<[], ApiKeyRow>('SELECT * FROM api_keys ORDER BY created_at, id'),
    apiKey: db.prepare<[string], ApiKeyRow>('SELECT * FROM api_keys WHERE id = ?'),
    insertApiKey: db.prepare(
      'INSERT INTO api_keys (id, name, scopes, secret_hash, created_at, revoked_at) VALUES (?, ?, ?, ?, ?, NULL)',
    ),
    revokeApiKey: db.prepare('UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL'),
  };

  return {
    subscriptions(): WebhookSubscriptionRecord[] {
      return s.subscriptions.all().map(toWebhookSubscription);
    },
    subscription(id: string): WebhookSubscriptionRecord | null {
      const row = s.subscription.get(id);
      return row ? toWebhookSubscription(row) : null;
    },
    insertSubscription(w: WebhookSubscriptionRecord): void {
      s.insertSubscription.run(w.id, w.url, JSON.stringify(w.events), w.description, w.secret, w.createdAt);
    },
    deleteSubscription(id: string): boolean {
      s.deleteDeliveriesOf.run(id);
      return s.deleteSubscription.run(id).changes === 1;
    },
    setSecret(id: string, secret: string): boolean {
      return s.setSecret.run(secret, id).changes === 1;
    },
    queue(e: WebhookEventRecord): number {
      const subscribers = s.subscribedTo.all(e.type);
      for (const { id } of subscribers) {
        s.insertDelivery.run(
          `whd_${randomBytes(12).toString('hex')}`,
          id,
          e.eventId,
          e.type,
          e.ref.conversationId,
          e.ref.messageId,
          e.ref.subjectId,
          e.ref.detail,
          e.occurredAt,
          e.occurredAt,
        );
      }
      return subscribers.length;
    },
    deliveries(subscriptionId: string, limit: number): WebhookDeliveryRecord[] {
      return s.deliveriesOf.all(subscriptionId, limit).map(toWebhookDelivery);
    },
    claim(now: number, leaseUntil: number, limit: number): WebhookDeliveryRecord[] {
      return s.claim.all(now, leaseUntil, now, limit).map(toWebhookDelivery);
    },
    record(id: string, r: WebhookAttemptResult): void {
      s.record.run(
        r.status,
        r.nextAttemptAt,
        r.statusCode,
        r.error,
        r.status === 'delivered' ? r.at : null,
        id,
      );
    },
    prune(before: number): void {
      s.prune.run(before);
    },
    apiKeys(): ApiKeyRecord[] {
      return s.apiKeys.all().map(toApiKey);
    },
    apiKey(id: string): ApiKeyRecord | null {
      const row = s.apiKey.get(id);
      return row ? toApiKey(row) : null;
    },
    insertApiKey(k: ApiKeyRecord): void {
      s.insertApiKey.run(k.id, k.name, JSON.stringify(k.scopes), k.secretHash, k.createdAt);
    },
    revokeApiKey(id: string, at: number): boolean {
      return s.revokeApiKey.run(at, id).changes === 1;
    },
  };
}

export type SqliteWebhooks = ReturnType<typeof prepareWebhooks>;
