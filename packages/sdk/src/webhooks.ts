/**
 * Verifying Retract webhook deliveries (docs/webhooks.md). Each delivery carries
 * `Retract-Webhook-Id`, `Retract-Webhook-Timestamp` (unix seconds) and
 * `Retract-Signature: v1=<hex HMAC-SHA256(secret, "<timestamp>.<raw body>")>`. A delivery is genuine when
 * one `v1` signature matches, and fresh when its timestamp is within the tolerance of now; receivers
 * should also drop a delivery id they have already processed (retries reuse it).
 *
 * Uses Web Crypto only (Node 20+, browsers, workers); the MAC comparison is `crypto.subtle.verify`, which
 * compares in constant time.
 */

export type WebhookHeaders =
  { get(name: string): string | null } | Readonly<Record<string, string | readonly string[] | undefined>>;

export interface VerifyWebhookOptions {
  /** The subscription's signing secret (`whsec_…`), as returned when it was made or rotated. */
  readonly secret: string;
  readonly headers: WebhookHeaders;
  /** The raw request body, exactly as received — not re-serialised JSON. */
  readonly body: string | Uint8Array;
  /** The receiver's clock; default `Date.now()`. */
  readonly now?: Date | number;
  /** How far the timestamp may be from now, either way; default 300 (5 minutes). */
  readonly toleranceSeconds?: number;
}

export type WebhookRejection =
  'missing_headers' | 'timestamp_out_of_tolerance' | 'bad_signature' | 'bad_body';

export type VerifiedWebhook =
  | {
      readonly ok: true;
      /** The delivery id: dedupe on it. */
      readonly deliveryId: string;
      readonly timestamp: number;
      readonly event: { id: string; type: string; occurredAt: string; data: Record<string, unknown> };
    }
  | { readonly ok: false; readonly reason: WebhookRejection };

const encoder = new TextEncoder();

function header(headers: WebhookHeaders, name: string): string | null {
  if (typeof (headers as { get?: unknown }).get === 'function') {
    return (headers as { get(name: string): string | null }).get(name);
  }
  const record = headers as Readonly<Record<string, string | readonly string[] | undefined>>;
  const key = Object.keys(record).find((k) => k.toLowerCase() === name);
  const value = key === undefined ? undefined : record[key];
  return value === undefined ? null : typeof value === 'string' ? value : (value[0] ?? null);
}

function hexToBytes(hex: string): Uint8Array<ArrayBuffer> | null {
  if (!/^(?:[0-9a-f]{2})+$/i.test(hex)) return null;
  const out = new Uint8Array(new ArrayBuffer(hex.length / 2));
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

/** Checks a delivery's signature and freshness; the parsed event only when both hold. */
export async function verifyWebhook(options: VerifyWebhookOptions): Promise<VerifiedWebhook> {
  const deliveryId = header(options.headers, 'retract-webhook-id');
  const timestampText = header(options.headers, 'retract-webhook-timestamp');
  const signature = header(options.headers, 'retract-signature');
  if (!deliveryId || !timestampText || !signature || !/^\d{1,12}$/.test(timestampText)) {
    return { ok: false, reason: 'missing_headers' };
  }
  const timestamp = Number(timestampText);
  const nowMs = options.now === undefined ? Date.now() : Number(options.now);
  const tolerance = options.toleranceSeconds ?? 300;
  if (Math.abs(nowMs / 1000 - timestamp) > tolerance)
    return { ok: false, reason: 'timestamp_out_of_tolerance' };

  const body = typeof options.body === 'string' ? encoder.encode(options.body) : options.body;
  const prefix = encoder.encode(`${timestampText}.`);
  const signed = new Uint8Array(prefix.length + body.length);
  signed.set(prefix, 0);
  signed.set(body, prefix.length);
  const key = await crypto.subtle.importKey(
    'raw',
    encoder.encode(options.secret),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['verify'],
  );
  // Several `v1=` entries may be present; any one matching is enough.
  let valid = false;
  for (const part of signature.split(',')) {
    const [scheme, value] = part.trim().split('=', 2);
    const mac = scheme === 'v1' && value !== undefined ? hexToBytes(value) : null;
    if (mac && (await crypto.subtle.verify('HMAC', key, mac, signed))) valid = true;
  }
  if (!valid) return { ok: false, reason: 'bad_signature' };
  try {
    const text = typeof options.body === 'string' ? options.body : new TextDecoder().decode(options.body);
    const event = JSON.parse(text) as {
      id: string;
      type: string;
      occurredAt: string;
      data: Record<string, unknown>;
    };
    return { ok: true, deliveryId, timestamp, event };
  } catch {
    return { ok: false, reason: 'bad_body' };
  }
}
