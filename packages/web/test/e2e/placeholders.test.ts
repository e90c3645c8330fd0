/**
 * Every way a message can be taken back, as one member of a group sees it: the sender's own recall (with
 * Re-edit), another member's, a moderator's removal with its reason, and a disappearing message running
 * out. Each placeholder names who did it (or, for a moderator, only the reason), and none of the recalled
 * words stay on the page. The screenshot of this is the README's "recall placeholders".
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  call,
  screenshot,
  skipReason,
  startE2E,
  type E2E,
  type Person,
  type User,
  createConversation,
  sendMessage,
  recallMessage,
} from './support.js';
import { bubble, openConversation, openSignedIn, placeholders, recall, send } from './ui.js';

const skip = skipReason();
if (skip) console.log(`# browser tests skipped: ${skip}`);

const WINDOW_SECONDS = 120;

describe('recall placeholders in a group', { skip: skip ?? false, timeout: 180_000 }, () => {
  let e2e: E2E;
  let alice: User;
  let carol: User;
  let bob: Person;
  let groupId: string;

  /** Sends as `user` and waits until bob's screen shows it. */
  async function sendAs(user: User, body: string): Promise<string> {
    const id = await sendMessage(e2e, user, groupId, body);
    await bubble(bob.page, body).waitFor();
    return id;
  }

  async function recallAs(user: User, messageId: string, reason?: string): Promise<void> {
    assert.equal(await recallMessage(e2e, user, messageId, reason), 200, `recall as ${user.username}`);
  }

  before(async () => {
    e2e = await startE2E({
      windowSeconds: WINDOW_SECONDS,
      config: {
        policy: {
          default: {
            windows: { direct: WINDOW_SECONDS, group: WINDOW_SECONDS },
            reEditSeconds: 300,
            moderation: { roles: ['owner'], windowSeconds: 86_400, requireReason: true },
          },
        },
      },
    });
    alice = await e2e.user('alice');
    const b = await e2e.user('bob');
    carol = await e2e.user('carol');
    groupId = await createConversation(e2e, alice, {
      kind: 'group',
      title: 'Design review',
      members: ['bob', 'carol'],
    });
    bob = await openSignedIn(e2e, b);
    await openConversation(bob.page, e2e, groupId);
  });

  after(async () => {
    await e2e?.close();
  });

  test('each case has its own placeholder, and the recalled words are gone', async () => {
    await sendAs(alice, 'Mockups for Thursday are in the shared folder');
    const draft = await sendAs(alice, 'Budget is 41,000 before tax');
    await recallAs(alice, draft);

    await send(bob.page, 'I will review them tonihgt');
    await recall(bob.page, bubble(bob.page, 'I will review them tonihgt'));
    await send(bob.page, 'I will review them tonight');

    const spam = await sendAs(carol, 'Cheap followers at example.invalid');
    await recallAs(alice, spam, 'Off-topic link');

    // A disappearing message: a one-minute timer for carol's next message only, then the clock runs out.
    const timer = (disappearing: unknown) =>
      call(e2e.url, 'PUT', `/v1/conversations/${groupId}/disappearing`, {
        token: alice.token,
        body: { disappearing },
      });
    assert.equal((await timer({ mode: 'after_send', seconds: 60 })).status, 200);
    await sendAs(carol, 'Door code is 4512');
    assert.equal((await timer(null)).status, 200);
    await sendAs(carol, 'Looks good to me');
    await e2e.advance(61_000);

    const page = bob.page;
    await placeholders(page, 'expired').waitFor();
    assert.match((await placeholders(page, 'theyRecalled').textContent()) ?? '', /alice recalled a message/);
    const mine = placeholders(page, 'youRecalled');
    assert.match((await mine.textContent()) ?? '', /You recalled a message/);
    await mine.getByTestId('re-edit-button').waitFor();
    const removed = (await placeholders(page, 'removedByAdmin').textContent()) ?? '';
    assert.match(removed, /Removed by an admin: Off-topic link/);
    assert.doesNotMatch(removed, /alice/, 'a moderator removal names no moderator');
    assert.match((await placeholders(page, 'expired').textContent()) ?? '', /This message disappeared/);

    const text = await page.getByTestId('message-list').innerText();
    for (const gone of ['41,000', 'tonihgt', 'Cheap followers', '4512']) {
      assert.ok(!text.includes(gone), `"${gone}" is not on bob's screen`);
    }
    assert.ok(text.includes('Looks good to me') && text.includes('Mockups for Thursday'), 'the rest stays');
    await screenshot(page, 'recall-placeholder');
  });
});
