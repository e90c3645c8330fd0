import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import WebSocket from 'ws';
import type { Event } from '@retract/protocol';
import type { ConnectionState, StateChange } from '../src/codes.js';
import { Connection, type ConnectionOptions } from '../src/connection.js';
import { ApiError, NetworkError, ProtocolError, type RetractError } from '../src/errors.js';
import { HttpApi } from '../src/http.js';
import { FakeServer, goodToken } from './fake-server.js';
import { ev, message, simpleLog } from './fixtures.js';
import { collect, FakeScheduler, once } from './helpers.js';

let server: FakeServer;
let scheduler: FakeScheduler;
let connection: Connection | undefined;

beforeEach(async () => {
  server = await FakeServer.start();
  scheduler = new FakeScheduler();
});

afterEach(async () => {
  connection?.disconnect();
  connection = undefined;
  await server.stop();
});

function open(options: Partial<ConnectionOptions> = {}): Connection {
  const http = new HttpApi({ baseUrl: server.baseUrl, token: goodToken });
  connection = new Connection({
    baseUrl: server.baseUrl,
    token: () => goodToken,
    WebSocket,
    fetchEvents: (after) => http.sync({ after }),
    scheduler,
    random: () => 0.5,
    ...options,
  });
  return connection;
}

function state(conn: Connection, to: ConnectionState, code?: string): Promise<StateChange> {
  return once(
    (listener) => conn.on('state', listener),
    (change) => change.to === to && (code === undefined || change.reason.code === code),
    `state ${to} ${code ?? ''}`,
  );
}

function eventSeq(conn: Connection, seq: number): Promise<Event> {
  return once(
    (listener) => conn.on('event', listener),
    (event) => event.seq === seq,
    `event ${seq}`,
  );
}

const seqs = (events: readonly Event[]): number[] => events.map((event) => event.seq);

describe('Connection', () => {
  it('sends the cursor in the auth frame, replays after it, then goes live', async () => {
    server.append(...simpleLog(5));
    const conn = open({ cursor: 2 });
    const events = collect<Event>((l) => conn.on('event', l));
    const states = collect<StateChange>((l) => conn.on('state', l));
    const synced = once<{ readonly cursor: number }>((l) => conn.on('synced', l));
    const live = state(conn, 'live');
    conn.connect();
    await live;

    const socket = await server.socket(0);
    assert.deepEqual(socket.frames[0], { type: 'auth', token: goodToken, after: 2 });
    assert.deepEqual(seqs(events), [3, 4, 5]);
    assert.deepEqual((await synced).cursor, 5);
    assert.deepEqual(
      states.map((s) => [s.from, s.to, s.reason.code]),
      [
        ['disconnected', 'connecting', 'connect_called'],
        ['connecting', 'syncing', 'ready'],
        ['syncing', 'live', 'synced'],
      ],
    );

    const sixth = eventSeq(conn, 6);
    server.push(ev.messageCreated(6, message('m_6', 'c_1')));
    await sixth;
    assert.equal(conn.cursor, 6);
    assert.deepEqual(seqs(events), [3, 4, 5, 6]);
  });

  it('drops duplicate events, in the replay and live', async () => {
    const log = simpleLog(4);
    server.append(...log.slice(0, 3));
    server.onAuth = (socket) => {
      socket.send({ type: 'ready', protocol: 1, userId: 'u_me', deviceId: 'd_1', cursor: 0 });
      socket.sendEvents([log[0], log[1], log[1], log[0], log[2]].filter((e) => e !== undefined));
      socket.send({ type: 'synced', seq: 3 });
      server.onAuth = () => undefined;
    };
    const conn = open();
    const events = collect<Event>((l) => conn.on('event', l));
    const live = state(conn, 'live');
    conn.connect();
    await live;
    assert.deepEqual(seqs(events), [1, 2, 3]);

    const socket = await server.socket(0);
    const fourth = eventSeq(conn, 4);
    socket.sendEvents(log.slice(1, 4)); // 2 and 3 again, then 4
    await fourth;
    assert.deepEqual(seqs(events), [1, 2, 3, 4]);
  });

  it('fills a gap over GET /v1/sync, paging until hasMore is false, and drops the late frames', async () => {
    const log = simpleLog(8);
    server.append(...log.slice(0, 7));
    server.onAuth = (socket) => {
      socket.send({ type: 'ready', protocol: 1, userId: 'u_me', deviceId: 'd_1', cursor: 0 });
      socket.sendEvents(log.slice(0, 1));
      socket.send({ type: 'synced', seq: 1 });
    };
    const conn = open();
    const events = collect<Event>((l) => conn.on('event', l));
    const states = collect<StateChange>((l) => conn.on('state', l));
    const live = state(conn, 'live');
    conn.connect();
    await live;
    const socket = await server.socket(0);

    const filled = state(conn, 'live', 'gap_filled');
    socket.sendEvents(log.slice(6, 7)); // seq 7 while the cursor is 1
    await filled;
    assert.deepEqual(seqs(events), [1, 2, 3, 4, 5, 6, 7]);
    assert.deepEqual(
      server.syncRequests.map((r) => r.after),
      [1, 3, 5],
    );
    assert.deepEqual(
      states.slice(-2).map((s) => [s.from, s.to, s.reason.code]),
      [
        ['live', 'syncing', 'gap_detected'],
        ['syncing', 'live', 'gap_filled'],
      ],
    );

    const eighth = eventSeq(conn, 8);
    socket.sendEvents(log.slice(1, 6)); // the frames the gap held back arrive late
    server.append(...log.slice(7));
    socket.sendEvents(log.slice(7));
    await eighth;
    assert.deepEqual(seqs(events), [1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('treats a synced frame beyond the cursor as a gap', async () => {
    const log = simpleLog(5);
    server.append(...log);
    server.onAuth = (socket) => {
      socket.send({ type: 'ready', protocol: 1, userId: 'u_me', deviceId: 'd_1', cursor: 0 });
      socket.sendEvents(log.slice(0, 2));
      socket.send({ type: 'synced', seq: 5 });
    };
    const conn = open();
    const events = collect<Event>((l) => conn.on('event', l));
    const synced = once<{ readonly cursor: number }>((l) => conn.on('synced', l));
    conn.connect();
    assert.equal((await synced).cursor, 5);
    assert.deepEqual(seqs(events), [1, 2, 3, 4, 5]);
    assert.equal(server.syncRequests[0]?.after, 2);
    assert.equal(conn.state, 'live');
  });

  it('without HTTP sync, a gap drops the socket and the replay fills it', async () => {
    const log = simpleLog(3);
    server.append(...log);
    server.onAuth = (socket) => {
      socket.send({ type: 'ready', protocol: 1, userId: 'u_me', deviceId: 'd_1', cursor: 0 });
      socket.sendEvents([log[0], log[2]].filter((e) => e !== undefined));
      server.onAuth = (s, frame) => server.replay(s, frame.after ?? 0);
    };
    const conn = open({ fetchEvents: undefined });
    const events = collect<Event>((l) => conn.on('event', l));
    const errors = collect<RetractError>((l) => conn.on('error', l));
    const dropped = state(conn, 'disconnected', 'gap_recovery_failed');
    conn.connect();
    await dropped;
    assert.ok(errors[0] instanceof ProtocolError);

    const live = state(conn, 'live');
    const second = await server.socket(1);
    await live;
    assert.deepEqual(second.frames[0], { type: 'auth', token: goodToken, after: 1 });
    assert.deepEqual(seqs(events), [1, 2, 3]);
  });

  it('reconnects after a 1006 drop and resumes from the cursor', async () => {
    server.append(...simpleLog(3));
    const conn = open();
    const events = collect<Event>((l) => conn.on('event', l));
    const live = state(conn, 'live');
    conn.connect();
    await live;

    const dropped = state(conn, 'disconnected');
    (await server.socket(0)).terminate();
    const change = await dropped;
    assert.deepEqual(change.reason, {
      code: 'transport_closed',
      closeCode: 1006,
      message: '',
      reconnectInMs: 125,
    });

    server.append(ev.messageCreated(4, message('m_4', 'c_1')), ev.messageCreated(5, message('m_5', 'c_1')));
    const relive = state(conn, 'live');
    const second = await server.socket(1);
    await relive;
    assert.deepEqual(second.frames[0], { type: 'auth', token: goodToken, after: 3 });
    assert.deepEqual(seqs(events), [1, 2, 3, 4, 5]);
  });

  it('backs off exponentially with full jitter, capped, and resets once live', async () => {
    let failures = 3;
    server.append(...simpleLog(2));
    server.onAuth = (socket, frame) => {
      if (failures > 0) {
        failures -= 1;
        socket.close(1013, 'unavailable');
      } else server.replay(socket, frame.after ?? 0);
    };
    const conn = open({ backoff: { baseMs: 100, maxMs: 300 } });
    const waits = collect<StateChange>((l) => conn.on('state', l));
    const live = state(conn, 'live');
    conn.connect();
    await live;
    const delays = waits.flatMap((s) => (s.to === 'disconnected' ? [s.reason.reconnectInMs] : []));
    // random() = 0.5: half of min(300, 100·2^attempt)
    assert.deepEqual(delays, [50, 100, 150]);
    assert.ok(waits.every((s) => s.to !== 'disconnected' || s.reason.closeCode === 1013));

    const again = state(conn, 'disconnected');
    (await server.socket(3)).terminate();
    assert.equal((await again).reason.reconnectInMs, 50);
  });

  for (const [closeCode, code] of [
    [4403, 'session_revoked'],
    [4401, 'unauthenticated'],
    [4400, 'cursor_ahead'],
  ] as const) {
    it(`goes to closed on ${closeCode} and does not reconnect`, async () => {
      const conn = open();
      const live = state(conn, 'live');
      conn.connect();
      await live;
      const closed = state(conn, 'closed');
      (await server.socket(0)).close(closeCode, code);
      assert.deepEqual((await closed).reason, { code, closeCode, message: code });
      assert.deepEqual(scheduler.pending(), []);
      assert.equal(conn.state, 'closed');
    });
  }

  it('goes to closed when the server rejects the token at auth', async () => {
    const conn = open({ token: () => 't_bad' });
    const closed = state(conn, 'closed');
    conn.connect();
    assert.equal((await closed).reason.code, 'unauthenticated');
    assert.deepEqual(scheduler.pending(), []);
  });

  it('reconnects after 4408 (auth timeout)', async () => {
    server.onAuth = (socket) => {
      socket.close(4408, 'auth_timeout');
      server.onAuth = (s, f) => server.replay(s, f.after ?? 0);
    };
    const conn = open();
    const dropped = state(conn, 'disconnected');
    const live = state(conn, 'live');
    conn.connect();
    assert.equal((await dropped).reason.closeCode, 4408);
    await live;
    assert.equal(server.sockets.length, 2);
  });

  it('acks at once on synced, then batches acks of live events', async () => {
    scheduler = new FakeScheduler((delayMs) => delayMs === 200 || delayMs >= 10_000);
    server.append(...simpleLog(3));
    const conn = open({ ackDelayMs: 200 });
    const live = state(conn, 'live');
    conn.connect();
    await live;
    const socket = await server.socket(0);
    await socket.frame((f) => f.type === 'ack', 'first ack');
    assert.deepEqual(socket.acks, [3]);

    const sixth = eventSeq(conn, 6);
    server.push(...[4, 5, 6].map((seq) => ev.messageCreated(seq, message(`m_${seq}`, 'c_1'))));
    await sixth;
    assert.deepEqual(socket.acks, [3], 'no ack before the batch timer fires');
    assert.equal(scheduler.pending().filter((d) => d === 200).length, 1, 'one timer for the batch');
    scheduler.fire(200);
    await socket.frame((f) => f.type === 'ack' && f.seq === 6, 'ack 6');
    assert.deepEqual(socket.acks, [3, 6]);
  });

  it('never acks beyond what the current socket sent, even when HTTP sync got further', async () => {
    scheduler = new FakeScheduler((delayMs) => delayMs === 200 || delayMs >= 10_000);
    server.append(...simpleLog(3));
    const conn = open({ ackDelayMs: 200 });
    const live = state(conn, 'live');
    conn.connect();
    await live;
    const socket = await server.socket(0);
    await socket.frame((f) => f.type === 'ack', 'ack on synced');

    server.append(ev.messageCreated(4, message('m_4', 'c_1')), ev.messageCreated(5, message('m_5', 'c_1')));
    assert.equal(await conn.catchUp(), 2);
    assert.equal(conn.cursor, 5);
    assert.equal(scheduler.fire(200), 0, 'nothing the socket sent is unacknowledged');

    const sixth = eventSeq(conn, 6);
    server.push(ev.messageCreated(6, message('m_6', 'c_1')));
    await sixth;
    scheduler.fire(200);
    await socket.frame((f) => f.type === 'ack' && f.seq === 6, 'ack 6');
    assert.deepEqual(socket.acks, [3, 6]);
  });

  it('sends commands over the socket and matches replies by id', async () => {
    const result = { message: message('m_9', 'c_1', 'hi'), created: true };
    server.onCommand = (socket, frame) => {
      if (frame.type === 'send') socket.send({ type: 'reply', id: frame.id, ok: true, result });
      else
        socket.send({
          type: 'reply',
          id: frame.id,
          ok: false,
          error: { code: 'not_permitted', message: 'no' },
        });
    };
    const conn = open();
    const live = state(conn, 'live');
    conn.connect();
    await live;

    const sent = await conn.request({ type: 'send', conversationId: 'c_1', clientMsgId: 'k1', body: 'hi' });
    assert.deepEqual(sent, result);
    const frame = await (await server.socket(0)).frame((f) => f.type === 'send');
    assert.deepEqual(frame, { type: 'send', conversationId: 'c_1', clientMsgId: 'k1', body: 'hi', id: 'r1' });

    await assert.rejects(conn.request({ type: 'recall', messageId: 'm_9' }), (error) => {
      assert.ok(error instanceof ApiError);
      assert.equal(error.code, 'not_permitted');
      assert.equal(error.status, 403);
      return true;
    });
  });

  it('rejects a request on timeout, when not connected, and when the socket drops', async () => {
    server.onCommand = () => undefined; // never answers
    const conn = open();
    await assert.rejects(
      conn.request({ type: 'hide', messageId: 'm_1' }),
      (error) => error instanceof NetworkError && error.reason === 'not_connected',
    );
    const live = state(conn, 'live');
    conn.connect();
    await live;

    const timedOut = conn.request({ type: 'hide', messageId: 'm_1' }, { timeoutMs: 30_000 });
    await scheduler.waitFor(30_000);
    scheduler.fire(30_000);
    await assert.rejects(timedOut, (error) => error instanceof NetworkError && error.reason === 'timeout');

    const dropped = conn.request({ type: 'hide', messageId: 'm_1' });
    await (await server.socket(0)).frame((f) => f.type === 'hide' && f.id === 'r2');
    (await server.socket(0)).terminate();
    await assert.rejects(
      dropped,
      (error) => error instanceof NetworkError && error.reason === 'socket_closed',
    );
  });

  it('emits error frames without dropping the connection', async () => {
    const conn = open();
    const live = state(conn, 'live');
    conn.connect();
    await live;
    const error = once<RetractError>((l) => conn.on('error', l));
    (await server.socket(0)).send({ type: 'error', error: { code: 'invalid_frame', message: 'bad frame' } });
    const received = await error;
    assert.ok(received instanceof ApiError);
    assert.equal(received.code, 'invalid_frame');
    assert.equal(conn.state, 'live');
  });

  it('closes on a protocol version mismatch', async () => {
    server.onAuth = (socket) =>
      socket.send({ type: 'ready', protocol: 99, userId: 'u_me', deviceId: 'd_1', cursor: 0 });
    const conn = open();
    const closed = state(conn, 'closed');
    conn.connect();
    assert.equal((await closed).reason.code, 'protocol_mismatch');
    assert.deepEqual(scheduler.pending(), []);
  });

  it('disconnect() closes the socket and stops reconnecting', async () => {
    const conn = open();
    const live = state(conn, 'live');
    conn.connect();
    await live;
    const disconnected = state(conn, 'disconnected');
    conn.disconnect();
    assert.equal((await disconnected).reason.code, 'disconnect_called');
    await (
      await server.socket(0)
    ).closed;
    assert.deepEqual(scheduler.pending(), []);
  });

  it('catchUp() delivers events over HTTP without a socket', async () => {
    server.append(...simpleLog(5));
    const conn = open({ cursor: 1 });
    const events = collect<Event>((l) => conn.on('event', l));
    assert.equal(await conn.catchUp(), 4);
    assert.deepEqual(seqs(events), [2, 3, 4, 5]);
    assert.equal(conn.cursor, 5);
    assert.equal(conn.state, 'disconnected');
  });
});
