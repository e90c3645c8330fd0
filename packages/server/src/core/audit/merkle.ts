import { hashFromHex, hashToHex, sha256, type HexHash } from './digest.js';

/**
 * The Merkle Tree Hash of RFC 6962 §2.1 (unchanged in RFC 9162 §2.1.1) over SHA-256. Leaves and interior
 * nodes are hashed with different one-byte prefixes so that no leaf can pass for a node (the second
 * preimage attack on plain Merkle trees). A tree of n leaves splits at k, the largest power of two below
 * n: the left subtree is always perfect, which makes a log's tree at size m a prefix of its tree at n.
 *
 * The public functions take and return `HexHash`es; the `…Bytes` ones work on Buffers for the hot loops
 * of the audit core (see digest.ts).
 */

const leafPrefix = Buffer.from([0x00]);
const nodePrefix = Buffer.from([0x01]);

/** The root of the empty tree: SHA-256 of the empty string. */
export const emptyRootBytes: Buffer = sha256();
export const emptyRoot: HexHash = hashToHex(emptyRootBytes);

export function leafHashBytes(data: Uint8Array): Buffer {
  return sha256(leafPrefix, data);
}

export function nodeHashBytes(left: Uint8Array, right: Uint8Array): Buffer {
  return sha256(nodePrefix, left, right);
}

/** `SHA-256(0x00 ‖ data)`: the hash of a leaf holding `data`. */
export function leafHash(data: Uint8Array): HexHash {
  return hashToHex(leafHashBytes(data));
}

/** `SHA-256(0x01 ‖ left ‖ right)`: the hash of an interior node. */
export function nodeHash(left: HexHash, right: HexHash): HexHash {
  return hashToHex(nodeHashBytes(hashFromHex(left), hashFromHex(right)));
}

/** The Merkle Tree Hash of a list of leaf hashes (the empty list gives `emptyRoot`). */
export function rootOf(leafHashes: readonly HexHash[]): HexHash {
  return hashToHex(subtreeRootBytes(leafHashes.map(hashFromHex), 0, leafHashes.length));
}

/** The leaves `[start, end)` — a subtree when the range is one a tree's splits produce. */
export interface LeafRange {
  readonly start: number;
  readonly end: number;
}

/** MTH(D[start:end]) by the recursive definition; `end - start` hashes, recursion depth log2(n). */
export function subtreeRootBytes(leaves: readonly Buffer[], start: number, end: number): Buffer {
  const n = end - start;
  if (n === 0) return emptyRootBytes;
  if (n === 1) return leaves[start] as Buffer;
  const k = splitPoint(n);
  return nodeHashBytes(subtreeRootBytes(leaves, start, start + k), subtreeRootBytes(leaves, start + k, end));
}

/** k: the largest power of two smaller than n (n ≥ 2), where RFC 6962 splits a tree of n leaves. */
export function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** A non-negative integer exactly representable as a double: what a tree size or index may be. */
export function isTreeIndex(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}
