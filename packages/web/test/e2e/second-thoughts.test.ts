/**
 * The ways to take something back other than a recall, in two browsers: undo send while the send delay
 * holds a message (bob never receives it), and past the recall window a correction (marked on both
 * screens) or deleting the message for oneself (gone for alice, still there for bob).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { call, skipReason, startE2E, type E2E, type Person } from './support.js';
import { bubble, composer, messageActions, openDirectChat, send } from './ui.js';

const skip = skipReason();
if (skip) console.log(`# browser tests skipped: ${skip}`);

const WINDOW_SECONDS = 120;
const SEND_DELAY_SECONDS = 10;

describe('undo send, corrections and delete for me', { skip: skip ?? false, timeout: 180_000 }, () => {
  let e2e: E2E;
  let alice: Person;
  let bob: Person;
  let conversationId: string;

  /** The texts of the messages bob's account can fetch (what the server would give any of his devices). */
  async function bobsHistory(): Promise<string[]> {
    const page = await call<{ messages: { body: string | null }[] }>(
      e2e.url,
      'GET',
      `/v1/conversations/${conversationId}/messages?limit=100`,
      { token: bob.user.token },
    );
    assert.equal(page.status, 200);
    return page.body.messages.map((m) => m.body ?? '');
  }

  before(async () => {
    e2e = await startE2E({ windowSeconds: WINDOW_SECONDS });
    ({ alice, bob, conversationId } = await openDirectChat(e2e));
  });

  after(async () => {
    await e2e?.close();
  });

  test('with a send delay, Undo in the toast cancels the send: bob never gets it', async () => {
    await alice.page.getByTestId('settings-open').click();
    await alice.page.getByTestId('send-delay-input').fill(String(SEND_DELAY_SECONDS));
    await alice.page.getByTestId('send-delay-save').click();
    await alice.page.getByTestId('settings-saved').waitFor();
    await alice.page.keyboard.press('Escape');
    await alice.page.getByRole('dialog').waitFor({ state: 'detached' });

    await send(alice.page, 'Draft: the numbers are final');
    const toast = alice.page.getByTestId('undo-toast');
    await toast.waitFor();
    assert.match((await toast.getByTestId('undo-countdown').textContent()) ?? '', /\d/);
    await toast.getByTestId('undo-cancel').click();
    await toast.waitFor({ state: 'detached' });
    // Undo hands the text back to write again.
    await alice.page.waitForFunction(
      (text) =>
        (document.querySelector('[data-testid="composer-input"]') as HTMLTextAreaElement).value === text,
      'Draft: the numbers are final',
    );
    await composer(alice.page).fill('');

    // A held message that is let go arrives when the delay is over; the cancelled one never does.
    await send(alice.page, 'The numbers are final');
    await alice.page.getByTestId('undo-toast').waitFor();
    await e2e.advance((SEND_DELAY_SECONDS + 1) * 1000);
    await bubble(bob.page, 'The numbers are final').waitFor();
    await alice.page.getByTestId('undo-toast').waitFor({ state: 'detached' });
    const history = await bobsHistory();
    assert.ok(history.includes('The numbers are final'));
    assert.ok(!history.some((body) => body.startsWith('Draft:')), 'the cancelled message never reached bob');

    await alice.page.getByTestId('settings-open').click();
    await alice.page.getByTestId('send-delay-input').fill('0');
    await alice.page.getByTestId('send-delay-save').click();
    await alice.page.getByTestId('settings-saved').waitFor();
    await alice.page.keyboard.press('Escape');
  });

  test('past the window: a correction is marked on both screens; delete for me hides it only for alice', async () => {
    await send(alice.page, 'The launch is on Tuesday');
    await bubble(bob.page, 'The launch is on Tuesday').waitFor();
    await e2e.advance((WINDOW_SECONDS + 1) * 1000);

    const menu = await messageActions(alice.page, bubble(alice.page, 'The launch is on Tuesday'));
    await menu.getByTestId('recall-alt-correct').click();
    await alice.page.getByTestId('correction-context').waitFor();
    await send(alice.page, 'The launch is on Thursday');
    for (const page of [alice.page, bob.page]) {
      const fix = bubble(page, 'The launch is on Thursday');
      await fix.waitFor();
      assert.match((await fix.textContent()) ?? '', /Correction/);
      const old = bubble(page, 'The launch is on Tuesday');
      await old.locator('.tag').filter({ hasText: 'Corrected' }).waitFor();
    }

    const again = await messageActions(alice.page, bubble(alice.page, 'The launch is on Tuesday'));
    await again.getByTestId('recall-alt-hide').click();
    await bubble(alice.page, 'The launch is on Tuesday').waitFor({ state: 'detached' });
    // Only alice's view changes: bob still has the message, as the server does for him.
    await bubble(bob.page, 'The launch is on Tuesday').waitFor();
    assert.ok((await bobsHistory()).includes('The launch is on Tuesday'));
  });
});
