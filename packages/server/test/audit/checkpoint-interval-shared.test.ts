import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { call, registerAndLogin, startTestServer, type Login, type TestServer } from '../support/harness.js';

/**
 * On shared storage every node's timer calls `checkpointIfGrown({ notWithinMs: interval / 2 })`: a
 * checkpoint any node signed recently stands for all of them, so the cluster signs about once per
 * interval rather than once per node (server.ts; the timer itself runs only on PostgreSQL storage).
 */
describe('audit checkpoints on shared storage', () => {
  let t: TestServer;
  let alice: Login;
  const grow = () =>
    call(t.url, 'POST', '/v1/conversations', { token: alice.token, body: { kind: 'group', members: [] } });

  before(async () => {
    t = await startTestServer({ config: { audit: { checkpointIntervalSeconds: 0 } } });
    alice = await registerAndLogin(t.url, 'alice');
  });
  after(() => t.close());

  it('skips a grown log while the latest checkpoint, by any node, is younger than notWithinMs', async () => {
    const { audit } = t.server.context;
    const notWithinMs = 30 * 60_000;
    await grow();
    const first = await audit.checkpointIfGrown({ notWithinMs });
    assert.equal(first?.treeSize, 1, 'nothing signed yet: signs');
    await grow();
    t.clock.advance(notWithinMs - 1);
    assert.equal(await audit.checkpointIfGrown({ notWithinMs }), null, 'another node signed recently');
    assert.equal((await audit.checkpointIfGrown())?.treeSize, 2, 'without the option: as before');
    await grow();
    t.clock.advance(notWithinMs);
    assert.equal((await audit.checkpointIfGrown({ notWithinMs }))?.treeSize, 3, 'old enough: signs');
    assert.equal(await audit.checkpointIfGrown({ notWithinMs }), null, 'not grown: nothing to sign');
  });
});
