import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { errorRegistry } from '@retract/protocol';
import { openSqliteKeyStore } from '../src/keys/sqlite/sqlite-key-store.js';
import type { KeyStore } from '../src/keys/key-store.js';
import type { Bus } from '../src/bus/bus.js';
import type { Storage } from '../src/storage/storage.js';
import { createMemoryBus, FakeClock, openSqliteStorage } from '../src/testing/index.js';
import {
  call,
  login,
  register,
  RecordingSocket,
  startTestServer,
  type TestServer,
} from './support/harness.js';
import { redisSkip, testRedisUrl } from './support/redis.js';

/**
 * Password change and disabled accounts end sessions for real: the tokens stop working at once and the
 * sockets of those devices close within a second — on every node, through the bus.
 */

const revokedClose = errorRegistry.session_revoked.wsClose;

/** Resolves with the close code and how long after `since` it came; fails past a second. */
async function closedWithinASecond(socket: RecordingSocket, since: number): Promise<number> {
  const code = await Promise.race([
    socket.waitClose(),
    new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error('the socket was still open a second later')), 1000).unref(),
    ),
  ]);
  assert.ok(Date.now() - since <= 1000);
  return code;
}

async function openSynced(t: TestServer, token: string): Promise<RecordingSocket> {
  const socket = await RecordingSocket.open(t.wsUrl, token);
  await socket.waitFor((f) => f.type === 'synced');
  return socket;
}

/** Runs against one or two nodes: `a` takes the HTTP calls, sockets are spread over `a` and `b`. */
function accountScenario(nodes: () => { a: TestServer; b: TestServer }, prefix: string): void {
  const name = (n: string) => `${prefix}${n}`;

  it('a password change ends every other session at once and keeps the caller’s', async () => {
    const { a, b } = nodes();
    await register(a.url, name('erin'));
    const phone = await login(a.url, name('erin'), 'phone');
    const laptop = await login(a.url, name('erin'), 'laptop');
    const tablet = await login(b.url, name('erin'), 'tablet');
    const laptopSocket = await openSynced(a, laptop.token);
    const tabletSocket = await openSynced(b, tablet.token);
    const phoneSocket = await openSynced(b, phone.token);

    const changed = await call<{ revokedSessions: number }>(a.url, 'PUT', '/v1/me/password', {
      token: phone.token,
      body: { currentPassword: 'correct horse', newPassword: 'battery staple' },
    });
    const at = Date.now();
    assert.equal(changed.status, 200, JSON.stringify(changed.body));
    assert.equal(changed.body.revokedSessions, 2);
    assert.equal(await closedWithinASecond(laptopSocket, at), revokedClose);
    assert.equal(await closedWithinASecond(tabletSocket, at), revokedClose);
    for (const gone of [laptop, tablet]) {
      assert.equal((await call(a.url, 'GET', '/v1/me', { token: gone.token })).status, 401);
    }
    // The caller keeps its session and its socket.
    assert.equal((await call(a.url, 'GET', '/v1/me', { token: phone.token })).status, 200);
    phoneSocket.send({ type: 'ping', id: 'still' });
    await phoneSocket.waitFor((f) => f.type === 'pong' && f.id === 'still');
    // Old password out, new one in.
    const old = await call<{ error: { code: string } }>(a.url, 'POST', '/v1/sessions', {
      body: { username: name('erin'), password: 'correct horse' },
    });
    assert.equal(old.body.error.code, 'invalid_credentials');
    await login(a.url, name('erin'), 'new laptop', 'battery staple');
    await phoneSocket.close();
  });

  it('refuses a password change with the wrong current password, and ends nothing', async () => {
    const { a } = nodes();
    await register(a.url, name('fay'));
    const one = await login(a.url, name('fay'), 'one');
    const two = await login(a.url, name('fay'), 'two');
    const wrong = await call<{ error: { code: string } }>(a.url, 'PUT', '/v1/me/password', {
      token: one.token,
      body: { currentPassword: 'not my password', newPassword: 'battery staple' },
    });
    assert.equal(wrong.body.error.code, 'invalid_credentials');
    const short = await call<{ error: { code: string } }>(a.url, 'PUT', '/v1/me/password', {
      token: one.token,
      body: { currentPassword: 'correct horse', newPassword: 'short' },
    });
    assert.equal(short.body.error.code, 'invalid_request');
    assert.equal((await call(a.url, 'GET', '/v1/me', { token: two.token })).status, 200);
    await login(a.url, name('fay'), 'three'); // the password did not change
  });

  it('disabling an account ends all its sessions at once and refuses logins; enabling lets it back', async () => {
    const { a, b } = nodes();
    const admin = await login(a.url, 'root', 'console');
    await register(a.url, name('gus'));
    const phone = await login(a.url, name('gus'), 'phone');
    const laptop = await login(b.url, name('gus'), 'laptop');
    const phoneSocket = await openSynced(a, phone.token);
    const laptopSocket = await openSynced(b, laptop.token);

    // Not for ordinary users.
    const denied = await call<{ error: { code: string } }>(
      a.url,
      'POST',
      `/v1/admin/users/${name('gus')}/disable`,
      { token: phone.token },
    );
    assert.equal(denied.status, 403);
    assert.equal(denied.body.error.code, 'not_permitted');

    const disabled = await call<{ disabled: boolean; revokedSessions: number }>(
      a.url,
      'POST',
      `/v1/admin/users/${name('gus')}/disable`,
      { token: admin.token },
    );
    const at = Date.now();
    assert.equal(disabled.status, 200, JSON.stringify(disabled.body));
    assert.deepEqual([disabled.body.disabled, disabled.body.revokedSessions], [true, 2]);
    assert.equal(await closedWithinASecond(phoneSocket, at), revokedClose);
    assert.equal(await closedWithinASecond(laptopSocket, at), revokedClose);
    for (const gone of [phone, laptop]) {
      assert.equal((await call(b.url, 'GET', '/v1/me', { token: gone.token })).status, 401);
    }
    const refused = await call<{ error: { code: string } }>(b.url, 'POST', '/v1/sessions', {
      body: { username: name('gus'), password: 'correct horse' },
    });
    assert.equal(refused.status, 403);
    assert.equal(refused.body.error.code, 'account_disabled');
    // A wrong password learns nothing about the account's state.
    const guess = await call<{ error: { code: string } }>(b.url, 'POST', '/v1/sessions', {
      body: { username: name('gus'), password: 'wrong wrong' },
    });
    assert.equal(guess.body.error.code, 'invalid_credentials');

    const enabled = await call<{ disabled: boolean }>(
      a.url,
      'POST',
      `/v1/admin/users/${name('gus')}/enable`,
      {
        token: admin.token,
      },
    );
    assert.equal(enabled.status, 200);
    assert.equal(enabled.body.disabled, false);
    const back = await login(b.url, name('gus'), 'phone again');
    assert.equal((await call(a.url, 'GET', '/v1/me', { token: back.token })).status, 200);
    // The old sessions stay ended.
    assert.equal((await call(a.url, 'GET', '/v1/me', { token: phone.token })).status, 401);
  });

  it('answers user_not_found for an unknown user, and refuses an admin disabling themselves', async () => {
    const { a } = nodes();
    const admin = await login(a.url, 'root', 'console');
    const unknown = await call<{ error: { code: string } }>(
      a.url,
      'POST',
      '/v1/admin/users/nobody-here/disable',
      {
        token: admin.token,
      },
    );
    assert.equal(unknown.body.error.code, 'user_not_found');
    const self = await call<{ error: { code: string } }>(a.url, 'POST', '/v1/admin/users/root/disable', {
      token: admin.token,
    });
    assert.equal(self.body.error.code, 'not_permitted');
    assert.equal((await call(a.url, 'GET', '/v1/me', { token: admin.token })).status, 200);
  });
}

describe('accounts on one node', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer({ config: { serverAdmins: ['root'] } });
    await register(t.url, 'root');
  });
  after(() => t.close());
  accountScenario(() => ({ a: t, b: t }), '');
});

/** Two servers over one storage, one key store and one bus (in-process, or Redis when there is one). */
function twoNodes(busOf: () => { bus?: Bus; config: Record<string, unknown> }) {
  const shared = mkdtempSync(join(tmpdir(), 'retract-accounts-'));
  const nodes = {} as { a: TestServer; b: TestServer };
  let storage: Storage | undefined;
  let keys: KeyStore | undefined;
  let bus: Bus | undefined;
  const unclosable = <T extends { close(): Promise<void> }>(target: T): T =>
    Object.assign(Object.create(target) as T, { close: async () => {} });
  return {
    nodes,
    async start(): Promise<void> {
      storage = openSqliteStorage({ path: join(shared, 'retract.db'), synchronous: 'normal' });
      keys = await openSqliteKeyStore({
        path: join(shared, 'keys.db'),
        masterKeyPath: join(shared, 'master.key'),
      });
      const chosen = busOf();
      bus = chosen.bus;
      const config = {
        serverAdmins: ['root'],
        blobs: { dir: join(shared, 'blobs') },
        audit: { keyPath: join(shared, 'signing.key'), checkpointIntervalSeconds: 0 },
        ...chosen.config,
      };
      const parts = {
        storage: unclosable(storage),
        keys: unclosable(keys),
        ...(bus === undefined ? {} : { bus: unclosable(bus) }),
      };
      const clock = new FakeClock();
      nodes.a = await startTestServer({ clock, config, parts });
      nodes.b = await startTestServer({ clock, config, parts });
      await register(nodes.a.url, 'root');
    },
    async stop(): Promise<void> {
      await nodes.a?.close();
      await nodes.b?.close();
      await bus?.close();
      await storage?.close();
      await keys?.close();
      rmSync(shared, { recursive: true, force: true });
    },
  };
}

describe('accounts on two nodes sharing an in-process bus', () => {
  const cluster = twoNodes(() => ({ bus: createMemoryBus(), config: {} }));
  before(() => cluster.start());
  after(() => cluster.stop());
  accountScenario(() => cluster.nodes, 'm-');
});

describe('accounts on two nodes over a Redis bus', { skip: redisSkip }, () => {
  const prefix = `retract-test-${randomUUID()}:`;
  const cluster = twoNodes(() => ({ config: { bus: { url: testRedisUrl!, channelPrefix: prefix } } }));
  before(() => cluster.start());
  after(() => cluster.stop());
  accountScenario(() => cluster.nodes, 'r-');
});
