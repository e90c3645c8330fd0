import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Message } from '@retract/protocol';
import { checkBundleFile } from '../../server/src/audit/bundle-file.js';
import {
  importPublicKey,
  validateBundle,
  verifyBundle,
  type EvidenceBundle,
} from '../../server/src/core/audit/index.js';
import {
  call,
  registerAndLogin,
  startTestServer,
  type TestServer,
} from '../../server/test/support/harness.js';
import { retract } from './run-cli.js';

/**
 * An evidence bundle for a recalled message, end to end: exported with the CLI, it verifies offline
 * with the core's `verifyBundle` and with `retract audit verify-bundle`; it holds no message content;
 * the salt the recall returned opens its commitment; and changing any single byte of the file makes it
 * fail (to parse, to validate, or to verify).
 */

const CANARY = 'the canary sang at midnight 🐦';

describe('evidence bundles from the command line', () => {
  let t: TestServer;
  let dir: string;
  let env: Record<string, string>;
  let file: string;
  let salt: string;
  let messageId: string;
  let publicKey: string;

  before(async () => {
    t = await startTestServer({ config: { audit: { checkpointIntervalSeconds: 0 } } });
    dir = mkdtempSync(join(tmpdir(), 'retract-bundle-'));
    file = join(dir, 'evidence.json');
    const alice = await registerAndLogin(t.url, 'alice');
    await registerAndLogin(t.url, 'bob');
    env = { RETRACT_SERVER: t.url, RETRACT_TOKEN: alice.token, RETRACT_CREDENTIALS: join(dir, 'none.json') };
    const group = await call<{ conversation: { id: string } }>(t.url, 'POST', '/v1/conversations', {
      token: alice.token,
      body: { kind: 'group', members: ['bob'] },
    });
    const sent = await call<{ message: Message }>(
      t.url,
      'POST',
      `/v1/conversations/${group.body.conversation.id}/messages`,
      { token: alice.token, body: { clientMsgId: 'canary', body: CANARY } },
    );
    messageId = sent.body.message.id;
    const recalled = await call<{ commitmentSalt: string }>(
      t.url,
      'POST',
      `/v1/messages/${messageId}/recall`,
      {
        token: alice.token,
        body: { reason: 'sent too soon' },
      },
    );
    salt = recalled.body.commitmentSalt;
    publicKey = (await call<{ publicKey: string }>(t.url, 'GET', '/v1/audit/checkpoint')).body.publicKey;
  });
  after(async () => {
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('exports a bundle that verifies offline, with the core and with the CLI, and holds no content', async () => {
    const exported = await retract(['audit', 'export', '--message', messageId, '--out', file], env);
    assert.equal(exported.code, 0, exported.stderr);
    assert.match(exported.stdout, /wrote .*evidence\.json: 2 entries/);
    const bytes = readFileSync(file);
    assert.ok(!bytes.includes(Buffer.from(CANARY)), 'the text is not in the file');
    assert.ok(!bytes.includes(Buffer.from('canary')), 'nor any part of it');

    const bundle = JSON.parse(bytes.toString('utf8')) as EvidenceBundle;
    assert.equal(validateBundle(bundle).ok, true);
    assert.deepEqual(verifyBundle(bundle, { trustedKeys: importPublicKey(publicKey) }), {
      ok: true,
      problems: [],
      entries: 2,
    });
    assert.deepEqual(
      bundle.entries.map((e) => e.entry.kind),
      ['message.recalled', 'audit.exported'],
    );

    // With the server gone: nothing but the file (and, optionally, the key obtained earlier).
    const verified = await retract(['audit', 'verify-bundle', file, '--public-key', publicKey]);
    assert.equal(verified.code, 0, verified.stdout + verified.stderr);
    assert.match(verified.stdout, /OK: 2 entries proven in the signed log/);
    assert.match(verified.stdout, new RegExp(`message\\.recalled ${messageId} by u_\\S+ \\(sender\\)`));
  });

  it('opens the commitment with the text and the salt, and with nothing else', async () => {
    const opened = await retract(['audit', 'verify-bundle', file, '--content', CANARY, '--salt', salt]);
    assert.equal(opened.code, 0, opened.stdout + opened.stderr);
    assert.match(opened.stdout, new RegExp(`match the commitment logged for ${messageId}`));
    const wrongText = await retract([
      'audit',
      'verify-bundle',
      file,
      '--content',
      `${CANARY}.`,
      '--salt',
      salt,
    ]);
    assert.equal(wrongText.code, 1);
    assert.match(wrongText.stdout, /FAILED: the text and salt match none/);
    const wrongSalt = await retract([
      'audit',
      'verify-bundle',
      file,
      '--content',
      CANARY,
      '--salt',
      '0'.repeat(64),
    ]);
    assert.equal(wrongSalt.code, 1);
  });

  it('fails when any single byte of the file is changed', async () => {
    const bytes = readFileSync(file);
    assert.equal(checkBundleFile(bytes).ok, true);
    // Every position, two different changes each (a low bit, and the ASCII case bit).
    const survivors: string[] = [];
    for (let i = 0; i < bytes.length; i++) {
      for (const flip of [0x01, 0x20]) {
        const changed = Buffer.from(bytes);
        changed[i] = (changed[i] as number) ^ flip;
        if (checkBundleFile(changed).ok)
          survivors.push(`${i}^${flip}: ${changed.subarray(i - 10, i + 10).toString()}`);
      }
    }
    assert.deepEqual(survivors, []);
    // The core alone authenticates the checkpoint and the entries but not the wrapping: a changed date
    // passes it, which is why the file check dates a bundle by its signed checkpoint.
    const redated = bytes
      .toString('utf8')
      .replace(/"createdAt":"(\d{4})/, (_m, year: string) => `"createdAt":"${Number(year) + 1}`);
    assert.equal(verifyBundle(JSON.parse(redated) as EvidenceBundle).ok, true);
    assert.equal(checkBundleFile(Buffer.from(redated)).ok, false);

    // And the same through the command line, at a few positions.
    for (const position of [
      0,
      17,
      Math.floor(bytes.length / 3),
      Math.floor(bytes.length / 2),
      bytes.length - 2,
    ]) {
      const changed = Buffer.from(bytes);
      changed[position] = (changed[position] as number) ^ 0x01;
      const path = join(dir, `changed-${position}.json`);
      writeFileSync(path, changed);
      const run = await retract(['audit', 'verify-bundle', path]);
      assert.equal(run.code, 1, `byte ${position}: ${run.stdout}`);
      assert.match(run.stdout, /FAILED|not a JSON file|malformed/);
    }
  });

  it('refuses a reformatted file: verify the file as exported', async () => {
    const pretty = join(dir, 'pretty.json');
    writeFileSync(pretty, JSON.stringify(JSON.parse(readFileSync(file, 'utf8')), null, 2));
    const run = await retract(['audit', 'verify-bundle', pretty]);
    assert.equal(run.code, 1);
    assert.match(run.stdout, /not the canonical JSON of its content/);
  });

  it('writes the bundle to standard output without --out, and explains a refusal', async () => {
    const printed = await retract(['audit', 'export', '--message', messageId], env);
    assert.equal(printed.code, 0, printed.stderr);
    assert.equal(checkBundleFile(Buffer.from(printed.stdout)).ok, true);
    const stranger = await registerAndLogin(t.url, 'mallory');
    const refused = await retract(['audit', 'export', '--message', messageId], {
      ...env,
      RETRACT_TOKEN: stranger.token,
    });
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /not_found/);
    const both = await retract(['audit', 'export'], env);
    assert.equal(both.code, 1);
    assert.match(both.stderr, /exactly one of --message and --conversation/);
    const notAdmin = await retract(['audit', 'checkpoint'], env);
    assert.equal(notAdmin.code, 1);
    assert.match(notAdmin.stderr, /not_permitted/);
  });
});
