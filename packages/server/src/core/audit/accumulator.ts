import { hashFromHex, hashToHex, isHexHash, type HexHash } from './digest.js';
import { emptyRootBytes, isTreeIndex, nodeHashBytes, type LeafRange } from './merkle.js';

/**
 * An append-only Merkle tree that keeps only its compact range: the roots of the perfect subtrees that
 * tile `[0, size)`, largest first — one per set bit of `size`, so at most 53 hashes whatever the size.
 * Appending merges equal-sized neighbours like a binary counter carrying; the root at the current size
 * folds those subtree roots right to left, which is exactly RFC 6962's MTH (its left subtrees are the
 * perfect ones). This is how a writer computes each row's `rootAfter` and how a verifier streams a log of
 * millions of entries in O(log n) memory.
 */
export class MerkleAccumulator {
  #size = 0;
  /** Compact range, largest (leftmost) subtree first. */
  #nodes: Buffer[] = [];

  /** Leaves appended so far. */
  get size(): number {
    return this.#size;
  }

  /** Appends a leaf hash (`leafHash(bytes)`, not the bytes themselves). */
  append(leafHash: HexHash): void {
    this.appendBytes(hashFromHex(leafHash));
  }

  /** `append` for a 32-byte hash already decoded (the audit core's hot loops). */
  appendBytes(leafHash: Buffer): void {
    let node = leafHash;
    // Each trailing 1 bit of the old size is a perfect subtree as large as the one being carried.
    for (let s = this.#size; s % 2 === 1; s = Math.floor(s / 2)) {
      node = nodeHashBytes(this.#nodes.pop() as Buffer, node);
    }
    this.#nodes.push(node);
    this.#size += 1;
  }

  /** The tree's root at the current size (`emptyRoot` when empty). */
  root(): HexHash {
    return hashToHex(this.rootBytes());
  }

  rootBytes(): Buffer {
    const nodes = this.#nodes;
    if (nodes.length === 0) return emptyRootBytes;
    let root = nodes[nodes.length - 1] as Buffer;
    for (let i = nodes.length - 2; i >= 0; i--) root = nodeHashBytes(nodes[i] as Buffer, root);
    return root;
  }

  /** The compact range with the leaves each subtree covers, largest first. */
  compactRange(): { readonly range: LeafRange; readonly hash: Buffer }[] {
    return compactRanges(this.#size).map((range, i) => ({ range, hash: this.#nodes[i] as Buffer }));
  }

  /** What a writer persists to resume appending after a restart without replaying every leaf. */
  state(): AccumulatorState {
    return { size: this.#size, nodes: this.#nodes.map(hashToHex) };
  }

  /** Resumes from `state()`. Throws if the state is malformed (wrong number of nodes for its size). */
  static restore(state: AccumulatorState): MerkleAccumulator {
    if (!isTreeIndex(state.size))
      throw new TypeError(`accumulator size must be a safe integer ≥ 0: ${state.size}`);
    const expected = compactRanges(state.size).length;
    if (state.nodes.length !== expected || !state.nodes.every(isHexHash)) {
      throw new TypeError(
        `an accumulator of size ${state.size} has ${expected} subtree hashes (64 lowercase hex)`,
      );
    }
    const acc = new MerkleAccumulator();
    acc.#size = state.size;
    acc.#nodes = state.nodes.map(hashFromHex);
    return acc;
  }
}

export interface AccumulatorState {
  readonly size: number;
  /** Roots of the perfect subtrees tiling `[0, size)`, largest first, as hex. */
  readonly nodes: readonly HexHash[];
}

/** The perfect subtrees tiling `[0, size)`, largest first: one per set bit of `size`. */
export function compactRanges(size: number): LeafRange[] {
  const ranges: LeafRange[] = [];
  let width = 1;
  while (width * 2 <= size) width *= 2;
  let start = 0;
  for (; width >= 1; width /= 2) {
    if (start + width <= size) {
      ranges.push({ start, end: start + width });
      start += width;
    }
  }
  return ranges;
}
