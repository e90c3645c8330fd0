/**
 * The server's clock decides every window; a browser whose own clock is wrong must still show the time
 * that is really left. Alice's computer runs five minutes slow: her recall countdown must still say about
 * two minutes (the window), not seven.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createConversation, skipReason, startE2E, type E2E, type Person } from './support.js';
import { bubble, messageActions, openConversation, send, signIn } from './ui.js';

const skip = skipReason();
if (skip) console.log(`# browser tests skipped: ${skip}`);

const WINDOW_SECONDS = 120;
const SKEW_MS = 5 * 60_000;

describe('a browser with a wrong clock', { skip: skip ?? false, timeout: 120_000 }, () => {
  let e2e: E2E;
  let alice: Person;
  let conversationId: string;

  before(async () => {
    e2e = await startE2E({ windowSeconds: WINDOW_SECONDS });
    const a = await e2e.user('alice');
    await e2e.user('bob');
    conversationId = await createConversation(e2e, a, { kind: 'direct', members: ['bob'] });
    alice = await e2e.open(a);
    await alice.context.clock.setSystemTime(e2e.clock.now() - SKEW_MS);
    await signIn(alice.page, e2e, a);
  });

  after(async () => {
    await e2e?.close();
  });

  test('counts the recall window down on the server’s clock', async () => {
    const local = await alice.page.evaluate(() => Date.now());
    assert.ok(e2e.clock.now() - local > SKEW_MS - 60_000, 'the browser really is minutes behind the server');

    await openConversation(alice.page, e2e, conversationId);
    await send(alice.page, 'Running late, start without me');
    const menu = await messageActions(alice.page, bubble(alice.page, 'Running late'));
    const countdown = (await menu.getByTestId('recall-countdown').innerText()).replace(/\s+/g, ' ');
    // About the window's two minutes; the browser's own clock would say seven.
    assert.match(countdown, /\b(1m \d{1,2}s|2m( 0s)?)\b/, countdown);
    assert.doesNotMatch(countdown, /\b[3-9]m\b/, countdown);
  });
});
