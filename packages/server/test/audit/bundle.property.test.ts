import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  buildBundle,
  canonicalJson,
  entryLeafHash,
  verifyBundle,
  type AuditEntry,
  type EvidenceBundle,
} from '../../src/core/audit/index.js';
import { checkpointOf, flipHexBit, makeEntries, serverKey } from './fixtures.js';

/**
 * Must-show property: for random log sizes and random entries proven, a bundle verifies; and any
 * single-bit change to an entry, a proof hash, the tree size or the root makes it fail.
 */
describe('evidence bundle: generated proofs, single-bit changes', () => {
  const scenario = fc.integer({ min: 1, max: 70 }).chain((size) =>
    fc.record({
      size: fc.constant(size),
      picked: fc.uniqueArray(fc.integer({ min: 0, max: size - 1 }), { minLength: 1, maxLength: 4 }),
      target: fc.nat(),
      byte: fc.nat(),
      bit: fc.integer({ min: 0, max: 7 }),
    }),
  );

  function bundleFor(size: number, picked: readonly number[]): EvidenceBundle {
    const entries = makeEntries(size);
    return buildBundle({
      createdAt: '2025-04-01T00:00:00.000Z',
      publicKey: serverKey.publicKey,
      checkpoint: checkpointOf(entries, size),
      leafHashes: entries.map(entryLeafHash),
      entries: picked.map((i) => entries[i] as AuditEntry),
    });
  }

  /** Flips one bit in the canonical JSON of the entry, keeping it valid JSON of the same shape. */
  function flipEntryBit(entry: AuditEntry, byte: number, bit: number): AuditEntry {
    const text = canonicalJson(entry);
    // Flip inside a string value only, so the result still parses: pick among the requestId's characters.
    const value = entry.requestId ?? 'req';
    const at = byte % value.length;
    const flipped = String.fromCharCode(value.charCodeAt(at) ^ (1 << (bit % 5)));
    const requestId = value.slice(0, at) + flipped + value.slice(at + 1);
    assert.notEqual(canonicalJson({ ...entry, requestId }), text);
    return { ...entry, requestId };
  }

  it('verifies for random sizes and any set of entries', () => {
    fc.assert(
      fc.property(scenario, ({ size, picked }) => {
        const result = verifyBundle(bundleFor(size, picked));
        assert.deepEqual(result.problems, []);
        assert.equal(result.ok, true);
        assert.equal(result.entries, picked.length);
      }),
      { numRuns: 100 },
    );
  });

  it('fails after any single-bit change to an entry, a proof, the size or the root', () => {
    fc.assert(
      fc.property(scenario, ({ size, picked, target, byte, bit }) => {
        const bundle = structuredClone(bundleFor(size, picked)) as {
          -readonly [K in keyof EvidenceBundle]: EvidenceBundle[K];
        };
        const which = bundle.entries[target % bundle.entries.length]!;
        const mutable = which as { -readonly [K in keyof typeof which]: (typeof which)[K] };
        const changes = ['entry', 'size', 'root', ...(which.inclusionProof.length > 0 ? ['proof'] : [])];
        const change = changes[target % changes.length];
        if (change === 'entry') mutable.entry = flipEntryBit(which.entry, byte, bit);
        else if (change === 'proof') {
          const proof = [...which.inclusionProof];
          const slot = byte % proof.length;
          proof[slot] = flipHexBit(proof[slot] as string, byte, bit);
          mutable.inclusionProof = proof;
        } else if (change === 'size') {
          const flippedSize = bundle.checkpoint.treeSize ^ (1 << (bit % 7));
          bundle.checkpoint = { ...bundle.checkpoint, treeSize: flippedSize };
        } else {
          bundle.checkpoint = {
            ...bundle.checkpoint,
            rootHash: flipHexBit(bundle.checkpoint.rootHash, byte, bit),
          };
        }
        const result = verifyBundle(bundle);
        assert.equal(result.ok, false, `a bundle with a changed ${change} still verifies`);
        assert.ok(result.problems.length > 0);
      }),
      { numRuns: 300 },
    );
  });
});
