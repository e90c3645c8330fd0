import { createHmac, randomBytes } from 'node:crypto';

/**
 * Webhook signatures, Stripe-style (docs/webhooks.md): `v1=` + hex HMAC-SHA256 keyed with the
 * subscription's secret over `<unix seconds>.<raw body>`. The timestamp is inside the MAC, so a receiver
 * that rejects old timestamps cannot be fed a captured delivery later; the delivery id lets it drop
 * a retry of one it already processed.
 */
export const signatureHeader = 'retract-signature';
export const timestampHeader = 'retract-webhook-timestamp';
export const deliveryIdHeader = 'retract-webhook-id';
export const eventTypeHeader = 'retract-webhook-event';

/** 256 random bits; the prefix makes a leaked secret recognisable to secret scanners. */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64url')}`;
}

export function signWebhook(secret: string, timestampSeconds: number, body: string): string {
  const mac = createHmac('sha256', secret).update(`${timestampSeconds}.${body}`, 'utf8').digest('hex');
  return `v1=${mac}`;
}

/** The headers of one attempt. */
export function webhookHeaders(input: {
  secret: string;
  deliveryId: string;
  eventType: string;
  body: string;
  nowMs: number;
}): Record<string, string> {
  const timestamp = Math.floor(input.nowMs / 1000);
  return {
    'content-type': 'application/json',
    'user-agent': 'Retract-Webhooks/1',
    [deliveryIdHeader]: input.deliveryId,
    [timestampHeader]: String(timestamp),
    [eventTypeHeader]: input.eventType,
    [signatureHeader]: signWebhook(input.secret, timestamp, input.body),
  };
}
