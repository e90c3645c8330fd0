import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Event, Message } from '@retract/protocol';
import { call, registerAndLogin, type Login } from './support/harness.js';

/**
 * "Acknowledged means durable": the real `retract serve` process is killed with SIGKILL right after its
 * 200s, restarted on the same data directory, and everything it acknowledged is still there.
 */

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const readyDeadlineMs = 60_000;

/**
 * A port that was free a moment ago. The serve command needs a concrete port, so we bind port 0, read the
 * port and release it; another process could take it in between (a tiny race). If that happens the child
 * exits before it is healthy and `startServe` tries again with a new port.
 */
async function freePort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  assert.ok(address !== null && typeof address === 'object');
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return address.port;
}

interface Serve {
  readonly child: ChildProcess;
  readonly url: string;
  readonly exited: Promise<NodeJS.Signals | number | null>;
  readonly stderr: () => string;
}

const children = new Set<ChildProcess>();

function spawnServe(port: number, dataDir: string, configPath: string): Serve {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      'packages/cli/src/main.ts',
      'serve',
      '--port',
      String(port),
      '--data',
      dataDir,
      '--config',
      configPath,
    ],
    {
      cwd: repoRoot,
      env: { ...process.env, RETRACT_LOG_LEVEL: 'silent' },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  children.add(child);
  let stderr = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<NodeJS.Signals | number | null>((resolve) =>
    child.once('exit', (code, signal) => {
      children.delete(child);
      resolve(signal ?? code);
    }),
  );
  return { child, url: `http://127.0.0.1:${port}`, exited, stderr: () => stderr };
}

/** Polls /healthz until it answers 200, the child exits, or the deadline passes. */
async function waitHealthy(serve: Serve): Promise<boolean> {
  let exited = false;
  void serve.exited.then(() => (exited = true));
  const deadline = Date.now() + readyDeadlineMs;
  while (Date.now() < deadline) {
    if (exited) return false;
    try {
      const response = await fetch(`${serve.url}/healthz`);
      if (response.status === 200) return true;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`retract serve did not become healthy within ${readyDeadlineMs} ms:\n${serve.stderr()}`);
}

async function startServe(dataDir: string, configPath: string): Promise<Serve> {
  for (let attempt = 1; ; attempt++) {
    const serve = spawnServe(await freePort(), dataDir, configPath);
    if (await waitHealthy(serve)) return serve;
    if (attempt === 3) throw new Error(`retract serve exited before it was healthy:\n${serve.stderr()}`);
  }
}

describe('durability across kill -9', () => {
  const dir = mkdtempSync(join(tmpdir(), 'retract-durability-'));
  const dataDir = join(dir, 'data');
  const configPath = join(dir, 'config.json');
  writeFileSync(configPath, JSON.stringify({ auth: { passwordHashCost: 1024 } }));

  after(async () => {
    // Whatever happened in the test, no server outlives it.
    for (const child of children) {
      if (child.exitCode !== null || child.signalCode !== null) continue;
      const gone = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await gone;
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps every acknowledged send and recall', async () => {
    const first = await startServe(dataDir, configPath);
    const alice: Login = await registerAndLogin(first.url, 'alice');
    const bob: Login = await registerAndLogin(first.url, 'bob');
    const created = await call<{ conversation: { id: string } }>(first.url, 'POST', '/v1/conversations', {
      token: alice.token,
      body: { kind: 'group', title: 'durable', members: ['bob'] },
    });
    assert.equal(created.status, 201);
    const groupId = created.body.conversation.id;

    const kept = await call<{ message: Message }>(
      first.url,
      'POST',
      `/v1/conversations/${groupId}/messages`,
      {
        token: alice.token,
        body: { clientMsgId: 'kept-1', body: 'this one stays' },
      },
    );
    assert.equal(kept.status, 201);
    const recalledSend = await call<{ message: Message }>(
      first.url,
      'POST',
      `/v1/conversations/${groupId}/messages`,
      { token: alice.token, body: { clientMsgId: 'gone-2', body: 'this one is taken back' } },
    );
    assert.equal(recalledSend.status, 201);
    const recall = await call<{ transitioned: boolean }>(
      first.url,
      'POST',
      `/v1/messages/${recalledSend.body.message.id}/recall`,
      { token: alice.token, body: { reason: 'typo' } },
    );
    assert.equal(recall.status, 200);
    assert.equal(recall.body.transitioned, true);

    // No graceful shutdown: the process dies the instant after its last acknowledgement.
    first.child.kill('SIGKILL');
    assert.equal(await first.exited, 'SIGKILL');

    const second = await startServe(dataDir, configPath);

    for (const login of [alice, bob]) {
      const page = await call<{ messages: Message[] }>(
        second.url,
        'GET',
        `/v1/conversations/${groupId}/messages`,
        {
          token: login.token,
        },
      );
      assert.equal(page.status, 200, `${login.username}'s token survives the restart`);
      const [newest, oldest] = page.body.messages;
      assert.equal(page.body.messages.length, 2);
      assert.equal(oldest?.id, kept.body.message.id);
      assert.equal(oldest?.body, 'this one stays');
      assert.equal(oldest?.recalled, null);
      assert.equal(newest?.id, recalledSend.body.message.id);
      assert.equal(newest?.body, null);
      assert.equal(newest?.recalled?.recalledBy, alice.userId);
      assert.equal(newest?.recalled?.role, 'sender');
      assert.equal(newest?.recalled?.reason, 'typo');

      const sync = await call<{ events: Event[]; hasMore: boolean }>(second.url, 'GET', '/v1/sync?after=0', {
        token: login.token,
      });
      assert.equal(sync.status, 200);
      assert.equal(sync.body.hasMore, false);
      assert.deepEqual(
        sync.body.events.map((e) => [e.seq, e.type]),
        [
          [1, 'conversation.created'],
          [2, 'message.created'],
          [3, 'message.created'],
          [4, 'message.recalled'],
        ],
        `${login.username}'s events: ${JSON.stringify(sync.body)}`,
      );
      const [, created2, created3, recalled4] = sync.body.events;
      assert.ok(created2?.type === 'message.created' && created2.message.body === 'this one stays');
      assert.ok(created3?.type === 'message.created' && created3.message.id === recalledSend.body.message.id);
      assert.equal(
        created3.message.body,
        null,
        'the old message.created of a recalled message has no content',
      );
      assert.ok(
        recalled4?.type === 'message.recalled' && recalled4.messageId === recalledSend.body.message.id,
      );
      assert.equal(recalled4.senderId, alice.userId);
    }

    // Retrying the acknowledged sends returns the originals and creates nothing.
    const retry = await call<{ message: Message; created: boolean }>(
      second.url,
      'POST',
      `/v1/conversations/${groupId}/messages`,
      { token: alice.token, body: { clientMsgId: 'kept-1', body: 'this one stays' } },
    );
    assert.equal(retry.status, 200);
    assert.equal(retry.body.created, false);
    assert.deepEqual(retry.body.message, kept.body.message, JSON.stringify([retry.body, kept.body]));
    const retryRecalled = await call<{ message: Message; created: boolean }>(
      second.url,
      'POST',
      `/v1/conversations/${groupId}/messages`,
      { token: alice.token, body: { clientMsgId: 'gone-2', body: 'this one is taken back' } },
    );
    assert.equal(retryRecalled.status, 200);
    assert.equal(retryRecalled.body.created, false);
    assert.equal(retryRecalled.body.message.id, recalledSend.body.message.id);
    assert.equal(retryRecalled.body.message.body, null);
    const later = await call<{ events: Event[] }>(second.url, 'GET', '/v1/sync?after=4', {
      token: alice.token,
    });
    assert.deepEqual(later.body.events, [], 'a retry appends no event');

    second.child.kill('SIGTERM');
    assert.equal(await second.exited, 0, 'a SIGTERM shuts down cleanly');
  });
});
