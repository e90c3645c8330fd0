import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';
import type { Message } from '@retract/protocol';
import { runPushOutbox } from '../src/push/worker.js';
import { tagOf } from '../src/push/payload.js';
import { expireDue } from '../src/actions/disappearing.js';
import { call, registerAndLogin, startTestServer, type Login, type TestServer } from './support/harness.js';
import { PushEndpoint, Subscription, type Captured } from './push-support.js';

/**
 * Push notifications end to end: a real server, a local RFC 8030 push service and push gateway on
 * 127.0.0.1, subscriptions whose keys the test holds, payloads decrypted by the test. The server's
 * worker also runs on its own timer; tests drive it with `runPushOutbox` and await what arrives.
 */

interface Notification {
  tag: string;
  kind: string;
  conversationId: string;
  messageId: string;
  title: string;
  body: string;
}

describe('push notifications', () => {
  let t: TestServer;
  let endpoint: PushEndpoint;
  let alice: Login;
  let bob: Login;
  let carol: Login;
  let groupId: string;
  const logs: string[] = [];
  const bobSub = new Subscription();
  const carolSub = new Subscription();
  const aliceSub = new Subscription();
  let gatewaySecret: string;

  const ctx = () => t.server.context;
  const register = (who: Login, body: unknown) =>
    call<{ target: { id: string }; secret: string | null }>(t.url, 'POST', '/v1/devices/me/push-targets', {
      token: who.token,
      body,
    });
  const send = async (who: Login, conversationId: string, body: string) => {
    const reply = await call<{ message: Message }>(
      t.url,
      'POST',
      `/v1/conversations/${conversationId}/messages`,
      {
        token: who.token,
        body: { clientMsgId: randomBytes(6).toString('hex'), body },
      },
    );
    assert.equal(reply.status, 201, JSON.stringify(reply.body));
    return reply.body.message;
  };
  const recall = (who: Login, id: string, reason?: string) =>
    call(t.url, 'POST', `/v1/messages/${id}/recall`, {
      token: who.token,
      body: reason === undefined ? {} : { reason },
    });
  /** Lets the hold pass and runs the worker; then waits until `total` pushes have arrived in all. */
  const flush = async (total: number, advanceMs = 2001) => {
    t.clock.advance(advanceMs);
    await runPushOutbox(ctx());
    await endpoint.waitForCount(total);
  };
  const decrypted = (sub: Subscription, c: Captured) => JSON.parse(sub.decrypt(c.body)) as Notification;
  const gatewayBody = (c: Captured) =>
    JSON.parse(c.body.toString('utf8')) as { notification: Notification & { pushkey: string } };

  before(async () => {
    endpoint = await PushEndpoint.start();
    const logger = pino({ level: 'trace' }, { write: (line: string) => void logs.push(line) });
    t = await startTestServer({ parts: { logger } });
    alice = await registerAndLogin(t.url, 'alice');
    bob = await registerAndLogin(t.url, 'bob');
    carol = await registerAndLogin(t.url, 'carol');
    const created = await call<{ conversation: { id: string } }>(t.url, 'POST', '/v1/conversations', {
      token: alice.token,
      body: { kind: 'group', title: 'team', members: ['bob', 'carol'] },
    });
    groupId = created.body.conversation.id;
    assert.equal(
      (await register(bob, { kind: 'webpush', endpoint: `${endpoint.url}/push/bob`, keys: bobSub.keys() }))
        .status,
      201,
    );
    const gateway = await register(bob, {
      kind: 'gateway',
      url: `${endpoint.url}/gateway/bob`,
      pushkey: 'apns-token-bob',
    });
    assert.equal(gateway.status, 201);
    assert.ok(gateway.body.secret, 'a gateway target gets its secret once');
    gatewaySecret = gateway.body.secret;
    const privacy = await register(carol, {
      kind: 'webpush',
      endpoint: `${endpoint.url}/push/carol`,
      keys: carolSub.keys(),
      privacy: true,
    });
    assert.equal(privacy.status, 201);
    // On the sending device itself: it must never be pushed its own message.
    await register(alice, { kind: 'webpush', endpoint: `${endpoint.url}/push/alice`, keys: aliceSub.keys() });
  });

  after(async () => {
    await t.close();
    await endpoint.close();
  });

  it('pushes the message encrypted for the subscription, then a retraction with the same tag; nothing after the recall holds the text', async () => {
    const canary = `canary-${randomBytes(12).toString('hex')}`;
    const start = endpoint.captured.length;
    const m = await send(alice, groupId, `${canary} see you at 5`);
    await runPushOutbox(ctx());
    assert.equal(endpoint.captured.length, start, 'nothing is pushed during the hold');
    await flush(start + 3);

    const [push] = endpoint.at('/push/bob').slice(-1);
    assert.ok(push);
    assert.ok(!push.body.includes(Buffer.from(canary)), 'the text is not in the clear on the wire');
    assert.equal(push.headers['content-encoding'], 'aes128gcm');
    assert.match(String(push.headers['authorization']), /^vapid t=.+, k=.+$/);
    const tag = tagOf(m.id);
    assert.equal(push.headers['topic'], tag, 'the push service can replace it by topic');
    assert.deepEqual(decrypted(bobSub, push), {
      tag,
      kind: 'message',
      conversationId: groupId,
      messageId: m.id,
      title: 'team',
      body: `${canary} see you at 5`,
    });

    const [viaGateway] = endpoint.at('/gateway/bob').slice(-1);
    assert.ok(viaGateway);
    const sent = gatewayBody(viaGateway);
    assert.equal(sent.notification.pushkey, 'apns-token-bob');
    assert.equal(sent.notification.body, `${canary} see you at 5`);
    assert.equal(sent.notification.tag, tag);
    // The documented signature: t=<unix seconds>,v1=hex(HMAC-SHA256(secret, "<t>.<body>")).
    const header = String(viaGateway.headers['retract-signature']);
    const match = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header);
    assert.ok(match, header);
    const expected = createHmac('sha256', Buffer.from(gatewaySecret, 'base64url'))
      .update(`${match[1]}.${viaGateway.body.toString('utf8')}`)
      .digest('hex');
    assert.equal(match[2], expected, 'the gateway can verify the POST');
    const forged = createHmac('sha256', randomBytes(32)).update(
      `${match[1]}.${viaGateway.body.toString('utf8')}`,
    );
    assert.notEqual(match[2], forged.digest('hex'));

    const [private_] = endpoint.at('/push/carol').slice(-1);
    assert.ok(private_);
    const carolSees = decrypted(carolSub, private_);
    assert.deepEqual(
      { title: carolSees.title, body: carolSees.body, kind: carolSees.kind },
      { title: 'Retract', body: 'New message', kind: 'message' },
      'privacy mode: no content',
    );
    assert.ok(!JSON.stringify(carolSees).includes(canary));
    assert.equal(endpoint.at('/push/alice').length, 0, 'the sending device is not pushed to');

    const mark = endpoint.captured.length;
    assert.equal((await recall(alice, m.id)).status, 200);
    await flush(mark + 3, 0);
    const afterRecall = endpoint.captured.slice(mark);
    const retraction = decrypted(
      bobSub,
      afterRecall.find((c) => c.path === '/push/bob')!,
    );
    assert.deepEqual(retraction, {
      tag,
      kind: 'retraction',
      conversationId: groupId,
      messageId: m.id,
      title: 'Retract',
      body: 'alice recalled a message',
    });
    assert.equal(
      gatewayBody(afterRecall.find((c) => c.path === '/gateway/bob')!).notification.kind,
      'retraction',
    );
    assert.equal(
      decrypted(
        carolSub,
        afterRecall.find((c) => c.path === '/push/carol')!,
      ).body,
      'Message removed',
    );

    // The canary grep: every push after the recall (decrypted), every gateway body, every log line.
    for (const c of afterRecall) {
      const text = c.path.startsWith('/push/bob')
        ? bobSub.decrypt(c.body)
        : c.path.startsWith('/push/carol')
          ? carolSub.decrypt(c.body)
          : c.body.toString('utf8');
      assert.ok(!text.includes(canary), `a push after the recall holds the text (${c.path})`);
    }
    assert.ok(logs.length > 0, 'the log capture works');
    assert.ok(
      logs.every((line) => !line.includes(canary)),
      'a log line holds the text',
    );
    await runPushOutbox(ctx());
    assert.equal(endpoint.captured.length, mark + 3, 'one retraction per notification, no more');
  });

  it('sends nothing when a message is recalled within the hold (the recipient offline)', async () => {
    const start = endpoint.captured.length;
    const canary = `canary-${randomBytes(12).toString('hex')}`;
    const m = await send(alice, groupId, canary);
    assert.equal((await recall(alice, m.id)).status, 200);
    t.clock.advance(60_000);
    await runPushOutbox(ctx());
    assert.equal(
      await t.server.context.storage.read((tx) => tx.pushOutboxDepth()),
      0,
      'nothing left to send',
    );
    // Control: the next message is pushed as usual, and it is the only push since.
    const next = await send(alice, groupId, 'the next one');
    await flush(start + 3);
    await runPushOutbox(ctx());
    const since = endpoint.captured.slice(start);
    assert.equal(since.length, 3);
    for (const c of since) {
      const text =
        c.path === '/push/bob'
          ? bobSub.decrypt(c.body)
          : c.path === '/push/carol'
            ? carolSub.decrypt(c.body)
            : c.body.toString();
      assert.ok(!text.includes(canary), 'no push ever carried the recalled text');
      assert.ok(!text.includes(m.id), 'no push at all about the recalled message');
      assert.ok(text.includes(next.id));
    }
  });

  it('retracts on disappearing expiry and on removal by a moderator', async () => {
    const set = await call(t.url, 'PUT', `/v1/conversations/${groupId}/disappearing`, {
      token: alice.token,
      body: { disappearing: { mode: 'after_send', seconds: 60 } },
    });
    assert.equal(set.status, 200, JSON.stringify(set.body));
    let start = endpoint.captured.length;
    const expiring = await send(alice, groupId, 'this will expire');
    await flush(start + 3);
    start = endpoint.captured.length;
    t.clock.advance(61_000);
    await expireDue(ctx());
    await flush(start + 3, 0);
    const expired = decrypted(
      bobSub,
      endpoint.captured.slice(start).find((c) => c.path === '/push/bob')!,
    );
    assert.deepEqual(
      [expired.kind, expired.messageId, expired.body],
      ['retraction', expiring.id, 'Message expired'],
    );
    await call(t.url, 'PUT', `/v1/conversations/${groupId}/disappearing`, {
      token: alice.token,
      body: { disappearing: null },
    });

    const policy = await call(t.url, 'PUT', `/v1/conversations/${groupId}/policy`, {
      token: alice.token,
      body: { document: { preset: 'feishu' } },
    });
    assert.equal(policy.status, 200, JSON.stringify(policy.body));
    start = endpoint.captured.length;
    const bobs = await send(bob, groupId, 'something regrettable');
    // Bob sent it: carol's target is pushed, and alice's; bob's own device is not.
    await flush(start + 2);
    start = endpoint.captured.length;
    t.clock.advance(3 * 86_400_000);
    const removed = await recall(alice, bobs.id, 'off-topic');
    assert.equal(removed.status, 200, JSON.stringify(removed.body));
    await flush(start + 2, 0);
    const atAlice = endpoint.captured.slice(start).find((c) => c.path === '/push/alice')!;
    assert.deepEqual(
      [decrypted(aliceSub, atAlice).kind, decrypted(aliceSub, atAlice).body],
      ['retraction', 'Removed by an admin'],
    );
  });
});

describe('push delivery failures', () => {
  let t: TestServer;
  let endpoint: PushEndpoint;
  let alice: Login;
  let bob: Login;
  let directId: string;
  const sub = new Subscription();

  before(async () => {
    endpoint = await PushEndpoint.start();
    t = await startTestServer();
    alice = await registerAndLogin(t.url, 'alice');
    bob = await registerAndLogin(t.url, 'bob');
    const created = await call<{ conversation: { id: string } }>(t.url, 'POST', '/v1/conversations', {
      token: alice.token,
      body: { kind: 'direct', members: ['bob'] },
    });
    directId = created.body.conversation.id;
  });
  after(async () => {
    await t.close();
    await endpoint.close();
  });

  const send = (body: string) =>
    call<{ message: Message }>(t.url, 'POST', `/v1/conversations/${directId}/messages`, {
      token: alice.token,
      body: { clientMsgId: randomBytes(6).toString('hex'), body },
    });
  const value = async (name: 'pushDeliveries' | 'pushRetries', labels: Record<string, string>) => {
    const metric = await t.server.context.metrics[name].get();
    return (
      metric.values.find((v) =>
        Object.entries(labels).every(([k, l]) => (v.labels as Record<string, unknown>)[k] === l),
      )?.value ?? 0
    );
  };
  const step = async (advanceMs: number, total: number) => {
    t.clock.advance(advanceMs);
    await runPushOutbox(t.server.context);
    await endpoint.waitForCount(total);
  };

  it('retries with exponential backoff and delivers once; counts it', async () => {
    const reg = await call<{ target: { id: string } }>(t.url, 'POST', '/v1/devices/me/push-targets', {
      token: bob.token,
      body: { kind: 'webpush', endpoint: `${endpoint.url}/flaky`, keys: sub.keys() },
    });
    assert.equal(reg.status, 201);
    endpoint.script.set('/flaky', [500, 500]);
    const sent = await send('try, try again');
    assert.equal(sent.status, 201);
    await step(2001, 1);
    assert.equal(await value('pushRetries', { kind: 'notify' }), 1);
    await step(1000, 1);
    await runPushOutbox(t.server.context);
    assert.equal(endpoint.captured.length, 1, 'not before the backoff has passed (5 s)');
    await step(4000, 2);
    await step(5000, 2);
    assert.equal(endpoint.captured.length, 2, 'the second retry waits twice as long (10 s)');
    await step(5000, 3);
    t.clock.advance(3_600_000);
    await runPushOutbox(t.server.context);
    assert.equal(endpoint.captured.length, 3, 'delivered once, then nothing more');
    assert.equal(await value('pushDeliveries', { kind: 'notify', outcome: 'delivered' }), 1);
    assert.equal(await value('pushDeliveries', { kind: 'notify', outcome: 'retry' }), 2);
    assert.equal(await value('pushRetries', { kind: 'notify' }), 2);
    const metrics = await t.server.context.metrics.registry.metrics();
    assert.match(metrics, /retract_push_deliveries_total\{kind="notify",outcome="delivered"\} 1/);
    assert.equal(sub.decrypt(endpoint.captured[2]!.body).includes('try, try again'), true);
    await call(t.url, 'DELETE', `/v1/devices/me/push-targets/${reg.body.target.id}`, { token: bob.token });
  });

  it('removes a subscription the push service says is gone (410)', async () => {
    const start = endpoint.captured.length;
    const reg = await call(t.url, 'POST', '/v1/devices/me/push-targets', {
      token: bob.token,
      body: { kind: 'webpush', endpoint: `${endpoint.url}/gone`, keys: sub.keys() },
    });
    assert.equal(reg.status, 201);
    endpoint.script.set('/gone', [410]);
    await send('to a dead subscription');
    await step(2001, start + 1);
    const listed = await call<{ targets: unknown[] }>(t.url, 'GET', '/v1/devices/me/push-targets', {
      token: bob.token,
    });
    assert.deepEqual(listed.body.targets, [], 'the target is removed');
    assert.equal(await value('pushDeliveries', { kind: 'notify', outcome: 'gone' }), 1);
    await send('and another');
    t.clock.advance(5000);
    await runPushOutbox(t.server.context);
    assert.equal(endpoint.captured.length, start + 1, 'nothing more goes to it');
  });
});

describe('push targets API', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer();
  });
  after(() => t.close());

  it('registers, lists and deletes per device; validates; removes them on logout; serves the VAPID key', async () => {
    const alice = await registerAndLogin(t.url, 'alice');
    const other = await call<{ token: string; device: { id: string } }>(t.url, 'POST', '/v1/sessions', {
      body: { username: 'alice', password: 'correct horse', deviceName: 'laptop' },
    });
    const keys = new Subscription().keys();
    const path = '/v1/devices/me/push-targets';
    const created = await call<{ target: { id: string; url: string; privacy: boolean }; secret: null }>(
      t.url,
      'POST',
      path,
      { token: alice.token, body: { kind: 'webpush', endpoint: 'http://127.0.0.1:9/sub', keys } },
    );
    assert.equal(created.status, 201);
    assert.equal(created.body.secret, null);
    assert.equal(created.body.target.privacy, false);
    // Registering the same subscription again replaces it instead of adding a second.
    await call(t.url, 'POST', path, {
      token: alice.token,
      body: { kind: 'webpush', endpoint: 'http://127.0.0.1:9/sub', keys, privacy: true },
    });
    const listed = await call<{ targets: { id: string; privacy: boolean }[] }>(t.url, 'GET', path, {
      token: alice.token,
    });
    assert.equal(listed.body.targets.length, 1);
    assert.equal(listed.body.targets[0]?.privacy, true);
    assert.ok(!JSON.stringify(listed.body).includes(keys.auth), 'keys are never returned');

    const bad = (body: unknown) =>
      call<{ error: { code: string } }>(t.url, 'POST', path, { token: alice.token, body });
    assert.equal((await bad({ kind: 'webpush', endpoint: 'ftp://127.0.0.1/x', keys })).status, 400);
    assert.equal(
      (await bad({ kind: 'webpush', endpoint: 'http://127.0.0.1:9/x', keys: { ...keys, p256dh: keys.auth } }))
        .status,
      400,
    );
    assert.equal(
      (await bad({ kind: 'webpush', endpoint: 'http://127.0.0.1:9/x', keys: { ...keys, auth: keys.p256dh } }))
        .status,
      400,
    );
    assert.equal((await bad({ kind: 'gateway', url: 'javascript:alert(1)', pushkey: 'k' })).status, 400);

    // Another device of the same user neither sees nor deletes it.
    const id = listed.body.targets[0]!.id;
    const theirs = await call<{ targets: unknown[] }>(t.url, 'GET', path, { token: other.body.token });
    assert.deepEqual(theirs.body.targets, []);
    assert.equal((await call(t.url, 'DELETE', `${path}/${id}`, { token: other.body.token })).status, 404);

    await call(t.url, 'POST', path, {
      token: other.body.token,
      body: { kind: 'gateway', url: 'http://127.0.0.1:9/gw', pushkey: 'k' },
    });
    assert.equal(
      (await call(t.url, 'DELETE', '/v1/sessions/current', { token: other.body.token })).status,
      204,
    );
    const left = await t.server.context.storage.read((tx) => tx.listPushTargets(other.body.device.id));
    assert.deepEqual(left, [], 'logging out removes the device’s targets');

    assert.equal((await call(t.url, 'DELETE', `${path}/${id}`, { token: alice.token })).status, 204);
    assert.equal((await call(t.url, 'DELETE', `${path}/${id}`, { token: alice.token })).status, 404);

    const vapid = await call<{ publicKey: string }>(t.url, 'GET', '/v1/push/vapid-public-key');
    assert.equal(vapid.status, 200);
    const point = Buffer.from(vapid.body.publicKey, 'base64url');
    assert.equal(point.length, 65);
    assert.equal(point[0], 4);
    assert.equal(statSync(join(t.dataDir, 'push', 'vapid.key')).mode & 0o777, 0o600);
  });
});
