// Test utilities: await conditions instead of sleeping, and control time through a fake scheduler.
import type { Scheduler } from '../src/scheduler.js';

type Subscribe<T> = (listener: (value: T) => void) => () => void;

/**
 * Resolves with the first emitted value that satisfies `predicate`. The timeout only guards against a
 * hung test; it is never what a test waits for.
 */
export function once<T>(
  subscribe: Subscribe<T>,
  predicate: (value: T) => boolean = () => true,
  label = 'condition',
  timeoutMs = 5000,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      unsubscribe();
      reject(new Error(`Timed out waiting for ${label}`));
    }, timeoutMs);
    const unsubscribe = subscribe((value) => {
      if (!predicate(value)) return;
      clearTimeout(timer);
      unsubscribe();
      resolve(value);
    });
  });
}

/** Collects every emitted value into an array (returned), until `stop()` is called. */
export function collect<T>(subscribe: Subscribe<T>): T[] & { stop: () => void } {
  const values: T[] = [];
  const stop = subscribe((value) => values.push(value));
  return Object.assign(values, { stop });
}

interface Task {
  readonly delayMs: number;
  readonly run: () => void;
  cancelled: boolean;
  done: boolean;
}

/**
 * A scheduler that records every requested delay. Tasks whose delay `isManual` are held until the test
 * fires them; all others run on the next macrotask, so backoff never makes a test wait.
 */
export class FakeScheduler implements Scheduler {
  readonly delays: number[] = [];
  readonly #tasks: Task[] = [];
  readonly #isManual: (delayMs: number) => boolean;
  readonly #watchers = new Set<() => void>();

  constructor(isManual: (delayMs: number) => boolean = (delayMs) => delayMs >= 10_000) {
    this.#isManual = isManual;
  }

  schedule(delayMs: number, run: () => void): () => void {
    const task: Task = { delayMs, run, cancelled: false, done: false };
    this.delays.push(delayMs);
    this.#tasks.push(task);
    if (!this.#isManual(delayMs)) setImmediate(() => this.#run(task));
    for (const watcher of [...this.#watchers]) watcher();
    return () => {
      task.cancelled = true;
    };
  }

  /** Delays of tasks not yet run nor cancelled. */
  pending(): number[] {
    return this.#tasks.filter((task) => !task.cancelled && !task.done).map((task) => task.delayMs);
  }

  /** Runs every pending task with this delay; returns how many ran. */
  fire(delayMs: number): number {
    const due = this.#tasks.filter((task) => task.delayMs === delayMs && !task.cancelled && !task.done);
    for (const task of due) this.#run(task);
    return due.length;
  }

  /** Resolves once a task with this delay is pending. */
  waitFor(delayMs: number): Promise<void> {
    return once<void>(
      (listener) => {
        const check = (): void => {
          if (this.pending().includes(delayMs)) listener();
        };
        this.#watchers.add(check);
        queueMicrotask(check);
        return () => this.#watchers.delete(check);
      },
      () => true,
      `a task of ${delayMs} ms`,
    );
  }

  #run(task: Task): void {
    if (task.cancelled || task.done) return;
    task.done = true;
    task.run();
  }
}
