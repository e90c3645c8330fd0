/**
 * The admin dashboard draws its charts from a simulated day: `retract simulate`'s own engine runs a
 * population of SDK clients against an embedded server (serving the built web client, its clock fast),
 * and while that server still runs, an admin opens the dashboard in Chromium. The numbers behind the
 * charts must be the simulation's, not merely "some bars".
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { Progress } from '../../../cli/src/bench/progress.js';
import { resolveParams } from '../../../cli/src/simulate/params.js';
import {
  ADMIN as SIM_ADMIN,
  PASSWORD as SIM_PASSWORD,
  runSimulation,
  type SimulationResult,
} from '../../../cli/src/simulate/run.js';
import {
  call,
  DIST_DIR,
  UI_TIMEOUT_MS,
  VIEWPORT,
  ensureWebBuild,
  launchChromium,
  screenshot,
  skipReason,
} from './support.js';

const skip = skipReason();
if (skip) console.log(`# browser tests skipped: ${skip}`);

/** Yesterday in UTC: a whole simulated day inside the dashboard's default "last 7 days". */
function yesterday(): string {
  return new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
}

/** The numbers in the data table under one chart, by row label. */
async function chartTable(page: Page, testId: string): Promise<Map<string, number>> {
  const rows = await page
    .getByTestId(testId)
    .locator('table tbody tr')
    .evaluateAll((trs) =>
      trs.map((tr) => [
        tr.querySelector('th')?.textContent ?? '',
        Array.from(tr.querySelectorAll('td')).map((td) => td.textContent ?? ''),
      ]),
    );
  const table = new Map<string, number>();
  for (const [label, cells] of rows as [string, string[]][]) {
    table.set(label.trim(), Number((cells[0] ?? '').replace(/[^\d.]/g, '')));
  }
  return table;
}

interface Audited {
  readonly whatIf: string;
  readonly verified: string;
  readonly bundle: { entries: number };
  readonly status: string;
}

/**
 * The rest of the dashboard on the simulated day: the what-if for a 10-minute window, a checkpoint signed
 * and then verified in the browser (signature and Merkle root), and the evidence bundle of a conversation
 * with recalls downloaded and checked.
 */
async function auditInBrowser(page: Page, url: string): Promise<Audited> {
  const whatIf = page.getByTestId('admin-whatif');
  await whatIf.locator('#admin-whatif-minutes').fill('10');
  await whatIf.getByRole('button', { name: 'Calculate' }).click();
  const answer = page.getByTestId('admin-whatif-result').filter({ hasText: /\d/ });
  await answer.waitFor();

  const audit = page.getByTestId('admin-audit');
  await audit.getByRole('button', { name: 'Sign a checkpoint now' }).click();
  await audit.locator('[data-testid="admin-audit-checkpoint"] dd').first().waitFor();
  await audit.getByTestId('admin-audit-verify').click();
  const verified = audit.getByTestId('admin-audit-result').filter({ hasText: /Verified|failed/ });
  await verified.waitFor({ timeout: 60_000 });

  // A conversation with recalls in it, read from the log with the admin's own session.
  const token = await page.evaluate(
    () => (JSON.parse(localStorage.getItem('retract.session') ?? '{}') as { token?: string }).token ?? '',
  );
  const entries = await call<{ entries: { entry: { kind: string; target: { conversationId?: string } } }[] }>(
    url,
    'GET',
    '/v1/audit/entries?limit=500',
    { token },
  );
  assert.equal(entries.status, 200);
  const conversationId = entries.body.entries.find((e) => e.entry.kind === 'message.recalled')?.entry.target
    .conversationId;
  assert.ok(conversationId, 'the log has a recall in some conversation');

  const evidence = page.getByTestId('admin-evidence');
  await evidence.locator('#admin-evidence-id').fill(conversationId);
  const downloading = page.waitForEvent('download');
  await evidence.getByRole('button', { name: 'Download bundle' }).click();
  const file = await downloading;
  const bundle = JSON.parse(readFileSync(await file.path(), 'utf8')) as { entries: unknown[] };
  const status = evidence.getByRole('status').filter({ hasText: /Downloaded/ });
  await status.waitFor();
  return {
    whatIf: await answer.innerText(),
    verified: await verified.innerText(),
    bundle: { entries: bundle.entries.length },
    status: await status.innerText(),
  };
}

async function signInAsAdmin(page: Page, url: string): Promise<void> {
  await page.goto(`${url}/#/admin`);
  await page.getByTestId('auth-username').fill(SIM_ADMIN);
  const password = page.getByTestId('auth-password');
  await password.fill(SIM_PASSWORD);
  await password.press('Enter');
  await page.getByTestId('current-user').waitFor({ timeout: UI_TIMEOUT_MS });
}

describe('admin dashboard on a simulated day', { skip: skip ?? false, timeout: 240_000 }, () => {
  test('the charts show the figures the simulation put in', async () => {
    ensureWebBuild();
    const params = resolveParams({
      seed: 8,
      users: 80,
      messagesPerUser: 6,
      date: yesterday(),
      hours: [8, 16],
      duration: 20,
      attemptShare: 0.5,
      repeatShare: 0.5,
      lateShare: 0.5,
      followUps: { correction: 0.3, hide: 0.2, message: 0.15, none: 0.35 },
      maxTime: 150,
    });
    let seen: { outcomes: Map<string, number>; bars: number } | null = null;
    let audited: Audited | null = null;
    const result: SimulationResult = await runSimulation({
      params,
      progress: new Progress(false),
      embedded: {
        config: { web: { dir: DIST_DIR } },
        // The dashboard is looked at while the simulated server still runs, with its data in place.
        async beforeClose({ url }) {
          const browser = await launchChromium();
          try {
            const context = await browser.newContext({
              viewport: VIEWPORT,
              locale: 'en-US',
              timezoneId: 'UTC',
            });
            context.setDefaultTimeout(UI_TIMEOUT_MS);
            const page = await context.newPage();
            await signInAsAdmin(page, url);
            await page.goto(`${url}/#/admin`);
            const outcomes = page.getByTestId('admin-chart-outcomes');
            await outcomes.getByRole('img').waitFor();
            for (const id of ['admin-chart-hours', 'admin-chart-delay', 'admin-chart-followups']) {
              await page.getByTestId(id).getByRole('img').waitFor();
            }
            const bars = await page
              .locator('[data-testid^="admin-chart-"] svg rect')
              .evaluateAll((rects) => rects.filter((r) => Number(r.getAttribute('height') ?? 0) > 0).length);
            seen = { outcomes: await chartTable(page, 'admin-chart-outcomes'), bars };
            await screenshot(page, 'dashboard');
            audited = await auditInBrowser(page, url);
          } finally {
            await browser.close();
          }
        },
      },
    });

    assert.equal(result.put.errorCount, 0, result.put.errors.join('\n'));
    assert.ok(result.put.attempts > 20, `the day has recall attempts to chart (${result.put.attempts})`);
    assert.ok(seen !== null, 'the dashboard was opened while the server ran');
    const { outcomes, bars } = seen as { outcomes: Map<string, number>; bars: number };
    assert.ok(bars > 0, 'the charts draw bars');
    const charted = [...outcomes.values()].reduce((a, b) => a + b, 0);
    assert.equal(
      charted,
      result.put.attempts,
      `outcome rows ${JSON.stringify([...outcomes])} add up to every attempt`,
    );
    assert.equal(outcomes.get('Recalled'), result.stats.attempts.byOutcome['recalled'] ?? 0);
    assert.equal(result.stats.attempts.total, result.put.attempts, 'the server counted what was put in');

    assert.ok(audited !== null, 'the audit view was used while the server ran');
    const { whatIf, verified, bundle, status } = audited as Audited;
    assert.match(whatIf, /\d/, `the what-if answers with figures: ${whatIf}`);
    assert.match(verified, /Verified\./, `verify now: ${verified}`);
    assert.ok(bundle.entries > 0, 'the evidence bundle holds the conversation’s recall entries');
    assert.match(status, /Downloaded a bundle of/);
    assert.match(status, /inclusion proof leads to the checkpoint/);
  });
});
