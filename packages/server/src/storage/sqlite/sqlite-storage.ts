import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Storage, StorageReader, StorageTx } from '../storage.js';
import { migrations } from './migrations.js';
import { Mutex } from './mutex.js';
import { prepareStatements, SqliteTx } from './sqlite-tx.js';
import { GroupCommitter } from './group-commit.js';
import { Checkpointer } from './checkpointer.js';

export interface SqliteStorageOptions {
  /** A file path, or ':memory:'. */
  readonly path: string;
  /**
   * `normal` survives a process crash (kill -9) with every commit intact — WAL frames are in the OS
   * before COMMIT returns; `full` also fsyncs every commit, surviving power loss, at a cost in latency.
   */
  readonly synchronous: 'normal' | 'full';
  /**
   * Overwrite deleted content with zeros. Always on in production; the erasure test turns it off once
   * to prove that its scan would find leftover bytes.
   */
  readonly secureDelete?: boolean;
}

/** Embedded storage: one SQLite file in WAL mode, one connection, every access serialised. */
export function openSqliteStorage(options: SqliteStorageOptions): Storage {
  if (options.path !== ':memory:') mkdirSync(dirname(options.path), { recursive: true });
  const db = new Database(options.path);
  const secureDelete = options.secureDelete ?? true;
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${options.synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
  db.pragma('foreign_keys = ON');
  db.pragma(`secure_delete = ${secureDelete ? 'ON' : 'OFF'}`);
  // Checked, not assumed: a SQLite built without it would silently keep erased text on disk.
  if (secureDelete && db.pragma('secure_delete', { simple: true }) !== 1) {
    db.close();
    throw new Error('SQLite secure_delete could not be enabled; refusing to start');
  }
  migrate(db);

  const tx = new SqliteTx(prepareStatements(db));
  const mutex = new Mutex();
  let closed = false;
  // A purge not yet started covers every erase committed before it starts, so concurrent recalls share one.
  let queuedPurge: Promise<void> | null = null;

  const guard = <T>(fn: () => Promise<T>): Promise<T> => {
    if (closed) return Promise.reject(new Error('storage is closed'));
    return mutex.run(fn);
  };
  // An in-memory database has no files to checkpoint or purge.
  const checkpointer = options.path === ':memory:' ? null : new Checkpointer(options.path);
  db.pragma('wal_autocheckpoint = 0');
  const writer = new GroupCommitter<StorageTx>(db, mutex, tx, () => checkpointer?.written());

  return {
    transaction<T>(fn: (tx: StorageTx) => Promise<T>): Promise<T> {
      if (closed) return Promise.reject(new Error('storage is closed'));
      return writer.run(fn);
    },
    read<T>(fn: (tx: StorageReader) => Promise<T>): Promise<T> {
      return guard(() => fn(tx));
    },
    purgeErased(): Promise<void> {
      if (!checkpointer) return Promise.resolve();
      // TRUNCATE copies every frame into the main file (whose erased cells secure_delete zeroed) and
      // cuts the WAL to zero bytes, so the old frames holding the text are gone too. A purge not yet
      // started covers every erase committed before it, so concurrent recalls share one.
      queuedPurge ??= Promise.resolve().then(() => {
        queuedPurge = null;
        return checkpointer.truncate();
      });
      return queuedPurge;
    },
    ping(): Promise<void> {
      return guard(async () => {
        db.prepare('SELECT 1').get();
      });
    },
    close(): Promise<void> {
      return guard(async () => {
        closed = true;
        await checkpointer?.close();
        db.pragma('wal_checkpoint(TRUNCATE)');
        db.close();
      });
    },
  };
}

function migrate(db: Database.Database): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > migrations.length) {
    throw new Error(`database schema version ${current} is newer than this server (${migrations.length})`);
  }
  for (let version = current; version < migrations.length; version++) {
    db.transaction(() => {
      db.exec(migrations[version]!);
      db.pragma(`user_version = ${version + 1}`);
    })();
  }
}
