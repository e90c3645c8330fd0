import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteStorage } from '../src/storage/sqlite/sqlite-storage.js';
import { StorageUnavailableError, type Storage } from '../src/storage/storage.js';
import {
  call,
  registerAndLogin,
  RecordingSocket,
  startTestServer,
  type TestServer,
} from './support/harness.js';

/**
 * A WebSocket command that meets storage which cannot serve (a PostgreSQL pool exhausted or cut off)
 * answers `unavailable`, as HTTP answers 503: the client retries with the same client message id.
 * Before, it answered `internal`, which tells a client the request is broken and not worth retrying.
 */
describe('WebSocket commands when storage is unavailable', () => {
  const dir = mkdtempSync(join(tmpdir(), 'retract-unavailable-'));
  const real = openSqliteStorage({ path: join(dir, 'retract.db'), synchronous: 'normal' });
  let down = false;
  // Only write transactions fail, as with a pool that has no connection to give: the socket stays up.
  const flaky: Storage = new Proxy(real, {
    get(target, key, receiver) {
      if (key === 'transaction') {
        return (fn: Parameters<Storage['transaction']>[0]) =>
          down
            ? Promise.reject(new StorageUnavailableError(new Error('pool timeout')))
            : target.transaction(fn);
      }
      const value: unknown = Reflect.get(target, key, receiver);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
  let t: TestServer;

  before(async () => {
    t = await startTestServer({ dataDir: join(dir, 'data'), parts: { storage: flaky } });
  });
  after(async () => {
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers a send with unavailable, and the retry with the same client id succeeds once', async () => {
    const alice = await registerAndLogin(t.url, 'alice');
    await registerAndLogin(t.url, 'bob');
    const created = await call<{ conversation: { id: string } }>(t.url, 'POST', '/v1/conversations', {
      token: alice.token,
      body: { kind: 'direct', members: ['bob'] },
    });
    const socket = await RecordingSocket.open(t.wsUrl, alice.token);
    await socket.waitFor((f) => f.type === 'synced');
    const send = {
      type: 'send',
      conversationId: created.body.conversation.id,
      clientMsgId: 'c-1',
      body: 'hello',
    };

    down = true;
    socket.send({ ...send, id: 'first' });
    const refused = await socket.waitFor((f) => f.type === 'reply' && f.id === 'first');
    assert.ok(refused.type === 'reply' && !refused.ok);
    assert.equal(refused.error?.code, 'unavailable');

    down = false;
    socket.send({ ...send, id: 'retry' });
    const accepted = await socket.waitFor((f) => f.type === 'reply' && f.id === 'retry');
    assert.ok(accepted.type === 'reply' && accepted.ok, JSON.stringify(accepted));
    const history = await call<{ messages: unknown[] }>(
      t.url,
      'GET',
      `/v1/conversations/${created.body.conversation.id}/messages`,
      { token: alice.token },
    );
    assert.equal(history.body.messages.length, 1);
    await socket.close();
  });
});
