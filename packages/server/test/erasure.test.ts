import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { pino } from 'pino';
import type { Message } from '@retract/protocol';
import { createServer, loadConfig } from '../src/index.js';
import { openSqliteStorage } from '../src/storage/sqlite/sqlite-storage.js';
import { call, registerAndLogin } from './support/harness.js';

/**
 * "Recalled plaintext is gone from the server's storage, not just hidden": after an acknowledged recall,
 * the bytes of the stored body (sealed at rest: the plain text never reaches the files) are in none of
 * the database files, its key is destroyed, and the text was never in a log line.
 *
 * The scan is proved able to find the text twice: before the recall it finds it (positive control), and
 * with SQLite's secure_delete turned off it still finds it after the recall (negative control) — so a
 * clean scan with secure_delete on means the bytes are really gone, not that the scan is blind.
 */

const databaseFiles = ['retract.db', 'retract.db-wal', 'retract.db-shm'];

/** Which database files hold the needle's UTF-8 bytes. */
function filesContaining(dataDir: string, needle: string): string[] {
  const bytes = Buffer.from(needle, 'utf8');
  return databaseFiles.filter((name) => {
    const path = join(dataDir, name);
    return existsSync(path) && readFileSync(path).includes(bytes);
  });
}

/**
 * Why the message is long: without secure_delete, SQLite rewrites the recalled row (body NULL, tombstone
 * columns set) by freeing the old cell and allocating the new one, and a freed cell's bytes stay as they
 * were — but the new cell is carved from the END of the freed block when it fits there. A short message
 * gives a new cell about as large as the old one, which lands right on top of the text and hides the
 * leftover from the negative control. With the canary at the start of a long body, the new (small) cell
 * overwrites only the tail of the old one, and the canary survives in the freed space unless
 * secure_delete zeroes it. (The WAL is no help to the control: the server's checkpoint after every recall
 * truncates it to zero bytes.) Both runs use the same shape, so the only difference is secure_delete.
 */
function canaryMessage(canary: string): string {
  return `${canary} ${'lorem ipsum dolor sit amet '.repeat(60)}`;
}

interface Run {
  readonly canary: string;
  readonly dataDir: string;
  /** Database files holding the stored (sealed) body before the recall, and after it was acknowledged. */
  readonly before: string[];
  readonly after: string[];
  /** Database files that held the plain text at either moment (never any). */
  readonly plain: string[];
  readonly logs: string[];
  /** Every HTTP response body the flow received after the recall. */
  readonly responsesAfter: string[];
}

const dirs: string[] = [];

async function recallFlow(options: { secureDelete: boolean }): Promise<Run> {
  const canary = `canary-${randomBytes(16).toString('hex')}`;
  const dataDir = mkdtempSync(join(tmpdir(), 'retract-erasure-'));
  dirs.push(dataDir);
  const logs: string[] = [];
  const logger = pino({ level: 'trace' }, { write: (line: string) => void logs.push(line) });
  const config = loadConfig({
    host: '127.0.0.1',
    port: 0,
    dataDir,
    auth: { passwordHashCost: 1024 },
    log: { level: 'trace' },
    ws: { pingIntervalMs: 0 },
  });
  const storage = openSqliteStorage({
    path: join(dataDir, 'retract.db'),
    synchronous: 'normal',
    secureDelete: options.secureDelete,
  });
  const server = await createServer(config, { storage, logger });
  const url = await server.listen();
  try {
    const alice = await registerAndLogin(url, 'alice');
    await registerAndLogin(url, 'bob');
    const created = await call<{ conversation: { id: string } }>(url, 'POST', '/v1/conversations', {
      token: alice.token,
      body: { kind: 'group', members: ['bob'] },
    });
    const conversationId = created.body.conversation.id;
    // A neighbour on the same page, so the page is rewritten around the recalled row, not dropped.
    const neighbour = await call(url, 'POST', `/v1/conversations/${conversationId}/messages`, {
      token: alice.token,
      body: { clientMsgId: 'neighbour', body: 'an unrelated message that stays' },
    });
    assert.equal(neighbour.status, 201);
    const sent = await call<{ message: Message }>(
      url,
      'POST',
      `/v1/conversations/${conversationId}/messages`,
      {
        token: alice.token,
        body: { clientMsgId: 'canary', body: canaryMessage(canary) },
      },
    );
    assert.equal(sent.status, 201);
    // A refused request that carries the canary too: validation errors must not echo or log it.
    const refused = await call(url, 'POST', `/v1/conversations/${conversationId}/messages`, {
      token: alice.token,
      body: { clientMsgId: 42, body: canary },
    });
    assert.equal(refused.status, 400);
    assert.ok(!JSON.stringify(refused.body).includes(canary), 'an error response echoes the text');
    // Bodies are sealed at rest: the plain text is never in the files, its envelope is. The scans follow
    // the envelope — what the database really holds — and check the plain text is nowhere, ever.
    const stored = readStoredBody(dataDir, sent.body.message.id);
    assert.ok(stored.startsWith('sealed:v1:'), 'the body is stored sealed');
    const plainBefore = filesContaining(dataDir, canary);
    // A long body spans pages, so it is looked for in pieces: any piece found counts.
    const pieces = piecesOf(stored);
    const before = filesContainingAny(dataDir, pieces);

    const recalled = await call<{ transitioned: boolean }>(
      url,
      'POST',
      `/v1/messages/${sent.body.message.id}/recall`,
      {
        token: alice.token,
      },
    );
    assert.equal(recalled.status, 200);
    assert.equal(recalled.body.transitioned, true);
    const after = filesContainingAny(dataDir, pieces);
    const plainAfter = filesContaining(dataDir, canary);

    const responsesAfter: string[] = [];
    for (const [path, token] of [
      [`/v1/conversations/${conversationId}/messages`, alice.token],
      ['/v1/sync?after=0', alice.token],
      [`/v1/messages/${sent.body.message.id}/recall`, alice.token],
    ] as const) {
      const method = path.endsWith('/recall') ? 'POST' : 'GET';
      const reply = await call(url, method, path, { token });
      assert.ok(reply.status === 200, `${method} ${path}: ${reply.status}`);
      responsesAfter.push(JSON.stringify(reply.body));
    }
    return { canary, dataDir, before, after, plain: [...plainBefore, ...plainAfter], logs, responsesAfter };
  } finally {
    await server.close();
  }
}

/** 48-character pieces of `text`, one every 64 characters: short enough to sit within one page. */
function piecesOf(text: string): string[] {
  const pieces: string[] = [];
  for (let i = 0; i + 48 <= text.length; i += 64) pieces.push(text.slice(i, i + 48));
  return pieces;
}

function filesContainingAny(dataDir: string, needles: readonly string[]): string[] {
  return [...new Set(needles.flatMap((needle) => filesContaining(dataDir, needle)))].sort();
}

/** The body column as stored, read straight from the file (the server keeps it open; WAL allows it). */
function readStoredBody(dataDir: string, messageId: string): string {
  const db = new Database(join(dataDir, 'retract.db'), { readonly: true });
  try {
    const row = db
      .prepare<[string], { body: string }>('SELECT body FROM messages WHERE id = ?')
      .get(messageId);
    if (!row) throw new Error('message not stored');
    return row.body;
  } finally {
    db.close();
  }
}

describe('erasure of recalled text', () => {
  after(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('leaves no byte of the text in retract.db, its WAL or its shared memory after the recall', async () => {
    const run = await recallFlow({ secureDelete: true });
    assert.notDeepEqual(run.before, [], 'positive control: before the recall the scan finds the body');
    assert.deepEqual(run.after, [], `the recalled body is still in ${run.after.join(', ')}`);
    assert.deepEqual(run.plain, [], 'the plain text was never in the files');
    for (const body of run.responsesAfter) assert.ok(!body.includes(run.canary));
  });

  it('negative control: with secure_delete off the same scan finds the leftover bytes', async () => {
    const run = await recallFlow({ secureDelete: false });
    assert.notDeepEqual(run.before, []);
    assert.deepEqual(run.after, ['retract.db'], 'without secure_delete, the freed cell keeps the body');
    assert.deepEqual(run.plain, [], 'even then, only its envelope — its key is destroyed');
    // What clients see is the same either way: only the files differ.
    for (const body of run.responsesAfter) assert.ok(!body.includes(run.canary));
  });

  it('never writes the text to a log line, even at trace level', async () => {
    const run = await recallFlow({ secureDelete: true });
    // The capture works: the flow's requests are in it.
    assert.ok(run.logs.length > 10, `only ${run.logs.length} log lines captured`);
    assert.ok(run.logs.some((line) => line.includes('/recall')));
    const leaks = run.logs.filter((line) => line.includes(run.canary));
    assert.deepEqual(leaks, []);
  });
});
