/**
 * Runs a task such that every caller gets a run that started after its call, while at most one run is
 * in progress and at most one more is waiting: callers arriving while a run is in progress all share
 * the next one. For maintenance (VACUUM) that must cover every change committed before it was asked
 * for, without one run per caller.
 */
export class Coalesced {
  private current: Promise<void> | null = null;
  private next: Promise<void> | null = null;

  constructor(private readonly task: () => Promise<void>) {}

  run(): Promise<void> {
    if (this.next) return this.next;
    const previous = this.current ?? Promise.resolve();
    const next = previous.then(
      () => this.start(),
      () => this.start(),
    );
    this.next = next;
    return next;
  }

  private start(): Promise<void> {
    this.next = null;
    const current = this.task();
    this.current = current;
    const done = () => {
      if (this.current === current) this.current = null;
    };
    current.then(done, done);
    return current;
  }
}
