import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { KeyCache } from '../../src/keys/key-cache.js';
import { newDataKey } from '../../src/keys/sealing.js';

describe('key cache', () => {
  it('evicts the least recently used key when full', () => {
    const cache = new KeyCache(2);
    const [a, b, c] = [newDataKey(), newDataKey(), newDataKey()];
    cache.set('a', a);
    cache.set('b', b);
    assert.ok(cache.get('a')?.equals(a)); // a is now the most recent
    cache.set('c', c);
    assert.equal(cache.get('b'), undefined);
    assert.ok(cache.get('a')?.equals(a));
    assert.ok(cache.get('c')?.equals(c));
    assert.equal(cache.size, 2);
  });

  it('stores and hands out copies, and zeroes its own copy when a key leaves', () => {
    const cache = new KeyCache(4);
    const key = newDataKey();
    const original = Buffer.from(key);
    cache.set('k', key);
    key.fill(0);
    const out = cache.get('k')!;
    assert.ok(out.equals(original));
    out.fill(0);
    assert.ok(cache.get('k')?.equals(original));
    // Reach the cached Buffer itself, to see that delete zeroes it rather than just dropping it.
    const inside = (cache as unknown as { entries: Map<string, Buffer> }).entries.get('k')!;
    cache.delete('k');
    assert.ok(inside.equals(Buffer.alloc(32)));
    assert.equal(cache.get('k'), undefined);
    cache.set('x', newDataKey());
    const x = (cache as unknown as { entries: Map<string, Buffer> }).entries.get('x')!;
    cache.clear();
    assert.ok(x.equals(Buffer.alloc(32)));
    assert.equal(cache.size, 0);
  });

  it('caches nothing with a capacity of 0, and rejects a bad capacity', () => {
    const cache = new KeyCache(0);
    cache.set('k', newDataKey());
    assert.equal(cache.get('k'), undefined);
    assert.throws(() => new KeyCache(-1), RangeError);
    assert.throws(() => new KeyCache(1.5), RangeError);
  });
});
