import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Message } from '@retract/protocol';
import { call } from '../support/harness.js';
import { until } from '../support/redis.js';
import { clusterSkip, CutProxy, testPostgresUrl } from './cluster.js';
import { tallyOf } from './device.js';
import { assertClean, converge, dispose, world, type World } from './fault-world.js';

describe('fault: PostgreSQL unreachable', { skip: clusterSkip }, () => {
  const worlds: World[] = [];
  after(async () => {
    for (const w of worlds) await dispose(w);
  });

  it('PostgreSQL unreachable: requests fail fast with 503 unavailable, nothing half-written, recovery without restart', async () => {
    const pgUrl = new URL(testPostgresUrl!);
    const proxy = await CutProxy.start(pgUrl.hostname, Number(pgUrl.port || 5432));
    const w = await world({
      storeUrl: (dbUrl) => {
        const u = new URL(dbUrl);
        u.hostname = '127.0.0.1';
        u.port = String(proxy.port);
        return u.toString();
      },
    });
    worlds.push(w);
    w.cleanup.push(() => proxy.close());
    const before = await call<{ message: Message }>(
      w.cluster.nodes[0]!.url,
      'POST',
      `/v1/conversations/${w.groupId}/messages`,
      {
        token: w.users[0]!.token,
        body: { clientMsgId: 'pg-0', body: 'before the outage' },
      },
    );
    assert.equal(before.status, 201);
    await converge(w);

    proxy.cut();
    const outcomes: { status: number; code?: string; ms: number }[] = [];
    for (let i = 0; i < 6; i++) {
      const t0 = Date.now();
      const reply = await call<{ error?: { code: string } }>(
        w.cluster.nodes[i % 3]!.url,
        i % 2 === 0 ? 'POST' : 'GET',
        i % 2 === 0 ? `/v1/conversations/${w.groupId}/messages` : '/v1/sync?after=0',
        {
          token: w.users[i]!.token,
          ...(i % 2 === 0 ? { body: { clientMsgId: `pg-out-${i}`, body: `during the outage ${i}` } } : {}),
        },
      );
      outcomes.push({ status: reply.status, code: reply.body?.error?.code, ms: Date.now() - t0 });
    }
    for (const o of outcomes) {
      assert.equal(o.status, 503);
      assert.equal(o.code, 'unavailable');
      assert.ok(o.ms < 10_000, `failed fast (${o.ms} ms)`);
    }
    const recallDuring = await call<{ error?: { code: string } }>(
      w.cluster.nodes[1]!.url,
      'POST',
      `/v1/messages/${before.body.message.id}/recall`,
      {
        token: w.users[0]!.token,
      },
    );
    assert.equal(recallDuring.status, 503);

    proxy.restore();
    const sent = [before.body.message.id];
    await until(
      'the nodes answer again',
      async () => {
        const r = await call(w.cluster.nodes[0]!.url, 'GET', '/v1/sync?after=0', {
          token: w.users[0]!.token,
        });
        return r.status === 200;
      },
      20_000,
    );
    // Nothing from the outage was written: each retry creates its message now, exactly once.
    for (let i = 0; i < 6; i += 2) {
      const retry = await call<{ message: Message; created: boolean }>(
        w.cluster.nodes[(i + 1) % 3]!.url,
        'POST',
        `/v1/conversations/${w.groupId}/messages`,
        { token: w.users[i]!.token, body: { clientMsgId: `pg-out-${i}`, body: `during the outage ${i}` } },
      );
      assert.equal(retry.status, 201, 'the failed send had written nothing');
      sent.push(retry.body.message.id);
    }
    const recalled = new Set<string>();
    const recall = await call(
      w.cluster.nodes[2]!.url,
      'POST',
      `/v1/messages/${before.body.message.id}/recall`,
      {
        token: w.users[0]!.token,
      },
    );
    assert.equal(recall.status, 200);
    recalled.add(before.body.message.id);
    await converge(w, 60_000);
    assertClean(
      'PostgreSQL unreachable',
      w.devices.map((d) => tallyOf(d, w.groupId, { sent, recalled })),
    );
  });
});
