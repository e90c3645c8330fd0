import type pg from 'pg';
import { quoteSchema, withConnection } from './pool.js';

/** A numbered list of migrations and where their progress is recorded. */
export interface MigrationSet {
  /** Names the schema in errors: "database schema", "key store schema". */
  readonly what: string;
  /** The table recording each applied version (one row per version, with when it was applied). */
  readonly table: string;
  /** The first key of the advisory lock held while migrating; the second is the schema name's hash. */
  readonly lockKey: number;
  /** Applied in order; version n is `migrations[n - 1]`. Never edit a shipped one: append a new one. */
  readonly migrations: readonly string[];
}

/**
 * Brings the schema up to date. Several nodes may start at once: each takes the same session-level
 * advisory lock first, so one migrates while the others wait, and then find nothing left to do. Each
 * migration runs in its own transaction with its version row (PostgreSQL DDL is transactional), so a
 * crash half-way leaves the schema at a version, never between two. A database newer than this server
 * is refused rather than used.
 */
export async function migrate(pool: pg.Pool, schema: string | undefined, set: MigrationSet): Promise<void> {
  await withConnection(pool, async (db, markBroken) => {
    const lock = [set.lockKey, schema ?? ''];
    await db.run('SELECT pg_advisory_lock($1, hashtext($2))', lock);
    try {
      // Looked up first: CREATE SCHEMA IF NOT EXISTS needs the CREATE privilege even when it exists.
      if (
        schema !== undefined &&
        !(await db.one('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema]))
      ) {
        await db.run(`CREATE SCHEMA ${quoteSchema(schema)}`);
      }
      await db.run(
        `CREATE TABLE IF NOT EXISTS ${set.table} (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)`,
      );
      const row = await db.one<{ current: number | null }>(
        `SELECT max(version) AS current FROM ${set.table}`,
      );
      const current = row?.current ?? 0;
      if (current > set.migrations.length) {
        throw new Error(
          `${set.what} version ${current} is newer than this server (${set.migrations.length})`,
        );
      }
      for (let version = current + 1; version <= set.migrations.length; version++) {
        await db.run('BEGIN');
        try {
          await db.run(set.migrations[version - 1]!);
          await db.run(`INSERT INTO ${set.table} (version, applied_at) VALUES ($1, $2)`, [
            version,
            Date.now(),
          ]);
          await db.run('COMMIT');
        } catch (error) {
          await db.run('ROLLBACK').catch(markBroken);
          throw error;
        }
      }
    } finally {
      // A lost connection releases the lock by itself; then there is nothing to unlock.
      await db.run('SELECT pg_advisory_unlock($1, hashtext($2))', lock).catch(markBroken);
    }
  });
}
