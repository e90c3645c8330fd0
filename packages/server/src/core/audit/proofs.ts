import { hashFromHex, hashToHex, isHexHash, type HexHash } from './digest.js';
import {
  emptyRoot,
  isTreeIndex,
  nodeHashBytes,
  splitPoint,
  subtreeRootBytes,
  type LeafRange,
} from './merkle.js';

/**
 * Inclusion and consistency proofs, RFC 6962 §2.1.1–2.1.2 (generation) and RFC 9162 §2.1.3.2 and
 * §2.1.4.2 (verification). A proof is a list of subtree hashes. Generation is split in two: which
 * subtrees a proof needs (`inclusionPath`, `consistencyPath` — pure arithmetic on sizes), then their
 * hashes. That lets a streaming verifier know in advance which subtrees to collect, and lets a batch of
 * proofs share the hashing of the subtrees they have in common.
 *
 * Generators throw `RangeError` on impossible arguments (they are the caller's bug). Verifiers never
 * throw: anything malformed — a bad size, a hash that is not 64 lowercase hex characters — is `false`.
 */

/** The subtrees whose hashes prove leaf `index` in a tree of `treeSize`, leaf level first (RFC 6962 PATH). */
export function inclusionPath(index: number, treeSize: number): LeafRange[] {
  if (!isTreeIndex(index) || !isTreeIndex(treeSize) || index >= treeSize) {
    throw new RangeError(`no leaf ${index} in a tree of ${treeSize}`);
  }
  const out: LeafRange[] = [];
  path(index, 0, treeSize, out);
  return out;
}

// PATH(m, D[n]) = PATH(m, D[0:k]) : MTH(D[k:n])  for m < k
//               = PATH(m - k, D[k:n]) : MTH(D[0:k])  for m >= k
function path(m: number, start: number, end: number, out: LeafRange[]): void {
  if (end - start === 1) return;
  const k = splitPoint(end - start);
  if (m < start + k) {
    path(m, start, start + k, out);
    out.push({ start: start + k, end });
  } else {
    path(m, start + k, end, out);
    out.push({ start, end: start + k });
  }
}

/**
 * The subtrees whose hashes prove the tree at `m` is a prefix of the tree at `n` (RFC 6962 PROOF).
 * Empty when `m` is 0 or `m === n`: nothing needs proving beyond comparing roots. Every range lies either
 * within `[0, m)` — and is then one of the compact-range subtrees of `[0, m)` — or within `[m, n)`.
 */
export function consistencyPath(m: number, n: number): LeafRange[] {
  if (!isTreeIndex(m) || !isTreeIndex(n) || m > n) {
    throw new RangeError(`no consistency proof from a tree of ${m} to a tree of ${n}`);
  }
  const out: LeafRange[] = [];
  if (m > 0) subproof(m, 0, n, true, out);
  return out;
}

// SUBPROOF(m, D[m], true)  = {}
// SUBPROOF(m, D[m], false) = {MTH(D[m])}
// SUBPROOF(m, D[n], b) = SUBPROOF(m, D[0:k], b) : MTH(D[k:n])          for m <= k
//                      = SUBPROOF(m - k, D[k:n], false) : MTH(D[0:k])  for m > k
function subproof(m: number, start: number, end: number, complete: boolean, out: LeafRange[]): void {
  if (m === end) {
    if (!complete) out.push({ start, end });
    return;
  }
  const k = splitPoint(end - start);
  if (m <= start + k) {
    subproof(m, start, start + k, complete, out);
    out.push({ start: start + k, end });
  } else {
    subproof(m, start + k, end, false, out);
    out.push({ start, end: start + k });
  }
}

/** The inclusion proof of leaf `index` in the tree of the first `treeSize` of `leafHashes`. */
export function inclusionProof(leafHashes: readonly HexHash[], index: number, treeSize: number): HexHash[] {
  return inclusionProofs(leafHashes, [index], treeSize)[0] as HexHash[];
}

/**
 * Inclusion proofs of several leaves in one tree. Subtree hashes are shared between proofs, so proving k
 * leaves costs about one pass over the tree rather than k.
 */
export function inclusionProofs(
  leafHashes: readonly HexHash[],
  indices: readonly number[],
  treeSize: number,
): HexHash[][] {
  const paths = indices.map((index) => inclusionPath(index, treeSize));
  const hashes = subtreeHasher(leafHashes, treeSize);
  return paths.map((ranges) => ranges.map(hashes));
}

/** The proof that the tree at `m` is a prefix of the tree at `n`, both over `leafHashes`. */
export function consistencyProof(leafHashes: readonly HexHash[], m: number, n: number): HexHash[] {
  const ranges = consistencyPath(m, n);
  return ranges.map(subtreeHasher(leafHashes, n));
}

/** Hashes subtrees of the first `treeSize` leaves, remembering each one asked for. */
function subtreeHasher(leafHashes: readonly HexHash[], treeSize: number): (range: LeafRange) => HexHash {
  if (!isTreeIndex(treeSize) || treeSize > leafHashes.length) {
    throw new RangeError(`a tree of ${treeSize} needs that many leaf hashes; got ${leafHashes.length}`);
  }
  const leaves = leafHashes.slice(0, treeSize).map(hashFromHex);
  const memo = new Map<string, HexHash>();
  return (range) => {
    const key = `${range.start}:${range.end}`;
    let hash = memo.get(key);
    if (hash === undefined) {
      hash = hashToHex(subtreeRootBytes(leaves, range.start, range.end));
      memo.set(key, hash);
    }
    return hash;
  };
}

const isOdd = (x: number) => x % 2 === 1;
const half = (x: number) => Math.floor(x / 2);

/**
 * Does `proof` show that the leaf with hash `leafHash` is at `index` in the tree of `treeSize` whose root
 * is `root`? RFC 9162 §2.1.3.2.
 */
export function verifyInclusion(
  leafHash: HexHash,
  index: number,
  treeSize: number,
  proof: readonly HexHash[],
  root: HexHash,
): boolean {
  if (!isTreeIndex(index) || !isTreeIndex(treeSize) || index >= treeSize) return false;
  if (!isHexHash(leafHash) || !isHexHash(root) || !Array.isArray(proof) || !proof.every(isHexHash))
    return false;
  let fn = index;
  let sn = treeSize - 1;
  let r = hashFromHex(leafHash);
  for (const p of proof) {
    if (sn === 0) return false;
    const sibling = hashFromHex(p);
    if (isOdd(fn) || fn === sn) {
      r = nodeHashBytes(sibling, r);
      // A right-edge node with no right sibling: climb past the levels where it is promoted unchanged.
      while (!isOdd(fn) && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      r = nodeHashBytes(r, sibling);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && hashToHex(r) === root;
}

/**
 * Does `proof` show that the tree of size `m` with root `rootM` is a prefix of the tree of size `n` with
 * root `rootN`? RFC 9162 §2.1.4.2 for 0 < m < n. At the edges: `m === n` holds iff the proof is empty and
 * the roots are equal; `m === 0` holds iff the proof is empty and `rootM` is the empty tree's root (we
 * check that root, where some implementations accept any).
 *
 * For `m === n > 0` nothing is hashed — the claim is only "the same tree twice" — so the two roots are
 * compared as given and their format is not checked, as the reference verifier (transparency-dev/merkle)
 * does and its test vectors expect (`consistency/additional/sizes-are-equal-one-and-proof-is-empty`).
 * A tree of size 0 still has exactly one root.
 */
export function verifyConsistency(
  m: number,
  n: number,
  rootM: HexHash,
  rootN: HexHash,
  proof: readonly HexHash[],
): boolean {
  if (!isTreeIndex(m) || !isTreeIndex(n) || m > n) return false;
  if (m === n && m > 0) {
    return Array.isArray(proof) && proof.length === 0 && typeof rootM === 'string' && rootM === rootN;
  }
  if (!isHexHash(rootM) || !isHexHash(rootN) || !Array.isArray(proof) || !proof.every(isHexHash))
    return false;
  if (m === 0) return proof.length === 0 && rootM === emptyRoot && (n > 0 || rootN === emptyRoot);
  if (proof.length === 0) return false;

  const path = proof.map(hashFromHex);
  // When m is a power of two the old tree is itself a subtree of the new one, and the proof omits it.
  if (isPowerOfTwo(m)) path.unshift(hashFromHex(rootM));
  let fn = m - 1;
  let sn = n - 1;
  while (isOdd(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  let fr = path[0] as Buffer;
  let sr = fr;
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (isOdd(fn) || fn === sn) {
      fr = nodeHashBytes(c, fr);
      sr = nodeHashBytes(c, sr);
      while (!isOdd(fn) && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      sr = nodeHashBytes(sr, c);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && hashToHex(fr) === rootM && hashToHex(sr) === rootN;
}

function isPowerOfTwo(x: number): boolean {
  let p = 1;
  while (p < x) p *= 2;
  return p === x;
}
