import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestServer, type TestServer } from '../../server/test/support/harness.js';
import { retract } from './run-cli.js';

describe('retract consent', () => {
  let t: TestServer;
  let dir: string;
  const envOf = (who: string) => ({ RETRACT_SERVER: t.url, RETRACT_CREDENTIALS: join(dir, `${who}.json`) });
  before(async () => {
    t = await startTestServer({
      config: { policy: { default: { preset: 'wechat', consent: { enabled: true } } } },
    });
    dir = mkdtempSync(join(tmpdir(), 'retract-cli-consent-'));
  });
  after(async () => {
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('asks past the window, lists what waits for the other person, and approves or declines', async () => {
    for (const who of ['alice', 'bob']) {
      assert.equal((await retract(['user', 'add', who, '--password', 'correct horse'], envOf(who))).code, 0);
      assert.equal((await retract(['login', who, '--password', 'correct horse'], envOf(who))).code, 0);
    }
    const alice = envOf('alice');
    const bob = envOf('bob');
    const created = await retract(['--json', 'conversation', 'create', '--direct', 'bob'], alice);
    assert.equal(created.code, 0, created.stderr);
    const conversationId = JSON.parse(created.stdout).conversation.id as string;
    const send = async (text: string) =>
      JSON.parse((await retract(['--json', 'send', conversationId, text], alice)).stdout).message
        .id as string;
    const first = await send('wrong chat');
    const second = await send('keep this');
    t.clock.advance(10 * 60_000);

    const early = await retract(['consent', 'ask', first], alice);
    assert.equal(early.code, 0, early.stderr);
    assert.match(early.stdout, /^asked: k_\S+ \S+ asks to recall m_/);
    const asked = await retract(['--json', 'consent', 'ask', second, '--reason', 'typo'], alice);
    const secondRequest = JSON.parse(asked.stdout).request.id as string;

    const pending = await retract(['consent', 'list', '--pending'], bob);
    assert.equal(pending.code, 0, pending.stderr);
    assert.equal(pending.stdout.match(/yours to decide/g)?.length, 2);
    assert.match(pending.stdout, /“typo”/);

    const listed = JSON.parse((await retract(['--json', 'consent', 'list', '--pending'], bob)).stdout)
      .requests as { id: string; messageId: string }[];
    const firstRequest = listed.find((r) => r.messageId === first)?.id ?? '';
    const approved = await retract(['consent', 'approve', firstRequest, '--note', 'ok'], bob);
    assert.equal(approved.code, 0, approved.stderr);
    assert.match(approved.stdout, new RegExp(`approved ${firstRequest}: ${first} recalled at `));
    assert.equal((await retract(['consent', 'decline', secondRequest], bob)).code, 0);

    const history = JSON.parse((await retract(['--json', 'history', conversationId], bob)).stdout)
      .messages as { id: string; body: string | null }[];
    assert.equal(history.find((m) => m.id === first)?.body, null);
    assert.equal(history.find((m) => m.id === second)?.body, 'keep this');
    const again = await retract(['consent', 'ask', second], alice);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /consent_declined/);
    const badStatus = await retract(['consent', 'list', '--status', 'maybe'], alice);
    assert.equal(badStatus.code, 1);
    assert.match(badStatus.stderr, /--status must be one of/);
  });
});

describe('retract settings and unsend', () => {
  let t: TestServer;
  let dir: string;
  before(async () => {
    t = await startTestServer();
    dir = mkdtempSync(join(tmpdir(), 'retract-cli-unsend-'));
  });
  after(async () => {
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('sets a send delay, holds a send, and unsends it before anyone receives it', async () => {
    const env = { RETRACT_SERVER: t.url, RETRACT_CREDENTIALS: join(dir, 'carol.json') };
    assert.equal((await retract(['user', 'add', 'dan', '--password', 'correct horse'], env)).code, 0);
    assert.equal((await retract(['user', 'add', 'carol', '--password', 'correct horse'], env)).code, 0);
    assert.equal((await retract(['login', 'carol', '--password', 'correct horse'], env)).code, 0);
    assert.match((await retract(['settings'], env)).stdout, /undo send: off/);
    const bad = await retract(['settings', '--send-delay', 'soon'], env);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /whole seconds/);
    assert.match((await retract(['settings', '--send-delay', '5'], env)).stdout, /held 5 s/);

    const created = await retract(['--json', 'conversation', 'create', '--direct', 'dan'], env);
    const conversationId = JSON.parse(created.stdout).conversation.id as string;
    const sent = await retract(['send', conversationId, 'oops', 'wrong', 'chat'], env);
    assert.equal(sent.code, 0, sent.stderr);
    const id = /sent (m_\S+), held until/.exec(sent.stdout)?.[1] ?? '';
    assert.match(sent.stdout, /undo with: retract unsend m_/);
    const undone = await retract(['unsend', id], env);
    assert.equal(undone.code, 0, undone.stderr);
    assert.equal(undone.stdout, `cancelled ${id}; nobody received it\noops wrong chat\n`);
    const history = JSON.parse((await retract(['--json', 'history', conversationId], env)).stdout);
    assert.deepEqual(history.messages, []);
  });
});
