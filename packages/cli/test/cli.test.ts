import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startTestServer, type TestServer } from '../../server/test/support/harness.js';

const main = fileURLToPath(new URL('../src/main.ts', import.meta.url));

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function retract(args: string[], env: Record<string, string> = {}, input?: string): Promise<Run> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      ['--import', 'tsx', main, ...args],
      { env: { ...process.env, NO_COLOR: '1', ...env }, timeout: 60_000 },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
    if (input !== undefined) child.stdin?.end(input);
    else child.stdin?.end();
  });
}

const COMMANDS = [
  [],
  ['serve'],
  ['user'],
  ['user', 'add'],
  ['login'],
  ['logout'],
  ['whoami'],
  ['conversation'],
  ['conversation', 'create'],
  ['conversation', 'list'],
  ['conversation', 'add'],
  ['conversation', 'remove'],
  ['send'],
  ['recall'],
  ['hide'],
  ['history'],
  ['tail'],
  ['policy'],
  ['policy', 'presets'],
  ['policy', 'show'],
  ['policy', 'check'],
  ['policy', 'set'],
  ['bench'],
];

describe('retract --help', () => {
  it('lists exactly the commands this test checks', async () => {
    const top = await retract(['--help']);
    const listed = [...top.stdout.matchAll(/^ {2}([a-z]+)(?:\|[a-z]+)?(?: |$)/gm)]
      .map((m) => m[1])
      .filter((c) => c !== 'help');
    const checked = COMMANDS.filter((c) => c.length === 1).map((c) => c[0]);
    assert.deepEqual([...listed].sort(), [...checked].sort());
  });

  for (const command of COMMANDS) {
    it(`explains ${command.join(' ') || 'retract'}`, async () => {
      const run = await retract([...command, '--help']);
      assert.equal(run.code, 0, run.stderr);
      assert.match(
        run.stdout,
        new RegExp(`^Usage: retract${command.length ? ` ${command.join(' ')}` : ''}`, 'm'),
      );
      assert.ok(run.stdout.split('\n').length > 3, 'has a description and options');
    });
  }
});

describe('retract client commands against a running server', () => {
  let t: TestServer;
  let dir: string;
  let env: Record<string, string>;
  before(async () => {
    t = await startTestServer();
    dir = mkdtempSync(join(tmpdir(), 'retract-cli-'));
    env = { RETRACT_SERVER: t.url, RETRACT_CREDENTIALS: join(dir, 'credentials.json') };
  });
  after(async () => {
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('registers, logs in, sends, recalls, and reports errors with codes', async () => {
    assert.equal(
      (await retract(['user', 'add', 'alice', '--password-stdin'], env, 'correct horse\n')).code,
      0,
    );
    assert.equal((await retract(['user', 'add', 'bob', '--password', 'correct horse'], env)).code, 0);
    const taken = await retract(['--json', 'user', 'add', 'bob', '--password', 'correct horse'], env);
    assert.equal(taken.code, 1);
    assert.equal(JSON.parse(taken.stderr).error.code, 'username_taken');

    const loggedIn = await retract(['--json', 'login', 'alice', '--password', 'correct horse'], env);
    assert.equal(loggedIn.code, 0, loggedIn.stderr);
    assert.equal(statSync(env['RETRACT_CREDENTIALS']!).mode & 0o777, 0o600, 'the token file is private');

    const created = await retract(['--json', 'conversation', 'create', '--title', 'team', 'bob'], env);
    const conversationId = JSON.parse(created.stdout).conversation.id as string;
    const sent = await retract(
      ['--json', 'send', conversationId, 'hello', 'team', '--client-msg-id', 'k1'],
      env,
    );
    const message = JSON.parse(sent.stdout).message;
    assert.equal(message.body, 'hello team');
    const retried = await retract(
      ['--json', 'send', conversationId, 'hello', 'team', '--client-msg-id', 'k1'],
      env,
    );
    assert.equal(JSON.parse(retried.stdout).created, false);
    assert.equal(JSON.parse(retried.stdout).message.id, message.id);

    const recalled = await retract(['recall', message.id], env);
    assert.equal(recalled.code, 0, recalled.stderr);
    assert.match(recalled.stdout, /^recalled m_/);
    const history = await retract(['--json', 'history', conversationId], env);
    assert.equal(JSON.parse(history.stdout).messages[0].body, null);

    const second = JSON.parse(
      (await retract(['--json', 'send', conversationId, 'too late'], env)).stdout,
    ).message;
    t.clock.advance(121_000);
    const late = await retract(['recall', second.id], env);
    assert.equal(late.code, 1);
    assert.match(late.stderr, /recall_window_expired/);

    const missing = await retract(['hide', 'm_doesnotexist'], env);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /not_found/);

    const good = join(dir, 'policy.yaml');
    writeFileSync(good, 'preset: feishu\nmoderation:\n  requireReason: true\n');
    assert.equal((await retract(['policy', 'check', good], env)).code, 0);
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ windows: { group: -1 } }));
    const badCheck = await retract(['policy', 'check', bad], env);
    assert.equal(badCheck.code, 1);
    assert.match(badCheck.stdout, /\/windows\/group/);
    const set = await retract(['--json', 'policy', 'set', conversationId, good], env);
    assert.equal(set.code, 0, set.stderr);
    assert.equal(JSON.parse(set.stdout).effective.preset, 'feishu');
    const presets = await retract(['policy', 'presets'], env);
    assert.match(presets.stdout, /wechat[\s\S]*telegram/);
    const asAdmin = await retract(['recall', second.id, '--as-admin'], env);
    assert.equal(asAdmin.code, 1);
    assert.match(asAdmin.stderr, /--as-admin needs --reason/);

    assert.equal((await retract(['logout'], env)).code, 0);
    const afterLogout = await retract(['whoami'], env);
    assert.equal(afterLogout.code, 1);
    assert.match(afterLogout.stderr, /not logged in/);
  });
});
