import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Message } from '@retract/protocol';
import { call } from '../support/harness.js';
import { clusterSkip } from './cluster.js';
import { tallyOf } from './device.js';
import { aliveNode, assertClean, converge, dispose, world, type World } from './fault-world.js';

describe('fault: a node killed with SIGKILL', { skip: clusterSkip }, () => {
  const worlds: World[] = [];
  after(async () => {
    for (const w of worlds) await dispose(w);
  });

  it('a node killed with SIGKILL mid-traffic: its clients resume on another node, nothing lost or duplicated', async () => {
    const w = await world({});
    worlds.push(w);
    const sent: string[] = [];
    const recalled = new Set<string>();
    let failed = 0;
    for (let i = 0; i < 120; i++) {
      if (i === 40) {
        // Mid-traffic: sends and recalls keep flowing to the others while node 0 dies.
        w.dead.add(0);
        await w.cluster.nodes[0]!.kill();
      }
      const sender = w.users[i % w.users.length]!;
      const reply = await call<{ message: Message }>(
        aliveNode(w, i).url,
        'POST',
        `/v1/conversations/${w.groupId}/messages`,
        { token: sender.token, body: { clientMsgId: `kill-${i}`, body: `message ${i}` } },
      ).catch(() => null);
      if (!reply || reply.status !== 201) {
        failed += 1;
        continue;
      }
      sent.push(reply.body.message.id);
      if (i % 5 === 0) {
        const r = await call(
          aliveNode(w, i + 1).url,
          'POST',
          `/v1/messages/${reply.body.message.id}/recall`,
          {
            token: sender.token,
          },
        );
        if (r.status === 200) recalled.add(reply.body.message.id);
      }
    }
    assert.equal(failed, 0, 'requests to live nodes all succeed');
    await converge(w);
    const moved = w.devices.filter((d) => d.reconnects > 0);
    assert.equal(moved.length, 2, 'the two devices of the killed node moved');
    assertClean(
      'SIGKILL mid-traffic',
      w.devices.map((d) => tallyOf(d, w.groupId, { sent, recalled })),
    );
  });
});
