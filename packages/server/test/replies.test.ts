import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Message } from '@retract/protocol';
import { TimelineStore } from '@retract/sdk';
import {
  call,
  RecordingSocket,
  registerAndLogin,
  startTestServer,
  type Login,
  type TestServer,
} from './support/harness.js';

/** Replies quote by reference and corrections link both ways — over HTTP, sync and a live device. */
describe('replies, quotes and corrections', () => {
  let t: TestServer;
  let alice: Login;
  let bob: Login;
  let groupId: string;
  let otherId: string;
  let counter = 0;

  const send = (who: Login, conversationId: string, body: string, extra: Record<string, string> = {}) =>
    call<{ message: Message; error?: { code: string } }>(
      t.url,
      'POST',
      `/v1/conversations/${conversationId}/messages`,
      {
        token: who.token,
        body: { clientMsgId: `${who.username}-${++counter}`, body, ...extra },
      },
    );
  const history = async (who: Login) =>
    (
      await call<{ messages: Message[] }>(t.url, 'GET', `/v1/conversations/${groupId}/messages`, {
        token: who.token,
      })
    ).body.messages;

  before(async () => {
    t = await startTestServer();
    alice = await registerAndLogin(t.url, 'alice');
    bob = await registerAndLogin(t.url, 'bob');
    const group = await call<{ conversation: { id: string } }>(t.url, 'POST', '/v1/conversations', {
      token: alice.token,
      body: { kind: 'group', members: ['bob'] },
    });
    groupId = group.body.conversation.id;
    const other = await call<{ conversation: { id: string } }>(t.url, 'POST', '/v1/conversations', {
      token: alice.token,
      body: { kind: 'group', members: [] },
    });
    otherId = other.body.conversation.id;
  });
  after(() => t.close());

  it('renders a quote from the original, and turns every quote into the tombstone when it is recalled', async () => {
    const phone = await RecordingSocket.open(t.wsUrl, bob.token, 0);
    await phone.waitFor((f) => f.type === 'synced');

    const original = (await send(alice, groupId, 'meet at the old place')).body.message;
    const reply = await send(bob, groupId, 'which one?', { replyTo: original.id });
    assert.equal(reply.status, 201);
    assert.deepEqual(reply.body.message.replyTo, {
      messageId: original.id,
      senderId: alice.userId,
      type: 'text',
      body: 'meet at the old place',
      recalled: null,
    });

    assert.equal(
      (await call(t.url, 'POST', `/v1/messages/${original.id}/recall`, { token: alice.token })).status,
      200,
    );
    await phone.waitForEvent((e) => e.type === 'message.recalled' && e.messageId === original.id);

    const quoted = (await history(bob)).find((m) => m.id === reply.body.message.id);
    assert.equal(quoted?.replyTo?.body, null);
    assert.ok(quoted?.replyTo?.recalled, 'history shows the tombstone in the quote');
    // The phone's state, built only from the events it received live, in order.
    const store = new TimelineStore({ userId: bob.userId });
    store.applyAll(phone.events());
    const live = store.messages(groupId).find((m) => m.id === reply.body.message.id);
    assert.deepEqual(live?.replyTo, quoted?.replyTo, 'the live device turned its quote into the tombstone');
    const sync = await call(t.url, 'GET', '/v1/sync?after=0&limit=500', { token: bob.token });
    assert.ok(
      !JSON.stringify(sync.body).includes('meet at the old place'),
      'no sync page quotes the recalled text',
    );
    await phone.close();
  });

  it('refuses a reply to a message of another conversation as not found', async () => {
    const elsewhere = (await send(alice, otherId, 'private')).body.message;
    const reply = await send(bob, groupId, 'sneaky', { replyTo: elsewhere.id });
    assert.equal(reply.status, 404);
    const alsoAlice = await send(alice, groupId, 'cross', { replyTo: elsewhere.id });
    assert.equal(alsoAlice.status, 404, 'even for a member of both: a quote stays in its conversation');
  });

  it('links a correction and its original both ways, for the sender’s own messages only', async () => {
    const original = (await send(alice, groupId, 'the meeting is at 3')).body.message;
    const byBob = await send(bob, groupId, 'no, 4', { corrects: original.id });
    assert.equal(byBob.status, 403);
    assert.equal(byBob.body.error?.code, 'not_permitted');
    const first = (await send(alice, groupId, 'the meeting is at 4', { corrects: original.id })).body.message;
    const second = (await send(alice, groupId, 'the meeting is at 4:30', { corrects: original.id })).body
      .message;
    assert.equal(first.corrects, original.id);
    const page = await history(bob);
    assert.equal(
      page.find((m) => m.id === original.id)?.correctedBy,
      second.id,
      'the original shows its latest correction',
    );
    assert.equal(page.find((m) => m.id === second.id)?.corrects, original.id);
  });
});
