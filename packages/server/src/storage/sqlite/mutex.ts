/**
 * One connection serves the whole process, so a transaction whose callback awaits must not let another
 * caller's statements run on the same connection in between. Everything that touches the connection
 * takes this lock, in arrival order.
 */
export class Mutex {
  private tail: Promise<void> = Promise.resolve();

  run<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.tail.then(fn);
    this.tail = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }
}
