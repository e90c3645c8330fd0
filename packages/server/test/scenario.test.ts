import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Event, Message } from '@retract/protocol';
import {
  call,
  RecordingSocket,
  registerAndLogin,
  login,
  startTestServer,
  type Login,
  type TestServer,
} from './support/harness.js';

/**
 * The core scenario over real HTTP and WebSocket: a recall inside the window reaches an online device
 * live, an offline device never receives the text when it syncs, and a recall past the window (moved on
 * the server's fake clock) is denied and changes nothing.
 */
describe('recall scenario: group, online phone, offline laptop', () => {
  let t: TestServer;
  let alice: Login;
  let bobPhone: Login;
  let bobLaptop: Login;
  let conversationId: string;

  before(async () => {
    t = await startTestServer({ windowSeconds: 120 });
    alice = await registerAndLogin(t.url, 'alice', 'alice-phone');
    bobPhone = await registerAndLogin(t.url, 'bob', 'bob-phone');
    bobLaptop = await login(t.url, 'bob', 'bob-laptop');
    const created = await call<{ conversation: { id: string } }>(t.url, 'POST', '/v1/conversations', {
      token: alice.token,
      body: { kind: 'group', title: 'team', members: ['bob'] },
    });
    assert.equal(created.status, 201);
    conversationId = created.body.conversation.id;
  });
  after(() => t.close());

  it('delivers the recall live, keeps the text from the offline laptop, and denies a late recall', async () => {
    // The laptop syncs once (so it has a cursor), then goes offline.
    const laptopFirst = await call<{ cursor: number }>(t.url, 'GET', '/v1/sync?after=0', {
      token: bobLaptop.token,
    });
    const laptopCursor = laptopFirst.body.cursor;
    assert.equal(laptopCursor, 1, 'the laptop has seen conversation.created');

    const phone = await RecordingSocket.open(t.wsUrl, bobPhone.token, 0);
    await phone.waitFor((f) => f.type === 'synced');

    const secret = 'the launch code is 0000';
    const sent = await call<{ message: Message }>(
      t.url,
      'POST',
      `/v1/conversations/${conversationId}/messages`,
      {
        token: alice.token,
        body: { clientMsgId: 'a-1', body: secret },
      },
    );
    assert.equal(sent.status, 201);
    const messageId = sent.body.message.id;
    const live = await phone.waitForEvent((e) => e.type === 'message.created' && e.message.id === messageId);
    assert.equal(
      live.type === 'message.created' && live.message.body,
      secret,
      'the phone saw the message live',
    );

    t.clock.advance(60_000); // one minute later: inside the two-minute window
    const recalled = await call<{ tombstone: { role: string; recalledBy: string }; transitioned: boolean }>(
      t.url,
      'POST',
      `/v1/messages/${messageId}/recall`,
      { token: alice.token },
    );
    assert.equal(recalled.status, 200);
    assert.equal(recalled.body.transitioned, true);
    assert.equal(recalled.body.tombstone.role, 'sender');

    const tombstone = await phone.waitForEvent(
      (e) => e.type === 'message.recalled' && e.messageId === messageId,
    );
    assert.equal(tombstone.type === 'message.recalled' && tombstone.tombstone.recalledBy, alice.userId);
    const phoneSeqs = phone.events().map((e) => e.seq);
    assert.deepEqual(phoneSeqs, [1, 2, 3], 'the phone got every event once, in order');

    // The laptop comes back and pages through what it missed: the tombstone, never the text.
    const missed = await call<{ events: Event[]; cursor: number; hasMore: boolean }>(
      t.url,
      'GET',
      `/v1/sync?after=${laptopCursor}`,
      { token: bobLaptop.token },
    );
    assert.equal(missed.status, 200);
    assert.deepEqual(
      missed.body.events.map((e) => e.type),
      ['message.created', 'message.recalled'],
    );
    const created = missed.body.events[0];
    assert.ok(created?.type === 'message.created');
    assert.equal(created.message.body, null);
    assert.ok(created.message.recalled, 'the created entry carries the tombstone');
    assert.ok(!JSON.stringify(missed.body).includes(secret), 'no sync page holds the recalled text');

    // Reconnecting over the socket from the old cursor shows the same: no text anywhere.
    const laptop = await RecordingSocket.openWithAuthFrame(t.wsUrl, bobLaptop.token, laptopCursor);
    await laptop.waitFor((f) => f.type === 'synced');
    assert.ok(!JSON.stringify(laptop.frames).includes(secret), 'no replayed frame holds the recalled text');
    assert.deepEqual(
      laptop.events().map((e) => e.seq),
      [2, 3],
    );

    const historyPage = await call<{ messages: Message[] }>(
      t.url,
      'GET',
      `/v1/conversations/${conversationId}/messages`,
      {
        token: bobLaptop.token,
      },
    );
    assert.equal(historyPage.body.messages[0]?.body, null);
    assert.ok(!JSON.stringify(historyPage.body).includes(secret));

    // Recalling again answers with the same tombstone and no new event.
    const again = await call<{ tombstone: unknown; transitioned: boolean }>(
      t.url,
      'POST',
      `/v1/messages/${messageId}/recall`,
      {
        token: alice.token,
      },
    );
    assert.equal(again.status, 200);
    assert.equal(again.body.transitioned, false);
    assert.deepEqual(again.body.tombstone, recalled.body.tombstone);

    // A second message, recalled past the window on the server's clock: denied, nothing changes.
    const late = await call<{ message: Message }>(
      t.url,
      'POST',
      `/v1/conversations/${conversationId}/messages`,
      {
        token: alice.token,
        body: { clientMsgId: 'a-2', body: 'keep me' },
      },
    );
    await phone.waitForEvent((e) => e.type === 'message.created' && e.message.id === late.body.message.id);
    t.clock.advance(120_001);
    const denied = await call<{ error: { code: string; details: Record<string, unknown> } }>(
      t.url,
      'POST',
      `/v1/messages/${late.body.message.id}/recall`,
      { token: alice.token },
    );
    assert.equal(denied.status, 403);
    assert.equal(denied.body.error.code, 'recall_window_expired');
    assert.equal(denied.body.error.details['windowSeconds'], 120);
    assert.equal(denied.body.error.details['sentAt'], late.body.message.sentAt);
    assert.equal(denied.body.error.details['now'], new Date(t.clock.now()).toISOString());

    const afterDenial = await call<{ messages: Message[] }>(
      t.url,
      'GET',
      `/v1/conversations/${conversationId}/messages`,
      {
        token: bobPhone.token,
      },
    );
    assert.equal(afterDenial.body.messages[0]?.body, 'keep me');
    assert.equal(afterDenial.body.messages[0]?.recalled, null);
    const sync = await call<{ events: Event[] }>(t.url, 'GET', '/v1/sync?after=4', { token: bobPhone.token });
    assert.deepEqual(sync.body.events, [], 'a denied recall appends no event');

    await phone.close();
    await laptop.close();
  });

  it("tells the sender's other devices too", async () => {
    const aliceLaptop = await login(t.url, 'alice', 'alice-laptop');
    const socket = await RecordingSocket.openWithAuthFrame(t.wsUrl, aliceLaptop.token);
    await socket.waitFor((f) => f.type === 'synced');
    const sent = await call<{ message: Message }>(
      t.url,
      'POST',
      `/v1/conversations/${conversationId}/messages`,
      {
        token: alice.token,
        body: { clientMsgId: 'a-3', body: 'oops' },
      },
    );
    await call(t.url, 'POST', `/v1/messages/${sent.body.message.id}/recall`, { token: alice.token });
    const event = await socket.waitForEvent(
      (e) => e.type === 'message.recalled' && e.messageId === sent.body.message.id,
    );
    assert.ok(event.type === 'message.recalled' && event.messageId === sent.body.message.id);
    await socket.close();
  });

  it('gives concurrent recalls of one message exactly one transition', async () => {
    const sent = await call<{ message: Message }>(
      t.url,
      'POST',
      `/v1/conversations/${conversationId}/messages`,
      {
        token: alice.token,
        body: { clientMsgId: 'a-4', body: 'race' },
      },
    );
    const id = sent.body.message.id;
    const before = await call<{ cursor: number }>(t.url, 'GET', '/v1/sync?after=0&limit=500', {
      token: bobPhone.token,
    });
    const replies = await Promise.all(
      Array.from({ length: 8 }, () =>
        call<{ transitioned: boolean; tombstone: unknown }>(t.url, 'POST', `/v1/messages/${id}/recall`, {
          token: alice.token,
        }),
      ),
    );
    assert.deepEqual(
      replies.map((r) => r.status),
      Array(8).fill(200),
    );
    assert.equal(replies.filter((r) => r.body.transitioned).length, 1);
    for (const r of replies) assert.deepEqual(r.body.tombstone, replies[0]?.body.tombstone);
    const events = await call<{ events: Event[] }>(t.url, 'GET', `/v1/sync?after=${before.body.cursor}`, {
      token: bobPhone.token,
    });
    assert.equal(events.body.events.filter((e) => e.type === 'message.recalled').length, 1);
  });

  it('returns the original message for a retried send, never a duplicate', async () => {
    const first = await call<{ message: Message; created: boolean }>(
      t.url,
      'POST',
      `/v1/conversations/${conversationId}/messages`,
      {
        token: alice.token,
        body: { clientMsgId: 'retry-1', body: 'once' },
      },
    );
    const retry = await call<{ message: Message; created: boolean }>(
      t.url,
      'POST',
      `/v1/conversations/${conversationId}/messages`,
      {
        token: alice.token,
        body: { clientMsgId: 'retry-1', body: 'once' },
      },
    );
    assert.equal(first.status, 201);
    assert.equal(retry.status, 200);
    assert.equal(retry.body.created, false);
    assert.deepEqual(retry.body.message, first.body.message);
    const reused = await call<{ error: { code: string } }>(
      t.url,
      'POST',
      `/v1/conversations/${conversationId}/messages`,
      {
        token: alice.token,
        body: { clientMsgId: 'retry-1', body: 'something else' },
      },
    );
    assert.equal(reused.status, 409);
    assert.equal(reused.body.error.code, 'idempotency_key_reused');
    const page = await call<{ messages: Message[] }>(
      t.url,
      'GET',
      `/v1/conversations/${conversationId}/messages`,
      {
        token: alice.token,
      },
    );
    assert.equal(page.body.messages.filter((m) => m.clientMsgId === 'retry-1').length, 1);
  });
});
