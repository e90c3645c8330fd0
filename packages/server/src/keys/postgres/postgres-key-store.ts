import { Coalesced } from '../../storage/postgres/coalesce.js';
import { migrate } from '../../storage/postgres/migrate.js';
import {
  assertDurableCommits,
  createPool,
  poolQuery,
  withConnection,
  type PostgresConnectionOptions,
} from '../../storage/postgres/pool.js';
import { KeyCache } from '../key-cache.js';
import { assertKeyId, KeyExistsError, type KeyStore } from '../key-store.js';
import { loadMasterKey } from '../master-key.js';
import { newDataKey, unwrapKey, wrapKey } from '../sealing.js';
import { keyStoreMigrations } from './migrations.js';

export interface PostgresKeyStoreOptions extends PostgresConnectionOptions {
  /** The master key (key-encryption key) file, e.g. `<dataDir>/master.key`; created when absent. */
  readonly masterKeyPath: string;
  /**
   * How many unwrapped keys to keep in memory; default 0. A cache is this process's alone: a key
   * another node destroys stays in it until evicted, so with several nodes keep it off.
   */
  readonly cacheSize?: number;
}

/**
 * Data keys in PostgreSQL, wrapped under a master key from a file of its own — the same wrapping
 * (sealing.ts), key file (key-file.ts) and master key check (master-key.ts) as the SQLite key store.
 *
 * Where: keep it apart from the messages — a database of its own, ideally on another server, with its
 * own credentials and backups — or a copy of the messages database would come with the keys that open
 * it. (`schema` separates the tables, not their backups.) Every node needs the same `master.key`; a node
 * whose file differs is refused at start (master-key.ts).
 *
 * Destroying. `destroy` deletes the rows, then runs a VACUUM of `data_keys` on a connection of its
 * own (outside any transaction, waiting for one already running) and resolves only after it. That is
 * all PostgreSQL offers, and it cannot promise that the bytes are gone: VACUUM marks the dead row
 * versions' space free without overwriting it (until new rows reuse it), cannot remove a version that an
 * older snapshot still sees, and nothing reaches the WAL segments (until recycled), WAL archives,
 * replicas or base backups. Unlike SQLite's secure_delete and WAL truncation, "destroyed" here rests on
 * the wrapping: what lingers is the wrapped key, which opens only with `master.key` — a file that is
 * never in the database, its WAL or its backups. Residual risk, stated plainly: someone holding both a
 * copy of those bytes and the master key file can unwrap such leftovers; rotating the master key
 * (re-wrap the live keys, delete the old file) closes that, and is a later step.
 *
 * Unavailability: a database that cannot be reached fails a call with `StorageUnavailableError`, as the
 * message storage does (503 `unavailable`); the pool reconnects by itself.
 */
export async function openPostgresKeyStore(options: PostgresKeyStoreOptions): Promise<KeyStore> {
  const pool = createPool(options, 'retract-keys');
  let kek: Buffer;
  try {
    await migrate(pool, options.schema, keyStoreMigrations);
    // A key must be at least as durable as the content sealed under it, which is written after it.
    await assertDurableCommits(pool);
    kek = await loadMasterKey(options.masterKeyPath, {
      read: async () =>
        (
          await poolQuery<{ value: Buffer }>(
            pool,
            "SELECT value FROM key_store_meta WHERE name = 'kek_check'",
          )
        ).rows[0]?.value ?? null,
      write: async (value) => {
        await poolQuery(
          pool,
          "INSERT INTO key_store_meta (name, value) VALUES ('kek_check', $1) ON CONFLICT (name) DO NOTHING",
          [value],
        );
      },
    });
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw error;
  }

  const cache = new KeyCache(options.cacheSize ?? 0);
  let closed = false;
  const live = () => {
    if (closed) throw new Error('key store is closed');
  };
  // A row that does not unwrap means data_keys was altered or damaged: that must be loud, never `null`
  // (null means "destroyed", and content would be treated as erased).
  const unwrap = (id: string, wrapped: Buffer): Buffer => {
    const key = unwrapKey(kek, wrapped, id);
    cache.set(id, key);
    return key;
  };
  // Destroys running at once share a VACUUM that starts after each of them deleted its rows.
  const vacuum = new Coalesced(() =>
    withConnection(pool, async (db) => {
      await db.run('VACUUM (PARALLEL 0) data_keys');
    }),
  );

  return {
    async create(keyId: string): Promise<Buffer> {
      live();
      assertKeyId(keyId);
      const key = newDataKey();
      // Concurrent creates of one id: the unique key makes the others wait, then do nothing.
      const inserted = await poolQuery(
        pool,
        'INSERT INTO data_keys (id, wrapped, created_at) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING',
        [keyId, wrapKey(kek, key, keyId), Date.now()],
      );
      if (inserted.rowCount !== 1) {
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
      const { rows } = await poolQuery<{ wrapped: Buffer }>(
        pool,
        'SELECT wrapped FROM data_keys WHERE id = $1',
        [keyId],
      );
      return rows[0] ? unwrap(keyId, rows[0].wrapped) : null;
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
        const { rows } = await poolQuery<{ id: string; wrapped: Buffer }>(
          pool,
          'SELECT id, wrapped FROM data_keys WHERE id = ANY($1::text[])',
          [missing],
        );
        for (const row of rows) found.set(row.id, unwrap(row.id, row.wrapped));
      }
      return found;
    },

    async destroy(keyIds: readonly string[]): Promise<void> {
      live();
      for (const id of keyIds) assertKeyId(id);
      if (keyIds.length === 0) return;
      for (const id of keyIds) cache.delete(id);
      await poolQuery(pool, 'DELETE FROM data_keys WHERE id = ANY($1::text[])', [[...new Set(keyIds)]]);
      // Always, even when no row matched: a retry after a failed VACUUM must still run one.
      await vacuum.run();
    },

    async count(): Promise<number> {
      live();
      const { rows } = await poolQuery<{ n: number }>(pool, 'SELECT count(*) AS n FROM data_keys');
      return rows[0]?.n ?? 0;
    },

    async ping(): Promise<void> {
      live();
      await poolQuery(pool, 'SELECT 1');
    },

    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      cache.clear();
      kek.fill(0);
      await pool.end();
    },
  };
}
