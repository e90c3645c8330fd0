import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ApiError, createClient, type RetractClient } from '@retract/sdk';
import {
  registerAndLogin,
  startTestServer,
  type Login,
  type TestServer,
} from '../../server/test/support/harness.js';
import { verifyAuditLog, verifyEvidenceBundle } from '../src/admin/audit-verify.js';
import { groupDelayBuckets, whatIfText, windowMarkerPosition } from '../src/admin/charts.js';
import { documentFromForm, emptyForm, serverProblemsFrom } from '../src/admin/policy-form.js';

/**
 * The dashboard's logic against a real server, through the SDK only — the way the page calls it: the
 * analytics it draws, the policy errors it places, the audit log it verifies.
 */
describe('admin dashboard against a server', () => {
  let t: TestServer;
  let admin: Login;
  let client: RetractClient;
  let groupId: string;

  before(async () => {
    t = await startTestServer({ windowSeconds: 120, config: { serverAdmins: ['admin'] } });
    admin = await registerAndLogin(t.url, 'admin');
    await registerAndLogin(t.url, 'bob');
    client = createClient({ baseUrl: t.url, token: admin.token });
    groupId = (await client.http.createConversation({ kind: 'group', members: ['bob'] })).conversation.id;
    for (const [i, delay] of [5, 60, 300, 3600].entries()) {
      const sent = await client.http.sendMessage(groupId, { clientMsgId: `m-${i}`, body: `message ${i}` });
      t.clock.advance(delay * 1000);
      await client.http.recall(sent.message.id).catch((error: unknown) => {
        assert.ok(error instanceof ApiError);
      });
    }
    t.clock.advance(3600_000);
  });

  after(async () => {
    await t?.close();
  });

  test('the stats feed the charts: bins, window marker, what-if text', async () => {
    const stats = await client.http.stats({});
    assert.equal(stats.windowSeconds, 120);
    const bins = groupDelayBuckets(stats.delay.buckets);
    assert.equal(
      bins.reduce((n, b) => n + b.recalled + b.denied, 0),
      stats.attempts.total,
    );
    assert.equal(windowMarkerPosition(bins, stats.windowSeconds), 3);
    const whatIf = await client.http.whatIf({ windowSeconds: 600 });
    const text = whatIfText(whatIf, (key, vars) => `${key} ${JSON.stringify(vars ?? {})}`, 'en');
    assert.match(text, /^whatif\.result/);
    assert.match(text, /"n":"1","m":"2"/);
  });

  test('a policy the server refuses comes back with errors on the fields', async () => {
    const built = documentFromForm({
      ...emptyForm(),
      windowDirect: { mode: 'seconds', seconds: '60' },
      placeholder: 'none',
    });
    assert.ok(built.ok);
    const saved = await client.http.setConversationPolicy(groupId, built.document);
    assert.deepEqual(saved.document, { windows: { direct: 60 }, placeholder: 'none' });

    const refused = await client.http
      .setConversationPolicy(groupId, { windows: { direct: 'soon' }, moderation: { roles: ['king'] } })
      .then(
        () => assert.fail('accepted'),
        (error: unknown) => error,
      );
    assert.ok(refused instanceof ApiError);
    assert.equal(refused.code, 'policy_invalid');
    const errors = serverProblemsFrom(refused);
    assert.ok(errors?.windowDirect?.length, JSON.stringify(errors));
    assert.ok(errors?.moderationRoles?.length, JSON.stringify(errors));
  });

  test('verify now: the log replays to the signed checkpoint, and a bundle verifies', async () => {
    const signed = (await client.http.signAuditCheckpoint()).checkpoint;
    const published = await client.http.auditCheckpoint();
    assert.deepEqual(published.checkpoint, signed);
    assert.ok(signed.treeSize >= 2, 'recalls and the policy change are in the log');
    const result = await verifyAuditLog(client.http, signed, published.publicKey);
    assert.equal(result.signature, 'valid');
    assert.deepEqual(result.log, {
      mode: 'replay',
      checked: signed.treeSize,
      badEntries: [],
      rootMatches: true,
    });
    const sampled = await verifyAuditLog(client.http, signed, published.publicKey, {
      maxReplay: 0,
      sampleSize: 2,
    });
    assert.deepEqual(sampled.log, { mode: 'sample', checked: 2, badEntries: [], rootMatches: true });

    const bundle = await client.http.auditEvidence({ conversationId: groupId });
    const check = await verifyEvidenceBundle(bundle);
    assert.equal(check.signature, 'valid');
    assert.ok(check.entries > 0);
    assert.deepEqual(check.badEntries, []);
  });
});
