import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Message, Tombstone } from '@retract/sdk';
import { translate } from '../src/i18n/index.js';
import { expiryLine, type ExpiryLine } from '../src/lib/expiry.js';

const now = Date.parse('2026-01-01T12:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();
const gone: Tombstone = {
  recalledAt: iso(now),
  recalledBy: 'u_alice',
  role: 'expiry',
  reason: null,
  label: null,
};
const msg = (over: Partial<Pick<Message, 'recalled' | 'expiresAt'>> = {}) => ({
  recalled: null,
  expiresAt: null,
  ...over,
});
const text = (line: ExpiryLine | null, locale: 'en' | 'zh-CN' = 'en') =>
  line === null
    ? null
    : translate(locale, line.key, { time: translate(locale, line.time.key, line.time.values) });

describe('disappearing timer line', () => {
  it('counts down from the message’s own expiry, whatever the conversation’s setting is now', () => {
    const own = msg({ expiresAt: iso(now + 3_600_000) });
    const expected = {
      key: 'chat.disappearsIn',
      time: { key: 'duration.hours', values: { h: 1, m: 0 } },
    };
    // Sent under a one-hour timer: changing it to five minutes, or turning it off, changes nothing.
    assert.deepEqual(expiryLine(own, { mode: 'after_send', seconds: 3600 }, now), expected);
    assert.deepEqual(expiryLine(own, { mode: 'after_send', seconds: 300 }, now), expected);
    assert.deepEqual(expiryLine(own, null, now), expected);
    assert.deepEqual(expiryLine(own, { mode: 'after_read', seconds: 60 }, now), expected);
    assert.equal(text(expiryLine(own, null, now)), 'Disappears in 1h 0m');
  });

  it('counts down live and stops at zero', () => {
    const own = msg({ expiresAt: iso(now + 65_000) });
    assert.equal(text(expiryLine(own, null, now)), 'Disappears in 1m 05s');
    assert.equal(text(expiryLine(own, null, now + 60_000)), 'Disappears in 5s');
    assert.equal(
      text(expiryLine(own, null, now + 90_000)),
      'Disappears in 0s',
      'the sweeper has not run yet',
    );
  });

  it('counts down from when a read started it, for after_read', () => {
    const started = msg({ expiresAt: iso(now + 30_000) });
    assert.equal(text(expiryLine(started, { mode: 'after_read', seconds: 600 }, now)), 'Disappears in 30s');
  });

  it('says how long it lasts once read while an after_read timer has not started', () => {
    const line = expiryLine(msg(), { mode: 'after_read', seconds: 600 }, now);
    assert.deepEqual(line, {
      key: 'chat.disappearsAfterRead',
      time: { key: 'duration.minutes', values: { m: 10, s: '00' } },
    });
    assert.equal(text(line), 'Disappears 10m 00s after it is read');
    assert.ok(text(line, 'zh-CN')?.includes('消失'));
  });

  it('says nothing when nothing will erase the message', () => {
    // A message from before an after_send timer was set has no expiry: the timer does not reach back.
    assert.equal(expiryLine(msg(), { mode: 'after_send', seconds: 30 }, now), null);
    assert.equal(expiryLine(msg(), null, now), null);
    assert.equal(expiryLine({ recalled: null }, null, now), null, 'a server that does not send expiries');
  });

  it('says nothing once the message is recalled or erased', () => {
    const erased = msg({ recalled: gone, expiresAt: iso(now) });
    assert.equal(expiryLine(erased, { mode: 'after_read', seconds: 60 }, now), null);
    assert.equal(expiryLine(msg({ recalled: gone }), { mode: 'after_read', seconds: 60 }, now), null);
  });
});
