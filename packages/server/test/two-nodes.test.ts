import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Message } from '@retract/protocol';
import * as entry from '../src/index.js';
import { openSqliteKeyStore } from '../src/keys/sqlite/sqlite-key-store.js';
import type { KeyStore } from '../src/keys/key-store.js';
import type { Storage } from '../src/storage/storage.js';
import { FakeClock, openSqliteStorage } from '../src/testing/index.js';
import {
  call,
  login,
  register,
  RecordingSocket,
  startTestServer,
  type TestServer,
} from './support/harness.js';
import { PrivateRedis, privateRedisSkip, redisSkip, testRedisUrl, until } from './support/redis.js';

/**
 * Two nodes, one truth: two servers over one storage, with a Redis bus between them. A message sent
 * through node A reaches a socket on node B live, a recall through B reaches the sockets on A, and an
 * attachment uploaded to A downloads from B (one blob directory). The live path is the bus: no socket
 * here sees a later event that could reveal a gap, so nothing reaches it by catch-up.
 *
 * Variant 1 shares one storage in-process (SQLite cannot be shared between processes, but one handle
 * can be between two servers in one) and needs only RETRACT_TEST_REDIS_URL. Variant 2 is the real thing,
 * entirely from configuration — storage.url on PostgreSQL, bus.url on Redis — and needs
 * RETRACT_TEST_POSTGRES_URL too, and the PostgreSQL backend exported by the package.
 */

const postgresUrl = process.env['RETRACT_TEST_POSTGRES_URL'] || undefined;
const hasPostgresBackend =
  typeof (entry as Record<string, unknown>)['openPostgresStorage'] === 'function' &&
  typeof (entry as Record<string, unknown>)['openPostgresKeyStore'] === 'function';
const postgresSkip: string | false =
  redisSkip ||
  (postgresUrl === undefined
    ? 'set RETRACT_TEST_POSTGRES_URL (and RETRACT_TEST_REDIS_URL) to run two nodes on PostgreSQL'
    : hasPostgresBackend
      ? false
      : 'the PostgreSQL backend is not exported by @retract/server yet');

const pdf = Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(200, 0x41)]);

/** A handle whose close does nothing: both servers close theirs; the test closes the real one last. */
const unclosable = <T extends { close(): Promise<void> }>(target: T): T => ({
  ...target,
  close: async () => {},
});

function twoNodeScenario(nodes: () => { a: TestServer; b: TestServer }): void {
  const suffix = randomUUID().slice(0, 8);
  const aliceName = `alice-${suffix}`;
  const bobName = `bob-${suffix}`;

  it('a message sent through A reaches B live; a recall through B reaches A; a file from A downloads on B', async () => {
    const { a, b } = nodes();
    await register(a.url, aliceName);
    await register(b.url, bobName);
    const aliceOnA = await login(a.url, aliceName, 'alice-phone');
    const aliceOnB = await login(b.url, aliceName, 'alice-laptop');
    const bobOnB = await login(b.url, bobName, 'bob-phone');
    const created = await call<{ conversation: { id: string } }>(a.url, 'POST', '/v1/conversations', {
      token: aliceOnA.token,
      body: { kind: 'group', members: [bobName] },
    });
    assert.equal(created.status, 201);
    const conversationId = created.body.conversation.id;

    const alicePhone = await RecordingSocket.open(a.wsUrl, aliceOnA.token, 0);
    const bobPhone = await RecordingSocket.open(b.wsUrl, bobOnB.token, 0);
    await Promise.all([alicePhone, bobPhone].map((s) => s.waitFor((f) => f.type === 'synced')));

    // Through A, to a socket on B.
    const sent = await call<{ message: Message }>(
      a.url,
      'POST',
      `/v1/conversations/${conversationId}/messages`,
      {
        token: aliceOnA.token,
        body: { clientMsgId: 'x-1', body: 'from node A' },
      },
    );
    assert.equal(sent.status, 201);
    const messageId = sent.body.message.id;
    const onB = await bobPhone.waitForEvent(
      (e) => e.type === 'message.created' && e.message.id === messageId,
    );
    assert.equal(onB.type === 'message.created' && onB.message.body, 'from node A');

    // The sender recalls from her other device, through B: both nodes' sockets hear it.
    const recalled = await call<{ transitioned: boolean }>(
      b.url,
      'POST',
      `/v1/messages/${messageId}/recall`,
      {
        token: aliceOnB.token,
      },
    );
    assert.equal(recalled.status, 200);
    assert.equal(recalled.body.transitioned, true);
    for (const socket of [alicePhone, bobPhone]) {
      const event = await socket.waitForEvent(
        (e) => e.type === 'message.recalled' && e.messageId === messageId,
      );
      assert.equal(event.type === 'message.recalled' && event.tombstone.role, 'sender');
    }

    // One blob directory: uploaded to A, downloaded from B.
    const uploaded = await fetch(`${a.url}/v1/attachments?kind=file&name=a.pdf`, {
      method: 'POST',
      headers: { authorization: `Bearer ${aliceOnA.token}`, 'content-type': 'application/octet-stream' },
      body: new Blob([new Uint8Array(pdf)]),
    });
    assert.equal(uploaded.status, 201);
    const attachmentId = ((await uploaded.json()) as { attachment: { id: string } }).attachment.id;
    const withFile = await call<{ message: Message }>(
      a.url,
      'POST',
      `/v1/conversations/${conversationId}/messages`,
      { token: aliceOnA.token, body: { clientMsgId: 'x-2', type: 'file', attachmentId } },
    );
    assert.equal(withFile.status, 201);
    await bobPhone.waitForEvent(
      (e) => e.type === 'message.created' && e.message.id === withFile.body.message.id,
    );
    const downloaded = await fetch(`${b.url}/v1/attachments/${attachmentId}`, {
      headers: { authorization: `Bearer ${bobOnB.token}` },
    });
    assert.equal(downloaded.status, 200);
    assert.deepEqual(Buffer.from(await downloaded.arrayBuffer()), pdf);

    // Gap-free on both sockets: every event arrived exactly once, in order.
    for (const socket of [alicePhone, bobPhone]) {
      const seqs = socket.frames.flatMap((f) => (f.type === 'event' ? [f.event.seq] : []));
      assert.deepEqual(
        seqs,
        seqs.map((_, i) => (seqs[0] ?? 1) + i),
      );
    }
    await Promise.all([alicePhone.close(), bobPhone.close()]);
  });
}

/** Two servers over one storage handle (and one key store, blob directory, signing key), one Redis. */
function inProcessCluster(redisUrl: () => string) {
  const shared = mkdtempSync(join(tmpdir(), 'retract-cluster-'));
  const clock = new FakeClock();
  const nodes = {} as { a: TestServer; b: TestServer };
  let storage: Storage | undefined;
  let keys: KeyStore | undefined;
  return {
    nodes,
    async start(): Promise<void> {
      storage = openSqliteStorage({ path: join(shared, 'retract.db'), synchronous: 'normal' });
      keys = await openSqliteKeyStore({
        path: join(shared, 'keys.db'),
        masterKeyPath: join(shared, 'master.key'),
      });
      const config = {
        bus: { url: redisUrl(), channelPrefix: `retract-test-${randomUUID()}:` },
        blobs: { dir: join(shared, 'blobs') },
        audit: { keyPath: join(shared, 'signing.key'), checkpointIntervalSeconds: 0 },
      };
      const parts = { storage: unclosable(storage), keys: unclosable(keys) };
      nodes.a = await startTestServer({ clock, config, parts });
      nodes.b = await startTestServer({ clock, config, parts });
    },
    async stop(): Promise<void> {
      await nodes.a?.close();
      await nodes.b?.close();
      await storage?.close();
      await keys?.close();
      rmSync(shared, { recursive: true, force: true });
    },
  };
}

describe('two nodes over one in-process storage and a Redis bus', { skip: redisSkip }, () => {
  const cluster = inProcessCluster(() => testRedisUrl!);
  before(() => cluster.start());
  after(() => cluster.stop());
  twoNodeScenario(() => cluster.nodes);
});

describe('two nodes: Redis stops and restarts (a private redis-server)', { skip: privateRedisSkip }, () => {
  let redis: PrivateRedis;
  const cluster = inProcessCluster(() => redis.url);
  before(async () => {
    redis = await PrivateRedis.start();
    await cluster.start();
  });
  after(async () => {
    await cluster.stop();
    await redis?.dispose();
  });

  it('what B missed while Redis was down reaches its socket from storage once Redis is back', async () => {
    const { a, b } = cluster.nodes;
    await register(a.url, 'carol');
    await register(a.url, 'dave');
    const carol = await login(a.url, 'carol');
    const dave = await login(b.url, 'dave', 'dave-phone');
    const daveTablet = await login(b.url, 'dave', 'dave-tablet');
    const created = await call<{ conversation: { id: string } }>(a.url, 'POST', '/v1/conversations', {
      token: carol.token,
      body: { kind: 'direct', members: ['dave'] },
    });
    const conversationId = created.body.conversation.id;
    const phone = await RecordingSocket.open(b.wsUrl, dave.token, 0);
    const tablet = await RecordingSocket.open(b.wsUrl, daveTablet.token, 0);
    await Promise.all([phone, tablet].map((s) => s.waitFor((f) => f.type === 'synced')));

    await redis.stop();
    // Committed on A; the publish to B fails (and is logged), the send succeeds.
    const sent = await call<{ message: Message }>(
      a.url,
      'POST',
      `/v1/conversations/${conversationId}/messages`,
      {
        token: carol.token,
        body: { clientMsgId: 'down-1', body: 'sent while Redis was down' },
      },
    );
    assert.equal(sent.status, 201);
    // The tablet logs out through A: its revocation is lost too.
    assert.equal(
      (await call(a.url, 'DELETE', '/v1/sessions/current', { token: daveTablet.token })).status,
      204,
    );
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(
      phone.events().some((e) => e.type === 'message.created' && e.message.id === sent.body.message.id),
      false,
      'B could not hear of it',
    );
    assert.equal(tablet.closeCode, undefined);

    await redis.restart();
    const caught = await phone.waitForEvent(
      (e) => e.type === 'message.created' && e.message.id === sent.body.message.id,
      15_000,
    );
    assert.equal(caught.type === 'message.created' && caught.message.body, 'sent while Redis was down');
    assert.equal(await tablet.waitClose(), 4403, 'the lost revocation is applied (session_revoked)');
    await until('the resync is counted', async () =>
      /retract_bus_resyncs_total [1-9]/.test(
        await b.server.context.metrics.registry.getSingleMetricAsString('retract_bus_resyncs_total'),
      ),
    );
    await phone.close();
  });
});

describe('two nodes on PostgreSQL and Redis, from configuration alone', { skip: postgresSkip }, () => {
  const shared = mkdtempSync(join(tmpdir(), 'retract-cluster-pg-'));
  const schema = `retract_test_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  let a: TestServer;
  let b: TestServer;

  before(async () => {
    // What every node shares: the database, the bus, the blob directory and the key files.
    const config = {
      storage: { url: postgresUrl, schema },
      bus: { url: testRedisUrl, channelPrefix: `retract-test-${randomUUID()}:` },
      blobs: { dir: join(shared, 'blobs') },
      encryption: { masterKeyPath: join(shared, 'master.key') },
      audit: { keyPath: join(shared, 'signing.key'), checkpointIntervalSeconds: 0 },
    };
    a = await startTestServer({ config });
    b = await startTestServer({ config });
  });
  after(async () => {
    await a?.close();
    await b?.close();
    rmSync(shared, { recursive: true, force: true });
  });

  twoNodeScenario(() => ({ a, b }));
});
