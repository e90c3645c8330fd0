/**
 * Webhook subscriptions, their outbox (which is also their delivery log), and admin API keys, as storage
 * keeps them. No row holds message content: an outbox row names the event and what it is about by id, and
 * the body is rendered from current state when it is sent (webhooks/render.ts). API keys are stored as a
 * hash only.
 */

export interface WebhookSubscriptionRecord {
  readonly id: string;
  readonly url: string;
  /** Exact event types (patterns are expanded when the subscription is made). */
  readonly events: readonly string[];
  readonly description: string | null;
  /**
   * The HMAC signing secret. Kept as is — signing needs it, a hash would not do — and shown to the admin
   * only when created or rotated.
   */
  readonly secret: string;
  readonly createdAt: number;
}

/** What an event is about, by id only. Which ids apply depends on the event type (docs/webhooks.md). */
export interface WebhookRef {
  readonly conversationId: string | null;
  readonly messageId: string | null;
  /** The consent request (consent.*), the member (member.*), the actor (recall.denied, policy.changed). */
  readonly subjectId: string | null;
  /** A short code, never free text: the denial code of `recall.denied`. */
  readonly detail: string | null;
}

/** One event to queue for every subscription that asked for its type. */
export interface WebhookEventRecord {
  /** Shared by the deliveries of this event to every subscription. */
  readonly eventId: string;
  readonly type: string;
  readonly ref: WebhookRef;
  readonly occurredAt: number;
}

export type WebhookDeliveryStatus = 'pending' | 'delivered' | 'failed' | 'skipped';

/** An outbox row: one event for one subscription, with its attempts so far. */
export interface WebhookDeliveryRecord {
  /** The delivery id, sent as `Retract-Webhook-Id`: receivers dedupe on it. */
  readonly id: string;
  readonly subscriptionId: string;
  readonly eventId: string;
  readonly eventType: string;
  readonly ref: WebhookRef;
  readonly occurredAt: number;
  readonly status: WebhookDeliveryStatus;
  readonly attempts: number;
  /** While pending: when it is due (or, while being sent, when the claim lapses). */
  readonly nextAttemptAt: number | null;
  readonly lastAttemptAt: number | null;
  readonly lastStatusCode: number | null;
  /** A short description of the failure (`timeout`, `HTTP 500`, `connection refused`), never a body. */
  readonly lastError: string | null;
  readonly deliveredAt: number | null;
}

/** The outcome of one attempt, written back after the POST. */
export interface WebhookAttemptResult {
  readonly status: WebhookDeliveryStatus;
  readonly at: number;
  readonly nextAttemptAt: number | null;
  readonly statusCode: number | null;
  readonly error: string | null;
}

export interface ApiKeyRecord {
  readonly id: string;
  readonly name: string;
  readonly scopes: readonly string[];
  /** SHA-256 of the whole key (auth/tokens.ts `hashToken`); the key itself is never stored. */
  readonly secretHash: string;
  readonly createdAt: number;
  readonly revokedAt: number | null;
}

/** The columns both backends share, and their conversion. */
export interface WebhookDeliveryRow {
  id: string;
  subscription_id: string;
  event_id: string;
  event_type: string;
  conversation_id: string | null;
  message_id: string | null;
  subject_id: string | null;
  detail: string | null;
  occurred_at: number | string;
  status: string;
  attempts: number;
  next_attempt_at: number | string | null;
  last_attempt_at: number | string | null;
  last_status_code: number | null;
  last_error: string | null;
  delivered_at: number | string | null;
}

const num = (v: number | string | null): number | null => (v === null ? null : Number(v));

export function toWebhookDelivery(r: WebhookDeliveryRow): WebhookDeliveryRecord {
  return {
    id: r.id,
    subscriptionId: r.subscription_id,
    eventId: r.event_id,
    eventType: r.event_type,
    ref: {
      conversationId: r.conversation_id,
      messageId: r.message_id,
      subjectId: r.subject_id,
      detail: r.detail,
    },
    occurredAt: Number(r.occurred_at),
    status: r.status as WebhookDeliveryStatus,
    attempts: r.attempts,
    nextAttemptAt: num(r.next_attempt_at),
    lastAttemptAt: num(r.last_attempt_at),
    lastStatusCode: r.last_status_code,
    lastError: r.last_error,
    deliveredAt: num(r.delivered_at),
  };
}

export interface WebhookSubscriptionRow {
  id: string;
  url: string;
  events: string;
  description: string | null;
  secret: string;
  created_at: number | string;
}

export function toWebhookSubscription(r: WebhookSubscriptionRow): WebhookSubscriptionRecord {
  return {
    id: r.id,
    url: r.url,
    events: JSON.parse(r.events) as string[],
    description: r.description,
    secret: r.secret,
    createdAt: Number(r.created_at),
  };
}

export interface ApiKeyRow {
  id: string;
  name: string;
  scopes: string;
  secret_hash: string;
  created_at: number | string;
  revoked_at: number | string | null;
}

export function toApiKey(r: ApiKeyRow): ApiKeyRecord {
  return {
    id: r.id,
    name: r.name,
    scopes: JSON.parse(r.scopes) as string[],
    secretHash: r.secret_hash,
    createdAt: Number(r.created_at),
    revokedAt: num(r.revoked_at),
  };
}
