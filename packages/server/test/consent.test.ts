import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ConsentRequest, Event, Message } from '@retract/protocol';
import { expireConsentRequests } from '../src/actions/consent.js';
import {
  call,
  RecordingSocket,
  registerAndLogin,
  startTestServer,
  type Login,
  type TestServer,
} from './support/harness.js';

interface RequestView extends ConsentRequest {
  canDecide: boolean;
}
type Err = { error?: { code: string; details: Record<string, unknown> } };

/**
 * Consent recall end to end: past the window the sender asks, the other side decides, every step is an
 * event to exactly the people concerned, and approval recalls exactly as the sender's own recall does.
 */
describe('consent recall', () => {
  let t: TestServer;
  let alice: Login;
  let bob: Login;
  let carol: Login; // group owner
  let dave: Login; // plain group member
  let directId: string;
  let groupId: string;
  const minute = 60_000;

  const send = async (who: Login, conversationId: string, body: string) =>
    (
      await call<{ message: Message }>(t.url, 'POST', `/v1/conversations/${conversationId}/messages`, {
        token: who.token,
        body: { clientMsgId: `${who.username}-${Math.random()}`, body },
      })
    ).body.message;
  const ask = (who: Login, messageId: string, reason?: string) =>
    call<{ request: RequestView } & Err>(t.url, 'POST', `/v1/messages/${messageId}/consent-requests`, {
      token: who.token,
      ...(reason === undefined ? {} : { body: { reason } }),
    });
  const step = (who: Login, id: string, action: 'approve' | 'decline' | 'cancel', note?: string) =>
    call<{ request: RequestView; recall?: { tombstone: Message['recalled'] } } & Err>(
      t.url,
      'POST',
      `/v1/consent-requests/${id}/${action}`,
      { token: who.token, ...(note === undefined ? {} : { body: { note } }) },
    );
  const list = (who: Login, status?: string) =>
    call<{ requests: RequestView[] }>(
      t.url,
      'GET',
      `/v1/consent-requests${status ? `?status=${status}` : ''}`,
      { token: who.token },
    );
  const history = async (who: Login, conversationId: string) =>
    (
      await call<{ messages: Message[] }>(t.url, 'GET', `/v1/conversations/${conversationId}/messages`, {
        token: who.token,
      })
    ).body.messages;
  const consentEvents = (socket: RecordingSocket) =>
    socket
      .events()
      .flatMap((e) => (e.type.startsWith('consent.') ? [e as Extract<Event, { request: unknown }>] : []));

  before(async () => {
    t = await startTestServer({
      config: {
        policy: {
          default: {
            preset: 'wechat', // 2 minutes
            consent: { enabled: true, maxAgeSeconds: 86_400, requestTtlSeconds: 3600 },
          },
        },
      },
    });
    alice = await registerAndLogin(t.url, 'alice');
    bob = await registerAndLogin(t.url, 'bob');
    carol = await registerAndLogin(t.url, 'carol');
    dave = await registerAndLogin(t.url, 'dave');
    directId = (
      await call<{ conversation: { id: string } }>(t.url, 'POST', '/v1/conversations', {
        token: alice.token,
        body: { kind: 'direct', members: ['bob'] },
      })
    ).body.conversation.id;
    // Carol owns the group: she decides there; dave is a plain member.
    groupId = (
      await call<{ conversation: { id: string } }>(t.url, 'POST', '/v1/conversations', {
        token: carol.token,
        body: { kind: 'group', title: 'team', members: ['alice', 'bob', 'dave'] },
      })
    ).body.conversation.id;
  });
  after(() => t.close());

  it('in a direct chat: within the window no consent is needed; past it the recall options offer it', async () => {
    const m = await send(alice, directId, 'meet at 5?');
    const early = await ask(alice, m.id);
    assert.equal(early.status, 409);
    assert.equal(early.body.error?.code, 'consent_not_needed');

    t.clock.advance(3 * minute);
    const denied = await call<Err>(t.url, 'POST', `/v1/messages/${m.id}/recall`, { token: alice.token });
    assert.equal(denied.body.error?.code, 'needs_consent');
    const options = await call<{ consent: { available: boolean; pendingRequestId: string | null } }>(
      t.url,
      'GET',
      `/v1/messages/${m.id}/recall-options`,
      { token: alice.token },
    );
    assert.equal(options.body.consent.available, true);
    assert.equal(options.body.consent.pendingRequestId, null);
    assert.equal((await ask(bob, m.id)).body.error?.code, 'not_permitted', 'only the sender asks');
  });

  it('approve: the other person approves; the message is recalled as the sender’s own, on every device', async () => {
    const bobsPhone = await RecordingSocket.open(t.wsUrl, bob.token);
    const alicesLaptop = await RecordingSocket.open(t.wsUrl, alice.token);
    const davesPhone = await RecordingSocket.open(t.wsUrl, dave.token);
    await Promise.all(
      [bobsPhone, alicesLaptop, davesPhone].map((s) => s.waitFor((f) => f.type === 'synced')),
    );

    const m = await send(alice, directId, 'my salary is 9000');
    t.clock.advance(10 * minute);
    const asked = await ask(alice, m.id, 'sent to the wrong person');
    assert.equal(asked.status, 201);
    const request = asked.body.request;
    assert.equal(request.status, 'pending');
    assert.equal(request.reason, 'sent to the wrong person');
    assert.equal(request.canDecide, false, 'the sender never decides their own request');
    assert.equal(Date.parse(request.expiresAt) - Date.parse(request.createdAt), 3600_000);

    const again = await ask(alice, m.id);
    assert.equal(again.status, 200, 'asking again while pending returns the same request');
    assert.equal(again.body.request.id, request.id);

    const seen = await bobsPhone.waitFor(
      (f) => f.type === 'event' && f.event.type === 'consent.requested' && f.event.request.id === request.id,
    );
    assert.ok(seen.type === 'event' && seen.event.type === 'consent.requested');
    const pendingForBob = await list(bob, 'pending');
    const card = pendingForBob.body.requests.find((r) => r.id === request.id);
    assert.equal(card?.canDecide, true, 'bob sees an actionable card');
    const options = await call<{ consent: { pendingRequestId: string | null } }>(
      t.url,
      'GET',
      `/v1/messages/${m.id}/recall-options`,
      { token: alice.token },
    );
    assert.equal(options.body.consent.pendingRequestId, request.id);

    assert.equal((await step(alice, request.id, 'approve')).body.error?.code, 'not_permitted');
    assert.equal((await step(dave, request.id, 'approve')).status, 404, 'outsiders learn nothing');

    const approved = await step(bob, request.id, 'approve', 'sure');
    assert.equal(approved.status, 200);
    assert.equal(approved.body.request.status, 'approved');
    assert.equal(approved.body.request.decidedBy, bob.userId);
    assert.equal(approved.body.request.note, 'sure');
    assert.deepEqual(approved.body.recall?.tombstone, {
      recalledAt: approved.body.request.decidedAt,
      recalledBy: alice.userId,
      role: 'sender',
      reason: 'sent to the wrong person',
      label: null,
      approvedBy: bob.userId,
    });

    for (const socket of [bobsPhone, alicesLaptop]) {
      const recalled = await socket.waitFor(
        (f) => f.type === 'event' && f.event.type === 'message.recalled' && f.event.messageId === m.id,
      );
      assert.ok(recalled.type === 'event' && recalled.event.type === 'message.recalled');
      assert.equal(recalled.event.tombstone.approvedBy, bob.userId);
      await socket.waitFor((f) => f.type === 'event' && f.event.type === 'consent.approved');
    }
    for (const who of [alice, bob]) {
      const shown = (await history(who, directId)).find((x) => x.id === m.id);
      assert.equal(shown?.body, null, 'the content is erased');
      assert.equal(shown?.recalled?.approvedBy, bob.userId);
    }
    assert.deepEqual(consentEvents(davesPhone), [], 'nobody else hears of the request');
    assert.equal((await step(bob, request.id, 'decline')).body.error?.code, 'consent_not_pending');

    // Sync renders every step as it happened.
    const sync = await call<{ events: Event[] }>(t.url, 'GET', '/v1/sync?after=0', { token: bob.token });
    const steps = sync.body.events.flatMap((e) =>
      e.type.startsWith('consent.') && 'request' in e && e.request.id === request.id ? [e.type] : [],
    );
    assert.deepEqual(steps, ['consent.requested', 'consent.approved']);
    for (const s of [bobsPhone, alicesLaptop, davesPhone]) s.close();
  });

  it('decline: the message stays, the sender hears the no, and cannot ask again for it', async () => {
    const m = await send(alice, directId, 'a photo of the whiteboard');
    t.clock.advance(5 * minute);
    const request = (await ask(alice, m.id)).body.request;
    const declined = await step(bob, request.id, 'decline', 'I need it for the minutes');
    assert.equal(declined.status, 200);
    assert.equal(declined.body.request.status, 'declined');
    assert.equal(declined.body.request.note, 'I need it for the minutes');
    assert.equal(declined.body.recall, undefined);
    assert.equal(
      (await history(bob, directId)).find((x) => x.id === m.id)?.body,
      'a photo of the whiteboard',
    );

    const mine = (await list(alice)).body.requests.find((r) => r.id === request.id);
    assert.equal(mine?.status, 'declined');
    const askAgain = await ask(alice, m.id);
    assert.equal(askAgain.status, 409);
    assert.equal(askAgain.body.error?.code, 'consent_declined');
    assert.equal(askAgain.body.error?.details['consentRequestId'], request.id);
  });

  it('in a group, owners and admins decide; a plain member cannot and does not see the request', async () => {
    const m = await send(alice, groupId, 'wrong group, sorry');
    t.clock.advance(5 * minute);
    const request = (await ask(alice, m.id, 'wrong group')).body.request;
    assert.equal((await step(dave, request.id, 'approve')).status, 404);
    assert.equal((await list(dave)).body.requests.length, 0);
    const forCarol = (await list(carol, 'pending')).body.requests.find((r) => r.id === request.id);
    assert.equal(forCarol?.canDecide, true);
    const approved = await step(carol, request.id, 'approve');
    assert.equal(approved.status, 200);
    assert.equal(approved.body.recall?.tombstone?.approvedBy, carol.userId);
    const shown = (await history(dave, groupId)).find((x) => x.id === m.id);
    assert.equal(shown?.body, null);
    assert.equal(shown?.recalled?.role, 'sender');
  });

  it('the sender may cancel; unanswered requests expire, and a step after expiry is refused', async () => {
    const m1 = await send(alice, directId, 'one');
    const m2 = await send(alice, directId, 'two');
    t.clock.advance(5 * minute);
    const r1 = (await ask(alice, m1.id)).body.request;
    assert.equal((await step(bob, r1.id, 'cancel')).body.error?.code, 'not_permitted');
    const cancelled = await step(alice, r1.id, 'cancel');
    assert.equal(cancelled.body.request.status, 'cancelled');
    assert.equal((await ask(alice, m1.id)).status, 201, 'after cancelling, the sender may ask again');

    const r2 = (await ask(alice, m2.id)).body.request;
    t.clock.advance(3600_000);
    const late = await step(bob, r2.id, 'approve');
    assert.equal(late.status, 409);
    assert.equal(late.body.error?.code, 'consent_not_pending');
    assert.equal(late.body.error?.details['status'], 'expired');
    assert.equal((await history(bob, directId)).find((x) => x.id === m2.id)?.body, 'two', 'not recalled');

    // The sweeper ends the rest without anyone touching them: run it now, in case the server's own
    // once-a-second sweep has not yet (if it has, this finds nothing left — either way none is pending).
    await expireConsentRequests(t.server.context);
    const mine = (await list(alice)).body.requests;
    assert.equal(mine.filter((r) => r.status === 'pending').length, 0);
    const sync = await call<{ events: Event[] }>(t.url, 'GET', '/v1/sync?after=0', { token: alice.token });
    assert.ok(
      sync.body.events.some((e) => e.type === 'consent.expired' && e.request.id === r2.id),
      'every device hears of the expiry',
    );
  });

  it('past the maximum age for asking, the answer is the plain window denial', async () => {
    const m = await send(alice, directId, 'old news');
    t.clock.advance(86_400_000 + minute);
    const asked = await ask(alice, m.id);
    assert.equal(asked.status, 403);
    assert.equal(asked.body.error?.code, 'recall_window_expired');
  });

  it('a request whose message was recalled another way is withdrawn, not approved', async () => {
    const m = await send(alice, groupId, 'moderate me');
    t.clock.advance(5 * minute);
    const request = (await ask(alice, m.id)).body.request;
    const moderated = await call(t.url, 'PUT', `/v1/conversations/${groupId}/policy`, {
      token: carol.token,
      body: { document: { moderation: { roles: ['owner'], windowSeconds: null } } },
    });
    assert.equal(moderated.status, 200);
    const removed = await call(t.url, 'POST', `/v1/messages/${m.id}/recall`, {
      token: carol.token,
      body: { reason: 'off topic' },
    });
    assert.equal(removed.status, 200);
    const late = await step(carol, request.id, 'approve');
    assert.equal(late.body.error?.code, 'consent_not_pending');
    assert.equal(late.body.error?.details['status'], 'cancelled');
  });
});
