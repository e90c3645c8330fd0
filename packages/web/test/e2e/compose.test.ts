/**
 * Composing beyond typed text, in real browsers against a real server: an image dropped on the chat
 * reaches the other person, and a group made through the UI (then grown from its members panel) appears
 * live in every member's list.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { JSHandle, Page } from 'playwright-core';
import {
  call,
  skipReason,
  startE2E,
  UI_TIMEOUT_MS,
  type E2E,
  type Person,
  type User,
  createConversation,
} from './support.js';
import { bubbles, openConversation, openSignedIn, signIn } from './ui.js';

const skip = skipReason();
if (skip) console.log(`# browser tests skipped: ${skip}`);

/** A 1×1 PNG, base64. */
const PNG_BASE64 =
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';

/* ---------------------------------------------------------------------------------------------------
 * UI flows used only here (kept small so a restyled UI means changing one function).
 * ------------------------------------------------------------------------------------------------- */

/** A DataTransfer in the page holding one PNG file, as the browser gives a drop from the desktop. */
async function pngTransfer(page: Page, name: string): Promise<JSHandle<DataTransfer>> {
  return page.evaluateHandle(
    ([base64, fileName]) => {
      const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
      const transfer = new DataTransfer();
      transfer.items.add(new File([bytes], fileName, { type: 'image/png' }));
      return transfer;
    },
    [PNG_BASE64, name] as const,
  );
}

/** Drags the transfer over the chat view, as the browser does before a drop (the drop hint shows). */
async function dragOverChat(page: Page, transfer: JSHandle<DataTransfer>): Promise<void> {
  const chat = page.getByTestId('chat-view');
  await chat.dispatchEvent('dragenter', { dataTransfer: transfer });
  await chat.dispatchEvent('dragover', { dataTransfer: transfer });
}

/** Drops on what is on top there: the hint when it covers the chat view. */
async function dropOnChat(page: Page, transfer: JSHandle<DataTransfer>): Promise<void> {
  const hint = page.getByTestId('drop-zone');
  const target = (await hint.count()) > 0 ? hint : page.getByTestId('chat-view');
  await target.dispatchEvent('drop', { dataTransfer: transfer });
}

/** Opens the new-conversation dialog from its button in the list's header. */
async function openNewConversationForm(page: Page): Promise<void> {
  await page.getByTestId('new-conversation-open').click();
  await page.getByTestId('new-conversation-form').waitFor();
}

/** Creates a group through the form; returns the id of the conversation the app then shows. */
async function createGroup(page: Page, title: string, members: readonly string[]): Promise<string> {
  await openNewConversationForm(page);
  const form = page.getByTestId('new-conversation-form');
  await form.getByTestId('new-conversation-group').check();
  await form.getByTestId('new-conversation-title').fill(title);
  await form.getByTestId('new-conversation-members').fill(members.join(', '));
  await form.getByTestId('new-conversation-submit').click();
  const chat = page.locator('[data-testid="chat-view"]').filter({
    has: page.getByTestId('chat-title').filter({ hasText: title }),
  });
  await chat.waitFor();
  const id = await chat.getAttribute('data-conversation-id');
  assert.ok(id, 'the new group is shown with its id');
  return id;
}

/** Opens the members panel of the open conversation (a disclosure). */
async function openMembers(page: Page): Promise<void> {
  const list = page.getByTestId('member-list');
  if (!(await list.isVisible())) await page.getByTestId('members-toggle').click();
  await list.waitFor();
}

async function addMembers(page: Page, usernames: readonly string[]): Promise<void> {
  await openMembers(page);
  const form = page.getByTestId('add-members-form');
  await form.getByTestId('add-members-input').fill(usernames.join(', '));
  await form.getByTestId('add-members-submit').click();
}

/** Waits until the member list of the open conversation has `count` entries. */
async function expectMembers(page: Page, count: number): Promise<void> {
  await openMembers(page);
  const items = page.getByTestId('member-list').locator('li');
  try {
    await page.waitForFunction(
      (n) => document.querySelectorAll('[data-testid="member-list"] li').length === n,
      count,
      { timeout: UI_TIMEOUT_MS },
    );
  } catch {
    assert.fail(`expected ${count} members, the list shows: ${(await items.allTextContents()).join(' | ')}`);
  }
}

function listItem(page: Page, conversationId: string) {
  return page.locator(`[data-testid="conversation-item"][data-conversation-id="${conversationId}"]`);
}

/** Collects the page's navigations from now on (a live update must not need one). */
function navigations(page: Page): string[] {
  const urls: string[] = [];
  page.on('framenavigated', (frame) => {
    if (frame === page.mainFrame()) urls.push(frame.url());
  });
  return urls;
}

describe('composing in the browser', { skip: skip ?? false, timeout: 240_000 }, () => {
  let e2e: E2E;
  let alice: Person;
  let bob: Person;
  let daveUser: User;
  let conversationId: string;

  before(async () => {
    e2e = await startE2E();
    const a = await e2e.user('alice');
    const b = await e2e.user('bob');
    await e2e.user('carol');
    daveUser = await e2e.user('dave');
    conversationId = await createConversation(e2e, a, { kind: 'direct', members: ['bob'] });
    alice = await openSignedIn(e2e, a);
    bob = await openSignedIn(e2e, b);
  });

  after(async () => {
    await e2e?.close();
  });

  test('an image dropped on the chat waits in the composer with its preview, then goes with a caption', async () => {
    await openConversation(alice.page, e2e, conversationId);
    await openConversation(bob.page, e2e, conversationId);
    const before = await bubbles(bob.page).count();
    const transfer = await pngTransfer(alice.page, 'dropped.png');

    await dragOverChat(alice.page, transfer);
    await alice.page.getByTestId('drop-zone').waitFor({ state: 'visible' });
    await dropOnChat(alice.page, transfer);
    await alice.page.getByTestId('drop-zone').waitFor({ state: 'hidden' });

    // Dropped, not sent: a preview in the composer's tray, and nothing new on the server.
    const tray = alice.page.getByTestId('pending-attachments');
    const preview = tray.getByTestId('image-preview');
    await preview.waitFor();
    assert.match((await preview.getAttribute('alt')) ?? '', /dropped\.png/);
    const stored = await call<{ messages: unknown[] }>(
      e2e.url,
      'GET',
      `/v1/conversations/${conversationId}/messages?limit=50`,
      { token: bob.user.token },
    );
    assert.equal(stored.body.messages.length, before, 'nothing is sent before alice presses send');

    // A second drop adds to the tray; its remove button takes it out again.
    await dropOnChat(alice.page, await pngTransfer(alice.page, 'second.png'));
    await tray.getByTestId('pending-attachment').nth(1).waitFor();
    await tray.getByRole('button', { name: /second\.png/ }).click();
    await tray.getByTestId('pending-attachment').nth(1).waitFor({ state: 'detached' });
    assert.equal(await tray.getByTestId('pending-attachment').count(), 1);

    await alice.page.getByTestId('composer-input').fill('the view from the top');
    await alice.page.getByTestId('send-button').click();
    await tray.waitFor({ state: 'detached' });

    const theirs = bubbles(bob.page).nth(before);
    await theirs.getByTestId('image-preview').waitFor();
    assert.match((await theirs.getByTestId('image-preview').getAttribute('alt')) ?? '', /dropped\.png/);
    assert.match((await theirs.getByTestId('message-body').textContent()) ?? '', /the view from the top/);
    assert.equal(await bubbles(bob.page).count(), before + 1, 'one new message for bob: image and caption');
  });

  test('a group made in the UI appears live for its members; a member added later sees it too', async () => {
    const dave = await e2e.open(daveUser);
    await signIn(dave.page, e2e, dave.user);
    const bobNavigations = navigations(bob.page);
    const daveNavigations = navigations(dave.page);

    const groupId = await createGroup(alice.page, 'Weekend hike', ['bob', 'carol']);
    await expectMembers(alice.page, 3);
    await listItem(bob.page, groupId).waitFor();
    assert.match((await listItem(bob.page, groupId).textContent()) ?? '', /Weekend hike/);
    assert.equal(await listItem(dave.page, groupId).count(), 0, 'dave is not in the group yet');

    await addMembers(alice.page, ['dave']);
    await expectMembers(alice.page, 4);
    await listItem(dave.page, groupId).waitFor();
    assert.deepEqual(bobNavigations, [], 'bob’s page was not reloaded');
    assert.deepEqual(daveNavigations, [], 'dave’s page was not reloaded');

    await openConversation(dave.page, e2e, groupId);
    await expectMembers(dave.page, 4);
    const names = await dave.page.getByTestId('member-list').locator('li').allTextContents();
    for (const name of ['alice', 'bob', 'carol', 'dave']) {
      assert.ok(
        names.some((n) => n.includes(name)),
        `${name} is listed: ${names.join(' | ')}`,
      );
    }
  });
});
