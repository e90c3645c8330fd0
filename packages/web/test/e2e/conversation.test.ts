/**
 * The conversation basics between two browsers: unread counts in the list, read receipts, replies with
 * quotes — and a quote of a message that is then recalled turning into the placeholder, live, on both
 * screens, with the quoted words gone.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createConversation, sendMessage, skipReason, startE2E, type E2E, type Person } from './support.js';
import { bubble, openConversation, openSignedIn, recall, send } from './ui.js';

const skip = skipReason();
if (skip) console.log(`# browser tests skipped: ${skip}`);

describe('unread counts, read receipts and quotes', { skip: skip ?? false, timeout: 180_000 }, () => {
  let e2e: E2E;
  let alice: Person;
  let bob: Person;
  let conversationId: string;

  before(async () => {
    e2e = await startE2E();
    const a = await e2e.user('alice');
    const b = await e2e.user('bob');
    conversationId = await createConversation(e2e, a, { kind: 'direct', members: ['bob'] });
    await sendMessage(e2e, a, conversationId, 'Hi Bob');
    alice = await openSignedIn(e2e, a);
    bob = await openSignedIn(e2e, b);
  });

  after(async () => {
    await e2e?.close();
  });

  test('the list counts what bob has not read; opening the chat clears it and alice sees ✓✓', async () => {
    const item = bob.page.getByTestId('conversation-item').filter({ hasText: 'alice' });
    await item.getByTestId('unread-count').filter({ hasText: /^1$/ }).waitFor();

    await openConversation(alice.page, e2e, conversationId);
    await send(alice.page, 'Are you coming to the review?');
    await item.getByTestId('unread-count').filter({ hasText: /^2$/ }).waitFor();
    const mine = bubble(alice.page, 'Are you coming to the review?');
    await mine.getByTestId('sent-receipt').waitFor();

    await openConversation(bob.page, e2e, conversationId);
    await item.getByTestId('unread-count').waitFor({ state: 'detached' });
    await mine.getByTestId('read-receipt').waitFor();
  });

  test('a reply quotes its message; recalling the quoted message turns both quotes into the placeholder', async () => {
    const question = bubble(bob.page, 'Are you coming to the review?');
    await question.hover();
    await question.getByTestId('reply-button').click();
    await bob.page
      .getByTestId('reply-context')
      .filter({ hasText: 'Are you coming to the review?' })
      .waitFor();
    await send(bob.page, 'Yes, on my way');
    await bob.page.getByTestId('reply-context').waitFor({ state: 'detached' });

    for (const page of [alice.page, bob.page]) {
      const quote = bubble(page, 'Yes, on my way').getByTestId('quote');
      await quote.waitFor();
      assert.match((await quote.textContent()) ?? '', /Are you coming to the review\?/);
    }

    // The reply's bubble shows the question too (in its quote): the question's own bubble is the first.
    const original = alice.page
      .getByTestId('message')
      .filter({ hasText: 'Are you coming to the review?' })
      .first();
    const id = await original.getAttribute('data-message-id');
    await recall(alice.page, alice.page.locator(`[data-testid="message"][data-message-id="${id}"]`));
    for (const page of [alice.page, bob.page]) {
      const quote = bubble(page, 'Yes, on my way').getByTestId('quote');
      await quote.getByTestId('quote-placeholder').waitFor();
      assert.equal(await quote.getAttribute('data-recalled'), 'true');
      const text = await page.getByTestId('message-list').innerText();
      assert.ok(!text.includes('Are you coming to the review'), 'the quoted words are gone from the chat');
    }
  });
});
