import Database from 'better-sqlite3';
import { chmodSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { KeyCache } from '../key-cache.js';
import { assertKeyId, KeyExistsError, type KeyStore } from '../key-store.js';
import { loadMasterKey } from '../master-key.js';
import { newDataKey, unwrapKey, wrapKey } from '../sealing.js';
import { migrations } from './migrations.js';

export interface SqliteKeyStoreOptions {
  /** The key store's own database file, e.g. `<dataDir>/keys.db`; never the messages database. */
  readonly path: string;
  /** The master key (key-encryption key) file, e.g. `<dataDir>/master.key`; created when absent. */
  readonly masterKeyPath: string;
  /** How many unwrapped keys to keep in memory; default 64, 0 for none. */
  readonly cacheSize?: number;
  /**
   * `full` (the default) fsyncs every commit: a key must be at least as durable as the content sealed
   * under it, which is written after it, and a lost key means unreadable content. `normal` survives a
   * process crash but not a power cut; choose it only when the messages database runs `normal` too.
   */
  readonly synchronous?: 'normal' | 'full';
}

/**
 * Data keys in a SQLite file of their own, wrapped under a master key from a file of its own.
 *
 * Storage: WAL mode, one connection. `secure_delete` is verified on at open (the store refuses to start
 * otherwise): a deleted row's bytes are overwritten with zeros rather than left in free space. `destroy`
 * deletes the rows, then runs a TRUNCATE checkpoint, which copies the zeroed pages over the main file
 * and cuts the WAL — which still held the frames with the keys — to zero bytes. Only then does it resolve.
 *
 * Wrapping: a row holds the key sealed under the master key (AES-256-GCM, AAD bound to the key id), never
 * the key itself. So the file alone — a backup of it, or bytes the file system freed (after WAL
 * truncation, say) that no SQLite overwrite can reach — yields no key without `master.key`, which stays
 * put. Residual risk, stated plainly: someone holding both the raw disk and the master key could still
 * unwrap such leftovers; rotating the master key (re-wrap the live keys, delete the old key file) closes
 * that, and is a later step.
 *
 * The master key is checked at open against a value sealed under it when the store was created, so a
 * lost or swapped `master.key` is refused at start rather than discovered when every message fails to
 * decrypt — and a missing one is never silently replaced by a new one while keys wrapped under the old
 * one exist.
 *
 * The better-sqlite3 calls are synchronous; each method runs its statements in one turn of the event
 * loop, so calls cannot interleave on the connection.
 */
export async function openSqliteKeyStore(options: SqliteKeyStoreOptions): Promise<KeyStore> {
  // An in-memory store would lose every key, and so all content, at the next restart.
  if (options.path === '' || options.path === ':memory:') {
    throw new Error('the key store needs a database file on disk, not an in-memory database');
  }
  await mkdir(dirname(options.path), { recursive: true, mode: 0o700 });
  const db = new Database(options.path);
  let kek: Buffer;
  try {
    configure(db, options);
    migrate(db);
    kek = await loadMasterKeyFor(db, options.masterKeyPath);
  } catch (error) {
    db.close();
    throw error;
  }

  const cache = new KeyCache(options.cacheSize ?? 64);
  const insert = db.prepare<[string, Buffer, number]>(
    'INSERT INTO data_keys (id, wrapped, created_at) VALUES (?, ?, ?) ON CONFLICT (id) DO NOTHING',
  );
  const select = db.prepare<[string], { wrapped: Buffer }>('SELECT wrapped FROM data_keys WHERE id = ?');
  const selectMany = db.prepare<[string], { id: string; wrapped: Buffer }>(
    'SELECT id, wrapped FROM data_keys WHERE id IN (SELECT value FROM json_each(?))',
  );
  const remove = db.prepare<[string]>('DELETE FROM data_keys WHERE id IN (SELECT value FROM json_each(?))');
  const countAll = db.prepare<[], { n: number }>('SELECT count(*) AS n FROM data_keys');
  let closed = false;

  const live = () => {
    if (closed) throw new Error('key store is closed');
  };
  // A row that does not unwrap means keys.db was altered or damaged: that must be loud, never `null`
  // (null means "destroyed", and content would be treated as erased).
  const unwrap = (id: string, wrapped: Buffer): Buffer => {
    const key = unwrapKey(kek, wrapped, id);
    cache.set(id, key);
    return key;
  };

  return {
    async create(keyId: string): Promise<Buffer> {
      live();
      assertKeyId(keyId);
      const key = newDataKey();
      if (insert.run(keyId, wrapKey(kek, key, keyId), Date.now()).changes === 0) {
        key.fill(0);
        throw new KeyExistsError(keyId);
      }
      cache.set(keyId, key);
      return key;
    },

    async get(keyId: string): Promise<Buffer | null> {
      live();
      assertKeyId(keyId);
      const cached = cache.get(keyId);
      if (cached) return cached;
      const row = select.get(keyId);
      return row ? unwrap(keyId, row.wrapped) : null;
    },

    async getMany(keyIds: readonly string[]): Promise<Map<string, Buffer>> {
      live();
      for (const id of keyIds) assertKeyId(id);
      const found = new Map<string, Buffer>();
      const missing: string[] = [];
      for (const id of new Set(keyIds)) {
        const cached = cache.get(id);
        if (cached) found.set(id, cached);
        else missing.push(id);
      }
      if (missing.length > 0) {
        for (const row of selectMany.all(JSON.stringify(missing))) {
          found.set(row.id, unwrap(row.id, row.wrapped));
        }
      }
      return found;
    },

    async destroy(keyIds: readonly string[]): Promise<void> {
      live();
      for (const id of keyIds) assertKeyId(id);
      if (keyIds.length === 0) return;
      for (const id of keyIds) cache.delete(id);
      remove.run(JSON.stringify(keyIds));
      // Always, even when no row matched: a retry after a failed checkpoint must still purge the WAL.
      truncateWal(db);
    },

    async count(): Promise<number> {
      live();
      return countAll.get()!.n;
    },

    async ping(): Promise<void> {
      live();
      db.prepare('SELECT 1').get();
    },

    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      cache.clear();
      kek.fill(0);
      try {
        truncateWal(db);
      } finally {
        db.close();
      }
    },
  };
}

function configure(db: Database.Database, options: SqliteKeyStoreOptions): void {
  // Only the server's user may read the file; SQLite gives the WAL and shared-memory files the same mode.
  chmodSync(options.path, 0o600);
  if (db.pragma('journal_mode = WAL', { simple: true }) !== 'wal') {
    throw new Error(`the key store at ${options.path} could not use WAL mode; it needs a file on disk`);
  }
  db.pragma(`synchronous = ${options.synchronous === 'normal' ? 'NORMAL' : 'FULL'}`);
  db.pragma('busy_timeout = 5000');
  db.pragma('secure_delete = ON');
  // Checked, not assumed: a SQLite built without it would keep destroyed keys' bytes in free space.
  if (db.pragma('secure_delete', { simple: true }) !== 1) {
    throw new Error('SQLite secure_delete could not be enabled for the key store; refusing to start');
  }
}

function migrate(db: Database.Database): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > migrations.length) {
    throw new Error(`key store schema version ${current} is newer than this server (${migrations.length})`);
  }
  for (let version = current; version < migrations.length; version++) {
    db.transaction(() => {
      db.exec(migrations[version]!);
      db.pragma(`user_version = ${version + 1}`);
    })();
  }
}

/** The master key, checked against the store's `kek_check` (master-key.ts). */
function loadMasterKeyFor(db: Database.Database, masterKeyPath: string): Promise<Buffer> {
  return loadMasterKey(masterKeyPath, {
    read: async () =>
      db.prepare<[], { value: Buffer }>("SELECT value FROM meta WHERE name = 'kek_check'").get()?.value ??
      null,
    write: async (value) => {
      db.prepare("INSERT INTO meta (name, value) VALUES ('kek_check', ?) ON CONFLICT (name) DO NOTHING").run(
        value,
      );
    },
  });
}

/** Copies every WAL frame into the main file and truncates the WAL to zero bytes, or throws. */
function truncateWal(db: Database.Database): void {
  const [result] = db.pragma('wal_checkpoint(TRUNCATE)') as { busy: number }[];
  if (result?.busy !== 0) {
    throw new Error('key store checkpoint could not complete (busy); destroyed keys may remain in the WAL');
  }
}
