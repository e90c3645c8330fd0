import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  ApiError,
  apiErrorFromPayload,
  apiErrorFromResponse,
  isApiError,
  isNetworkError,
  isNotFound,
  isNotPermitted,
  isRateLimited,
  isRecallWindowExpired,
  isRetractError,
  isUnauthenticated,
  NetworkError,
  parseRetryAfter,
  ProtocolError,
  RetractError,
} from '../src/errors.js';

const headers = (values: Record<string, string> = {}) => ({ get: (name: string) => values[name] ?? null });
const body = (code: string, details?: Record<string, unknown>) =>
  JSON.stringify({ error: { code, message: `message of ${code}`, ...(details ? { details } : {}) } });

describe('errors', () => {
  const predicates = [
    ['recall_window_expired', isRecallWindowExpired, 'isRecallWindowExpired'],
    ['not_found', isNotFound, 'isNotFound'],
    ['not_permitted', isNotPermitted, 'isNotPermitted'],
    ['unauthenticated', isUnauthenticated, 'isUnauthenticated'],
    ['rate_limited', isRateLimited, 'isRateLimited'],
  ] as const;

  for (const [code, guard, method] of predicates) {
    it(`${method} is true for ${code} only, as method and as guard`, () => {
      const matching = new ApiError({ code, message: 'x', status: 400 });
      const other = new ApiError({ code: 'invalid_request', message: 'x', status: 400 });
      assert.equal(matching[method](), true);
      assert.equal(guard(matching), true);
      assert.equal(other[method](), false);
      assert.equal(guard(other), false);
      assert.equal(guard(new NetworkError('fetch_failed', 'down')), false);
      assert.equal(guard(new Error(code)), false);
    });
  }

  it('isUnauthenticated also covers session_revoked, not a failed login', () => {
    assert.equal(
      isUnauthenticated(new ApiError({ code: 'session_revoked', message: '', status: 401 })),
      true,
    );
    assert.equal(
      isUnauthenticated(new ApiError({ code: 'invalid_credentials', message: '', status: 401 })),
      false,
    );
  });

  it('builds an ApiError from an HTTP error response', () => {
    const error = apiErrorFromResponse(
      403,
      headers({ 'x-request-id': 'req-7' }),
      body('recall_window_expired', { windowSeconds: 120 }),
    );
    assert.ok(isApiError(error) && isRetractError(error) && error instanceof Error);
    assert.equal(error.code, 'recall_window_expired');
    assert.equal(error.status, 403);
    assert.equal(error.message, 'message of recall_window_expired');
    assert.deepEqual(error.details, { windowSeconds: 120 });
    assert.equal(error.requestId, 'req-7');
    assert.equal(error.retryAfterMs, undefined);
    assert.equal(error.name, 'ApiError');
  });

  it('keeps a code unknown to the registry, so rate_limited works before it is registered', () => {
    const error = apiErrorFromResponse(429, headers({ 'retry-after': '3' }), body('rate_limited'));
    assert.equal(error.code, 'rate_limited');
    assert.equal(error.isRateLimited(), true);
    assert.equal(error.retryAfterMs, 3000);
  });

  it('falls back to internal when the error body cannot be read', () => {
    for (const text of ['<html>bad gateway</html>', '', '{"error":"nope"}', '[1]']) {
      const error = apiErrorFromResponse(502, headers(), text);
      assert.equal(error.code, 'internal', text);
      assert.equal(error.status, 502);
      assert.equal(error.message, 'HTTP 502');
    }
  });

  it('reads a request id from the body when no header carries one', () => {
    const text = JSON.stringify({ error: { code: 'internal', message: 'x', requestId: 'r-body' } });
    assert.equal(apiErrorFromResponse(500, headers(), text).requestId, 'r-body');
    assert.equal(apiErrorFromResponse(500, headers({ 'request-id': 'r-h' }), text).requestId, 'r-h');
  });

  it('parses Retry-After as seconds or as an HTTP date, never negative', () => {
    const now = Date.UTC(2025, 0, 1, 12, 0, 0);
    assert.equal(parseRetryAfter('120', now), 120_000);
    assert.equal(parseRetryAfter(' 0 ', now), 0);
    assert.equal(parseRetryAfter('Wed, 01 Jan 2025 12:00:30 GMT', now), 30_000);
    assert.equal(parseRetryAfter('Wed, 01 Jan 2025 11:00:00 GMT', now), 0);
    assert.equal(parseRetryAfter('soon', now), undefined);
    assert.equal(parseRetryAfter('-5', now), undefined);
    assert.equal(parseRetryAfter(null, now), undefined);
  });

  it('builds an ApiError from a WebSocket error payload, with the registry status', () => {
    const known = apiErrorFromPayload({ code: 'not_found', message: 'Not found.' });
    assert.equal(known.status, 404);
    assert.equal(known.isNotFound(), true);
    const unknown = apiErrorFromPayload({ code: 'brand_new', message: 'x' });
    assert.equal(unknown.code, 'brand_new');
    assert.equal(unknown.status, 0);
    assert.equal(apiErrorFromPayload('garbage').code, 'internal');
  });

  it('gives each failure its own class and code', () => {
    const network = new NetworkError('timeout', 'slow', { cause: new Error('inner') });
    assert.ok(network instanceof RetractError && isNetworkError(network) && !isApiError(network));
    assert.equal(network.code, 'network');
    assert.equal(network.reason, 'timeout');
    assert.ok(network.cause instanceof Error);
    const protocol = new ProtocolError('garbled');
    assert.equal(protocol.code, 'protocol');
    assert.equal(protocol.name, 'ProtocolError');
    assert.ok(isRetractError(protocol) && !isNetworkError(protocol));
  });
});
