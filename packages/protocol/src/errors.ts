/**
 * The one registry of error codes. Every error the server sends — HTTP body, WebSocket reply or close —
 * carries one of these codes. Clients branch on `code`, never on `message`.
 *
 * The map is exhaustive by type: adding a code without its status, message and documentation fails to
 * compile, and docs/errors.md is checked against it by a test.
 */
export const errorRegistry = {
  invalid_request: {
    status: 400,
    message: 'The request does not match its schema.',
    doc: 'Body, query or path failed validation: wrong type, missing or unknown field, too long, too deep. `details` lists the problems.',
  },
  invalid_json: {
    status: 400,
    message: 'The request body is not valid JSON.',
    doc: 'The body could not be parsed, or it tried to set `__proto__` or `constructor.prototype`.',
  },
  body_too_large: {
    status: 413,
    message: 'The request body is larger than the server accepts.',
    doc: '`details.limit` gives the limit in bytes.',
  },
  unsupported_media_type: {
    status: 415,
    message: 'Send the body as application/json.',
    doc: 'Only `application/json` bodies are accepted.',
  },
  unauthenticated: {
    status: 401,
    message: 'A valid session token is required.',
    doc: 'The `Authorization: Bearer …` header is missing, malformed, or names a session that was logged out.',
    wsClose: 4401,
  },
  invalid_credentials: {
    status: 401,
    message: 'Wrong username or password.',
    doc: 'Login failed. The same code is used whether or not the user exists.',
  },
  username_taken: {
    status: 409,
    message: 'That username is already taken.',
    doc: 'Registration with a username that exists (usernames compare case-insensitively).',
  },
  not_found: {
    status: 404,
    message: 'Not found.',
    doc: 'The conversation or message does not exist, or the caller is not allowed to see it — the two are deliberately indistinguishable.',
  },
  route_not_found: {
    status: 404,
    message: 'No such endpoint.',
    doc: 'The method and path match no API route.',
  },
  user_not_found: {
    status: 404,
    message: 'No such user.',
    doc: 'A user named in the request (for example as a new member) does not exist.',
  },
  not_permitted: {
    status: 403,
    message: 'You are not allowed to do that.',
    doc: 'The caller may see the target but lacks the role for the action (for example recalling someone else’s message, or a member adding members).',
  },
  recall_window_expired: {
    status: 403,
    message: 'The time to recall this message has passed.',
    doc: '`details` carries `windowSeconds`, `sentAt` and `now` (server clock, ISO 8601) — the facts behind the decision.',
  },
  content_type_not_recallable: {
    status: 403,
    message: 'Messages of this type cannot be recalled here.',
    doc: 'The policy in force does not list the message’s content type as recallable. `details.type` names it.',
  },
  reason_required: {
    status: 422,
    message: 'A reason is required to remove someone else’s message.',
    doc: 'The policy requires moderators to give a reason; send `{ "reason": "…" }`.',
  },
  needs_consent: {
    status: 403,
    message: 'The time to recall this message has passed; you can ask for consent instead.',
    doc: 'Past the window, but the policy allows a consent request until `details.consentUntil`.',
  },
  consent_not_needed: {
    status: 409,
    message: 'You can still recall this message yourself; no consent is needed.',
    doc: 'A consent request was made for a message its sender may recall directly (or that is already recalled). Recall it instead.',
  },
  consent_not_pending: {
    status: 409,
    message: 'This consent request has already been decided, cancelled or has expired.',
    doc: '`details.status` gives the request’s state now (`approved`, `declined`, `cancelled` or `expired`).',
  },
  consent_declined: {
    status: 409,
    message: 'Your request to recall this message was declined.',
    doc: 'A declined request is final for that message: asking again after a no would be pressure. `details.consentRequestId` names the declined request.',
  },
  send_already_delivered: {
    status: 409,
    message: 'This message has already been delivered; recall it instead.',
    doc: 'Undo send works only while a message is held for the sender’s send delay. Once delivered, recall is the way back.',
  },
  policy_invalid: {
    status: 422,
    message: 'The policy document is not valid.',
    doc: '`details.errors` lists each problem with its JSON path, a `code` and its `params` (docs/policies.md); `details.path` is the first.',
  },
  policy_out_of_bounds: {
    status: 422,
    message: 'The policy goes beyond what the server allows for conversations.',
    doc: '`details.errors` lists each setting that exceeds the operator’s bounds, with its path, a `code` and its `params` (docs/policies.md).',
  },
  attachment_gone: {
    status: 410,
    message: 'This attachment was removed with its message.',
    doc: 'The message was recalled (or expired) and its file deleted; the URL will never work again.',
  },
  attachment_too_large: {
    status: 413,
    message: 'The file is larger than the server accepts.',
    doc: '`details.maxBytes` gives the limit.',
  },
  attachment_type_mismatch: {
    status: 415,
    message: 'The file’s contents do not match the kind it was uploaded as.',
    doc: 'The server reads the bytes: an upload declared as `image` (or `voice`, `video`) that is something else is refused. `details.found` names what it is. Upload it as `file` instead.',
  },
  attachment_invalid: {
    status: 422,
    message: 'That attachment cannot be used here.',
    doc: 'The attachment does not exist, is not yours, is already part of a message, or does not match the message type.',
  },
  audit_out_of_range: {
    status: 422,
    message: 'That index or tree size is beyond the audit log.',
    doc: 'A proof was asked for a tree larger than the audit log (`details.size` gives its size now), for a leaf at or past the tree size, or from a larger tree to a smaller one.',
  },
  invalid_conversation: {
    status: 422,
    message: 'That conversation cannot be created or changed that way.',
    doc: 'For example a direct conversation needs exactly one other member, members cannot be added to a direct conversation, and the last owner of a group cannot be removed.',
  },
  idempotency_key_reused: {
    status: 409,
    message: 'This clientMsgId was already used for a different message.',
    doc: 'A retry must repeat the original send exactly (same conversation, same content).',
  },
  invalid_frame: {
    status: 400,
    message: 'The WebSocket frame does not match its schema.',
    doc: 'WebSocket only: the frame is not JSON or not a known frame. The connection stays open.',
  },
  auth_timeout: {
    status: 401,
    message: 'No auth frame arrived in time.',
    doc: 'WebSocket only: without an `Authorization` header the first frame must be `auth`, within the timeout.',
    wsClose: 4408,
  },
  session_revoked: {
    status: 401,
    message: 'This session was logged out.',
    doc: 'WebSocket close reason when the device’s session ends while connected.',
    wsClose: 4403,
  },
  cursor_ahead: {
    status: 400,
    message: 'The cursor is ahead of the server.',
    doc: 'A sync or resume cursor larger than the last sequence number issued to the user: the local state belongs to another server or database. Drop it and start from 0.',
    wsClose: 4400,
  },
  slow_consumer: {
    status: 429,
    message: 'The connection fell too far behind and was closed.',
    doc: 'WebSocket close reason when a client stops reading and its unsent backlog passes the server’s limit. Reconnect and resume from the cursor.',
    wsClose: 4429,
  },
  rate_limited: {
    status: 429,
    message: 'Too many requests; slow down and try again later.',
    doc: 'The caller’s request budget is spent (per user, per API key, or per address before login; see docs/limits.md). HTTP sends a `Retry-After` header; `details.retryAfterSeconds` says the same, over WebSocket too, where the connection stays open.',
  },
  too_many_connections: {
    status: 429,
    message: 'Too many open connections for this user.',
    doc: 'WebSocket close reason when the user already holds `ws.maxConnectionsPerUser` sockets on this server node. Close another one first.',
    wsClose: 4409,
  },
  account_disabled: {
    status: 403,
    message: 'This account is disabled.',
    doc: 'Login with the right password to an account a server admin disabled. Its sessions were revoked when it was disabled; a server admin can enable it again.',
  },
  unavailable: {
    status: 503,
    message: 'The server cannot serve this right now; try again.',
    doc: 'Storage is unreachable or the server is shutting down. Nothing was written.',
    wsClose: 1013,
  },
  internal: {
    status: 500,
    message: 'Something went wrong on the server.',
    doc: 'An unexpected failure. It is logged with the request id; no detail is sent to the client.',
    wsClose: 1011,
  },
} as const satisfies Record<string, ErrorSpec>;

export interface ErrorSpec {
  readonly status: number;
  readonly message: string;
  readonly doc: string;
  readonly wsClose?: number;
}

export type ErrorCode = keyof typeof errorRegistry;

export const errorCodes = Object.keys(errorRegistry) as ErrorCode[];

/** The body of every error response: `{ "error": { code, message, details } }`. */
export interface ErrorBody {
  readonly error: ErrorPayload;
}

export interface ErrorPayload {
  readonly code: ErrorCode;
  readonly message: string;
  readonly details?: Readonly<Record<string, unknown>>;
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(errorRegistry, value);
}

export function errorPayload(code: ErrorCode, details?: Record<string, unknown>): ErrorPayload {
  return details === undefined
    ? { code, message: errorRegistry[code].message }
    : { code, message: errorRegistry[code].message, details };
}
