import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { errorRegistry, type Message, type stats } from '@retract/protocol';
import { delayBucketOf } from '../src/core/analytics/delay-buckets.js';
import { call, registerAndLogin, startTestServer, type Login, type TestServer } from './support/harness.js';

/**
 * Recall analytics over HTTP: real recall attempts go in through the API, the figures come out of
 * `GET /v1/admin/stats` for server admins only.
 */

interface ErrorReply {
  error: { code: string; details?: { problems?: { path: string; message: string }[] } };
}

describe('recall analytics API', () => {
  let t: TestServer;
  let alice: Login;
  let bob: Login;
  let root: Login;

  const get = <T>(who: Login, path: string) => call<T>(t.url, 'GET', path, { token: who.token });
  const recall = (who: Login, id: string) =>
    call<{ error?: { code: string } }>(t.url, 'POST', `/v1/messages/${id}/recall`, { token: who.token });

  before(async () => {
    // The fake clock starts on Thursday 2026-01-01 at 09:00 UTC; the default window is 2 minutes.
    t = await startTestServer({ config: { serverAdmins: ['root'] } });
    alice = await registerAndLogin(t.url, 'alice');
    bob = await registerAndLogin(t.url, 'bob');
    root = await registerAndLogin(t.url, 'root');
    const group = await call<{ conversation: { id: string } }>(t.url, 'POST', '/v1/conversations', {
      token: alice.token,
      body: { kind: 'group', title: 'team', members: ['bob'] },
    });
    const send = async (clientMsgId: string) =>
      (
        await call<{ message: Message }>(
          t.url,
          'POST',
          `/v1/conversations/${group.body.conversation.id}/messages`,
          { token: alice.token, body: { clientMsgId, body: 'hello' } },
        )
      ).body.message;

    const first = await send('m1');
    assert.equal((await recall(alice, first.id)).status, 200, 'recalled within the window');
    const second = await send('m2');
    assert.equal(
      (await recall(bob, second.id)).body.error?.code,
      'not_permitted',
      'a member, not the sender',
    );
    t.clock.advance(121_000);
    assert.equal((await recall(alice, second.id)).body.error?.code, 'recall_window_expired');
  });
  after(() => t.close());

  it('is for server admins only', async () => {
    for (const path of ['/v1/admin/stats', '/v1/admin/stats/what-if?windowSeconds=300']) {
      const reply = await get<ErrorReply>(alice, path);
      assert.equal(reply.status, errorRegistry.not_permitted.status, path);
      assert.equal(reply.body.error.code, 'not_permitted', path);
      const anonymous = await call<ErrorReply>(t.url, 'GET', path);
      assert.equal(anonymous.body.error.code, 'unauthenticated', path);
    }
  });

  it('reports the attempts made, over the last 7 days by default', async () => {
    const reply = await get<stats.RecallStats>(root, '/v1/admin/stats');
    assert.equal(reply.status, 200, JSON.stringify(reply.body));
    const s = reply.body;
    // Now is 09:02:01: the period is rounded out to whole quarter hours.
    assert.equal(s.to, '2026-01-01T09:15:00.000Z');
    assert.equal(s.from, '2025-12-25T09:00:00.000Z');
    assert.equal(s.timeZone, 'UTC');
    assert.equal(s.windowSeconds, 120);
    assert.deepEqual(s.attempts, {
      total: 3,
      byOutcome: { not_permitted: 1, recall_window_expired: 1, recalled: 1 },
    });
    assert.deepEqual(s.denials, { total: 2, dueToWindow: 1, windowShare: 0.5 });
    assert.equal(s.byHour.hours[9]?.attempts, 3);
    assert.equal(s.byWeekday[4]?.attempts, 3, 'Thursday');
    assert.deepEqual(s.byConversationKind, [
      { kind: 'direct', attempts: 0, recalled: 0, denied: 0 },
      { kind: 'group', attempts: 3, recalled: 1, denied: 2 },
    ]);
    assert.deepEqual(s.byContentType, [{ type: 'text', attempts: 3, recalled: 1, denied: 2 }]);
    assert.deepEqual(s.delay.buckets[0], { fromSeconds: 0, toSeconds: 5, recalled: 1, denied: 1 });
    assert.deepEqual(s.delay.buckets[delayBucketOf(121)], {
      fromSeconds: 120,
      toSeconds: 125,
      recalled: 0,
      denied: 1,
    });
    const followUps = Object.values(s.followUps.counts).reduce((a, b) => a + b, 0);
    assert.equal(followUps, 2, 'every denial has a follow-up, pending or resolved');
    // Alice sent and attempted; bob attempted without sending that day.
    assert.equal(s.activeSenders.timeZone, 'UTC');
    assert.equal(s.activeSenders.days.length, 8);
    assert.deepEqual(s.activeSenders.days.at(-1), { day: '2026-01-01', senders: 1, attempted: 1, share: 1 });
  });

  it('reports hours in the zone asked for, and says which zone the activity days are in', async () => {
    const reply = await get<stats.RecallStats>(root, '/v1/admin/stats?tz=Asia/Kolkata');
    assert.equal(reply.status, 200, JSON.stringify(reply.body));
    assert.equal(reply.body.timeZone, 'Asia/Kolkata');
    assert.equal(reply.body.byHour.hours[14]?.attempts, 3, '09:00 UTC is 14:30 in India');
    assert.equal(reply.body.activeSenders.timeZone, 'UTC');
  });

  it('rounds an explicit period out to whole quarter hours', async () => {
    const reply = await get<stats.RecallStats>(
      root,
      '/v1/admin/stats?from=2026-01-01T09:07:00Z&to=2026-01-01T09:08:00Z',
    );
    assert.equal(reply.status, 200, JSON.stringify(reply.body));
    assert.equal(reply.body.from, '2026-01-01T09:00:00.000Z');
    assert.equal(reply.body.to, '2026-01-01T09:15:00.000Z');
    assert.equal(reply.body.attempts.total, 3);
    const later = await get<stats.RecallStats>(
      root,
      '/v1/admin/stats?from=2026-01-01T09:15:00Z&to=2026-01-01T10:00:00Z',
    );
    assert.equal(later.status, 200, JSON.stringify(later.body));
    assert.equal(later.body.attempts.total, 0, 'nothing after the attempts');
  });

  it('refuses an unknown zone, a reversed or too long period, and unknown parameters', async () => {
    const cases: [string, string, RegExp][] = [
      ['/v1/admin/stats?tz=Mars/Olympus', '/tz', /not a time zone/],
      ['/v1/admin/stats/what-if?windowSeconds=60&tz=Mars/Olympus', '/tz', /not a time zone/],
      ['/v1/admin/stats?from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z', '/from', /before/],
      ['/v1/admin/stats?from=2024-01-01T00:00:00Z&to=2026-01-01T00:00:00Z', '/from', /400 days/],
      ['/v1/admin/stats?from=yesterday', '/from', /date-time/],
    ];
    for (const [path, field, message] of cases) {
      const reply = await get<ErrorReply>(root, path);
      assert.equal(reply.status, 400, path);
      assert.equal(reply.body.error.code, 'invalid_request', path);
      const problem = reply.body.error.details?.problems?.[0];
      assert.equal(problem?.path, field, path);
      assert.match(problem?.message ?? '', message, path);
    }
    for (const path of [
      '/v1/admin/stats?window=1',
      '/v1/admin/stats/what-if',
      '/v1/admin/stats/what-if?windowSeconds=0',
    ]) {
      const reply = await get<ErrorReply>(root, path);
      assert.equal(reply.body.error.code, 'invalid_request', path);
    }
  });

  it('answers what a longer window would have allowed', async () => {
    const exact = await get<stats.WhatIf>(root, '/v1/admin/stats/what-if?windowSeconds=125');
    assert.equal(exact.status, 200, JSON.stringify(exact.body));
    assert.deepEqual(exact.body, {
      from: '2025-12-25T09:00:00.000Z',
      to: '2026-01-01T09:15:00.000Z',
      windowSeconds: 125,
      deniedByWindow: 1,
      wouldAllow: 1,
      share: 1,
      estimated: false,
    });
    const shorter = await get<stats.WhatIf>(root, '/v1/admin/stats/what-if?windowSeconds=120');
    assert.deepEqual([shorter.body.wouldAllow, shorter.body.estimated], [0, false]);
    const inside = await get<stats.WhatIf>(root, '/v1/admin/stats/what-if?windowSeconds=123');
    assert.deepEqual([inside.body.wouldAllow, inside.body.estimated], [1, true]);
  });
});
