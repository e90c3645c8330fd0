// A scripted Retract server for SDK tests: a real WebSocket endpoint at /v1/ws and GET /v1/sync over
// node:http, on one port of 127.0.0.1. It holds one user's event log; tests push events and decide
// how each socket misbehaves.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { protocolVersion, type ClientFrame, type Event, type ServerFrame } from '@retract/protocol';
import { once } from './helpers.js';

export const goodToken = 't_good';
export const userId = 'u_me';

type AuthFrame = Extract<ClientFrame, { type: 'auth' }>;
type CommandFrame = Extract<ClientFrame, { type: 'send' | 'recall' | 'hide' }>;

/** One accepted socket, seen from the server side. */
export class FakeSocket {
  readonly frames: ClientFrame[] = [];
  readonly #ws: WebSocket;
  readonly #listeners = new Set<(frame: ClientFrame) => void>();
  readonly closed: Promise<void>;

  constructor(ws: WebSocket) {
    this.#ws = ws;
    this.closed = new Promise((resolve) => ws.once('close', () => resolve()));
  }

  get acks(): number[] {
    return this.frames.flatMap((frame) => (frame.type === 'ack' ? [frame.seq] : []));
  }

  receive(frame: ClientFrame): void {
    this.frames.push(frame);
    for (const listener of [...this.#listeners]) listener(frame);
  }

  /** Resolves with the first frame (already received or future) matching `predicate`. */
  frame(predicate: (frame: ClientFrame) => boolean, label = 'a client frame'): Promise<ClientFrame> {
    const seen = this.frames.find(predicate);
    if (seen !== undefined) return Promise.resolve(seen);
    return once<ClientFrame>(
      (listener) => {
        this.#listeners.add(listener);
        return () => this.#listeners.delete(listener);
      },
      predicate,
      label,
    );
  }

  send(frame: ServerFrame): void {
    this.#ws.send(JSON.stringify(frame));
  }

  sendEvents(events: readonly Event[]): void {
    for (const event of events) this.send({ type: 'event', event });
  }

  close(code: number, reason = ''): void {
    this.#ws.close(code, reason);
  }

  /** Drops the TCP connection without a close frame: the client sees 1006. */
  terminate(): void {
    this.#ws.terminate();
  }
}

export interface SyncRequest {
  readonly after: number;
  readonly authorization: string | undefined;
}

export class FakeServer {
  /** The user's event log; `log[i].seq === i + 1`. */
  readonly log: Event[] = [];
  readonly sockets: FakeSocket[] = [];
  readonly syncRequests: SyncRequest[] = [];
  /** Events per `GET /v1/sync` page, small so paging is exercised. */
  syncPageSize = 2;
  /**
   * What happens after a valid auth frame. The default sends ready, replays the log after the
   * cursor, then synced — which is the protocol; tests replace it to misbehave.
   */
  onAuth: (socket: FakeSocket, frame: AuthFrame) => void = (socket, frame) =>
    this.replay(socket, frame.after ?? 0);
  /** Answers send/recall/hide frames; the default replies with an error so tests must opt in. */
  onCommand: (socket: FakeSocket, frame: CommandFrame) => void = (socket, frame) =>
    socket.send({
      type: 'reply',
      id: frame.id,
      ok: false,
      error: { code: 'internal', message: 'not scripted' },
    });

  readonly #http: Server;
  readonly #wss: WebSocketServer;
  readonly #socketListeners = new Set<(socket: FakeSocket) => void>();
  readonly #live = new Set<FakeSocket>();

  private constructor() {
    this.#http = createServer((req, res) => this.#handleHttp(req, res));
    this.#wss = new WebSocketServer({ server: this.#http, path: '/v1/ws' });
    this.#wss.on('connection', (ws) => this.#accept(ws));
  }

  static async start(): Promise<FakeServer> {
    const server = new FakeServer();
    await new Promise<void>((resolve) => server.#http.listen(0, '127.0.0.1', resolve));
    return server;
  }

  get baseUrl(): string {
    const { port } = this.#http.address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  /** Resolves with the n-th socket (0-based) once it has connected. */
  socket(index: number): Promise<FakeSocket> {
    const existing = this.sockets[index];
    if (existing !== undefined) return Promise.resolve(existing);
    return once<FakeSocket>(
      (listener) => {
        this.#socketListeners.add(listener);
        return () => this.#socketListeners.delete(listener);
      },
      () => this.sockets[index] !== undefined,
      `socket #${index}`,
    ).then(() => this.sockets[index] as FakeSocket);
  }

  /** Appends events to the log without sending them. */
  append(...events: Event[]): void {
    for (const event of events) {
      if (event.seq !== this.log.length + 1) throw new Error(`log out of order at ${event.seq}`);
      this.log.push(event);
    }
  }

  /** Appends events and sends them to every socket that is live. */
  push(...events: Event[]): void {
    this.append(...events);
    for (const socket of this.#live) socket.sendEvents(events);
  }

  /**
   * The protocol's answer to auth: ready, the events after `after`, synced; then the socket is live.
   * A cursor beyond the log is refused as the real server does: error frame, close 4400.
   */
  replay(socket: FakeSocket, after: number): void {
    if (after > this.log.length) {
      socket.send({
        type: 'error',
        error: { code: 'cursor_ahead', message: 'The cursor is ahead of the server.' },
      });
      socket.close(4400, 'cursor_ahead');
      return;
    }
    socket.send({ type: 'ready', protocol: protocolVersion, userId, deviceId: 'd_1', cursor: after });
    socket.sendEvents(this.log.filter((event) => event.seq > after));
    socket.send({ type: 'synced', seq: this.log.length });
    this.#live.add(socket);
  }

  async stop(): Promise<void> {
    for (const client of this.#wss.clients) client.terminate();
    await new Promise<void>((resolve) => this.#wss.close(() => resolve()));
    await new Promise<void>((resolve) => this.#http.close(() => resolve()));
  }

  #accept(ws: WebSocket): void {
    const socket = new FakeSocket(ws);
    this.sockets.push(socket);
    ws.on('close', () => this.#live.delete(socket));
    ws.on('message', (data) => {
      const frame = JSON.parse(String(data)) as ClientFrame;
      socket.receive(frame);
      if (frame.type === 'auth') {
        if (frame.token !== goodToken) socket.close(4401, 'unauthenticated');
        else this.onAuth(socket, frame);
      } else if (frame.type === 'send' || frame.type === 'recall' || frame.type === 'hide') {
        this.onCommand(socket, frame);
      }
    });
    for (const listener of [...this.#socketListeners]) listener(socket);
  }

  #handleHttp(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const json = (status: number, body: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    };
    if (req.method !== 'GET' || url.pathname !== '/v1/sync') {
      json(404, { error: { code: 'route_not_found', message: 'No such endpoint.' } });
      return;
    }
    const after = Number(url.searchParams.get('after') ?? '0');
    this.syncRequests.push({ after, authorization: req.headers.authorization });
    if (req.headers.authorization !== `Bearer ${goodToken}`) {
      json(401, { error: { code: 'unauthenticated', message: 'A valid session token is required.' } });
      return;
    }
    const rest = this.log.filter((event) => event.seq > after);
    const events = rest.slice(0, this.syncPageSize);
    json(200, { events, cursor: events.at(-1)?.seq ?? after, hasMore: rest.length > events.length });
  }
}
