import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { verifyWebhook } from '../src/index.js';

/**
 * The receiver's side of webhook signatures, against signatures made independently here with
 * node:crypto: the same construction the server uses (docs/webhooks.md).
 */
const secret = 'whsec_test_secret';
const now = Date.UTC(2026, 0, 1, 9, 0, 0);
const ts = Math.floor(now / 1000);
const body = JSON.stringify({
  id: 'whe_1',
  type: 'message.recalled',
  occurredAt: '2026-01-01T09:00:00.000Z',
  data: { messageId: 'm_1' },
});
const sign = (timestamp: number, text: string, key = secret) =>
  `v1=${createHmac('sha256', key).update(`${timestamp}.${text}`).digest('hex')}`;
const headers = (timestamp = ts, text = body) => ({
  'Retract-Webhook-Id': 'whd_abc',
  'Retract-Webhook-Timestamp': String(timestamp),
  'Retract-Signature': sign(timestamp, text),
});

describe('verifyWebhook', () => {
  it('accepts a genuine, fresh delivery and returns its event', async () => {
    const result = await verifyWebhook({ secret, headers: headers(), body, now });
    assert.ok(result.ok);
    assert.equal(result.deliveryId, 'whd_abc');
    assert.equal(result.timestamp, ts);
    assert.equal(result.event.type, 'message.recalled');
  });

  it('takes a Fetch Headers object and a byte body', async () => {
    const result = await verifyWebhook({
      secret,
      headers: new Headers(headers()),
      body: new TextEncoder().encode(body),
      now,
    });
    assert.equal(result.ok, true);
  });

  it('rejects a replay outside the window, either way, and accepts one just inside', async () => {
    assert.deepEqual(await verifyWebhook({ secret, headers: headers(), body, now: now + 301_000 }), {
      ok: false,
      reason: 'timestamp_out_of_tolerance',
    });
    assert.deepEqual(await verifyWebhook({ secret, headers: headers(), body, now: now - 301_000 }), {
      ok: false,
      reason: 'timestamp_out_of_tolerance',
    });
    assert.equal((await verifyWebhook({ secret, headers: headers(), body, now: now + 299_000 })).ok, true);
    assert.equal(
      (await verifyWebhook({ secret, headers: headers(), body, now: now + 30_000, toleranceSeconds: 10 })).ok,
      false,
    );
  });

  it('rejects a tampered body, a moved timestamp and a wrong secret', async () => {
    const tampered = body.replace('m_1', 'm_2');
    assert.deepEqual(await verifyWebhook({ secret, headers: headers(), body: tampered, now }), {
      ok: false,
      reason: 'bad_signature',
    });
    // The signature is over the timestamp too: re-dating a captured delivery breaks it.
    const redated = { ...headers(), 'Retract-Webhook-Timestamp': String(ts + 60) };
    assert.deepEqual(await verifyWebhook({ secret, headers: redated, body, now }), {
      ok: false,
      reason: 'bad_signature',
    });
    assert.deepEqual(await verifyWebhook({ secret: 'whsec_other', headers: headers(), body, now }), {
      ok: false,
      reason: 'bad_signature',
    });
    const garbage = { ...headers(), 'Retract-Signature': 'v1=zz' };
    assert.deepEqual(await verifyWebhook({ secret, headers: garbage, body, now }), {
      ok: false,
      reason: 'bad_signature',
    });
  });

  it('accepts any one of several v1 signatures, and rejects missing headers', async () => {
    const several = { ...headers(), 'Retract-Signature': `v1=${'0'.repeat(64)}, ${sign(ts, body)}` };
    assert.equal((await verifyWebhook({ secret, headers: several, body, now })).ok, true);
    const { 'Retract-Signature': _dropped, ...unsigned } = headers();
    assert.deepEqual(await verifyWebhook({ secret, headers: unsigned, body, now }), {
      ok: false,
      reason: 'missing_headers',
    });
  });
});
