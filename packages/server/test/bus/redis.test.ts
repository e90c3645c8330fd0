import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import type { BusMessage } from '../../src/bus/bus.js';
import { openRedisBus, type RedisBus } from '../../src/bus/redis/redis-bus.js';
import { PrivateRedis, privateRedisSkip, redisSkip, testRedisUrl, until } from '../support/redis.js';
import { busContract } from './contract.js';

/**
 * The Redis bus: the port's contract with two bus instances as two nodes (each its own pair of
 * connections, one channel), then what the port asks of a bus that can lose its transport — a publish
 * that settles fast while Redis is down, and a subscriber that comes back by itself and says so.
 */

const prefix = () => `retract-test-${randomUUID()}:`;

const sample = (seq: number): BusMessage => ({
  kind: 'events',
  event: { type: 'member.removed', at: '2026-01-01T00:00:00.000Z', conversationId: 'c_x', userId: 'u_x' },
  deliveries: [{ userId: 'u_x', seq }],
});
const seqOf = (m: BusMessage) => (m.kind === 'events' ? m.deliveries[0]?.seq : -1);

busContract({
  name: 'redis',
  skip: redisSkip,
  open: async () => {
    const channelPrefix = prefix();
    const a = await openRedisBus({ url: testRedisUrl!, channelPrefix });
    const b = await openRedisBus({ url: testRedisUrl!, channelPrefix });
    return { a, b };
  },
});

describe('redis bus', { skip: redisSkip }, () => {
  it('hands a node its own messages once, at publish, and skips their echo from Redis', async () => {
    const channelPrefix = prefix();
    const a = await openRedisBus({ url: testRedisUrl!, channelPrefix });
    const b = await openRedisBus({ url: testRedisUrl!, channelPrefix });
    try {
      assert.notEqual(a.nodeId, b.nodeId);
      const onA: BusMessage[] = [];
      const onB: BusMessage[] = [];
      a.subscribe((m) => onA.push(m));
      b.subscribe((m) => onB.push(m));
      const publishing = a.publish(sample(1));
      assert.equal(onA.length, 1, 'delivered locally before the publish even settles');
      await publishing;
      await until('the other node has it', () => onB.length === 1);
      await new Promise((resolve) => setTimeout(resolve, 150));
      assert.equal(onA.length, 1, 'the echo from Redis is not delivered a second time');
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('keeps clusters with different channel prefixes apart', async () => {
    const a = await openRedisBus({ url: testRedisUrl!, channelPrefix: prefix() });
    const b = await openRedisBus({ url: testRedisUrl!, channelPrefix: prefix() });
    const c = await openRedisBus({ url: testRedisUrl!, channelPrefix: b.channel.replace(/bus$/, '') });
    try {
      const onB: BusMessage[] = [];
      b.subscribe((m) => onB.push(m));
      await a.publish(sample(1));
      await c.publish(sample(2));
      await until('the same-prefix message arrives', () => onB.length >= 1);
      await new Promise((resolve) => setTimeout(resolve, 150));
      assert.deepEqual(onB.map(seqOf), [2]);
    } finally {
      await Promise.all([a.close(), b.close(), c.close()]);
    }
  });

  it('ignores what is not a Retract envelope on its channel', async () => {
    const b = await openRedisBus({ url: testRedisUrl!, channelPrefix: prefix() });
    const raw = new Redis(testRedisUrl!);
    try {
      const onB: BusMessage[] = [];
      b.subscribe((m) => onB.push(m));
      await raw.publish(b.channel, 'not json');
      await raw.publish(
        b.channel,
        JSON.stringify({ v: 1, node: 'n_other', kind: 'message', message: { kind: 'x' } }),
      );
      await raw.publish(
        b.channel,
        JSON.stringify({ v: 2, node: 'n_other', kind: 'message', message: sample(9) }),
      );
      await raw.publish(
        b.channel,
        JSON.stringify({ v: 1, node: 'n_other', kind: 'message', message: sample(1) }),
      );
      await until('the valid envelope arrives', () => onB.length >= 1);
      await new Promise((resolve) => setTimeout(resolve, 100));
      assert.deepEqual(onB.map(seqOf), [1]);
    } finally {
      raw.disconnect();
      await b.close();
    }
  });

  it('refuses to open, quickly and without the password, when Redis cannot be reached', async () => {
    const started = Date.now();
    await assert.rejects(
      openRedisBus({ url: 'redis://:hunter2@127.0.0.1:1', connectTimeoutMs: 1000 }),
      (error: Error) => {
        assert.match(error.message, /cannot reach the bus at redis:\/\/:\*\*\*@127\.0\.0\.1:1/);
        assert.doesNotMatch(error.message, /hunter2/);
        return true;
      },
    );
    assert.ok(Date.now() - started < 3000);
  });

  it('rejects a publish after close, without throwing', async () => {
    const a = await openRedisBus({ url: testRedisUrl!, channelPrefix: prefix() });
    await a.close();
    await assert.rejects(a.publish(sample(1)), /closed/);
  });
});

describe(
  'redis bus: Redis goes away and comes back (a private redis-server)',
  { skip: privateRedisSkip },
  () => {
    let redis: PrivateRedis;
    let a: RedisBus;
    let b: RedisBus;
    const onA: BusMessage[] = [];
    const onB: BusMessage[] = [];
    let reconnectsA = 0;
    let reconnectsB = 0;

    before(async () => {
      redis = await PrivateRedis.start();
      const channelPrefix = prefix();
      const options = { url: redis.url, channelPrefix, commandTimeoutMs: 300, maxReconnectDelayMs: 200 };
      a = await openRedisBus(options);
      b = await openRedisBus(options);
      a.subscribe((m) => onA.push(m));
      b.subscribe((m) => onB.push(m));
      a.onReconnect(() => reconnectsA++);
      b.onReconnect(() => reconnectsB++);
    });
    after(async () => {
      await a?.close();
      await b?.close();
      await redis?.dispose();
    });

    it('while Redis is down, a publish settles within 2 s, never throws, and still reaches its own node', async () => {
      await a.publish(sample(1));
      await until('b has the first message', () => onB.length === 1);
      await redis.stop();
      for (const seq of [2, 3]) {
        const started = Date.now();
        let settled: Promise<void> | undefined;
        assert.doesNotThrow(() => {
          settled = a.publish(sample(seq));
        });
        const outcome = await settled!.then(
          () => 'resolved',
          (error: Error) => error.message,
        );
        const elapsed = Date.now() - started;
        assert.ok(elapsed < 2000, `publish took ${elapsed} ms`);
        assert.match(outcome, /bus publish to redis:\/\/127\.0\.0\.1:\d+\/? failed/);
      }
      assert.deepEqual(onA.map(seqOf), [1, 2, 3], "the publishing node's own subscribers are not cut off");
      assert.deepEqual(onB.map(seqOf), [1], 'the other node lost them (storage has them)');
    });

    it('after Redis restarts, the subscriber fires the reconnect hook and receives again', async () => {
      const before = { a: reconnectsA, b: reconnectsB };
      await redis.restart();
      await until(
        'both nodes reconnected and resubscribed',
        () => reconnectsA > before.a && reconnectsB > before.b,
      );
      // The publisher reconnects on its own schedule: retry until one publish goes through.
      await until('a publish goes through again', () =>
        a.publish(sample(4)).then(
          () => true,
          () => false,
        ),
      );
      await until('b receives again', () => onB.some((m) => seqOf(m) === 4));
    });

    it('a node whose publish failed while others stayed connected tells them to catch up', async () => {
      const admin = new Redis(redis.url);
      try {
        await until('a can publish', () =>
          a.publish(sample(5)).then(
            () => true,
            () => false,
          ),
        );
        const before = reconnectsB;
        // Stall every client for a moment: a's publish times out, b's connection is never lost.
        await admin.call('CLIENT', 'PAUSE', '800', 'ALL');
        await assert.rejects(a.publish(sample(6)), /Command timed out/);
        await until('b is told to catch up (resync)', () => reconnectsB > before, 10_000);
      } finally {
        admin.disconnect();
      }
    });
  },
);
