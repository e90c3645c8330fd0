/**
 * Disappearing messages from a conversation's details: alice turns the timer on, changes it and turns
 * it off in the browser; bob's header follows live; each message keeps the expiry it was sent under, and
 * runs out on both screens when the (shared, fake) clock passes it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { screenshot, skipReason, startE2E, type E2E, type Person } from './support.js';
import { bubble, openDirectChat, placeholders, send } from './ui.js';

const skip = skipReason();
if (skip) console.log(`# browser tests skipped: ${skip}`);

const indicator = (page: Page) => page.getByTestId('disappearing-indicator');
const timerOf = (page: Page, text: string) => bubble(page, text).getByTestId('disappearing-timer');

/**
 * Opens the details pop-over, picks a length (its label, or "Off") and a mode, saves, waits until the
 * header shows the saved setting (`seconds`, null for off) — which it learns from the event — and closes.
 */
async function setTimer(
  page: Page,
  length: string,
  seconds: number | null,
  mode?: 'After sending' | 'After reading',
): Promise<void> {
  await page.getByTestId('members-toggle').click();
  const form = page.getByTestId('disappearing-settings');
  await form.getByLabel('Disappearing messages').selectOption({ label: length });
  if (mode !== undefined) await form.getByLabel('Timer starts').selectOption({ label: mode });
  await form.getByTestId('disappearing-save').click();
  if (seconds === null) await indicator(page).waitFor({ state: 'detached' });
  else await page.locator(`[data-testid="disappearing-indicator"][data-seconds="${seconds}"]`).waitFor();
  assert.equal(await form.getByTestId('disappearing-error').count(), 0);
  await page.getByTestId('members-toggle').click();
}

describe('disappearing messages in the browser', { skip: skip ?? false, timeout: 180_000 }, () => {
  let e2e: E2E;
  let alice: Person;
  let bob: Person;

  before(async () => {
    e2e = await startE2E();
    ({ alice, bob } = await openDirectChat(e2e));
  });

  after(async () => {
    await e2e?.close();
  });

  test('set, change and turn off from the details; every screen follows live', async () => {
    const navigations: string[] = [];
    bob.page.on('framenavigated', (frame) => navigations.push(frame.url()));
    assert.equal(await indicator(bob.page).count(), 0, 'no timer yet');

    await setTimer(alice.page, '1 hour', 3600, 'After sending');
    for (const page of [alice.page, bob.page]) {
      const sign = indicator(page);
      await sign.waitFor();
      assert.equal(await sign.getAttribute('aria-label'), 'Disappearing messages: 1 hour after sending');
      assert.match((await sign.textContent()) ?? '', /1 hour/);
    }

    await send(alice.page, 'Hourly secret');
    for (const page of [alice.page, bob.page]) {
      await bubble(page, 'Hourly secret').waitFor();
      assert.match((await timerOf(page, 'Hourly secret').textContent()) ?? '', /Disappears in (59m|1h 0m)/);
    }

    // Bob's details show the new setting too, in his own (live) form.
    await bob.page.getByTestId('members-toggle').click();
    assert.equal(
      await bob.page.getByTestId('disappearing-settings').getByLabel('Disappearing messages').inputValue(),
      '3600',
    );
    await bob.page.getByTestId('members-toggle').click();

    await setTimer(alice.page, '5 minutes', 300);
    for (const page of [alice.page, bob.page]) {
      await page.locator('[data-testid="disappearing-indicator"][data-seconds="300"]').waitFor();
      assert.equal(
        await indicator(page).getAttribute('aria-label'),
        'Disappearing messages: 5 minutes after sending',
      );
    }
    await send(alice.page, 'Quick secret');
    for (const page of [alice.page, bob.page]) {
      await bubble(page, 'Quick secret').waitFor();
      assert.match((await timerOf(page, 'Quick secret').textContent()) ?? '', /Disappears in (4m|5m 00s)/);
      // The earlier message keeps the hour it was sent under.
      assert.match((await timerOf(page, 'Hourly secret').textContent()) ?? '', /Disappears in (59m|1h 0m)/);
    }

    await screenshot(bob.page, 'disappearing');

    // Past five minutes the server's sweeper (every second) erases the quick one, and only it.
    const expiredBefore = await placeholders(bob.page, 'expired').count();
    await e2e.advance(5 * 60_000 + 1000);
    for (const page of [alice.page, bob.page]) {
      await placeholders(page, 'expired').nth(expiredBefore).waitFor();
      assert.match(
        (await placeholders(page, 'expired').last().textContent()) ?? '',
        /This message disappeared/,
      );
      await bubble(page, 'Quick secret').waitFor({ state: 'detached' });
      assert.match((await timerOf(page, 'Hourly secret').textContent()) ?? '', /Disappears in 54m/);
    }

    await setTimer(alice.page, 'Off', null);
    await indicator(bob.page).waitFor({ state: 'detached' });
    await indicator(alice.page).waitFor({ state: 'detached' });
    await bubble(bob.page, 'Hourly secret').waitFor();
    assert.deepEqual(navigations, [], 'bob’s page was never reloaded');
  });
});
