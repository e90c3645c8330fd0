import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  buildBundle,
  commitContent,
  contentCommitmentDetail,
  entryLeafHash,
  exportPublicKey,
  validateBundle,
  verifyBundle,
  type AuditEntry,
  type EvidenceBundle,
} from '../../src/core/audit/index.js';
import { checkpointOf, flipHexBit, makeEntries, makeEntry, otherKey, serverKey } from './fixtures.js';

const salt = '5a'.repeat(32);
const recalledText = 'the meeting moved to 5pm';
const commitment = commitContent(recalledText, salt);

// Entry 10 is a recall whose entry carries the salted commitment to the erased text.
const entries = makeEntries(20).map((e, i) =>
  i === 10 ? makeEntry(10, { details: { windowSeconds: 120, [contentCommitmentDetail]: commitment } }) : e,
);
const leafHashes = entries.map(entryLeafHash);
const checkpoint = checkpointOf(entries, 16);
const picked = [3, 10, 15].map((i) => entries[i] as AuditEntry);

const build = (over: Partial<Parameters<typeof buildBundle>[0]> = {}) =>
  buildBundle({
    createdAt: '2025-04-01T00:00:00.000Z',
    publicKey: serverKey.publicKey,
    checkpoint,
    leafHashes,
    entries: picked,
    commitments: [{ messageId: 'm_10', algorithm: 'sha256-salted-v1', commitment }],
    ...over,
  });

/** A deep copy with one change, as someone editing the file would make. */
function edit(
  bundle: EvidenceBundle,
  change: (b: { -readonly [K in keyof EvidenceBundle]: EvidenceBundle[K] }) => void,
) {
  const copy = structuredClone(bundle) as { -readonly [K in keyof EvidenceBundle]: EvidenceBundle[K] };
  change(copy);
  return copy;
}

describe('evidence bundles', () => {
  const bundle = build();

  it('builds a bundle that verifies on its own, also after a JSON round trip', () => {
    assert.equal(bundle.format, 'retract-evidence-v1');
    assert.equal(bundle.publicKey, exportPublicKey(serverKey.publicKey));
    assert.deepEqual(
      bundle.entries.map((e) => e.leafIndex),
      [3, 10, 15],
    );
    assert.deepEqual(verifyBundle(bundle), { ok: true, problems: [], entries: 3 });
    const file = JSON.parse(JSON.stringify(bundle)) as unknown;
    const validated = validateBundle(file);
    assert.equal(validated.ok, true);
    if (validated.ok)
      assert.deepEqual(verifyBundle(validated.bundle), { ok: true, problems: [], entries: 3 });
    assert.equal(verifyBundle(bundle, { trustedKeys: [otherKey.publicKey, serverKey.publicKey] }).ok, true);
  });

  it('carries no content: only the commitment to it', () => {
    assert.ok(!JSON.stringify(bundle).includes(recalledText));
    assert.ok(!JSON.stringify(bundle).includes(salt));
  });

  it('fails for a tampered entry', () => {
    const bad = edit(bundle, (b) => {
      b.entries = b.entries.map((e, i) => (i === 0 ? { ...e, entry: { ...e.entry, reason: 'edited' } } : e));
    });
    const result = verifyBundle(bad);
    assert.equal(result.ok, false);
    assert.equal(result.entries, 2);
    assert.deepEqual(result.problems.length, 1);
    assert.match(
      result.problems[0] ?? '',
      /^entry 0 \(index 3, "policy.changed"\): its inclusion proof does not lead/,
    );
  });

  it('fails for an entry moved to another index', () => {
    const bad = edit(bundle, (b) => {
      b.entries = b.entries.map((e, i) =>
        i === 0 ? { ...e, leafIndex: 4, entry: { ...e.entry, index: 4 } } : e,
      );
    });
    const result = verifyBundle(bad);
    assert.equal(result.ok, false);
    assert.equal(result.entries, 2);
    const mismatched = edit(bundle, (b) => {
      b.entries = b.entries.map((e, i) => (i === 0 ? { ...e, leafIndex: 4 } : e));
    });
    assert.match(
      verifyBundle(mismatched).problems[0] ?? '',
      /leafIndex 4 is not the index inside the entry \(3\)/,
    );
  });

  it('fails for a tampered proof', () => {
    const bad = edit(bundle, (b) => {
      b.entries = b.entries.map((e, i) =>
        i === 2
          ? { ...e, inclusionProof: e.inclusionProof.map((p, j) => (j === 1 ? flipHexBit(p, 5, 2) : p)) }
          : e,
      );
    });
    const result = verifyBundle(bad);
    assert.equal(result.ok, false);
    assert.equal(result.entries, 2);
    assert.match(result.problems[0] ?? '', /^entry 2 \(index 15/);
    const shortened = edit(bundle, (b) => {
      b.entries = b.entries.map((e, i) =>
        i === 2 ? { ...e, inclusionProof: e.inclusionProof.slice(1) } : e,
      );
    });
    assert.equal(verifyBundle(shortened).ok, false);
  });

  it('fails for the wrong key', () => {
    const bad = edit(bundle, (b) => {
      b.publicKey = exportPublicKey(otherKey.publicKey);
    });
    const result = verifyBundle(bad);
    assert.equal(result.ok, false);
    assert.match(result.problems.join('\n'), /checkpoint names key .* but the bundled key is/);
    // Re-signing the checkpoint with the other key verifies internally — but not against a trusted key.
    const resigned = edit(bundle, (b) => {
      b.publicKey = exportPublicKey(otherKey.publicKey);
      b.checkpoint = checkpointOf(entries, 16, otherKey.privateKey);
    });
    assert.equal(verifyBundle(resigned).ok, true);
    const distrusted = verifyBundle(resigned, { trustedKeys: serverKey.publicKey });
    assert.equal(distrusted.ok, false);
    assert.match(distrusted.problems[0] ?? '', /is not one of the trusted keys/);
    const garbage = edit(bundle, (b) => {
      b.publicKey = 'not a key';
    });
    assert.match(verifyBundle(garbage).problems[0] ?? '', /publicKey is not an Ed25519 public key/);
  });

  it('fails for a tampered checkpoint', () => {
    for (const change of [
      (b: EvidenceBundle) => ({ ...b.checkpoint, treeSize: 20 }),
      (b: EvidenceBundle) => ({ ...b.checkpoint, rootHash: flipHexBit(b.checkpoint.rootHash, 0, 0) }),
      (b: EvidenceBundle) => ({ ...b.checkpoint, issuedAt: '2030-01-01T00:00:00.000Z' }),
      (b: EvidenceBundle) => ({ ...b.checkpoint, signature: checkpointOf(entries, 15).signature }),
    ]) {
      const bad = edit(bundle, (b) => {
        b.checkpoint = change(b);
      });
      const result = verifyBundle(bad);
      assert.equal(result.ok, false);
      assert.match(result.problems[0] ?? '', /checkpoint signature does not verify/);
    }
    // A checkpoint swapped for a genuine one of another size: the signature holds, the proofs do not.
    const swapped = edit(bundle, (b) => {
      b.checkpoint = checkpointOf(entries, 18);
    });
    const result = verifyBundle(swapped);
    assert.equal(result.ok, false);
    assert.equal(result.entries, 0);
  });

  it('fails for a commitment that no proven entry anchors', () => {
    const other = commitContent('something else', salt);
    const bad = edit(bundle, (b) => {
      b.commitments = [{ messageId: 'm_10', algorithm: 'sha256-salted-v1', commitment: other }];
    });
    const result = verifyBundle(bad);
    assert.equal(result.ok, false);
    assert.match(result.problems[0] ?? '', /commitment 0 \(message "m_10"\): not anchored/);
  });

  it('lets the holder of the salt prove the erased text', () => {
    const anchored = bundle.entries.find((e) => e.entry.target.messageId === 'm_10')?.entry.details?.[
      contentCommitmentDetail
    ];
    assert.equal(anchored, bundle.commitments?.[0]?.commitment);
    assert.equal(commitContent(recalledText, salt), anchored);
    assert.notEqual(commitContent('the meeting moved to 6pm', salt), anchored);
  });

  it('never throws on garbage', () => {
    for (const junk of [
      null,
      42,
      {},
      { format: 'retract-evidence-v1', entries: 'no' },
      { ...bundle, checkpoint: null },
    ]) {
      const result = verifyBundle(junk as unknown as EvidenceBundle);
      assert.equal(result.ok, false);
    }
  });

  it('refuses to build from parts that do not fit', () => {
    assert.throws(
      () => build({ entries: [entries[16] as AuditEntry] }),
      /not in the checkpointed tree of 16/,
    );
    assert.throws(
      () => build({ entries: [{ ...(entries[3] as AuditEntry), reason: 'x' }] }),
      /does not hash/,
    );
    assert.throws(() => build({ publicKey: otherKey.publicKey }), /not signed by this public key/);
    assert.throws(
      () => build({ leafHashes: leafHashes.map((h, i) => (i === 0 ? flipHexBit(h) : h)) }),
      /do not make a valid bundle/,
    );
    assert.throws(() => build({ entries: picked.filter((e) => e.index !== 10) }), /not anchored/);
  });
});

describe('validateBundle', () => {
  const bundle = build();

  it('names what is wrong with a malformed file', () => {
    const bad = JSON.parse(JSON.stringify(bundle)) as Record<string, unknown>;
    bad['extra'] = 1;
    (bad['checkpoint'] as Record<string, unknown>)['treeSize'] = -1;
    ((bad['entries'] as Record<string, unknown>[])[0] as Record<string, unknown>)['inclusionProof'] = ['XYZ'];
    const result = validateBundle(bad);
    assert.equal(result.ok, false);
    if (result.ok) return;
    assert.ok(
      result.errors.includes('(root): must NOT have additional properties (extra)'),
      result.errors.join('\n'),
    );
    assert.ok(result.errors.some((e) => e.startsWith('/checkpoint/treeSize:')));
    assert.ok(result.errors.some((e) => e.startsWith('/entries/0/inclusionProof/0:')));
  });

  it('accepts entries of kinds and fields it does not know (they are hashed as they are)', () => {
    const future = JSON.parse(JSON.stringify(bundle)) as { entries: { entry: Record<string, unknown> }[] };
    (future.entries[0] as { entry: Record<string, unknown> }).entry['kind'] = 'message.pinned';
    (future.entries[0] as { entry: Record<string, unknown> }).entry['newField'] = 'x';
    assert.equal(validateBundle(future).ok, true);
    assert.equal(validateBundle({ ...bundle, format: 'retract-evidence-v2' }).ok, false);
  });
});
