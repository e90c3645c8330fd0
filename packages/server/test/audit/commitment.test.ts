import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { commitContent, commitmentSaltLength, verifyCommitment } from '../../src/core/audit/index.js';

const salt = 'a1'.repeat(32);
const otherSalt = 'b2'.repeat(32);

describe('content commitments', () => {
  it('is SHA-256 over the domain prefix, the salt bytes and the UTF-8 content', () => {
    const expected = createHash('sha256')
      .update('retract-content-commitment-v1\n')
      .update(Buffer.from(salt, 'hex'))
      .update('Meet at 5 — café', 'utf8')
      .digest('hex');
    assert.equal(commitContent('Meet at 5 — café', salt), expected);
    assert.equal(commitContent('Meet at 5 — café', Buffer.from(salt, 'hex')), expected, 'salt as bytes');
  });

  it('opens with the right text and salt only', () => {
    const c = commitContent('ok', salt);
    assert.equal(verifyCommitment(c, 'ok', salt), true);
    assert.equal(verifyCommitment(c, 'ok ', salt), false);
    assert.equal(verifyCommitment(c, 'OK', salt), false);
    assert.equal(verifyCommitment(c, 'ok', otherSalt), false);
    assert.equal(verifyCommitment(commitContent('', salt), '', salt), true);
  });

  it('depends on the salt, so equal texts do not give equal commitments', () => {
    assert.notEqual(commitContent('yes', salt), commitContent('yes', otherSalt));
    const unsalted = createHash('sha256').update('yes').digest('hex');
    assert.notEqual(commitContent('yes', salt), unsalted);
  });

  it('does not normalize Unicode: the commitment is to the exact text', () => {
    const composed = 'caf\u00e9';
    const decomposed = 'cafe\u0301';
    assert.equal(verifyCommitment(commitContent(composed, salt), decomposed, salt), false);
  });

  it('needs a salt of exactly 32 bytes', () => {
    assert.equal(commitmentSaltLength, 32);
    for (const bad of ['', 'a1'.repeat(31), 'a1'.repeat(33), 'A1'.repeat(32), 'zz'.repeat(32)]) {
      assert.throws(() => commitContent('x', bad), TypeError, bad);
      assert.equal(verifyCommitment(commitContent('x', salt), 'x', bad), false);
    }
    assert.throws(() => commitContent('x', new Uint8Array(16)), TypeError);
  });

  it('rejects a malformed commitment without throwing', () => {
    const c = commitContent('x', salt);
    assert.equal(verifyCommitment(c.toUpperCase(), 'x', salt), false);
    assert.equal(verifyCommitment(c.slice(2), 'x', salt), false);
    assert.equal(verifyCommitment('', 'x', salt), false);
  });
});
