import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Event, EventOf } from '@retract/protocol';
import {
  call,
  RecordingSocket,
  registerAndLogin,
  startTestServer,
  type Login,
  type TestServer,
} from './support/harness.js';

type Setting = EventOf<'disappearing.changed'>['disappearing'];

/**
 * Changing a conversation's timer is an event every member receives, live and on sync, so devices show
 * the setting in force without asking again; only owners may change it, and a refusal tells no one.
 */
describe('disappearing messages: the setting reaches every member', () => {
  let t: TestServer;
  let alice: Login;
  let bob: Login;
  let carol: Login;
  let dave: Login;

  before(async () => {
    t = await startTestServer();
    alice = await registerAndLogin(t.url, 'alice');
    bob = await registerAndLogin(t.url, 'bob');
    carol = await registerAndLogin(t.url, 'carol');
    dave = await registerAndLogin(t.url, 'dave');
  });
  after(() => t.close());

  const create = async (body: Record<string, unknown>, who = alice): Promise<string> => {
    const reply = await call<{ conversation: { id: string } }>(t.url, 'POST', '/v1/conversations', {
      token: who.token,
      body,
    });
    assert.equal(reply.status, 201);
    return reply.body.conversation.id;
  };
  const put = (who: Login, conversationId: string, disappearing: Setting) =>
    call<{ disappearing?: Setting; error?: { code: string } }>(
      t.url,
      'PUT',
      `/v1/conversations/${conversationId}/disappearing`,
      { token: who.token, body: { disappearing } },
    );
  const synced = async (who: Login): Promise<Event[]> => {
    const reply = await call<{ events: Event[] }>(t.url, 'GET', '/v1/sync?after=0&limit=500', {
      token: who.token,
    });
    assert.equal(reply.status, 200);
    return reply.body.events;
  };
  const changesIn =
    (conversationId: string) =>
    (events: readonly Event[]): EventOf<'disappearing.changed'>[] =>
      events.filter(
        (e): e is EventOf<'disappearing.changed'> =>
          e.type === 'disappearing.changed' && e.conversationId === conversationId,
      );
  const shape = (e: EventOf<'disappearing.changed'>) => ({
    conversationId: e.conversationId,
    disappearing: e.disappearing,
    by: e.by,
  });

  it('tells every member of a group when an owner sets, changes and clears the timer', async () => {
    const id = await create({ kind: 'group', title: 'timers', members: ['bob', 'carol'] });
    const people = [alice, bob, carol];
    const phones = await Promise.all(people.map((p) => RecordingSocket.open(t.wsUrl, p.token)));
    try {
      await Promise.all(phones.map((phone) => phone.waitFor((f) => f.type === 'synced')));
      const steps: Setting[] = [
        { mode: 'after_send', seconds: 3600 },
        { mode: 'after_read', seconds: 300 },
        null,
      ];
      for (const [i, setting] of steps.entries()) {
        t.clock.advance(1000);
        const reply = await put(alice, id, setting);
        assert.equal(reply.status, 200);
        assert.deepEqual(reply.body, { disappearing: setting });
        for (const phone of phones) {
          await phone.waitFor(() => changesIn(id)(phone.events()).length === i + 1);
          const latest = changesIn(id)(phone.events()).at(-1);
          assert.ok(latest);
          assert.deepEqual(shape(latest), { conversationId: id, disappearing: setting, by: alice.userId });
          assert.equal(latest.at, new Date(t.clock.now()).toISOString());
        }
      }

      // Sync serves the same events, in the same order, to every member.
      const expected = steps.map((disappearing) => ({ conversationId: id, disappearing, by: alice.userId }));
      for (const [i, who] of people.entries()) {
        const fromSync = changesIn(id)(await synced(who));
        assert.deepEqual(fromSync.map(shape), expected, `${who.username}'s sync`);
        const live = changesIn(id)(phones[i]?.events() ?? []);
        assert.deepEqual(
          fromSync.map((e) => [e.seq, e.at]),
          live.map((e) => [e.seq, e.at]),
          `${who.username}: live and sync agree`,
        );
      }
      // A member who is not in the conversation hears nothing of it.
      assert.deepEqual(changesIn(id)(await synced(dave)), []);
    } finally {
      await Promise.all(phones.map((phone) => phone.close()));
    }
  });

  it('refuses a member who is not an owner, and tells no one', async () => {
    const id = await create({ kind: 'group', title: 'not yours', members: ['bob', 'carol'] });
    const alicesPhone = await RecordingSocket.open(t.wsUrl, alice.token);
    try {
      await alicesPhone.waitFor((f) => f.type === 'synced');
      const before = await synced(bob);
      const refused = await put(bob, id, { mode: 'after_send', seconds: 60 });
      assert.equal(refused.status, 403);
      assert.equal(refused.body.error?.code, 'not_permitted');
      assert.equal((await synced(bob)).length, before.length, 'no event for the one refused');
      assert.deepEqual(changesIn(id)(await synced(carol)), []);
      const current = await call<{ disappearing: Setting }>(
        t.url,
        'GET',
        `/v1/conversations/${id}/disappearing`,
        { token: carol.token },
      );
      assert.equal(current.body.disappearing, null, 'the setting did not change');

      // The next change that does happen is the first event alice's device hears of.
      assert.equal((await put(alice, id, { mode: 'after_send', seconds: 60 })).status, 200);
      const first = await alicesPhone.waitForEvent((e) => changesIn(id)([e]).length === 1);
      assert.ok(first.type === 'disappearing.changed' && first.by === alice.userId);
      assert.equal(changesIn(id)(alicesPhone.events()).length, 1);
    } finally {
      await alicesPhone.close();
    }
  });

  it('lets either person of a direct chat change it, and tells both', async () => {
    const id = await create({ kind: 'direct', members: ['dave'] }, carol);
    const carolsPhone = await RecordingSocket.open(t.wsUrl, carol.token);
    try {
      await carolsPhone.waitFor((f) => f.type === 'synced');
      assert.equal((await put(dave, id, { mode: 'after_read', seconds: 86400 })).status, 200);
      const heard = await carolsPhone.waitForEvent((e) => changesIn(id)([e]).length === 1);
      assert.ok(heard.type === 'disappearing.changed');
      assert.deepEqual(shape(heard), {
        conversationId: id,
        disappearing: { mode: 'after_read', seconds: 86400 },
        by: dave.userId,
      });
      assert.deepEqual(changesIn(id)(await synced(dave)).map(shape), [shape(heard)]);
    } finally {
      await carolsPhone.close();
    }
  });
});
