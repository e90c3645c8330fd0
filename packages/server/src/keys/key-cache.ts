/**
 * A small least-recently-used cache of unwrapped data keys, so reading a page of history does not
 * decrypt every key from disk each time. Small on purpose: every entry is a raw key in memory.
 *
 * The cache owns its Buffers: it stores a copy and hands out copies, so a caller zeroing its key after
 * use does not corrupt the cache, and the cache can zero its own copy when an entry leaves it. (Zeroing
 * is best effort — a garbage collector may have moved bytes before — but it keeps evicted and destroyed
 * keys out of the heap in the ordinary case.)
 */
export class KeyCache {
  private readonly entries = new Map<string, Buffer>();

  constructor(private readonly capacity: number) {
    if (!Number.isSafeInteger(capacity) || capacity < 0) {
      throw new RangeError(`cache capacity must be a non-negative integer, got ${String(capacity)}`);
    }
  }

  /** A copy of the cached key, now the most recently used; undefined when not cached. */
  get(id: string): Buffer | undefined {
    const key = this.entries.get(id);
    if (!key) return undefined;
    this.entries.delete(id);
    this.entries.set(id, key);
    return Buffer.from(key);
  }

  /** Caches a copy of `key`, evicting the least recently used entry when full. */
  set(id: string, key: Uint8Array): void {
    if (this.capacity === 0) return;
    this.delete(id);
    this.entries.set(id, Buffer.from(key));
    while (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next().value as string;
      this.delete(oldest);
    }
  }

  /** Forgets the key, zeroing the cached copy. */
  delete(id: string): void {
    const key = this.entries.get(id);
    if (!key) return;
    key.fill(0);
    this.entries.delete(id);
  }

  clear(): void {
    for (const key of this.entries.values()) key.fill(0);
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }
}
