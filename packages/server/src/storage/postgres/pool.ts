import pg from 'pg';
import { toStorageError } from './errors.js';

/** Where and how to connect; shared by the message storage and the key store on PostgreSQL. */
export interface PostgresConnectionOptions {
  /** A connection URL: `postgres://user:password@host:5432/database?sslmode=require`. */
  readonly url: string;
  /**
   * The schema holding the tables, created when missing (lower-case letters, digits and `_`). Default:
   * the server's `search_path` for the user, usually `public`.
   */
  readonly schema?: string;
  /** Connections in the pool (default 10). */
  readonly poolSize?: number;
  /** How long to wait for a connection before failing with `StorageUnavailableError` (default 5000 ms). */
  readonly connectTimeoutMs?: number;
  /**
   * Errors of idle pooled connections (the server restarted, a proxy cut them). The pool has already
   * dropped the connection and opens a new one when needed; this is for logging only.
   */
  readonly onIdleError?: (error: Error) => void;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export function quoteSchema(schema: string): string {
  if (!SCHEMA_NAME.test(schema)) {
    throw new Error(`invalid PostgreSQL schema name ${JSON.stringify(schema)}: use a-z, 0-9 and _`);
  }
  return `"${schema}"`;
}

/**
 * BIGINT columns (timestamps in ms, positions, sequence numbers, counts) come back as numbers, checked
 * to be exact; node-postgres would give strings. Set per pool, not globally, so nothing else in the
 * process that uses `pg` is affected.
 */
function typeParsers(): pg.CustomTypesConfig {
  const types = new pg.TypeOverrides();
  types.setTypeParser(pg.types.builtins.INT8, (text: string) => {
    const value = Number(text);
    if (!Number.isSafeInteger(value)) throw new RangeError(`BIGINT ${text} does not fit a JS number`);
    return value;
  });
  return types;
}

/**
 * A pool whose every connection uses the schema (set at connection start, so a connection never runs
 * a statement against another schema). That needs a direct connection or a session-mode pooler: a
 * transaction-mode pooler (PgBouncer `pool_mode=transaction`) supports neither the startup option nor
 * the session advisory lock that migrations take.
 */
export function createPool(options: PostgresConnectionOptions, applicationName: string): pg.Pool {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolSize ?? 10,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 5000,
    idleTimeoutMillis: 30_000,
    keepAlive: true,
    application_name: applicationName,
    types: typeParsers(),
    ...(options.schema === undefined ? {} : { options: `-c search_path=${quoteSchema(options.schema)}` }),
  });
  // Without a listener, an idle connection's error (server restart) would crash the process.
  pool.on('error', (error) => options.onIdleError?.(error));
  return pool;
}

/** A checked-out connection, queried with failures mapped to the port's errors. */
export class Connection {
  constructor(readonly client: pg.PoolClient) {}

  async rows<R extends object>(text: string, values: readonly unknown[] = []): Promise<R[]> {
    return (await this.run<R>(text, values)).rows;
  }

  async one<R extends object>(text: string, values: readonly unknown[] = []): Promise<R | null> {
    return (await this.run<R>(text, values)).rows[0] ?? null;
  }

  /** Rows the statement inserted, updated or deleted. */
  async changes(text: string, values: readonly unknown[] = []): Promise<number> {
    return (await this.run(text, values)).rowCount ?? 0;
  }

  async run<R extends object>(text: string, values: readonly unknown[] = []): Promise<pg.QueryResult<R>> {
    try {
      return await this.client.query<R>(text, values as unknown[]);
    } catch (error) {
      throw toStorageError(error);
    }
  }
}

/**
 * Runs `fn` on one pooled connection. While checked out the connection has an error listener (node-
 * postgres emits `error` on a connection that dies; unheard, that would crash the process). A
 * connection that failed is closed on release rather than handed to the next caller.
 */
export async function withConnection<T>(
  pool: pg.Pool,
  fn: (connection: Connection, markBroken: (error: unknown) => void) => Promise<T>,
): Promise<T> {
  let client: pg.PoolClient;
  try {
    client = await pool.connect();
  } catch (error) {
    throw toStorageError(error);
  }
  let broken: Error | undefined;
  const markBroken = (error: unknown) => {
    broken ??= error instanceof Error ? error : new Error(String(error));
  };
  client.on('error', markBroken);
  try {
    return await fn(new Connection(client), markBroken);
  } finally {
    client.off('error', markBroken);
    client.release(broken);
  }
}

/**
 * Refuses a server that acknowledges commits it may lose in a crash (`synchronous_commit = off` for this
 * database or user): "acknowledged means durable" would not hold, and a data key lost after the content
 * sealed under it was stored makes that content unreadable.
 */
export async function assertDurableCommits(pool: pg.Pool): Promise<void> {
  const setting = await withConnection(pool, (db) =>
    db.one<{ synchronous_commit: string }>('SHOW synchronous_commit'),
  );
  if (setting?.synchronous_commit === 'off') {
    throw new Error(
      'PostgreSQL runs with synchronous_commit = off, which can lose acknowledged commits in a crash; ' +
        'refusing to start (set it to on for this database or user)',
    );
  }
}

/** One statement on any pooled connection (no transaction), failures mapped to the port's errors. */
export async function poolQuery<R extends object>(
  pool: pg.Pool,
  text: string,
  values: readonly unknown[] = [],
): Promise<pg.QueryResult<R>> {
  try {
    return await pool.query<R>(text, values as unknown[]);
  } catch (error) {
    throw toStorageError(error);
  }
}
