/**
 * How the suites find things in the web client: the `data-testid`s the UI gives (accessible roles and
 * names where the tests check them on purpose). One place to adapt when the UI changes.
 */
import type { Locator, Page } from 'playwright-core';
import { createConversation, UI_TIMEOUT_MS, type E2E, type Person, type User } from './support.js';

/** Signs in through the login screen at `hash` (default `#/`), whatever the language (Enter to submit). */
export async function signIn(page: Page, e2e: E2E, user: User, hash = '#/'): Promise<void> {
  if (!page.url().startsWith(e2e.url)) await page.goto(`${e2e.url}/${hash}`);
  const form = page.getByTestId('auth-form');
  await page.getByTestId('auth-username').fill(user.username);
  const password = page.getByTestId('auth-password');
  await password.fill(user.password);
  await password.press('Enter');
  await form.waitFor({ state: 'detached', timeout: UI_TIMEOUT_MS });
  await page.getByTestId('current-user').waitFor();
}

/** A browser context of its own for `user`, signed in through the login screen. */
export async function openSignedIn(e2e: E2E, user: User, options?: { locale?: string }): Promise<Person> {
  const person = await e2e.open(user, options);
  await signIn(person.page, e2e, user);
  return person;
}

/** alice and bob in a direct chat, each signed in in a browser of their own with the chat open. */
export async function openDirectChat(
  e2e: E2E,
): Promise<{ alice: Person; bob: Person; conversationId: string }> {
  const a = await e2e.user('alice');
  const b = await e2e.user('bob');
  const conversationId = await createConversation(e2e, a, { kind: 'direct', members: ['bob'] });
  const alice = await openSignedIn(e2e, a);
  const bob = await openSignedIn(e2e, b);
  await openConversation(alice.page, e2e, conversationId);
  await openConversation(bob.page, e2e, conversationId);
  return { alice, bob, conversationId };
}

export async function openConversation(page: Page, e2e: E2E, conversationId: string): Promise<void> {
  await page.goto(`${e2e.url}/#/c/${conversationId}`);
  await page.locator(`[data-testid="chat-view"][data-conversation-id="${conversationId}"]`).waitFor();
  await composer(page).waitFor();
}

export function composer(page: Page): Locator {
  return page.getByTestId('composer-input');
}

/** Types `text` and presses the send button. */
export async function send(page: Page, text: string): Promise<void> {
  await composer(page).fill(text);
  await page.getByTestId('send-button').click();
}

/** The bubble of the (newest) message whose text contains `text`. */
export function bubble(page: Page, text: string | RegExp): Locator {
  return page.getByTestId('message').filter({ hasText: text }).last();
}

/**
 * Wherever `text` shows on the page: a bubble, the conversation list's preview of the last message, a
 * consent card. The first of them, so waiting for it to be detached waits until the text is nowhere.
 */
export function textOnPage(page: Page, text: string): Locator {
  return page.getByText(text).first();
}

/** Every message bubble; the last is the newest. */
export function bubbles(page: Page): Locator {
  return page.getByTestId('message');
}

/**
 * Opens the recall menu of a message (the recall button on one's own, the actions button on others') and
 * waits until the server has answered what is possible: a recall with its countdown, or the alternatives.
 */
export async function messageActions(page: Page, message: Locator): Promise<Locator> {
  await message.hover();
  const own = message.getByTestId('recall-button');
  if ((await own.count()) > 0) await own.click();
  else await message.getByTestId('moderate-button').click();
  const menu = message.getByTestId('recall-menu');
  await menu.waitFor();
  await menu.getByTestId('recall-countdown').or(menu.getByTestId('recall-alternatives')).waitFor();
  return menu;
}

/** Recalls one's own message within the window: the menu, then its confirm button. */
export async function recall(page: Page, message: Locator): Promise<void> {
  const menu = await messageActions(page, message);
  await menu.getByTestId('recall-confirm').click();
}

/** The placeholders recalled messages leave; `kind` is youRecalled, theyRecalled, removedByAdmin… */
export function placeholders(page: Page, kind?: string): Locator {
  return page.locator(
    kind === undefined
      ? '[data-testid="recalled-placeholder"]'
      : `[data-testid="recalled-placeholder"][data-kind="${kind}"]`,
  );
}
