import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { durationPhrase, msUntil } from '../src/lib/format.js';
import { parseRoute, conversationHref } from '../src/lib/route.js';
import { ApiError, NetworkError } from '@retract/sdk';
import { errorPhrase } from '../src/lib/errors.js';

describe('countdown formatting', () => {
  it('shows seconds, then minutes and seconds, hours, days', () => {
    assert.deepEqual(durationPhrase(42_000), { key: 'duration.seconds', values: { s: 42 } });
    assert.deepEqual(durationPhrase(65_000), { key: 'duration.minutes', values: { m: 1, s: '05' } });
    assert.deepEqual(durationPhrase(2 * 3600_000 + 3 * 60_000), {
      key: 'duration.hours',
      values: { h: 2, m: 3 },
    });
    assert.deepEqual(durationPhrase(86400_000 * 3 + 3600_000), {
      key: 'duration.days',
      values: { d: 3, h: 1 },
    });
  });

  it('rounds up partial seconds and never goes below zero', () => {
    assert.deepEqual(durationPhrase(100), { key: 'duration.seconds', values: { s: 1 } });
    assert.deepEqual(durationPhrase(-5000), { key: 'duration.seconds', values: { s: 0 } });
    assert.equal(msUntil('2026-01-01T00:00:10.000Z', Date.parse('2026-01-01T00:00:00.000Z')), 10_000);
    assert.equal(msUntil('2026-01-01T00:00:00.000Z', Date.parse('2026-01-01T00:01:00.000Z')), 0);
  });
});

describe('hash routes', () => {
  it('parses home, conversations and admin', () => {
    assert.deepEqual(parseRoute(''), { name: 'home' });
    assert.deepEqual(parseRoute('#/'), { name: 'home' });
    assert.deepEqual(parseRoute('#/c/c_abc-1'), { name: 'conversation', id: 'c_abc-1' });
    assert.deepEqual(parseRoute(conversationHref('c_x y')), { name: 'conversation', id: 'c_x y' });
    assert.deepEqual(parseRoute('#/admin'), { name: 'admin' });
    assert.deepEqual(parseRoute('#/unknown'), { name: 'home' });
  });
});

describe('error messages', () => {
  it('maps known API codes to their message and others to the generic one with the code', () => {
    assert.deepEqual(errorPhrase({ code: 'invalid_credentials' }), {
      key: 'common:errors.invalid_credentials',
    });
    assert.deepEqual(errorPhrase({ code: 'brand_new' }), {
      key: 'common:errors.unknown',
      values: { code: 'brand_new' },
    });
    assert.deepEqual(errorPhrase(new Error('x')), {
      key: 'common:errors.unknown',
      values: { code: 'unknown' },
    });
  });

  it("gives the SDK's network errors their own messages, a timeout apart from a failed request", () => {
    assert.deepEqual(errorPhrase(new NetworkError('fetch_failed', 'x')), { key: 'common:errors.network' });
    assert.deepEqual(errorPhrase(new NetworkError('socket_closed', 'x')), { key: 'common:errors.network' });
    assert.deepEqual(errorPhrase(new NetworkError('timeout', 'x')), { key: 'common:errors.timeout' });
    assert.deepEqual(errorPhrase(new ApiError({ code: 'attachment_gone', message: 'x', status: 410 })), {
      key: 'common:errors.attachment_gone',
    });
  });
});
