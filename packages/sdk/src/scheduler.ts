/**
 * The one way the SDK waits. Injectable so tests can record requested delays and run timers at once
 * instead of sleeping.
 */
export interface Scheduler {
  /** Runs `task` after `delayMs`; the returned function cancels it (calling it twice is harmless). */
  schedule(delayMs: number, task: () => void): () => void;
}

export const realScheduler: Scheduler = {
  schedule(delayMs, task) {
    const handle = setTimeout(task, delayMs);
    return () => clearTimeout(handle);
  },
};
