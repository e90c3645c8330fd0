import { StorageUnavailableError } from '../storage/storage.js';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server as HttpServer } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { errorPayload, errorRegistry, limits, protocolVersion, type ClientFrame } from '@retract/protocol';
import type { ActionContext, Actor } from '../actions/context.js';
import { authenticate, type Session } from '../actions/sessions.js';
import { acknowledge } from '../actions/sync.js';
import type { BusMessage } from '../bus/bus.js';
import { AppError } from '../errors.js';
import { isServerAdmin } from '../actions/policy.js';
import { bearerToken } from '../http/authenticate.js';
import { Connection } from './connection.js';
import { decodeFrame } from './frame-codec.js';
import { ConnectionRegistry } from './registry.js';
import { runCommand } from './commands.js';
import { originAllowed } from '../limits/origin.js';
import { commandLimiter } from '../limits/ws-limits.js';

export interface Gateway {
  readonly connections: ConnectionRegistry;
  /** Closes every socket with 1001 and stops accepting new ones. */
  close(): Promise<void>;
}

/**
 * The WebSocket gateway at /v1/ws. It authenticates (Authorization header, or an `auth` frame for
 * browsers), replays what the device missed from its cursor, then streams live events from the bus.
 */
export function attachGateway(server: HttpServer, ctx: ActionContext): Gateway {
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: limits.maxFrameBytes,
    clientTracking: false,
  });
  const connections = new ConnectionRegistry();
  const limitCommand = commandLimiter(ctx);

  const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    void upgrade(request, socket, head);
  };

  async function upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://localhost');
    if (url.pathname !== '/v1/ws') return refuse(socket, 404, 'Not Found');
    // Before anything else is looked at: a page from a foreign site gets no socket at all.
    if (!originAllowed(request.headers.origin, request.headers.host, ctx.config.ws.allowedOrigins)) {
      ctx.metrics.wsRefused.labels('origin').inc();
      return refuse(socket, 403, 'Forbidden');
    }
    const after = parseCursor(url.searchParams.get('after'));
    if (after === 'invalid') return refuse(socket, 400, 'Bad Request');
    const header = request.headers.authorization;
    let session: Session | null = null;
    if (header !== undefined) {
      const token = bearerToken(header);
      try {
        session = token ? await authenticate(ctx, token) : null;
      } catch {
        return refuse(socket, 503, 'Service Unavailable');
      }
      if (!session) return refuse(socket, 401, 'Unauthorized');
    }
    wss.handleUpgrade(request, socket, head, (ws) => accept(ws, session, after));
  }

  /**
   * One message listener from the first moment: frames that arrive while the socket is still being
   * authenticated or opened are queued and handled in order once it is — a client may send `auth` and a
   * command back to back.
   */
  function accept(ws: WebSocket, headerSession: Session | null, after: number | null): void {
    type Raw = { data: Buffer | ArrayBuffer | Buffer[]; isBinary: boolean };
    const queue: Raw[] = [];
    let deliver: ((raw: Raw) => void) | null = null;
    let authTimer: NodeJS.Timeout | undefined;
    let authing = false;

    const ready = (connection: Connection, actor: Actor) => {
      deliver = ({ data, isBinary }) => {
        const decoded = decodeFrame(data, isBinary);
        if (!decoded.ok) return connection.send({ type: 'error', error: decoded.error });
        void handleFrame(connection, actor, decoded.frame);
      };
      for (const raw of queue.splice(0)) deliver(raw);
    };

    ws.on('message', (data, isBinary) => {
      const raw = { data, isBinary };
      if (deliver) return deliver(raw);
      if (headerSession !== null || authTimer === undefined || queue.length > 0 || authing) {
        if (queue.length >= 64) return ws.close(1008, 'too many frames before ready');
        queue.push(raw);
        return;
      }
      // The first frame of a socket without an Authorization header must be `auth`.
      clearTimeout(authTimer);
      authing = true;
      const decoded = decodeFrame(data, isBinary);
      if (!decoded.ok || decoded.frame.type !== 'auth') return ws.close(4401, 'unauthenticated');
      const { token, after: frameAfter } = decoded.frame;
      authenticate(ctx, token).then(
        (session) =>
          session ? void open(ws, session, frameAfter ?? null, ready) : ws.close(4401, 'unauthenticated'),
        () => ws.close(1013, 'unavailable'),
      );
    });
    ws.on('error', () => {
      clearTimeout(authTimer);
      ws.terminate();
    });
    ws.on('close', () => clearTimeout(authTimer));
    if (headerSession) void open(ws, headerSession, after, ready);
    else authTimer = setTimeout(() => ws.close(4408, 'auth_timeout'), ctx.config.ws.authTimeoutMs);
  }

  async function open(
    ws: WebSocket,
    session: Session,
    after: number | null,
    ready: (connection: Connection, actor: Actor) => void,
  ): Promise<void> {
    const cursor = after ?? session.device.cursor;
    const last = await ctx.storage.read((tx) => tx.lastSeq(session.user.id)).catch(() => null);
    if (ws.readyState !== ws.OPEN) return;
    if (last === null) return ws.close(1013, 'unavailable');
    if (cursor > last) {
      ws.send(
        JSON.stringify({ type: 'error', error: errorPayload('cursor_ahead', { after: cursor, last }) }),
      );
      return ws.close(4400, 'cursor_ahead');
    }
    // Checked and added with no await in between, so parallel opens cannot both slip under the cap.
    if ((connections.ofUser(session.user.id)?.size ?? 0) >= ctx.config.ws.maxConnectionsPerUser) {
      ctx.metrics.wsRefused.labels('connection_cap').inc();
      const code = errorRegistry.too_many_connections.wsClose;
      return ws.close(code, 'too_many_connections');
    }
    const connection = new Connection(ws, session.user.id, session.device.id, cursor, ctx);
    const actor: Actor = {
      userId: session.user.id,
      deviceId: session.device.id,
      serverAdmin: isServerAdmin(ctx, session.user.username),
    };
    connections.add(connection);
    ctx.metrics.connections.inc();
    ws.on('close', () => {
      connections.remove(connection);
      ctx.metrics.connections.dec();
    });
    ws.on('pong', () => (connection.alive = true));
    connection.send({
      type: 'ready',
      protocol: protocolVersion,
      userId: session.user.id,
      deviceId: session.device.id,
      cursor,
    });
    ready(connection, actor);
    await connection.catchUp();
  }

  async function handleFrame(connection: Connection, actor: Actor, frame: ClientFrame): Promise<void> {
    switch (frame.type) {
      case 'auth':
        return connection.send({
          type: 'error',
          error: errorPayload('invalid_frame', { reason: 'already authenticated' }),
        });
      case 'ping':
        return connection.send(frame.id === undefined ? { type: 'pong' } : { type: 'pong', id: frame.id });
      case 'ack':
        if (frame.seq > connection.cursor) {
          return connection.send({
            type: 'error',
            error: errorPayload('cursor_ahead', { after: frame.seq, last: connection.cursor }),
          });
        }
        await acknowledge(ctx, actor, frame.seq).catch((error: unknown) =>
          ctx.log.warn({ err: error }, 'storing a device cursor failed'),
        );
        return;
      default: {
        const limited = await limitCommand(actor);
        if (limited) return connection.send({ type: 'reply', id: frame.id, ok: false, error: limited });
        try {
          // Each command gets its own id, as an HTTP request does, for the audit log and the logs.
          const result = await runCommand(ctx, { ...actor, requestId: randomUUID() }, frame);
          connection.send({ type: 'reply', id: frame.id, ok: true, result });
        } catch (error) {
          // As over HTTP: storage that cannot serve right now is `unavailable` (retry with the same client
          // message id), not a server bug.
          const unavailable = error instanceof StorageUnavailableError;
          if (unavailable) ctx.log.warn({ err: error }, 'WebSocket command failed: storage unavailable');
          else if (!(error instanceof AppError)) ctx.log.error({ err: error }, 'WebSocket command failed');
          const payload =
            error instanceof AppError
              ? error.toPayload()
              : errorPayload(unavailable ? 'unavailable' : 'internal');
          connection.send({ type: 'reply', id: frame.id, ok: false, error: payload });
        }
      }
    }
  }

  const onBus = (message: BusMessage): void => {
    if (message.kind === 'devices.revoked') {
      for (const id of message.deviceIds)
        for (const c of connections.ofDevice(id) ?? []) c.close('session_revoked');
      return;
    }
    if (message.kind === 'device.revoked') {
      for (const c of connections.ofDevice(message.deviceId) ?? []) c.close('session_revoked');
      return;
    }
    let json: string | undefined;
    for (const { userId, seq } of message.deliveries) {
      const targets = connections.ofUser(userId);
      if (!targets) continue;
      // Serialised once per event, not once per recipient: only the sequence number differs.
      json ??= JSON.stringify(message.event);
      for (const c of targets) c.deliver(seq, json);
    }
  };
  const unsubscribe = ctx.bus.subscribe(onBus);

  /**
   * The bus lost messages (it reconnected after an outage, or another node could not publish): no
   * socket may notice, since a gap shows only at its next event. So every open socket reads what it
   * missed from storage — the same catch-up a gap triggers — and a revocation that was lost is applied
   * by checking that the socket's device still exists. A few sockets at a time, not all at once.
   */
  const resyncAll = async (): Promise<void> => {
    const all = [...connections.all()];
    if (all.length === 0) return;
    ctx.log.info(
      { connections: all.length },
      'bus messages may have been lost; sockets catch up from storage',
    );
    ctx.metrics.busResyncs.inc();
    let next = 0;
    const worker = async (): Promise<void> => {
      for (let c = all[next++]; c !== undefined; c = all[next++]) {
        if (!c.isOpen()) continue;
        const device = await ctx.storage.read((tx) => tx.findDevice(c.deviceId)).catch(() => undefined);
        if (device === null) {
          c.close('session_revoked');
          continue;
        }
        await c.catchUp();
      }
    };
    await Promise.all(Array.from({ length: Math.min(16, all.length) }, worker));
  };
  const offReconnect =
    ctx.bus.onReconnect?.(() => {
      resyncAll().catch((error: unknown) => ctx.log.error({ err: error }, 'catching sockets up failed'));
    }) ?? (() => {});

  const heartbeat =
    ctx.config.ws.pingIntervalMs > 0
      ? setInterval(() => {
          for (const c of connections.all()) {
            if (!c.alive) {
              c.socket.terminate();
              continue;
            }
            c.alive = false;
            c.socket.ping();
          }
        }, ctx.config.ws.pingIntervalMs).unref()
      : undefined;

  server.on('upgrade', onUpgrade);

  return {
    connections,
    async close(): Promise<void> {
      server.off('upgrade', onUpgrade);
      unsubscribe();
      offReconnect();
      if (heartbeat) clearInterval(heartbeat);
      const closing = [...connections.all()].map(
        (c) =>
          new Promise<void>((resolve) => {
            if (!c.isOpen()) return resolve();
            c.socket.once('close', () => resolve());
            c.socket.close(1001, 'server shutting down');
            setTimeout(() => {
              c.socket.terminate();
              resolve();
            }, 1000).unref();
          }),
      );
      await Promise.all(closing);
      wss.close();
    },
  };
}

function parseCursor(raw: string | null): number | null | 'invalid' {
  if (raw === null) return null;
  if (!/^[0-9]{1,15}$/.test(raw)) return 'invalid';
  return Number(raw);
}

function refuse(socket: Duplex, status: number, text: string): void {
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}
