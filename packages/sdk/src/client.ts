import { limits, type api, type Conversation, type Event, type Message, type User } from '@retract/protocol';
import { backoffDelay, defaultBackoff, type BackoffOptions } from './backoff.js';
import type { ConnectionState, StateChange } from './codes.js';
import { Connection, type ConnectionEvents } from './connection.js';
import { Emitter, type Listener } from './emitter.js';
import { ApiError, NetworkError, RetractError } from './errors.js';
import { HttpApi, type FetchLike } from './http.js';
import { newClientMsgId } from './ids.js';
import { realScheduler, type Scheduler } from './scheduler.js';
import { snapshotFromFetch, type TimelineSnapshot } from './snapshot.js';
import { TimelineStore } from './store.js';
import type { WebSocketConstructor } from './transport.js';

export interface ClientOptions {
  /** `https://chat.example.com` (no `/v1`). */
  readonly baseUrl: string;
  /** A session token from an earlier login; otherwise call `login()`. */
  readonly token?: string | null;
  /** Defaults to the global WebSocket; in Node 20 pass the `ws` package's. */
  readonly WebSocket?: WebSocketConstructor;
  /** Defaults to the global fetch. */
  readonly fetch?: FetchLike;
  /** A store to keep applying to (e.g. restored from disk; its cursor is resumed from). */
  readonly store?: TimelineStore;
  /** Reconnect and retry backoff (full jitter). */
  readonly backoff?: Partial<BackoffOptions>;
  readonly random?: () => number;
  readonly scheduler?: Scheduler;
  /** How many times send and recall are retried after a network failure. Default 3. */
  readonly retries?: number;
  readonly ackDelayMs?: number;
  readonly connectTimeoutMs?: number;
  readonly requestTimeoutMs?: number;
  readonly httpTimeoutMs?: number;
}

export interface ClientEvents {
  state: StateChange;
  ready: ConnectionEvents['ready'];
  /** An event, after it was applied to the store. */
  event: Event;
  synced: ConnectionEvents['synced'];
  error: RetractError;
}

export interface SendOptions {
  /** Idempotency key; generated when absent. Reuse it to retry a send without duplicating it. */
  readonly clientMsgId?: string;
}

/**
 * HTTP API + local store + event connection, wired together: every event the connection delivers is
 * applied to the store, then re-emitted. Commands (`send`, `recall`, `hide`) go over HTTP; the store
 * changes only when their events arrive, so it always reflects the server's order.
 */
export class RetractClient {
  readonly http: HttpApi;
  readonly store: TimelineStore;
  readonly connection: Connection;
  readonly #emitter = new Emitter<ClientEvents>();
  readonly #scheduler: Scheduler;
  readonly #random: () => number;
  readonly #backoff: BackoffOptions;
  readonly #retries: number;
  #user: User | null = null;
  /** Events delivered while a refresh() is fetching; replayed on top of the fetched state. */
  readonly #refreshLogs = new Set<Event[]>();

  constructor(options: ClientOptions) {
    this.http = new HttpApi({
      baseUrl: options.baseUrl,
      token: options.token ?? null,
      ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
      ...(options.httpTimeoutMs === undefined ? {} : { timeoutMs: options.httpTimeoutMs }),
    });
    this.store = options.store ?? new TimelineStore();
    this.#scheduler = options.scheduler ?? realScheduler;
    this.#random = options.random ?? Math.random;
    this.#backoff = { ...defaultBackoff, ...options.backoff };
    this.#retries = options.retries ?? 3;
    this.connection = new Connection({
      baseUrl: options.baseUrl,
      token: () => this.http.token,
      cursor: this.store.cursor,
      fetchEvents: (after) => this.http.sync({ after, limit: limits.maxPageSize }),
      backoff: this.#backoff,
      random: this.#random,
      scheduler: this.#scheduler,
      ...pick(options, ['WebSocket', 'ackDelayMs', 'connectTimeoutMs', 'requestTimeoutMs']),
    });
    this.connection.on('event', (event) => this.#onEvent(event));
    this.connection.on('ready', (ready) => {
      if (this.store.userId === null) this.store.setUser(ready.userId);
      this.#emitter.emit('ready', ready);
    });
    this.connection.on('state', (change) => {
      this.#emitter.emit('state', change);
      // The server no longer knows this cursor (its database was replaced): the local state describes
      // a world that is gone. Start over from 0; the replay rebuilds everything.
      if (change.reason.code === 'cursor_ahead' && this.connection.cursor > 0) {
        this.store.reset(this.store.userId);
        this.connection.resetCursor(0);
        this.connection.connect();
      }
    });
    this.connection.on('synced', (synced) => this.#emitter.emit('synced', synced));
    this.connection.on('error', (error) => this.#emitter.emit('error', error));
  }

  get token(): string | null {
    return this.http.token;
  }

  /** The logged-in user, once known (after login or `me()`). */
  get user(): User | null {
    return this.#user;
  }

  get state(): ConnectionState {
    return this.connection.state;
  }

  on<K extends keyof ClientEvents>(name: K, listener: Listener<ClientEvents[K]>): () => void {
    return this.#emitter.on(name, listener);
  }

  /** Creates an account; does not log in. */
  async register(username: string, password: string): Promise<User> {
    return (await this.http.register({ username, password })).user;
  }

  /** Logs in and keeps the token. Logging in as someone else empties the store. */
  async login(username: string, password: string, deviceName?: string): Promise<api.LoginResponse> {
    const response = await this.http.login({
      username,
      password,
      ...(deviceName === undefined ? {} : { deviceName }),
    });
    this.#adoptUser(response.user);
    this.http.token = response.token;
    return response;
  }

  /** Ends the session on the server, closes the connection and empties the store. */
  async logout(): Promise<void> {
    this.connection.close();
    try {
      await this.http.logout();
    } finally {
      this.http.token = null;
      this.#user = null;
      this.store.reset(null);
      this.connection.resetCursor(0);
    }
  }

  /** Fetches the user and device behind the token. */
  async me(): Promise<api.MeResponse> {
    const me = await this.http.me();
    this.#adoptUser(me.user);
    return me;
  }

  /** Opens the event stream, resuming from the store's cursor. */
  connect(): void {
    if (this.http.token === null) throw new RetractError('unauthenticated', 'Log in before connecting.');
    this.connection.connect();
  }

  disconnect(): void {
    this.connection.disconnect();
  }

  /**
   * Sends a text message over HTTP. A network failure (or `unavailable`, `rate_limited`) is retried with
   * the same clientMsgId, so the server never stores it twice.
   */
  send(conversationId: string, body: string, options: SendOptions = {}): Promise<api.SendMessageResponse> {
    const clientMsgId = options.clientMsgId ?? newClientMsgId();
    return this.#withRetries(() => this.http.sendMessage(conversationId, { clientMsgId, body }));
  }

  /** Recalls a message. Retried like send: recalling twice returns the same tombstone. */
  recall(messageId: string, reason?: string): Promise<api.RecallResponse> {
    return this.#withRetries(() =>
      this.http.recall(messageId, reason === undefined ? undefined : { reason }),
    );
  }

  /** Hides a message on all of this user's devices ("delete for me"). Not retried. */
  hide(messageId: string): Promise<api.HideResponse> {
    return this.http.hide(messageId);
  }

  /** Catches up over HTTP into the store; resolves to the number of events applied. */
  sync(): Promise<number> {
    return this.connection.catchUp();
  }

  /** A fresh fetch (conversations and all their history) as a snapshot; the store is not touched. */
  async fetchSnapshot(): Promise<TimelineSnapshot> {
    const userId = await this.#userId();
    const fetched = await this.#fetchAll();
    return snapshotFromFetch(userId, fetched.conversations, fetched.messagesByConversation);
  }

  /**
   * Reloads the store from a fresh fetch and returns its snapshot. Events delivered while fetching are
   * applied again on top, so none is lost; this is safe because every store rule is idempotent.
   */
  async refresh(): Promise<TimelineSnapshot> {
    await this.#userId();
    // Every event up to this cursor is already reflected in what the server returns next.
    const cursor = this.connection.cursor;
    const log: Event[] = [];
    this.#refreshLogs.add(log);
    try {
      const fetched = await this.#fetchAll();
      this.store.loadSnapshot({ ...fetched, cursor });
      this.store.applyAll(log);
    } finally {
      this.#refreshLogs.delete(log);
    }
    return this.store.snapshot();
  }

  #onEvent(event: Event): void {
    this.store.apply(event);
    for (const log of this.#refreshLogs) log.push(event);
    this.#emitter.emit('event', event);
  }

  #adoptUser(user: User): void {
    this.#user = user;
    if (this.store.userId !== null && this.store.userId !== user.id) {
      // Another account: its cursor means nothing for this one.
      this.connection.disconnect();
      this.store.setUser(user.id);
      this.connection.resetCursor(0);
    } else {
      this.store.setUser(user.id);
    }
  }

  async #userId(): Promise<string> {
    return this.#user?.id ?? (await this.me()).user.id;
  }

  async #fetchAll(): Promise<{
    conversations: Conversation[];
    messagesByConversation: Record<string, Message[]>;
  }> {
    const { conversations } = await this.http.listConversations();
    const messagesByConversation: Record<string, Message[]> = {};
    for (const conversation of conversations) {
      const messages: Message[] = [];
      let before: string | null | undefined;
      do {
        const page = await this.http.history(conversation.id, {
          limit: limits.maxPageSize,
          ...(before == null ? {} : { before }),
        });
        messages.push(...page.messages);
        before = page.nextBefore;
      } while (before !== null);
      messagesByConversation[conversation.id] = messages;
    }
    return { conversations, messagesByConversation };
  }

  async #withRetries<T>(operation: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt += 1) {
      try {
        return await operation();
      } catch (error) {
        if (attempt >= this.#retries || !isRetryable(error)) throw error;
        const delay =
          (error instanceof ApiError ? error.retryAfterMs : undefined) ??
          backoffDelay(attempt, this.#backoff, this.#random);
        await new Promise<void>((resolve) => this.#scheduler.schedule(delay, resolve));
      }
    }
  }
}

/** Nothing was stored, or the request is idempotent anyway: safe to repeat. */
function isRetryable(error: unknown): boolean {
  return (
    error instanceof NetworkError ||
    (error instanceof ApiError && (error.code === 'unavailable' || error.isRateLimited()))
  );
}

function pick<T extends object, K extends keyof T>(source: T, keys: readonly K[]): Partial<Pick<T, K>> {
  const out: Partial<Pick<T, K>> = {};
  for (const key of keys) if (source[key] !== undefined) out[key] = source[key];
  return out;
}

export function createClient(options: ClientOptions): RetractClient {
  return new RetractClient(options);
}
