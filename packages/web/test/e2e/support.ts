/**
 * Real-browser end-to-end harness: Debian's Chromium driven by playwright-core, against a real Retract
 * server started in this process (127.0.0.1:0, fake clock, cheap hashing) serving the built web client.
 *
 * Nothing here downloads a browser: without /usr/bin/chromium the suites skip and say why (`.ci/run`
 * installs it). Every wait is bounded, and `close()` closes pages, contexts, the browser and the server.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { ConfigSchema } from '@retract/server';
import { FakeClock } from '@retract/server/testing';
import {
  call,
  login,
  register,
  startTestServer,
  type Login,
  type TestServer,
} from '../../../server/test/support/harness.js';

export const CHROMIUM = '/usr/bin/chromium';
const here = dirname(fileURLToPath(import.meta.url));
export const WEB_DIR = resolve(here, '../..');
export const DIST_DIR = join(WEB_DIR, 'dist');
export const REPO_DIR = resolve(WEB_DIR, '../..');
export const SCREENSHOT_DIR = join(REPO_DIR, 'docs/screenshots');
export const VIEWPORT = { width: 1280, height: 800 } as const;
/** Upper bound of one UI expectation (an element appearing, a bubble changing). */
export const UI_TIMEOUT_MS = 15_000;
export const PASSWORD = 'correct horse';

const LAUNCH_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-quic',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** Debian's Chromium, headless, with a fresh profile and nothing talking to the network on its own. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: LAUNCH_ARGS, timeout: 30_000 });
}

/** Why the browser suites cannot run here, or null when they can. */
export function skipReason(): string | null {
  if (!existsSync(CHROMIUM)) {
    return `${CHROMIUM} is missing: install Debian's Chromium (apt-get install -y chromium) to run the browser tests`;
  }
  if (!existsSync(join(WEB_DIR, 'package.json')) || !existsSync(join(WEB_DIR, 'index.html'))) {
    return 'packages/web (the web client) is not there yet';
  }
  if (!('web' in ConfigSchema.properties)) return 'the server has no web.dir setting yet';
  return null;
}

/** Newest modification time of the files under `path` (node_modules and dist skipped). */
function newest(path: string): number {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let latest = 0;
  for (const name of readdirSync(path)) {
    if (name === 'node_modules' || name === 'dist' || name === 'test') continue;
    latest = Math.max(latest, newest(join(path, name)));
  }
  return latest;
}

/**
 * Builds the web client when dist is missing or older than its sources (src, index.html, configs, the
 * protocol and SDK it imports). Two suites may start at once: a lock directory makes the second wait
 * for the first.
 */
export function ensureWebBuild(): void {
  const lock = join(WEB_DIR, '.e2e-build.lock');
  const deadline = Date.now() + 5 * 60_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      // A lock older than the build timeout is a crashed run's.
      if (existsSync(lock) && Date.now() - statSync(lock).mtimeMs > 5 * 60_000)
        rmSync(lock, { recursive: true });
      if (Date.now() > deadline)
        throw new Error('timed out waiting for another suite to build the web client');
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 250);
    }
  }
  try {
    const built = existsSync(join(DIST_DIR, 'index.html'))
      ? statSync(join(DIST_DIR, 'index.html')).mtimeMs
      : 0;
    const sources = Math.max(
      newest(WEB_DIR),
      newest(join(REPO_DIR, 'packages/protocol/src')),
      newest(join(REPO_DIR, 'packages/sdk/src')),
    );
    if (built > 0 && built >= sources) return;
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    const result = spawnSync(npm, ['run', 'build', '-w', '@retract/web'], {
      cwd: REPO_DIR,
      encoding: 'utf8',
      timeout: 4 * 60_000,
    });
    if (result.status !== 0) {
      throw new Error(
        `building the web client failed (${result.status}):\n${result.stdout}\n${result.stderr}`,
      );
    }
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

export interface User extends Login {
  readonly password: string;
}

export interface Person {
  readonly user: User;
  readonly context: BrowserContext;
  readonly page: Page;
}

export interface E2E {
  readonly server: TestServer;
  readonly url: string;
  readonly clock: FakeClock;
  readonly browser: Browser;
  /** A new user with an API session of its own (for seeding through the API). */
  user(username: string): Promise<User>;
  /** A browser context (fresh storage, fixed viewport, browser clock at the server's) with one page. */
  open(user: User, options?: { locale?: string }): Promise<Person>;
  /** Moves the server's clock and every open page's clock forward together. */
  advance(ms: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * Starts the server (serving dist, `admin` as server admin) and the browser. The fake clock starts at the
 * real time of day so the browser's own clock agrees with the server's; it moves only with `advance`.
 */
export async function startE2E(
  options: { windowSeconds?: number; config?: Record<string, unknown> } = {},
): Promise<E2E> {
  ensureWebBuild();
  const clock = new FakeClock(Math.floor(Date.now() / 1000) * 1000);
  const server = await startTestServer({
    clock,
    windowSeconds: options.windowSeconds ?? 120,
    config: {
      web: { dir: DIST_DIR },
      serverAdmins: ['admin'],
      ...options.config,
    },
  });
  let browser: Browser;
  try {
    browser = await launchChromium();
  } catch (error) {
    await server.close();
    throw error;
  }
  const contexts: BrowserContext[] = [];
  return {
    server,
    url: server.url,
    clock,
    browser,
    async user(username) {
      await register(server.url, username, PASSWORD);
      return { ...(await login(server.url, username, 'e2e-api', PASSWORD)), password: PASSWORD };
    },
    async open(user, { locale = 'en-US' } = {}) {
      const context = await browser.newContext({ viewport: VIEWPORT, locale, timezoneId: 'UTC' });
      contexts.push(context);
      context.setDefaultTimeout(UI_TIMEOUT_MS);
      context.setDefaultNavigationTimeout(30_000);
      await context.clock.install({ time: clock.now() });
      const page = await context.newPage();
      return { user, context, page };
    },
    async advance(ms) {
      clock.advance(ms);
      for (const context of contexts) await context.clock.fastForward(ms);
    },
    async close() {
      for (const context of contexts) await context.close().catch(() => undefined);
      await browser.close().catch(() => undefined);
      await server.close();
    },
  };
}

/** A PNG of the page at the fixed viewport under docs/screenshots/. */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`), animations: 'disabled', caret: 'hide' });
}

/*
 * Seeding through the API: what a test sets up this way is not what it tests, the browser is.
 */

/** A conversation made by `owner` (201 expected); its id. */
export async function createConversation(
  e2e: E2E,
  owner: User,
  body: { kind: 'direct' | 'group'; members: readonly string[]; title?: string },
): Promise<string> {
  const created = await call<{ conversation: { id: string } }>(e2e.url, 'POST', '/v1/conversations', {
    token: owner.token,
    body,
  });
  assert.equal(created.status, 201, `create a ${body.kind} conversation as ${owner.username}`);
  return created.body.conversation.id;
}

/** A text message sent as `user` (201, or 202 when the send delay holds it); its id. */
export async function sendMessage(
  e2e: E2E,
  user: User,
  conversationId: string,
  body: string,
  replyTo?: string,
): Promise<string> {
  const sent = await call<{ message: { id: string } }>(
    e2e.url,
    'POST',
    `/v1/conversations/${conversationId}/messages`,
    {
      token: user.token,
      body: { clientMsgId: randomUUID(), body, ...(replyTo === undefined ? {} : { replyTo }) },
    },
  );
  assert.ok(sent.status === 201 || sent.status === 202, `send as ${user.username}: ${sent.status}`);
  return sent.body.message.id;
}

/** A recall attempt as `user`; the HTTP status (200 recalled, 403 refused by the policy…). */
export async function recallMessage(
  e2e: E2E,
  user: User,
  messageId: string,
  reason?: string,
): Promise<number> {
  const answer = await call(e2e.url, 'POST', `/v1/messages/${messageId}/recall`, {
    token: user.token,
    body: reason === undefined ? {} : { reason },
  });
  return answer.status;
}

export { call };
