import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  call,
  login,
  register,
  registerAndLogin,
  RecordingSocket,
  startTestServer,
  type Login,
  type TestServer,
} from './support/harness.js';
import { redisSkip, testRedisUrl } from './support/redis.js';

/**
 * Request budgets: a caller who spends theirs gets 429 `rate_limited` with `Retry-After` (HTTP) or a
 * failed reply (WebSocket, which stays open), and gets through again once the window has passed. Each
 * user, each server admin and each address has a budget of its own; HTTP and WebSocket share one.
 */

interface Limited {
  readonly error: { readonly code: string; readonly details: { readonly retryAfterSeconds: number } };
}

/** Real time: the limiter's windows run on the wall clock, not the server's (fake) clock. */
async function waitOut(retryAfterSeconds: number): Promise<void> {
  await sleep(retryAfterSeconds * 1000 + 100);
}

async function metricsText(t: TestServer): Promise<string> {
  return (await fetch(`${t.url}/metrics`)).text();
}

function assertLimited(reply: { status: number; body: unknown }, headers: Headers): number {
  assert.equal(reply.status, 429, JSON.stringify(reply.body));
  const body = reply.body as Limited;
  assert.equal(body.error.code, 'rate_limited');
  const seconds = body.error.details.retryAfterSeconds;
  assert.ok(Number.isInteger(seconds) && seconds >= 1, `retryAfterSeconds ${seconds}`);
  assert.equal(headers.get('retry-after'), String(seconds));
  return seconds;
}

/** A request that also hands back the response headers. */
async function get(url: string, path: string, token?: string) {
  const response = await fetch(url + path, token ? { headers: { authorization: `Bearer ${token}` } } : {});
  const text = await response.text();
  return {
    status: response.status,
    body: text ? (JSON.parse(text) as unknown) : undefined,
    headers: response.headers,
  };
}

async function postLogin(url: string, username: string, password: string) {
  const response = await fetch(`${url}/v1/sessions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  return { status: response.status, body: (await response.json()) as unknown, headers: response.headers };
}

describe('per-user budgets over HTTP and WebSocket', () => {
  let t: TestServer;
  let alice: Login;
  let bob: Login;
  let root: Login;
  let groupId: string;

  before(async () => {
    t = await startTestServer({
      config: {
        serverAdmins: ['root'],
        limits: {
          user: { points: 4, durationSeconds: 2 },
          moderator: { points: 12, durationSeconds: 2 },
        },
      },
    });
    alice = await registerAndLogin(t.url, 'alice');
    bob = await registerAndLogin(t.url, 'bob');
    root = await registerAndLogin(t.url, 'root');
    const created = await call<{ conversation: { id: string } }>(t.url, 'POST', '/v1/conversations', {
      token: alice.token,
      body: { kind: 'group', members: ['bob'] },
    });
    groupId = created.body.conversation.id;
    await waitOut(2); // the set-up spent some of alice's budget
  });
  after(() => t.close());

  it('refuses the request past the budget with 429 and Retry-After, and lets it through after', async () => {
    for (let i = 0; i < 4; i++)
      assert.equal((await get(t.url, '/v1/me', alice.token)).status, 200, `request ${i}`);
    const refused = await get(t.url, '/v1/me', alice.token);
    const seconds = assertLimited(refused, refused.headers);
    assert.ok(seconds <= 2);
    // Someone else's budget is untouched.
    assert.equal((await get(t.url, '/v1/me', bob.token)).status, 200);
    await waitOut(seconds);
    assert.equal((await get(t.url, '/v1/me', alice.token)).status, 200, 'recovered');
    assert.match(await metricsText(t), /retract_rate_limited_total\{surface="http",budget="user"\} 1\b/);
    await waitOut(2);
  });

  it('gives server admins (moderators) a larger budget of their own', async () => {
    for (let i = 0; i < 12; i++)
      assert.equal((await get(t.url, '/v1/me', root.token)).status, 200, `request ${i}`);
    const refused = await get(t.url, '/v1/me', root.token);
    assertLimited(refused, refused.headers);
    assert.match(await metricsText(t), /retract_rate_limited_total\{surface="http",budget="moderator"\} 1\b/);
    await waitOut(2);
  });

  it('counts WebSocket commands against the same budget; a refused command keeps the socket open', async () => {
    const socket = await RecordingSocket.open(t.wsUrl, alice.token);
    await socket.waitFor((f) => f.type === 'synced');
    await waitOut(2); // a clean window
    // Two HTTP requests and two commands spend the budget of four; the fifth (a command) is refused.
    assert.equal((await get(t.url, '/v1/me', alice.token)).status, 200);
    assert.equal((await get(t.url, '/v1/me', alice.token)).status, 200);
    const send = (id: string) =>
      socket.send({ type: 'send', id, conversationId: groupId, clientMsgId: id, body: `hello ${id}` });
    const reply = (id: string) => socket.waitFor((f) => f.type === 'reply' && f.id === id);
    send('s1');
    send('s2');
    send('s3');
    assert.equal(((await reply('s1')) as { ok: boolean }).ok, true);
    assert.equal(((await reply('s2')) as { ok: boolean }).ok, true);
    const third = (await reply('s3')) as { ok: boolean; error?: Limited['error'] };
    assert.equal(third.ok, false);
    assert.equal(third.error?.code, 'rate_limited');
    const seconds = third.error!.details.retryAfterSeconds;
    assert.ok(Number.isInteger(seconds) && seconds >= 1 && seconds <= 2);
    // The socket stays open and answers.
    socket.send({ type: 'ping', id: 'alive' });
    await socket.waitFor((f) => f.type === 'pong' && f.id === 'alive');
    assert.equal(socket.closeCode, undefined);
    // An HTTP request is refused too: one budget.
    const refused = await get(t.url, '/v1/me', alice.token);
    assertLimited(refused, refused.headers);
    await waitOut(seconds);
    send('s4');
    assert.equal(((await reply('s4')) as { ok: boolean }).ok, true, 'recovered');
    assert.match(await metricsText(t), /retract_rate_limited_total\{surface="ws",budget="user"\} 1\b/);
    await socket.close();
  });
});

describe('API keys have a budget of their own', () => {
  let t: TestServer;

  before(async () => {
    t = await startTestServer({
      config: {
        serverAdmins: ['root'],
        limits: { apiKey: { points: 3, durationSeconds: 2 }, moderator: { points: 100, durationSeconds: 2 } },
      },
    });
  });
  after(() => t.close());

  it('counts requests made with a key against that key, apart from its maker’s session', async () => {
    const root = await registerAndLogin(t.url, 'root');
    const made = await call<{ key: string }>(t.url, 'POST', '/v1/admin/api-keys', {
      token: root.token,
      body: { name: 'automation', scopes: ['recall:bulk'] },
    });
    assert.equal(made.status, 201, JSON.stringify(made.body));
    for (let i = 0; i < 3; i++) {
      const answer = await get(t.url, '/v1/admin/recall-jobs/j_doesnotexist', made.body.key);
      assert.notEqual(answer.status, 429, `request ${i}`);
      assert.notEqual(answer.status, 401, `request ${i}`);
    }
    const refused = await get(t.url, '/v1/admin/recall-jobs/j_doesnotexist', made.body.key);
    const seconds = assertLimited(refused, refused.headers);
    // The admin's own session is on the moderator budget, untouched.
    assert.equal((await get(t.url, '/v1/me', root.token)).status, 200);
    assert.match(await metricsText(t), /retract_rate_limited_total\{surface="http",budget="apiKey"\} 1\b/);
    await waitOut(seconds);
    assert.notEqual((await get(t.url, '/v1/admin/recall-jobs/j_doesnotexist', made.body.key)).status, 429);
  });
});

describe('per-address budget for requests without a session (credential stuffing)', () => {
  let t: TestServer;

  before(async () => {
    t = await startTestServer({ config: { limits: { ip: { points: 4, durationSeconds: 2 } } } });
  });
  after(() => t.close());

  it('refuses logins past the budget before checking any password, and recovers', async () => {
    await register(t.url, 'carol'); // 1
    const carol = await login(t.url, 'carol'); // 2
    assert.equal((await postLogin(t.url, 'carol', 'wrong password 1')).status, 401); // 3
    assert.equal((await postLogin(t.url, 'carol', 'wrong password 2')).status, 401); // 4
    // Even the right password is refused now: the guesser cannot tell.
    const refused = await postLogin(t.url, 'carol', 'correct horse');
    const seconds = assertLimited(refused, refused.headers);
    // A signed-in request counts against its user, not the address.
    assert.equal((await get(t.url, '/v1/me', carol.token)).status, 200);
    // Monitoring is never throttled.
    for (let i = 0; i < 5; i++) assert.equal((await get(t.url, '/healthz')).status, 200);
    // A made-up API key on a public route does not buy a fresh budget.
    const sneaky = await fetch(`${t.url}/v1/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer rk_made_up_key_000000' },
      body: JSON.stringify({ username: 'carol', password: 'correct horse' }),
    });
    assert.equal(sneaky.status, 429);
    await sneaky.text();
    await waitOut(seconds);
    assert.equal((await postLogin(t.url, 'carol', 'correct horse')).status, 201, 'recovered');
    assert.match(await metricsText(t), /retract_rate_limited_total\{surface="http",budget="ip"\} 2\b/);
  });
});

describe('limits switched off', () => {
  it('lets everything through with limits.enabled false', async () => {
    const t = await startTestServer({
      config: { limits: { enabled: false, user: { points: 1 }, ip: { points: 1 } } },
    });
    try {
      const dave = await registerAndLogin(t.url, 'dave');
      for (let i = 0; i < 5; i++) assert.equal((await get(t.url, '/v1/me', dave.token)).status, 200);
      for (let i = 0; i < 3; i++) assert.equal((await postLogin(t.url, 'dave', 'nope nope')).status, 401);
    } finally {
      await t.close();
    }
  });
});

describe('budgets across a cluster (Redis)', { skip: redisSkip }, () => {
  let a: TestServer;
  let b: TestServer;

  before(async () => {
    // Two nodes on one Redis: the budget of an address is spent on either node.
    const config = {
      bus: { url: testRedisUrl!, channelPrefix: `retract-test-${randomUUID()}:` },
      limits: { ip: { points: 4, durationSeconds: 3 } },
    };
    a = await startTestServer({ config });
    b = await startTestServer({ config });
  });
  after(async () => {
    await a?.close();
    await b?.close();
  });

  it('counts requests on every node against one budget', async () => {
    assert.equal((await postLogin(a.url, 'nobody', 'guess one')).status, 401);
    assert.equal((await postLogin(b.url, 'nobody', 'guess two')).status, 401);
    assert.equal((await postLogin(a.url, 'nobody', 'guess three')).status, 401);
    assert.equal((await postLogin(b.url, 'nobody', 'guess four')).status, 401);
    const refused = await postLogin(a.url, 'nobody', 'guess five');
    const seconds = assertLimited(refused, refused.headers);
    const alsoRefused = await postLogin(b.url, 'nobody', 'guess six');
    assertLimited(alsoRefused, alsoRefused.headers);
    await waitOut(seconds);
    assert.equal((await postLogin(b.url, 'nobody', 'guess seven')).status, 401, 'recovered');
  });
});
