import { after, afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { appendAudit } from '../../src/actions/audit.js';
import { MerkleAccumulator, verifyLog } from '../../src/core/audit/index.js';
import { systemClock } from '../../src/core/clock.js';
import { openPostgresKeyStore } from '../../src/keys/postgres/postgres-key-store.js';
import {
  openPostgresStorage,
  type PostgresStorageOptions,
} from '../../src/storage/postgres/postgres-storage.js';
import type { NewEvent } from '../../src/storage/records.js';
import { sealedStorage } from '../../src/storage/sealed/sealed-storage.js';
import { StorageUnavailableError, type Storage, type StorageTx } from '../../src/storage/storage.js';
import { storageContract } from './contract.js';
import { storageMigrations } from '../../src/storage/postgres/migrations.js';

/**
 * The storage contract and the audit contract (part of it) against PostgreSQL, plus what only a
 * networked, multi-node backend has: writers on several pools at once, and the database going away.
 * The server's address comes only from RETRACT_TEST_POSTGRES_URL; without it the suite is skipped.
 * Every case works in a schema of its own, dropped at the end.
 */
const url = process.env['RETRACT_TEST_POSTGRES_URL'];
const skip = url ? false : 'RETRACT_TEST_POSTGRES_URL not set';

const T0 = Date.UTC(2026, 0, 1);
const utf8 = new TextEncoder();
let counter = 0;
const uid = (p: string) => `${p}_${(++counter).toString(36)}${randomBytes(4).toString('hex')}`;

describe('postgres storage', { skip }, () => {
  const databaseUrl = url!;
  const schemas: string[] = [];
  const opened: Storage[] = [];

  function freshSchema(): string {
    const schema = `retract_test_${process.pid}_${randomBytes(4).toString('hex')}`;
    schemas.push(schema);
    return schema;
  }
  async function open(options: Partial<PostgresStorageOptions> & { schema: string }): Promise<Storage> {
    const storage = await openPostgresStorage({ url: databaseUrl, ...options });
    opened.push(storage);
    return storage;
  }
  async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    try {
      return await fn(client);
    } finally {
      await client.end();
    }
  }
  /**
   * Ends every server connection whose application_name is `app`, as a restart would (57P01), and waits
   * (up to 5 s) until they are gone.
   */
  const terminate = (app: string) =>
    admin((c) =>
      c.query('SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity WHERE application_name = $1', [
        app,
      ]),
    );
  const withApp = (app: string) => {
    const u = new URL(databaseUrl);
    u.searchParams.set('application_name', app);
    return u.toString();
  };

  // Each case closes what it opened, so idle connections do not pile up against max_connections.
  afterEach(async () => {
    await Promise.allSettled(opened.splice(0).map((s) => s.close()));
  });
  after(async () => {
    await admin(async (c) => {
      for (const schema of schemas) await c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    });
  });

  storageContract({
    name: 'postgres',
    open: () => openPostgresStorage({ url: databaseUrl, schema: freshSchema() }),
  });

  // As the server runs it: bodies sealed at rest, their keys in a PostgreSQL key store of their own.
  const keyDir = mkdtempSync(join(tmpdir(), 'retract-pg-sealed-'));
  after(() => rmSync(keyDir, { recursive: true, force: true }));
  storageContract({
    name: 'postgres, sealed at rest, keys in postgres',
    open: async () => {
      const keys = await openPostgresKeyStore({
        url: databaseUrl,
        schema: freshSchema(),
        masterKeyPath: join(keyDir, 'master.key'),
      });
      const storage = await openPostgresStorage({ url: databaseUrl, schema: freshSchema() });
      return sealedStorage(storage, { keys, hold: null });
    },
  });

  // Helpers over any storage.
  async function user(storage: Storage): Promise<string> {
    const id = uid('u');
    await storage.transaction((tx) =>
      tx.insertUser({ id, username: uid('name'), passwordHash: 'h', createdAt: T0 }),
    );
    return id;
  }
  async function group(storage: Storage, members: string[]): Promise<string> {
    const id = uid('c');
    await storage.transaction(async (tx) => {
      await tx.insertConversation({
        id,
        kind: 'group',
        title: 'g',
        createdAt: T0,
        directKey: null,
        policy: null,
      });
      for (const [i, m] of members.entries()) {
        await tx.insertMember({
          conversationId: id,
          userId: m,
          role: i === 0 ? 'owner' : 'member',
          joinedAt: T0,
        });
      }
    });
    return id;
  }
  const event = (conversationId: string): NewEvent => ({
    type: 'member.added',
    conversationId,
    messageId: null,
    at: T0,
    data: {},
  });
  const audit = (tx: StorageTx, conversationId: string) =>
    appendAudit(
      tx,
      { clock: systemClock },
      {
        kind: 'policy.changed',
        actor: { userId: 'u_test', role: 'owner' },
        target: { conversationId },
        reason: null,
        requestId: null,
      },
    );

  describe('several nodes on one database', () => {
    it('migrates once when several nodes open the same schema at the same moment', async () => {
      const schema = freshSchema();
      const nodes = await Promise.all(Array.from({ length: 4 }, () => open({ schema, poolSize: 2 })));
      assert.equal(nodes.length, 4);
      const versions = await admin(
        async (c) =>
          (await c.query(`SELECT version FROM "${schema}".schema_migrations ORDER BY version`)).rows,
      );
      assert.deepEqual(
        versions.map((r: { version: number }) => r.version),
        storageMigrations.migrations.map((_, i) => i + 1),
      );
      await Promise.all(nodes.map((n) => n.ping()));
    });

    it('keeps sequences and the audit log gap-free with 200 concurrent writers on two pools', async (t) => {
      const schema = freshSchema();
      const [a, b] = await Promise.all([open({ schema, poolSize: 8 }), open({ schema, poolSize: 8 })]);
      const users = [await user(a), await user(a), await user(b), await user(b), await user(a)];
      const c = await group(a, users);
      const expected = new Map(users.map((u) => [u, 0]));
      const shuffled = (i: number) => {
        // A different subset, in a different order, each time: the storage must order its locks itself.
        const subset = users.filter((_, k) => (i + k) % 3 !== 0);
        return subset.sort(() => (Math.random() < 0.5 ? -1 : 1));
      };

      const started = Date.now();
      const results = await Promise.allSettled(
        Array.from({ length: 200 }, (_, i) => {
          const node = i % 2 === 0 ? a : b;
          const recipients = shuffled(i);
          for (const u of recipients) expected.set(u, expected.get(u)! + 1);
          return node.transaction(async (tx) => {
            // Three in four also append an audit entry, before their event, as the actions do.
            if (i % 4 !== 0) await audit(tx, c);
            return tx.appendEvent(event(c), recipients);
          });
        }),
      );
      t.diagnostic(`200 concurrent transactions on two pools: ${Date.now() - started} ms`);
      const failures = results.filter((r) => r.status === 'rejected');
      assert.deepEqual(
        failures.map((r) => String((r as PromiseRejectedResult).reason)),
        [],
      );

      // Each user: exactly 1 … n, every number handed out once, as the deliveries said.
      const handedOut = new Map<string, number[]>();
      for (const r of results) {
        for (const d of (r as PromiseFulfilledResult<{ userId: string; seq: number }[]>).value) {
          handedOut.set(d.userId, [...(handedOut.get(d.userId) ?? []), d.seq]);
        }
      }
      for (const u of users) {
        const n = expected.get(u)!;
        const oneToN = Array.from({ length: n }, (_, k) => k + 1);
        const stored = (await b.read((tx) => tx.readEvents(u, 0, 1000))).map((e) => e.seq);
        assert.deepEqual(stored, oneToN, `stored sequence of ${u}`);
        assert.deepEqual(
          handedOut.get(u)!.sort((x, y) => x - y),
          oneToN,
          `delivered sequence of ${u}`,
        );
        assert.equal(await a.read((tx) => tx.lastSeq(u)), n);
      }

      // The audit log: indexes 0 … 149, verifying as a whole, with the stored accumulator the one the
      // rows give.
      const { rows, state } = await a.read(async (tx) => ({
        rows: await tx.readAuditRows(0, 1000),
        state: await tx.auditState(),
      }));
      assert.equal(rows.length, 150);
      assert.deepEqual(
        rows.map((r) => r.index),
        Array.from({ length: 150 }, (_, k) => k),
      );
      const report = verifyLog(
        rows.map((r) => ({
          index: r.index,
          entry: utf8.encode(r.entry),
          leafHash: r.leafHash,
          rootAfter: r.rootAfter,
        })),
        [],
        [],
      );
      assert.deepEqual(report.problems, []);
      assert.equal(report.ok, true);
      const recomputed = new MerkleAccumulator();
      for (const r of rows) recomputed.append(r.leafHash);
      assert.deepEqual(state, recomputed.state());
      assert.equal(report.root, rows.at(-1)!.rootAfter);
    });

    it('recalls a message once when two nodes recall it at the same moment', async () => {
      const schema = freshSchema();
      const [a, b] = await Promise.all([open({ schema }), open({ schema })]);
      const sender = await user(a);
      const c = await group(a, [sender]);
      const messageId = uid('m');
      await a.transaction((tx) =>
        tx.insertMessage({
          id: messageId,
          conversationId: c,
          senderId: sender,
          clientMsgId: uid('k'),
          type: 'text',
          body: 'sealed:v1:…',
          sentAt: T0,
          flags: [],
          replyTo: null,
          corrects: null,
          attachmentId: null,
        }),
      );
      // What recall does: read the message, and erase it and log it only if it is not yet a tombstone.
      const recall = (node: Storage) =>
        node.transaction(async (tx) => {
          const found = await tx.findMessage(messageId);
          if (found?.tombstone !== null) return false;
          await tx.eraseMessage(messageId, {
            recalledAt: T0 + 1,
            recalledBy: sender,
            role: 'sender',
            reason: null,
            label: null,
          });
          await audit(tx, c);
          await tx.appendEvent(event(c), [sender]);
          return true;
        });
      const outcomes = await Promise.all(Array.from({ length: 10 }, (_, i) => recall(i % 2 ? a : b)));
      assert.equal(outcomes.filter(Boolean).length, 1);
      assert.equal(await a.read((tx) => tx.auditSize()), 1);
      assert.equal(await a.read((tx) => tx.lastSeq(sender)), 1);
    });

    it('settles a consent request and deletes a held message exactly once across nodes', async () => {
      const schema = freshSchema();
      const [a, b] = await Promise.all([open({ schema }), open({ schema })]);
      const sender = await user(a);
      const c = await group(a, [sender]);
      const heldId = uid('m');
      await a.transaction((tx) =>
        tx.insertHeldMessage({
          id: heldId,
          conversationId: c,
          senderId: sender,
          clientMsgId: uid('k'),
          type: 'text',
          body: 'held',
          attachmentId: null,
          replyTo: null,
          corrects: null,
          heldAt: T0,
          deliverAt: T0,
        }),
      );
      const requestId = uid('r');
      await a.transaction((tx) =>
        tx.insertConsentRequest({
          id: requestId,
          conversationId: c,
          messageId: heldId,
          requesterId: sender,
          reason: null,
          status: 'pending',
          createdAt: T0,
          expiresAt: T0 + 1000,
          decidedBy: null,
          decidedAt: null,
          note: null,
        }),
      );
      const deleted = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          (i % 2 ? a : b).transaction((tx) => tx.deleteHeldMessage(heldId)),
        ),
      );
      assert.equal(deleted.filter(Boolean).length, 1);
      const settled = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          (i % 2 ? a : b).transaction((tx) =>
            tx.settleConsentRequest(requestId, {
              status: i % 3 ? 'approved' : 'declined',
              decidedBy: sender,
              decidedAt: T0 + i,
              note: null,
            }),
          ),
        ),
      );
      assert.equal(settled.filter(Boolean).length, 1);
    });
  });

  describe('failures', () => {
    it('leaves nothing of a transaction that throws half-way', async () => {
      const storage = await open({ schema: freshSchema() });
      const a = await user(storage);
      const c = await group(storage, [a]);
      const before = await storage.read(async (tx) => ({
        seq: await tx.lastSeq(a),
        size: await tx.auditSize(),
      }));
      const [newUser, messageId] = [uid('u'), uid('m')];
      await assert.rejects(
        storage.transaction(async (tx) => {
          await tx.insertUser({ id: newUser, username: uid('n'), passwordHash: 'h', createdAt: T0 });
          await tx.insertMessage({
            id: messageId,
            conversationId: c,
            senderId: a,
            clientMsgId: uid('k'),
            type: 'text',
            body: 'never stored',
            sentAt: T0,
            flags: [],
            replyTo: null,
            corrects: null,
            attachmentId: null,
          });
          await audit(tx, c);
          await tx.appendEvent(event(c), [a]);
          throw new Error('half-way');
        }),
        /half-way/,
      );
      await storage.read(async (tx) => {
        assert.equal(await tx.findUserById(newUser), null);
        assert.equal(await tx.findMessage(messageId), null);
        assert.equal(await tx.lastSeq(a), before.seq);
        assert.equal(await tx.auditSize(), before.size);
        assert.equal(await tx.auditState(), null);
      });
      // A statement that fails inside the callback, its error swallowed, still fails the transaction.
      await assert.rejects(
        storage.transaction(async (tx) => {
          await tx.insertUser({ id: uid('u'), username: uid('n'), passwordHash: 'h', createdAt: T0 });
          await tx.insertDevice({
            id: uid('d'),
            userId: 'u_nobody',
            name: 'x',
            tokenHash: uid('t'),
            createdAt: T0,
          });
        }),
      );
      await assert.rejects(
        storage.transaction(async (tx) => {
          await tx
            .insertDevice({ id: uid('d'), userId: 'u_nobody', name: 'x', tokenHash: uid('t'), createdAt: T0 })
            .catch(() => undefined);
        }),
        /rolled back/,
      );
    });

    it('fails fast with StorageUnavailableError when nothing listens at the address', async () => {
      const started = Date.now();
      await assert.rejects(
        openPostgresStorage({ url: 'postgres://postgres@127.0.0.1:1/test', connectTimeoutMs: 2000 }),
        StorageUnavailableError,
      );
      assert.ok(Date.now() - started < 2000, `took ${Date.now() - started} ms`);
    });

    it('gives up after the connection timeout when the server never answers', async () => {
      const held = new Set<net.Socket>();
      const silent = net.createServer((socket) => {
        held.add(socket);
        socket.on('error', () => undefined);
      });
      await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
      const { port } = silent.address() as AddressInfo;
      try {
        const started = Date.now();
        await assert.rejects(
          openPostgresStorage({ url: `postgres://postgres@127.0.0.1:${port}/test`, connectTimeoutMs: 2000 }),
          StorageUnavailableError,
        );
        const took = Date.now() - started;
        assert.ok(took >= 1900 && took < 4000, `took ${took} ms`);
      } finally {
        for (const socket of held) socket.destroy();
        await new Promise((resolve) => silent.close(resolve));
      }
    });

    it('answers StorageUnavailableError while the server is unreachable, and recovers by itself', async () => {
      const target = new URL(databaseUrl);
      const proxy = await tcpProxy(target.hostname, Number(target.port || 5432));
      const proxied = new URL(databaseUrl);
      proxied.hostname = '127.0.0.1';
      proxied.port = String(proxy.port);
      const storage = await open({ schema: freshSchema(), url: proxied.toString(), connectTimeoutMs: 2000 });
      const a = await user(storage);
      const c = await group(storage, [a]);
      await storage.transaction((tx) => tx.appendEvent(event(c), [a]));

      // Down in the middle of a transaction: it fails whole.
      await assert.rejects(
        storage.transaction(async (tx) => {
          await tx.appendEvent(event(c), [a]);
          await proxy.stop();
          await tx.appendEvent(event(c), [a]);
        }),
        StorageUnavailableError,
      );
      // Down between calls.
      await assert.rejects(
        storage.transaction((tx) => tx.appendEvent(event(c), [a])),
        StorageUnavailableError,
      );
      await assert.rejects(storage.ping(), StorageUnavailableError);
      await assert.rejects(
        storage.read((tx) => tx.lastSeq(a)),
        StorageUnavailableError,
      );

      // Back: the same storage object works again, and only the first event was ever written.
      await proxy.start();
      try {
        await storage.ping();
        assert.equal(await storage.read((tx) => tx.lastSeq(a)), 1);
        await storage.transaction((tx) => tx.appendEvent(event(c), [a]));
        assert.deepEqual(
          (await storage.read((tx) => tx.readEvents(a, 0, 10))).map((e) => e.seq),
          [1, 2],
        );
      } finally {
        await proxy.stop();
      }
    });

    it('rides out the server ending its connections (restart, failover), idle or mid-transaction', async () => {
      const app = uid('retract_test_app');
      const storage = await open({ schema: freshSchema(), url: withApp(app), poolSize: 4 });
      const a = await user(storage);
      const c = await group(storage, [a]);
      // Several idle pooled connections, all ended by the server (57P01): the next calls get new ones.
      await Promise.all(
        Array.from({ length: 4 }, () => storage.transaction((tx) => tx.appendEvent(event(c), [a]))),
      );
      await terminate(app);
      await Promise.all(
        Array.from({ length: 4 }, () => storage.transaction((tx) => tx.appendEvent(event(c), [a]))),
      );
      assert.equal(await storage.read((tx) => tx.lastSeq(a)), 8);

      // Ended in the middle of a transaction: StorageUnavailableError, nothing of it kept.
      const lost = uid('u');
      await assert.rejects(
        storage.transaction(async (tx) => {
          await tx.insertUser({ id: lost, username: uid('n'), passwordHash: 'h', createdAt: T0 });
          await terminate(app);
          await tx.appendEvent(event(c), [a]);
        }),
        StorageUnavailableError,
      );
      assert.equal(await storage.read((tx) => tx.findUserById(lost)), null);
      assert.equal(await storage.read((tx) => tx.lastSeq(a)), 8);
    });
  });
});

/** A TCP proxy to the database that the test can take down (every connection cut) and bring back. */
async function tcpProxy(host: string, port: number) {
  const sockets = new Set<net.Socket>();
  let server: net.Server | null = null;
  let listenPort = 0;
  const start = () =>
    new Promise<void>((resolve, reject) => {
      const s = net.createServer((client) => {
        const upstream = net.connect(port, host);
        const close = () => {
          client.destroy();
          upstream.destroy();
          sockets.delete(client);
          sockets.delete(upstream);
        };
        sockets.add(client).add(upstream);
        client.on('error', close).on('close', close);
        upstream.on('error', close).on('close', close);
        client.pipe(upstream).pipe(client);
      });
      s.once('error', reject);
      s.listen(listenPort, '127.0.0.1', () => {
        listenPort = (s.address() as AddressInfo).port;
        server = s;
        resolve();
      });
    });
  const stop = async () => {
    const s = server;
    server = null;
    for (const socket of sockets) socket.destroy();
    sockets.clear();
    if (s) await new Promise((resolve) => s.close(resolve));
  };
  await start();
  return { port: listenPort, start, stop };
}
