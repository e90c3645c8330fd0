import { randomBytes } from 'node:crypto';
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
import type { Connection } from './pool.js';

/**
 * Webhooks' and API keys' part of the PostgreSQL backend (tables `webhook_subscriptions`,
 * `webhook_deliveries`, `api_keys`).
 *
 * Concurrency. Every node runs a delivery worker against the one outbox: a claim selects due rows
 * `FOR UPDATE SKIP LOCKED` and leases them (moves `next_attempt_at` past the send timeout) in the same
 * statement, so two nodes never send the same row at once, and a node that dies mid-send leaves its rows
 * to be taken again when the lease lapses. Queueing reads the subscriptions without locking them: a
 * subscription deleted concurrently still takes the rows queued for it (the insert holds a key-share lock
 * on the subscription until commit; the delete then cascades).
 */
export class PostgresWebhooks {
  constructor(private readonly db: Connection) {}

  async subscriptions(): Promise<WebhookSubscriptionRecord[]> {
    const rows = await this.db.rows<WebhookSubscriptionRow>(
      'SELECT * FROM webhook_subscriptions ORDER BY created_at, id',
    );
    return rows.map(toWebhookSubscription);
  }

  async subscription(id: string): Promise<WebhookSubscriptionRecord | null> {
    const row = await this.db.one<WebhookSubscriptionRow>(
      'SELECT * FROM webhook_subscriptions WHERE id = $1',
      [id],
    );
    return row ? toWebhookSubscription(row) : null;
  }

  async insertSubscription(w: WebhookSubscriptionRecord): Promise<void> {
    await this.db.run(
      'INSERT INTO webhook_subscriptions (id, url, events, description, secret, created_at) VALUES ($1, $2, $3, $4, $5, $6)',
      [w.id, w.url, JSON.stringify(w.events), w.description, w.secret, w.createdAt],
    );
  }

  async deleteSubscription(id: string): Promise<boolean> {
    await this.db.run('DELETE FROM webhook_deliveries WHERE subscription_id = $1', [id]);
    return (await this.db.changes('DELETE FROM webhook_subscriptions WHERE id = $1', [id])) === 1;
  }

  async setSecret(id: string, secret: string): Promise<boolean> {
    return (
      (await this.db.changes('UPDATE webhook_subscriptions SET secret = $1 WHERE id = $2', [secret, id])) ===
      1
    );
  }

  async queue(e: WebhookEventRecord): Promise<number> {
    const subscribers = await this.db.rows<{ id: string }>(
      'SELECT id FROM webhook_subscriptions WHERE events::jsonb ? $1 ORDER BY id',
      [e.type],
    );
    if (subscribers.length === 0) return 0;
    // One statement for all subscribers: an event fans out to its subscriptions in one round trip.
    await this.db.run(
      `INSERT INTO webhook_deliveries (id, subscription_id, event_id, event_type, conversation_id, message_id,
         subject_id, detail, occurred_at, status, attempts, next_attempt_at)
       SELECT d.id, d.subscription_id, $3, $4, $5, $6, $7, $8, $9, 'pending', 0, $9
       FROM unnest($1::text[], $2::text[]) AS d(id, subscription_id)`,
      [
        subscribers.map(() => `whd_${randomBytes(12).toString('hex')}`),
        subscribers.map((s) => s.id),
        e.eventId,
        e.type,
        e.ref.conversationId,
        e.ref.messageId,
        e.ref.subjectId,
        e.ref.detail,
        e.occurredAt,
      ],
    );
    return subscribers.length;
  }

  async deliveries(subscriptionId: string, limit: number): Promise<WebhookDeliveryRecord[]> {
    const rows = await this.db.rows<WebhookDeliveryRow>(
      'SELECT * FROM webhook_deliveries WHERE subscription_id = $1 ORDER BY occurred_at DESC, id DESC LIMIT $2',
      [subscriptionId, limit],
    );
    return rows.map(toWebhookDelivery);
  }

  async claim(now: number, leaseUntil: number, limit: number): Promise<WebhookDeliveryRecord[]> {
    const rows = await this.db.rows<WebhookDeliveryRow>(
      `UPDATE webhook_deliveries SET attempts = attempts + 1, last_attempt_at = $1, next_attempt_at = $2
       WHERE id IN (SELECT id FROM webhook_deliveries WHERE status = 'pending' AND next_attempt_at <= $1
                    ORDER BY next_attempt_at, id LIMIT $3 FOR UPDATE SKIP LOCKED)
       RETURNING *`,
      [now, leaseUntil, limit],
    );
    return rows.map(toWebhookDelivery);
  }

  async record(id: string, r: WebhookAttemptResult): Promise<void> {
    await this.db.run(
      `UPDATE webhook_deliveries SET status = $1, next_attempt_at = $2, last_status_code = $3, last_error = $4,
         delivered_at = $5 WHERE id = $6`,
      [r.status, r.nextAttemptAt, r.statusCode, r.error, r.status === 'delivered' ? r.at : null, id],
    );
  }

  async prune(before: number): Promise<void> {
    await this.db.run("DELETE FROM webhook_deliveries WHERE status <> 'pending' AND occurred_at < $1", [
      before,
    ]);
  }

  async apiKeys(): Promise<ApiKeyRecord[]> {
    return (await this.db.rows<ApiKeyRow>('SELECT * FROM api_keys ORDER BY created_at, id')).map(toApiKey);
  }

  async apiKey(id: string): Promise<ApiKeyRecord | null> {
    const row = await this.db.one<ApiKeyRow>('SELECT * FROM api_keys WHERE id = $1', [id]);
    return row ? toApiKey(row) : null;
  }

  async insertApiKey(k: ApiKeyRecord): Promise<void> {
    await this.db.run(
      'INSERT INTO api_keys (id, name, scopes, secret_hash, created_at, revoked_at) VALUES ($1, $2, $3, $4, $5, NULL)',
      [k.id, k.name, JSON.stringify(k.scopes), k.secretHash, k.createdAt],
    );
  }

  async revokeApiKey(id: string, at: number): Promise<boolean> {
    return (
      (await this.db.changes('UPDATE api_keys SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL', [
        at,
        id,
      ])) === 1
    );
  }
}
