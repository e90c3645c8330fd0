import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openSqliteKeyStore } from '../../src/keys/sqlite/sqlite-key-store.js';
import { sealedStorage } from '../../src/storage/sealed/sealed-storage.js';
import { openSqliteStorage } from '../../src/storage/sqlite/sqlite-storage.js';
import { storageContract } from './contract.js';

const dir = mkdtempSync(join(tmpdir(), 'retract-sealed-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

async function open() {
  const at = join(dir, `s${++n}`);
  const keys = await openSqliteKeyStore({ path: join(at, 'keys.db'), masterKeyPath: join(at, 'master.key') });
  const path = join(at, 'retract.db');
  return {
    storage: sealedStorage(openSqliteStorage({ path, synchronous: 'normal' }), { keys, hold: null }),
    keys,
    path,
  };
}

// The wrapper must behave exactly as the backend it wraps.
storageContract({ name: 'sqlite, sealed at rest', open: async () => (await open()).storage });

describe('sealed storage', () => {
  const T0 = Date.UTC(2026, 0, 1);
  async function seed(storage: Awaited<ReturnType<typeof open>>['storage'], body: string) {
    return storage.transaction(async (tx) => {
      await tx.insertUser({ id: 'u_a', username: 'a', passwordHash: 'h', createdAt: T0 });
      await tx.insertConversation({
        id: 'c_1',
        kind: 'group',
        title: null,
        createdAt: T0,
        directKey: null,
        policy: null,
      });
      await tx.insertMember({ conversationId: 'c_1', userId: 'u_a', role: 'owner', joinedAt: T0 });
      return tx.insertMessage({
        id: 'm_1',
        conversationId: 'c_1',
        senderId: 'u_a',
        clientMsgId: 'k',
        type: 'text',
        body,
        sentAt: T0,
        flags: [],
        replyTo: null,
        corrects: null,
        attachmentId: null,
      });
    });
  }

  it('stores only the envelope and reads back the text', async () => {
    const { storage, path } = await open();
    const inserted = await seed(storage, 'plain words');
    assert.equal(inserted.body, 'plain words');
    assert.equal((await storage.read((tx) => tx.findMessage('m_1')))?.body, 'plain words');
    const raw = new Database(path, { readonly: true });
    const stored = raw.prepare('SELECT body FROM messages WHERE id = ?').get('m_1') as { body: string };
    raw.close();
    assert.match(stored.body, /^sealed:v1:[A-Za-z0-9+/=]+$/);
    assert.equal(stored.body.includes('plain words'), false);
    await storage.close();
  });

  it('destroys the key of erased content when purging, and finishes after a crash at the next start', async () => {
    const { storage, keys } = await open();
    await seed(storage, 'to be recalled');
    assert.ok(await keys.get('m_1'));
    await storage.transaction((tx) =>
      tx.eraseMessage('m_1', {
        recalledAt: T0 + 1,
        recalledBy: 'u_a',
        role: 'sender',
        reason: null,
        label: null,
      }),
    );
    // As if the process died right after commit: the key is still there, but queued.
    assert.ok(await keys.get('m_1'), 'before the purge the key still exists');
    assert.deepEqual(await storage.read((tx) => tx.listKeyShreds(10)), ['m_1']);
    assert.equal(await storage.shredQueued(), 1, 'what the server runs at start');
    assert.equal(await keys.get('m_1'), null);
    assert.deepEqual(await storage.read((tx) => tx.listKeyShreds(10)), []);
    await storage.close();
  });
});
