import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Event } from '@retract/protocol';
import { call, registerAndLogin, startTestServer, type Login, type TestServer } from './support/harness.js';

/**
 * Adding members: one request is one `member.added` event for those already in, however many it adds,
 * so growing a group to thousands costs events in proportion to its size, not to its square.
 */
describe('adding members', () => {
  let t: TestServer;
  let alice: Login;
  let bob: Login;
  let carol: Login;
  let dave: Login;

  before(async () => {
    t = await startTestServer();
    [alice, bob, carol, dave] = (await Promise.all(
      ['alice', 'bob', 'carol', 'dave'].map((name) => registerAndLogin(t.url, name)),
    )) as [Login, Login, Login, Login];
  });
  after(() => t.close());

  const eventsOf = async (who: Login): Promise<Event[]> =>
    (await call<{ events: Event[] }>(t.url, 'GET', '/v1/sync?after=0', { token: who.token })).body.events;

  it('tells existing members once, with everyone added, and gives newcomers the conversation', async () => {
    const created = await call<{ conversation: { id: string } }>(t.url, 'POST', '/v1/conversations', {
      token: alice.token,
      body: { kind: 'group', title: 'team', members: ['bob'] },
    });
    assert.equal(created.status, 201);
    const id = created.body.conversation.id;
    const added = await call(t.url, 'POST', `/v1/conversations/${id}/members`, {
      token: alice.token,
      body: { members: ['carol', 'dave'] },
    });
    assert.equal(added.status, 200, JSON.stringify(added.body));

    for (const existing of [alice, bob]) {
      const memberEvents = (await eventsOf(existing)).filter((e) => e.type === 'member.added');
      assert.equal(memberEvents.length, 1, `${existing.username}: one member.added for the request`);
      const event = memberEvents[0]!;
      assert.ok(event.type === 'member.added');
      assert.equal(event.conversationId, id);
      assert.deepEqual(event.members.map((m) => m.username).sort(), ['carol', 'dave']);
      assert.ok(event.members.every((m) => m.role === 'member'));
    }
    for (const newcomer of [carol, dave]) {
      const events = await eventsOf(newcomer);
      assert.equal(events.filter((e) => e.type === 'member.added').length, 0);
      const joined = events.find((e) => e.type === 'conversation.created');
      assert.ok(joined?.type === 'conversation.created');
      assert.deepEqual(joined.conversation.members.map((m) => m.username).sort(), [
        'alice',
        'bob',
        'carol',
        'dave',
      ]);
    }
  });

  it('adds nobody and tells nobody when everyone named is already in', async () => {
    const created = await call<{ conversation: { id: string } }>(t.url, 'POST', '/v1/conversations', {
      token: bob.token,
      body: { kind: 'group', title: 'again', members: ['carol'] },
    });
    const id = created.body.conversation.id;
    const before = (await eventsOf(carol)).length;
    const added = await call(t.url, 'POST', `/v1/conversations/${id}/members`, {
      token: bob.token,
      body: { members: ['carol'] },
    });
    assert.equal(added.status, 200);
    assert.equal((await eventsOf(carol)).length, before);
  });
});
