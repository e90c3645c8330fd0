import { WebSocket } from 'ws';

/**
 * One connected device of the load generator, for Retract and the relay alike. Kept cheap because a
 * thousand of them share one event loop: event frames are not parsed — they go to `onEvent` as raw bytes
 * (callers look for a marker with Buffer.indexOf) — only replies and control frames are.
 */
export interface Reply {
  readonly ok: boolean;
  readonly result?: unknown;
  readonly error?: { readonly code: string };
}

const EVENT_PREFIX = Buffer.from('{"type":"event"');

/**
 * Close codes after which a real client comes back: going away (1001), abnormal (1006), service restart
 * (1012), try again later (1013, what an overloaded Retract node answers when its storage is busy).
 */
const RETRYABLE = new Set([1001, 1006, 1012, 1013]);
const MAX_RECONNECTS_IN_A_ROW = 5;

export class Peer {
  /** Called with every event frame, unparsed. */
  onEvent: (frame: Buffer) => void = () => {};
  /** How the socket last closed (code and reason), or null while it is open. */
  closed: { readonly code: number; readonly reason: string } | null = null;
  /** Times this device came back after the server closed its socket with a retryable code. */
  reconnects = 0;
  private readonly pending = new Map<string, (reply: Reply) => void>();
  private nextId = 0;
  private socket: WebSocket | undefined;
  private stopped = false;

  private constructor(
    private readonly url: string,
    private readonly token: string | undefined,
    private readonly timeoutMs: number,
    private readonly reconnect: boolean,
  ) {}

  /**
   * Opens the socket and resolves once the server said `synced` (the replay is over; live from here).
   * With `reconnect`, a socket the server closes with a retryable code is opened again, as the SDK
   * would: the server replays what the device missed, from its cursor.
   */
  static async connect(
    url: string,
    token: string | undefined,
    timeoutMs: number,
    options: { reconnect?: boolean } = {},
  ): Promise<Peer> {
    const peer = new Peer(url, token, timeoutMs, options.reconnect ?? false);
    await peer.open();
    return peer;
  }

  private open(): Promise<void> {
    const socket = new WebSocket(this.url, {
      headers: this.token ? { authorization: `Bearer ${this.token}` } : {},
      perMessageDeflate: false,
      skipUTF8Validation: true,
      handshakeTimeout: this.timeoutMs,
    });
    this.socket = socket;
    let synced = false;
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        socket.terminate();
        reject(new Error(`no 'synced' from ${this.url} within ${this.timeoutMs} ms`));
      }, this.timeoutMs);
      const fail = (error: Error) => {
        clearTimeout(timer);
        reject(error);
      };
      socket.once('error', fail);
      socket.once('close', (code, reason) => {
        this.closed = { code, reason: String(reason) };
        this.failPending(`socket closed: ${code}`);
        if (!synced) fail(new Error(`socket closed before 'synced': ${code} ${String(reason)}`));
        else if (this.reconnect && !this.stopped && RETRYABLE.has(code)) this.reopen(1);
      });
      socket.on('message', (data: Buffer) => {
        if (data.length > EVENT_PREFIX.length && data.compare(EVENT_PREFIX, 0, 15, 0, 15) === 0) {
          this.onEvent(data);
          return;
        }
        const frame = JSON.parse(data.toString('utf8')) as { type: string; id?: string } & Reply;
        if (frame.type === 'reply' && frame.id !== undefined) {
          const settle = this.pending.get(frame.id);
          this.pending.delete(frame.id);
          settle?.(frame);
        } else if (frame.type === 'synced') {
          synced = true;
          this.closed = null;
          clearTimeout(timer);
          socket.off('error', fail);
          socket.on('error', () => socket.terminate());
          resolve();
        }
      });
    });
  }

  /** Backs off a little (with jitter, so a thousand devices do not come back at once), then reopens. */
  private reopen(attempt: number): void {
    if (attempt > MAX_RECONNECTS_IN_A_ROW) return;
    const delay = 100 * attempt + Math.random() * 400;
    setTimeout(() => {
      if (this.stopped) return;
      this.reconnects += 1;
      this.open().catch(() => this.reopen(attempt + 1));
    }, delay);
  }

  /** Sends a command frame (its `id` is filled in) and resolves with the server's reply. */
  request(frame: Record<string, unknown>): Promise<Reply> {
    if (this.socket?.readyState !== WebSocket.OPEN)
      return Promise.resolve({ ok: false, error: { code: 'closed' } });
    const id = String(++this.nextId);
    return new Promise<Reply>((resolve) => {
      this.pending.set(id, resolve);
      this.socket!.send(JSON.stringify({ ...frame, id }));
    });
  }

  get outstanding(): number {
    return this.pending.size;
  }

  /** Settles every outstanding request as failed (a bounded wait ran out, or the socket closed). */
  failPending(reason: string): void {
    for (const settle of this.pending.values()) settle({ ok: false, error: { code: reason } });
    this.pending.clear();
  }

  close(): void {
    this.stopped = true;
    this.failPending('closed');
    this.socket?.terminate();
  }
}
