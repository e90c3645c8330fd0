import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { chmod, readdir, readFile, stat, unlink, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KeyFileError } from '../../src/keys/key-file.js';
import { openSqliteKeyStore, type SqliteKeyStoreOptions } from '../../src/keys/sqlite/sqlite-key-store.js';
import { unwrapKey } from '../../src/keys/sealing.js';
import { keyStoreContract } from './contract.js';

const base = mkdtempSync(join(tmpdir(), 'retract-keys-'));
after(() => rmSync(base, { recursive: true, force: true }));

let dirs = 0;
const freshDir = () => join(base, `store-${++dirs}`);
const optionsIn = (dir: string, extra: Partial<SqliteKeyStoreOptions> = {}): SqliteKeyStoreOptions => ({
  path: join(dir, 'keys.db'),
  masterKeyPath: join(dir, 'master.key'),
  ...extra,
});
const posix = process.platform !== 'win32';

for (const cacheSize of [64, 0]) {
  keyStoreContract({
    name: `sqlite (cache of ${cacheSize})`,
    open: async () => {
      const options = optionsIn(freshDir(), { cacheSize });
      return { store: await openSqliteKeyStore(options), reopen: () => openSqliteKeyStore(options) };
    },
  });
}

/** Every file in `dir` (the database, its WAL and shared memory, the master key) that holds `needle`. */
async function filesHolding(dir: string, needle: Buffer): Promise<string[]> {
  const found: string[] = [];
  for (const name of (await readdir(dir)).sort()) {
    if ((await readFile(join(dir, name))).includes(needle)) found.push(name);
  }
  return found;
}

/** The wrapped form of a key as stored, read through a connection of the test's own. */
function wrappedBytes(dbPath: string, keyId: string): Buffer {
  const db = new Database(dbPath, { readonly: true });
  try {
    const row = db.prepare('SELECT wrapped FROM data_keys WHERE id = ?').get(keyId) as { wrapped: Buffer };
    return Buffer.from(row.wrapped);
  } finally {
    db.close();
  }
}

describe('sqlite key store: forensics', () => {
  /**
   * "Destroyed" must mean gone from the files, not just from queries. The scan is proved able to find
   * key material: before the destroy it finds the wrapped key, and after it still finds a neighbour's —
   * so a clean scan means the bytes are really gone, not that the scan is blind. The raw key is never
   * on disk at all (only its wrapped form is), which the scan checks before and after.
   */
  it('leaves neither the wrapped nor the raw key bytes in any file once destroy resolves', async () => {
    const dir = freshDir();
    const options = optionsIn(dir);
    const store = await openSqliteKeyStore(options);
    // Neighbours on the same pages, so those pages are rewritten around the destroyed row, not dropped.
    const neighbours = Array.from({ length: 20 }, (_, i) => `m_neighbour${i}`);
    for (const id of neighbours.slice(0, 10)) await store.create(id);
    const target = 'm_forensicTarget';
    const raw = Buffer.from(await store.create(target));
    for (const id of neighbours.slice(10)) await store.create(id);

    const wrapped = wrappedBytes(options.path, target);
    const neighbourWrapped = wrappedBytes(options.path, neighbours[15]!);
    const masterKey = await readFile(options.masterKeyPath);
    assert.ok(unwrapKey(masterKey, wrapped, target).equals(raw), 'the bytes scanned for are the key');
    assert.notDeepEqual(await filesHolding(dir, wrapped), [], 'positive control: the wrapped key is found');
    assert.deepEqual(await filesHolding(dir, raw), [], 'the raw key is never written');

    await store.destroy([target]);
    assert.deepEqual(await filesHolding(dir, wrapped), [], 'wrapped key left behind after destroy');
    assert.deepEqual(await filesHolding(dir, raw), []);
    assert.notDeepEqual(await filesHolding(dir, neighbourWrapped), [], 'a live key is still found');

    await store.close();
    const files = (await readdir(dir)).sort();
    assert.ok(files.includes('keys.db'));
    assert.deepEqual(await filesHolding(dir, wrapped), []);
    assert.deepEqual(await filesHolding(dir, raw), []);
    assert.notDeepEqual(await filesHolding(dir, neighbourWrapped), []);

    const again = await openSqliteKeyStore(options);
    assert.equal(await again.get(target), null);
    assert.equal(await again.count(), neighbours.length);
    await again.close();
  });
});

describe('sqlite key store: master key file', () => {
  it('creates master.key with 32 random bytes, mode 0600, and keys.db 0600', { skip: !posix }, async () => {
    const dir = freshDir();
    const options = optionsIn(dir);
    const store = await openSqliteKeyStore(options);
    await store.create('m_modes');
    // While open, the WAL and shared-memory files exist too; SQLite gives them the database's mode.
    for (const name of await readdir(dir)) {
      assert.equal((await stat(join(dir, name))).mode & 0o777, 0o600, `${name} is private`);
    }
    await store.close();
    const info = await stat(options.masterKeyPath);
    assert.equal(info.size, 32);
    assert.equal(info.mode & 0o777, 0o600);
    assert.equal((await stat(options.path)).mode & 0o777, 0o600);
    const before = await readFile(options.masterKeyPath);
    await (await openSqliteKeyStore(options)).close();
    assert.ok((await readFile(options.masterKeyPath)).equals(before), 'the key is reused, not replaced');
  });

  for (const mode of [0o644, 0o640, 0o604, 0o620]) {
    it(
      `refuses a master key file with mode 0${mode.toString(8)}, saying why and how to fix it`,
      {
        skip: !posix,
      },
      async () => {
        const dir = freshDir();
        const options = optionsIn(dir);
        await (await openSqliteKeyStore(options)).close();
        const key = await readFile(options.masterKeyPath);
        await chmod(options.masterKeyPath, mode);
        await assert.rejects(openSqliteKeyStore(options), (error) => {
          assert.ok(error instanceof KeyFileError);
          assert.equal(error.reason, 'insecure_mode');
          assert.match(error.message, new RegExp(`mode 0${mode.toString(8)}`));
          assert.match(error.message, /chmod 600/);
          for (const encoding of ['hex', 'base64', 'base64url'] as const) {
            assert.ok(!error.message.includes(key.toString(encoding)), 'the error shows the key');
          }
          return true;
        });
        await chmod(options.masterKeyPath, 0o400);
        await (await openSqliteKeyStore(options)).close();
      },
    );
  }

  it('refuses to start when master.key is missing but keys exist, and does not make a new one', async () => {
    const dir = freshDir();
    const options = optionsIn(dir);
    const store = await openSqliteKeyStore(options);
    await store.create('m_wrappedUnderOld');
    await store.close();
    await unlink(options.masterKeyPath);
    await assert.rejects(openSqliteKeyStore(options), (error) => {
      assert.ok(error instanceof KeyFileError);
      assert.equal(error.reason, 'missing');
      return true;
    });
    await assert.rejects(stat(options.masterKeyPath), { code: 'ENOENT' });
  });

  it('refuses a master key that is not the one the store was made with', async () => {
    const dir = freshDir();
    const options = optionsIn(dir);
    await (await openSqliteKeyStore(options)).close();
    await writeFile(options.masterKeyPath, randomBytes(32), { mode: 0o600 });
    await assert.rejects(openSqliteKeyStore(options), /not the key this key store was created with/);
  });

  it('refuses a master key file of the wrong length', async () => {
    const dir = freshDir();
    const options = optionsIn(dir);
    await (await openSqliteKeyStore(options)).close();
    await writeFile(options.masterKeyPath, randomBytes(31), { mode: 0o600 });
    await assert.rejects(openSqliteKeyStore(options), (error) => {
      assert.ok(error instanceof KeyFileError);
      assert.equal(error.reason, 'wrong_length');
      return true;
    });
  });

  it('opens no key from keys.db under another master key (a stolen keys.db alone is useless)', async () => {
    const dir = freshDir();
    const options = optionsIn(dir);
    const store = await openSqliteKeyStore(options);
    const raw = await store.create('m_stolenCopy');
    await store.close();
    const wrapped = wrappedBytes(options.path, 'm_stolenCopy');
    assert.throws(() => unwrapKey(randomBytes(32), wrapped, 'm_stolenCopy'), { name: 'SealError' });
    // And the right master key opens it only under its own id.
    const masterKey = await readFile(options.masterKeyPath);
    assert.ok(unwrapKey(masterKey, wrapped, 'm_stolenCopy').equals(raw));
    assert.throws(() => unwrapKey(masterKey, wrapped, 'm_someOtherId'), { name: 'SealError' });
  });
});

describe('sqlite key store: damage is loud', () => {
  it('refuses an in-memory database, which would lose every key at restart', async () => {
    const masterKeyPath = join(freshDir(), 'master.key');
    await assert.rejects(openSqliteKeyStore({ path: ':memory:', masterKeyPath }), /on disk/);
  });

  it('throws, rather than answering null, when a stored key does not unwrap', async () => {
    const dir = freshDir();
    const options = optionsIn(dir, { cacheSize: 0 });
    const store = await openSqliteKeyStore(options);
    await store.create('m_tampered');
    await store.create('m_moved');
    await store.close();
    const db = new Database(options.path);
    // Flip one bit of one key, and copy another key's wrapped bytes under a different id.
    const row = db.prepare("SELECT wrapped FROM data_keys WHERE id = 'm_tampered'").get() as {
      wrapped: Buffer;
    };
    row.wrapped[20]! ^= 0x01;
    db.prepare("UPDATE data_keys SET wrapped = ? WHERE id = 'm_tampered'").run(row.wrapped);
    db.prepare(
      "INSERT INTO data_keys (id, wrapped, created_at) SELECT 'm_copied', wrapped, 0 FROM data_keys WHERE id = 'm_moved'",
    ).run();
    db.close();
    const again = await openSqliteKeyStore(options);
    try {
      await assert.rejects(again.get('m_tampered'), { name: 'SealError' });
      await assert.rejects(again.get('m_copied'), { name: 'SealError' });
      await assert.rejects(again.getMany(['m_moved', 'm_copied']), { name: 'SealError' });
      assert.ok(await again.get('m_moved'));
    } finally {
      await again.close();
    }
  });
});
