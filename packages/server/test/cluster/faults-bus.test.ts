import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Message } from '@retract/protocol';
import { call } from '../support/harness.js';
import { PrivateRedis } from '../support/redis.js';
import { clusterSkip } from './cluster.js';
import { tallyOf } from './device.js';
import { assertClean, converge, dispose, world, type World } from './fault-world.js';

describe('fault: the bus stopped', { skip: clusterSkip }, () => {
  const worlds: World[] = [];
  after(async () => {
    for (const w of worlds) await dispose(w);
  });

  it('the bus stopped during 100 recalls: the API keeps answering, and every device converges once it is back', async () => {
    const redis = await PrivateRedis.start();
    const w = await world({ busUrl: redis.url });
    worlds.push(w);
    w.cleanup.push(() => redis.dispose());
    const sent: string[] = [];
    for (let i = 0; i < 100; i++) {
      const sender = w.users[i % w.users.length]!;
      const reply = await call<{ message: Message }>(
        w.cluster.nodes[i % 3]!.url,
        'POST',
        `/v1/conversations/${w.groupId}/messages`,
        { token: sender.token, body: { clientMsgId: `bus-${i}`, body: `before the outage ${i}` } },
      );
      assert.equal(reply.status, 201);
      sent.push(reply.body.message.id);
    }
    await converge(w);

    await redis.stop();
    const recalled = new Set<string>();
    const started = Date.now();
    for (const [i, id] of sent.entries()) {
      const sender = w.users[i % w.users.length]!;
      const r = await call(w.cluster.nodes[(i + 1) % 3]!.url, 'POST', `/v1/messages/${id}/recall`, {
        token: sender.token,
      });
      assert.equal(r.status, 200, 'the database is the truth: recalls succeed with the bus down');
      recalled.add(id);
    }
    const elapsed = Date.now() - started;
    await redis.restart();
    await converge(w, 60_000);
    process.stdout.write(`# 100 recalls with the bus down took ${elapsed} ms\n`);
    assertClean(
      'bus stopped during 100 recalls',
      w.devices.map((d) => tallyOf(d, w.groupId, { sent, recalled })),
    );
  });
});
