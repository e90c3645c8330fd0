import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Event, Message } from '@retract/protocol';
import {
  call,
  RecordingSocket,
  registerAndLogin,
  startTestServer,
  type Login,
  type TestServer,
} from './support/harness.js';

/** Recall under policies, end to end over HTTP and WebSocket, with the server's fake clock. */
describe('recall policies end to end', () => {
  let t: TestServer;
  let alice: Login; // group owner
  let bob: Login; // member
  let carol: Login; // member
  let root: Login; // server admin, in no conversation
  let groupId: string;

  const send = async (who: Login, conversationId: string, body: string) =>
    (
      await call<{ message: Message }>(t.url, 'POST', `/v1/conversations/${conversationId}/messages`, {
        token: who.token,
        body: { clientMsgId: `${who.username}-${Math.random()}`, body },
      })
    ).body.message;
  const recall = (who: Login, messageId: string, reason?: string) =>
    call<{
      tombstone: { role: string; label: string | null; reason: string | null };
      reEdit?: { body: string; until: string };
      error?: { code: string; details: Record<string, unknown> };
    }>(t.url, 'POST', `/v1/messages/${messageId}/recall`, {
      token: who.token,
      ...(reason === undefined ? {} : { body: { reason } }),
    });
  const setPolicy = (who: Login, conversationId: string, document: unknown) =>
    call<{
      effective: Record<string, unknown>;
      error?: {
        code: string;
        details: { path: string; errors: { path: string; message: string; code: string; params: unknown }[] };
      };
    }>(t.url, 'PUT', `/v1/conversations/${conversationId}/policy`, { token: who.token, body: { document } });

  before(async () => {
    t = await startTestServer({
      config: { serverAdmins: ['root'], policy: { default: { preset: 'wechat' } } },
    });
    alice = await registerAndLogin(t.url, 'alice');
    bob = await registerAndLogin(t.url, 'bob');
    carol = await registerAndLogin(t.url, 'carol');
    root = await registerAndLogin(t.url, 'root');
    const created = await call<{ conversation: { id: string } }>(t.url, 'POST', '/v1/conversations', {
      token: alice.token,
      body: { kind: 'group', title: 'work', members: ['bob', 'carol'] },
    });
    groupId = created.body.conversation.id;
  });
  after(() => t.close());

  it('lets an owner set a preset for the group, and moderators remove others’ messages with a reason and label', async () => {
    assert.equal((await setPolicy(bob, groupId, { preset: 'feishu' })).status, 403, 'members cannot');
    const set = await setPolicy(alice, groupId, { preset: 'feishu', moderation: { requireReason: true } });
    assert.equal(set.status, 200);
    assert.equal((set.body.effective['preset'] as string) ?? '', 'feishu');

    const bobsPhone = await RecordingSocket.open(t.wsUrl, bob.token);
    await bobsPhone.waitFor((f) => f.type === 'synced');
    const m = await send(bob, groupId, 'something regrettable');

    const byCarol = await recall(carol, m.id, 'I do not like it');
    assert.equal(byCarol.status, 403);
    assert.equal(
      byCarol.body.error?.code,
      'not_permitted',
      'a plain member never recalls someone else’s message',
    );

    const noReason = await recall(alice, m.id);
    assert.equal(noReason.status, 422);
    assert.equal(noReason.body.error?.code, 'reason_required');

    t.clock.advance(3 * 86400_000); // days later: long past the sender's window, within the moderators'
    const removed = await recall(alice, m.id, 'off-topic');
    assert.equal(removed.status, 200);
    assert.equal(removed.body.tombstone.role, 'owner');
    assert.equal(removed.body.tombstone.reason, 'off-topic');
    assert.ok(removed.body.tombstone.label, 'recipients get a label');
    assert.equal(removed.body.reEdit, undefined, 'no re-edit for someone else’s message');

    const seen = await bobsPhone.waitForEvent((e) => e.type === 'message.recalled' && e.messageId === m.id);
    assert.ok(seen.type === 'message.recalled');
    assert.equal(seen.tombstone.role, 'owner');
    assert.equal(seen.tombstone.label, removed.body.tombstone.label);
    await bobsPhone.close();
  });

  it('refuses malformed and out-of-bounds conversation policies with the path of the problem', async () => {
    const malformed = await setPolicy(alice, groupId, { windows: { group: -1 } });
    assert.equal(malformed.status, 422);
    assert.equal(malformed.body.error?.code, 'policy_invalid');
    assert.equal(malformed.body.error?.details.path, '/windows/group');
    const unknown = await setPolicy(alice, groupId, { moderation: { roles: ['member'] } });
    assert.equal(unknown.body.error?.code, 'policy_invalid', 'members cannot be made moderators');
    const tooLong = await setPolicy(alice, groupId, { windows: { group: null } });
    assert.equal(tooLong.status, 422);
    assert.equal(tooLong.body.error?.code, 'policy_out_of_bounds');
    assert.match(tooLong.body.error?.details.path ?? '', /^\/windows\/group/);
    // Each problem carries a code and its params for clients to phrase, next to the English message.
    assert.deepEqual(malformed.body.error?.details.errors[0], {
      path: '/windows/group',
      message: 'must be >= 0',
      code: 'too_small',
      params: { limit: 0 },
    });
    assert.deepEqual(tooLong.body.error?.details.errors[0], {
      path: '/windows/group',
      message: "no limit exceeds the server's maximum sender window of 604800 s",
      code: 'exceeds_bound',
      params: { value: null, limit: 604800 },
    });
  });

  it('tells a client what it may do and until when, then denies with the facts once the window passes', async () => {
    assert.equal((await setPolicy(alice, groupId, null)).status, 200, 'back to the server’s wechat preset');
    const m = await send(carol, groupId, 'countdown');
    const options = await call<{
      recall: { allowed: boolean; until?: string; code?: string };
      reEdit: { seconds: number };
    }>(t.url, 'GET', `/v1/messages/${m.id}/recall-options`, { token: carol.token });
    assert.equal(options.status, 200);
    assert.equal(options.body.recall.allowed, true);
    assert.equal(options.body.recall.until, new Date(Date.parse(m.sentAt) + 120_000).toISOString());
    assert.equal(options.body.reEdit.seconds, 300);

    const forBob = await call<{ recall: { allowed: boolean; code?: string } }>(
      t.url,
      'GET',
      `/v1/messages/${m.id}/recall-options`,
      {
        token: bob.token,
      },
    );
    assert.deepEqual([forBob.body.recall.allowed, forBob.body.recall.code], [false, 'not_permitted']);

    t.clock.advance(120_001);
    const late = await call<{ recall: { allowed: boolean; code?: string } }>(
      t.url,
      'GET',
      `/v1/messages/${m.id}/recall-options`,
      {
        token: carol.token,
      },
    );
    assert.deepEqual([late.body.recall.allowed, late.body.recall.code], [false, 'recall_window_expired']);
    const denied = await recall(carol, m.id);
    assert.equal(denied.body.error?.code, 'recall_window_expired');
    assert.equal(denied.body.error?.details['windowSeconds'], 120);

    const outsider = await call(t.url, 'GET', `/v1/messages/${m.id}/recall-options`, { token: root.token });
    assert.equal(
      outsider.status,
      200,
      'a server admin sees it (and may be a moderator where a policy says so)',
    );
  });

  it('hands the recalled text back once for re-edit, and keeps no copy', async () => {
    const m = await send(bob, groupId, 'typo in here');
    const recalled = await recall(bob, m.id);
    assert.equal(recalled.status, 200);
    assert.equal(recalled.body.reEdit?.body, 'typo in here');
    assert.equal(recalled.body.reEdit?.until, new Date(t.clock.now() + 300_000).toISOString());
    const again = await recall(bob, m.id);
    assert.equal(again.body.reEdit, undefined, 'the text is gone from the server: a retry cannot return it');
    const page = await call<{ messages: Message[] }>(t.url, 'GET', `/v1/conversations/${groupId}/messages`, {
      token: bob.token,
    });
    assert.ok(!JSON.stringify(page.body).includes('typo in here'));
  });

  it('lets a server admin remove a message in any conversation where the policy names the role', async () => {
    const slack = await setPolicy(alice, groupId, {
      preset: 'slack',
      windows: { direct: 86400, group: 86400 },
    });
    assert.equal(slack.status, 200, JSON.stringify(slack.body));
    const m = await send(carol, groupId, 'leaked customer list');
    const hidden = await recall(root, m.id, 'data leak');
    assert.equal(hidden.status, 200, hidden.body.error?.code);
    assert.equal(hidden.body.tombstone.role, 'server_admin');
    const events = await call<{ events: Event[] }>(t.url, 'GET', '/v1/sync?after=0&limit=500', {
      token: carol.token,
    });
    const event = events.body.events.find((e) => e.type === 'message.recalled' && e.messageId === m.id);
    assert.ok(event?.type === 'message.recalled' && event.tombstone.role === 'server_admin');
  });

  it('lets either side recall in a direct chat under the telegram preset, with no placeholder', async () => {
    const direct = await call<{ conversation: { id: string } }>(t.url, 'POST', '/v1/conversations', {
      token: alice.token,
      body: { kind: 'direct', members: ['bob'] },
    });
    const id = direct.body.conversation.id;
    assert.equal(
      (await setPolicy(alice, id, { preset: 'telegram' })).status,
      422,
      'telegram’s unlimited window exceeds the bounds',
    );
    const bounded = await setPolicy(alice, id, { preset: 'telegram', windows: { direct: 86400 } });
    assert.equal(bounded.status, 200, JSON.stringify(bounded.body));
    const m = await send(alice, id, 'from alice');
    const options = await call<{ placeholder: string; recall: { as?: string } }>(
      t.url,
      'GET',
      `/v1/messages/${m.id}/recall-options`,
      {
        token: bob.token,
      },
    );
    assert.equal(options.body.placeholder, 'none');
    assert.equal(options.body.recall.as, 'peer');
    const byBob = await recall(bob, m.id);
    assert.equal(byBob.status, 200);
    assert.equal(byBob.body.tombstone.role, 'peer');
  });
});

describe('pre-send check and smart window', () => {
  let t: TestServer;
  let alice: Login;
  let groupId: string;
  before(async () => {
    t = await startTestServer({
      config: { policy: { default: { smartWindow: { enabled: true, windowSeconds: 3600 } } } },
    });
    alice = await registerAndLogin(t.url, 'alice');
    for (const name of ['bob', 'carol']) await registerAndLogin(t.url, name);
    const created = await call<{ conversation: { id: string } }>(t.url, 'POST', '/v1/conversations', {
      token: alice.token,
      body: { kind: 'group', members: ['bob', 'carol'] },
    });
    groupId = created.body.conversation.id;
  });
  after(() => t.close());

  it('warns before sending, with masked findings, the audience and the longer window', async () => {
    const text = 'my card is 4111 1111 1111 1111, call me';
    const check = await call<{
      findings: { detector: string; preview: string; reason: string }[];
      summary: string;
      recipients: number;
      window: { seconds: number; extendedBecauseFlagged: boolean };
    }>(t.url, 'POST', `/v1/conversations/${groupId}/messages:check`, {
      token: alice.token,
      body: { body: text },
    });
    assert.equal(check.status, 200);
    assert.deepEqual(
      check.body.findings.map((f) => f.detector),
      ['bank_card'],
    );
    assert.ok(!check.body.findings[0]?.preview.includes('4111 1111 1111 1111'), 'the preview is masked');
    assert.match(check.body.summary, /bank card/i);
    assert.equal(check.body.recipients, 2);
    assert.deepEqual(check.body.window, { seconds: 3600, extendedBecauseFlagged: true });

    const plain = await call<{ findings: unknown[]; window: { seconds: number } }>(
      t.url,
      'POST',
      `/v1/conversations/${groupId}/messages:check`,
      { token: alice.token, body: { body: 'lunch at noon?' } },
    );
    assert.deepEqual(plain.body.findings, []);
    assert.equal(plain.body.window.seconds, 120);
  });

  it('gives a flagged message the smart window, and an ordinary one the normal window', async () => {
    const send = async (body: string) =>
      (
        await call<{ message: Message }>(t.url, 'POST', `/v1/conversations/${groupId}/messages`, {
          token: alice.token,
          body: { clientMsgId: body, body },
        })
      ).body.message;
    const flagged = await send('password: hunter2!X9');
    const ordinary = await send('see you soon');
    t.clock.advance(10 * 60_000);
    const late = await call<{ error: { code: string } }>(
      t.url,
      'POST',
      `/v1/messages/${ordinary.id}/recall`,
      {
        token: alice.token,
      },
    );
    assert.equal(late.body.error.code, 'recall_window_expired');
    const saved = await call<{ tombstone: unknown }>(t.url, 'POST', `/v1/messages/${flagged.id}/recall`, {
      token: alice.token,
    });
    assert.equal(saved.status, 200, 'ten minutes later the flagged message can still be recalled');
  });
});

describe('until read', () => {
  let t: TestServer;
  let alice: Login;
  let bob: Login;
  let groupId: string;
  before(async () => {
    t = await startTestServer({ config: { policy: { default: { untilRead: true } } } });
    alice = await registerAndLogin(t.url, 'alice');
    bob = await registerAndLogin(t.url, 'bob');
    const created = await call<{ conversation: { id: string } }>(t.url, 'POST', '/v1/conversations', {
      token: alice.token,
      body: { kind: 'group', members: ['bob'] },
    });
    groupId = created.body.conversation.id;
  });
  after(() => t.close());

  const send = async (body: string) =>
    (
      await call<{ message: Message }>(t.url, 'POST', `/v1/conversations/${groupId}/messages`, {
        token: alice.token,
        body: { clientMsgId: body, body },
      })
    ).body.message;

  it('keeps recall open past the window while nobody has read the message, and closes it on the first read', async () => {
    const unread = await send('nobody saw this');
    const read = await send('bob saw this');
    t.clock.advance(10 * 60_000); // far past the 2-minute window

    const options = await call<{ recall: { allowed: boolean; basis?: string } }>(
      t.url,
      'GET',
      `/v1/messages/${read.id}/recall-options`,
      { token: alice.token },
    );
    assert.deepEqual([options.body.recall.allowed, options.body.recall.basis], [true, 'until_read']);

    const alicePhone = await RecordingSocket.open(t.wsUrl, alice.token);
    await alicePhone.waitFor((f) => f.type === 'synced');
    const receipt = await call(t.url, 'POST', `/v1/conversations/${groupId}/read`, {
      token: bob.token,
      body: { upTo: read.id },
    });
    assert.equal(receipt.status, 200);
    const seen = await alicePhone.waitForEvent((e) => e.type === 'conversation.read');
    assert.ok(seen.type === 'conversation.read' && seen.userId === bob.userId && seen.upTo === read.id);
    await alicePhone.close();

    // Bob read up to the later message, which covers the earlier one too.
    for (const m of [unread, read]) {
      const denied = await call<{ error: { code: string } }>(t.url, 'POST', `/v1/messages/${m.id}/recall`, {
        token: alice.token,
      });
      assert.equal(denied.body.error.code, 'recall_window_expired', `${m.body} was read`);
    }
    const fresh = await send('still unread');
    t.clock.advance(10 * 60_000);
    const allowed = await call(t.url, 'POST', `/v1/messages/${fresh.id}/recall`, { token: alice.token });
    assert.equal(allowed.status, 200, 'a message sent after the read position is still unread');
  });
});

describe('bulk recall job', () => {
  it('removes every message of one user as a moderator, reporting progress and each outcome', async () => {
    const t = await startTestServer({ config: { policy: { default: { preset: 'feishu' } } } });
    try {
      const alice = await registerAndLogin(t.url, 'alice');
      const spammer = await registerAndLogin(t.url, 'spammer');
      const bob = await registerAndLogin(t.url, 'bob');
      const created = await call<{ conversation: { id: string } }>(t.url, 'POST', '/v1/conversations', {
        token: alice.token,
        body: { kind: 'group', members: ['spammer', 'bob'] },
      });
      const groupId = created.body.conversation.id;
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) {
        const sent = await call<{ message: Message }>(
          t.url,
          'POST',
          `/v1/conversations/${groupId}/messages`,
          {
            token: spammer.token,
            body: { clientMsgId: `spam-${i}`, body: `buy now ${i}` },
          },
        );
        ids.push(sent.body.message.id);
      }
      await call(t.url, 'POST', `/v1/messages/${ids[0]}/recall`, { token: spammer.token });
      const kept = await call<{ message: Message }>(t.url, 'POST', `/v1/conversations/${groupId}/messages`, {
        token: bob.token,
        body: { clientMsgId: 'bob-1', body: 'not spam' },
      });

      const byBob = await call<{ error: { code: string } }>(
        t.url,
        'POST',
        `/v1/conversations/${groupId}/recall-jobs`,
        {
          token: bob.token,
          body: { userId: spammer.userId, reason: 'spam' },
        },
      );
      assert.equal(byBob.status, 202, 'anyone may ask; each message is still decided under the policy');

      const started = await call<{ job: { id: string; total: number } }>(
        t.url,
        'POST',
        `/v1/conversations/${groupId}/recall-jobs`,
        { token: alice.token, body: { userId: spammer.userId, reason: 'spam' } },
      );
      assert.equal(started.status, 202);
      assert.equal(started.body.job.total, 5);
      const { waitForRecallJob } = await import('../src/actions/recall-jobs.js');
      await waitForRecallJob(t.server.context, started.body.job.id);

      const job = await call<{
        job: { status: string; done: number; results: { messageId: string; outcome: string }[] };
      }>(t.url, 'GET', `/v1/recall-jobs/${started.body.job.id}`, { token: alice.token });
      assert.equal(job.body.job.status, 'done');
      assert.equal(job.body.job.done, 5);
      assert.deepEqual(
        job.body.job.results.map((r) => r.outcome),
        ['already_recalled', 'recalled', 'recalled', 'recalled', 'recalled'],
      );
      const page = await call<{ messages: Message[] }>(
        t.url,
        'GET',
        `/v1/conversations/${groupId}/messages`,
        {
          token: bob.token,
        },
      );
      for (const m of page.body.messages.filter((m) => m.senderId === spammer.userId)) {
        assert.equal(m.body, null);
        if (m.id !== ids[0]) assert.equal(m.recalled?.role, 'owner');
      }
      assert.equal(page.body.messages.find((m) => m.id === kept.body.message.id)?.body, 'not spam');

      const bobsJob = await call<{ job: { id: string } }>(
        t.url,
        'POST',
        `/v1/conversations/${groupId}/recall-jobs`,
        {
          token: bob.token,
          body: { userId: spammer.userId, reason: 'again' },
        },
      );
      await waitForRecallJob(t.server.context, bobsJob.body.job.id);
      const stranger = await call(t.url, 'GET', `/v1/recall-jobs/${bobsJob.body.job.id}`, {
        token: spammer.token,
      });
      assert.equal(stranger.status, 404, 'a job is visible to its creator (and server admins) only');
    } finally {
      await t.close();
    }
  });
});

describe('disappearing messages', () => {
  it('erases a message after its timer — after sending, or after being read — and every device hears of it', async () => {
    const t = await startTestServer();
    try {
      const alice = await registerAndLogin(t.url, 'alice');
      const bob = await registerAndLogin(t.url, 'bob');
      const direct = await call<{ conversation: { id: string } }>(t.url, 'POST', '/v1/conversations', {
        token: alice.token,
        body: { kind: 'direct', members: ['bob'] },
      });
      const id = direct.body.conversation.id;
      const set = (disappearing: unknown) =>
        call(t.url, 'PUT', `/v1/conversations/${id}/disappearing`, {
          token: alice.token,
          body: { disappearing },
        });
      const send = async (body: string) =>
        (
          await call<{ message: Message }>(t.url, 'POST', `/v1/conversations/${id}/messages`, {
            token: alice.token,
            body: { clientMsgId: `d-${++n}`, body },
          })
        ).body.message;
      const { expireDue } = await import('../src/actions/disappearing.js');
      let n = 0;
      const bobsPhone = await RecordingSocket.open(t.wsUrl, bob.token);
      await bobsPhone.waitFor((f) => f.type === 'synced');

      assert.equal((await set({ mode: 'after_send', seconds: 30 })).status, 200);
      const fleeting = await send('gone in thirty seconds');
      t.clock.advance(29_000);
      assert.equal(await expireDue(t.server.context), 0, 'not yet');
      t.clock.advance(1_000);
      assert.equal(await expireDue(t.server.context), 1);
      const gone = await bobsPhone.waitForEvent(
        (e) => e.type === 'message.recalled' && e.messageId === fleeting.id,
      );
      assert.ok(gone.type === 'message.recalled' && gone.tombstone.role === 'expiry');

      assert.equal((await set({ mode: 'after_read', seconds: 10 })).status, 200);
      const burn = await send('burn after reading');
      t.clock.advance(3600_000);
      assert.equal(await expireDue(t.server.context), 0, 'unread: the timer has not started');
      await call(t.url, 'POST', `/v1/conversations/${id}/read`, {
        token: bob.token,
        body: { upTo: burn.id },
      });
      t.clock.advance(10_000);
      assert.equal(await expireDue(t.server.context), 1);
      await bobsPhone.waitForEvent((e) => e.type === 'message.recalled' && e.messageId === burn.id);

      const page = await call<{ messages: Message[] }>(t.url, 'GET', `/v1/conversations/${id}/messages`, {
        token: alice.token,
      });
      assert.ok(page.body.messages.every((m) => m.body === null && m.recalled?.role === 'expiry'));
      assert.ok(!JSON.stringify(page.body).includes('thirty seconds'));
      const cleared = await set(null);
      assert.equal(cleared.status, 200);
      const lasting = await send('this one stays');
      t.clock.advance(86_400_000);
      assert.equal(await expireDue(t.server.context), 0);
      assert.equal(lasting.body, 'this one stays');
      await bobsPhone.close();
    } finally {
      await t.close();
    }
  });
});
