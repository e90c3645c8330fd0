import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { errorRegistry, type Message } from '@retract/protocol';
import {
  call,
  registerAndLogin,
  RecordingSocket,
  startTestServer,
  type Login,
  type TestServer,
} from './support/harness.js';

/**
 * Authorization: what one member can and cannot do to a conversation they are not in — and that the
 * refusal cannot be told apart from "no such thing", byte for byte.
 */

interface RawReply {
  readonly status: number;
  readonly text: string;
  readonly contentType: string | null;
}

async function request(
  url: string,
  method: string,
  path: string,
  options: { token?: string; body?: unknown; authorization?: string } = {},
): Promise<RawReply> {
  const headers: Record<string, string> = {};
  if (options.authorization !== undefined) headers['authorization'] = options.authorization;
  else if (options.token) headers['authorization'] = `Bearer ${options.token}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(url + path, {
    method,
    headers,
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
  });
  return {
    status: response.status,
    text: await response.text(),
    contentType: response.headers.get('content-type'),
  };
}

/** The reply with its per-request id blanked out: everything else must match byte for byte. */
function withoutRequestId(reply: RawReply): RawReply {
  const body = JSON.parse(reply.text) as { error?: { details?: { requestId?: unknown } } };
  const requestId = body.error?.details?.requestId;
  assert.equal(typeof requestId, 'string', reply.text);
  return { ...reply, text: reply.text.replace(requestId as string, '<request-id>') };
}

function assertError(reply: RawReply, code: keyof typeof errorRegistry): void {
  assert.equal(reply.status, errorRegistry[code].status, reply.text);
  const body = JSON.parse(reply.text) as { error: { code: string; message: string } };
  assert.equal(body.error.code, code, reply.text);
  assert.equal(body.error.message, errorRegistry[code].message);
}

/** Asserts that probing something hidden answers exactly like probing something that does not exist. */
async function assertIndistinguishable(hidden: Promise<RawReply>, missing: Promise<RawReply>): Promise<void> {
  const [a, b] = await Promise.all([hidden, missing]);
  assertError(a, 'not_found');
  assert.deepEqual(withoutRequestId(a), withoutRequestId(b));
}

const missingConversation = 'c_AAAAAAAAAAAAAAAA';
const missingMessage = 'm_AAAAAAAAAAAAAAAA';

let t: TestServer;
let alice: Login;
let bob: Login;
let carol: Login;
let dave: Login;
/** Alice (owner) and bob. */
let groupAB: string;
/** Carol (owner) and dave: alice is not in it. */
let groupCD: string;
let aliceMessage: Message;
let carolMessage: Message;

async function send(
  login: Login,
  conversationId: string,
  clientMsgId: string,
  body: string,
): Promise<Message> {
  const reply = await call<{ message: Message }>(
    t.url,
    'POST',
    `/v1/conversations/${conversationId}/messages`,
    {
      token: login.token,
      body: { clientMsgId, body },
    },
  );
  assert.equal(reply.status, 201, JSON.stringify(reply.body));
  return reply.body.message;
}

async function group(owner: Login, members: string[]): Promise<string> {
  const reply = await call<{ conversation: { id: string } }>(t.url, 'POST', '/v1/conversations', {
    token: owner.token,
    body: { kind: 'group', members },
  });
  assert.equal(reply.status, 201);
  return reply.body.conversation.id;
}

describe('isolation between conversations', () => {
  before(async () => {
    t = await startTestServer();
    alice = await registerAndLogin(t.url, 'alice');
    bob = await registerAndLogin(t.url, 'bob');
    carol = await registerAndLogin(t.url, 'carol');
    dave = await registerAndLogin(t.url, 'dave');
    groupAB = await group(alice, ['bob']);
    groupCD = await group(carol, ['dave']);
    aliceMessage = await send(alice, groupAB, 'a-1', 'for alice and bob');
    carolMessage = await send(carol, groupCD, 'c-1', 'for carol and dave only');
  });
  after(() => t.close());

  it("an outsider cannot read another conversation's history, and cannot tell it exists", async () => {
    const history = (id: string) =>
      request(t.url, 'GET', `/v1/conversations/${id}/messages`, { token: alice.token });
    await assertIndistinguishable(history(groupCD), history(missingConversation));
    const conversation = (id: string) =>
      request(t.url, 'GET', `/v1/conversations/${id}`, { token: alice.token });
    await assertIndistinguishable(conversation(groupCD), conversation(missingConversation));
  });

  it('an outsider cannot send to another conversation', async () => {
    const sendTo = (id: string, key: string) =>
      request(t.url, 'POST', `/v1/conversations/${id}/messages`, {
        token: alice.token,
        body: { clientMsgId: key, body: 'intrusion' },
      });
    await assertIndistinguishable(sendTo(groupCD, 'intrude-1'), sendTo(missingConversation, 'intrude-2'));
  });

  it('an outsider cannot add members to another conversation', async () => {
    const add = (id: string) =>
      request(t.url, 'POST', `/v1/conversations/${id}/members`, {
        token: alice.token,
        body: { members: ['alice'] },
      });
    await assertIndistinguishable(add(groupCD), add(missingConversation));
  });

  it("an outsider cannot recall or hide another conversation's message", async () => {
    const recall = (id: string) =>
      request(t.url, 'POST', `/v1/messages/${id}/recall`, { token: alice.token });
    await assertIndistinguishable(recall(carolMessage.id), recall(missingMessage));
    const hide = (id: string) => request(t.url, 'POST', `/v1/messages/${id}/hide`, { token: alice.token });
    await assertIndistinguishable(hide(carolMessage.id), hide(missingMessage));
  });

  it('nothing the outsider tried reached the conversation', async () => {
    const page = await call<{ messages: Message[] }>(t.url, 'GET', `/v1/conversations/${groupCD}/messages`, {
      token: dave.token,
    });
    assert.equal(page.status, 200);
    assert.deepEqual(
      page.body.messages.map((m) => [m.id, m.body, m.recalled]),
      [[carolMessage.id, 'for carol and dave only', null]],
    );
    const members = await call<{ conversation: { members: { username: string }[] } }>(
      t.url,
      'GET',
      `/v1/conversations/${groupCD}`,
      { token: carol.token },
    );
    assert.deepEqual(members.body.conversation.members.map((m) => m.username).sort(), ['carol', 'dave']);
    // Nor did anything reach alice's event stream.
    const sync = await call<{ events: { type: string; conversation?: { id: string } }[] }>(
      t.url,
      'GET',
      '/v1/sync?limit=500',
      { token: alice.token },
    );
    assert.ok(!JSON.stringify(sync.body).includes(groupCD));
  });

  it('a member who is not the sender cannot recall (not_permitted), and the message stays', async () => {
    const reply = await request(t.url, 'POST', `/v1/messages/${aliceMessage.id}/recall`, {
      token: bob.token,
    });
    assertError(reply, 'not_permitted');
    assert.equal(reply.status, 403);
    const page = await call<{ messages: Message[] }>(t.url, 'GET', `/v1/conversations/${groupAB}/messages`, {
      token: alice.token,
    });
    assert.equal(page.body.messages.find((m) => m.id === aliceMessage.id)?.body, 'for alice and bob');
  });

  it('a removed member can neither recall their own old messages nor read the history', async () => {
    const erin = await registerAndLogin(t.url, 'erin');
    const added = await call(t.url, 'POST', `/v1/conversations/${groupAB}/members`, {
      token: alice.token,
      body: { members: ['erin'] },
    });
    assert.equal(added.status, 200);
    const erinMessage = await send(erin, groupAB, 'e-1', 'erin was here');
    const removed = await call(t.url, 'DELETE', `/v1/conversations/${groupAB}/members/${erin.userId}`, {
      token: alice.token,
    });
    assert.equal(removed.status, 204);

    const recall = (id: string) => request(t.url, 'POST', `/v1/messages/${id}/recall`, { token: erin.token });
    await assertIndistinguishable(recall(erinMessage.id), recall(missingMessage));
    const history = (id: string) =>
      request(t.url, 'GET', `/v1/conversations/${id}/messages`, { token: erin.token });
    await assertIndistinguishable(history(groupAB), history(missingConversation));
    const sendTo = (id: string, key: string) =>
      request(t.url, 'POST', `/v1/conversations/${id}/messages`, {
        token: erin.token,
        body: { clientMsgId: key, body: 'let me back in' },
      });
    await assertIndistinguishable(sendTo(groupAB, 'e-2'), sendTo(missingConversation, 'e-3'));

    // Her message is still there for the members, untouched.
    const page = await call<{ messages: Message[] }>(t.url, 'GET', `/v1/conversations/${groupAB}/messages`, {
      token: bob.token,
    });
    const kept = page.body.messages.find((m) => m.id === erinMessage.id);
    assert.equal(kept?.body, 'erin was here');
    assert.equal(kept?.recalled, null);
  });

  it("logout kills the token at once and closes that device's socket with 4403, and only that one", async () => {
    const phone = await registerAndLogin(t.url, 'frank', 'phone');
    const laptop = await call<{ token: string }>(t.url, 'POST', '/v1/sessions', {
      body: { username: 'frank', password: 'correct horse', deviceName: 'laptop' },
    });
    assert.equal(laptop.status, 201);
    const laptopToken = laptop.body.token;

    const phoneSocket = await RecordingSocket.open(t.wsUrl, phone.token);
    const laptopSocket = await RecordingSocket.open(t.wsUrl, laptopToken);
    await phoneSocket.waitFor((f) => f.type === 'synced');
    await laptopSocket.waitFor((f) => f.type === 'synced');

    const out = await request(t.url, 'DELETE', '/v1/sessions/current', { token: phone.token });
    assert.equal(out.status, 204);
    // The very next request with the token fails: no grace period.
    assertError(await request(t.url, 'GET', '/v1/me', { token: phone.token }), 'unauthenticated');
    assertError(
      await request(t.url, 'DELETE', '/v1/sessions/current', { token: phone.token }),
      'unauthenticated',
    );
    assert.equal(await phoneSocket.waitClose(), errorRegistry.session_revoked.wsClose);

    // The other device is untouched: its socket answers and its token works.
    laptopSocket.send({ type: 'ping', id: 'still-here' });
    await laptopSocket.waitFor((f) => f.type === 'pong' && f.id === 'still-here');
    assert.equal(laptopSocket.closeCode, undefined);
    const me = await call<{ device: { name: string } }>(t.url, 'GET', '/v1/me', { token: laptopToken });
    assert.equal(me.status, 200);
    assert.equal(me.body.device.name, 'laptop');
    await laptopSocket.close();
  });

  describe('without a valid token', () => {
    const noWebhook = `wh_${'0'.repeat(24)}`;
    const noApiKey = `i_${'0'.repeat(24)}`;
    /** Every route that needs a session, with a request that would succeed with one. */
    const routes = (): [string, string, unknown?][] => [
      ['DELETE', '/v1/sessions/current'],
      ['GET', '/v1/me'],
      ['POST', '/v1/conversations', { kind: 'group', members: [] }],
      ['GET', '/v1/conversations'],
      ['GET', `/v1/conversations/${groupAB}`],
      ['POST', `/v1/conversations/${groupAB}/members`, { members: ['carol'] }],
      ['DELETE', `/v1/conversations/${groupAB}/members/${bob.userId}`],
      ['POST', `/v1/conversations/${groupAB}/messages`, { clientMsgId: 'anon', body: 'hi' }],
      ['GET', `/v1/conversations/${groupAB}/messages`],
      ['POST', `/v1/messages/${aliceMessage.id}/recall`, {}],
      ['POST', `/v1/messages/${aliceMessage.id}/hide`, {}],
      ['GET', '/v1/sync'],
      ['GET', `/v1/messages/${aliceMessage.id}/recall-options`],
      ['POST', `/v1/conversations/${groupAB}/messages:check`, { body: 'hi' }],
      ['GET', '/v1/policy'],
      ['GET', `/v1/conversations/${groupAB}/policy`],
      ['PUT', `/v1/conversations/${groupAB}/policy`, { document: { preset: 'matrix' } }],
      ['POST', '/v1/attachments?kind=file'],
      ['POST', `/v1/conversations/${groupAB}/recall-jobs`, { userId: bob.userId, reason: 'spam' }],
      ['GET', '/v1/recall-jobs/j_doesnotexist'],
      ['GET', `/v1/conversations/${groupAB}/disappearing`],
      ['PUT', `/v1/conversations/${groupAB}/disappearing`, { disappearing: null }],
      ['POST', `/v1/conversations/${groupAB}/read`, { upTo: aliceMessage.id }],
      ['GET', `/v1/attachments/${aliceMessage.id}`],
      ['POST', `/v1/messages/${aliceMessage.id}/consent-requests`, {}],
      ['GET', '/v1/consent-requests'],
      ['GET', '/v1/me/settings'],
      ['GET', '/v1/compliance/holds'],
      ['GET', `/v1/compliance/holds/${aliceMessage.id}`],
      ['PUT', '/v1/me/settings', { sendDelaySeconds: 0 }],
      ['POST', `/v1/messages/${aliceMessage.id}/cancel`, {}],
      ['GET', '/v1/consent-requests/k_doesnotexist'],
      ['POST', '/v1/consent-requests/k_doesnotexist/approve', {}],
      ['POST', '/v1/consent-requests/k_doesnotexist/decline', {}],
      ['POST', '/v1/consent-requests/k_doesnotexist/cancel', {}],
      ['POST', '/v1/audit/checkpoints', {}],
      ['GET', '/v1/audit/entries?from=0&limit=10'],
      ['GET', '/v1/audit/proofs/inclusion?index=0&treeSize=1'],
      ['GET', '/v1/audit/proofs/consistency?from=0&to=1'],
      ['GET', `/v1/audit/evidence?messageId=${aliceMessage.id}`],
      ['GET', '/v1/admin/stats'],
      ['GET', '/v1/admin/stats/what-if?windowSeconds=300'],
      ['POST', '/v1/devices/me/push-targets', { kind: 'gateway', url: 'http://127.0.0.1:9/', pushkey: 'k' }],
      ['GET', '/v1/devices/me/push-targets'],
      ['PUT', '/v1/me/password', { currentPassword: 'correct horse', newPassword: 'battery staple' }],
      ['POST', '/v1/admin/users/nobody-here/disable', {}],
      ['POST', '/v1/admin/users/nobody-here/enable', {}],
      ['DELETE', '/v1/devices/me/push-targets/k_doesnotexist'],
      ['POST', '/v1/admin/webhooks', { url: 'http://127.0.0.1:9/', events: ['*'] }],
      ['GET', '/v1/admin/webhooks'],
      ['DELETE', `/v1/admin/webhooks/${noWebhook}`],
      ['POST', `/v1/admin/webhooks/${noWebhook}/rotate-secret`, {}],
      ['GET', `/v1/admin/webhooks/${noWebhook}/deliveries`],
      ['POST', '/v1/admin/api-keys', { name: 'k', scopes: ['recall'] }],
      ['GET', '/v1/admin/api-keys'],
      ['DELETE', `/v1/admin/api-keys/${noApiKey}`],
      ['POST', `/v1/admin/messages/${aliceMessage.id}/recall`, { reason: 'r' }],
      ['POST', '/v1/admin/recalls', { messageIds: [aliceMessage.id], reason: 'r' }],
      ['GET', '/v1/admin/recall-jobs/j_doesnotexist'],
    ];

    it('the list above is every authenticated route in the OpenAPI document', async () => {
      const doc = await call<{ paths: Record<string, Record<string, { security?: unknown[] }>> }>(
        t.url,
        'GET',
        '/v1/openapi.json',
      );
      assert.equal(doc.status, 200);
      const secured = Object.entries(doc.body.paths).flatMap(([path, operations]) =>
        Object.entries(operations)
          .filter(([, op]) => (op.security?.length ?? 0) > 0)
          .map(([method, _op]) => `${method.toUpperCase()} ${path}`),
      );
      const template = (path: string) =>
        path
          .replace(groupAB, '{id}')
          .replace(aliceMessage.id, '{id}')
          .replace(bob.userId, '{userId}')
          .replace(/\?.*$/, '')
          .replace('j_doesnotexist', '{id}')
          .replace('k_doesnotexist', '{id}')
          .replace('nobody-here', '{username}')
          .replace(noWebhook, '{id}')
          .replace(noApiKey, '{id}');
      const listed = routes().map(([method, path]) => `${method} ${template(path)}`);
      assert.deepEqual([...listed].sort(), [...secured].sort());
    });

    it('answers 401 unauthenticated on every one of them', async () => {
      const loggedOut = await registerAndLogin(t.url, 'ghost');
      assert.equal(
        (await request(t.url, 'DELETE', '/v1/sessions/current', { token: loggedOut.token })).status,
        204,
      );
      const credentials: [string, string | undefined][] = [
        ['no header', undefined],
        ['empty header', ''],
        ['not bearer', `Basic ${alice.token}`],
        ['bearer without token', 'Bearer '],
        ['unknown token', 'Bearer AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'],
        ['logged-out token', `Bearer ${loggedOut.token}`],
        ['token with junk', `Bearer ${alice.token}x`],
      ];
      for (const [method, path, body] of routes()) {
        for (const [label, authorization] of credentials) {
          const reply = await request(t.url, method, path, {
            ...(authorization === undefined ? {} : { authorization }),
            ...(body === undefined ? {} : { body }),
          });
          assert.equal(reply.status, 401, `${method} ${path} with ${label}: ${reply.text}`);
          assertError(reply, 'unauthenticated');
        }
      }
      // Authentication comes before validation: a malformed request without a session learns nothing
      // about its shape, only that it needs a session.
      const malformed = await request(t.url, 'POST', '/v1/conversations/xx/messages', {
        body: { wrong: true },
      });
      assert.equal(malformed.status, 401);
      assertError(malformed, 'unauthenticated');
      // None of it changed anything: bob is still a member and no message was added.
      const page = await call<{ messages: Message[] }>(
        t.url,
        'GET',
        `/v1/conversations/${groupAB}/messages`,
        {
          token: bob.token,
        },
      );
      assert.equal(page.status, 200);
      assert.ok(!page.body.messages.some((m) => m.clientMsgId === 'anon'));
      assert.equal(page.body.messages.find((m) => m.id === aliceMessage.id)?.recalled, null);
    });
  });
});
