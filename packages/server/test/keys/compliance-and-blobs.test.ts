import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { chmod, mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BLOB_SEAL_OVERHEAD, openBlob, sealBlob } from '../../src/keys/blob-sealing.js';
import { loadOrCreateComplianceKey, openHeld, sealForHold } from '../../src/keys/compliance-key.js';
import { KeyFileError, loadOrCreateKeyFile } from '../../src/keys/key-file.js';
import { newDataKey, openMessageBody, SealError, sealMessageBody } from '../../src/keys/sealing.js';

const base = mkdtempSync(join(tmpdir(), 'retract-keyfiles-'));
after(() => rmSync(base, { recursive: true, force: true }));

let dirs = 0;
const freshDir = () => join(base, `case-${++dirs}`);
const posix = process.platform !== 'win32';

describe('compliance key', () => {
  it('is created once, 32 bytes, mode 0600, and loaded unchanged after', { skip: !posix }, async () => {
    const path = join(freshDir(), 'nested', 'compliance.key');
    const key = await loadOrCreateComplianceKey(path);
    assert.equal(key.length, 32);
    assert.equal((await stat(path)).mode & 0o777, 0o600);
    assert.ok((await loadOrCreateComplianceKey(path)).equals(key));
    assert.ok((await readFile(path)).equals(key));
  });

  it('is refused when group- or world-readable', { skip: !posix }, async () => {
    const dir = freshDir();
    await mkdir(dir);
    const path = join(dir, 'compliance.key');
    await writeFile(path, randomBytes(32));
    await chmod(path, 0o644);
    await assert.rejects(loadOrCreateComplianceKey(path), (error) => {
      assert.ok(error instanceof KeyFileError);
      assert.equal(error.reason, 'insecure_mode');
      assert.match(error.message, /compliance key file .* mode 0644.*chmod 600/s);
      return true;
    });
  });

  it('seals held content bound to its message, apart from message bodies', () => {
    const complianceKey = newDataKey();
    const held = sealForHold(complianceKey, 'recalled but held', 'm_held1');
    assert.equal(openHeld(complianceKey, held, 'm_held1').toString(), 'recalled but held');
    assert.throws(() => openHeld(complianceKey, held, 'm_held2'), SealError);
    assert.throws(() => openHeld(newDataKey(), held, 'm_held1'), SealError);
    assert.throws(() => openMessageBody(complianceKey, held, 'm_held1'), SealError);
    const body = sealMessageBody(complianceKey, 'a body', 'm_held1');
    assert.throws(() => openHeld(complianceKey, body, 'm_held1'), SealError);
  });
});

describe('key files', () => {
  it('agree on one key when many loads race to create it, leaving no temporary file', async () => {
    const dir = freshDir();
    const path = join(dir, 'race.key');
    const results = await Promise.all(Array.from({ length: 8 }, () => loadOrCreateKeyFile(path, 'test key')));
    assert.equal(results.filter((r) => r.created).length, 1);
    for (const { key } of results) assert.ok(key.equals(results[0]!.key));
    assert.deepEqual(await readdir(dir), ['race.key']);
  });

  it('refuses a directory where the key file should be', async () => {
    const dir = freshDir();
    await loadOrCreateKeyFile(join(dir, 'x.key'), 'test key');
    await assert.rejects(loadOrCreateKeyFile(dir, 'test key'), (error) => {
      assert.ok(error instanceof KeyFileError);
      assert.equal(error.reason, 'not_a_file');
      return true;
    });
  });
});

describe('blob sealing', () => {
  it('round-trips an attachment and binds it to its attachment id', () => {
    const key = newDataKey();
    const bytes = randomBytes(1024 * 1024 + 3);
    const sealed = sealBlob(key, bytes, 'a_file1');
    assert.equal(sealed.length, bytes.length + BLOB_SEAL_OVERHEAD);
    assert.ok(openBlob(key, sealed, 'a_file1').equals(bytes));
    assert.throws(() => openBlob(key, sealed, 'a_file2'), SealError);
    assert.throws(() => openBlob(newDataKey(), sealed, 'a_file1'), SealError);
    const tampered = Buffer.from(sealed);
    tampered[500_000] = tampered[500_000]! ^ 0x80;
    assert.throws(() => openBlob(key, tampered, 'a_file1'), SealError);
  });

  it('does not open a blob as a message body, or a body as a blob, under the same key and id', () => {
    const key = newDataKey();
    const sealedBlob = sealBlob(key, Buffer.from('plain text file'), 'x_shared');
    assert.throws(() => openMessageBody(key, sealedBlob, 'x_shared'), SealError);
    const sealedBody = sealMessageBody(key, 'plain text file', 'x_shared');
    assert.throws(() => openBlob(key, sealedBody, 'x_shared'), SealError);
  });
});
