import type { api, push, stats } from '@retract/protocol';
import { apiErrorFromResponse, NetworkError, ProtocolError, type HeaderReader } from './errors.js';

/** The part of a fetch Response the SDK reads, so any fetch implementation fits. */
export interface FetchResponse {
  readonly status: number;
  readonly ok: boolean;
  readonly headers: HeaderReader;
  text(): Promise<string>;
  /**
   * Read by `downloadAttachment` only, which uses `blob()` when there is one, else `arrayBuffer()`.
   * Optional so that a fetch which only ever serves JSON still fits.
   */
  blob?(): Promise<Blob>;
  arrayBuffer?(): Promise<ArrayBuffer>;
}

/** A request body: JSON text, or the raw bytes of an upload (what both browsers and Node can send). */
export type FetchBody = string | Blob | ArrayBuffer | Uint8Array;

export interface FetchInit {
  method: string;
  headers: Record<string, string>;
  body?: FetchBody;
  signal?: AbortSignal;
}

export type FetchLike = (url: string, init: FetchInit) => Promise<FetchResponse>;

export type RegisterResponse = api.RegisterResponse;
export type ConversationResponse = api.ConversationResponse;
/** A conversation's disappearing-messages timer as set: `{ mode, seconds }`, or null when off. */
export type DisappearingSetting = api.DisappearingBody['disappearing'];

/** The bytes of an upload: a browser's File or Blob, or bytes read in Node. */
export type AttachmentBytes = Blob | ArrayBuffer | Uint8Array;

export interface UploadOptions extends api.UploadQuery {
  /** Overrides the client's `timeoutMs` for this transfer: large files on slow links take a while. */
  readonly timeoutMs?: number;
}

export interface DownloadOptions {
  /** Overrides the client's `timeoutMs` for this transfer, which includes reading the bytes. */
  readonly timeoutMs?: number;
}

export interface HistoryOptions {
  /** `nextBefore` of the previous page. */
  readonly before?: string;
  readonly limit?: number;
}

export interface SyncOptions {
  readonly after?: number;
  readonly limit?: number;
}

export interface HttpApiOptions {
  /** `https://chat.example.com` — the `/v1/…` paths are appended. */
  readonly baseUrl: string;
  readonly token?: string | null;
  /** Defaults to the global fetch, looked up at call time. */
  readonly fetch?: FetchLike;
  /** Abort a request that has not answered after this long (NetworkError `timeout`). Default 30 s. */
  readonly timeoutMs?: number;
}

type Query = Readonly<Record<string, string | number | undefined>>;

/** One method per `/v1` endpoint. Non-2xx answers throw ApiError; failed requests throw NetworkError. */
export class HttpApi {
  readonly baseUrl: string;
  /** Sent as `Authorization: Bearer …` when set. */
  token: string | null;
  readonly #fetch: FetchLike;
  readonly #timeoutMs: number;
  /** Server clock minus this device's, from the `retract-time` of the latest answer; 0 before any. */
  #clockOffsetMs = 0;

  constructor(options: HttpApiOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.token = options.token ?? null;
    // Called through a wrapper: browsers throw "Illegal invocation" when fetch loses its `this`. The
    // cast: to the type checker a Uint8Array may sit on a SharedArrayBuffer, which fetch refuses (that
    // surfaces as a NetworkError); bytes from a file, a Blob or a Buffer never do.
    this.#fetch = options.fetch ?? ((url, init) => globalThis.fetch(url, init as RequestInit));
    this.#timeoutMs = options.timeoutMs ?? 30_000;
  }

  register(body: api.RegisterRequest): Promise<RegisterResponse> {
    return this.#request('POST', '/v1/users', { body });
  }

  login(body: api.LoginRequest): Promise<api.LoginResponse> {
    return this.#request('POST', '/v1/sessions', { body });
  }

  logout(): Promise<void> {
    return this.#request('DELETE', '/v1/sessions/current');
  }

  me(): Promise<api.MeResponse> {
    return this.#request('GET', '/v1/me');
  }

  /** Changes the password; every other session of the user ends (their sockets close), this one stays. */
  changePassword(body: {
    currentPassword: string;
    newPassword: string;
  }): Promise<{ revokedSessions: number }> {
    return this.#request('PUT', '/v1/me/password', { body });
  }

  /** Server admins: disable (no login, every session ends at once) or enable an account. */
  setAccountDisabled(
    username: string,
    disabled: boolean,
  ): Promise<{ user: { id: string; username: string }; disabled: boolean; revokedSessions: number }> {
    const action = disabled ? 'disable' : 'enable';
    return this.#request('POST', `/v1/admin/users/${encodeURIComponent(username)}/${action}`);
  }

  createConversation(body: api.CreateConversationRequest): Promise<ConversationResponse> {
    return this.#request('POST', '/v1/conversations', { body });
  }

  listConversations(): Promise<api.ConversationList> {
    return this.#request('GET', '/v1/conversations');
  }

  addMembers(conversationId: string, body: api.AddMembersRequest): Promise<ConversationResponse> {
    return this.#request('POST', `/v1/conversations/${seg(conversationId)}/members`, { body });
  }

  removeMember(conversationId: string, userId: string): Promise<void> {
    return this.#request('DELETE', `/v1/conversations/${seg(conversationId)}/members/${seg(userId)}`);
  }

  /** 201 for a new message, 200 with `created: false` for a retry with the same clientMsgId. */
  sendMessage(conversationId: string, body: api.SendMessageRequest): Promise<api.SendMessageResponse> {
    return this.#request('POST', `/v1/conversations/${seg(conversationId)}/messages`, { body });
  }

  /** Newest first. */
  history(conversationId: string, options: HistoryOptions = {}): Promise<api.HistoryPage> {
    return this.#request('GET', `/v1/conversations/${seg(conversationId)}/messages`, {
      query: { before: options.before, limit: options.limit },
    });
  }

  recall(messageId: string, body?: api.RecallRequest): Promise<api.RecallResponse> {
    return this.#request('POST', `/v1/messages/${seg(messageId)}/recall`, body === undefined ? {} : { body });
  }

  hide(messageId: string): Promise<api.HideResponse> {
    return this.#request('POST', `/v1/messages/${seg(messageId)}/hide`);
  }

  /** What the caller may do with a message now, and until when (for a recall countdown). */
  recallOptions(messageId: string): Promise<api.RecallOptionsResponse> {
    return this.#request('GET', `/v1/messages/${seg(messageId)}/recall-options`);
  }

  /** Undo send: cancel a message still held for your send delay; its content comes back as a draft. */
  cancelSend(messageId: string): Promise<api.CancelSendResponse> {
    return this.#request('POST', `/v1/messages/${seg(messageId)}/cancel`, { body: {} });
  }

  /**
   * Uploads a file as raw bytes, for a message of the returned `kind` (`sendMessage` with its
   * `attachmentId`). The server reads the bytes: a `kind` of `image` (or `voice`, `video`) that is
   * something else is refused with `attachment_type_mismatch`; upload it as `file` instead.
   */
  uploadAttachment(bytes: AttachmentBytes, options: UploadOptions): Promise<api.UploadResponse> {
    return this.#request('POST', '/v1/attachments', {
      raw: bytes,
      query: { kind: options.kind, name: options.name },
      ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    });
  }

  /**
   * An attachment's bytes as a Blob (browsers: `URL.createObjectURL`; Node: `await blob.arrayBuffer()`),
   * whose `type` is the content type the server sent (empty when it sent none). Members only; once its
   * message is recalled or expired the file is gone for good: ApiError `attachment_gone` (410).
   */
  async downloadAttachment(attachmentId: string, options: DownloadOptions = {}): Promise<Blob> {
    const method = 'GET';
    const path = `/v1/attachments/${seg(attachmentId)}`;
    const response = await this.#send(method, path, {
      accept: '*/*',
      ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    });
    const contentType = response.headers.get('content-type') ?? '';
    const read = binaryReader(response);
    if (read === undefined) {
      throw new ProtocolError(`${method} ${path}: the fetch in use has neither blob() nor arrayBuffer()`);
    }
    let blob: Blob;
    try {
      blob = await read();
    } catch (error) {
      throw toNetworkError(error, `${method} ${path}`);
    }
    // Some fetch implementations leave `type` empty; the header is what the server meant.
    return blob.type === contentType ? blob : new Blob([blob], { type: contentType });
  }

  /**
   * Read receipt: you have read the conversation up to this message. Every member hears of it
   * (`conversation.read`); a position that does not move forward changes nothing.
   */
  markRead(conversationId: string, upTo: string): Promise<api.ReadResponse> {
    const body: api.ReadRequest = { upTo };
    return this.#request('POST', `/v1/conversations/${seg(conversationId)}/read`, { body });
  }

  /** The conversation's disappearing-messages timer (`disappearing: null` when off); members only. */
  disappearing(conversationId: string): Promise<api.DisappearingBody> {
    return this.#request('GET', `/v1/conversations/${seg(conversationId)}/disappearing`);
  }

  /**
   * Owners only: turns the timer on, changes it, or turns it off (null). Every member hears of it
   * (`disappearing.changed`); a message whose timer has already started keeps its `expiresAt`.
   */
  setDisappearing(conversationId: string, setting: DisappearingSetting): Promise<api.DisappearingBody> {
    const body: api.DisappearingBody = { disappearing: setting };
    return this.#request('PUT', `/v1/conversations/${seg(conversationId)}/disappearing`, { body });
  }

  settings(): Promise<api.SettingsResponse> {
    return this.#request('GET', '/v1/me/settings');
  }

  /** E.g. `{ sendDelaySeconds: 5 }` to hold each message five seconds so a send can be undone. */
  setSettings(settings: api.UserSettings): Promise<api.SettingsResponse> {
    return this.#request('PUT', '/v1/me/settings', { body: settings });
  }

  /** Past the window: ask the other person (or a group's owners and admins) to let you recall it. */
  askConsent(messageId: string, reason?: string): Promise<api.ConsentRequestResponse> {
    return this.#request('POST', `/v1/messages/${seg(messageId)}/consent-requests`, {
      body: reason === undefined ? {} : { reason },
    });
  }

  /** Consent requests you made or may decide, newest first. */
  consentRequests(query: api.ConsentListQuery = {}): Promise<api.ConsentRequestList> {
    return this.#request('GET', '/v1/consent-requests', {
      query: { status: query.status, limit: query.limit },
    });
  }

  consentRequest(requestId: string): Promise<api.ConsentRequestResponse> {
    return this.#request('GET', `/v1/consent-requests/${seg(requestId)}`);
  }

  /** Approving recalls the message, exactly as its sender's own recall would. */
  approveConsent(requestId: string, note?: string): Promise<api.ConsentApproveResponse> {
    return this.#request('POST', `/v1/consent-requests/${seg(requestId)}/approve`, {
      body: note === undefined ? {} : { note },
    });
  }

  declineConsent(requestId: string, note?: string): Promise<api.ConsentRequestResponse> {
    return this.#request('POST', `/v1/consent-requests/${seg(requestId)}/decline`, {
      body: note === undefined ? {} : { note },
    });
  }

  cancelConsent(requestId: string): Promise<api.ConsentRequestResponse> {
    return this.#request('POST', `/v1/consent-requests/${seg(requestId)}/cancel`, { body: {} });
  }

  /** Pre-send check: sensitive content in a draft, its audience and the recall window it would get. */
  checkMessage(conversationId: string, body: string): Promise<api.CheckMessageResponse> {
    return this.#request('POST', `/v1/conversations/${seg(conversationId)}/messages:check`, {
      body: { body },
    });
  }

  serverPolicy(): Promise<api.ServerPolicyResponse> {
    return this.#request('GET', '/v1/policy');
  }

  conversationPolicy(conversationId: string): Promise<api.ConversationPolicyResponse> {
    return this.#request('GET', `/v1/conversations/${seg(conversationId)}/policy`);
  }

  /** Owners only; null clears the conversation's own policy. */
  setConversationPolicy(conversationId: string, document: unknown): Promise<api.ConversationPolicyResponse> {
    return this.#request('PUT', `/v1/conversations/${seg(conversationId)}/policy`, { body: { document } });
  }

  /** Events after `after`, oldest first. */
  sync(options: SyncOptions = {}): Promise<api.SyncPage> {
    return this.#request('GET', '/v1/sync', { query: { after: options.after, limit: options.limit } });
  }

  /** The audit log's latest signed checkpoint and public key (needs no session). */
  auditCheckpoint(): Promise<api.AuditCheckpointResponse> {
    return this.#request('GET', '/v1/audit/checkpoint');
  }

  /** Server admins: sign an audit checkpoint now. */
  signAuditCheckpoint(): Promise<api.SignCheckpointResponse> {
    return this.#request('POST', '/v1/audit/checkpoints', { body: {} });
  }

  /** Server admins and the compliance role: audit log entries from `from`, in order. */
  auditEntries(query: api.AuditEntriesQuery = {}): Promise<api.AuditEntriesPage> {
    return this.#request('GET', '/v1/audit/entries', { query: { from: query.from, limit: query.limit } });
  }

  auditInclusionProof(index: number, treeSize: number): Promise<api.InclusionProofResponse> {
    return this.#request('GET', '/v1/audit/proofs/inclusion', { query: { index, treeSize } });
  }

  auditConsistencyProof(from: number, to: number): Promise<api.ConsistencyProofResponse> {
    return this.#request('GET', '/v1/audit/proofs/consistency', { query: { from, to } });
  }

  /** An evidence bundle for one message or one conversation (give exactly one). */
  auditEvidence(query: api.EvidenceQuery): Promise<api.EvidenceBundle> {
    return this.#request('GET', '/v1/audit/evidence', {
      query: { messageId: query.messageId, conversationId: query.conversationId },
    });
  }

  /** Server admins: recall figures over a period (default: the last 7 days, the server's zone). */
  stats(query: stats.StatsQuery = {}): Promise<stats.RecallStats> {
    return this.#request('GET', '/v1/admin/stats', {
      query: { from: query.from, to: query.to, tz: query.tz },
    });
  }

  /** Server admins: how many window denials in the period a window of `windowSeconds` would have allowed. */
  whatIf(query: stats.WhatIfQuery): Promise<stats.WhatIf> {
    return this.#request('GET', '/v1/admin/stats/what-if', {
      query: { from: query.from, to: query.to, tz: query.tz, windowSeconds: query.windowSeconds },
    });
  }

  /** The server's VAPID public key, for `pushManager.subscribe({ applicationServerKey })`. No session needed. */
  vapidPublicKey(): Promise<push.VapidPublicKeyResponse> {
    return this.#request('GET', '/v1/push/vapid-public-key');
  }

  /** Registers a push target for this device; a gateway's signing secret is in the answer, this once. */
  registerPushTarget(target: push.RegisterPushTargetRequest): Promise<push.RegisterPushTargetResponse> {
    return this.#request('POST', '/v1/devices/me/push-targets', { body: target });
  }

  pushTargets(): Promise<push.PushTargetsResponse> {
    return this.#request('GET', '/v1/devices/me/push-targets');
  }

  deletePushTarget(id: string): Promise<void> {
    return this.#request('DELETE', `/v1/devices/me/push-targets/${seg(id)}`);
  }

  async #request<T>(
    method: string,
    path: string,
    options: { body?: unknown; raw?: AttachmentBytes; query?: Query; timeoutMs?: number } = {},
  ): Promise<T> {
    const response = await this.#send(method, path, { ...options, accept: 'application/json' });
    let text: string;
    try {
      text = await response.text();
    } catch (error) {
      throw toNetworkError(error, `${method} ${path}`);
    }
    if (response.status === 204 || text === '') return undefined as T;
    try {
      // Trusted, not validated: the server validates what it sends, and a schema validator would
      // make the browser bundle several times larger.
      return JSON.parse(text) as T;
    } catch (error) {
      throw new ProtocolError(`${method} ${path}: response is not JSON`, { cause: error });
    }
  }

  /**
   * The server's clock now, as well as this device can tell: the device's clock corrected by the offset
   * the last answer showed. Countdowns to a server deadline (a recall window's `until`, an undo-send's
   * `until`, a message's `expiresAt`) should run against this, not `Date.now()`.
   */
  serverNow(): number {
    return Date.now() + this.#clockOffsetMs;
  }

  /** Server clock minus this device's clock, in ms (positive: the device is behind). */
  get clockOffsetMs(): number {
    return this.#clockOffsetMs;
  }

  /**
   * The server stamped its answer somewhere between sending and receiving it: the midpoint is the best
   * guess of the local moment that stamp matches (off by at most half the round trip).
   */
  #noteServerTime(stamp: string | null, sentAt: number, receivedAt: number): void {
    const server = stamp === null ? NaN : Date.parse(stamp);
    if (Number.isNaN(server)) return;
    this.#clockOffsetMs = server - (sentAt + receivedAt) / 2;
  }

  /**
   * Sends one request and returns the answer with its body unread; a non-2xx answer throws ApiError,
   * a failed request NetworkError. The timeout also covers reading the body afterwards.
   */
  async #send(
    method: string,
    path: string,
    options: { accept: string; body?: unknown; raw?: AttachmentBytes; query?: Query; timeoutMs?: number },
  ): Promise<FetchResponse> {
    const headers: Record<string, string> = { accept: options.accept };
    if (this.token !== null) headers['authorization'] = `Bearer ${this.token}`;
    const init: FetchInit = {
      method,
      headers,
      signal: AbortSignal.timeout(options.timeoutMs ?? this.#timeoutMs),
    };
    // The server rejects a content-type without a body, so both go together.
    if (options.raw !== undefined) {
      headers['content-type'] = 'application/octet-stream';
      init.body = options.raw;
    } else if (options.body !== undefined) {
      headers['content-type'] = 'application/json';
      init.body = JSON.stringify(options.body);
    }
    const url = this.baseUrl + path + queryString(options.query);

    let response: FetchResponse;
    const sentAt = Date.now();
    try {
      response = await this.#fetch(url, init);
    } catch (error) {
      throw toNetworkError(error, `${method} ${path}`);
    }
    this.#noteServerTime(response.headers.get('retract-time'), sentAt, Date.now());
    if (response.ok) return response;
    let text: string;
    try {
      text = await response.text();
    } catch (error) {
      throw toNetworkError(error, `${method} ${path}`);
    }
    throw apiErrorFromResponse(response.status, response.headers, text);
  }
}

function seg(value: string): string {
  return encodeURIComponent(value);
}

function queryString(query: Query | undefined): string {
  if (query === undefined) return '';
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value !== undefined) params.set(key, String(value));
  const text = params.toString();
  return text === '' ? '' : `?${text}`;
}

/** Reads a body as a Blob with whichever binary reader the fetch in use offers, if any. */
function binaryReader(response: FetchResponse): (() => Promise<Blob>) | undefined {
  const { blob, arrayBuffer } = response;
  if (blob !== undefined) return () => blob.call(response);
  if (arrayBuffer !== undefined) return async () => new Blob([await arrayBuffer.call(response)]);
  return undefined;
}

function toNetworkError(error: unknown, what: string): NetworkError {
  const timedOut = error instanceof Error && error.name === 'TimeoutError';
  return new NetworkError(timedOut ? 'timeout' : 'fetch_failed', `${what} failed: ${describe(error)}`, {
    cause: error,
  });
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
