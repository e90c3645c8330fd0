import type { Mutex } from './mutex.js';

/** The part of a better-sqlite3 connection group commit needs. */
interface Connection {
  exec(sql: string): unknown;
  readonly inTransaction: boolean;
}

interface Job<C> {
  readonly fn: (tx: C) => Promise<unknown>;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
}

/** At most this many transactions share one commit, so one batch cannot hold the connection long. */
const MAX_BATCH = 64;

/**
 * Group commit: write transactions that arrive in the same turn of the event loop run one after another
 * inside a single SQLite transaction, each in its own savepoint, and share one COMMIT. A transaction that
 * throws rolls back to its savepoint without touching the others. Nobody is answered before the shared
 * COMMIT returns, so "acknowledged" still means "durable".
 *
 * Why: with one connection, the commit (and the WAL frames it writes) is most of a small transaction's
 * cost; sharing it is the classic way to raise write throughput without weakening durability.
 */
export class GroupCommitter<C> {
  private queue: Job<C>[] = [];
  private scheduled = false;

  constructor(
    private readonly db: Connection,
    private readonly mutex: Mutex,
    private readonly tx: C,
    private readonly afterCommit: () => void,
  ) {}

  run<T>(fn: (tx: C) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ fn, resolve: resolve as (value: unknown) => void, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        // Deferred to the check phase, so every request parsed in this turn can join the batch.
        setImmediate(() => void this.drain());
      }
    });
  }

  private async drain(): Promise<void> {
    this.scheduled = false;
    const batch = this.queue.splice(0, MAX_BATCH);
    if (this.queue.length > 0) {
      this.scheduled = true;
      setImmediate(() => void this.drain());
    }
    await this.mutex.run(() => this.commitBatch(batch));
  }

  private async commitBatch(batch: readonly Job<C>[]): Promise<void> {
    const outcomes: ({ ok: true; value: unknown } | { ok: false; error: unknown })[] = [];
    try {
      this.db.exec('BEGIN IMMEDIATE');
      for (const job of batch) {
        this.db.exec('SAVEPOINT job');
        try {
          const value = await job.fn(this.tx);
          this.db.exec('RELEASE job');
          outcomes.push({ ok: true, value });
        } catch (error) {
          this.db.exec('ROLLBACK TO job');
          this.db.exec('RELEASE job');
          outcomes.push({ ok: false, error });
        }
      }
      this.db.exec('COMMIT');
    } catch (error) {
      // The batch as a whole failed (BEGIN or COMMIT): nothing of it is durable, so nobody succeeds.
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
      for (const job of batch) job.reject(error);
      return;
    }
    batch.forEach((job, i) => {
      const outcome = outcomes[i]!;
      if (outcome.ok) job.resolve(outcome.value);
      else job.reject(outcome.error);
    });
    this.afterCommit();
  }
}
