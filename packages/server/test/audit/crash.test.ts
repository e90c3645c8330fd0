import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { Message } from '@retract/protocol';
import { verifyDataDir } from '../../src/audit/verify-data-dir.js';
import { allAuditEntries, recallEntriesOf } from '../support/audit.js';
import { call, login, register, type Login } from '../support/harness.js';

/**
 * A recall and its audit entry commit together or not at all. A real server process kills itself with
 * SIGKILL inside the recall's transaction (after the tombstone, before the entry) or right after its
 * commit (before anyone is told); restarted on the same data directory, the message is either untouched
 * with no entry, or recalled with exactly one — and recalling again leaves exactly one.
 */

const script = fileURLToPath(new URL('../support/audit-crash-server.ts', import.meta.url));
const children = new Set<ChildProcess>();

interface Child {
  readonly url: string;
  readonly exited: Promise<NodeJS.Signals | number | null>;
}

async function startChild(
  dataDir: string,
  fault: 'none' | 'afterErase' | 'afterRecallCommit',
): Promise<Child> {
  const config = {
    host: '127.0.0.1',
    port: 0,
    dataDir,
    serverAdmins: ['admin'],
    auth: { passwordHashCost: 1024 },
    log: { level: 'silent' },
    ws: { pingIntervalMs: 0 },
    audit: { checkpointIntervalSeconds: 0 },
  };
  const child = spawn(process.execPath, ['--import', 'tsx', script, JSON.stringify(config), fault], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<NodeJS.Signals | number | null>((resolve) =>
    child.once('exit', (code, signal) => {
      children.delete(child);
      resolve(signal ?? code);
    }),
  );
  const lines = createInterface({ input: child.stdout! });
  const url = await Promise.race([
    new Promise<string>((resolve) =>
      lines.once('line', (line) => resolve((JSON.parse(line) as { url: string }).url)),
    ),
    exited.then((how) => {
      throw new Error(`the crash server exited (${String(how)}) before listening:\n${stderr}`);
    }),
  ]);
  return { url, exited };
}

async function stopChild(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await gone;
}

const dir = mkdtempSync(join(tmpdir(), 'retract-audit-crash-'));
after(async () => {
  for (const child of [...children]) {
    const gone = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await gone;
  }
  rmSync(dir, { recursive: true, force: true });
});

describe('a recall and its audit entry commit together, even across kill -9', () => {
  const dataDir = join(dir, 'data');
  let alice: Login;
  let admin: Login;
  const messages: Message[] = [];

  async function recalledState(url: string, message: Message) {
    const page = await call<{ messages: Message[] }>(
      url,
      'GET',
      `/v1/conversations/${message.conversationId}/messages`,
      { token: alice.token },
    );
    const now = page.body.messages.find((m) => m.id === message.id);
    assert.ok(now, 'the message is still in the history');
    const entries = recallEntriesOf(await allAuditEntries(url, admin.token), message.id);
    return { recalled: now.recalled !== null, body: now.body, entries: entries.length };
  }

  it('sets up a conversation with messages', async () => {
    const first = await startChild(dataDir, 'none');
    await register(first.url, 'alice');
    await register(first.url, 'bob');
    await register(first.url, 'admin');
    alice = await login(first.url, 'alice');
    admin = await login(first.url, 'admin');
    const created = await call<{ conversation: { id: string } }>(first.url, 'POST', '/v1/conversations', {
      token: alice.token,
      body: { kind: 'group', members: ['bob'] },
    });
    for (const key of ['in-tx', 'after-commit']) {
      const sent = await call<{ message: Message }>(
        first.url,
        'POST',
        `/v1/conversations/${created.body.conversation.id}/messages`,
        { token: alice.token, body: { clientMsgId: key, body: `crash test ${key}` } },
      );
      assert.equal(sent.status, 201);
      messages.push(sent.body.message);
    }
    await stopChild([...children][0]);
  });

  for (const [fault, which] of [
    ['afterErase', 0],
    ['afterRecallCommit', 1],
  ] as const) {
    it(`killed ${fault === 'afterErase' ? 'inside the transaction' : 'right after commit'}: all or nothing, then exactly one`, async () => {
      const message = messages[which]!;
      const armed = await startChild(dataDir, fault);
      const attempt = await fetch(`${armed.url}/v1/messages/${message.id}/recall`, {
        method: 'POST',
        headers: { authorization: `Bearer ${alice.token}`, 'content-type': 'application/json' },
        body: '{}',
      }).then(
        (r) => r.status,
        () => 'connection lost',
      );
      assert.equal(attempt, 'connection lost', 'the server died before answering');
      assert.equal(await armed.exited, 'SIGKILL');

      const restarted = await startChild(dataDir, 'none');
      const state = await recalledState(restarted.url, message);
      // Either nothing happened, or all of it did — never a tombstone without its entry or the reverse.
      assert.ok(
        (state.recalled === false && state.entries === 0 && state.body !== null) ||
          (state.recalled === true && state.entries === 1 && state.body === null),
        JSON.stringify(state),
      );
      assert.equal(
        state.recalled,
        fault === 'afterRecallCommit',
        'committed exactly when the fault came after commit',
      );

      const again = await call<{ transitioned: boolean }>(
        restarted.url,
        'POST',
        `/v1/messages/${message.id}/recall`,
        { token: alice.token, body: {} },
      );
      assert.equal(again.status, 200, JSON.stringify(again.body));
      assert.equal(again.body.transitioned, !state.recalled);
      const final = await recalledState(restarted.url, message);
      assert.deepEqual(final, { recalled: true, body: null, entries: 1 });
      await stopChild([...children][0]);
    });
  }

  it('leaves a log that verifies from end to end', async () => {
    const result = await verifyDataDir({ dataDir });
    assert.equal(result.ok, true, JSON.stringify(result.report.problems));
    assert.ok(result.report.size > 0);
  });
});
