import { protocolVersion, type api, type ClientFrame, type Event, type ReadyFrame } from '@retract/protocol';
import { backoffDelay, defaultBackoff, type BackoffOptions } from './backoff.js';
import {
  terminalCloseCodes,
  type ConnectionState,
  type StateChange,
  type TransitionCode,
  type TransitionReason,
} from './codes.js';
import { Emitter, type Listener } from './emitter.js';
import { apiErrorFromPayload, NetworkError, ProtocolError, RetractError } from './errors.js';
import { PendingRequests, type Command, type CommandResults } from './requests.js';
import { realScheduler, type Scheduler } from './scheduler.js';
import {
  decodeFrame,
  encodeFrame,
  OPEN,
  webSocketUrl,
  type WebSocketConstructor,
  type WebSocketLike,
} from './transport.js';

export interface ConnectionEvents {
  state: StateChange;
  /** The server accepted the auth frame. */
  ready: ReadyFrame;
  /** Each event exactly once, in seq order, without gaps. */
  event: Event;
  /** The replay after a (re)connect has caught up; `cursor` is the last event delivered. */
  synced: { readonly cursor: number };
  /** Something went wrong that the connection handles itself (error frames, failed gap recovery). */
  error: RetractError;
}

export interface ConnectionOptions {
  /** `https://chat.example.com`; the socket goes to `wss://chat.example.com/v1/ws`. */
  readonly baseUrl: string;
  /** Read at every (re)connect, so a new login is picked up. Null → state `closed`, `unauthenticated`. */
  readonly token: () => string | null;
  /** Defaults to the global WebSocket (browsers); in Node 20 pass the `ws` package's. */
  readonly WebSocket?: WebSocketConstructor;
  /** The last event already applied; the server replays what follows. */
  readonly cursor?: number;
  /** `GET /v1/sync?after=` — fills gaps over HTTP. Without it, a gap causes a reconnect instead. */
  readonly fetchEvents?: (after: number) => Promise<api.SyncPage>;
  readonly backoff?: Partial<BackoffOptions>;
  /** Source in [0, 1) for backoff jitter. */
  readonly random?: () => number;
  readonly scheduler?: Scheduler;
  /** Acks are batched: sent this long after the first unacknowledged event (and at once on synced). */
  readonly ackDelayMs?: number;
  /** From opening the socket to the `ready` frame. */
  readonly connectTimeoutMs?: number;
  /** Default timeout of `request()`. */
  readonly requestTimeoutMs?: number;
}

/** Close code the client uses when it drops a socket it no longer trusts (4000–4999: private use). */
const clientResetCloseCode = 4000;

/**
 * The WebSocket event stream as an explicit state machine (see codes.ts for the diagram).
 *
 * It owns the cursor and guarantees that `event` listeners see every event once, in seq order, with no
 * gap. Incoming events are processed one at a time on a promise chain, so a gap being filled over HTTP
 * holds back the frames behind it.
 *
 * Gap recovery: an event with `seq > cursor + 1` is not delivered. The connection pages through
 * `GET /v1/sync?after=cursor` (via `fetchEvents`) until `hasMore` is false, delivering those events,
 * then goes on with the held-back frames (now mostly duplicates, dropped). If that fails, or no
 * `fetchEvents` was given, it drops the socket and reconnects: the replay from the cursor fills the gap.
 * A `synced` frame whose seq is beyond the cursor is treated as a gap the same way.
 *
 * Every socket gets a session number; callbacks and queued work from an older session are ignored, so
 * a late frame from a dead socket can never move the cursor.
 */
export class Connection {
  readonly #emitter = new Emitter<ConnectionEvents>();
  readonly #url: string;
  readonly #token: () => string | null;
  readonly #WebSocket: WebSocketConstructor | undefined;
  readonly #fetchEvents: ((after: number) => Promise<api.SyncPage>) | undefined;
  readonly #backoff: BackoffOptions;
  readonly #random: () => number;
  readonly #scheduler: Scheduler;
  readonly #ackDelayMs: number;
  readonly #connectTimeoutMs: number;
  readonly #requestTimeoutMs: number;

  #state: ConnectionState = 'disconnected';
  #cursor: number;
  #acked: number;
  /**
   * Highest seq the current socket has sent (or announced in ready/synced). The server refuses an ack
   * beyond what it sent on that socket, so acks are capped here even when HTTP sync got further.
   */
  #socketHigh = 0;
  #session = 0;
  #socket: WebSocketLike | null = null;
  #attempt = 0;
  #serial: Promise<void> = Promise.resolve();
  #cancelReconnect: (() => void) | null = null;
  #cancelConnectTimeout: (() => void) | null = null;
  #cancelAck: (() => void) | null = null;
  readonly #requests: PendingRequests;

  constructor(options: ConnectionOptions) {
    this.#url = webSocketUrl(options.baseUrl);
    this.#token = options.token;
    this.#WebSocket = options.WebSocket;
    this.#fetchEvents = options.fetchEvents;
    this.#backoff = { ...defaultBackoff, ...options.backoff };
    this.#random = options.random ?? Math.random;
    this.#scheduler = options.scheduler ?? realScheduler;
    this.#ackDelayMs = options.ackDelayMs ?? 200;
    this.#connectTimeoutMs = options.connectTimeoutMs ?? 10_000;
    this.#requestTimeoutMs = options.requestTimeoutMs ?? 10_000;
    this.#requests = new PendingRequests(this.#scheduler);
    this.#cursor = options.cursor ?? 0;
    this.#acked = this.#cursor;
  }

  get state(): ConnectionState {
    return this.#state;
  }

  /** Seq of the last event delivered. */
  get cursor(): number {
    return this.#cursor;
  }

  on<K extends keyof ConnectionEvents>(name: K, listener: Listener<ConnectionEvents[K]>): () => void {
    return this.#emitter.on(name, listener);
  }

  /** Opens the socket (from `disconnected` or `closed`); reconnects on its own until told otherwise. */
  connect(): void {
    if (this.#state === 'connecting' || this.#state === 'syncing' || this.#state === 'live') return;
    if (this.#WebSocket === undefined && typeof globalThis.WebSocket === 'undefined') {
      throw new TypeError('No WebSocket implementation: pass options.WebSocket (in Node, the ws package).');
    }
    this.#cancelReconnect?.();
    this.#cancelReconnect = null;
    this.#attempt = 0;
    this.#open('connect_called');
  }

  /** Closes the socket and stops reconnecting; `connect()` starts again from the cursor. */
  disconnect(): void {
    this.#stop('disconnected', 'disconnect_called');
  }

  /** Like disconnect, but ends in `closed`: for logout. */
  close(): void {
    this.#stop('closed', 'close_called');
  }

  /**
   * Sets the cursor, e.g. after the local state was reset for another user. Only while not connected:
   * the server replays from the cursor sent at connect time.
   */
  resetCursor(cursor: number): void {
    if (this.#authenticatedOrConnecting()) throw new Error('resetCursor() needs a disconnected connection.');
    this.#cursor = cursor;
    this.#acked = cursor;
  }

  /**
   * Catches up over HTTP (`fetchEvents`), delivering events through the same ordered path as socket
   * frames. Works with or without a socket. Resolves to the number of events delivered.
   */
  catchUp(): Promise<number> {
    return this.#serialize(() => this.#fill(() => true));
  }

  /** Sends a command over the socket and resolves with the server's reply (ApiError on `ok: false`). */
  request<C extends Command>(
    command: C,
    options: { timeoutMs?: number } = {},
  ): Promise<CommandResults[C['type']]> {
    const socket = this.#socket;
    if (socket === null || socket.readyState !== OPEN || !this.#authenticated()) {
      return Promise.reject(
        new NetworkError('not_connected', `Cannot ${command.type}: the socket is not live.`),
      );
    }
    return this.#requests.start(command, options.timeoutMs ?? this.#requestTimeoutMs, (frame) =>
      this.#send(frame),
    );
  }

  // ----- socket lifecycle -----

  #open(code: TransitionCode): void {
    const token = this.#token();
    if (token === null) {
      this.#teardown(1000);
      this.#transition('closed', { code: 'unauthenticated', message: 'No session token.' });
      return;
    }
    this.#teardown(1000);
    const session = this.#session;
    this.#transition('connecting', { code });
    if (session !== this.#session) return; // a state listener called disconnect()

    const Ctor = this.#WebSocket ?? (globalThis.WebSocket as WebSocketConstructor);
    let socket: WebSocketLike;
    try {
      socket = new Ctor(this.#url);
    } catch (error) {
      this.#fail(session, 'transport_closed', error);
      return;
    }
    this.#socket = socket;
    this.#cancelConnectTimeout = this.#scheduler.schedule(this.#connectTimeoutMs, () => {
      if (session === this.#session && this.#state === 'connecting') this.#lose({ code: 'connect_timeout' });
    });
    // Handlers stay attached after the socket is dropped (ws throws on an unhandled 'error'); each one
    // checks the session instead.
    socket.onopen = () => {
      if (session === this.#session) this.#send({ type: 'auth', token, after: this.#cursor });
    };
    socket.onmessage = (message) => {
      if (session === this.#session) this.#onFrame(message.data, session);
    };
    socket.onclose = (close) => {
      if (session === this.#session) this.#onClose(close.code, close.reason);
    };
    socket.onerror = () => {
      // Nothing to do: a close always follows, and its code is what decides.
    };
  }

  #onClose(code: number, reason: string): void {
    const terminal = terminalCloseCodes[code];
    if (terminal !== undefined) {
      this.#teardown(1000);
      this.#transition('closed', { code: terminal, closeCode: code, message: reason });
      return;
    }
    this.#lose({ code: 'transport_closed', closeCode: code, message: reason });
  }

  /** Drops the socket and schedules a reconnect with backoff. */
  #lose(reason: TransitionReason): void {
    this.#teardown(clientResetCloseCode);
    const delay = backoffDelay(this.#attempt, this.#backoff, this.#random);
    this.#attempt += 1;
    // Scheduled before the transition, so a state listener that calls disconnect() can cancel it.
    this.#cancelReconnect = this.#scheduler.schedule(delay, () => {
      this.#cancelReconnect = null;
      this.#open('reconnect');
    });
    this.#transition('disconnected', { ...reason, reconnectInMs: delay });
  }

  /** Reports an error and drops the socket of `session`, if it is still the current one. */
  #fail(session: number, code: TransitionCode, error: unknown): void {
    if (session !== this.#session) return;
    const wrapped =
      error instanceof RetractError ? error : new ProtocolError(String(error), { cause: error });
    this.#emitter.emit('error', wrapped);
    this.#lose({ code, message: wrapped.message });
  }

  #stop(to: 'disconnected' | 'closed', code: TransitionCode): void {
    const hadReconnect = this.#cancelReconnect !== null;
    this.#cancelReconnect?.();
    this.#cancelReconnect = null;
    this.#attempt = 0;
    this.#flushAck();
    this.#teardown(1000);
    if (this.#state !== to || hadReconnect) this.#transition(to, { code });
  }

  /** Forgets the current socket: new session number, timers cancelled, pending requests rejected. */
  #teardown(closeCode: number): void {
    this.#session += 1;
    this.#socketHigh = 0;
    this.#cancelConnectTimeout?.();
    this.#cancelConnectTimeout = null;
    this.#cancelAck?.();
    this.#cancelAck = null;
    const socket = this.#socket;
    this.#socket = null;
    if (socket !== null && socket.readyState <= OPEN) {
      try {
        socket.close(closeCode);
      } catch {
        // Already closing: nothing more to do.
      }
    }
    this.#requests.failAll();
  }

  #transition(to: ConnectionState, reason: TransitionReason): void {
    const from = this.#state;
    this.#state = to;
    this.#emitter.emit('state', { from, to, reason });
  }

  // ----- frames -----

  #onFrame(data: unknown, session: number): void {
    let frame;
    try {
      frame = decodeFrame(data);
    } catch (error) {
      this.#fail(session, 'protocol_error', error);
      return;
    }
    if (frame === undefined) return;
    switch (frame.type) {
      case 'ready':
        this.#onReady(frame, session);
        return;
      case 'event': {
        const event = frame.event;
        this.#socketHigh = Math.max(this.#socketHigh, event.seq);
        this.#inOrder(session, () => this.#accept(event, session));
        return;
      }
      case 'synced': {
        const seq = frame.seq;
        this.#socketHigh = Math.max(this.#socketHigh, seq);
        this.#inOrder(session, () => this.#onSynced(seq, session));
        return;
      }
      case 'reply':
        this.#requests.settle(frame);
        return;
      case 'error':
        this.#emitter.emit('error', apiErrorFromPayload(frame.error));
        return;
      case 'pong':
        return;
    }
  }

  #onReady(frame: ReadyFrame, session: number): void {
    if (this.#state !== 'connecting') {
      this.#fail(session, 'protocol_error', new ProtocolError('ready frame after ready'));
      return;
    }
    this.#cancelConnectTimeout?.();
    this.#cancelConnectTimeout = null;
    if (frame.protocol !== protocolVersion) {
      this.#teardown(1000);
      this.#transition('closed', {
        code: 'protocol_mismatch',
        message: `Server speaks protocol ${frame.protocol}, this SDK ${protocolVersion}.`,
      });
      return;
    }
    this.#socketHigh = frame.cursor;
    this.#transition('syncing', { code: 'ready' });
    this.#emitter.emit('ready', frame);
  }

  /** Queues frame work behind earlier frames; a failure drops the socket (the replay will recover). */
  #inOrder(session: number, work: () => Promise<void>): void {
    if (!this.#authenticated()) {
      this.#fail(session, 'protocol_error', new ProtocolError('event stream frame before ready'));
      return;
    }
    void this.#serialize(async () => {
      if (session !== this.#session) return;
      try {
        await work();
      } catch (error) {
        this.#fail(session, 'gap_recovery_failed', error);
      }
    });
  }

  #serialize<T>(work: () => Promise<T>): Promise<T> {
    const run = this.#serial.then(work);
    this.#serial = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  async #accept(event: Event, session: number): Promise<void> {
    if (event.seq <= this.#cursor) return; // duplicate
    if (event.seq > this.#cursor + 1) {
      await this.#recoverGap(session);
      if (session !== this.#session || event.seq <= this.#cursor) return;
      if (event.seq !== this.#cursor + 1) {
        throw new ProtocolError(`Gap after ${this.#cursor} not filled by sync (next event is ${event.seq}).`);
      }
    }
    this.#deliver(event);
  }

  async #onSynced(seq: number, session: number): Promise<void> {
    if (seq > this.#cursor) {
      await this.#recoverGap(session);
      if (session !== this.#session) return;
      if (seq > this.#cursor)
        throw new ProtocolError(`Replay ended at ${this.#cursor}, before synced ${seq}.`);
    }
    if (this.#state === 'syncing') {
      this.#attempt = 0;
      this.#transition('live', { code: 'synced' });
    }
    this.#flushAck();
    this.#emitter.emit('synced', { cursor: this.#cursor });
  }

  async #recoverGap(session: number): Promise<void> {
    const wasLive = this.#state === 'live';
    if (wasLive) this.#transition('syncing', { code: 'gap_detected' });
    await this.#fill(() => session === this.#session);
    if (wasLive && session === this.#session && this.#state === 'syncing') {
      this.#transition('live', { code: 'gap_filled' });
    }
  }

  /** Pages `fetchEvents` from the cursor until `hasMore` is false, delivering in order. */
  async #fill(isCurrent: () => boolean): Promise<number> {
    const fetchEvents = this.#fetchEvents;
    if (fetchEvents === undefined) {
      throw new ProtocolError('Gap in the event stream and no HTTP sync configured; reconnecting to replay.');
    }
    let delivered = 0;
    for (;;) {
      const before = this.#cursor;
      const page = await fetchEvents(before);
      if (!isCurrent()) return delivered;
      for (const event of page.events) {
        if (event.seq <= this.#cursor) continue;
        if (event.seq !== this.#cursor + 1) {
          throw new ProtocolError(`Sync page jumps from ${this.#cursor} to ${event.seq}.`);
        }
        this.#deliver(event);
        delivered += 1;
      }
      if (!page.hasMore) return delivered;
      if (this.#cursor === before) throw new ProtocolError('Sync page has more but made no progress.');
    }
  }

  #deliver(event: Event): void {
    this.#cursor = event.seq;
    this.#emitter.emit('event', event);
    this.#scheduleAck();
  }

  // ----- acks -----

  /** What may be acked now: applied, and sent by the current socket. */
  #ackable(): number {
    return Math.min(this.#cursor, this.#socketHigh);
  }

  #scheduleAck(): void {
    if (this.#cancelAck !== null || this.#ackable() <= this.#acked) return;
    this.#cancelAck = this.#scheduler.schedule(this.#ackDelayMs, () => {
      this.#cancelAck = null;
      this.#flushAck();
    });
  }

  #flushAck(): void {
    this.#cancelAck?.();
    this.#cancelAck = null;
    const seq = this.#ackable();
    if (seq <= this.#acked || !this.#authenticated()) return;
    if (this.#send({ type: 'ack', seq })) this.#acked = seq;
  }

  #send(frame: ClientFrame): boolean {
    const socket = this.#socket;
    if (socket === null || socket.readyState !== OPEN) return false;
    socket.send(encodeFrame(frame));
    return true;
  }

  #authenticated(): boolean {
    return this.#state === 'syncing' || this.#state === 'live';
  }

  #authenticatedOrConnecting(): boolean {
    return this.#state === 'connecting' || this.#authenticated();
  }
}
