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

export class Peer {
  /** Called with every event frame, unparsed. */
  onEvent: (frame: Buffer) => void = () => {};
  private readonly pending = new Map<string, (reply: Reply) => void>();
  private nextId = 0;

  private constructor(private readonly socket: WebSocket) {}

  /** Opens the socket and resolves once the server said `synced` (the replay is over; live from here). */
  static connect(url: string, token: string | undefined, timeoutMs: number): Promise<Peer> {
    const socket = new WebSocket(url, {
      headers: token ? { authorization: `Bearer ${token}` } : {},
      perMessageDeflate: false,
      skipUTF8Validation: true,
      handshakeTimeout: timeoutMs,
    });
    const peer = new Peer(socket);
    return new Promise<Peer>((resolve, reject) => {
      const timer = setTimeout(() => {
        socket.terminate();
        reject(new Error(`no 'synced' from ${url} within ${timeoutMs} ms`));
      }, timeoutMs);
      const fail = (error: Error) => {
        clearTimeout(timer);
        reject(error);
      };
      socket.once('error', fail);
      socket.once('close', (code, reason) => {
        fail(new Error(`socket closed before 'synced': ${code} ${String(reason)}`));
        peer.failPending(`socket closed: ${code}`);
      });
      socket.on('message', (data: Buffer) => {
        if (data.length > EVENT_PREFIX.length && data.compare(EVENT_PREFIX, 0, 15, 0, 15) === 0) {
          peer.onEvent(data);
          return;
        }
        const frame = JSON.parse(data.toString('utf8')) as { type: string; id?: string } & Reply;
        if (frame.type === 'reply' && frame.id !== undefined) {
          const settle = peer.pending.get(frame.id);
          peer.pending.delete(frame.id);
          settle?.(frame);
        } else if (frame.type === 'synced') {
          clearTimeout(timer);
          socket.off('error', fail);
          socket.on('error', () => socket.terminate());
          resolve(peer);
        }
      });
    });
  }

  /** Sends a command frame (its `id` is filled in) and resolves with the server's reply. */
  request(frame: Record<string, unknown>): Promise<Reply> {
    if (this.socket.readyState !== WebSocket.OPEN)
      return Promise.resolve({ ok: false, error: { code: 'closed' } });
    const id = String(++this.nextId);
    return new Promise<Reply>((resolve) => {
      this.pending.set(id, resolve);
      this.socket.send(JSON.stringify({ ...frame, id }));
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
    this.failPending('closed');
    this.socket.terminate();
  }
}
