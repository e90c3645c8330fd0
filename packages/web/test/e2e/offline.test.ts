/**
 * The browser keeps a local copy of the timeline (localStorage) so a reload shows the conversations at
 * once, then syncs what it missed. A recall must reach that copy too: a message recalled while bob's tab
 * was closed is gone from his browser's storage once he comes back, not just hidden on screen.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { BrowserContext, Page, WebSocketRoute } from 'playwright-core';
import {
  skipReason,
  startE2E,
  type E2E,
  type Person,
  type User,
  createConversation,
  sendMessage,
  recallMessage,
} from './support.js';
import { bubble, openConversation, openSignedIn, placeholders } from './ui.js';

const skip = skipReason();
if (skip) console.log(`# browser tests skipped: ${skip}`);

/** Everything this origin keeps in localStorage, as one string. */
async function stored(page: Page): Promise<string> {
  return page.evaluate(() =>
    Object.keys(localStorage)
      .map((k) => `${k}=${localStorage.getItem(k) ?? ''}`)
      .join('\n'),
  );
}

/** A tab of the same browser profile (same localStorage) opened on the conversation. */
async function newTab(context: BrowserContext, e2e: E2E, conversationId: string): Promise<Page> {
  const page = await context.newPage();
  await openConversation(page, e2e, conversationId);
  return page;
}

describe('local state, reload and sync', { skip: skip ?? false, timeout: 180_000 }, () => {
  let e2e: E2E;
  let alice: User;
  let bob: Person;
  let conversationId: string;
  const canary = `canary-${randomUUID()}`;

  before(async () => {
    e2e = await startE2E();
    alice = await e2e.user('alice');
    const b = await e2e.user('bob');
    conversationId = await createConversation(e2e, alice, { kind: 'direct', members: ['bob'] });
    bob = await openSignedIn(e2e, b);
  });

  after(async () => {
    await e2e?.close();
  });

  const sendAsAlice = (body: string) => sendMessage(e2e, alice, conversationId, body);

  test('a recall made while the tab was closed erases the local copy when bob comes back', async () => {
    await openConversation(bob.page, e2e, conversationId);
    const secret = await sendAsAlice(`the door code, ${canary}`);
    await bubble(bob.page, canary).waitFor();
    // Control: the local copy does hold the text (so the check below can fail).
    await bob.page.waitForFunction((c) => Object.values(localStorage).some((v) => v.includes(c)), canary);

    await bob.page.close();
    assert.equal(await recallMessage(e2e, alice, secret), 200);
    await sendAsAlice('sorry, wrong chat');

    const page = await newTab(bob.context, e2e, conversationId);
    await placeholders(page, 'theyRecalled').waitFor();
    await bubble(page, 'sorry, wrong chat').waitFor();
    await page.waitForFunction((c) => !Object.values(localStorage).some((v) => v.includes(c)), canary);
    assert.ok(!(await stored(page)).includes(canary), 'the recalled text is gone from localStorage');
    assert.ok((await stored(page)).includes('sorry, wrong chat'), 'the rest of the timeline is kept');
    await page.close();
  });

  test('with the server out of reach, a reload still shows the conversation from local state', async () => {
    const page = await bob.context.newPage();
    // No API and no WebSocket: whatever shows comes from the browser's own copy.
    await page.route(/\/v1\//, (route) => route.abort());
    await page.routeWebSocket(/\/v1\/ws/, () => undefined);
    await page.goto(`${e2e.url}/#/c/${conversationId}`);
    await bubble(page, 'sorry, wrong chat').waitFor();
    await placeholders(page, 'theyRecalled').waitFor();
    assert.notEqual(await page.getByTestId('connection-status').getAttribute('data-state'), 'live');
    assert.ok(!(await page.getByTestId('message-list').innerText()).includes(canary));
    await page.close();
  });

  test('a dropped connection shows the banner; what was sent meanwhile arrives after reconnecting', async () => {
    // The page's WebSocket goes through this route, so the test can cut it and refuse new ones.
    let open = true;
    const sockets: WebSocketRoute[] = [];
    const page = await bob.context.newPage();
    await page.routeWebSocket(/\/v1\/ws/, (ws) => {
      if (!open) {
        // Refused like a server that is restarting: the client should keep retrying.
        void ws.close({ code: 1012, reason: 'restarting' });
        return;
      }
      ws.connectToServer();
      sockets.push(ws);
    });
    await openConversation(page, e2e, conversationId);
    await page.locator('[data-testid="connection-status"][data-state="live"]').waitFor();
    assert.equal(await page.getByTestId('reconnect-banner').count(), 0);

    open = false;
    for (const ws of sockets) await ws.close({ code: 1012, reason: 'restarting' });
    await page.getByTestId('reconnect-banner').waitFor();
    await sendAsAlice('are you still there?');

    open = true;
    // "Reconnect now" if the banner is still up; the client's own retry may already have got through.
    await page.evaluate(() =>
      (document.querySelector('[data-testid="reconnect-button"]') as HTMLButtonElement | null)?.click(),
    );
    await bubble(page, 'are you still there?').waitFor();
    await page.getByTestId('reconnect-banner').waitFor({ state: 'detached' });
    await page.close();
  });
});
