import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Message, webhooks } from '@retract/protocol';
import { verifyWebhook } from '../../sdk/src/webhooks.js';
import { deliverDueWebhooks } from '../src/webhooks/worker.js';
import { call, registerAndLogin, startTestServer, type Login, type TestServer } from './support/harness.js';

/**
 * Webhooks end to end: real deliveries to a receiver on 127.0.0.1, verified with the SDK's helper; a
 * replayed and a tampered delivery rejected; retries after 500s; the delivery log; and a recalled
 * message's text in no body ever sent. The worker's timer is set far out: each test runs a pass itself.
 */

interface Captured {
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  readonly event: { id: string; type: string; occurredAt: string; data: Record<string, unknown> };
}

class Receiver {
  readonly received: Captured[] = [];
  /** Status codes to answer with, in order; 204 once they run out. */
  answers: number[] = [];
  private server: Server | undefined;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (c: Buffer) => chunks.push(c));
      request.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        this.received.push({ headers: request.headers, body, event: JSON.parse(body) as Captured['event'] });
        response.statusCode = this.answers.shift() ?? 204;
        response.end();
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hook`;
  }

  ofType(type: string): Captured[] {
    return this.received.filter((c) => c.event.type === type);
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }
}

describe('webhooks', () => {
  let t: TestServer;
  let receiver: Receiver;
  let alice: Login;
  let bob: Login;
  let root: Login;
  let groupId: string;
  let hook: webhooks.WebhookWithSecret;

  const deliver = () => deliverDueWebhooks(t.server.context);
  const send = async (body: string, clientMsgId = body) => {
    // A second apart, so the delivery log (newest first) has an order the test can rely on.
    t.clock.advance(1000);
    return (
      await call<{ message: Message }>(t.url, 'POST', `/v1/conversations/${groupId}/messages`, {
        token: alice.token,
        body: { clientMsgId, body },
      })
    ).body.message;
  };
  const verify = (c: Captured, overrides: { body?: string; now?: number; secret?: string } = {}) =>
    verifyWebhook({
      secret: overrides.secret ?? hook.secret,
      headers: c.headers as Record<string, string>,
      body: overrides.body ?? c.body,
      now: overrides.now ?? t.clock.now(),
    });
  const deliveries = async () =>
    (
      await call<webhooks.WebhookDeliveryList>(
        t.url,
        'GET',
        `/v1/admin/webhooks/${hook.webhook.id}/deliveries`,
        {
          token: root.token,
        },
      )
    ).body.deliveries;

  before(async () => {
    receiver = new Receiver();
    await receiver.start();
    t = await startTestServer({
      config: {
        serverAdmins: ['root'],
        webhooks: { workerIntervalMs: 60_000, maxAttempts: 3, retryBaseSeconds: 10, retryMaxSeconds: 60 },
      },
    });
    alice = await registerAndLogin(t.url, 'alice');
    bob = await registerAndLogin(t.url, 'bob');
    root = await registerAndLogin(t.url, 'root');
    await registerAndLogin(t.url, 'carol');
    const group = await call<{ conversation: { id: string } }>(t.url, 'POST', '/v1/conversations', {
      token: alice.token,
      body: { kind: 'group', title: 'team', members: ['bob'] },
    });
    groupId = group.body.conversation.id;
  });
  after(async () => {
    await t.close();
    await receiver.close();
  });

  it('is managed by server admins only; the secret is shown once', async () => {
    const denied = await call<{ error: { code: string } }>(t.url, 'POST', '/v1/admin/webhooks', {
      token: alice.token,
      body: { url: receiver.url, events: ['*'] },
    });
    assert.equal(denied.status, 403);
    assert.equal(denied.body.error.code, 'not_permitted');
    const unknown = await call<{ error: { code: string } }>(t.url, 'POST', '/v1/admin/webhooks', {
      token: root.token,
      body: { url: receiver.url, events: ['nothing.here'] },
    });
    assert.equal(unknown.body.error.code, 'invalid_request');

    const made = await call<webhooks.WebhookWithSecret>(t.url, 'POST', '/v1/admin/webhooks', {
      token: root.token,
      body: {
        url: receiver.url,
        events: ['message.*', 'recall.denied', 'member.*', 'policy.changed'],
        description: 'crm',
      },
    });
    assert.equal(made.status, 201);
    hook = made.body;
    assert.match(hook.secret, /^whsec_[A-Za-z0-9_-]{43}$/);
    assert.deepEqual(hook.webhook.events, [
      'message.created',
      'message.recalled',
      'recall.denied',
      'policy.changed',
      'member.added',
      'member.removed',
    ]);
    const list = await call<webhooks.WebhookList>(t.url, 'GET', '/v1/admin/webhooks', { token: root.token });
    assert.deepEqual(list.body.webhooks, [hook.webhook]);
    assert.ok(!JSON.stringify(list.body).includes(hook.secret), 'the list never shows the secret');
  });

  it('delivers signed events that the SDK helper verifies; a replay and a tampered body are rejected', async () => {
    const message = await send('hello, integrations');
    assert.equal(await deliver(), 1);
    const [created] = receiver.ofType('message.created');
    assert.ok(created);
    assert.equal(created.headers['content-type'], 'application/json');
    assert.match(String(created.headers['retract-webhook-id']), /^whd_[0-9a-f]{24}$/);
    assert.equal(created.headers['retract-webhook-timestamp'], String(Math.floor(t.clock.now() / 1000)));
    assert.match(String(created.headers['retract-signature']), /^v1=[0-9a-f]{64}$/);
    assert.equal(created.headers['retract-webhook-event'], 'message.created');
    const data = created.event.data as { message: Message };
    assert.equal(data.message.id, message.id);
    assert.equal(data.message.body, 'hello, integrations');

    const verified = await verify(created);
    assert.equal(verified.ok, true);
    assert.ok(verified.ok);
    assert.equal(verified.deliveryId, created.headers['retract-webhook-id']);
    assert.equal(verified.event.type, 'message.created');

    // Replayed six minutes later: outside the ±5 minute window, though the signature is genuine.
    const replayed = await verify(created, { now: t.clock.now() + 301_000 });
    assert.deepEqual(replayed, { ok: false, reason: 'timestamp_out_of_tolerance' });
    // Tampered: one character of the body changed.
    const tampered = await verify(created, { body: created.body.replace('integrations', 'integrationz') });
    assert.deepEqual(tampered, { ok: false, reason: 'bad_signature' });
    // Another subscription's secret does not verify it.
    assert.deepEqual(await verify(created, { secret: 'whsec_other' }), {
      ok: false,
      reason: 'bad_signature',
    });
  });

  it('never carries a recalled message’s text: message.created goes out as the tombstone', async () => {
    const canary = 'CANARY-b7e1c2 do not leak';
    const message = await send(canary, 'canary');
    const recalled = await call(t.url, 'POST', `/v1/messages/${message.id}/recall`, { token: alice.token });
    assert.equal(recalled.status, 200);
    // Both events were queued before the worker ran: the body is rendered now, from the tombstone.
    assert.equal(await deliver(), 2);
    const created = receiver
      .ofType('message.created')
      .find((c) => (c.event.data as { message: Message }).message.id === message.id);
    assert.ok(created);
    const view = (created.event.data as { message: Message }).message;
    assert.equal(view.body, null);
    assert.equal(view.recalled?.role, 'sender');
    const [gone] = receiver.ofType('message.recalled');
    assert.ok(gone);
    assert.deepEqual(Object.keys(gone.event.data).sort(), [
      'conversationId',
      'messageId',
      'senderId',
      'tombstone',
    ]);
    assert.equal((await verify(gone)).ok, true);
    for (const c of receiver.received)
      assert.ok(!c.body.includes('CANARY'), `no body carries the text (${c.event.type})`);
    assert.ok(!JSON.stringify(await deliveries()).includes('CANARY'), 'nor does the delivery log');
  });

  it('sends recall.denied, member and policy events', async () => {
    const message = await send('bob may not recall this');
    await deliver();
    const denied = await call<{ error: { code: string } }>(
      t.url,
      'POST',
      `/v1/messages/${message.id}/recall`,
      {
        token: bob.token,
      },
    );
    assert.equal(denied.body.error.code, 'not_permitted');
    await call(t.url, 'POST', `/v1/conversations/${groupId}/members`, {
      token: alice.token,
      body: { members: ['carol'] },
    });
    const set = await call(t.url, 'PUT', `/v1/conversations/${groupId}/policy`, {
      token: alice.token,
      body: { document: { preset: 'wechat' } },
    });
    assert.equal(set.status, 200, JSON.stringify(set.body));
    await deliver();
    const [refusal] = receiver.ofType('recall.denied');
    assert.deepEqual(refusal?.event.data, {
      conversationId: groupId,
      messageId: message.id,
      actorId: bob.userId,
      code: 'not_permitted',
    });
    const [added] = receiver.ofType('member.added');
    assert.equal((added?.event.data as { role: string }).role, 'member');
    const [policy] = receiver.ofType('policy.changed');
    assert.deepEqual(policy?.event.data, {
      conversationId: groupId,
      changedBy: alice.userId,
      document: { preset: 'wechat' },
    });
  });

  it('retries after 500s with backoff, reusing the delivery id, and logs each attempt', async () => {
    receiver.answers = [500, 503];
    const before = receiver.received.length;
    const message = await send('flaky receiver');
    assert.equal(await deliver(), 1);
    let [latest] = await deliveries();
    assert.equal(latest?.status, 'pending');
    assert.equal(latest?.attempts, 1);
    assert.equal(latest?.lastStatusCode, 500);
    assert.equal(latest?.lastError, 'HTTP 500');
    const due = Date.parse(latest?.nextAttemptAt ?? '');
    // Equal jitter: between half and all of 10 s after the first failure.
    assert.ok(
      due - t.clock.now() >= 5_000 && due - t.clock.now() <= 10_000,
      `next attempt in ${due - t.clock.now()} ms`,
    );
    assert.equal(await deliver(), 0, 'not due yet');

    t.clock.advance(10_000);
    assert.equal(await deliver(), 1);
    [latest] = await deliveries();
    assert.equal(latest?.attempts, 2);
    assert.equal(latest?.lastStatusCode, 503);
    t.clock.advance(20_000);
    assert.equal(await deliver(), 1);
    [latest] = await deliveries();
    assert.equal(latest?.status, 'delivered');
    assert.equal(latest?.attempts, 3);
    assert.equal(latest?.lastStatusCode, 204);
    assert.equal(latest?.lastError, null);
    assert.ok(latest?.deliveredAt);
    assert.equal(latest?.nextAttemptAt, null);

    const attempts = receiver.received.slice(before);
    assert.equal(attempts.length, 3);
    assert.equal(new Set(attempts.map((a) => a.headers['retract-webhook-id'])).size, 1, 'one delivery id');
    assert.ok(attempts.every((a) => (a.event.data as { message: Message }).message.id === message.id));
    // Each attempt is signed afresh with its own timestamp, and verifies at the moment it was sent.
    assert.equal((await verify(attempts[2] as Captured)).ok, true);
  });

  it('marks a delivery failed once its attempts are used up', async () => {
    receiver.answers = [500, 500, 500];
    await send('always failing');
    await deliver();
    t.clock.advance(60_000);
    await deliver();
    t.clock.advance(60_000);
    await deliver();
    t.clock.advance(600_000);
    assert.equal(await deliver(), 0, 'no fourth attempt');
    const [latest] = await deliveries();
    assert.equal(latest?.status, 'failed');
    assert.equal(latest?.attempts, 3);
    assert.equal(latest?.lastStatusCode, 500);
    const text = await (await fetch(`${t.url}/metrics`)).text();
    assert.match(text, /^retract_webhook_deliveries_total\{outcome="failed"\} 1$/m);
    assert.match(text, /^retract_webhook_deliveries_total\{outcome="retry"\} \d+$/m);
  });

  it('rotates the secret and removes the subscription', async () => {
    const rotated = await call<webhooks.WebhookWithSecret>(
      t.url,
      'POST',
      `/v1/admin/webhooks/${hook.webhook.id}/rotate-secret`,
      {
        token: root.token,
      },
    );
    assert.equal(rotated.status, 200);
    assert.notEqual(rotated.body.secret, hook.secret);
    const old = hook.secret;
    hook = rotated.body;
    await send('after rotation');
    await deliver();
    const last = receiver.received.at(-1) as Captured;
    assert.equal((await verify(last)).ok, true);
    assert.deepEqual(await verify(last, { secret: old }), { ok: false, reason: 'bad_signature' });

    assert.equal(
      (await call(t.url, 'DELETE', `/v1/admin/webhooks/${hook.webhook.id}`, { token: root.token })).status,
      204,
    );
    assert.equal(
      (await call(t.url, 'DELETE', `/v1/admin/webhooks/${hook.webhook.id}`, { token: root.token })).status,
      404,
    );
    await send('nobody is listening');
    assert.equal(await deliver(), 0);
  });
});
