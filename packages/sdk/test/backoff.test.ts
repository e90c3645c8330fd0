import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { backoffDelay, defaultBackoff } from '../src/backoff.js';

describe('backoffDelay', () => {
  it('defaults to base 250 ms, max 10 s', () => {
    assert.deepEqual(defaultBackoff, { baseMs: 250, maxMs: 10_000 });
  });

  it('doubles the ceiling per attempt up to maxMs (random just below 1 reaches it)', () => {
    const top = (attempt: number) => backoffDelay(attempt, defaultBackoff, () => 0.999_999);
    assert.deepEqual([0, 1, 2, 3, 4, 5, 6, 7].map(top), [249, 499, 999, 1999, 3999, 7999, 9999, 9999]);
  });

  it('is full jitter: uniform from 0 up to the ceiling', () => {
    assert.equal(
      backoffDelay(5, defaultBackoff, () => 0),
      0,
    );
    assert.equal(
      backoffDelay(2, defaultBackoff, () => 0.5),
      500,
    );
  });

  it('stays within [0, maxMs) for any attempt, huge ones included', () => {
    fc.assert(
      fc.property(
        fc.nat({ max: 10_000 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (attempt, r) => {
          const delay = backoffDelay(attempt, defaultBackoff, () => r);
          assert.ok(Number.isInteger(delay) && delay >= 0 && delay < defaultBackoff.maxMs, String(delay));
        },
      ),
    );
  });
});
