/**
 * The admin dashboard draws its charts from recall analytics. The figures are made the real way: recall
 * attempts driven through the API against the same server, the fake clock moved between them so that some
 * fall inside the window (recalled) and some past it (denied).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { call, screenshot, skipReason, startE2E, type E2E, type User } from './support.js';
import { signIn } from './ui.js';

const WINDOW_SECONDS = 120;
const skip = skipReason();
if (skip) console.log(`# browser tests skipped: ${skip}`);

/** Sends `count` messages and tries to recall each after `delays[i % delays.length]` seconds. */
async function simulate(e2e: E2E, sender: User, conversationId: string, count: number): Promise<void> {
  const delays = [5, 40, 90, 300, 3600];
  for (let i = 0; i < count; i++) {
    const sent = await call<{ message: { id: string } }>(
      e2e.url,
      'POST',
      `/v1/conversations/${conversationId}/messages`,
      { token: sender.token, body: { clientMsgId: `sim-${i}`, body: `simulated message ${i}` } },
    );
    assert.ok(sent.status === 201 || sent.status === 202, `send ${i}: ${sent.status}`);
    const delay = delays[i % delays.length] ?? 5;
    e2e.clock.advance(delay * 1000);
    const recall = await call(e2e.url, 'POST', `/v1/messages/${sent.body.message.id}/recall`, {
      token: sender.token,
      body: {},
    });
    assert.ok(recall.status < 500, `recall ${i}: ${recall.status}`);
    e2e.clock.advance(60_000);
  }
}

describe('admin dashboard in the browser', { skip: skip ?? false, timeout: 180_000 }, () => {
  let e2e: E2E;
  let admin: User;

  before(async () => {
    e2e = await startE2E({ windowSeconds: WINDOW_SECONDS });
    admin = await e2e.user('admin');
    const carol = await e2e.user('carol');
    await e2e.user('dave');
    const created = await call<{ conversation: { id: string } }>(e2e.url, 'POST', '/v1/conversations', {
      token: carol.token,
      body: { kind: 'group', title: 'Simulated', members: ['dave'] },
    });
    assert.equal(created.status, 201);
    await simulate(e2e, carol, created.body.conversation.id, 20);
    const stats = await call<{ totals?: unknown }>(e2e.url, 'GET', '/v1/admin/stats', { token: admin.token });
    assert.equal(stats.status, 200, 'the admin reads the figures the dashboard will draw');
  });

  after(async () => {
    await e2e?.close();
  });

  test('the dashboard renders its charts with data', async () => {
    const { page } = await e2e.open(admin);
    await signIn(page, e2e, admin, '#/admin');
    await page.goto(`${e2e.url}/#/admin`);
    for (const id of ['admin-chart-outcomes', 'admin-chart-hours', 'admin-chart-delay']) {
      const chart = page.getByTestId(id);
      // An SVG named by its summary, drawn with data: at least one bar with a height.
      await chart.getByRole('img').waitFor();
      const heights = await chart
        .locator('svg rect')
        .evaluateAll((rects) => rects.map((r) => Number(r.getAttribute('height') ?? 0)));
      assert.ok(
        heights.some((h) => h > 0),
        `${id} draws bars with data`,
      );
    }
    await screenshot(page, 'dashboard');
  });
});
