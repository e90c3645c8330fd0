import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SigningKeyError, loadOrCreateSigningKey } from '../../src/audit/signing-key.js';
import { publicKeyPathFor } from '../../src/audit/paths.js';
import { exportPublicKey, importPublicKey, keyIdOf } from '../../src/core/audit/index.js';
import { startTestServer } from '../support/harness.js';

/** The audit signing key: created private, reused, refused when others may read it. */

const dir = mkdtempSync(join(tmpdir(), 'retract-signing-key-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const posix = process.platform !== 'win32';

describe('the audit signing key', () => {
  it('is created at first start: PKCS#8 PEM, mode 0600, in a 0700 directory, its public half beside it', async () => {
    const keyPath = join(dir, 'fresh', 'audit', 'signing.key');
    const key = await loadOrCreateSigningKey(keyPath, publicKeyPathFor(keyPath));
    assert.equal(key.created, true);
    assert.match(readFileSync(keyPath, 'utf8'), /^-----BEGIN PRIVATE KEY-----\n/);
    if (posix) {
      assert.equal(statSync(keyPath).mode & 0o777, 0o600);
      assert.equal(statSync(join(dir, 'fresh', 'audit')).mode & 0o777, 0o700);
    }
    const published = readFileSync(join(dir, 'fresh', 'audit', 'signing.pub'), 'utf8');
    assert.equal(published, `${key.publicKey}\n`);
    assert.equal(keyIdOf(importPublicKey(published.trim())), key.keyId);
    assert.equal(exportPublicKey(key.privateKey), key.publicKey);

    const again = await loadOrCreateSigningKey(keyPath, publicKeyPathFor(keyPath));
    assert.equal(again.created, false);
    assert.equal(again.keyId, key.keyId);
  });

  it('is created once when two starts race for it', async () => {
    const keyPath = join(dir, 'race', 'signing.key');
    const keys = await Promise.all(
      Array.from({ length: 4 }, () => loadOrCreateSigningKey(keyPath, publicKeyPathFor(keyPath))),
    );
    assert.equal(new Set(keys.map((k) => k.keyId)).size, 1);
    assert.equal(keys.filter((k) => k.created).length, 1);
  });

  it(
    'refuses a key file that group or others may read, and the server will not start with it',
    { skip: !posix },
    async () => {
      const dataDir = join(dir, 'exposed');
      const keyPath = join(dataDir, 'audit', 'signing.key');
      await loadOrCreateSigningKey(keyPath, publicKeyPathFor(keyPath));
      chmodSync(keyPath, 0o640);
      await assert.rejects(loadOrCreateSigningKey(keyPath, publicKeyPathFor(keyPath)), (error: unknown) => {
        assert.ok(error instanceof SigningKeyError);
        assert.equal(error.reason, 'insecure_mode');
        assert.match(error.message, /chmod 600/);
        return true;
      });
      await assert.rejects(startTestServer({ dataDir }), /audit signing key .* has mode 0640/);
      chmodSync(keyPath, 0o604);
      await assert.rejects(loadOrCreateSigningKey(keyPath, publicKeyPathFor(keyPath)), SigningKeyError);
    },
  );

  it('refuses a file that is not an Ed25519 private key', async () => {
    const keyPath = join(dir, 'not-a-key.key');
    writeFileSync(keyPath, 'hello', { mode: 0o600 });
    await assert.rejects(loadOrCreateSigningKey(keyPath, publicKeyPathFor(keyPath)), SigningKeyError);
  });

  it('puts the public key beside a configured key path', async () => {
    assert.equal(publicKeyPathFor('/etc/retract/audit.key'), '/etc/retract/audit.pub');
    assert.equal(publicKeyPathFor('/etc/retract/audit-pem'), '/etc/retract/audit-pem.pub');
  });
});
