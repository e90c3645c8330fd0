/**
 * The layout at phone and desktop widths: on a narrow screen one pane at a time (the list on `#/`, the
 * chat on `#/c/<id>` with a back link), nothing scrolling sideways; on a wide one both panes side by side.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import {
  screenshot,
  skipReason,
  startE2E,
  VIEWPORT,
  type E2E,
  type Person,
  createConversation,
  sendMessage,
} from './support.js';
import { messageActions, openConversation, openSignedIn } from './ui.js';

const skip = skipReason();
if (skip) console.log(`# browser tests skipped: ${skip}`);

const PHONE = { width: 390, height: 844 } as const;

async function noHorizontalScroll(page: Page, where: string): Promise<void> {
  const { scrollWidth, innerWidth } = await page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: window.innerWidth,
  }));
  assert.ok(scrollWidth <= innerWidth, `${where}: scrollWidth ${scrollWidth} > innerWidth ${innerWidth}`);
}

describe('layout at phone and desktop widths', { skip: skip ?? false, timeout: 180_000 }, () => {
  let e2e: E2E;
  let alice: Person;
  let conversationId: string;

  before(async () => {
    e2e = await startE2E();
    const a = await e2e.user('alice');
    const b = await e2e.user('bob');
    conversationId = await createConversation(e2e, a, { kind: 'direct', members: ['bob'] });
    for (const [user, body] of [
      [b, 'Are you around this afternoon?'],
      [a, 'Yes, after 3. What’s up?'],
      [b, 'Want to go over the launch checklist together?'],
    ] as const) {
      await sendMessage(e2e, user, conversationId, body);
    }
    alice = await openSignedIn(e2e, a);
  });

  after(async () => {
    await e2e?.close();
  });

  test('on a phone: the list alone, then the chat alone, and back', async () => {
    const { page } = alice;
    await page.setViewportSize(PHONE);
    await page.goto(`${e2e.url}/#/`);
    const list = page.getByTestId('conversation-list');
    const chat = page.getByTestId('chat-view');
    await list.waitFor();
    assert.ok(await list.isVisible(), 'the conversation list shows on #/');
    assert.equal(await chat.isVisible(), false, 'no chat shows on #/');
    await noHorizontalScroll(page, '#/ on a phone');
    await screenshot(page, 'mobile-list');

    await page.locator(`[data-testid="conversation-item"][data-conversation-id="${conversationId}"]`).click();
    await chat.waitFor();
    await page.getByTestId('composer-input').waitFor();
    assert.equal(await list.isVisible(), false, 'the list is hidden while a chat is open');
    assert.ok(await page.getByTestId('back-link').isVisible(), 'the back link shows');
    await noHorizontalScroll(page, '#/c on a phone');
    await screenshot(page, 'mobile-chat');

    await page.getByTestId('back-link').click();
    await list.waitFor();
    await chat.waitFor({ state: 'detached' });
    assert.ok(await list.isVisible(), 'the back link returns to the list');
    await noHorizontalScroll(page, 'back on #/');
  });

  test('on a desktop: both panes, no back link', async () => {
    const { page } = alice;
    await page.setViewportSize(VIEWPORT);
    await openConversation(page, e2e, conversationId);
    assert.ok(await page.getByTestId('conversation-list').isVisible(), 'the list shows');
    assert.ok(await page.getByTestId('chat-view').isVisible(), 'the chat shows');
    assert.equal(await page.getByTestId('back-link').isVisible(), false, 'no back link on a wide screen');
    await noHorizontalScroll(page, '#/c on a desktop');

    // The recall menu of one's own message, with its countdown; then the same screen in the dark scheme.
    const own = page.getByTestId('message').filter({ hasText: 'Yes, after 3' });
    const menu = await messageActions(page, own);
    await menu.getByTestId('recall-countdown').waitFor();
    await screenshot(page, 'recall-menu');
    await page.emulateMedia({ colorScheme: 'dark' });
    await screenshot(page, 'dark-chat');
    await page.emulateMedia({ colorScheme: 'light' });
    await menu.getByTestId('recall-close').click();
    await menu.waitFor({ state: 'detached' });
  });
});
