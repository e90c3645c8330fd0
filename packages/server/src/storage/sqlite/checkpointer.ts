import { Worker } from 'node:worker_threads';

/** Messages to and from checkpoint-worker.mjs. */
interface CheckpointRequest {
  readonly id: number;
  readonly mode: 'PASSIVE' | 'TRUNCATE';
}
type CheckpointReply =
  | { readonly id: number; readonly ok: true }
  | { readonly id: number; readonly ok: false; readonly error: string };

/**
 * WAL checkpoints, kept off the commit path and off the event loop.
 *
 * SQLite's automatic checkpoint runs inside COMMIT — before committed events can be published — and a
 * recall to a large group writes enough pages to trigger one every time. So automatic checkpoints are
 * off; a worker thread with its own connection runs a passive checkpoint shortly after writes, and the
 * truncating checkpoint that purges erased text before a recall is acknowledged.
 */
export class Checkpointer {
  private readonly worker: Worker;
  private readonly pending = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();
  private nextId = 1;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    path: string,
    private readonly delayMs = 200,
  ) {
    this.worker = new Worker(new URL('./checkpoint-worker.mjs', import.meta.url), { workerData: { path } });
    this.worker.unref();
    this.worker.on('message', (reply: CheckpointReply) => {
      const waiter = this.pending.get(reply.id);
      this.pending.delete(reply.id);
      if (!waiter) return;
      if (reply.ok) waiter.resolve();
      else waiter.reject(new Error(reply.error));
    });
    this.worker.on('error', (error) => this.failAll(error));
    this.worker.on('exit', () => this.failAll(new Error('checkpoint worker exited')));
  }

  /** Called after a commit: one passive checkpoint covers all writes of the next `delayMs`. */
  written(): void {
    if (this.timer || this.closed) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.checkpoint('PASSIVE').catch(() => {
        // Best effort: the next one, or the truncating one, catches up.
      });
    }, this.delayMs);
    this.timer.unref();
  }

  /** Copies every WAL frame into the database file and truncates the WAL to zero bytes. */
  truncate(): Promise<void> {
    return this.checkpoint('TRUNCATE');
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    // A referenced handle alone did not always keep the event loop alive until the thread had ended
    // (the loop could drain with close() still pending); a timer does.
    const keepAlive = setInterval(() => {}, 1000);
    try {
      this.worker.ref();
      await this.worker.terminate();
    } finally {
      clearInterval(keepAlive);
    }
  }

  private checkpoint(mode: CheckpointRequest['mode']): Promise<void> {
    if (this.closed) return Promise.reject(new Error('checkpointer is closed'));
    const id = this.nextId++;
    return new Promise<void>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      // Referenced only while a checkpoint is outstanding, so an idle server can still exit.
      this.worker.ref();
      this.worker.postMessage({ id, mode } satisfies CheckpointRequest);
    }).finally(() => {
      if (this.pending.size === 0) this.worker.unref();
    });
  }

  private failAll(error: Error): void {
    for (const waiter of this.pending.values()) waiter.reject(error);
    this.pending.clear();
  }
}
