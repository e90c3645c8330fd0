import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Event, Message } from '@retract/protocol';
import { deliverHeld } from '../src/actions/held.js';
import {
  call,
  RecordingSocket,
  registerAndLogin,
  startTestServer,
  type Login,
  type TestServer,
} from './support/harness.js';

type Err = { error?: { code: string } };
interface Sent {
  message: Message;
  created: boolean;
  held?: { until: string };
}

/**
 * Undo send end to end: with a send delay, a message is held — nobody else has it, not even in a
 * stream — until the delay passes; until then its sender may cancel it and get the text back, leaving
 * nothing behind. The sweeper is driven directly with the fake clock.
 */
describe('undo send', () => {
  let t: TestServer;
  let alice: Login;
  let bob: Login;
  let directId: string;

  const send = (who: Login, body: string, clientMsgId = `${who.username}-${Math.random()}`) =>
    call<Sent & Err>(t.url, 'POST', `/v1/conversations/${directId}/messages`, {
      token: who.token,
      body: { clientMsgId, body },
    });
  const cancel = (who: Login, id: string) =>
    call<{ draft: { body: string | null; type: string } } & Err>(t.url, 'POST', `/v1/messages/${id}/cancel`, {
      token: who.token,
    });
  const setDelay = (who: Login, sendDelaySeconds: number) =>
    call<{ settings: { sendDelaySeconds: number } } & Err>(t.url, 'PUT', '/v1/me/settings', {
      token: who.token,
      body: { sendDelaySeconds },
    });
  const events = async (who: Login) =>
    (await call<{ events: Event[] }>(t.url, 'GET', '/v1/sync?after=0', { token: who.token })).body.events;
  const createdIds = async (who: Login) =>
    (await events(who)).flatMap((e) => (e.type === 'message.created' ? [e.message.id] : []));
  const inDatabaseFiles = (needle: string) =>
    ['retract.db', 'retract.db-wal'].some((name) => {
      const path = join(t.dataDir, name);
      return existsSync(path) && readFileSync(path).includes(Buffer.from(needle));
    });

  before(async () => {
    t = await startTestServer();
    alice = await registerAndLogin(t.url, 'alice');
    bob = await registerAndLogin(t.url, 'bob');
    directId = (
      await call<{ conversation: { id: string } }>(t.url, 'POST', '/v1/conversations', {
        token: alice.token,
        body: { kind: 'direct', members: ['bob'] },
      })
    ).body.conversation.id;
  });
  after(() => t.close());

  it('is off by default and set per user within limits', async () => {
    const mine = await call<{ settings: { sendDelaySeconds: number } }>(t.url, 'GET', '/v1/me/settings', {
      token: alice.token,
    });
    assert.deepEqual(mine.body.settings, { sendDelaySeconds: 0 });
    assert.equal((await send(alice, 'at once')).status, 201);
    const tooLong = await setDelay(alice, 61);
    assert.equal(tooLong.status, 400);
    assert.equal(tooLong.body.error?.code, 'invalid_request');
    assert.deepEqual((await setDelay(alice, 5)).body.settings, { sendDelaySeconds: 5 });
  });

  it('holds a message so nobody has it, and a cancel brings the text back and leaves nothing behind', async () => {
    const bobsPhone = await RecordingSocket.open(t.wsUrl, bob.token);
    await bobsPhone.waitFor((f) => f.type === 'synced');
    const canary = `canary-undo-${Math.random().toString(36).slice(2)}`;
    const sent = await send(alice, canary, 'undo-1');
    assert.equal(sent.status, 202);
    assert.equal(sent.body.created, true);
    assert.equal(sent.body.held?.until, new Date(t.clock.now() + 5000).toISOString());
    assert.equal(sent.body.message.body, canary);
    const retry = await send(alice, canary, 'undo-1');
    assert.equal(retry.status, 200, 'a retry while held names the same held message');
    assert.equal(retry.body.message.id, sent.body.message.id);
    assert.equal(retry.body.created, false);

    assert.ok(!(await createdIds(bob)).includes(sent.body.message.id), 'nobody else has it');
    assert.ok(
      !(await createdIds(alice)).includes(sent.body.message.id),
      'not even the sender’s other devices',
    );

    t.clock.advance(4999);
    const cancelled = await cancel(alice, sent.body.message.id);
    assert.equal(cancelled.status, 200);
    assert.deepEqual(cancelled.body.draft, {
      type: 'text',
      body: canary,
      attachmentId: null,
      replyTo: null,
      corrects: null,
    });
    t.clock.advance(10_000);
    assert.equal(await deliverHeld(t.server.context), 0, 'a cancelled message is never delivered');
    assert.ok(!(await createdIds(bob)).includes(sent.body.message.id));
    assert.equal(
      bobsPhone.events().filter((e) => e.type === 'message.created' && e.message.id === sent.body.message.id)
        .length,
      0,
    );
    assert.equal(inDatabaseFiles(canary), false, 'the held text is purged from the database files');
    assert.equal((await cancel(alice, sent.body.message.id)).status, 404);
    bobsPhone.close();
  });

  it('delivers when the delay has passed, stamped with the moment of delivery; then only recall remains', async () => {
    const bobsPhone = await RecordingSocket.open(t.wsUrl, bob.token);
    await bobsPhone.waitFor((f) => f.type === 'synced');
    const sent = await send(alice, 'see you at 6');
    const id = sent.body.message.id;
    t.clock.advance(5000);
    const early = await cancel(alice, id);
    assert.equal(early.status, 409, 'at the due moment it is too late, even before the sweeper ran');
    assert.equal(early.body.error?.code, 'send_already_delivered');
    t.clock.advance(300);
    assert.equal(await deliverHeld(t.server.context), 1);
    assert.equal(await deliverHeld(t.server.context), 0, 'delivered exactly once');
    const live = await bobsPhone.waitFor(
      (f) => f.type === 'event' && f.event.type === 'message.created' && f.event.message.id === id,
    );
    assert.ok(live.type === 'event' && live.event.type === 'message.created');
    assert.equal(live.event.message.body, 'see you at 6');
    assert.equal(live.event.message.sentAt, new Date(t.clock.now()).toISOString());
    assert.equal((await cancel(alice, id)).body.error?.code, 'send_already_delivered');
    assert.equal((await cancel(bob, id)).status, 404, 'someone else’s message is not theirs to cancel');
    const recalled = await call(t.url, 'POST', `/v1/messages/${id}/recall`, { token: alice.token });
    assert.equal(recalled.status, 200);
    bobsPhone.close();
  });

  it('holds sends over the WebSocket the same way', async () => {
    const socket = await RecordingSocket.open(t.wsUrl, alice.token);
    await socket.waitFor((f) => f.type === 'synced');
    socket.send({
      type: 'send',
      id: 'r1',
      conversationId: directId,
      clientMsgId: 'ws-undo',
      body: 'over ws',
    });
    const reply = await socket.waitFor((f) => f.type === 'reply' && f.id === 'r1');
    assert.ok(reply.type === 'reply' && reply.ok);
    const result = reply.result as Sent;
    assert.equal(result.held?.until, new Date(t.clock.now() + 5000).toISOString());
    assert.equal((await cancel(alice, result.message.id)).status, 200);
    socket.close();
  });

  it('drops a held message whose sender left before delivery', async () => {
    const group = (
      await call<{ conversation: { id: string } }>(t.url, 'POST', '/v1/conversations', {
        token: bob.token,
        body: { kind: 'group', title: 'g', members: ['alice'] },
      })
    ).body.conversation.id;
    const sent = await call<Sent>(t.url, 'POST', `/v1/conversations/${group}/messages`, {
      token: alice.token,
      body: { clientMsgId: 'leaving', body: 'bye' },
    });
    assert.equal(sent.status, 202);
    const left = await call(t.url, 'DELETE', `/v1/conversations/${group}/members/${alice.userId}`, {
      token: alice.token,
    });
    assert.equal(left.status, 204);
    t.clock.advance(6000);
    await deliverHeld(t.server.context);
    assert.ok(!(await createdIds(bob)).includes(sent.body.message.id));
  });
});
