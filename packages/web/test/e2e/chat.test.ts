/**
 * Two people in two browser contexts against a real server: live delivery, recall, the alternatives past
 * the window, consent, re-edit, the pre-send warning and recalled images.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { call, screenshot, skipReason, startE2E, UI_TIMEOUT_MS, type E2E, type Person } from './support.js';
import {
  bubble,
  bubbles,
  composer,
  messageActions,
  openDirectChat,
  placeholders,
  recall,
  send,
  textOnPage,
} from './ui.js';

const WINDOW_SECONDS = 120;
const RE_EDIT_SECONDS = 300;
const skip = skipReason();
if (skip) console.log(`# browser tests skipped: ${skip}`);

/** A 1×1 PNG. */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);

async function downloadStatus(e2e: E2E, attachmentId: string, token: string): Promise<number> {
  const response = await fetch(`${e2e.url}/v1/attachments/${attachmentId}`, {
    headers: { authorization: `Bearer ${token}` },
    signal: AbortSignal.timeout(10_000),
  });
  await response.arrayBuffer();
  return response.status;
}

describe('chat in the browser', { skip: skip ?? false, timeout: 240_000 }, () => {
  let e2e: E2E;
  let alice: Person;
  let bob: Person;
  let conversationId: string;

  before(async () => {
    // Re-edit and consent need a policy that turns them on (the default policy has neither).
    e2e = await startE2E({
      windowSeconds: WINDOW_SECONDS,
      config: {
        policy: {
          default: {
            windows: { direct: WINDOW_SECONDS, group: WINDOW_SECONDS },
            reEditSeconds: RE_EDIT_SECONDS,
            consent: { enabled: true },
          },
        },
      },
    });
    ({ alice, bob, conversationId } = await openDirectChat(e2e));
  });

  after(async () => {
    await e2e?.close();
  });

  test('alice sends, bob sees it live; alice recalls, bob sees the placeholder without a reload', async () => {
    await send(alice.page, 'Lunch at noon?');
    await bubble(bob.page, 'Lunch at noon?').waitFor();
    await screenshot(bob.page, 'chat');

    const navigations: string[] = [];
    bob.page.on('framenavigated', (frame) => navigations.push(frame.url()));
    const before = await placeholders(bob.page, 'theyRecalled').count();
    await recall(alice.page, bubble(alice.page, 'Lunch at noon?'));

    await textOnPage(bob.page, 'Lunch at noon?').waitFor({ state: 'detached' });
    await placeholders(bob.page, 'theyRecalled').nth(before).waitFor();
    await placeholders(alice.page, 'youRecalled').last().waitFor();
    assert.deepEqual(navigations, [], 'bob’s page was not reloaded');
  });

  test('past the window the recall action gives way to ask consent, correct and delete for me', async () => {
    await send(alice.page, 'Meeting moved to 3pm');
    await bubble(bob.page, 'Meeting moved to 3pm').waitFor();
    await e2e.advance((WINDOW_SECONDS + 1) * 1000);

    const menu = await messageActions(alice.page, bubble(alice.page, 'Meeting moved to 3pm'));
    const alternatives = menu.getByTestId('recall-alternatives');
    await alternatives.waitFor();
    assert.equal(await alternatives.getAttribute('data-code'), 'needs_consent');
    assert.equal(await menu.getByTestId('recall-confirm').count(), 0, 'no recall button past the window');
    await menu.getByTestId('recall-alt-consent').waitFor();
    await menu.getByTestId('recall-alt-correct').waitFor();
    await menu.getByTestId('recall-alt-hide').waitFor();
    await menu.getByTestId('recall-close').click();
    await menu.waitFor({ state: 'detached' });
  });

  test('consent: alice asks past the window, bob approves on the card, both see the placeholder', async () => {
    await send(alice.page, 'Wrong group, sorry');
    await bubble(bob.page, 'Wrong group, sorry').waitFor();
    await e2e.advance((WINDOW_SECONDS + 1) * 1000);

    const message = bubble(alice.page, 'Wrong group, sorry');
    const messageId = await message.getAttribute('data-message-id');
    assert.ok(messageId);
    const menu = await messageActions(alice.page, message);
    await menu.getByTestId('recall-alt-consent').click();
    await menu.getByTestId('recall-consent-pending').waitFor();

    const card = bob.page.locator(`[data-testid="consent-card"][data-message-id="${messageId}"]`);
    await card.waitFor();
    await screenshot(bob.page, 'consent-card');
    await card.getByTestId('consent-approve').click();

    for (const page of [alice.page, bob.page]) {
      await textOnPage(page, 'Wrong group, sorry').waitFor({ state: 'detached', timeout: UI_TIMEOUT_MS });
      await page
        .locator(`[data-testid="message"][data-message-id="${messageId}"][data-recalled="true"]`)
        .getByTestId('recalled-placeholder')
        .waitFor();
    }
  });

  test('re-edit: a recall within the window hands the text back to the composer', async () => {
    await send(alice.page, 'Teh quick fix');
    await bubble(bob.page, 'Teh quick fix').waitFor();
    const message = bubble(alice.page, 'Teh quick fix');
    const messageId = await message.getAttribute('data-message-id');
    assert.ok(messageId);
    await recall(alice.page, message);

    const recalled = alice.page.locator(`[data-testid="message"][data-message-id="${messageId}"]`);
    await recalled.getByTestId('re-edit-button').click();
    await alice.page.waitForFunction(
      () => (document.querySelector('[data-testid="composer-input"]') as HTMLTextAreaElement | null)?.value,
    );
    assert.equal(await composer(alice.page).inputValue(), 'Teh quick fix');
    await composer(alice.page).fill('');
  });

  test('pre-send warning: a card number opens the warning dialog before anything is sent', async () => {
    const sent = await bubbles(alice.page).count();
    const dialog = alice.page.getByTestId('presend-dialog');
    try {
      await send(alice.page, 'my card is 4111 1111 1111 1111');
      await dialog.waitFor();
      await screenshot(alice.page, 'pre-send-warning');
      assert.equal(await dialog.getAttribute('role'), 'alertdialog');
      assert.match((await dialog.textContent()) ?? '', /card/i);
      await dialog.getByTestId('presend-edit').click();
      await dialog.waitFor({ state: 'detached' });
      assert.equal(await bubbles(alice.page).count(), sent, 'nothing was sent');
      assert.equal(await bob.page.getByText('4111 1111 1111 1111').count(), 0, 'nothing reached bob');
      assert.equal(await composer(alice.page).inputValue(), 'my card is 4111 1111 1111 1111');
    } finally {
      // Leave the chat usable for the next test whatever happened here.
      if (await dialog.isVisible()) await dialog.getByTestId('presend-edit').click();
      await composer(alice.page).fill('');
    }
  });

  test('an image upload, then recall: the image is gone for bob and its URL answers 410', async () => {
    await alice.page.getByTestId('upload-input').setInputFiles({
      name: 'dot.png',
      mimeType: 'image/png',
      buffer: PNG,
    });
    // The image waits in the composer with its preview, and nothing is uploaded until alice sends it.
    await alice.page.getByTestId('pending-attachments').getByTestId('image-preview').waitFor();
    await alice.page.getByTestId('send-button').click();
    await alice.page.getByTestId('pending-attachments').waitFor({ state: 'detached' });

    const image = bob.page.getByRole('img', { name: /dot\.png/i }).last();
    await image.waitFor();
    const page = await call<{ messages: { attachment?: { id: string } }[] }>(
      e2e.url,
      'GET',
      `/v1/conversations/${conversationId}/messages?limit=1`,
      { token: bob.user.token },
    );
    const attachmentId = page.body.messages[0]?.attachment?.id;
    assert.ok(attachmentId, 'the newest message carries the image');
    assert.equal(await downloadStatus(e2e, attachmentId, bob.user.token), 200);

    const mine = alice.page.getByRole('img', { name: /dot\.png/i }).last();
    await mine.waitFor();
    const before = await placeholders(bob.page, 'theyRecalled').count();
    await recall(alice.page, alice.page.getByTestId('message').filter({ has: mine }));

    await image.waitFor({ state: 'detached' });
    await placeholders(bob.page, 'theyRecalled').nth(before).waitFor();
    assert.equal(await downloadStatus(e2e, attachmentId, bob.user.token), 410);
  });
});
