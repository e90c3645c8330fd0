import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Event, Message } from '@retract/protocol';
import { call, login, register, type Login } from '../support/harness.js';
import {
  clusterSkip,
  freshDatabase,
  startCluster,
  testPostgresUrl,
  testRedisUrl,
  type Cluster,
} from './cluster.js';
import { Device } from './device.js';
import { until } from '../support/redis.js';

/**
 * The core scenarios on a real cluster: three server processes on loopback sharing PostgreSQL and the
 * Redis bus, each user's devices on different nodes from the people they talk to. Every command goes
 * to one node and every other device, wherever it is connected, must see its effect live.
 */
describe('cluster of three nodes', { skip: clusterSkip }, () => {
  let cluster: Cluster;
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let alice: Login;
  let bob: Login;
  let carol: Login;
  const devices: Device[] = [];
  let groupId: string;
  const node = (i: number) => cluster.nodes[i % cluster.nodes.length]!;
  const alive = () => cluster.nodes.map((n) => ({ wsUrl: n.wsUrl, alive: true }));
  const device = async (name: string, who: Login, at: number) => {
    const d = new Device(name, who.userId, who.token, alive, at);
    await d.connect();
    devices.push(d);
    return d;
  };
  const shows = (d: Device, id: string) => d.store.messages(groupId).find((m) => m.id === id);

  before(async () => {
    db = await freshDatabase(testPostgresUrl!);
    cluster = await startCluster({ count: 3, storeUrl: db.url, busUrl: testRedisUrl! });
    for (const name of ['alice', 'bob', 'carol']) await register(node(0).url, name);
    alice = await login(node(0).url, 'alice', 'phone');
    bob = await login(node(1).url, 'bob', 'phone');
    carol = await login(node(2).url, 'carol', 'phone');
  });
  after(async () => {
    for (const d of devices) d.close();
    await cluster?.close();
    await db?.drop();
  });

  it('a group created on one node, a message sent on another, reaches devices on every node live', async () => {
    const alicePhone = await device('alice-phone', alice, 0);
    const bobPhone = await device('bob-phone', bob, 1);
    const carolPhone = await device('carol-phone', carol, 2);
    const created = await call<{ conversation: { id: string } }>(node(1).url, 'POST', '/v1/conversations', {
      token: carol.token,
      body: { kind: 'group', title: 'across nodes', members: ['alice', 'bob'] },
    });
    assert.equal(created.status, 201);
    groupId = created.body.conversation.id;
    const sent = await call<{ message: Message }>(
      node(0).url,
      'POST',
      `/v1/conversations/${groupId}/messages`,
      {
        token: alice.token,
        body: { clientMsgId: 'm1', body: 'hello from node 0' },
      },
    );
    assert.equal(sent.status, 201);
    for (const d of [alicePhone, bobPhone, carolPhone]) {
      await until(
        `${d.name} has the message`,
        () => shows(d, sent.body.message.id)?.body === 'hello from node 0',
      );
    }
  });

  it('a recall on a third node turns the message into a tombstone on every device, without a reload', async () => {
    const sent = await call<{ message: Message }>(
      node(2).url,
      'POST',
      `/v1/conversations/${groupId}/messages`,
      {
        token: bob.token,
        body: { clientMsgId: 'm2', body: 'oops' },
      },
    );
    for (const d of devices)
      await until(`${d.name} has it`, () => shows(d, sent.body.message.id) !== undefined);
    const recalled = await call(node(0).url, 'POST', `/v1/messages/${sent.body.message.id}/recall`, {
      token: bob.token,
    });
    assert.equal(recalled.status, 200);
    for (const d of devices) {
      await until(
        `${d.name} shows the tombstone`,
        () => shows(d, sent.body.message.id)?.recalled?.recalledBy === bob.userId,
      );
      assert.equal(shows(d, sent.body.message.id)?.body, null);
    }
  });

  it('hide on one node hides on all of that user’s devices (on any node) and nobody else’s', async () => {
    const bobLaptop = await device('bob-laptop', bob, 2);
    const sent = await call<{ message: Message }>(
      node(1).url,
      'POST',
      `/v1/conversations/${groupId}/messages`,
      {
        token: alice.token,
        body: { clientMsgId: 'm3', body: 'hide me' },
      },
    );
    await until('bob-laptop has it', () => shows(bobLaptop, sent.body.message.id) !== undefined);
    const hidden = await call(node(0).url, 'POST', `/v1/messages/${sent.body.message.id}/hide`, {
      token: bob.token,
    });
    assert.equal(hidden.status, 200);
    const bobs = devices.filter((d) => d.userId === bob.userId);
    for (const d of bobs)
      await until(`${d.name} hides it`, () => shows(d, sent.body.message.id) === undefined);
    for (const d of devices.filter((x) => x.userId !== bob.userId)) {
      assert.equal(shows(d, sent.body.message.id)?.body, 'hide me');
    }
  });

  it('policy flows across nodes: an owner sets a policy on one node, moderates on another, with reason and label', async () => {
    const set = await call(node(2).url, 'PUT', `/v1/conversations/${groupId}/policy`, {
      token: carol.token,
      body: {
        document: {
          moderation: {
            roles: ['owner'],
            windowSeconds: null,
            requireReason: true,
            label: 'Removed by the owner',
          },
        },
      },
    });
    assert.equal(set.status, 200);
    const sent = await call<{ message: Message }>(
      node(0).url,
      'POST',
      `/v1/conversations/${groupId}/messages`,
      {
        token: bob.token,
        body: { clientMsgId: 'm4', body: 'off topic' },
      },
    );
    const noReason = await call<{ error: { code: string } }>(
      node(1).url,
      'POST',
      `/v1/messages/${sent.body.message.id}/recall`,
      {
        token: carol.token,
      },
    );
    assert.equal(noReason.body.error.code, 'reason_required');
    const denied = await call<{ error: { code: string } }>(
      node(2).url,
      'POST',
      `/v1/messages/${sent.body.message.id}/recall`,
      {
        token: alice.token,
        body: { reason: 'I want to' },
      },
    );
    assert.equal(denied.body.error.code, 'not_permitted');
    const removed = await call(node(1).url, 'POST', `/v1/messages/${sent.body.message.id}/recall`, {
      token: carol.token,
      body: { reason: 'off topic' },
    });
    assert.equal(removed.status, 200);
    for (const d of devices) {
      await until(
        `${d.name} shows the label`,
        () => shows(d, sent.body.message.id)?.recalled?.label === 'Removed by the owner',
      );
      assert.equal(shows(d, sent.body.message.id)?.recalled?.reason, 'off topic');
    }
  });

  it('sync from any node matches what each device holds live', async () => {
    for (const d of devices) {
      const who = [alice, bob, carol].find((l) => l.userId === d.userId)!;
      for (const n of cluster.nodes) {
        const page = await call<{ events: Event[] }>(n.url, 'GET', `/v1/sync?after=0&limit=500`, {
          token: who.token,
        });
        assert.equal(page.status, 200);
        assert.equal(
          page.body.events.at(-1)?.seq,
          d.cursor,
          `${d.name} is at the same cursor as ${n.name} says`,
        );
      }
    }
  });
});
