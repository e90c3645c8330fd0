import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import {
  aad,
  ENVELOPE_VERSION,
  newDataKey,
  NONCE_BYTES,
  open,
  openMessageBody,
  seal,
  SEAL_OVERHEAD,
  SealError,
  sealMessageBody,
  TAG_BYTES,
  unwrapKey,
  wrapKey,
  type SealFailure,
} from '../../src/keys/sealing.js';

const failsWith = (reason: SealFailure) => (error: unknown) => {
  assert.ok(error instanceof SealError, `expected a SealError, got ${String(error)}`);
  assert.equal(error.reason, reason);
  return true;
};

const flipped = (envelope: Buffer, index: number): Buffer => {
  const copy = Buffer.from(envelope);
  copy[index] = copy[index]! ^ 0x01;
  return copy;
};

describe('sealing: AES-256-GCM envelopes', () => {
  it('round-trips buffers, UTF-8 strings and empty plaintexts', () => {
    const key = newDataKey();
    const bytes = randomBytes(1000);
    assert.ok(open(key, seal(key, bytes, 'ctx'), 'ctx').equals(bytes));
    const text = 'recall me 撤回 🙂';
    assert.equal(open(key, seal(key, text, 'ctx'), 'ctx').toString('utf8'), text);
    assert.equal(open(key, seal(key, '', 'ctx'), 'ctx').length, 0);
    assert.equal(openMessageBody(key, sealMessageBody(key, text, 'm_1'), 'm_1'), text);
  });

  it('lays out version ‖ nonce ‖ ciphertext ‖ tag, with a fresh nonce every time', () => {
    const key = newDataKey();
    const plaintext = Buffer.from('same plaintext, same key');
    const a = seal(key, plaintext, 'ctx');
    const b = seal(key, plaintext, 'ctx');
    assert.equal(SEAL_OVERHEAD, 1 + NONCE_BYTES + TAG_BYTES);
    assert.equal(a.length, plaintext.length + SEAL_OVERHEAD);
    assert.equal(a[0], ENVELOPE_VERSION);
    assert.ok(!a.subarray(1, 1 + NONCE_BYTES).equals(b.subarray(1, 1 + NONCE_BYTES)));
    assert.ok(!a.equals(b));
    assert.ok(!a.includes(plaintext), 'the plaintext shows through');
  });

  it('makes a key of 32 random bytes each time', () => {
    const [a, b] = [newDataKey(), newDataKey()];
    assert.equal(a.length, 32);
    assert.ok(!a.equals(b));
  });

  it('refuses the wrong AAD: a body does not open as another message’s', () => {
    const key = newDataKey();
    const envelope = sealMessageBody(key, 'for m_1 only', 'm_1');
    assert.throws(() => openMessageBody(key, envelope, 'm_2'), failsWith('authentication_failed'));
    assert.throws(() => open(key, envelope, 'm_1'), failsWith('authentication_failed'));
  });

  it('refuses the wrong key', () => {
    const envelope = seal(newDataKey(), 'secret', 'ctx');
    assert.throws(() => open(newDataKey(), envelope, 'ctx'), failsWith('authentication_failed'));
  });

  it('refuses a flipped bit anywhere in the nonce, the ciphertext or the tag', () => {
    const key = newDataKey();
    const envelope = seal(key, randomBytes(64), 'ctx');
    const ciphertextStart = 1 + NONCE_BYTES;
    const tagStart = envelope.length - TAG_BYTES;
    const positions = [1, NONCE_BYTES, ciphertextStart, ciphertextStart + 31, tagStart - 1, tagStart];
    positions.push(envelope.length - 1);
    for (const index of positions) {
      assert.throws(() => open(key, flipped(envelope, index), 'ctx'), failsWith('authentication_failed'));
    }
    // Cut short or lengthened: the tag moves, so it fails too.
    assert.throws(() => open(key, envelope.subarray(0, -1), 'ctx'), failsWith('authentication_failed'));
    const longer = Buffer.concat([envelope, Buffer.from([0])]);
    assert.throws(() => open(key, longer, 'ctx'), failsWith('authentication_failed'));
  });

  it('refuses an unknown version byte, and anything too short to be an envelope', () => {
    const key = newDataKey();
    const envelope = seal(key, 'hello', 'ctx');
    for (const version of [0, 2, 0xff]) {
      const other = Buffer.from(envelope);
      other[0] = version;
      assert.throws(() => open(key, other, 'ctx'), failsWith('unsupported_version'));
    }
    assert.throws(() => open(key, Buffer.alloc(0), 'ctx'), failsWith('malformed'));
    assert.throws(() => open(key, envelope.subarray(0, SEAL_OVERHEAD - 1), 'ctx'), failsWith('malformed'));
  });

  it('accepts an envelope that is a view into a larger buffer', () => {
    const key = newDataKey();
    const envelope = seal(key, 'in a page', 'ctx');
    const page = Buffer.concat([randomBytes(7), envelope, randomBytes(9)]);
    const view = new Uint8Array(page.buffer, page.byteOffset + 7, envelope.length);
    assert.equal(open(key, view, 'ctx').toString(), 'in a page');
  });

  it('rejects keys that are not 32 bytes with a RangeError that shows no key bytes', () => {
    const short = randomBytes(16);
    assert.throws(
      () => seal(short, 'x', 'ctx'),
      (error) => {
        assert.ok(error instanceof RangeError);
        assert.ok(!error.message.includes(short.toString('hex')));
        return true;
      },
    );
    const envelope = seal(newDataKey(), 'x', 'ctx');
    assert.throws(() => open(randomBytes(31), envelope, 'ctx'), RangeError);
    assert.throws(() => wrapKey(newDataKey(), randomBytes(16), 'k'), RangeError);
  });

  it('says nothing about the content, key or AAD in its errors', () => {
    const key = newDataKey();
    const envelope = seal(key, 'private words', 'body:m_secretid');
    assert.throws(
      () => open(key, envelope, 'body:m_other'),
      (error: Error) => !/private|m_secretid|m_other/.test(error.message) && error.name === 'SealError',
    );
  });
});

describe('sealing: wrapped data keys', () => {
  it('wraps a data key under a key-encryption key, bound to its id', () => {
    const kek = newDataKey();
    const dataKey = newDataKey();
    const wrapped = wrapKey(kek, dataKey, 'm_abc');
    assert.equal(wrapped.length, 32 + SEAL_OVERHEAD);
    assert.ok(!wrapped.includes(dataKey));
    assert.ok(unwrapKey(kek, wrapped, 'm_abc').equals(dataKey));
    assert.throws(() => unwrapKey(kek, wrapped, 'm_abd'), failsWith('authentication_failed'));
    assert.throws(() => unwrapKey(newDataKey(), wrapped, 'm_abc'), failsWith('authentication_failed'));
    assert.throws(() => unwrapKey(kek, flipped(wrapped, 20), 'm_abc'), failsWith('authentication_failed'));
  });

  it('keeps the AAD domains apart: nothing sealed for one purpose opens for another, same id', () => {
    const key = newDataKey();
    const id = 'm_sameId';
    const domains = [aad.messageBody(id), aad.blob(id), aad.held(id), aad.wrappedKey(id), id];
    assert.equal(new Set(domains).size, domains.length);
    for (const sealedFor of domains) {
      const envelope = seal(key, newDataKey(), sealedFor);
      for (const openedAs of domains) {
        if (openedAs === sealedFor) assert.equal(open(key, envelope, openedAs).length, 32);
        else assert.throws(() => open(key, envelope, openedAs), SealError);
      }
    }
  });
});
