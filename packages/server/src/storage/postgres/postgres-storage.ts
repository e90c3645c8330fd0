import type { Storage, StorageReader, StorageTx } from '../storage.js';
import { StorageUnavailableError } from '../storage.js';
import { Coalesced } from './coalesce.js';
import { migrate } from './migrate.js';
import { storageMigrations } from './migrations.js';
import { assertDurableCommits, createPool, withConnection, type PostgresConnectionOptions } from './pool.js';
import { PostgresTx } from './postgres-tx.js';

export type PostgresStorageOptions = PostgresConnectionOptions;

/**
 * Isolation. Write transactions run at READ COMMITTED with explicit locks, read transactions at
 * REPEATABLE READ, READ ONLY (one snapshot for the whole callback, as a reader of SQLite's WAL gets).
 *
 * Why not SERIALIZABLE with retry: retrying means running the callback again, and the actions'
 * callbacks are not written to be re-run — some collect what to publish after commit in arrays outside
 * the callback, the sealed-storage wrapper creates keys in another store — so a retry could publish
 * events of an attempt that was rolled back. And the hottest rows (a busy user's `last_seq`, the single
 * audit accumulator) would make serialization failures the common case under load, not the exception.
 * With READ COMMITTED plus locks, concurrent writers queue on exactly the rows they share and otherwise
 * run side by side, on one node or many, and the callback runs once.
 *
 * What is locked and why is listed in postgres-tx.ts (and audit-log.ts for the audit log): the
 * invariants the port promises — gap-free per-user sequences, one recall per message, gap-free audit
 * indexes with a consistent accumulator, consent settled and held messages delivered or cancelled
 * exactly once, no duplicate send on retry — hold with any number of nodes and pools.
 *
 * The price of row locks is that two transactions can take them in opposite orders. The storage orders
 * what it can: users by id within one statement; the sweeps (expiry, retention, due held messages,
 * expired consent requests) lock every row they will work on up front, skipping rows others hold; and
 * the actions take the rest in one order (the message or held message, the conversation, the audit
 * state, the recipients' sequences). Where a deadlock can still happen — rarely: one transaction
 * numbering events for two overlapping sets of users while another does the same the other way round,
 * or a sweep delivering held messages into several conversations while a member joins one of them —
 * PostgreSQL aborts one of the two after `deadlock_timeout`; its transaction rolled back whole, and it
 * surfaces as `StorageUnavailableError` (503 `unavailable`: "try again", which the SDK does, with its
 * client ids; the sweepers run again on their own).
 */
const BEGIN_WRITE = 'BEGIN ISOLATION LEVEL READ COMMITTED';
const BEGIN_READ = 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY';

/** How many connections a transaction tries when BEGIN fails because the connection is dead. */
const BEGIN_ATTEMPTS = 3;

/**
 * Storage on PostgreSQL: one connection pool per node; as many nodes as wanted on one database. The
 * schema is migrated at open (under an advisory lock, so nodes starting together do not race).
 *
 * Unavailability. A database that cannot be reached — refused, timed out after `connectTimeoutMs`,
 * shut down, connection cut mid-transaction — fails the call with `StorageUnavailableError` (503
 * `unavailable`). A transaction that fails has written nothing: PostgreSQL rolls back whatever a
 * connection left uncommitted when it dies. (A COMMIT whose answer is lost is the one ambiguous case, as
 * with any network database; retries with client message ids make it harmless.) The pool drops broken
 * connections and opens new ones when the server is back; nothing needs a restart.
 *
 * Durability: a server with `synchronous_commit = off` acknowledges commits it may lose in a crash,
 * which would break "acknowledged means durable"; such a server is refused at open.
 */
export async function openPostgresStorage(options: PostgresStorageOptions): Promise<Storage> {
  const pool = createPool(options, 'retract');
  try {
    await migrate(pool, options.schema, storageMigrations);
    await assertDurableCommits(pool);
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw error;
  }
  let closed = false;
  const live = () => {
    if (closed) throw new Error('storage is closed');
  };

  async function run<T>(begin: string, writable: boolean, fn: (tx: PostgresTx) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const outcome = await withConnection(pool, async (db, markBroken) => {
        try {
          await db.run(begin);
        } catch (error) {
          markBroken(error);
          // Nothing ran yet: a pooled connection the server dropped (restart, failover) is found out only
          // now. Another connection is worth a try; `fn` still runs at most once.
          if (error instanceof StorageUnavailableError && attempt < BEGIN_ATTEMPTS) return null;
          throw error;
        }
        let value: T;
        try {
          value = await fn(new PostgresTx(db, writable));
        } catch (error) {
          // A connection that cannot even roll back is closed, which rolls back on the server's side.
          await db.run('ROLLBACK').catch(markBroken);
          throw error;
        }
        let result;
        try {
          result = await db.run('COMMIT');
        } catch (error) {
          markBroken(error);
          throw error;
        }
        // COMMIT of a transaction in which a statement failed (and the callback swallowed the error)
        // answers ROLLBACK rather than failing: nothing of it was written, which the caller must hear.
        if (result.command !== 'COMMIT') {
          throw new Error('the transaction was rolled back: a statement in it failed');
        }
        return { value };
      });
      if (outcome) return outcome.value;
    }
  }

  // purgeErased, explained. PostgreSQL has no secure_delete: an UPDATE or DELETE leaves the old row
  // version (a dead tuple, with its bytes) in the table's pages until VACUUM removes it, and VACUUM
  // only marks the space free — the bytes stay until new rows overwrite them. Bodies reach this backend
  // sealed (sealed-storage.ts), and by the time this runs their keys are destroyed, so what lingers is
  // ciphertext nobody can open; the VACUUM keeps even that from piling up. Residual risk, stated
  // plainly: a VACUUM cannot remove a version an older snapshot still sees (a long transaction), and
  // nothing here reaches the WAL segments (until recycled), WAL archives, replicas or base backups of
  // the cluster, which keep the sealed bytes as long as they are kept — again only ciphertext whose key
  // is gone. Runs outside any transaction on a connection of its own; SKIP_LOCKED skips a table that
  // another VACUUM (another node's, or autovacuum's) is working on rather than queueing behind it.
  // PARALLEL 0: after a recall there are a few dead rows on a few pages (the visibility map lets VACUUM
  // skip the rest), and launching parallel workers for the index cleanup costs far more than the work —
  // measured after one recall among 1M messages: 0.5–1 s with workers, 3–36 ms without. Failures
  // propagate: the caller logs them and the recall stands.
  const vacuum = new Coalesced(() =>
    withConnection(pool, async (db) => {
      await db.run('VACUUM (SKIP_LOCKED, PARALLEL 0) messages, held_messages, compliance_holds');
    }),
  );

  return {
    async transaction<T>(fn: (tx: StorageTx) => Promise<T>): Promise<T> {
      live();
      return run(BEGIN_WRITE, true, fn);
    },
    async read<T>(fn: (tx: StorageReader) => Promise<T>): Promise<T> {
      live();
      return run(BEGIN_READ, false, fn);
    },
    async purgeErased(): Promise<void> {
      live();
      await vacuum.run();
    },
    async ping(): Promise<void> {
      live();
      await withConnection(pool, (db) => db.run('SELECT 1'));
    },
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      // Waits for transactions in progress to give their connections back.
      await pool.end();
    },
  };
}
