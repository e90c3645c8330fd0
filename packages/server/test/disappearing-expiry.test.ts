import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Event, EventOf, Message } from '@retract/protocol';
import { expireDue } from '../src/actions/disappearing.js';
import {
  call,
  RecordingSocket,
  registerAndLogin,
  startTestServer,
  type Login,
  type TestServer,
} from './support/harness.js';

/**
 * Each message carries its own expiry: clients count down from it rather than from the conversation's
 * current setting, which may have changed since (or, for `after_read`, says nothing of when reading
 * started the timer).
 */
describe('disappearing messages: each message’s own expiry', () => {
  let t: TestServer;
  let alice: Login;
  let bob: Login;
  let n = 0;
  const hour = 3_600_000;
  const iso = (ms: number) => new Date(ms).toISOString();

  before(async () => {
    t = await startTestServer();
    alice = await registerAndLogin(t.url, 'alice');
    bob = await registerAndLogin(t.url, 'bob');
  });
  after(() => t.close());

  async function direct(): Promise<string> {
    // A group of two: each case gets a conversation of its own (a direct pair has only one).
    const reply = await call<{ conversation: { id: string } }>(t.url, 'POST', '/v1/conversations', {
      token: alice.token,
      body: { kind: 'group', title: `timers ${++n}`, members: ['bob'] },
    });
    assert.equal(reply.status, 201);
    return reply.body.conversation.id;
  }
  const setTimer = async (conversationId: string, disappearing: unknown) => {
    const reply = await call(t.url, 'PUT', `/v1/conversations/${conversationId}/disappearing`, {
      token: alice.token,
      body: { disappearing },
    });
    assert.equal(reply.status, 200);
  };
  const send = async (who: Login, conversationId: string, body: string) => {
    const reply = await call<{ message: Message }>(
      t.url,
      'POST',
      `/v1/conversations/${conversationId}/messages`,
      { token: who.token, body: { clientMsgId: `x-${++n}`, body } },
    );
    assert.equal(reply.status, 201);
    return reply.body.message;
  };
  const read = async (who: Login, conversationId: string, upTo: string) => {
    const reply = await call(t.url, 'POST', `/v1/conversations/${conversationId}/read`, {
      token: who.token,
      body: { upTo },
    });
    assert.equal(reply.status, 200);
  };
  /** Expiry of each message in the conversation's history as `who` sees it, by id. */
  const expiries = async (who: Login, conversationId: string) => {
    const page = await call<{ messages: Message[] }>(
      t.url,
      'GET',
      `/v1/conversations/${conversationId}/messages`,
      { token: who.token },
    );
    assert.equal(page.status, 200);
    return new Map(page.body.messages.map((m) => [m.id, m.expiresAt]));
  };
  const synced = async (who: Login) => {
    const reply = await call<{ events: Event[] }>(t.url, 'GET', '/v1/sync?after=0&limit=500', {
      token: who.token,
    });
    assert.equal(reply.status, 200);
    return reply.body.events;
  };
  const isRead =
    (conversationId: string, userId: string) =>
    (e: Event): e is EventOf<'conversation.read'> =>
      e.type === 'conversation.read' && e.conversationId === conversationId && e.userId === userId;

  it('keeps the expiry a message was sent under, whatever the setting becomes', async () => {
    const id = await direct();
    const bobsPhone = await RecordingSocket.open(t.wsUrl, bob.token);
    try {
      await bobsPhone.waitFor((f) => f.type === 'synced');
      await setTimer(id, { mode: 'after_send', seconds: 3600 });
      const hourly = await send(alice, id, 'an hour to live');
      const due = iso(Date.parse(hourly.sentAt) + hour);
      assert.equal(hourly.expiresAt, due, 'the sender’s reply');
      const created = await bobsPhone.waitForEvent(
        (e) => e.type === 'message.created' && e.message.id === hourly.id,
      );
      assert.ok(created.type === 'message.created');
      assert.equal(created.message.expiresAt, due, 'the live message.created');
      assert.equal((await expiries(bob, id)).get(hourly.id), due, 'history');

      t.clock.advance(60_000);
      await setTimer(id, { mode: 'after_send', seconds: 300 });
      const quick = await send(alice, id, 'five minutes');
      assert.equal(quick.expiresAt, iso(Date.parse(quick.sentAt) + 300_000));
      assert.equal((await expiries(alice, id)).get(hourly.id), due, 'unchanged by the new setting');

      await setTimer(id, null);
      const lasting = await send(alice, id, 'no timer');
      assert.equal(lasting.expiresAt, null);
      const now = await expiries(bob, id);
      assert.equal(now.get(hourly.id), due, 'unchanged by turning the timer off');
      assert.equal(now.get(lasting.id), null);
      const createdOnSync = (await synced(bob)).find(
        (e): e is EventOf<'message.created'> => e.type === 'message.created' && e.message.id === hourly.id,
      );
      assert.equal(createdOnSync?.message.expiresAt, due, 'sync');

      // The sweeper goes by each message's own expiry: five minutes on, only the quick one is gone.
      t.clock.advance(300_000);
      assert.equal(await expireDue(t.server.context), 1);
      const gone = await bobsPhone.waitForEvent((e) => e.type === 'message.recalled');
      assert.ok(gone.type === 'message.recalled' && gone.messageId === quick.id);
      t.clock.advance(hour);
      assert.equal(await expireDue(t.server.context), 1);
      await bobsPhone.waitForEvent((e) => e.type === 'message.recalled' && e.messageId === hourly.id);
    } finally {
      await bobsPhone.close();
    }
  });

  it('tells every member when a read starts timers, and for which messages', async () => {
    const id = await direct();
    const alicesPhone = await RecordingSocket.open(t.wsUrl, alice.token);
    const bobsPhone = await RecordingSocket.open(t.wsUrl, bob.token);
    try {
      await alicesPhone.waitFor((f) => f.type === 'synced');
      await bobsPhone.waitFor((f) => f.type === 'synced');
      await setTimer(id, { mode: 'after_read', seconds: 600 });
      const first = await send(alice, id, 'burn after reading');
      const second = await send(alice, id, 'this one too');
      const reply = await send(bob, id, 'mine stays until alice reads it');
      const unread = await send(alice, id, 'not read yet');
      assert.equal(first.expiresAt, null, 'no timer before it is read');
      const created = await bobsPhone.waitForEvent(
        (e) => e.type === 'message.created' && e.message.id === first.id,
      );
      assert.ok(created.type === 'message.created' && created.message.expiresAt === null);

      t.clock.advance(30_000);
      const bobReadAt = t.clock.now();
      await read(bob, id, second.id);
      const due = iso(bobReadAt + 600_000);
      for (const phone of [alicesPhone, bobsPhone]) {
        const receipt = await phone.waitForEvent(isRead(id, bob.userId));
        assert.ok(receipt.type === 'conversation.read');
        assert.equal(receipt.upTo, second.id);
        assert.equal(receipt.expiresAt, due);
        assert.equal(receipt.from, first.id, 'the first message it started');
      }
      for (const who of [alice, bob]) {
        const seen = await expiries(who, id);
        assert.equal(seen.get(first.id), due);
        assert.equal(seen.get(second.id), due);
        assert.equal(seen.get(reply.id), null, 'the reader’s own message');
        assert.equal(seen.get(unread.id), null, 'past the read position');
      }

      t.clock.advance(30_000);
      const aliceReadAt = t.clock.now();
      await read(alice, id, reply.id);
      const aliceReceipt = await bobsPhone.waitForEvent(isRead(id, alice.userId));
      assert.ok(aliceReceipt.type === 'conversation.read');
      assert.equal(aliceReceipt.expiresAt, iso(aliceReadAt + 600_000));
      const seen = await expiries(bob, id);
      assert.equal(seen.get(reply.id), iso(aliceReadAt + 600_000));
      assert.equal(seen.get(first.id), due, 'a running timer is not restarted');

      // Bob moves on to his own message: everything up to it already runs, so the receipt has no expiry.
      await read(bob, id, reply.id);
      const quiet = await alicesPhone.waitForEvent((e) => isRead(id, bob.userId)(e) && e.upTo === reply.id);
      assert.ok(quiet.type === 'conversation.read' && quiet.expiresAt === undefined);

      // Sync serves the same: the receipts with their expiry, the messages as they are now.
      const events = await synced(alice);
      const receipts = events.filter(
        (e): e is EventOf<'conversation.read'> => e.type === 'conversation.read' && e.conversationId === id,
      );
      assert.deepEqual(
        receipts.map((e) => [e.userId, e.from, e.upTo, e.expiresAt]),
        [
          [bob.userId, first.id, second.id, due],
          [alice.userId, reply.id, reply.id, iso(aliceReadAt + 600_000)],
          [bob.userId, undefined, reply.id, undefined],
        ],
      );
      const createdOnSync = events.find(
        (e): e is EventOf<'message.created'> => e.type === 'message.created' && e.message.id === first.id,
      );
      assert.equal(createdOnSync?.message.expiresAt, due);

      t.clock.advance(600_000 - 30_000);
      assert.equal(await expireDue(t.server.context), 2, 'bob’s read timers ran out; alice’s has not');
    } finally {
      await alicesPhone.close();
      await bobsPhone.close();
    }
  });
});
