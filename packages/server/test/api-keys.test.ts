import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { api, Message, webhooks } from '@retract/protocol';
import { waitForRecallJob } from '../src/actions/recall-jobs.js';
import { call, registerAndLogin, startTestServer, type Login, type TestServer } from './support/harness.js';

/**
 * Scoped admin API keys and the forced-recall API: keys made and revoked by server admins, accepted only
 * on the recall routes and only with the right scope, and each recall erased and audited like a
 * moderator's — with the key, not a user, as the actor.
 */

type RecallApi = api.RecallResponse & { error?: { code: string } };

describe('admin API keys and forced recall', () => {
  let t: TestServer;
  let alice: Login;
  let root: Login;
  let groupId: string;
  let recallKey: webhooks.CreatedApiKey;
  let bulkKey: webhooks.CreatedApiKey;

  const send = async (body: string) =>
    (
      await call<{ message: Message }>(t.url, 'POST', `/v1/conversations/${groupId}/messages`, {
        token: alice.token,
        body: { clientMsgId: body, body },
      })
    ).body.message;
  const makeKey = async (name: string, scopes: string[]) =>
    (
      await call<webhooks.CreatedApiKey>(t.url, 'POST', '/v1/admin/api-keys', {
        token: root.token,
        body: { name, scopes },
      })
    ).body;
  const forced = (key: string, id: string, body: unknown = { reason: 'court order 17' }) =>
    call<RecallApi>(t.url, 'POST', `/v1/admin/messages/${id}/recall`, { token: key, body });

  before(async () => {
    // Keys recall as server admins do: the policy must let server admins moderate (here without a window).
    t = await startTestServer({
      config: {
        serverAdmins: ['root'],
        policy: { default: { moderation: { roles: ['owner', 'server_admin'], windowSeconds: null } } },
      },
    });
    alice = await registerAndLogin(t.url, 'alice');
    await registerAndLogin(t.url, 'bob');
    root = await registerAndLogin(t.url, 'root');
    const group = await call<{ conversation: { id: string } }>(t.url, 'POST', '/v1/conversations', {
      token: alice.token,
      body: { kind: 'group', title: 'team', members: ['bob'] },
    });
    groupId = group.body.conversation.id;
  });
  after(() => t.close());

  it('are made by server admins only, shown once, listed without secrets', async () => {
    const denied = await call<{ error: { code: string } }>(t.url, 'POST', '/v1/admin/api-keys', {
      token: alice.token,
      body: { name: 'x', scopes: ['recall'] },
    });
    assert.equal(denied.body.error.code, 'not_permitted');
    recallKey = await makeKey('trust and safety', ['recall']);
    t.clock.advance(1000); // listed oldest first
    bulkKey = await makeKey('bulk cleaner', ['recall:bulk']);
    assert.match(recallKey.key, /^rk_i_[0-9a-f]{24}_[A-Za-z0-9_-]{43}$/);
    assert.ok(recallKey.key.startsWith(`rk_${recallKey.apiKey.id}_`));
    const list = await call<webhooks.ApiKeyList>(t.url, 'GET', '/v1/admin/api-keys', { token: root.token });
    assert.deepEqual(
      list.body.apiKeys.map((k) => [k.name, k.scopes, k.revokedAt]),
      [
        ['trust and safety', ['recall'], null],
        ['bulk cleaner', ['recall:bulk'], null],
      ],
    );
    const text = JSON.stringify(list.body);
    assert.ok(!text.includes(recallKey.key.slice(-43)) && !text.includes('secretHash'));
  });

  it('recalls with a reason, erased and audited as a server admin recall naming the key', async () => {
    const message = await send('forced out');
    const missing = await forced(recallKey.key, message.id, {});
    assert.equal(missing.status, 400);
    assert.equal(missing.body.error?.code, 'invalid_request');

    const done = await forced(recallKey.key, message.id);
    assert.equal(done.status, 200, JSON.stringify(done.body));
    assert.equal(done.body.transitioned, true);
    assert.equal(done.body.tombstone.role, 'server_admin');
    assert.equal(done.body.tombstone.reason, 'court order 17');
    assert.equal(done.body.tombstone.recalledBy, recallKey.apiKey.id);
    assert.equal(done.body.commitmentSalt === undefined, false);

    const history = await call<{ messages: Message[] }>(
      t.url,
      'GET',
      `/v1/conversations/${groupId}/messages`,
      {
        token: alice.token,
      },
    );
    const seen = history.body.messages.find((m) => m.id === message.id);
    assert.equal(seen?.body, null);

    const entries = await call<{
      entries: { entry: { kind: string; actor: unknown; reason: string; target: { messageId?: string } } }[];
    }>(t.url, 'GET', '/v1/audit/entries?from=0&limit=100', { token: root.token });
    const entry = entries.body.entries
      .map((e) => e.entry)
      .find((e) => e.kind === 'message.recalled' && e.target.messageId === message.id);
    assert.deepEqual(entry?.actor, { userId: null, role: 'server_admin', keyId: recallKey.apiKey.id });
    assert.equal(entry?.reason, 'court order 17');

    const again = await forced(recallKey.key, message.id);
    assert.equal(again.body.transitioned, false, 'idempotent');
  });

  it('accepts a key only on its routes and with its scope', async () => {
    const message = await send('scoped');
    const wrongScope = await call<{ error: { code: string } }>(t.url, 'POST', '/v1/admin/recalls', {
      token: recallKey.key,
      body: { messageIds: [message.id], reason: 'spam' },
    });
    assert.equal(wrongScope.status, 403);
    assert.equal(wrongScope.body.error.code, 'not_permitted');
    assert.equal((await forced(bulkKey.key, message.id)).body.error?.code, 'not_permitted');
    // Not a session: a key opens no other route, and a session opens no key route.
    assert.equal((await call(t.url, 'GET', '/v1/me', { token: recallKey.key })).status, 401);
    assert.equal((await call(t.url, 'GET', '/v1/admin/api-keys', { token: recallKey.key })).status, 401);
    assert.equal((await forced(root.token, message.id)).body.error?.code, 'unauthenticated');
    // A made-up secret for a real id, and an unknown id.
    const forged = recallKey.key.slice(0, -4) + (recallKey.key.endsWith('AAAA') ? 'BBBB' : 'AAAA');
    assert.equal((await forced(forged, message.id)).body.error?.code, 'unauthenticated');
    assert.equal(
      (await forced(`rk_i_${'0'.repeat(24)}_${'A'.repeat(43)}`, message.id)).body.error?.code,
      'unauthenticated',
    );
  });

  it('recalls in bulk: listed messages at once, one sender’s messages as a job', async () => {
    const a = await send('bulk one');
    const b = await send('bulk two');
    const listed = await call<webhooks.BulkRecallResponse>(t.url, 'POST', '/v1/admin/recalls', {
      token: bulkKey.key,
      body: { messageIds: [a.id, b.id, 'm_doesnotexist'], reason: 'raid' },
    });
    assert.equal(listed.status, 200);
    assert.deepEqual(listed.body.results, [
      { messageId: a.id, outcome: 'recalled' },
      { messageId: b.id, outcome: 'recalled' },
      { messageId: 'm_doesnotexist', outcome: 'not_found' },
    ]);

    const c = await send('job one');
    const d = await send('job two');
    const job = await call<webhooks.BulkRecallResponse>(t.url, 'POST', '/v1/admin/recalls', {
      token: bulkKey.key,
      body: { conversationId: groupId, senderId: alice.userId, reason: 'account compromised' },
    });
    assert.equal(job.status, 202);
    assert.ok(job.body.jobId);
    await waitForRecallJob(t.server.context, job.body.jobId);
    const status = await call<{ status: string; results: { messageId: string; outcome: string }[] }>(
      t.url,
      'GET',
      `/v1/admin/recall-jobs/${job.body.jobId}`,
      { token: bulkKey.key },
    );
    assert.equal(status.body.status, 'done');
    const outcomes = new Map(status.body.results.map((r) => [r.messageId, r.outcome]));
    assert.equal(outcomes.get(c.id), 'recalled');
    assert.equal(outcomes.get(d.id), 'recalled');
    assert.equal(outcomes.get(a.id), 'already_recalled');
  });

  it('stops working at once when revoked', async () => {
    const message = await send('after revocation');
    const revoked = await call(t.url, 'DELETE', `/v1/admin/api-keys/${recallKey.apiKey.id}`, {
      token: root.token,
    });
    assert.equal(revoked.status, 204);
    assert.equal((await forced(recallKey.key, message.id)).body.error?.code, 'unauthenticated');
    assert.equal(
      (await call(t.url, 'DELETE', `/v1/admin/api-keys/${recallKey.apiKey.id}`, { token: root.token }))
        .status,
      404,
    );
    const list = await call<webhooks.ApiKeyList>(t.url, 'GET', '/v1/admin/api-keys', { token: root.token });
    assert.ok(list.body.apiKeys.find((k) => k.id === recallKey.apiKey.id)?.revokedAt);
  });
});
