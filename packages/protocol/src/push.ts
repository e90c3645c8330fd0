import { Type, type Static } from '@sinclair/typebox';

/**
 * Push notifications (`/v1/devices/me/push-targets`, `/v1/push/vapid-public-key`; docs/push.md). A
 * device registers where its notifications go; every notification carries a tag, and erasing the
 * message (recall, moderation, expiry, retention) sends a retraction with the same tag that replaces it.
 */
const strict = { additionalProperties: false } as const;
const Base64Url = (description: string, maxLength: number) =>
  Type.String({ pattern: '^[A-Za-z0-9_-]+={0,2}$', minLength: 1, maxLength, description });
const HttpUrl = Type.String({
  minLength: 8,
  maxLength: 2048,
  pattern: '^https?://',
  description: 'an http(s) URL',
});
const Privacy = Type.Boolean({
  description: 'send no content to this target: title "Retract", body "New message" (default false)',
});

/** A browser's Web Push subscription (`PushSubscription.toJSON()`), RFC 8030 / RFC 8291. */
export const WebPushTargetRequest = Type.Object(
  {
    kind: Type.Literal('webpush'),
    endpoint: HttpUrl,
    keys: Type.Object(
      {
        p256dh: Base64Url("the subscription's P-256 public key (65 bytes, uncompressed)", 100),
        auth: Base64Url("the subscription's auth secret (16 bytes)", 40),
      },
      strict,
    ),
    privacy: Type.Optional(Privacy),
  },
  strict,
);

/** A push gateway (as Matrix's): the server POSTs each notification, signed, for the app to forward. */
export const GatewayTargetRequest = Type.Object(
  {
    kind: Type.Literal('gateway'),
    url: HttpUrl,
    pushkey: Type.String({ minLength: 1, maxLength: 512, description: "the app's device token" }),
    privacy: Type.Optional(Privacy),
  },
  strict,
);

export const RegisterPushTargetRequest = Type.Union([WebPushTargetRequest, GatewayTargetRequest]);
export type RegisterPushTargetRequest = Static<typeof RegisterPushTargetRequest>;

/** A registered target, as its device sees it: never the subscription's keys or the gateway secret. */
export const PushTarget = Type.Object({
  id: Type.String(),
  kind: Type.Union([Type.Literal('webpush'), Type.Literal('gateway')]),
  /** The Web Push endpoint or the gateway URL. */
  url: Type.String(),
  pushkey: Type.Union([Type.String(), Type.Null()]),
  privacy: Type.Boolean(),
  createdAt: Type.String({ description: 'ISO 8601' }),
});
export type PushTarget = Static<typeof PushTarget>;

export const RegisterPushTargetResponse = Type.Object({
  target: PushTarget,
  /**
   * Gateway targets only, returned this once: the HMAC-SHA256 key of the `Retract-Signature` header on
   * every POST (base64url of 32 bytes). Null for Web Push.
   */
  secret: Type.Union([Type.String(), Type.Null()]),
});
export type RegisterPushTargetResponse = Static<typeof RegisterPushTargetResponse>;

export const PushTargetsResponse = Type.Object({ targets: Type.Array(PushTarget) });
export type PushTargetsResponse = Static<typeof PushTargetsResponse>;

export const PushTargetParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) }, strict);

export const VapidPublicKeyResponse = Type.Object({
  /** The application server key for `pushManager.subscribe` (base64url, 65 bytes uncompressed P-256). */
  publicKey: Type.String(),
});
export type VapidPublicKeyResponse = Static<typeof VapidPublicKeyResponse>;

/** What a device receives: decrypted from a Web Push message, or as `notification` in a gateway POST. */
export const PushNotification = Type.Object({
  /** The same for a message's notification and its retraction: show the retraction in its place. */
  tag: Type.String(),
  kind: Type.Union([Type.Literal('message'), Type.Literal('retraction')]),
  conversationId: Type.String(),
  messageId: Type.String(),
  title: Type.String(),
  body: Type.String(),
});
export type PushNotification = Static<typeof PushNotification>;
