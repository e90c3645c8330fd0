import { errorRegistry, isErrorCode, type ErrorCode } from '@retract/protocol';

/**
 * A registry code, or a code a newer server sent that this SDK does not know yet (`rate_limited`, …).
 * Kept open instead of being mapped to `internal` so callers can still branch on it; the
 * `Record<never, never>` keeps editor completion for the known codes.
 */
export type ApiErrorCode = ErrorCode | (string & Record<never, never>);

/** `network`: the request or socket failed before an answer arrived. `protocol`: the answer made no sense. */
export type RetractErrorCode = ApiErrorCode | 'network' | 'protocol';

/** Base class of every error the SDK throws on purpose. Branch on `code`, never on `message`. */
export class RetractError extends Error {
  readonly code: RetractErrorCode;

  constructor(code: RetractErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    // Set explicitly: class names do not survive browser minifiers.
    this.name = 'RetractError';
  }
}

export interface ApiErrorInit {
  readonly code: ApiErrorCode;
  readonly message: string;
  /** HTTP status; for a WebSocket reply, the status the registry gives the code (0 if unknown). */
  readonly status: number;
  readonly details?: Readonly<Record<string, unknown>>;
  readonly requestId?: string;
  readonly retryAfterMs?: number;
}

/** The server answered with an error body (HTTP) or an `ok: false` reply (WebSocket). */
export class ApiError extends RetractError {
  declare readonly code: ApiErrorCode;
  readonly status: number;
  readonly details: Readonly<Record<string, unknown>> | undefined;
  readonly requestId: string | undefined;
  /** From the `Retry-After` header (seconds or HTTP date); undefined when the server sent none. */
  readonly retryAfterMs: number | undefined;

  constructor(init: ApiErrorInit) {
    super(init.code, init.message);
    this.name = 'ApiError';
    this.status = init.status;
    this.details = init.details;
    this.requestId = init.requestId;
    this.retryAfterMs = init.retryAfterMs;
  }

  isRecallWindowExpired(): boolean {
    return this.code === 'recall_window_expired';
  }

  /** Only `not_found` (missing or invisible target), not `user_not_found` or `route_not_found`. */
  isNotFound(): boolean {
    return this.code === 'not_found';
  }

  isNotPermitted(): boolean {
    return this.code === 'not_permitted';
  }

  /** The token no longer works: log in again. `invalid_credentials` (a failed login) is not included. */
  isUnauthenticated(): boolean {
    return this.code === 'unauthenticated' || this.code === 'session_revoked';
  }

  /** `rate_limited` is not in the registry yet; compared as a plain string so it works once it is. */
  isRateLimited(): boolean {
    return this.code === 'rate_limited';
  }
}

export type NetworkFailure = 'fetch_failed' | 'socket_closed' | 'not_connected' | 'timeout';

/**
 * No answer arrived. The request may or may not have taken effect on the server, so only idempotent
 * requests (a send with the same clientMsgId, a recall) should be retried blindly.
 */
export class NetworkError extends RetractError {
  declare readonly code: 'network';
  readonly reason: NetworkFailure;

  constructor(reason: NetworkFailure, message: string, options?: { cause?: unknown }) {
    super('network', message, options);
    this.name = 'NetworkError';
    this.reason = reason;
  }
}

/** The server sent something this SDK cannot read: not JSON, an unknown shape, a gap in a sync page. */
export class ProtocolError extends RetractError {
  declare readonly code: 'protocol';

  constructor(message: string, options?: { cause?: unknown }) {
    super('protocol', message, options);
    this.name = 'ProtocolError';
  }
}

export function isRetractError(error: unknown): error is RetractError {
  return error instanceof RetractError;
}

export function isApiError(error: unknown): error is ApiError {
  return error instanceof ApiError;
}

export function isNetworkError(error: unknown): error is NetworkError {
  return error instanceof NetworkError;
}

export function isProtocolError(error: unknown): error is ProtocolError {
  return error instanceof ProtocolError;
}

export function isRecallWindowExpired(error: unknown): error is ApiError {
  return isApiError(error) && error.isRecallWindowExpired();
}

export function isNotFound(error: unknown): error is ApiError {
  return isApiError(error) && error.isNotFound();
}

export function isNotPermitted(error: unknown): error is ApiError {
  return isApiError(error) && error.isNotPermitted();
}

export function isUnauthenticated(error: unknown): error is ApiError {
  return isApiError(error) && error.isUnauthenticated();
}

export function isRateLimited(error: unknown): error is ApiError {
  return isApiError(error) && error.isRateLimited();
}

/** The part of `Headers` the SDK reads, so any fetch implementation's response fits. */
export interface HeaderReader {
  get(name: string): string | null;
}

/**
 * Parses `Retry-After`: delta-seconds or an HTTP date (RFC 9110 §10.2.3). Undefined when absent or
 * unreadable; never negative.
 */
export function parseRetryAfter(value: string | null, now: number = Date.now()): number | undefined {
  if (value === null) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  // Date.parse accepts bare numbers such as "-5" as years; an HTTP date always names a weekday.
  if (!/^[A-Za-z]{3},/.test(trimmed)) return undefined;
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

/** Builds an ApiError from an HTTP error response. An unreadable body becomes `internal`. */
export function apiErrorFromResponse(
  status: number,
  headers: HeaderReader,
  bodyText: string,
  now: number = Date.now(),
): ApiError {
  const payload = readErrorPayload(bodyText);
  const requestId =
    headers.get('x-request-id') ?? headers.get('request-id') ?? payload?.requestId ?? undefined;
  const retryAfterMs = parseRetryAfter(headers.get('retry-after'), now);
  const code = payload?.code ?? 'internal';
  return new ApiError({
    code,
    message: payload?.message ?? `HTTP ${status}`,
    status,
    ...(payload?.details === undefined ? {} : { details: payload.details }),
    ...(requestId === undefined ? {} : { requestId }),
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
  });
}

/** Builds an ApiError from the `error` of a WebSocket reply or error frame. */
export function apiErrorFromPayload(payload: unknown): ApiError {
  const read = readPayloadObject(payload);
  const code = read?.code ?? 'internal';
  return new ApiError({
    code,
    message: read?.message ?? 'Malformed error payload.',
    status: isErrorCode(code) ? errorRegistry[code].status : 0,
    ...(read?.details === undefined ? {} : { details: read.details }),
    ...(read?.requestId === undefined ? {} : { requestId: read.requestId }),
  });
}

interface ReadPayload {
  readonly code: string;
  readonly message: string;
  readonly details: Readonly<Record<string, unknown>> | undefined;
  readonly requestId: string | undefined;
}

function readErrorPayload(bodyText: string): ReadPayload | undefined {
  let body: unknown;
  try {
    body = JSON.parse(bodyText);
  } catch {
    return undefined;
  }
  return isRecord(body) ? readPayloadObject(body['error']) : undefined;
}

function readPayloadObject(value: unknown): ReadPayload | undefined {
  if (!isRecord(value) || typeof value['code'] !== 'string' || value['code'] === '') return undefined;
  const details = value['details'];
  const requestId = value['requestId'];
  return {
    code: value['code'],
    message: typeof value['message'] === 'string' ? value['message'] : value['code'],
    details: isRecord(details) ? details : undefined,
    requestId: typeof requestId === 'string' ? requestId : undefined,
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
