import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestServer, type TestServer } from '../../server/test/support/harness.js';

import type { Command } from 'commander';
import { readEnvironment } from '../src/env.js';
import { buildProgram } from '../src/program.js';
import { retract } from './run-cli.js';

/** Every command in the tree, depth first, with its path of names. */
function everyCommand(command: Command, path: string[] = []): [string[], Command][] {
  return [[path, command], ...command.commands.flatMap((c) => everyCommand(c, [...path, c.name()]))];
}

describe('retract --help', () => {
  const program = buildProgram(readEnvironment({}));

  it('prints the command list from a real process', async () => {
    const top = await retract(['--help']);
    assert.equal(top.code, 0, top.stderr);
    const listed = [...top.stdout.matchAll(/^ {2}([a-z]+)(?:\|[a-z]+)?(?: |$)/gm)]
      .map((m) => m[1])
      .filter((c) => c !== 'help');
    assert.deepEqual(listed.sort(), program.commands.map((c) => c.name()).sort());
    const nested = await retract(['consent', 'approve', '--help']);
    assert.equal(nested.code, 0, nested.stderr);
    assert.match(nested.stdout, /^Usage: retract consent approve \[options\] <request-id>/m);
  });

  for (const [path, command] of everyCommand(program)) {
    it(`explains ${path.join(' ') || 'retract'}`, () => {
      const help = command.helpInformation();
      assert.match(help, new RegExp(`^Usage: retract${path.length ? ` ${path.join(' ')}` : ''}`, 'm'));
      assert.ok(command.description().length > 10, 'has a description');
      assert.ok(help.split('\n').length > 3, 'has a description and options');
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
