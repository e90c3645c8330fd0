import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import {
  MerkleAccumulator,
  compactRanges,
  consistencyPath,
  consistencyProof,
  inclusionProof,
  inclusionProofs,
  rootOf,
  verifyConsistency,
  verifyInclusion,
} from '../../src/core/audit/index.js';
import { flipHexBit } from './fixtures.js';

/*
 * A brute-force reference written straight from RFC 6962 §2.1 on arrays (slices, no offsets, no
 * shared helpers with the implementation), to compare every proof against.
 */
const sha = (...parts: Buffer[]) => createHash('sha256').update(Buffer.concat(parts)).digest();
const split = (n: number) => 2 ** Math.ceil(Math.log2(n) - 1);
function mth(d: Buffer[]): Buffer {
  if (d.length === 0) return sha();
  if (d.length === 1) return d[0] as Buffer;
  const k = split(d.length);
  return sha(Buffer.from([1]), mth(d.slice(0, k)), mth(d.slice(k)));
}
function refPath(m: number, d: Buffer[]): Buffer[] {
  if (d.length <= 1) return [];
  const k = split(d.length);
  return m < k
    ? [...refPath(m, d.slice(0, k)), mth(d.slice(k))]
    : [...refPath(m - k, d.slice(k)), mth(d.slice(0, k))];
}
function refSubproof(m: number, d: Buffer[], b: boolean): Buffer[] {
  if (m === d.length) return b ? [] : [mth(d)];
  const k = split(d.length);
  return m <= k
    ? [...refSubproof(m, d.slice(0, k), b), mth(d.slice(k))]
    : [...refSubproof(m - k, d.slice(k), false), mth(d.slice(0, k))];
}
const hex = (bs: Buffer[]) => bs.map((b) => b.toString('hex'));

/** Leaf hashes for a tree of `n`, different for each seed. */
const leavesOf = (n: number, seed: number) =>
  Array.from({ length: n }, (_, i) => sha(Buffer.from([0]), Buffer.from(`leaf ${seed} ${i}`)));

const treeArb = fc.record({ n: fc.integer({ min: 1, max: 70 }), seed: fc.nat() });

describe('Merkle tree against the RFC 6962 reference', () => {
  it('split is the largest power of two below n', () => {
    assert.deepEqual([2, 3, 4, 5, 8, 9].map(split), [1, 2, 2, 4, 4, 8]);
  });

  it('has the reference root, and the accumulator agrees at every size', () => {
    fc.assert(
      fc.property(treeArb, ({ n, seed }) => {
        const leaves = leavesOf(n, seed);
        const acc = new MerkleAccumulator();
        for (let size = 1; size <= n; size++) {
          acc.append((leaves[size - 1] as Buffer).toString('hex'));
          const expected = mth(leaves.slice(0, size)).toString('hex');
          assert.equal(acc.root(), expected);
          assert.equal(rootOf(hex(leaves.slice(0, size))), expected);
        }
      }),
      { numRuns: 60 },
    );
  });

  it('every inclusion proof is the reference PATH and verifies', () => {
    fc.assert(
      fc.property(treeArb, ({ n, seed }) => {
        const leaves = leavesOf(n, seed);
        const hexLeaves = hex(leaves);
        const root = mth(leaves).toString('hex');
        const all = inclusionProofs(
          hexLeaves,
          hexLeaves.map((_, i) => i),
          n,
        );
        for (let i = 0; i < n; i++) {
          const proof = inclusionProof(hexLeaves, i, n);
          assert.deepEqual(proof, hex(refPath(i, leaves)));
          assert.deepEqual(all[i], proof, 'batched proofs equal single ones');
          assert.equal(verifyInclusion(hexLeaves[i] as string, i, n, proof, root), true);
        }
      }),
      { numRuns: 60 },
    );
  });

  it('every consistency proof is the reference PROOF and verifies', () => {
    fc.assert(
      fc.property(treeArb, ({ n, seed }) => {
        const leaves = leavesOf(n, seed);
        const hexLeaves = hex(leaves);
        const rootN = mth(leaves).toString('hex');
        for (let m = 0; m <= n; m++) {
          const proof = consistencyProof(hexLeaves, m, n);
          const expected = m === 0 ? [] : hex(refSubproof(m, leaves.slice(0, n), true));
          assert.deepEqual(proof, expected, `${m} → ${n}`);
          assert.equal(verifyConsistency(m, n, mth(leaves.slice(0, m)).toString('hex'), rootN, proof), true);
        }
      }),
      { numRuns: 60 },
    );
  });

  it('a consistency proof needs only the compact range at m and subtrees after m', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5000 }), fc.integer({ min: 1, max: 5000 }), (a, b) => {
        const [m, n] = a <= b ? [a, b] : [b, a];
        const compact = new Set(compactRanges(m).map((r) => `${r.start}:${r.end}`));
        for (const range of consistencyPath(m, n)) {
          assert.ok(
            range.start >= m || compact.has(`${range.start}:${range.end}`),
            `${m}→${n}: ${range.start}..${range.end}`,
          );
          assert.ok(range.end <= n && range.start < range.end);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('any single-bit flip in an inclusion proof, its root or its leaf makes it fail', () => {
    fc.assert(
      fc.property(
        treeArb.chain(({ n, seed }) =>
          fc.record({
            n: fc.constant(n),
            seed: fc.constant(seed),
            index: fc.integer({ min: 0, max: n - 1 }),
            target: fc.nat(),
            byte: fc.integer({ min: 0, max: 31 }),
            bit: fc.integer({ min: 0, max: 7 }),
          }),
        ),
        ({ n, seed, index, target, byte, bit }) => {
          const hexLeaves = hex(leavesOf(n, seed));
          const root = rootOf(hexLeaves);
          let leaf = hexLeaves[index] as string;
          const proof = inclusionProof(hexLeaves, index, n);
          let badRoot = root;
          const slot = target % (proof.length + 2);
          if (slot === proof.length) leaf = flipHexBit(leaf, byte, bit);
          else if (slot === proof.length + 1) badRoot = flipHexBit(root, byte, bit);
          else proof[slot] = flipHexBit(proof[slot] as string, byte, bit);
          assert.equal(verifyInclusion(leaf, index, n, proof, badRoot), false);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('any single-bit flip in a consistency proof or either root makes it fail', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 70 }).chain((n) =>
          fc.record({
            n: fc.constant(n),
            m: fc.integer({ min: 1, max: n - 1 }),
            seed: fc.nat(),
            target: fc.nat(),
            byte: fc.integer({ min: 0, max: 31 }),
            bit: fc.integer({ min: 0, max: 7 }),
          }),
        ),
        ({ n, m, seed, target, byte, bit }) => {
          const hexLeaves = hex(leavesOf(n, seed));
          let rootM = rootOf(hexLeaves.slice(0, m));
          let rootN = rootOf(hexLeaves);
          const proof = consistencyProof(hexLeaves, m, n);
          const slot = target % (proof.length + 2);
          if (slot === proof.length) rootM = flipHexBit(rootM, byte, bit);
          else if (slot === proof.length + 1) rootN = flipHexBit(rootN, byte, bit);
          else proof[slot] = flipHexBit(proof[slot] as string, byte, bit);
          assert.equal(verifyConsistency(m, n, rootM, rootN, proof), false);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('an accumulator restored from its state continues identically', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 100 }),
        fc.integer({ min: 1, max: 40 }),
        fc.nat(),
        (cut, more, seed) => {
          const hexLeaves = hex(leavesOf(cut + more, seed));
          const acc = new MerkleAccumulator();
          hexLeaves.slice(0, cut).forEach((l) => acc.append(l));
          const state = JSON.parse(JSON.stringify(acc.state())) as ReturnType<typeof acc.state>;
          assert.equal(state.nodes.length, compactRanges(cut).length);
          const resumed = MerkleAccumulator.restore(state);
          hexLeaves.slice(cut).forEach((l) => resumed.append(l));
          assert.equal(resumed.size, cut + more);
          assert.equal(resumed.root(), rootOf(hexLeaves));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('refuses to restore a malformed state', () => {
    const acc = new MerkleAccumulator();
    hex(leavesOf(5, 1)).forEach((l) => acc.append(l));
    const { nodes } = acc.state();
    assert.throws(() => MerkleAccumulator.restore({ size: 7, nodes }), TypeError);
    assert.throws(
      () => MerkleAccumulator.restore({ size: 5, nodes: [...nodes.slice(0, 1), 'xyz'] }),
      TypeError,
    );
    assert.throws(() => MerkleAccumulator.restore({ size: -1, nodes: [] }), TypeError);
  });
});
