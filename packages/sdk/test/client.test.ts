import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import WebSocket from 'ws';
import type { Event } from '@retract/protocol';
import { createClient, type ClientOptions, type RetractClient } from '../src/client.js';
import { ApiError, NetworkError } from '../src/errors.js';
import { snapshotFromFetch } from '../src/snapshot.js';
import { TimelineStore } from '../src/store.js';
import { FakeServer, goodToken } from './fake-server.js';
import { errorBody, fakeFetch, respond, type Handler } from './fake-fetch.js';
import { conversation, ev, me, message, recalledMessage, simpleLog } from './fixtures.js';
import { FakeScheduler, once } from './helpers.js';

const base = 'http://retract.test';
const user = { id: me, username: 'me' };
const device = { id: 'd_1', name: 'test', createdAt: '2025-01-01T00:00:00.000Z' };

let scheduler: FakeScheduler;
let client: RetractClient | undefined;
let server: FakeServer | undefined;

afterEach(async () => {
  client?.disconnect();
  client = undefined;
  await server?.stop();
  server = undefined;
});

function make(handler: Handler, options: Partial<ClientOptions> = {}) {
  scheduler = new FakeScheduler();
  const fetch = fakeFetch(handler);
  client = createClient({ baseUrl: base, token: 'tok', fetch, scheduler, random: () => 0.5, ...options });
  return { client, fetch };
}

describe('RetractClient', () => {
  it('send() retries network failures with the same clientMsgId', async () => {
    let failures = 2;
    const sent = { message: message('m_1', 'c_1', 'hi'), created: true };
    const { client, fetch } = make(() => {
      if (failures-- > 0) return Promise.reject(new TypeError('fetch failed'));
      return respond(201, sent);
    });
    assert.deepEqual(await client.send('c_1', 'hi'), sent);
    assert.equal(fetch.calls.length, 3);
    const ids = fetch.calls.map((call) => (call.body as { clientMsgId: string }).clientMsgId);
    assert.match(ids[0] ?? '', /^[A-Za-z0-9_-]{22}$/);
    assert.deepEqual(ids, [ids[0], ids[0], ids[0]]);
    assert.deepEqual(scheduler.delays, [125, 250], 'full-jitter backoff between attempts');
  });

  it('send() uses a given clientMsgId and fresh ones otherwise', async () => {
    const { client, fetch } = make(() => respond(201, { message: message('m_1', 'c_1'), created: true }));
    await client.send('c_1', 'a', { clientMsgId: 'mine' });
    await client.send('c_1', 'b');
    await client.send('c_1', 'c');
    const ids = fetch.calls.map((call) => (call.body as { clientMsgId: string }).clientMsgId);
    assert.equal(ids[0], 'mine');
    assert.notEqual(ids[1], ids[2]);
  });

  it('does not retry a refusal, and gives up after the configured retries', async () => {
    const refused = make(() => respond(403, errorBody('not_permitted')));
    await assert.rejects(
      refused.client.send('c_1', 'hi'),
      (e) => e instanceof ApiError && e.isNotPermitted(),
    );
    assert.equal(refused.fetch.calls.length, 1);

    const down = make(() => Promise.reject(new TypeError('fetch failed')), { retries: 2 });
    await assert.rejects(down.client.send('c_1', 'hi'), NetworkError);
    assert.equal(down.fetch.calls.length, 3);
  });

  it('recall() retries `unavailable` after the Retry-After delay', async () => {
    let first = true;
    const result = {
      messageId: 'm_1',
      conversationId: 'c_1',
      tombstone: recalledMessage('m_1', 'c_1').recalled,
      transitioned: true,
    };
    const { client, fetch } = make(() => {
      if (!first) return respond(200, result);
      first = false;
      return respond(503, errorBody('unavailable'), { 'retry-after': '2' });
    });
    assert.deepEqual(await client.recall('m_1', 'typo'), result);
    assert.deepEqual(scheduler.delays, [2000]);
    assert.deepEqual(fetch.calls[1]?.body, { reason: 'typo' });
  });

  it('login keeps the token and user; logout ends the session, the connection and the local state', async () => {
    const { client, fetch } = make(
      (request) =>
        request.url.pathname === '/v1/sessions' && request.method === 'POST'
          ? respond(201, { token: 'tok-2', user, device })
          : respond(204),
      { token: null },
    );
    client.store.setUser(me);
    client.store.apply(ev.conversationCreated(1, conversation('c_1')));
    const login = await client.login('me', 'pw', 'laptop');
    assert.equal(login.token, 'tok-2');
    assert.equal(client.token, 'tok-2');
    assert.deepEqual(client.user, user);
    assert.deepEqual(fetch.calls[0]?.body, { username: 'me', password: 'pw', deviceName: 'laptop' });
    assert.equal(client.store.snapshot().conversations.length, 1, 'same user: state kept');

    await client.logout();
    assert.equal(fetch.calls[1]?.method, 'DELETE');
    assert.equal(fetch.calls[1]?.headers['authorization'], 'Bearer tok-2');
    assert.equal(client.token, null);
    assert.equal(client.state, 'closed');
    assert.deepEqual(client.store.snapshot(), { conversations: [] });
    assert.throws(
      () => client.connect(),
      (e) => e instanceof Error && 'code' in e && e.code === 'unauthenticated',
    );
  });

  it('logging in as another user empties the store', async () => {
    const { client } = make(() =>
      respond(201, { token: 't', user: { id: 'u_other', username: 'o' }, device }),
    );
    client.store.setUser(me);
    client.store.apply(ev.conversationCreated(1, conversation('c_1')));
    await client.login('o', 'pw');
    assert.equal(client.store.userId, 'u_other');
    assert.equal(client.store.cursor, 0);
    assert.deepEqual(client.store.snapshot(), { conversations: [] });
  });

  it('fetchSnapshot() pages through history; refresh() loads it and keeps events that arrive meanwhile', async () => {
    const conversations = [conversation('c_1')];
    const late: Event = ev.messageCreated(1, message('m_late', 'c_1'));
    let syncedDuringFetch = false;
    const { client } = make(async (request) => {
      const path = request.url.pathname;
      if (path === '/v1/me') return respond(200, { user, device, cursor: 0 });
      if (path === '/v1/conversations') return respond(200, { conversations });
      if (path === '/v1/sync') return respond(200, { events: [late], cursor: 1, hasMore: false });
      if (request.url.searchParams.get('before') === null) {
        // While the history is being fetched, an event arrives (here through an HTTP catch-up).
        if (syncedDuringFetch) await client.sync();
        return respond(200, { messages: [message('m_2', 'c_1')], nextBefore: '1' });
      }
      return respond(200, { messages: [recalledMessage('m_1', 'c_1')], nextBefore: null });
    });

    const fetched = await client.fetchSnapshot();
    assert.deepEqual(
      fetched,
      snapshotFromFetch(me, conversations, { c_1: [message('m_2', 'c_1'), recalledMessage('m_1', 'c_1')] }),
    );
    assert.deepEqual(client.store.snapshot(), { conversations: [] }, 'fetchSnapshot leaves the store alone');

    syncedDuringFetch = true;
    const refreshed = await client.refresh();
    assert.deepEqual(
      refreshed.conversations[0]?.messages.map((m) => [m.id, m.body]),
      [
        ['m_1', null],
        ['m_2', 'body of m_2'],
        ['m_late', 'body of m_late'],
      ],
    );
    assert.equal(client.store.cursor, 1);
  });

  it('resumes from the store’s cursor and applies each event to the store before re-emitting it', async () => {
    server = await FakeServer.start();
    const log = simpleLog(4);
    server.append(...log);
    const store = new TimelineStore();
    store.applyAll(log.slice(0, 2));
    client = createClient({ baseUrl: server.baseUrl, token: goodToken, WebSocket, store, random: () => 0.5 });
    const seen: [number, number][] = [];
    client.on('event', (event) => seen.push([event.seq, store.cursor]));
    const synced = once<{ readonly cursor: number }>((l) => client?.on('synced', l) ?? (() => undefined));
    client.connect();
    assert.equal((await synced).cursor, 4);
    assert.deepEqual((await server.socket(0)).frames[0], { type: 'auth', token: goodToken, after: 2 });
    assert.deepEqual(seen, [
      [3, 3],
      [4, 4],
    ]);
    assert.equal(store.userId, 'u_me', 'user adopted from the ready frame');
    assert.deepEqual(
      store.messages('c_1').map((m) => m.id),
      ['m_2', 'm_3', 'm_4'],
    );
  });

  it('starts over from cursor 0 when the server says the cursor is ahead (another database)', async () => {
    server = await FakeServer.start();
    server.append(...simpleLog(2, 'c_new'));
    const store = new TimelineStore({ userId: me });
    store.applyAll(simpleLog(5, 'c_old'));
    client = createClient({ baseUrl: server.baseUrl, token: goodToken, WebSocket, store, random: () => 0.5 });
    const synced = once<{ readonly cursor: number }>((l) => client?.on('synced', l) ?? (() => undefined));
    client.connect();
    assert.equal((await synced).cursor, 2);
    assert.deepEqual((await server.socket(0)).frames[0], { type: 'auth', token: goodToken, after: 5 });
    assert.deepEqual((await server.socket(1)).frames[0], { type: 'auth', token: goodToken, after: 0 });
    assert.deepEqual(
      store.snapshot().conversations.map((c) => [c.id, c.messages.length]),
      [['c_new', 1]],
    );
  });
});
