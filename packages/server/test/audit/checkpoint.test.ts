import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync, verify } from 'node:crypto';
import {
  canonicalJson,
  checkpointDomain,
  checkpointSigningPayload,
  emptyRoot,
  exportPublicKey,
  importPublicKey,
  keyIdOf,
  signCheckpoint,
  verifyCheckpoint,
  type SignedCheckpoint,
} from '../../src/core/audit/index.js';
import { otherKey, serverKey } from './fixtures.js';

const base = {
  treeSize: 42,
  rootHash: '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
  issuedAt: '2025-03-01T12:00:00.000Z',
};

describe('keys', () => {
  it('exports the raw 32-byte public key as base64 and imports it back', () => {
    const encoded = exportPublicKey(serverKey.publicKey);
    assert.equal(Buffer.from(encoded, 'base64').length, 32);
    assert.equal(encoded.length, 44);
    const spki = serverKey.publicKey.export({ format: 'der', type: 'spki' });
    assert.deepEqual(Buffer.from(encoded, 'base64'), spki.subarray(spki.length - 32));
    assert.ok(importPublicKey(encoded).equals(serverKey.publicKey));
    assert.equal(exportPublicKey(serverKey.privateKey), encoded, 'a private key exports its public half');
  });

  it('names a key by the first 16 hex chars of SHA-256 of its raw bytes', () => {
    const raw = Buffer.from(exportPublicKey(serverKey.publicKey), 'base64');
    const expected = createHash('sha256').update(raw).digest('hex').slice(0, 16);
    assert.equal(keyIdOf(serverKey.publicKey), expected);
    assert.equal(keyIdOf(serverKey.privateKey), expected);
    assert.notEqual(keyIdOf(otherKey.publicKey), expected);
  });

  it('refuses what is not exactly 32 bytes of canonical base64, or not an Ed25519 key', () => {
    const encoded = exportPublicKey(serverKey.publicKey);
    for (const bad of [
      '',
      encoded.slice(0, -4),
      `${encoded}AAAA`,
      encoded.replace('=', ''),
      `${encoded} `,
      '!'.repeat(44),
    ]) {
      assert.throws(() => importPublicKey(bad), TypeError, JSON.stringify(bad));
    }
    const x25519 = generateKeyPairSync('x25519').publicKey;
    assert.throws(() => keyIdOf(x25519), TypeError);
  });
});

describe('signed checkpoints', () => {
  it('signs the domain prefix and the canonical checkpoint, and verifies', () => {
    const signed = signCheckpoint(base, serverKey.privateKey);
    assert.equal(signed.keyId, keyIdOf(serverKey.publicKey));
    assert.equal(verifyCheckpoint(signed, serverKey.publicKey), true);
    const payload = Buffer.from(checkpointSigningPayload(signed)).toString('utf8');
    assert.equal(
      payload,
      `${checkpointDomain}${canonicalJson({ ...base, keyId: signed.keyId })}`,
      'the signature covers exactly the four fields',
    );
    assert.ok(payload.startsWith('retract-audit-checkpoint-v1\n{"issuedAt":'));
    // An independent check with node:crypto alone.
    assert.equal(
      verify(
        null,
        Buffer.from(payload, 'utf8'),
        serverKey.publicKey,
        Buffer.from(signed.signature, 'base64'),
      ),
      true,
    );
    assert.equal(Buffer.from(signed.signature, 'base64').length, 64);
  });

  it('fails for the wrong key', () => {
    const signed = signCheckpoint(base, serverKey.privateKey);
    assert.equal(verifyCheckpoint(signed, otherKey.publicKey), false);
  });

  it('fails when any field changes', () => {
    const signed = signCheckpoint(base, serverKey.privateKey);
    const variants: SignedCheckpoint[] = [
      { ...signed, treeSize: 43 },
      { ...signed, rootHash: emptyRoot },
      { ...signed, issuedAt: '2025-03-01T12:00:00.001Z' },
      { ...signed, keyId: keyIdOf(otherKey.publicKey) },
      { ...signed, signature: signCheckpoint({ ...base, treeSize: 43 }, serverKey.privateKey).signature },
    ];
    for (const v of variants)
      assert.equal(verifyCheckpoint(v, serverKey.publicKey), false, JSON.stringify(v));
  });

  it('fails, without throwing, on any flipped signature bit or a malformed checkpoint', () => {
    const signed = signCheckpoint(base, serverKey.privateKey);
    const sig = Buffer.from(signed.signature, 'base64');
    for (let byte = 0; byte < 64; byte += 7) {
      const bad = Buffer.from(sig);
      bad[byte] = (bad[byte] as number) ^ 1;
      assert.equal(
        verifyCheckpoint({ ...signed, signature: bad.toString('base64') }, serverKey.publicKey),
        false,
      );
    }
    const malformed = [
      { ...signed, signature: `${signed.signature}AA` },
      { ...signed, signature: '' },
      { ...signed, treeSize: -1 },
      { ...signed, treeSize: '42' },
      { ...signed, rootHash: signed.rootHash.toUpperCase() },
      null,
    ] as unknown as SignedCheckpoint[];
    for (const m of malformed) assert.equal(verifyCheckpoint(m, serverKey.publicKey), false);
  });

  it('ignores fields outside the checkpoint when signing', () => {
    const withExtra = { ...base, note: 'ignored' } as typeof base;
    assert.equal(
      signCheckpoint(withExtra, serverKey.privateKey).signature,
      signCheckpoint(base, serverKey.privateKey).signature,
    );
  });

  it('refuses to sign with a public key, for another key id, or a malformed checkpoint', () => {
    assert.throws(() => signCheckpoint(base, serverKey.publicKey), TypeError);
    assert.throws(
      () => signCheckpoint({ ...base, keyId: keyIdOf(otherKey.publicKey) }, serverKey.privateKey),
      /names key/,
    );
    assert.throws(() => signCheckpoint({ ...base, treeSize: 1.5 }, serverKey.privateKey), TypeError);
    assert.throws(() => signCheckpoint({ ...base, rootHash: 'abc' }, serverKey.privateKey), TypeError);
    assert.throws(() => signCheckpoint({ ...base, issuedAt: 'yesterday' }, serverKey.privateKey), TypeError);
  });
});
