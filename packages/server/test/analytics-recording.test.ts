import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Message } from '@retract/protocol';
import { resolvePending, sweepAnalytics } from '../src/actions/analytics/index.js';
import { waitForRecallJob } from '../src/actions/recall-jobs.js';
import { delayBucketOf } from '../src/core/analytics/delay-buckets.js';
import { SLOT_MS, type RecallBucketRecord } from '../src/storage/analytics-records.js';
import { call, registerAndLogin, startTestServer, type Login, type TestServer } from './support/harness.js';

type Err = { error?: { code: string } };
const DAY = 86_400_000;
const slotOf = (ms: number) => Math.floor(ms / SLOT_MS) * SLOT_MS;

/**
 * Recall analytics as the actions record them, end to end over HTTP with a fake clock, read back through
 * the storage port: what is counted (allowed and denied attempts, in their slot, delay bucket, kind, type
 * and role), what a denial's follow-up becomes (correction, hide, another message, none), activity per
 * day — and what is not counted. Each case starts on a day of its own, so cells never mix between cases.
 */
describe('recall analytics recording', () => {
  let t: TestServer;
  let alice: Login;
  let bob: Login;
  let carol: Login;
  let groupId: string;
  let directId: string;
  let day = 0;

  /** Moves the clock to 09:00 UTC of a day no other case used, plus `offsetMs`. */
  const freshDay = (offsetMs = 0) => {
    day += 1;
    const start = Date.UTC(2026, 1, day, 9, 0, 0);
    t.clock.set(start + offsetMs);
    return start;
  };
  const send = async (who: Login, conversationId: string, extra: Record<string, unknown> = {}) => {
    const reply = await call<{ message: Message } & Err>(
      t.url,
      'POST',
      `/v1/conversations/${conversationId}/messages`,
      {
        token: who.token,
        body: { clientMsgId: `${who.username}-${Math.random()}`, body: 'hello', ...extra },
      },
    );
    assert.equal(reply.status, 201, JSON.stringify(reply.body));
    return reply.body.message;
  };
  const recall = (who: Login, messageId: string) =>
    call<Err>(t.url, 'POST', `/v1/messages/${messageId}/recall`, { token: who.token });
  const hide = (who: Login, messageId: string) =>
    call<Err>(t.url, 'POST', `/v1/messages/${messageId}/hide`, { token: who.token });
  const cells = (from: number, to = from + DAY) =>
    t.server.context.storage.read((tx) => tx.listRecallBuckets(from, to));
  const pendingOf = (who: Login, conversationId: string) =>
    t.server.context.storage.read((tx) => tx.listPendingFollowUps(who.userId, conversationId));
  /** Cells as `outcome/followUp: count`, sorted: what a case expects to have been counted. */
  const summary = (list: RecallBucketRecord[]) =>
    list.map((c) => `${c.outcome}/${c.followUp ?? '-'}: ${c.count}`).sort();

  /** Alice's message sent at the current time, recalled by her `afterSeconds` later: denied past 120 s. */
  async function deniedAttempt(afterSeconds = 200) {
    const message = await send(alice, groupId);
    t.clock.advance(afterSeconds * 1000);
    const reply = await recall(alice, message.id);
    assert.equal(reply.status, 403);
    assert.equal(reply.body.error?.code, 'recall_window_expired');
    return message;
  }

  before(async () => {
    t = await startTestServer({ windowSeconds: 120, config: { analytics: { followUpSeconds: 600 } } });
    alice = await registerAndLogin(t.url, 'alice');
    bob = await registerAndLogin(t.url, 'bob');
    carol = await registerAndLogin(t.url, 'carol');
    const group = await call<{ conversation: { id: string } }>(t.url, 'POST', '/v1/conversations', {
      token: alice.token,
      body: { kind: 'group', members: ['bob', 'carol'] },
    });
    groupId = group.body.conversation.id;
    const direct = await call<{ conversation: { id: string } }>(t.url, 'POST', '/v1/conversations', {
      token: alice.token,
      body: { kind: 'direct', members: ['bob'] },
    });
    directId = direct.body.conversation.id;
  });
  after(() => t.close());

  it('counts an allowed attempt in the quarter hour it was made, with its delay, kind, type and role', async () => {
    // Sent at 09:29:50, recalled at 09:30:32: the 09:30 slot, not the send's 09:15 one.
    const start = freshDay(29 * 60_000 + 50_000);
    const message = await send(alice, directId);
    t.clock.advance(42_000);
    assert.equal((await recall(alice, message.id)).status, 200);

    const counted = await cells(start);
    assert.deepEqual(counted, [
      {
        slot: start + 30 * 60_000,
        outcome: 'recalled',
        conversationKind: 'direct',
        contentType: 'text',
        role: 'sender',
        delayBucket: delayBucketOf(42),
        followUp: null,
        count: 1,
      },
    ]);
    assert.deepEqual(await pendingOf(alice, directId), [], 'an allowed attempt leaves nothing pending');
  });

  it('counts a denial as pending, then as a correction when the sender sends one', async () => {
    const start = freshDay();
    const denied = await deniedAttempt(200);
    const [pending] = await pendingOf(alice, groupId);
    assert.ok(pending, 'the denial waits for its follow-up');
    assert.equal(pending.messageId, denied.id);
    assert.deepEqual(pending.bucket, {
      slot: slotOf(start + 200_000),
      outcome: 'recall_window_expired',
      conversationKind: 'group',
      contentType: 'text',
      role: 'sender',
      delayBucket: delayBucketOf(200),
      followUp: 'pending',
    });
    assert.deepEqual(summary(await cells(start)), ['recall_window_expired/pending: 1']);

    // Someone else's message in the conversation is not the sender's follow-up.
    await send(bob, groupId);
    assert.equal((await pendingOf(alice, groupId)).length, 1);

    t.clock.advance(30_000);
    await send(alice, groupId, { corrects: denied.id, body: 'what I meant' });
    assert.deepEqual(summary(await cells(start)), ['recall_window_expired/correction: 1']);
    assert.deepEqual(await pendingOf(alice, groupId), []);
  });

  it('counts a hide of the denied message as its follow-up, and only of that message', async () => {
    const start = freshDay();
    const other = await send(alice, groupId);
    const denied = await deniedAttempt();
    assert.equal((await hide(alice, other.id)).status, 200);
    assert.deepEqual(
      summary(await cells(start)),
      ['recall_window_expired/pending: 1'],
      'another message hidden',
    );
    assert.equal((await hide(alice, denied.id)).status, 200);
    assert.deepEqual(summary(await cells(start)), ['recall_window_expired/hide: 1']);
    assert.deepEqual(await pendingOf(alice, groupId), []);
  });

  it('counts another message as the follow-up, resolving every pending denial there', async () => {
    const start = freshDay();
    const first = await send(alice, groupId);
    const second = await send(alice, groupId);
    t.clock.advance(300_000);
    assert.equal((await recall(alice, first.id)).status, 403);
    assert.equal((await recall(alice, second.id)).status, 403);
    await send(alice, directId); // another conversation: not a follow-up here
    assert.equal((await pendingOf(alice, groupId)).length, 2);
    await send(alice, groupId);
    assert.deepEqual(summary(await cells(start)), ['recall_window_expired/message: 2']);
  });

  it('counts none when the sender did nothing within followUpSeconds (sweep, or a late send)', async () => {
    const start = freshDay();
    await deniedAttempt();
    t.clock.advance(599_000);
    await sweepAnalytics(t.server.context);
    assert.deepEqual(summary(await cells(start)), ['recall_window_expired/pending: 1'], 'still in time');
    t.clock.advance(2_000);
    await sweepAnalytics(t.server.context);
    assert.deepEqual(summary(await cells(start)), ['recall_window_expired/none: 1']);

    // A send after the window that comes before the sweep does not count as a follow-up either.
    const later = freshDay();
    await deniedAttempt();
    t.clock.advance(601_000);
    await send(alice, groupId);
    assert.deepEqual(summary(await cells(later)), ['recall_window_expired/none: 1']);

    const metrics = await (await fetch(`${t.url}/metrics`)).text();
    assert.match(metrics, /^retract_recall_followups_total\{follow_up="none"\} [2-9]/m);
    assert.match(metrics, /^retract_recall_attempt_delay_seconds_count\{outcome_class="denied"\} \d+$/m);
  });

  it('resolves a pending denial once when two resolutions race for it', async () => {
    const start = freshDay();
    await deniedAttempt();
    // Both listed it before either committed — as two nodes would.
    const listed = await pendingOf(alice, groupId);
    assert.equal(listed.length, 1);
    const items = listed.map((entry) => ({ entry, as: 'message' as const }));
    const results = await Promise.all([
      t.server.context.storage.transaction((tx) => resolvePending(tx, items)),
      t.server.context.storage.transaction((tx) => resolvePending(tx, items)),
    ]);
    assert.deepEqual(results.map((r) => r.get('message') ?? 0).sort(), [0, 1]);
    assert.deepEqual(summary(await cells(start)), ['recall_window_expired/message: 1']);
  });

  it('marks who sent and who attempted, once per user and day', async () => {
    const start = freshDay();
    const today = new Date(start).toISOString().slice(0, 10);
    const bobs = await send(bob, groupId);
    await send(bob, groupId);
    await deniedAttempt(); // alice sends and attempts
    // Carol attempts (not permitted: not hers) without sending.
    const refused = await recall(carol, bobs.id);
    assert.equal(refused.body.error?.code, 'not_permitted');
    await recall(carol, bobs.id);
    const activity = await t.server.context.storage.read((tx) => tx.listDailyActivity(today, today));
    assert.deepEqual(activity, [{ day: today, senders: 2, attempters: 2, sendersWhoAttempted: 1 }]);
    assert.deepEqual(summary((await cells(start)).filter((c) => c.outcome === 'not_permitted')), [
      'not_permitted/pending: 2',
    ]);
    assert.ok(
      (await cells(start)).every((c) => c.outcome !== 'not_permitted' || c.role === 'member'),
      'a plain member who tried counts as member',
    );
  });

  it('does not count bulk-job steps, repeats of a recall, or messages the caller cannot see', async () => {
    const start = freshDay();
    const today = new Date(start).toISOString().slice(0, 10);
    const own = await send(alice, groupId);
    await send(bob, groupId);
    const job = await call<{ job: { id: string } }>(
      t.url,
      'POST',
      `/v1/conversations/${groupId}/recall-jobs`,
      {
        token: alice.token,
        body: { userId: alice.userId, reason: 'tidy up' },
      },
    );
    assert.equal(job.status, 202);
    await waitForRecallJob(t.server.context, job.body.job.id);
    const mine = await call<{ messages: Message[] }>(t.url, 'GET', `/v1/conversations/${groupId}/messages`, {
      token: alice.token,
    });
    assert.equal(mine.body.messages.find((m) => m.id === own.id)?.body, null, 'the job did recall it');
    const onBob = await call<{ job: { id: string } }>(
      t.url,
      'POST',
      `/v1/conversations/${groupId}/recall-jobs`,
      {
        token: alice.token,
        body: { userId: bob.userId, reason: 'denied steps' },
      },
    );
    await waitForRecallJob(t.server.context, onBob.body.job.id);

    assert.equal((await recall(alice, own.id)).status, 200, 'already recalled');
    assert.equal((await recall(alice, 'm_doesnotexist')).status, 404);
    const outsider = await registerAndLogin(t.url, `dave${day}`);
    assert.equal((await recall(outsider, own.id)).status, 404, 'not a member: as if missing');

    assert.deepEqual(await cells(start), []);
    assert.deepEqual(await pendingOf(alice, groupId), []);
    const activity = await t.server.context.storage.read((tx) => tx.listDailyActivity(today, today));
    assert.deepEqual(activity, [{ day: today, senders: 2, attempters: 0, sendersWhoAttempted: 0 }]);
  });
});

describe('recall analytics retention', () => {
  it('deletes counts and activity older than retentionDays, keeps newer ones', async () => {
    const t = await startTestServer({ windowSeconds: 120, config: { analytics: { retentionDays: 2 } } });
    try {
      const alice = await registerAndLogin(t.url, 'alice');
      const c = await call<{ conversation: { id: string } }>(t.url, 'POST', '/v1/conversations', {
        token: alice.token,
        body: { kind: 'group', members: [] },
      });
      const attempt = async () => {
        const sent = await call<{ message: Message }>(
          t.url,
          'POST',
          `/v1/conversations/${c.body.conversation.id}/messages`,
          { token: alice.token, body: { clientMsgId: `m${Math.random()}`, body: 'x' } },
        );
        await call(t.url, 'POST', `/v1/messages/${sent.body.message.id}/recall`, { token: alice.token });
      };
      const read = async () => ({
        cells: (await t.server.context.storage.read((tx) => tx.listRecallBuckets(0, Date.UTC(2100, 0)))).map(
          (b) => new Date(b.slot).toISOString(),
        ),
        days: (
          await t.server.context.storage.read((tx) => tx.listDailyActivity('2000-01-01', '2100-01-01'))
        ).map((d) => d.day),
      });

      t.clock.set(Date.UTC(2026, 2, 1, 12, 0));
      await attempt();
      t.clock.set(Date.UTC(2026, 2, 2, 12, 0));
      await attempt();
      await sweepAnalytics(t.server.context);
      assert.deepEqual((await read()).days, ['2026-03-01', '2026-03-02'], 'nothing is old enough yet');

      // Cut-off March 1st, 13:00: the 12:00 slot goes; March 1st is the cut-off's own day and stays.
      t.clock.set(Date.UTC(2026, 2, 3, 13, 0));
      await sweepAnalytics(t.server.context);
      assert.deepEqual(await read(), {
        cells: ['2026-03-02T12:00:00.000Z'],
        days: ['2026-03-01', '2026-03-02'],
      });
      t.clock.set(Date.UTC(2026, 2, 4, 0, 30)); // cut-off March 2nd, 00:30
      await sweepAnalytics(t.server.context);
      assert.deepEqual(await read(), { cells: ['2026-03-02T12:00:00.000Z'], days: ['2026-03-02'] });
    } finally {
      await t.close();
    }
  });
});
