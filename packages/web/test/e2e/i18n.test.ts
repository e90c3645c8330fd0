/**
 * Switching to 简体中文 leaves no English on the main screens: no visible text node, aria-label, placeholder
 * or title equals a string of packages/web/src/i18n/en/*.json. The same walk in English must find English,
 * so the check is shown able to fail.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import {
  call,
  screenshot,
  skipReason,
  startE2E,
  WEB_DIR,
  type E2E,
  type User,
  createConversation,
} from './support.js';
import { bubble, messageActions, openConversation, placeholders, send, signIn } from './ui.js';

const skip = skipReason();
if (skip) console.log(`# browser tests skipped: ${skip}`);

function flatten(value: unknown, prefix: string, out: Map<string, string>): Map<string, string> {
  if (typeof value === 'string') out.set(prefix, value);
  else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  }
  return out;
}

function catalog(locale: string): Map<string, string> {
  const dir = join(WEB_DIR, 'src/i18n', locale);
  const out = new Map<string, string>();
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.json'))) {
    flatten(JSON.parse(readFileSync(join(dir, file), 'utf8')), file.replace(/\.json$/, ''), out);
  }
  return out;
}

/**
 * The English strings as patterns over whole texts (`{{n}}` matches anything). Left out: strings with no
 * Latin word and those the Chinese catalog keeps as they are (the product name).
 */
function englishPatterns(): string[] {
  const en = catalog('en');
  const zh = catalog('zh-CN');
  const patterns: string[] = [];
  for (const [key, value] of en) {
    const text = value.replace(/\s+/g, ' ').trim();
    if (!/[A-Za-z]{2,}/.test(text.replace(/\{\{[^}]*\}\}/g, ''))) continue;
    if (zh.get(key) === value) continue;
    const source = text
      .split(/\{\{[^}]*\}\}/)
      .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
      .join('.+?');
    patterns.push(`^${source}$`);
  }
  return patterns;
}

/**
 * Visible texts and labels of the page that equal an English string. The page function declares no named
 * functions: tsx (esbuild keepNames) would wrap them in a `__name` helper the page does not have.
 */
async function englishOn(page: Page, patterns: readonly string[]): Promise<string[]> {
  return page.evaluate((sources) => {
    const regexes = sources.map((s) => new RegExp(s, 's'));
    const candidates: [string, string | null][] = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const parent = node.parentElement;
      const visible =
        parent !== null && (typeof parent.checkVisibility === 'function' ? parent.checkVisibility() : true);
      if (parent && visible && !['SCRIPT', 'STYLE'].includes(parent.tagName))
        candidates.push(['text', node.textContent]);
    }
    for (const el of Array.from(document.querySelectorAll('[aria-label], [placeholder], [title]'))) {
      for (const attr of ['aria-label', 'placeholder', 'title'])
        candidates.push([`${el.tagName.toLowerCase()}@${attr}`, el.getAttribute(attr)]);
    }
    candidates.push(['document.title', document.title]);
    const found = new Set<string>();
    for (const [where, raw] of candidates) {
      const text = (raw ?? '').replace(/\s+/g, ' ').trim();
      if (text && regexes.some((r) => r.test(text))) found.add(`${where}: ${text}`);
    }
    return [...found].sort();
  }, patterns);
}

describe('translations in the browser', { skip: skip ?? false, timeout: 180_000 }, () => {
  let e2e: E2E;
  let alice: User;
  let conversationId: string;
  const patterns = skip ? [] : englishPatterns();

  before(async () => {
    // Alice is the server admin here: a user named `admin` would put "admin" (chat.role_admin) on screen.
    e2e = await startE2E({ config: { serverAdmins: ['alice'] } });
    alice = await e2e.user('alice');
    await e2e.user('bob');
    conversationId = await createConversation(e2e, alice, { kind: 'direct', members: ['bob'] });
  });

  after(async () => {
    await e2e?.close();
  });

  /**
   * Login screen, conversation list, one conversation (a message, its recall menu, the placeholder its recall
   * leaves), the new-conversation and settings dialogs, the dashboard.
   */
  async function walk(page: Page, shot?: string): Promise<string[]> {
    const found: string[] = [];
    found.push(...(await englishOn(page, patterns)).map((f) => `#/ (signed in) ${f}`));
    await openConversation(page, e2e, conversationId);
    await send(page, '你好');
    found.push(...(await englishOn(page, patterns)).map((f) => `#/c ${f}`));
    // The recall menu with its countdown, then the placeholder the recall leaves.
    const mine = bubble(page, '你好');
    await messageActions(page, mine);
    found.push(...(await englishOn(page, patterns)).map((f) => `#/c recall menu ${f}`));
    const recalledBefore = await placeholders(page, 'youRecalled').count();
    await mine.getByTestId('recall-confirm').click();
    await placeholders(page, 'youRecalled').nth(recalledBefore).waitFor();
    found.push(...(await englishOn(page, patterns)).map((f) => `#/c recalled ${f}`));
    if (shot !== undefined) await screenshot(page, shot);
    // The dialogs behind the sidebar's and the top bar's buttons.
    for (const opener of ['new-conversation-open', 'settings-open']) {
      await page.getByTestId(opener).click();
      await page.getByRole('dialog').waitFor();
      found.push(...(await englishOn(page, patterns)).map((f) => `#/c ${opener} ${f}`));
      await page.keyboard.press('Escape');
      await page.getByRole('dialog').waitFor({ state: 'detached' });
    }
    await page.goto(`${e2e.url}/#/admin`);
    await page.getByRole('figure').first().waitFor();
    found.push(...(await englishOn(page, patterns)).map((f) => `#/admin ${f}`));
    return found;
  }

  test('in 简体中文 no English string is left on the main screens', async () => {
    const { page } = await e2e.open(alice, { locale: 'en-US' });
    await page.goto(`${e2e.url}/#/`);
    await page.getByRole('combobox', { name: /language/i }).selectOption({ label: '简体中文' });
    const login = await englishOn(page, patterns);
    await signIn(page, e2e, alice);
    const rest = await walk(page, 'chat-zh-CN');
    assert.deepEqual([...login.map((f) => `#/ ${f}`), ...rest], []);
  });

  test('in 简体中文 a policy the server refuses is explained in Chinese next to its field', async () => {
    // Seven days is the default bound on sender windows; the editor's own check accepts up to ten years,
    // so only the server refuses this one.
    const document = { windows: { direct: 999_999 } };
    const refused = await call<{ error: { code: string; details: { errors: { message: string }[] } } }>(
      e2e.url,
      'PUT',
      `/v1/conversations/${conversationId}/policy`,
      { token: alice.token, body: { document } },
    );
    assert.equal(refused.body.error.code, 'policy_out_of_bounds');
    const english = refused.body.error.details.errors[0]?.message ?? '';
    assert.match(english, /exceeds/);

    const { page } = await e2e.open(alice, { locale: 'zh-CN' });
    await signIn(page, e2e, alice, '#/admin');
    await page.goto(`${e2e.url}/#/admin`);
    await page.locator('#admin-policy-conversation').selectOption(conversationId);
    await page.locator('#admin-policy-windowDirect-mode').selectOption('seconds');
    await page.locator('#admin-policy-windowDirect').fill(String(document.windows.direct));
    await page.getByTestId('admin-policy-save').click();
    const shown = page.getByTestId('admin-policy-error-windowDirect');
    await shown.waitFor();
    const text = (await shown.innerText()).trim();
    assert.match(text, /[\u4e00-\u9fff]/, `Chinese: ${text}`);
    assert.ok(!text.includes(english), `not the server's English: ${text}`);
    assert.doesNotMatch(text, /exceeds|server/i);
    assert.match(await page.getByTestId('admin-policy-status').innerText(), /[\u4e00-\u9fff]/);
  });

  test('the same check finds English when the locale is en (it can fail)', async () => {
    const { page } = await e2e.open(alice, { locale: 'en-US' });
    await signIn(page, e2e, alice);
    const found = await walk(page);
    assert.ok(found.length >= 5, `English found in en: ${found.length}`);
  });
});
