import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Message } from '@retract/protocol';
import { createServer, loadConfig, type RetractServer } from '../../src/index.js';
import type { Bus, BusMessage } from '../../src/bus/bus.js';
import { openRedisBus } from '../../src/bus/redis/redis-bus.js';
import { call, login, register, type Login } from '../support/harness.js';
import { until } from '../support/redis.js';
import { clusterSkip, freshDatabase, testPostgresUrl, testRedisUrl } from './cluster.js';
import { Device, printTally, tallyOf } from './device.js';

/**
 * Delivery-order faults, with two nodes in this process (sharing PostgreSQL and a Redis channel of
 * their own) so that node B's bus can be made to misbehave at a deliberate seam: reorder what it
 * receives, or deliver everything twice. Devices are real WebSocket clients with the SDK's store.
 */

/** Wraps a bus so that what this node receives is changed by `deliver` (the publishing side is untouched). */
function tampered(inner: Bus, deliver: (message: BusMessage, hand: (m: BusMessage) => void) => void): Bus {
  return {
    publish: (m) => inner.publish(m),
    subscribe: (handler) => inner.subscribe((m) => deliver(m, handler)),
    ...(inner.onReconnect ? { onReconnect: (h: () => void) => inner.onReconnect!(h) } : {}),
    close: () => inner.close(),
  };
}

async function twoNodes(tamper: (m: BusMessage, hand: (m: BusMessage) => void) => void) {
  const db = await freshDatabase(testPostgresUrl!);
  const root = mkdtempSync(join(tmpdir(), 'retract-two-nodes-'));
  const channelPrefix = `retract-order-${process.pid}-${Math.random().toString(36).slice(2, 8)}:`;
  const config = (name: string) =>
    loadConfig({
      host: '127.0.0.1',
      port: 0,
      dataDir: join(root, name),
      storage: { url: db.url },
      bus: { url: testRedisUrl!, channelPrefix },
      blobs: { dir: join(root, 'blobs') },
      encryption: { masterKeyPath: join(root, 'master.key') },
      audit: { keyPath: join(root, 'audit.key'), checkpointFile: join(root, 'checkpoints.jsonl') },
      auth: { passwordHashCost: 1024 },
      log: { level: 'silent' },
      ws: { pingIntervalMs: 0 },
    });
  const a = await createServer(config('a'));
  const busB = await openRedisBus({ url: testRedisUrl!, channelPrefix });
  const b = await createServer(config('b'), { bus: tampered(busB, tamper) });
  const urlA = await a.listen();
  const urlB = await b.listen();
  return {
    urlA,
    urlB,
    wsB: `${urlB.replace(/^http/, 'ws')}/v1/ws`,
    async close() {
      for (const s of [a, b] as RetractServer[]) await s.close();
      rmSync(root, { recursive: true, force: true });
      await db.drop();
    },
  };
}

async function setUp(nodes: Awaited<ReturnType<typeof twoNodes>>) {
  await register(nodes.urlA, 'alice');
  await register(nodes.urlA, 'bob');
  const alice: Login = await login(nodes.urlA, 'alice');
  const bob: Login = await login(nodes.urlB, 'bob');
  const created = await call<{ conversation: { id: string } }>(nodes.urlA, 'POST', '/v1/conversations', {
    token: alice.token,
    body: { kind: 'group', members: ['bob'] },
  });
  const device = new Device('bob@B', bob.userId, bob.token, () => [{ wsUrl: nodes.wsB, alive: true }], 0);
  await device.connect();
  return { alice, bob, groupId: created.body.conversation.id, device };
}

describe('delivery-order faults', { skip: clusterSkip }, () => {
  const closers: (() => Promise<void>)[] = [];
  after(async () => {
    for (const close of closers) await close();
  });

  it('a recall that reaches a node before its message: the message is never shown', async () => {
    // Node B receives every message.created late (after the recall that follows it).
    const nodes = await twoNodes((m, hand) => {
      if (m.kind === 'events' && m.event.type === 'message.created') setTimeout(() => hand(m), 400);
      else hand(m);
    });
    closers.push(() => nodes.close());
    const { alice, groupId, device } = await setUp(nodes);
    closers.unshift(async () => device.close());
    const bodiesSeen: (string | null)[] = [];
    const sent: string[] = [];
    const recalled = new Set<string>();
    for (let i = 0; i < 20; i++) {
      const reply = await call<{ message: Message }>(
        nodes.urlA,
        'POST',
        `/v1/conversations/${groupId}/messages`,
        {
          token: alice.token,
          body: { clientMsgId: `early-${i}`, body: `secret ${i}` },
        },
      );
      sent.push(reply.body.message.id);
      const r = await call(nodes.urlA, 'POST', `/v1/messages/${reply.body.message.id}/recall`, {
        token: alice.token,
      });
      assert.equal(r.status, 200);
      recalled.add(reply.body.message.id);
    }
    await until('bob’s device has every recall', () =>
      [...recalled].every((id) => device.store.messages(groupId).find((m) => m.id === id)?.recalled != null),
    );
    // Give the delayed originals time to arrive too: they must change nothing.
    await new Promise((resolve) => setTimeout(resolve, 600));
    for (const m of device.store.messages(groupId)) bodiesSeen.push(m.body);
    assert.deepEqual(
      bodiesSeen.filter((b) => b !== null),
      [],
      'no recalled text ever shown',
    );
    const tally = tallyOf(device, groupId, { sent, recalled });
    printTally('recall before its message', [tally]);
    assert.deepEqual([tally.lost, tally.duplicated, tally.recalledButShown], [0, 0, 0]);
  });

  it('duplicate delivery of events: each is applied once', async () => {
    const nodes = await twoNodes((m, hand) => {
      hand(m);
      hand(m);
    });
    closers.push(() => nodes.close());
    const { alice, groupId, device } = await setUp(nodes);
    closers.unshift(async () => device.close());
    const sent: string[] = [];
    const recalled = new Set<string>();
    for (let i = 0; i < 30; i++) {
      const reply = await call<{ message: Message }>(
        nodes.urlA,
        'POST',
        `/v1/conversations/${groupId}/messages`,
        {
          token: alice.token,
          body: { clientMsgId: `dup-${i}`, body: `twice ${i}` },
        },
      );
      sent.push(reply.body.message.id);
      if (i % 3 === 0) {
        await call(nodes.urlA, 'POST', `/v1/messages/${reply.body.message.id}/recall`, {
          token: alice.token,
        });
        recalled.add(reply.body.message.id);
      }
    }
    await until('bob’s device has everything', () => device.store.messages(groupId).length === sent.length);
    await until('and every recall', () =>
      [...recalled].every((id) => device.store.messages(groupId).find((m) => m.id === id)?.recalled != null),
    );
    const ids = device.store.messages(groupId).map((m) => m.id);
    assert.equal(new Set(ids).size, ids.length, 'each message once in the timeline');
    const tally = tallyOf(device, groupId, { sent, recalled });
    printTally(`duplicate delivery (${device.redelivered} redelivered frames ignored)`, [tally]);
    assert.deepEqual([tally.lost, tally.duplicated, tally.recalledButShown], [0, 0, 0]);
  });
});
