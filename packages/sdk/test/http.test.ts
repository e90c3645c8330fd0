import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApiError, NetworkError, ProtocolError } from '../src/errors.js';
import { HttpApi } from '../src/http.js';
import { errorBody, fakeFetch, respond } from './fake-fetch.js';

const base = 'http://retract.test/';

describe('HttpApi', () => {
  it('reads the server clock from retract-time, on errors too, and keeps the last offset', async () => {
    let stamp: string | null = null;
    let status = 200;
    const fetch = fakeFetch(() =>
      respond(status, { ok: true }, stamp === null ? {} : { 'retract-time': stamp }),
    );
    const http = new HttpApi({ baseUrl: base, fetch });
    assert.equal(http.clockOffsetMs, 0, 'no answer yet: the device clock as it is');

    stamp = new Date(Date.now() + 180_000).toISOString();
    await http.me();
    // The fake answers at once, so the midpoint estimate is within a few ms of the 3 minutes.
    assert.ok(Math.abs(http.clockOffsetMs - 180_000) < 1_000, `offset ${http.clockOffsetMs}`);
    assert.ok(Math.abs(http.serverNow() - (Date.now() + 180_000)) < 1_000);

    stamp = new Date(Date.now() - 60_000).toISOString();
    status = 404;
    await assert.rejects(http.me(), ApiError);
    assert.ok(Math.abs(http.clockOffsetMs + 60_000) < 1_000, 'an error answer is stamped too');

    stamp = 'not a time';
    status = 200;
    await http.me();
    assert.ok(Math.abs(http.clockOffsetMs + 60_000) < 1_000, 'an unreadable stamp changes nothing');
  });

  it('maps each method to its endpoint, with the body as JSON', async () => {
    const fetch = fakeFetch(() => respond(200, { ok: true }));
    const http = new HttpApi({ baseUrl: base, token: 'tok', fetch });
    const send = { clientMsgId: 'k1', body: 'hi' };
    const cases: [() => Promise<unknown>, string, string, unknown][] = [
      [
        () => http.register({ username: 'ann', password: 'p4ssw0rd!' }),
        'POST',
        '/v1/users',
        { username: 'ann', password: 'p4ssw0rd!' },
      ],
      [
        () => http.login({ username: 'ann', password: 'pw', deviceName: 'cli' }),
        'POST',
        '/v1/sessions',
        { username: 'ann', password: 'pw', deviceName: 'cli' },
      ],
      [() => http.me(), 'GET', '/v1/me', undefined],
      [
        () => http.createConversation({ kind: 'direct', members: ['bob'] }),
        'POST',
        '/v1/conversations',
        { kind: 'direct', members: ['bob'] },
      ],
      [() => http.listConversations(), 'GET', '/v1/conversations', undefined],
      [
        () => http.addMembers('c_1', { members: ['u_2'] }),
        'POST',
        '/v1/conversations/c_1/members',
        { members: ['u_2'] },
      ],
      [() => http.sendMessage('c_1', send), 'POST', '/v1/conversations/c_1/messages', send],
      [
        () => http.history('c_1', { before: '42', limit: 10 }),
        'GET',
        '/v1/conversations/c_1/messages?before=42&limit=10',
        undefined,
      ],
      [() => http.history('c_1'), 'GET', '/v1/conversations/c_1/messages', undefined],
      [() => http.recall('m_1', { reason: 'typo' }), 'POST', '/v1/messages/m_1/recall', { reason: 'typo' }],
      [() => http.recall('m_1'), 'POST', '/v1/messages/m_1/recall', undefined],
      [() => http.hide('m_1'), 'POST', '/v1/messages/m_1/hide', undefined],
      [() => http.sync({ after: 7, limit: 100 }), 'GET', '/v1/sync?after=7&limit=100', undefined],
    ];
    for (const [call, method, path, body] of cases) {
      assert.deepEqual(await call(), { ok: true });
      const request = fetch.calls.at(-1);
      assert.equal(request?.method, method, path);
      assert.equal(request.url.pathname + request.url.search, path);
      assert.deepEqual(request.body, body, path);
      assert.equal(request.headers['authorization'], 'Bearer tok');
      // A content-type only goes with a body.
      assert.equal(
        request.headers['content-type'],
        body === undefined ? undefined : 'application/json',
        path,
      );
    }
  });

  it('returns undefined for 204 (logout, remove member) and encodes path segments', async () => {
    const fetch = fakeFetch(() => respond(204));
    const http = new HttpApi({ baseUrl: base, token: 'tok', fetch });
    assert.equal(await http.logout(), undefined);
    assert.equal(fetch.calls[0]?.method, 'DELETE');
    assert.equal(fetch.calls[0]?.url.pathname, '/v1/sessions/current');
    assert.equal(await http.removeMember('c_1', 'u/2'), undefined);
    assert.equal(fetch.calls[1]?.url.pathname, '/v1/conversations/c_1/members/u%2F2');
  });

  it('asks for recall analytics with the query in the URL, leaving out what is not given', async () => {
    const fetch = fakeFetch(() => respond(200, { ok: true }));
    const http = new HttpApi({ baseUrl: base, token: 'tok', fetch });
    const at = (i: number) => fetch.calls[i]!.url.pathname + fetch.calls[i]!.url.search;
    await http.stats();
    assert.equal(at(0), '/v1/admin/stats');
    await http.stats({ from: '2026-03-01T00:00:00Z', tz: 'Asia/Kolkata' });
    assert.equal(at(1), '/v1/admin/stats?from=2026-03-01T00%3A00%3A00Z&tz=Asia%2FKolkata');
    await http.whatIf({ windowSeconds: 300, to: '2026-03-08T00:00:00Z' });
    assert.equal(at(2), '/v1/admin/stats/what-if?to=2026-03-08T00%3A00%3A00Z&windowSeconds=300');
    for (const call of fetch.calls) {
      assert.equal(call.method, 'GET');
      assert.equal(call.body, undefined);
    }
  });

  it('sends no Authorization header without a token', async () => {
    const fetch = fakeFetch(() => respond(201, { user: { id: 'u_1', username: 'ann' } }));
    const http = new HttpApi({ baseUrl: base, fetch });
    await http.register({ username: 'ann', password: 'p4ssw0rd!' });
    assert.equal(fetch.calls[0]?.headers['authorization'], undefined);
  });

  it('throws ApiError from an error body, with status, details, request id and Retry-After', async () => {
    const http = new HttpApi({
      baseUrl: base,
      fetch: fakeFetch(() =>
        respond(403, errorBody('recall_window_expired', { windowSeconds: 120 }), {
          'x-request-id': 'req-1',
          'retry-after': '5',
        }),
      ),
    });
    await assert.rejects(http.recall('m_1'), (error) => {
      assert.ok(error instanceof ApiError);
      assert.equal(error.isRecallWindowExpired(), true);
      assert.equal(error.status, 403);
      assert.deepEqual(error.details, { windowSeconds: 120 });
      assert.equal(error.requestId, 'req-1');
      assert.equal(error.retryAfterMs, 5000);
      return true;
    });
  });

  it('throws ApiError internal when the error body is not JSON', async () => {
    const http = new HttpApi({ baseUrl: base, fetch: fakeFetch(() => respond(502, '<h1>Bad gateway</h1>')) });
    await assert.rejects(
      http.me(),
      (error) => error instanceof ApiError && error.code === 'internal' && error.status === 502,
    );
  });

  it('throws NetworkError when fetch fails, and says when it timed out', async () => {
    const refused = new HttpApi({
      baseUrl: base,
      fetch: fakeFetch(() => Promise.reject(new TypeError('fetch failed'))),
    });
    await assert.rejects(refused.me(), (error) => {
      assert.ok(error instanceof NetworkError);
      assert.equal(error.reason, 'fetch_failed');
      assert.ok(error.cause instanceof TypeError);
      return true;
    });
    const timeout = Object.assign(new Error('timed out'), { name: 'TimeoutError' });
    const slow = new HttpApi({ baseUrl: base, fetch: fakeFetch(() => Promise.reject(timeout)) });
    await assert.rejects(slow.me(), (error) => error instanceof NetworkError && error.reason === 'timeout');
  });

  it('throws ProtocolError when a success body is not JSON', async () => {
    const http = new HttpApi({ baseUrl: base, fetch: fakeFetch(() => respond(200, 'hello')) });
    await assert.rejects(http.me(), ProtocolError);
  });

  it('uploads raw bytes as octet-stream, with the kind and name in the query', async () => {
    const fetch = fakeFetch(() => respond(201, { ok: true }));
    const http = new HttpApi({ baseUrl: base, token: 'tok', fetch });
    const bytes = new Uint8Array([1, 2, 3]);
    await http.uploadAttachment(bytes, { kind: 'file', name: 'a b.txt' });
    const request = fetch.calls[0]!;
    assert.equal(request.method, 'POST');
    assert.equal(request.url.pathname + request.url.search, '/v1/attachments?kind=file&name=a+b.txt');
    assert.equal(request.headers['content-type'], 'application/octet-stream');
    assert.equal(request.body, bytes);
    await http.uploadAttachment(new Blob(['x']), { kind: 'image' });
    assert.equal(fetch.calls[1]!.url.search, '?kind=image');
  });

  it('maps read receipts and the disappearing timer to their endpoints', async () => {
    const fetch = fakeFetch(() => respond(200, { ok: true }));
    const http = new HttpApi({ baseUrl: base, token: 'tok', fetch });
    const setting = { mode: 'after_read', seconds: 300 } as const;
    const cases: [() => Promise<unknown>, string, string, unknown][] = [
      [() => http.markRead('c_1', 'm_9'), 'POST', '/v1/conversations/c_1/read', { upTo: 'm_9' }],
      [() => http.disappearing('c_1'), 'GET', '/v1/conversations/c_1/disappearing', undefined],
      [
        () => http.setDisappearing('c_1', setting),
        'PUT',
        '/v1/conversations/c_1/disappearing',
        { disappearing: setting },
      ],
      [
        () => http.setDisappearing('c_1', null),
        'PUT',
        '/v1/conversations/c_1/disappearing',
        { disappearing: null },
      ],
    ];
    for (const [call, method, path, body] of cases) {
      await call();
      const request = fetch.calls.at(-1)!;
      assert.equal(request.method, method, path);
      assert.equal(request.url.pathname, path);
      assert.deepEqual(request.body, body, path);
    }
  });

  it('downloads a Blob typed by the content-type header, through blob() or arrayBuffer()', async () => {
    const bytes = new Uint8Array([0x89, 0x50, 0x4e, 0x47]);
    const headers = { 'content-type': 'image/png' };
    const withBlob = new HttpApi({
      baseUrl: base,
      // An untyped Blob, as some fetch implementations give: the header still sets the type.
      fetch: fakeFetch(() => ({
        ...respond(200, '', headers),
        blob: () => Promise.resolve(new Blob([bytes])),
      })),
    });
    const fromBuffer = new HttpApi({
      baseUrl: base,
      fetch: fakeFetch(() => ({
        ...respond(200, '', headers),
        arrayBuffer: () => Promise.resolve(bytes.slice().buffer),
      })),
    });
    for (const http of [withBlob, fromBuffer]) {
      const blob = await http.downloadAttachment('a/1');
      assert.equal(blob.type, 'image/png');
      assert.deepEqual(new Uint8Array(await blob.arrayBuffer()), bytes);
    }
  });

  it('throws ProtocolError when the fetch in use cannot read binary bodies', async () => {
    const http = new HttpApi({ baseUrl: base, fetch: fakeFetch(() => respond(200, 'bytes')) });
    await assert.rejects(http.downloadAttachment('a_1'), (error) => {
      assert.ok(error instanceof ProtocolError);
      assert.match(error.message, /blob\(\) nor arrayBuffer\(\)/);
      return true;
    });
  });

  it('maps a failed download to ApiError or NetworkError like every other call', async () => {
    const gone = new HttpApi({
      baseUrl: base,
      fetch: fakeFetch(() => respond(410, errorBody('attachment_gone'))),
    });
    await assert.rejects(
      gone.downloadAttachment('a_1'),
      (error) => error instanceof ApiError && error.code === 'attachment_gone' && error.status === 410,
    );
    const cut = new HttpApi({
      baseUrl: base,
      fetch: fakeFetch(() => ({
        ...respond(200),
        blob: () => Promise.reject(new TypeError('terminated')),
      })),
    });
    await assert.rejects(
      cut.downloadAttachment('a_1'),
      (error) => error instanceof NetworkError && error.reason === 'fetch_failed',
    );
  });
});
