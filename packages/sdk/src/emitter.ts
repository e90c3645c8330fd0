export type Listener<T> = (payload: T) => void;

type ListenerSets<Events> = { [K in keyof Events]?: Set<Listener<Events[K]>> };

/**
 * A minimal typed event emitter. `node:events` is not available in browsers, and `EventTarget` cannot
 * type its payloads.
 */
export class Emitter<Events extends object> {
  readonly #listeners: ListenerSets<Events> = {};

  /** Subscribes; returns the unsubscribe function. */
  on<K extends keyof Events>(name: K, listener: Listener<Events[K]>): () => void {
    const set = this.#listeners[name] ?? new Set<Listener<Events[K]>>();
    this.#listeners[name] = set;
    set.add(listener);
    return () => {
      set.delete(listener);
    };
  }

  emit<K extends keyof Events>(name: K, payload: Events[K]): void {
    const set = this.#listeners[name];
    if (set === undefined) return;
    for (const listener of [...set]) {
      try {
        listener(payload);
      } catch (error) {
        // A throwing listener is the application's bug; it must not leave the connection half-way
        // through a transition. Rethrow outside the SDK's call stack, as browsers' reportError does.
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }
}
