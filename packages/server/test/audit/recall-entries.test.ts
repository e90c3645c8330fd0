import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Message } from '@retract/protocol';
import { expireDue } from '../../src/actions/disappearing.js';
import { waitForRecallJob } from '../../src/actions/recall-jobs.js';
import { verifyDataDir } from '../../src/audit/verify-data-dir.js';
import { contentCommitmentDetail, verifyCommitment, type AuditEntry } from '../../src/core/audit/index.js';
import { allAuditEntries, recallEntriesOf } from '../support/audit.js';
import {
  RecordingSocket,
  call,
  registerAndLogin,
  startTestServer,
  type Login,
  type TestServer,
} from '../support/harness.js';

/**
 * What the audit log records: exactly one `message.recalled` entry per recall, whichever way out took
 * the message (sender, owner, server admin, consent approval, bulk job, expiry), none for a repeated or
 * concurrent recall or a hide; entries for policy, membership and disappearing-timer changes — and never
 * the content of a message.
 */

const CANARY = 'CANARY-7f3a';
let serial = 0;

describe('audit entries written by the actions', () => {
  let t: TestServer;
  let alice: Login; // owns the group
  let bob: Login;
  let carol: Login;
  let admin: Login; // server admin, in no conversation
  let auditor: Login; // the compliance role
  let groupId: string;
  let directId: string;
  /** Every message recalled by the tests, so each can be checked to have exactly one entry. */
  const recalled: string[] = [];

  const send = async (who: Login, conversationId: string, text = `${CANARY} ${++serial}`) => {
    const reply = await call<{ message: Message }>(
      t.url,
      'POST',
      `/v1/conversations/${conversationId}/messages`,
      {
        token: who.token,
        body: { clientMsgId: `m-${++serial}`, body: text },
      },
    );
    assert.equal(reply.status, 201, JSON.stringify(reply.body));
    return reply.body.message;
  };
  const recall = (who: Login, messageId: string, reason?: string) =>
    call<{ transitioned: boolean; commitmentSalt?: string }>(
      t.url,
      'POST',
      `/v1/messages/${messageId}/recall`,
      {
        token: who.token,
        body: reason === undefined ? {} : { reason },
      },
    );
  const entries = () => allAuditEntries(t.url, admin.token);
  const onlyRecallOf = async (messageId: string): Promise<AuditEntry> => {
    const found = recallEntriesOf(await entries(), messageId);
    assert.equal(found.length, 1, `exactly one recall entry for ${messageId}: ${JSON.stringify(found)}`);
    return found[0]!;
  };

  before(async () => {
    t = await startTestServer({
      config: {
        serverAdmins: ['admin'],
        compliance: { users: ['auditor'] },
        audit: { checkpointIntervalSeconds: 0 },
        policy: {
          default: {
            windows: { direct: 120, group: 120 },
            moderation: { roles: ['owner', 'server_admin'], windowSeconds: null, requireReason: true },
            consent: { enabled: true, maxAgeSeconds: 86_400, requestTtlSeconds: 3600 },
          },
        },
      },
    });
    alice = await registerAndLogin(t.url, 'alice');
    bob = await registerAndLogin(t.url, 'bob');
    carol = await registerAndLogin(t.url, 'carol');
    admin = await registerAndLogin(t.url, 'admin');
    auditor = await registerAndLogin(t.url, 'auditor');
    const group = await call<{ conversation: { id: string } }>(t.url, 'POST', '/v1/conversations', {
      token: alice.token,
      body: { kind: 'group', title: 'team', members: ['bob', 'carol'] },
    });
    groupId = group.body.conversation.id;
    const direct = await call<{ conversation: { id: string } }>(t.url, 'POST', '/v1/conversations', {
      token: alice.token,
      body: { kind: 'direct', members: ['bob'] },
    });
    directId = direct.body.conversation.id;
  });
  after(() => t.close());

  it('logs the members a conversation starts with, and nothing for a direct chat asked for again', async () => {
    const all = await entries();
    const added = all.filter((e) => e.kind === 'member.added' && e.target.conversationId === groupId);
    assert.deepEqual(
      added.map((e) => [e.target.userId, e.details?.['role'], e.actor.userId]),
      [
        [alice.userId, 'owner', alice.userId],
        [bob.userId, 'member', alice.userId],
        [carol.userId, 'member', alice.userId],
      ],
    );
    const before = all.length;
    await call(t.url, 'POST', '/v1/conversations', {
      token: bob.token,
      body: { kind: 'direct', members: ['alice'] },
    });
    assert.equal((await entries()).length, before);
  });

  it("logs the sender's recall once, with the request id and a commitment only the recalling device can open", async () => {
    const text = `${CANARY} sender's own`;
    const message = await send(alice, groupId, text);
    const response = await fetch(`${t.url}/v1/messages/${message.id}/recall`, {
      method: 'POST',
      headers: { authorization: `Bearer ${alice.token}`, 'content-type': 'application/json' },
      body: '{}',
    });
    assert.equal(response.status, 200);
    const body = (await response.json()) as { commitmentSalt?: string };
    recalled.push(message.id);
    const entry = await onlyRecallOf(message.id);
    assert.equal(entry.requestId, response.headers.get('x-request-id'));
    assert.deepEqual(entry.actor, { userId: alice.userId, role: 'sender' });
    assert.deepEqual(entry.target, { conversationId: groupId, messageId: message.id, userId: alice.userId });
    assert.equal(entry.reason, null);
    assert.equal(entry.at, new Date(t.clock.now()).toISOString(), 'the server clock');
    const commitment = entry.details?.[contentCommitmentDetail];
    assert.equal(typeof commitment, 'string');
    assert.match(body.commitmentSalt ?? '', /^[0-9a-f]{64}$/);
    assert.equal(verifyCommitment(commitment as string, text, body.commitmentSalt!), true);
    assert.equal(verifyCommitment(commitment as string, `${text}!`, body.commitmentSalt!), false);

    const again = await recall(alice, message.id);
    assert.equal(again.body.transitioned, false);
    assert.equal(again.body.commitmentSalt, undefined, 'the salt is handed out once');
    await onlyRecallOf(message.id);
  });

  it("logs an owner's and a server admin's removal with their role and reason", async () => {
    const bobs = await send(bob, groupId);
    assert.equal((await recall(alice, bobs.id, 'off topic')).status, 200);
    const carols = await send(carol, groupId);
    assert.equal((await recall(admin, carols.id, 'spam')).status, 200);
    recalled.push(bobs.id, carols.id);
    const byOwner = await onlyRecallOf(bobs.id);
    assert.deepEqual(
      [byOwner.actor, byOwner.reason, byOwner.target.userId],
      [{ userId: alice.userId, role: 'owner' }, 'off topic', bob.userId],
    );
    const byAdmin = await onlyRecallOf(carols.id);
    assert.deepEqual(
      [byAdmin.actor, byAdmin.reason],
      [{ userId: admin.userId, role: 'server_admin' }, 'spam'],
    );
  });

  it('logs each step of a bulk recall job once, with the job id', async () => {
    const spam = [await send(carol, groupId), await send(carol, groupId), await send(carol, groupId)];
    const started = await call<{ job: { id: string } }>(
      t.url,
      'POST',
      `/v1/conversations/${groupId}/recall-jobs`,
      {
        token: alice.token,
        body: { userId: carol.userId, reason: 'cleanup' },
      },
    );
    assert.equal(started.status, 202);
    await waitForRecallJob(t.server.context, started.body.job.id);
    for (const message of spam) {
      recalled.push(message.id);
      const entry = await onlyRecallOf(message.id);
      assert.equal(entry.target.jobId, started.body.job.id);
      assert.deepEqual([entry.actor, entry.reason], [{ userId: alice.userId, role: 'owner' }, 'cleanup']);
    }
  });

  it('logs a recall over the WebSocket with an id of its own, and hands that device the salt', async () => {
    const text = `${CANARY} over the socket`;
    const message = await send(alice, groupId, text);
    const socket = await RecordingSocket.open(t.wsUrl, alice.token);
    await socket.waitFor((f) => f.type === 'synced');
    socket.send({ type: 'recall', id: 'ws-recall', messageId: message.id });
    const reply = await socket.waitFor((f) => f.type === 'reply' && f.id === 'ws-recall');
    await socket.close();
    assert.ok(reply.type === 'reply' && reply.ok, JSON.stringify(reply));
    const { commitmentSalt } = reply.result as { commitmentSalt: string };
    recalled.push(message.id);
    const entry = await onlyRecallOf(message.id);
    assert.match(entry.requestId ?? '', /^[0-9a-f-]{36}$/);
    const commitment = entry.details?.[contentCommitmentDetail] as string;
    assert.equal(verifyCommitment(commitment, text, commitmentSalt), true);
  });

  it('logs one entry when the same message is recalled many times at once', async () => {
    const message = await send(bob, groupId);
    const replies = await Promise.all(Array.from({ length: 8 }, () => recall(bob, message.id)));
    assert.deepEqual(
      replies.map((r) => r.status),
      replies.map(() => 200),
    );
    assert.equal(replies.filter((r) => r.body.transitioned).length, 1);
    recalled.push(message.id);
    await onlyRecallOf(message.id);
  });

  it("logs a consent approval as the sender's recall, with who approved and which request", async () => {
    const message = await send(bob, directId);
    t.clock.advance(180_000); // past the two-minute window
    const asked = await call<{ request: { id: string } }>(
      t.url,
      'POST',
      `/v1/messages/${message.id}/consent-requests`,
      {
        token: bob.token,
        body: { reason: 'wrong chat' },
      },
    );
    assert.equal(asked.status, 201, JSON.stringify(asked.body));
    const approved = await call(t.url, 'POST', `/v1/consent-requests/${asked.body.request.id}/approve`, {
      token: alice.token,
      body: {},
    });
    assert.equal(approved.status, 200, JSON.stringify(approved.body));
    recalled.push(message.id);
    const entry = await onlyRecallOf(message.id);
    assert.deepEqual(entry.actor, { userId: bob.userId, role: 'sender' });
    assert.equal(entry.reason, 'wrong chat');
    assert.equal(entry.details?.['approvedBy'], alice.userId);
    assert.equal(entry.target.requestId, asked.body.request.id);
    assert.equal(typeof entry.requestId, 'string', "the approver's request");
  });

  it('logs the disappearing-timer change, and each expiry as the server acting', async () => {
    const set = await call(t.url, 'PUT', `/v1/conversations/${directId}/disappearing`, {
      token: alice.token,
      body: { disappearing: { mode: 'after_send', seconds: 30 } },
    });
    assert.equal(set.status, 200);
    const changed = (await entries()).filter((e) => e.kind === 'disappearing.changed');
    assert.deepEqual(
      changed.map((e) => [e.actor.userId, e.target.conversationId, e.details]),
      [[alice.userId, directId, { mode: 'after_send', seconds: 30 }]],
    );
    const fleeting = await send(alice, directId);
    t.clock.advance(30_000);
    await expireDue(t.server.context); // the sweeper may have got there first; either way, once
    recalled.push(fleeting.id);
    const entry = await onlyRecallOf(fleeting.id);
    assert.deepEqual(
      [entry.actor, entry.requestId, entry.reason],
      [{ userId: null, role: 'expiry' }, null, null],
    );
    await call(t.url, 'PUT', `/v1/conversations/${directId}/disappearing`, {
      token: alice.token,
      body: { disappearing: null },
    });
  });

  it('logs policy changes with a hash of the document, and members added and removed with their role', async () => {
    const document = { preset: 'feishu', moderation: { requireReason: true } };
    const set = await call(t.url, 'PUT', `/v1/conversations/${groupId}/policy`, {
      token: alice.token,
      body: { document },
    });
    assert.equal(set.status, 200, JSON.stringify(set.body));
    const dave = await registerAndLogin(t.url, 'dave');
    await call(t.url, 'POST', `/v1/conversations/${groupId}/members`, {
      token: alice.token,
      body: { members: ['dave'], role: 'admin' },
    });
    await call(t.url, 'DELETE', `/v1/conversations/${groupId}/members/${dave.userId}`, {
      token: alice.token,
    });
    await call(t.url, 'DELETE', `/v1/conversations/${groupId}/members/${carol.userId}`, {
      token: carol.token,
    });
    const all = await entries();
    const policy = all.filter((e) => e.kind === 'policy.changed');
    assert.equal(policy.length, 1);
    assert.deepEqual(policy[0]?.actor, { userId: alice.userId, role: 'owner' });
    assert.equal(policy[0]?.details?.['preset'], 'feishu');
    assert.match(String(policy[0]?.details?.['documentSha256']), /^[0-9a-f]{64}$/);
    const tail = all.slice(-3).map((e) => [e.kind, e.actor.userId, e.target.userId, e.details?.['role']]);
    assert.deepEqual(tail, [
      ['member.added', alice.userId, dave.userId, 'admin'],
      ['member.removed', alice.userId, dave.userId, 'admin'],
      ['member.removed', carol.userId, carol.userId, 'member'],
    ]);
    assert.equal(all.at(-1)?.details?.['left'], true);
  });

  it('logs nothing for delete-for-me, or for a refused recall', async () => {
    const message = await send(alice, groupId);
    const before = (await entries()).length;
    assert.equal(
      (await call(t.url, 'POST', `/v1/messages/${message.id}/hide`, { token: bob.token })).status,
      200,
    );
    assert.equal((await recall(bob, message.id)).status, 403);
    assert.equal((await entries()).length, before);
  });

  it('has exactly one recall entry per recalled message, and no message content anywhere in the log', async () => {
    const all = await entries();
    assert.deepEqual(
      all.map((e) => e.index),
      all.map((_, i) => i),
      'indexes run 0, 1, 2, … with no gap',
    );
    for (const id of recalled) assert.equal(recallEntriesOf(all, id).length, 1, id);
    assert.equal(all.filter((e) => e.kind === 'message.recalled').length, recalled.length);
    assert.ok(!JSON.stringify(all).includes(CANARY), 'no entry holds message text');
  });

  it('shows the whole log to the compliance role, and to nobody else without the admin role', async () => {
    assert.equal((await allAuditEntries(t.url, auditor.token)).length, (await entries()).length);
    const refused = await call<{ error: { code: string } }>(t.url, 'GET', '/v1/audit/entries', {
      token: bob.token,
    });
    assert.equal(refused.status, 403);
    assert.equal(refused.body.error.code, 'not_permitted');
  });

  it('leaves a log that verifies offline', async () => {
    const count = (await entries()).length;
    await t.server.close();
    const result = await verifyDataDir({ dataDir: t.dataDir });
    assert.equal(result.ok, true, JSON.stringify(result.report.problems));
    assert.equal(result.report.size, count);
  });
});
