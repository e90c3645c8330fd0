import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import type { Message } from '@retract/protocol';
import { call, login, register } from '../support/harness.js';
import {
  clusterSkip,
  freshDatabase,
  startCluster,
  testPostgresUrl,
  testRedisUrl,
  type Cluster,
} from './cluster.js';

const run = promisify(execFile);

/** A whole dump of the cluster's database, as an operator's nightly backup would take it. */
async function pgDump(url: string): Promise<string> {
  const { stdout } = await run('pg_dump', ['--no-owner', '--data-only', url], {
    maxBuffer: 64 * 1024 * 1024,
  });
  return stdout;
}

/**
 * Erasure on PostgreSQL: a canary sent and recalled through the cluster is in no `pg_dump` — not after
 * the recall, and, because bodies are sealed at rest, not in plain text before it either. The dump is
 * shown to be able to find the message: before the recall it holds its sealed body, after it not.
 */
describe('erasure on PostgreSQL', { skip: clusterSkip }, () => {
  let cluster: Cluster | undefined;
  let db: Awaited<ReturnType<typeof freshDatabase>> | undefined;
  after(async () => {
    await cluster?.close();
    await db?.drop();
  });

  it('a recalled canary is absent from a pg_dump taken after the recall, and was never there in plain text', async () => {
    db = await freshDatabase(testPostgresUrl!);
    cluster = await startCluster({ count: 3, storeUrl: db.url, busUrl: testRedisUrl! });
    const [n0, n1, n2] = cluster.nodes;
    await register(n0!.url, 'alice');
    await register(n0!.url, 'bob');
    const alice = await login(n1!.url, 'alice');
    const created = await call<{ conversation: { id: string } }>(n1!.url, 'POST', '/v1/conversations', {
      token: alice.token,
      body: { kind: 'group', members: ['bob'] },
    });
    const canary = `canary-${randomBytes(12).toString('hex')}`;
    const sent = await call<{ message: Message }>(
      n2!.url,
      'POST',
      `/v1/conversations/${created.body.conversation.id}/messages`,
      { token: alice.token, body: { clientMsgId: 'canary', body: `the password is ${canary}` } },
    );
    assert.equal(sent.status, 201);
    const id = sent.body.message.id;

    const before = await pgDump(db.url);
    assert.ok(before.includes(id), 'the dump holds the message row');
    const sealedLine = before.split('\n').find((line) => line.includes(id) && line.includes('sealed:v1:'));
    assert.ok(sealedLine, 'its body is in the dump, sealed');
    const envelope = /sealed:v1:[A-Za-z0-9+/=]+/.exec(sealedLine)![0];
    assert.equal(before.includes(canary), false, 'never in plain text, even before the recall');

    const recalled = await call(n0!.url, 'POST', `/v1/messages/${id}/recall`, { token: alice.token });
    assert.equal(recalled.status, 200);
    const afterDump = await pgDump(db.url);
    assert.equal(afterDump.includes(canary), false);
    assert.equal(afterDump.includes(envelope), false, 'the sealed body is gone too');
    assert.ok(afterDump.includes(id), 'the tombstone stays');
  });
});
