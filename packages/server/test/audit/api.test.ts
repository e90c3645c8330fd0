import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Message } from '@retract/protocol';
import {
  entryLeafHash,
  importPublicKey,
  validateBundle,
  verifyBundle,
  verifyCheckpoint,
  verifyConsistency,
  verifyInclusion,
  type EvidenceBundle,
  type SignedCheckpoint,
} from '../../src/core/audit/index.js';
import { allAuditEntries } from '../support/audit.js';
import { call, registerAndLogin, startTestServer, type Login, type TestServer } from '../support/harness.js';

/**
 * The audit API: who may see what. The checkpoint is public; proofs are for anyone signed in (hashes
 * only) and verify against the published checkpoint; entries are for server admins and the compliance
 * role; evidence is for them and for members who can see its subject — anyone else gets the same 404 as
 * for something that does not exist.
 */

type ErrorReply = { error: { code: string; details?: Record<string, unknown> } };

describe('the audit API', () => {
  let t: TestServer;
  let alice: Login; // owner of the group
  let bob: Login; // member
  let mallory: Login; // in no conversation
  let admin: Login;
  let auditor: Login;
  let groupId: string;
  let early: Message; // sent, then recalled, before erin joins
  let late: Message;

  const send = async (who: Login, body: string) =>
    (
      await call<{ message: Message }>(t.url, 'POST', `/v1/conversations/${groupId}/messages`, {
        token: who.token,
        body: { clientMsgId: `${who.username}-${body}`, body },
      })
    ).body.message;
  const evidence = (who: Login | null, query: string) =>
    call<EvidenceBundle & ErrorReply>(t.url, 'GET', `/v1/audit/evidence?${query}`, {
      ...(who === null ? {} : { token: who.token }),
    });
  const published = () =>
    call<{ checkpoint: SignedCheckpoint | null; publicKey: string; keyId: string }>(
      t.url,
      'GET',
      '/v1/audit/checkpoint',
    );
  const sign = (who: Login) =>
    call<{ checkpoint: SignedCheckpoint } & ErrorReply>(t.url, 'POST', '/v1/audit/checkpoints', {
      token: who.token,
      body: {},
    });

  before(async () => {
    t = await startTestServer({
      config: { serverAdmins: ['admin'], compliance: { users: ['auditor'] } },
    });
    alice = await registerAndLogin(t.url, 'alice');
    bob = await registerAndLogin(t.url, 'bob');
    mallory = await registerAndLogin(t.url, 'mallory');
    admin = await registerAndLogin(t.url, 'admin');
    auditor = await registerAndLogin(t.url, 'auditor');
    const group = await call<{ conversation: { id: string } }>(t.url, 'POST', '/v1/conversations', {
      token: alice.token,
      body: { kind: 'group', members: ['bob'] },
    });
    groupId = group.body.conversation.id;
    early = await send(bob, 'early words');
    assert.equal(
      (await call(t.url, 'POST', `/v1/messages/${early.id}/recall`, { token: bob.token })).status,
      200,
    );
    late = await send(alice, 'late words');
    assert.equal(
      (await call(t.url, 'POST', `/v1/messages/${late.id}/recall`, { token: alice.token })).status,
      200,
    );
  });
  after(() => t.close());

  it('publishes the checkpoint and its key without a session; only server admins sign on demand', async () => {
    const before = await published();
    assert.equal(before.status, 200);
    assert.equal(before.body.checkpoint, null, 'nothing signed yet (the interval is an hour)');
    const onDisk = readFileSync(join(t.dataDir, 'audit', 'signing.pub'), 'utf8').trim();
    assert.equal(before.body.publicKey, onDisk);

    const refused = await sign(alice);
    assert.equal(refused.status, 403);
    assert.equal(refused.body.error.code, 'not_permitted');
    const signed = await sign(admin);
    assert.equal(signed.status, 201);
    const now = await published();
    assert.deepEqual(now.body.checkpoint, signed.body.checkpoint);
    assert.equal(verifyCheckpoint(signed.body.checkpoint, importPublicKey(now.body.publicKey)), true);
    assert.equal(signed.body.checkpoint.keyId, now.body.keyId);
  });

  it('shows entries to server admins and the compliance role only', async () => {
    for (const who of [alice, bob, mallory]) {
      const reply = await call<ErrorReply>(t.url, 'GET', '/v1/audit/entries', { token: who.token });
      assert.equal(reply.status, 403, who.username);
    }
    const first = await call<{ entries: unknown[]; nextFrom: number | null; size: number }>(
      t.url,
      'GET',
      '/v1/audit/entries?from=0&limit=2',
      { token: auditor.token },
    );
    assert.equal(first.status, 200);
    assert.equal(first.body.entries.length, 2);
    assert.equal(first.body.nextFrom, 2);
    const all = await allAuditEntries(t.url, admin.token);
    assert.equal(all.length, first.body.size);
  });

  it('serves proofs to anyone signed in, and they verify against the published checkpoints', async () => {
    const older = (await published()).body.checkpoint!;
    await send(alice, 'more activity');
    await call(t.url, 'PUT', `/v1/conversations/${groupId}/disappearing`, {
      token: alice.token,
      body: { disappearing: null },
    });
    const newer = (await sign(admin)).body.checkpoint;
    assert.ok(newer.treeSize > older.treeSize);
    const entries = await allAuditEntries(t.url, admin.token);
    for (const entry of entries.slice(0, newer.treeSize)) {
      const proof = await call<{ leafHash: string; proof: string[] }>(
        t.url,
        'GET',
        `/v1/audit/proofs/inclusion?index=${entry.index}&treeSize=${newer.treeSize}`,
        { token: mallory.token },
      );
      assert.equal(proof.status, 200);
      assert.equal(proof.body.leafHash, entryLeafHash(entry));
      assert.equal(
        verifyInclusion(entryLeafHash(entry), entry.index, newer.treeSize, proof.body.proof, newer.rootHash),
        true,
        `entry ${entry.index}`,
      );
    }
    const consistency = await call<{ proof: string[] }>(
      t.url,
      'GET',
      `/v1/audit/proofs/consistency?from=${older.treeSize}&to=${newer.treeSize}`,
      { token: mallory.token },
    );
    assert.equal(consistency.status, 200);
    assert.equal(
      verifyConsistency(
        older.treeSize,
        newer.treeSize,
        older.rootHash,
        newer.rootHash,
        consistency.body.proof,
      ),
      true,
    );
    assert.equal(
      verifyConsistency(
        older.treeSize,
        newer.treeSize,
        older.rootHash,
        entryLeafHash(entries[0]!),
        consistency.body.proof,
      ),
      false,
    );
  });

  it('refuses proofs beyond the log, and malformed numbers', async () => {
    const size = (await allAuditEntries(t.url, admin.token)).length;
    const ask = (query: string) =>
      call<ErrorReply>(t.url, 'GET', `/v1/audit/proofs/${query}`, { token: bob.token });
    for (const query of [
      `inclusion?index=0&treeSize=${size + 1}`,
      `inclusion?index=${size}&treeSize=${size}`,
      `consistency?from=1&to=${size + 1}`,
      'consistency?from=3&to=2',
    ]) {
      const reply = await ask(query);
      assert.equal(reply.status, 422, query);
      assert.equal(reply.body.error.code, 'audit_out_of_range', query);
    }
    for (const query of [
      'inclusion?index=0x1&treeSize=2',
      'inclusion?index=-1&treeSize=2',
      'consistency?from=1',
    ]) {
      const reply = await ask(query);
      assert.equal(reply.status, 400, query);
      assert.equal(reply.body.error.code, 'invalid_request', query);
    }
  });

  it('answers a stranger asking for evidence exactly as for something that does not exist', async () => {
    for (const [hidden, missing] of [
      [`messageId=${late.id}`, 'messageId=m_AAAAAAAAAAAAAAAA'],
      [`conversationId=${groupId}`, 'conversationId=c_AAAAAAAAAAAAAAAA'],
    ] as const) {
      const a = await evidence(mallory, hidden);
      const b = await evidence(mallory, missing);
      assert.equal(a.status, 404);
      assert.equal(a.body.error.code, 'not_found');
      const { requestId: _a, ...detailsA } = a.body.error.details ?? {};
      const { requestId: _b, ...detailsB } = b.body.error.details ?? {};
      assert.deepEqual([a.status, a.body.error.code, detailsA], [b.status, b.body.error.code, detailsB]);
    }
    assert.equal((await evidence(null, `messageId=${late.id}`)).status, 401);
    assert.equal((await evidence(bob, '')).status, 400, 'neither id');
    assert.equal((await evidence(bob, `messageId=${late.id}&conversationId=${groupId}`)).status, 400, 'both');
  });

  it('gives members, server admins and the compliance role a bundle that verifies and records the export', async () => {
    for (const who of [bob, admin, auditor]) {
      const reply = await evidence(who, `messageId=${late.id}`);
      assert.equal(reply.status, 200, `${who.username}: ${JSON.stringify(reply.body)}`);
      const bundle = reply.body as EvidenceBundle;
      assert.equal(validateBundle(bundle).ok, true);
      assert.deepEqual(
        verifyBundle(bundle, { trustedKeys: importPublicKey((await published()).body.publicKey) }),
        {
          ok: true,
          problems: [],
          entries: bundle.entries.length,
        },
      );
      const kinds = bundle.entries.map((e) => e.entry.kind);
      assert.equal(kinds[0], 'message.recalled');
      // The last entry is this very export, covered by the checkpoint signed for the bundle.
      const own = bundle.entries.at(-1)!.entry;
      assert.deepEqual([own.kind, own.actor.userId], ['audit.exported', who.userId]);
      assert.equal(bundle.checkpoint.treeSize, own.index + 1);
      assert.equal(bundle.commitments?.length, 1);
      assert.ok(!JSON.stringify(bundle).includes('late words'), 'no content in the bundle');
    }
  });

  it('does not show a member who joined later what happened to messages from before', async () => {
    const erin = await registerAndLogin(t.url, 'erin');
    await call(t.url, 'POST', `/v1/conversations/${groupId}/members`, {
      token: alice.token,
      body: { members: ['erin'] },
    });
    assert.equal((await evidence(erin, `messageId=${early.id}`)).status, 404);
    const mine = await evidence(erin, `conversationId=${groupId}`);
    assert.equal(mine.status, 200);
    const about = mine.body.entries.map((e) => e.entry.target.messageId).filter((id) => id !== undefined);
    assert.ok(!about.includes(early.id) && !about.includes(late.id), JSON.stringify(about));
    assert.equal(verifyBundle(mine.body).ok, true);
    const full = await evidence(alice, `conversationId=${groupId}`);
    const aboutAll = full.body.entries.map((e) => e.entry.target.messageId);
    assert.ok(aboutAll.includes(early.id) && aboutAll.includes(late.id));
  });
});
