import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AuditLogInconsistentError, appendAudit } from '../../src/actions/audit.js';
import { importPublicKey, verifyCheckpoint, type SignedCheckpoint } from '../../src/core/audit/index.js';
import { call, registerAndLogin, startTestServer, type Login, type TestServer } from '../support/harness.js';

/**
 * Checkpoints are signed at the configured interval when the log grew, and on demand; each one is kept
 * in the database and appended to the checkpoint file, the same statement in both places.
 */

const fileCheckpoints = (t: TestServer): SignedCheckpoint[] =>
  readFileSync(join(t.dataDir, 'audit', 'checkpoints.jsonl'), 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as SignedCheckpoint);

const storedCheckpoints = (t: TestServer) => t.server.context.storage.read((tx) => tx.listCheckpoints());

async function until(what: string, condition: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('audit checkpoints', () => {
  let t: TestServer;
  let alice: Login;

  before(async () => {
    t = await startTestServer({ config: { audit: { checkpointIntervalSeconds: 1 } } });
    alice = await registerAndLogin(t.url, 'alice');
  });
  after(() => t.close());

  it('signs on the interval once the log has grown, and not again until it grows', async () => {
    assert.deepEqual(await storedCheckpoints(t), [], 'an empty log is not signed');
    await call(t.url, 'POST', '/v1/conversations', {
      token: alice.token,
      body: { kind: 'group', members: [] },
    });
    await until('a checkpoint is signed', async () => (await storedCheckpoints(t)).length === 1);
    const [first] = await storedCheckpoints(t);
    assert.equal(first?.treeSize, 1);
    assert.equal(verifyCheckpoint(first!, importPublicKey(t.server.context.audit.publicKey)), true);
    await new Promise((resolve) => setTimeout(resolve, 2200));
    assert.equal((await storedCheckpoints(t)).length, 1, 'nothing new to sign');
  });

  it('keeps the same checkpoints in the database and in the checkpoint file', async () => {
    t.clock.advance(1000);
    await t.server.context.audit.checkpoint();
    // Same size, same instant: the same statement, kept once.
    await t.server.context.audit.checkpoint();
    const stored = await storedCheckpoints(t);
    assert.equal(stored.length, 2);
    assert.deepEqual(fileCheckpoints(t), stored);
  });

  it('refuses to append or sign when the saved accumulator does not fit the rows', async () => {
    const { storage } = t.server.context;
    const state = await storage.read((tx) => tx.auditState());
    await storage.transaction((tx) =>
      tx.appendAuditRow(
        {
          index: 1,
          entry: '{}',
          leafHash: '00'.repeat(32),
          rootAfter: '00'.repeat(32),
          conversationId: null,
          messageId: null,
        },
        state!,
      ),
    );
    await assert.rejects(
      storage.transaction((tx) =>
        appendAudit(tx, t.server.context, {
          kind: 'policy.changed',
          actor: { userId: null, role: 'system' },
          target: {},
          reason: null,
          requestId: null,
        }),
      ),
      AuditLogInconsistentError,
    );
    await assert.rejects(t.server.context.audit.checkpoint(), /does not match the log/);
  });
});
