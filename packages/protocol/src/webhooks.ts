import { Type, type Static } from '@sinclair/typebox';
import { Id, Timestamp } from './models.js';

/**
 * Webhooks for integrations and scoped admin API keys (docs/webhooks.md). Management is for server admins;
 * an API key authenticates only the forced-recall routes.
 */
const strict = { additionalProperties: false } as const;

/** Every event a subscription may ask for. `recall.denied` exists only as a webhook (no device event). */
export const webhookEventTypes = [
  'message.created',
  'message.recalled',
  'recall.denied',
  'consent.requested',
  'consent.approved',
  'consent.declined',
  'consent.cancelled',
  'consent.expired',
  'policy.changed',
  'member.added',
  'member.removed',
] as const;
export type WebhookEventType = (typeof webhookEventTypes)[number];

/** What a subscription names: an event type, or a family (`consent.*`), or `*` for all of them. */
export const WebhookEventPattern = Type.String({
  pattern: '^(\\*|[a-z]+\\.\\*|[a-z]+\\.[a-z_]+)$',
  maxLength: 40,
});

export const WebhookId = Type.String({ pattern: '^wh_[0-9a-f]{24}$' });
export const ApiKeyId = Type.String({ pattern: '^i_[0-9a-f]{24}$' });

export const WebhookParams = Type.Object({ id: WebhookId }, strict);
export const ApiKeyParams = Type.Object({ id: ApiKeyId }, strict);

export const CreateWebhookRequest = Type.Object(
  {
    /** Where deliveries are POSTed: an http(s) URL. */
    url: Type.String({ minLength: 8, maxLength: 2000, pattern: '^https?://' }),
    events: Type.Array(WebhookEventPattern, { minItems: 1, maxItems: 32, uniqueItems: true }),
    description: Type.Optional(Type.String({ maxLength: 200 })),
  },
  strict,
);
export type CreateWebhookRequest = Static<typeof CreateWebhookRequest>;

export const Webhook = Type.Object({
  id: WebhookId,
  url: Type.String(),
  /** The event types, patterns expanded. */
  events: Type.Array(Type.String()),
  description: Type.Union([Type.String(), Type.Null()]),
  createdAt: Timestamp,
});
export type Webhook = Static<typeof Webhook>;

/** Returned on creation and on rotation only: the signing secret is never shown again. */
export const WebhookWithSecret = Type.Object({ webhook: Webhook, secret: Type.String() });
export type WebhookWithSecret = Static<typeof WebhookWithSecret>;

export const WebhookList = Type.Object({ webhooks: Type.Array(Webhook) });
export type WebhookList = Static<typeof WebhookList>;

/** One entry of the delivery log: references and outcomes, never the body. */
export const WebhookDelivery = Type.Object({
  id: Type.String(),
  eventId: Type.String(),
  eventType: Type.String(),
  status: Type.Union([
    Type.Literal('pending'),
    Type.Literal('delivered'),
    Type.Literal('failed'),
    Type.Literal('skipped'),
  ]),
  attempts: Type.Integer({ minimum: 0 }),
  lastStatusCode: Type.Union([Type.Integer(), Type.Null()]),
  lastError: Type.Union([Type.String(), Type.Null()]),
  createdAt: Timestamp,
  lastAttemptAt: Type.Union([Timestamp, Type.Null()]),
  nextAttemptAt: Type.Union([Timestamp, Type.Null()]),
  deliveredAt: Type.Union([Timestamp, Type.Null()]),
});
export type WebhookDelivery = Static<typeof WebhookDelivery>;

export const WebhookDeliveriesQuery = Type.Object(
  { limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })) },
  strict,
);
export const WebhookDeliveryList = Type.Object({ deliveries: Type.Array(WebhookDelivery) });
export type WebhookDeliveryList = Static<typeof WebhookDeliveryList>;

export const apiKeyScopes = ['recall', 'recall:bulk'] as const;
export type ApiKeyScope = (typeof apiKeyScopes)[number];
export const ApiKeyScopeSchema = Type.Union(apiKeyScopes.map((s) => Type.Literal(s)));

export const CreateApiKeyRequest = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100 }),
    scopes: Type.Array(ApiKeyScopeSchema, { minItems: 1, maxItems: apiKeyScopes.length, uniqueItems: true }),
  },
  strict,
);
export type CreateApiKeyRequest = Static<typeof CreateApiKeyRequest>;

export const ApiKey = Type.Object({
  id: ApiKeyId,
  name: Type.String(),
  scopes: Type.Array(Type.String()),
  createdAt: Timestamp,
  revokedAt: Type.Union([Timestamp, Type.Null()]),
});
export type ApiKey = Static<typeof ApiKey>;

/** The key itself (`rk_<id>_<secret>`) is returned once, at creation; only its hash is stored. */
export const CreatedApiKey = Type.Object({ apiKey: ApiKey, key: Type.String() });
export type CreatedApiKey = Static<typeof CreatedApiKey>;

export const ApiKeyList = Type.Object({ apiKeys: Type.Array(ApiKey) });
export type ApiKeyList = Static<typeof ApiKeyList>;

export const ForcedRecallRequest = Type.Object(
  { reason: Type.String({ minLength: 1, maxLength: 500 }) },
  strict,
);
export type ForcedRecallRequest = Static<typeof ForcedRecallRequest>;

/** Bulk: listed messages (answered at once, per message), or one sender's messages (a recall job). */
export const BulkRecallRequest = Type.Union([
  Type.Object(
    {
      messageIds: Type.Array(Id, { minItems: 1, maxItems: 100, uniqueItems: true }),
      reason: Type.String({ minLength: 1, maxLength: 500 }),
    },
    strict,
  ),
  Type.Object(
    {
      conversationId: Id,
      senderId: Id,
      from: Type.Optional(Timestamp),
      to: Type.Optional(Timestamp),
      reason: Type.String({ minLength: 1, maxLength: 500 }),
    },
    strict,
  ),
]);
export type BulkRecallRequest = Static<typeof BulkRecallRequest>;

export const BulkRecallResponse = Type.Object({
  /** Per listed message: `recalled`, `already_recalled` or an error code. */
  results: Type.Optional(Type.Array(Type.Object({ messageId: Type.String(), outcome: Type.String() }))),
  /** For a sender's messages: the recall job, to follow at `GET /v1/admin/recall-jobs/{id}`. */
  jobId: Type.Optional(Type.String()),
});
export type BulkRecallResponse = Static<typeof BulkRecallResponse>;
