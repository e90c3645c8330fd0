/**
 * Accessibility of the web client in a real browser: axe-core (WCAG 2.0/2.1 A and AA: names of controls,
 * labels, contrast, ARIA) on every main screen in light and dark colour schemes, English and 简体中文; and
 * the chat used with the keyboard alone, with a visible focus at every step and focus given back to the
 * control that opened a menu or dialog when it closes.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Locator, Page } from 'playwright-core';
import { axeViolations, formatViolations, type Violation } from './axe.js';
import {
  call,
  skipReason,
  startE2E,
  UI_TIMEOUT_MS,
  type E2E,
  type Person,
  type User,
  createConversation,
  sendMessage,
  recallMessage,
} from './support.js';
import { bubble, messageActions, openConversation, placeholders, send, signIn } from './ui.js';

const WINDOW_SECONDS = 120;
const skip = skipReason();
if (skip) console.log(`# browser tests skipped: ${skip}`);

/* ---------------------------------------------------------------------------------------------------
 * UI flows used only here (kept small so a restyled UI means changing one function).
 * ------------------------------------------------------------------------------------------------- */

/** The sign-in page of a fresh (signed-out) page. */
async function gotoSignIn(page: Page, e2e: E2E): Promise<void> {
  await page.goto(`${e2e.url}/#/`);
  await page.getByTestId('auth-form').waitFor();
}

async function chooseAuthTab(page: Page, tab: 'login' | 'signup'): Promise<void> {
  await page.getByTestId(`auth-tab-${tab}`).click();
  await page.getByTestId('auth-submit').waitFor();
}

/** Closes an open recall menu with its own close button and waits until it is gone. */
async function closeMenu(menu: Locator): Promise<void> {
  if ((await menu.count()) === 0) return;
  await menu.getByTestId('recall-close').click();
  await menu.waitFor({ state: 'detached' });
}

/** Types `text` in the composer and submits it the way a user does (Enter). */
async function submitWithEnter(page: Page, text: string): Promise<void> {
  const input = page.getByTestId('composer-input');
  await input.fill(text);
  await input.press('Enter');
}

/** Sends through the API, optionally as a reply; returns the message id. */
/* ---------------------------------------------------------------------------------------------------
 * Auditing: axe in both colour schemes, every violation labelled with the screen it was found on.
 * ------------------------------------------------------------------------------------------------- */

const SCHEMES = ['light', 'dark'] as const;

/** axe on the current state of `page` in light then dark; the scheme is left at light. */
async function audit(page: Page, screen: string): Promise<string> {
  const reports: string[] = [];
  for (const colorScheme of SCHEMES) {
    await page.emulateMedia({ colorScheme });
    const violations: Violation[] = await axeViolations(page);
    if (violations.length > 0) reports.push(formatViolations(violations, `${screen}, ${colorScheme}`));
  }
  await page.emulateMedia({ colorScheme: 'light' });
  return reports.join('\n');
}

function assertClean(report: string, screen: string): void {
  assert.equal(report, '', `axe found WCAG A/AA violations on ${screen}:\n${report}`);
}

describe(
  'axe finds no WCAG A/AA violation on the main screens',
  { skip: skip ?? false, timeout: 300_000 },
  () => {
    let e2e: E2E;
    let alice: Person;
    let bob: Person;
    let admin: User;
    let conversationId: string;

    before(async () => {
      e2e = await startE2E({
        windowSeconds: WINDOW_SECONDS,
        config: {
          policy: {
            default: {
              windows: { direct: WINDOW_SECONDS, group: WINDOW_SECONDS },
              consent: { enabled: true },
            },
          },
        },
      });
      const a = await e2e.user('alice');
      const b = await e2e.user('bob');
      admin = await e2e.user('admin');
      conversationId = await createConversation(e2e, a, { kind: 'direct', members: ['bob'] });

      // Messages from both people, one recalled and one quote (of a message that was later recalled
      // too), so bubbles, placeholders and quotes are all on screen.
      const first = await sendMessage(e2e, a, conversationId, 'Are we still on for Friday?');
      const answer = await sendMessage(e2e, b, conversationId, 'Yes, 7pm at the usual place', first);
      await sendMessage(e2e, a, conversationId, 'Great, see you there', answer);
      const oops = await sendMessage(e2e, b, conversationId, 'Sent to the wrong chat');
      await sendMessage(e2e, a, conversationId, 'What did you send?', oops);
      assert.equal(await recallMessage(e2e, b, oops), 200);

      // Recall figures for the dashboard, on the server clock before any browser clock is installed.
      const groupId = await createConversation(e2e, admin, {
        kind: 'group',
        title: 'Figures',
        members: ['alice'],
      });
      for (const [i, delay] of [5, 40, 90, 300, 3600, 10].entries()) {
        const id = await sendMessage(e2e, admin, groupId, `figure ${i}`);
        e2e.clock.advance(delay * 1000);
        assert.ok((await recallMessage(e2e, admin, id)) < 500);
        e2e.clock.advance(60_000);
      }

      alice = await e2e.open(a);
      bob = await e2e.open(b);
    });

    after(async () => {
      await e2e?.close();
    });

    test('the sign-in page and the sign-up tab', async () => {
      await gotoSignIn(alice.page, e2e);
      const signInReport = await audit(alice.page, 'sign-in');
      await chooseAuthTab(alice.page, 'signup');
      const signUpReport = await audit(alice.page, 'sign-up tab');
      await chooseAuthTab(alice.page, 'login');
      await signIn(alice.page, e2e, alice.user);
      await signIn(bob.page, e2e, bob.user);
      assertClean([signInReport, signUpReport].filter(Boolean).join('\n'), 'the sign-in page');
    });

    test('a conversation with messages from both, a recalled placeholder and quotes', async () => {
      await openConversation(alice.page, e2e, conversationId);
      await openConversation(bob.page, e2e, conversationId);
      await placeholders(alice.page, 'theyRecalled').first().waitFor();
      await alice.page.getByTestId('quote').first().waitFor();
      assertClean(await audit(alice.page, 'conversation'), 'the conversation');
    });

    test('the recall menu with its countdown on one’s own message', async () => {
      await send(alice.page, 'Running ten minutes late');
      const message = bubble(alice.page, 'Running ten minutes late');
      await message.waitFor();
      const menu = await messageActions(alice.page, message);
      await menu.getByTestId('recall-countdown').waitFor();
      const report = await audit(alice.page, 'recall menu (countdown)');
      await closeMenu(menu);
      assertClean(report, 'the recall menu');
    });

    test('the pre-send warning dialog', async () => {
      const dialog = alice.page.getByTestId('presend-dialog');
      await submitWithEnter(alice.page, 'my card is 4111 1111 1111 1111');
      await dialog.waitFor();
      const report = await audit(alice.page, 'pre-send warning');
      await dialog.getByTestId('presend-edit').click();
      await dialog.waitFor({ state: 'detached' });
      await alice.page.getByTestId('composer-input').fill('');
      assertClean(report, 'the pre-send warning dialog');
    });

    test('the alternatives past the window, then the consent card for the approver', async () => {
      await send(alice.page, 'Forget what I said about Friday');
      await bubble(bob.page, 'Forget what I said about Friday').waitFor();
      await e2e.advance((WINDOW_SECONDS + 1) * 1000);

      const message = bubble(alice.page, 'Forget what I said about Friday');
      const messageId = await message.getAttribute('data-message-id');
      assert.ok(messageId);
      const menu = await messageActions(alice.page, message);
      await menu.getByTestId('recall-alternatives').waitFor();
      await menu.getByTestId('recall-alt-consent').waitFor();
      const alternatives = await audit(alice.page, 'recall alternatives (past the window)');

      await menu.getByTestId('recall-alt-consent').click();
      await menu.getByTestId('recall-consent-pending').waitFor();
      await closeMenu(menu);
      const card = bob.page.locator(`[data-testid="consent-card"][data-message-id="${messageId}"]`);
      await card.waitFor();
      const consent = await audit(bob.page, 'consent card (approver)');
      assertClean([alternatives, consent].filter(Boolean).join('\n'), 'the alternatives and consent card');
    });

    test('the chat screen in 简体中文', async () => {
      const zh = await e2e.open(alice.user, { locale: 'zh-CN' });
      await signIn(zh.page, e2e, alice.user);
      await openConversation(zh.page, e2e, conversationId);
      await placeholders(zh.page).first().waitFor();
      assert.equal(await zh.page.evaluate(() => document.documentElement.lang), 'zh-CN');
      assertClean(await audit(zh.page, 'conversation (zh-CN)'), 'the chat screen in 简体中文');
    });

    test('the same audit reports a nameless button, an unlabelled field and low contrast (it can fail)', async () => {
      // A page of its own, so that the check does not depend on how the client looks today.
      const { page } = await e2e.open(alice.user);
      await page.setContent(
        '<!doctype html><html lang="en"><head><title>broken</title></head>' +
          '<body style="background:#ffffff;color:#1b1f24"><main><h1>Broken on purpose</h1>' +
          '<button type="button"></button><input type="text"><a href="#/x"></a>' +
          '<p style="color:#aaaaaa">faint text</p></main></body></html>',
      );
      const violations = await axeViolations(page);
      const rules = new Set(violations.map((v) => v.rule));
      for (const rule of ['button-name', 'label', 'link-name', 'color-contrast']) {
        assert.ok(rules.has(rule), `${rule} is reported:\n${formatViolations(violations)}`);
      }
      const contrast = violations.find((v) => v.rule === 'color-contrast');
      assert.match(contrast?.contrast ?? '', /^2\.3\d*:1 \(needs 4\.5:1\), #aaaaaa on #ffffff/);
    });

    test('the admin dashboard with figures', async () => {
      const { page } = await e2e.open(admin);
      await signIn(page, e2e, admin, '#/admin');
      await page.goto(`${e2e.url}/#/admin`);
      for (const id of ['admin-chart-outcomes', 'admin-chart-hours', 'admin-chart-delay']) {
        await page.getByTestId(id).getByRole('img').waitFor();
      }
      assertClean(await audit(page, 'admin dashboard'), 'the admin dashboard');
    });
  },
);

/* ---------------------------------------------------------------------------------------------------
 * Keyboard only: Tab, Shift+Tab, Enter, Space and Escape; no clicks, no fill on what focus reached.
 * ------------------------------------------------------------------------------------------------- */

/** What has focus, as the assertions and failure messages need it. */
interface Focused {
  readonly testid: string | null;
  readonly tag: string;
  readonly label: string;
  readonly conversationId: string | null;
  /** The message the focused control belongs to. */
  readonly messageId: string | null;
}

async function focused(page: Page): Promise<Focused> {
  return page.evaluate(() => {
    const el = document.activeElement;
    if (el === null || el === document.body) {
      return { testid: null, tag: 'body', label: '', conversationId: null, messageId: null };
    }
    const label = (el.getAttribute('aria-label') ?? el.textContent ?? '').replace(/\s+/g, ' ').trim();
    return {
      testid: el.getAttribute('data-testid'),
      tag: el.tagName.toLowerCase(),
      label: label.slice(0, 40),
      conversationId: el.getAttribute('data-conversation-id'),
      messageId: el.closest('[data-testid="message"]')?.getAttribute('data-message-id') ?? null,
    };
  });
}

function describeFocused(f: Focused): string {
  return `${f.tag}${f.testid === null ? '' : `[data-testid=${f.testid}]`}${f.label ? ` "${f.label}"` : ''}`;
}

/**
 * Presses Tab (Shift+Tab with `backwards`) until the focused element matches: a data-testid, or a
 * predicate over what has focus. Fails listing every element focus went through.
 */
async function tabTo(
  page: Page,
  target: string | ((f: Focused) => boolean),
  { max = 60, backwards = false }: { max?: number; backwards?: boolean } = {},
): Promise<Focused> {
  const matches = typeof target === 'string' ? (f: Focused) => f.testid === target : target;
  const visited: string[] = [];
  for (let i = 0; i < max; i++) {
    await page.keyboard.press(backwards ? 'Shift+Tab' : 'Tab');
    const now = await focused(page);
    if (matches(now)) return now;
    visited.push(describeFocused(now));
  }
  assert.fail(
    `${typeof target === 'string' ? target : 'the control'} was not reached with ${max} presses of ` +
      `${backwards ? 'Shift+Tab' : 'Tab'}; focus went through:\n  ${visited.join('\n  ')}`,
  );
}

/** The focused element shows it has focus: an outline (not `none`, not zero wide) or a box shadow. */
async function assertFocusVisible(page: Page, step: string): Promise<void> {
  const style = await page.evaluate(() => {
    const el = document.activeElement;
    if (el === null || el === document.body) return null;
    const own = getComputedStyle(el);
    // A visually hidden input (the file picker) shows its focus on the label that wraps it.
    const shown = el.classList.contains('visually-hidden') && el.parentElement ? el.parentElement : el;
    const css = shown === el ? own : getComputedStyle(shown);
    return {
      element: `${el.tagName.toLowerCase()}[data-testid=${el.getAttribute('data-testid') ?? ''}]`,
      outlineStyle: css.outlineStyle,
      outlineWidth: css.outlineWidth,
      boxShadow: css.boxShadow,
    };
  });
  assert.ok(style, `${step}: nothing has focus`);
  const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
  const shadow = style.boxShadow !== '' && style.boxShadow !== 'none';
  assert.ok(
    outline || shadow,
    `${step}: the focus on ${style.element} is not visible (outline-style ${style.outlineStyle}, ` +
      `outline-width ${style.outlineWidth}, box-shadow ${style.boxShadow})`,
  );
}

/** Tabs to `target` and checks that focus is visible there. */
async function tabToVisible(
  page: Page,
  target: string | ((f: Focused) => boolean),
  step: string,
  options?: { max?: number; backwards?: boolean },
): Promise<Focused> {
  const reached = await tabTo(page, target, options);
  await assertFocusVisible(page, step);
  return reached;
}

/** Waits until the newest message of `page` containing `text` has been rendered; returns its id. */
async function messageIdOf(page: Page, text: string): Promise<string> {
  const message = bubble(page, text);
  await message.waitFor();
  const id = await message.getAttribute('data-message-id');
  assert.ok(id, `the message "${text}" has an id`);
  return id;
}

/** Waits until the focused element satisfies `predicate` (focus moves after a render). */
async function waitForFocus(page: Page, testid: string, messageId?: string): Promise<void> {
  try {
    await page.waitForFunction(
      ([id, message]) => {
        const el = document.activeElement;
        if (el === null || el.getAttribute('data-testid') !== id) return false;
        return message === null || el.closest(`[data-message-id="${message}"]`) !== null;
      },
      [testid, messageId ?? null] as const,
      { timeout: UI_TIMEOUT_MS },
    );
  } catch {
    const now = await focused(page);
    assert.fail(`focus did not return to ${testid}; it is on ${describeFocused(now)}`);
  }
}

describe('the chat with the keyboard alone', { skip: skip ?? false, timeout: 240_000 }, () => {
  let e2e: E2E;
  let kim: Person;
  let conversationId: string;

  before(async () => {
    e2e = await startE2E({ windowSeconds: WINDOW_SECONDS });
    const k = await e2e.user('kim');
    await e2e.user('lee');
    conversationId = await createConversation(e2e, k, { kind: 'direct', members: ['lee'] });
    kim = await e2e.open(k);
  });

  after(async () => {
    await e2e?.close();
  });

  test('sign in: Tab to the fields, type, Enter submits', async () => {
    const { page } = kim;
    await page.goto(`${e2e.url}/#/`);
    await page.getByTestId('auth-form').waitFor();
    await tabToVisible(page, 'auth-username', 'the username field');
    await page.keyboard.type(kim.user.username);
    await tabToVisible(page, 'auth-password', 'the password field', { max: 5 });
    await page.keyboard.type(kim.user.password);
    await page.keyboard.press('Enter');
    await page.getByTestId('current-user').waitFor();
  });

  test('Tab to the conversation in the list, Enter opens it', async () => {
    const { page } = kim;
    await tabToVisible(
      page,
      (f) => f.testid === 'conversation-item' && f.conversationId === conversationId,
      'the conversation in the list',
    );
    await page.keyboard.press('Enter');
    await page.locator(`[data-testid="chat-view"][data-conversation-id="${conversationId}"]`).waitFor();
  });

  test('type in the composer and send with Enter; Shift+Tab to recall, Enter, confirm: the placeholder', async () => {
    const { page } = kim;
    await tabToVisible(page, 'composer-input', 'the composer');
    await page.keyboard.type('Typed without a mouse');
    await page.keyboard.press('Enter');
    const messageId = await messageIdOf(page, 'Typed without a mouse');

    await tabToVisible(
      page,
      (f) => f.testid === 'recall-button' && f.messageId === messageId,
      'the recall button of the own message',
      { backwards: true },
    );
    await page.keyboard.press('Enter');
    const menu = page.locator(`[data-message-id="${messageId}"] [data-testid="recall-menu"]`);
    await menu.getByTestId('recall-countdown').waitFor();
    await tabToVisible(page, 'recall-confirm', 'the confirm button of the recall menu', { max: 10 });
    await page.keyboard.press('Space');
    await page
      .locator(`[data-testid="message"][data-message-id="${messageId}"]`)
      .getByTestId('recalled-placeholder')
      .waitFor();
  });

  test('Escape closes the recall menu and gives focus back to the recall button', async () => {
    const { page } = kim;
    await tabToVisible(page, 'composer-input', 'the composer');
    await page.keyboard.type('Another one');
    await page.keyboard.press('Enter');
    const messageId = await messageIdOf(page, 'Another one');
    await tabToVisible(
      page,
      (f) => f.testid === 'recall-button' && f.messageId === messageId,
      'the recall button',
      { backwards: true },
    );
    await page.keyboard.press('Enter');
    const menu = page.locator(`[data-message-id="${messageId}"] [data-testid="recall-menu"]`);
    await menu.getByTestId('recall-countdown').waitFor();
    await tabTo(page, 'recall-confirm', { max: 10 });

    await page.keyboard.press('Escape');
    try {
      await menu.waitFor({ state: 'detached', timeout: UI_TIMEOUT_MS });
    } catch {
      assert.fail('Escape did not close the recall menu');
    }
    await waitForFocus(page, 'recall-button', messageId);
    await assertFocusVisible(page, 'the recall button after Escape');
  });

  test('the close button of the recall menu gives focus back to the recall button', async () => {
    const { page } = kim;
    const messageId = await messageIdOf(page, 'Another one');
    const menu = page.locator(`[data-message-id="${messageId}"] [data-testid="recall-menu"]`);
    // Where the previous step left focus is not assumed: start again from the composer.
    await tabTo(page, 'composer-input');
    await tabTo(page, (f) => f.testid === 'recall-button' && f.messageId === messageId, { backwards: true });
    if ((await menu.count()) === 0) await page.keyboard.press('Enter');
    await menu.getByTestId('recall-countdown').waitFor();
    await tabToVisible(page, 'recall-close', 'the close button of the recall menu', { max: 10 });
    await page.keyboard.press('Enter');
    await menu.waitFor({ state: 'detached' });
    await waitForFocus(page, 'recall-button', messageId);
    await assertFocusVisible(page, 'the recall button after closing the menu');
  });

  for (const [opener, form] of [
    ['new-conversation-open', 'new-conversation-form'],
    ['settings-open', 'settings-form'],
  ] as const) {
    test(`${opener}: Enter opens the form with focus inside, Escape closes it and focus returns`, async () => {
      const { page } = kim;
      await tabToVisible(page, opener, `the ${opener} button`);
      await page.keyboard.press('Enter');
      await page.getByTestId(form).waitFor();
      await page.waitForFunction(
        (id) => document.querySelector(`[data-testid="${id}"]`)?.contains(document.activeElement) === true,
        form,
        { timeout: UI_TIMEOUT_MS },
      );
      await assertFocusVisible(page, `the first control of ${form}`);
      await page.keyboard.press('Escape');
      await page.getByTestId(form).waitFor({ state: 'detached' });
      await waitForFocus(page, opener);
      await assertFocusVisible(page, `the ${opener} button after Escape`);
    });
  }

  test('Escape closes the pre-send warning and gives focus back to the composer', async () => {
    const { page } = kim;
    const dialog = page.getByTestId('presend-dialog');
    await tabTo(page, 'composer-input');
    await page.keyboard.type('my card is 4111 1111 1111 1111');
    await page.keyboard.press('Enter');
    await dialog.waitFor();
    // The dialog puts focus on its safe choice, inside it.
    await waitForFocus(page, 'presend-edit');
    await assertFocusVisible(page, 'the edit button of the pre-send warning');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    await waitForFocus(page, 'composer-input');
    await assertFocusVisible(page, 'the composer after the pre-send warning');
    assert.equal(await page.getByTestId('composer-input').inputValue(), 'my card is 4111 1111 1111 1111');
  });

  test('axe: the header’s disappearing indicator and the details with the timer settings', async () => {
    const { page } = kim;
    const reply = await call(e2e.url, 'PUT', `/v1/conversations/${conversationId}/disappearing`, {
      token: kim.user.token,
      body: { disappearing: { mode: 'after_send', seconds: 86_400 } },
    });
    assert.equal(reply.status, 200);
    await page.getByTestId('disappearing-indicator').waitFor();
    await page.getByTestId('members-toggle').click();
    await page.getByTestId('disappearing-settings').waitFor();
    assertClean(await audit(page, 'the conversation details'), 'the conversation details');
    await page.getByTestId('members-toggle').click();
  });
});
