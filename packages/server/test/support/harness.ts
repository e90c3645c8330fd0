import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import type { Event, ServerFrame } from '@retract/protocol';
import { createServer, loadConfig, type RetractServer, type ServerParts } from '../../src/index.js';
import { FakeClock } from '../../src/testing/index.js';

/** A real server on 127.0.0.1:0 with its own data directory, a fake clock and cheap password hashing. */
export interface TestServer {
  readonly url: string;
  readonly wsUrl: string;
  readonly server: RetractServer;
  readonly clock: FakeClock;
  readonly dataDir: string;
  close(): Promise<void>;
}

export async function startTestServer(
  options: {
    windowSeconds?: number | null;
    dataDir?: string;
    clock?: FakeClock;
    /** Config sections merged over the test defaults, key by key (e.g. `{ ws: { authTimeoutMs: 100 } }`). */
    config?: Record<string, unknown>;
    /** Parts given to createServer instead of those built from the config (a bus, a shared storage…). */
    parts?: Omit<ServerParts, 'clock'>;
  } = {},
): Promise<TestServer> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'retract-test-'));
  const clock = options.clock ?? new FakeClock();
  const defaults: Record<string, unknown> = {
    host: '127.0.0.1',
    port: 0,
    dataDir,
    policy: {
      default:
        options.windowSeconds === undefined
          ? {}
          : { windows: { direct: options.windowSeconds, group: options.windowSeconds } },
    },
    auth: { passwordHashCost: 1024 },
    log: { level: 'silent' },
    ws: { pingIntervalMs: 0 },
    // On, so every suite runs through the limiter, but out of reach: suites register and log in many
    // users from one address in a burst. The abuse suites set small budgets of their own.
    limits: {
      user: { points: 1_000_000 },
      moderator: { points: 1_000_000 },
      apiKey: { points: 1_000_000 },
      ip: { points: 1_000_000 },
    },
  };
  const merged = { ...defaults };
  for (const [key, value] of Object.entries(options.config ?? {})) {
    const base = defaults[key];
    merged[key] = isPlainObject(base) && isPlainObject(value) ? { ...base, ...value } : value;
  }
  const config = loadConfig(merged);
  const server = await createServer(config, { ...options.parts, clock });
  const url = await server.listen();
  return {
    url,
    wsUrl: `${url.replace(/^http/, 'ws')}/v1/ws`,
    server,
    clock,
    dataDir,
    async close() {
      await server.close();
      if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

export interface Reply<T = unknown> {
  readonly status: number;
  readonly body: T;
}

/** One JSON request; the body is parsed when there is one. */
export async function call<T = unknown>(
  url: string,
  method: string,
  path: string,
  options: { token?: string; body?: unknown; rawBody?: string; headers?: Record<string, string> } = {},
): Promise<Reply<T>> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers['authorization'] = `Bearer ${options.token}`;
  let body: string | undefined;
  if (options.rawBody !== undefined) body = options.rawBody;
  else if (options.body !== undefined) body = JSON.stringify(options.body);
  if (body !== undefined && !headers['content-type']) headers['content-type'] = 'application/json';
  const response = await fetch(url + path, { method, headers, ...(body === undefined ? {} : { body }) });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
}

export interface Login {
  readonly token: string;
  readonly userId: string;
  readonly deviceId: string;
  readonly username: string;
}

export async function register(url: string, username: string, password = 'correct horse'): Promise<void> {
  const reply = await call(url, 'POST', '/v1/users', { body: { username, password } });
  if (reply.status !== 201)
    throw new Error(`register ${username}: ${reply.status} ${JSON.stringify(reply.body)}`);
}

export async function login(
  url: string,
  username: string,
  deviceName = 'test',
  password = 'correct horse',
): Promise<Login> {
  const reply = await call<{ token: string; user: { id: string }; device: { id: string } }>(
    url,
    'POST',
    '/v1/sessions',
    {
      body: { username, password, deviceName },
    },
  );
  if (reply.status !== 201)
    throw new Error(`login ${username}: ${reply.status} ${JSON.stringify(reply.body)}`);
  return { token: reply.body.token, userId: reply.body.user.id, deviceId: reply.body.device.id, username };
}

export async function registerAndLogin(url: string, username: string, deviceName = 'test'): Promise<Login> {
  await register(url, username);
  return login(url, username, deviceName);
}

/**
 * A raw WebSocket client that records every frame, for tests of the wire itself. `waitFor` resolves when
 * a recorded frame matches — tests await events, they never sleep.
 */
export class RecordingSocket {
  readonly frames: ServerFrame[] = [];
  private waiters: { match: (f: ServerFrame) => boolean; resolve: (f: ServerFrame) => void }[] = [];
  closeCode: number | undefined;
  private closed: Promise<number>;

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => {
      const frame = JSON.parse(String(data)) as ServerFrame;
      this.frames.push(frame);
      this.waiters = this.waiters.filter((w) => {
        if (!w.match(frame)) return true;
        w.resolve(frame);
        return false;
      });
    });
    this.closed = new Promise((resolve) =>
      socket.on('close', (code) => {
        this.closeCode = code;
        resolve(code);
      }),
    );
  }

  static async open(wsUrl: string, token: string, after?: number): Promise<RecordingSocket> {
    const url = after === undefined ? wsUrl : `${wsUrl}?after=${after}`;
    const socket = new WebSocket(url, { headers: { authorization: `Bearer ${token}` } });
    const recorder = new RecordingSocket(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    return recorder;
  }

  /** A socket that authenticates with a first frame, as browsers do. */
  static async openWithAuthFrame(wsUrl: string, token: string, after?: number): Promise<RecordingSocket> {
    const socket = new WebSocket(wsUrl);
    const recorder = new RecordingSocket(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    socket.send(
      JSON.stringify(after === undefined ? { type: 'auth', token } : { type: 'auth', token, after }),
    );
    return recorder;
  }

  events(): Event[] {
    return this.frames.flatMap((f) => (f.type === 'event' ? [f.event] : []));
  }

  waitFor(match: (frame: ServerFrame) => boolean, timeoutMs = 10_000): Promise<ServerFrame> {
    const found = this.frames.find(match);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('timed out waiting for a frame')), timeoutMs);
      this.waiters.push({
        match,
        resolve: (f) => {
          clearTimeout(timer);
          resolve(f);
        },
      });
    });
  }

  waitForEvent(match: (event: Event) => boolean, timeoutMs?: number): Promise<Event> {
    return this.waitFor((f) => f.type === 'event' && match(f.event), timeoutMs).then(
      (f) => (f as { event: Event }).event,
    );
  }

  send(frame: unknown): void {
    this.socket.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  waitClose(): Promise<number> {
    return this.closed;
  }

  close(): Promise<number> {
    this.socket.close();
    return this.closed;
  }
}
