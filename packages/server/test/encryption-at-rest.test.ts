import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Message } from '@retract/protocol';
import { openFsBlobStore } from '../src/blobs/index.js';
import { sealedBlobStore } from '../src/blobs/sealed/sealed-blob-store.js';
import { openSqliteKeyStore } from '../src/keys/sqlite/sqlite-key-store.js';
import { expireHolds } from '../src/actions/compliance.js';
import { retireOld } from '../src/actions/retention.js';
import { sealedStorage } from '../src/storage/sealed/sealed-storage.js';
import { openSqliteStorage } from '../src/storage/sqlite/sqlite-storage.js';
import { call, registerAndLogin, startTestServer, type Login, type TestServer } from './support/harness.js';

/**
 * Crypto-erasure, end to end. Bodies and files are sealed with per-message keys kept in a key store of
 * their own; a recall destroys the keys. A backup of the data directory taken before the recall, read
 * with the key store of after it, yields nothing; the live files never held the plain text at all. With
 * a compliance hold, the compliance role alone can read recalled content until the hold runs out.
 */

const dirs: string[] = [];
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** Every file under `dir` (recursively) whose bytes contain `needle`, relative to `dir`. */
function filesWith(dir: string, needle: Buffer): string[] {
  const found: string[] = [];
  const walk = (path: string, rel: string) => {
    for (const name of readdirSync(path)) {
      const full = join(path, name);
      const relative = rel ? `${rel}/${name}` : name;
      if (statSync(full).isDirectory()) walk(full, relative);
      else if (readFileSync(full).includes(needle)) found.push(relative);
    }
  };
  walk(dir, '');
  return found;
}

/** A consistent copy of the messages database and the blob files: what a nightly backup would hold. */
async function backUp(dataDir: string): Promise<string> {
  const copy = mkdtempSync(join(tmpdir(), 'retract-backup-'));
  dirs.push(copy);
  const db = new Database(join(dataDir, 'retract.db'), { readonly: true });
  await db.backup(join(copy, 'retract.db'));
  db.close();
  if (existsSync(join(dataDir, 'blobs')))
    cpSync(join(dataDir, 'blobs'), join(copy, 'blobs'), { recursive: true });
  return copy;
}

async function groupWith(t: TestServer, owner: Login, members: string[]): Promise<string> {
  const created = await call<{ conversation: { id: string } }>(t.url, 'POST', '/v1/conversations', {
    token: owner.token,
    body: { kind: 'group', title: 'g', members },
  });
  return created.body.conversation.id;
}

async function sendText(t: TestServer, who: Login, conversationId: string, body: string): Promise<Message> {
  const sent = await call<{ message: Message }>(
    t.url,
    'POST',
    `/v1/conversations/${conversationId}/messages`,
    {
      token: who.token,
      body: { clientMsgId: `c-${Math.random()}`, body },
    },
  );
  assert.equal(sent.status, 201);
  return sent.body.message;
}

describe('encryption at rest', () => {
  it('a backup from before the recall, read with the key store of after it, yields no plain text', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'retract-crypto-'));
    dirs.push(dataDir);
    const t = await startTestServer({ dataDir, windowSeconds: 3600 });
    const canary = `canary-${randomBytes(12).toString('hex')}`;
    let messageId: string;
    let attachmentId: string;
    let fileMessageId: string;
    let backup: string;
    try {
      const alice = await registerAndLogin(t.url, 'alice');
      await registerAndLogin(t.url, 'bob');
      const group = await groupWith(t, alice, ['bob']);
      messageId = (await sendText(t, alice, group, `the code is ${canary}`)).id;
      const upload = await fetch(`${t.url}/v1/attachments?kind=file&name=notes.txt`, {
        method: 'POST',
        headers: { authorization: `Bearer ${alice.token}`, 'content-type': 'application/octet-stream' },
        body: Buffer.from(`file notes ${canary} end`),
      });
      assert.equal(upload.status, 201);
      attachmentId = ((await upload.json()) as { attachment: { id: string } }).attachment.id;
      const fileMessage = await call<{ message: Message }>(
        t.url,
        'POST',
        `/v1/conversations/${group}/messages`,
        {
          token: alice.token,
          body: { clientMsgId: 'file-1', type: 'file', attachmentId },
        },
      );
      assert.equal(fileMessage.status, 201);
      fileMessageId = fileMessage.body.message.id;

      assert.deepEqual(filesWith(dataDir, Buffer.from(canary)), [], 'the plain text never reaches the files');
      backup = await backUp(dataDir);

      for (const id of [messageId, fileMessageId]) {
        const recalled = await call(t.url, 'POST', `/v1/messages/${id}/recall`, { token: alice.token });
        assert.equal(recalled.status, 200);
      }
      assert.deepEqual(filesWith(dataDir, Buffer.from(canary)), []);
    } finally {
      await t.close();
    }

    // The backup with the current key store: the envelopes are there, their keys are not.
    const keys = await openSqliteKeyStore({
      path: join(dataDir, 'keys.db'),
      masterKeyPath: join(dataDir, 'master.key'),
    });
    const restored = sealedStorage(
      openSqliteStorage({ path: join(backup, 'retract.db'), synchronous: 'normal' }),
      {
        keys,
        hold: null,
      },
    );
    const restoredBlobs = sealedBlobStore(await openFsBlobStore({ dir: join(backup, 'blobs') }), keys);
    try {
      const raw = new Database(join(backup, 'retract.db'), { readonly: true });
      const stored = raw
        .prepare<[string], { body: string }>('SELECT body FROM messages WHERE id = ?')
        .get(messageId);
      raw.close();
      assert.ok(stored?.body.startsWith('sealed:v1:'), 'the backup holds the sealed body');
      assert.equal(await keys.get(messageId), null, 'its key is destroyed');
      assert.equal(await keys.get(attachmentId), null);
      const message = await restored.read((tx) => tx.findMessage(messageId));
      assert.ok(message, 'the backup still has the row');
      assert.equal(message.tombstone, null, 'to the backup it was never recalled');
      assert.equal(message.body, null, 'and yet its body cannot be read');
      assert.ok(existsSync(join(backup, 'blobs')), 'the backup holds the file');
      assert.equal(await restoredBlobs.open(attachmentId), null, 'its file cannot be read either');
      assert.deepEqual(filesWith(backup, Buffer.from(canary)), [], 'no plain text in the backup');
    } finally {
      await restoredBlobs.close();
      await restored.close();
    }
  });

  it('a backup whose keys were not destroyed is readable: the test above could fail', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'retract-crypto-'));
    dirs.push(dataDir);
    const t = await startTestServer({ dataDir });
    let messageId: string;
    let backup: string;
    try {
      const alice = await registerAndLogin(t.url, 'alice');
      await registerAndLogin(t.url, 'bob');
      messageId = (await sendText(t, alice, await groupWith(t, alice, ['bob']), 'still here')).id;
      backup = await backUp(dataDir);
    } finally {
      await t.close();
    }
    const keys = await openSqliteKeyStore({
      path: join(dataDir, 'keys.db'),
      masterKeyPath: join(dataDir, 'master.key'),
    });
    const restored = sealedStorage(
      openSqliteStorage({ path: join(backup, 'retract.db'), synchronous: 'normal' }),
      {
        keys,
        hold: null,
      },
    );
    try {
      assert.equal((await restored.read((tx) => tx.findMessage(messageId)))?.body, 'still here');
    } finally {
      await restored.close();
    }
  });
});

describe('compliance hold', () => {
  let t: TestServer;
  let alice: Login;
  let bob: Login;
  let carol: Login;
  const canary = `held-${randomBytes(12).toString('hex')}`;
  let messageId: string;

  const readHold = (who: Login) =>
    call<{ body: string | null; hold: { holdUntil: string }; error?: { code: string } }>(
      t.url,
      'GET',
      `/v1/compliance/holds/${messageId}`,
      { token: who.token },
    );

  it('keeps recalled content for the compliance role only, until the hold runs out', async () => {
    t = await startTestServer({ config: { compliance: { holdDays: 7, users: ['carol'] } } });
    try {
      alice = await registerAndLogin(t.url, 'alice');
      bob = await registerAndLogin(t.url, 'bob');
      carol = await registerAndLogin(t.url, 'carol');
      const group = await groupWith(t, alice, ['bob']);
      messageId = (await sendText(t, alice, group, canary)).id;
      assert.equal(
        (await call(t.url, 'POST', `/v1/messages/${messageId}/recall`, { token: alice.token })).status,
        200,
      );

      const history = await call<{ messages: Message[] }>(
        t.url,
        'GET',
        `/v1/conversations/${group}/messages`,
        {
          token: bob.token,
        },
      );
      assert.equal(
        history.body.messages.find((m) => m.id === messageId)?.body,
        null,
        'members see a tombstone',
      );
      assert.deepEqual(filesWith(t.dataDir, Buffer.from(canary)), [], 'held content is sealed too');

      const readsLogged = async () => {
        const page = await call<{
          entries: { entry: { kind: string; actor: { userId: string }; target: { messageId?: string } } }[];
        }>(t.url, 'GET', '/v1/audit/entries?limit=500', { token: carol.token });
        return page.body.entries.filter(
          (e) => e.entry.kind === 'compliance.read' && e.entry.target.messageId === messageId,
        );
      };
      assert.equal((await readsLogged()).length, 0);
      for (const n of [1, 2]) {
        const read = await readHold(carol);
        assert.equal(read.status, 200);
        assert.equal(read.body.body, canary);
        const logged = await readsLogged();
        assert.equal(logged.length, n, 'every read is an audit entry');
        assert.equal(logged.at(-1)?.entry.actor.userId, carol.userId);
      }
      assert.equal(
        JSON.stringify(await readsLogged()).includes(canary),
        false,
        'the audit log names the read, never the content',
      );
      for (const who of [bob, alice]) {
        const refused = await readHold(who);
        assert.equal(refused.status, 403);
        assert.equal(refused.body.error?.code, 'not_permitted');
      }
      assert.equal((await readsLogged()).length, 2, 'a refused read is not a read');
      const listed = await call<{ holds: { messageId: string }[] }>(t.url, 'GET', '/v1/compliance/holds', {
        token: carol.token,
      });
      assert.deepEqual(
        listed.body.holds.map((h) => h.messageId),
        [messageId],
      );

      t.clock.advance(7 * 86_400_000);
      assert.equal((await readHold(carol)).status, 404, 'a hold that ran out is gone at once');
      assert.equal(await expireHolds(t.server.context), 1);
      const raw = new Database(join(t.dataDir, 'retract.db'), { readonly: true });
      const left = raw.prepare('SELECT count(*) AS n FROM compliance_holds').get() as { n: number };
      raw.close();
      assert.equal(left.n, 0, 'and then deleted for good');
    } finally {
      await t.close();
    }
  });
});

describe('retention', () => {
  it('erases messages older than the retention period like a recall: key destroyed, every device told, audited', async () => {
    const t = await startTestServer({ config: { retention: { days: 30 } } });
    try {
      const alice = await registerAndLogin(t.url, 'alice');
      const bob = await registerAndLogin(t.url, 'bob');
      const group = await groupWith(t, alice, ['bob']);
      const old = await sendText(t, alice, group, 'from last month');
      t.clock.advance(29 * 86_400_000);
      const recent = await sendText(t, alice, group, 'from yesterday');
      assert.equal(await retireOld(t.server.context), 0, 'nothing is old enough yet');
      t.clock.advance(86_400_000 + 1);
      assert.equal(await retireOld(t.server.context), 1);

      const history = await call<{ messages: Message[] }>(
        t.url,
        'GET',
        `/v1/conversations/${group}/messages`,
        {
          token: bob.token,
        },
      );
      const byId = new Map(history.body.messages.map((m) => [m.id, m]));
      assert.equal(byId.get(old.id)?.body, null);
      assert.equal(byId.get(old.id)?.recalled?.role, 'retention');
      assert.equal(byId.get(recent.id)?.body, 'from yesterday');
      const sync = await call<{ events: { type: string; messageId?: string }[] }>(
        t.url,
        'GET',
        '/v1/sync?after=0',
        {
          token: bob.token,
        },
      );
      assert.ok(sync.body.events.some((e) => e.type === 'message.recalled' && e.messageId === old.id));
      const keys = await t.server.context.storage.read((tx) => tx.listKeyShreds(10));
      assert.deepEqual(keys, [], 'its key is destroyed, nothing left queued');
      const entries = await t.server.context.storage.read((tx) => tx.readAuditRows(0, 500));
      const retired = entries.filter((r) => r.messageId === old.id);
      assert.equal(retired.length, 1, 'one audit entry');
      assert.match(retired[0]!.entry, /"role":"retention"/);
    } finally {
      await t.close();
    }
  });
});
