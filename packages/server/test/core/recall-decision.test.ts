import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  decideRecall,
  withinWindow,
  windowClosesAt,
  type RecallInput,
} from '../../src/core/recall-decision.js';

const sentAtMs = Date.UTC(2026, 0, 1);
const base: RecallInput = {
  actorId: 'u_alice',
  actorRole: 'member',
  message: { senderId: 'u_alice', sentAtMs, tombstone: null },
  windowSeconds: 120,
  nowMs: sentAtMs + 1000,
};
const tombstone = {
  recalledAt: new Date(sentAtMs).toISOString(),
  recalledBy: 'u_alice',
  role: 'sender' as const,
  reason: null,
  label: null,
};

describe('decideRecall', () => {
  it('allows the sender inside the window, including its last millisecond', () => {
    assert.equal(decideRecall(base).kind, 'allowed');
    assert.equal(decideRecall({ ...base, nowMs: sentAtMs + 120_000 }).kind, 'allowed');
  });

  it('denies one millisecond after the window with the facts behind it', () => {
    const decision = decideRecall({ ...base, nowMs: sentAtMs + 120_001 });
    assert.deepEqual(decision, {
      kind: 'denied',
      code: 'recall_window_expired',
      facts: {
        windowSeconds: 120,
        sentAt: new Date(sentAtMs).toISOString(),
        now: new Date(sentAtMs + 120_001).toISOString(),
      },
    });
  });

  it('treats 0 as never and null as no limit', () => {
    assert.equal(decideRecall({ ...base, windowSeconds: 0, nowMs: sentAtMs }).kind, 'denied');
    assert.equal(
      decideRecall({ ...base, windowSeconds: null, nowMs: sentAtMs + 10 * 365 * 86400_000 }).kind,
      'allowed',
    );
  });

  it('hides the message from non-members before anything else', () => {
    assert.deepEqual(decideRecall({ ...base, actorRole: null }), { kind: 'hidden' });
    assert.deepEqual(decideRecall({ ...base, actorRole: null, message: { ...base.message, tombstone } }), {
      kind: 'hidden',
    });
  });

  it('does not let another member recall, whatever their role, in this core policy', () => {
    for (const role of ['member', 'admin', 'owner'] as const) {
      const decision = decideRecall({ ...base, actorId: 'u_bob', actorRole: role });
      assert.equal(decision.kind === 'denied' && decision.code, 'not_permitted');
    }
  });

  it('answers an already recalled message with its tombstone, even after the window', () => {
    const decision = decideRecall({
      ...base,
      message: { ...base.message, tombstone },
      nowMs: sentAtMs + 86400_000,
    });
    assert.deepEqual(decision, { kind: 'already_recalled', tombstone });
  });

  it('property: allowed exactly when sender, member, not recalled and within the window', () => {
    fc.assert(
      fc.property(
        fc.boolean(),
        fc.constantFrom('owner', 'admin', 'member', null),
        fc.option(fc.integer({ min: 0, max: 100_000 }), { nil: null }),
        fc.integer({ min: -5_000, max: 200_000_000 }),
        fc.boolean(),
        (isSender, role, windowSeconds, elapsedMs, recalled) => {
          const input: RecallInput = {
            actorId: isSender ? 'u_alice' : 'u_bob',
            actorRole: role as RecallInput['actorRole'],
            message: { senderId: 'u_alice', sentAtMs, tombstone: recalled ? tombstone : null },
            windowSeconds,
            nowMs: sentAtMs + elapsedMs,
          };
          const expected =
            role !== null &&
            !recalled &&
            isSender &&
            withinWindow(sentAtMs, windowSeconds, sentAtMs + elapsedMs);
          assert.equal(decideRecall(input).kind === 'allowed', expected);
        },
      ),
    );
  });

  it('reports when the window closes', () => {
    assert.equal(windowClosesAt(sentAtMs, 120), sentAtMs + 120_000);
    assert.equal(windowClosesAt(sentAtMs, null), null);
  });
});
