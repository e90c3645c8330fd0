import type { KeyObject } from 'node:crypto';
import { MerkleAccumulator } from './accumulator.js';
import { canonicalBytes } from './canonical.js';
import { describeCheckpoint, verifyCheckpoint, type SignedCheckpoint } from './checkpoint.js';
import { hashFromHex, hashToHex, isHexHash, type HexHash } from './digest.js';
import { encodeEntry, type AuditEntry } from './entry.js';
import { keyIdOf } from './keys.js';
import { leafHashBytes, type LeafRange } from './merkle.js';
import { consistencyPath, verifyConsistency } from './proofs.js';

/**
 * Whole-log verification: replays every stored row through a Merkle accumulator and checks it against
 * what was stored and what was signed.
 *
 * What each check catches:
 * - the index sequence (row index and the index inside the entry must be 0, 1, 2, …): deletions,
 *   insertions, reordering — `index_gap` at the first position where the sequence breaks;
 * - each row's leaf hash, recomputed from the entry: an entry edited in place — `entry_hash_mismatch`;
 * - each row's `rootAfter`, against the root recomputed from all entries so far: an edit that also
 *   rewrote that row's leaf hash, or a removed or inserted row — `root_mismatch` where roots stop agreeing;
 * - each signed checkpoint (valid signature required) against the recomputed root at its size: an edit
 *   that rewrote every leaf hash and stored root after it — `checkpoint_root_mismatch`, locating the change
 *   between the last checkpoint that still matches and the first that does not; and a checkpoint larger
 *   than the log — `truncated`;
 * - consecutive checkpoints (by size) against each other, with a consistency proof computed from the
 *   stored entries and verified against both signed roots — `checkpoints_inconsistent`. Two signed roots
 *   for one size are always inconsistent (the server signed two histories). Otherwise the proof uses only
 *   some subtrees, so it tells which signed statements still chain together: after a re-hashed edit,
 *   the pairs whose proofs cover the edited subtree fail, and the pairs after it still chain.
 * - Checkpoints must carry a valid signature by one of the given keys (picked by `keyId`); one that does
 *   not is `checkpoint_signature_invalid` and is otherwise ignored, since anyone can write an unsigned
 *   claim.
 *
 * Entries after the last signed checkpoint are protected only by the stored hashes, which whoever can
 * write the database can recompute: `signedSize` says how much of the log a signature covers.
 *
 * Memory is O(log n) whatever the log size: rows are streamed (`LogVerifier.push`), the tree is a
 * compact range, and the subtrees a consistency proof needs are collected as the rows go by (the
 * subtrees left of the older checkpoint are the accumulator's compact range at that size; the others are
 * built from the rows between the two checkpoints).
 */

/** A row as the writer stored it. The writer computes `leafHash` and `rootAfter` with `MerkleAccumulator`. */
export interface StoredAuditRow {
  readonly index: number;
  /** The entry, or its canonical bytes as stored (then hashed as they are, and checked to be canonical). */
  readonly entry: AuditEntry | Uint8Array;
  readonly leafHash: HexHash;
  /** The tree's root just after this row was appended (tree size `index + 1`). */
  readonly rootAfter: HexHash;
}

/** `index`: the log position the problem is at; `checkpoint`: a position in the list of checkpoints given. */
export type LogProblem =
  | {
      readonly code: 'index_gap';
      readonly index: number;
      /** The index found where `index` was expected (null when the entry has none). */
      readonly found: number | null;
      readonly message: string;
    }
  | { readonly code: 'entry_malformed'; readonly index: number; readonly message: string }
  | {
      readonly code: 'entry_hash_mismatch';
      readonly index: number;
      readonly stored: string;
      readonly computed: HexHash;
      readonly message: string;
    }
  | {
      readonly code: 'root_mismatch';
      readonly index: number;
      readonly stored: string;
      readonly computed: HexHash;
      readonly message: string;
    }
  | {
      readonly code: 'truncated';
      /** The log's size: the first missing index. */
      readonly index: number;
      readonly checkpoint: number;
      readonly treeSize: number;
      readonly message: string;
    }
  | { readonly code: 'checkpoint_signature_invalid'; readonly checkpoint: number; readonly message: string }
  | {
      readonly code: 'checkpoint_root_mismatch';
      readonly checkpoint: number;
      readonly treeSize: number;
      readonly signed: HexHash;
      readonly computed: HexHash;
      /** Where the change lies: after the last checkpoint that still matched, up to this one's size. */
      readonly range: LeafRange;
      readonly message: string;
    }
  | {
      readonly code: 'checkpoints_inconsistent';
      /** The older and the newer checkpoint. */
      readonly checkpoints: readonly [number, number];
      readonly message: string;
    };

export type LogProblemCode = LogProblem['code'];

export interface LogReport {
  readonly ok: boolean;
  /** Rows read. */
  readonly size: number;
  /** The root recomputed from the entries (not from the stored hashes). */
  readonly root: HexHash;
  /** Checkpoints with a valid signature whose root was compared with the log's (size ≤ `size`). */
  readonly checkpointsChecked: number;
  /** The largest size at which a signed checkpoint matched the log (0 when none did). */
  readonly signedSize: number;
  /** In the order found; at most `maxProblems`. */
  readonly problems: readonly LogProblem[];
  /** Problems found beyond `maxProblems` (counted, not listed). */
  readonly problemsOmitted: number;
  /** The first log position known or suspected to be bad; null when none is (or only a signature is). */
  readonly firstBadIndex: number | null;
}

export interface VerifyLogOptions {
  /** Most problems to list (default 100); row-level problems of a tampered log can be one per row. */
  readonly maxProblems?: number;
}

/** Verifies a whole log in one call. For rows that arrive asynchronously use `LogVerifier` directly. */
export function verifyLog(
  rows: Iterable<StoredAuditRow>,
  checkpoints: readonly SignedCheckpoint[],
  publicKeys: KeyObject | readonly KeyObject[],
  options: VerifyLogOptions = {},
): LogReport {
  const verifier = new LogVerifier(checkpoints, publicKeys, options);
  for (const row of rows) verifier.push(row);
  return verifier.finish();
}

interface ValidCheckpoint {
  readonly position: number;
  readonly checkpoint: SignedCheckpoint;
}

/** A consistency check between two signed checkpoints of different sizes, filled in as rows stream by. */
interface ConsistencyCheck {
  readonly older: ValidCheckpoint;
  readonly newer: ValidCheckpoint;
  readonly ranges: readonly LeafRange[];
  readonly hashes: (Buffer | undefined)[];
  /** Ranges within [older size, newer size), built from the rows, in leaf order. */
  readonly builders: { readonly slot: number; readonly range: LeafRange; readonly acc: MerkleAccumulator }[];
  cursor: number;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Streaming whole-log verification: `push` each row in stored order, then `finish`. */
export class LogVerifier {
  readonly #acc = new MerkleAccumulator();
  readonly #maxProblems: number;
  readonly #problems: LogProblem[] = [];
  #omitted = 0;
  #firstPrecise: number | null = null;
  #indexInSequence = true;
  #rootsAgree = true;

  readonly #checkpoints: readonly ValidCheckpoint[];
  #nextCheckpoint = 0;
  #checked = 0;
  #lastMatchedSize = 0;
  #signedSize = 0;
  #firstMismatch: LeafRange | null = null;

  readonly #consistency: ConsistencyCheck[] = [];
  #nextConsistency = 0;
  #finished = false;

  constructor(
    checkpoints: readonly SignedCheckpoint[],
    publicKeys: KeyObject | readonly KeyObject[],
    options: VerifyLogOptions = {},
  ) {
    this.#maxProblems = options.maxProblems ?? 100;
    this.#checkpoints = this.#validCheckpoints(
      checkpoints,
      Array.isArray(publicKeys) ? publicKeys : [publicKeys],
    );
    this.#planConsistency();
    this.#atSize(0);
  }

  push(row: StoredAuditRow): void {
    if (this.#finished) throw new Error('LogVerifier: push after finish');
    const position = this.#acc.size;
    const { bytes, entryIndex, malformed } = readEntry(row.entry);
    if (malformed !== null) {
      this.#record(
        { code: 'entry_malformed', index: position, message: `entry ${position} ${malformed}` },
        position,
      );
    }
    this.#checkIndex(position, row.index, entryIndex);

    let leaf: Buffer;
    if (bytes !== null) {
      leaf = leafHashBytes(bytes);
      const computed = hashToHex(leaf);
      if (computed !== row.leafHash) {
        this.#record(
          {
            code: 'entry_hash_mismatch',
            index: position,
            stored: String(row.leafHash),
            computed,
            message: `entry ${position} no longer hashes to its stored leaf hash: it was edited after it was written`,
          },
          position,
        );
      }
    } else {
      // The entry cannot be encoded (reported above): go on with the stored hash so later rows can still
      // be checked against their stored roots.
      leaf = isHexHash(row.leafHash) ? hashFromHex(row.leafHash) : leafHashBytes(new Uint8Array());
    }

    this.#acc.appendBytes(leaf);
    this.#feedConsistency(position, leaf);
    this.#checkRoot(position, row.rootAfter);
    this.#atSize(position + 1);
  }

  finish(): LogReport {
    this.#finished = true;
    const size = this.#acc.size;
    const beyond = this.#checkpoints.slice(this.#nextCheckpoint);
    const largest = beyond[beyond.length - 1];
    if (largest !== undefined) {
      const others = beyond.length - 1;
      this.#record(
        {
          code: 'truncated',
          index: size,
          checkpoint: largest.position,
          treeSize: largest.checkpoint.treeSize,
          message:
            `the log has ${size} entries but ${describeCheckpoint(largest.position, largest.checkpoint)} ` +
            `signed a tree of ${largest.checkpoint.treeSize}: entries ${size}..${largest.checkpoint.treeSize - 1} ` +
            `are missing (the log was truncated)` +
            (others > 0
              ? `; ${others} other checkpoint${others === 1 ? ' is' : 's are'} beyond the end too`
              : ''),
        },
        size,
      );
    }
    let firstBad = this.#firstPrecise;
    const mismatch = this.#firstMismatch;
    // A checkpoint mismatch only locates a change to a range; a row-level finding before the range's end
    // already explains it (and is exact), so the range start is used only when nothing else is.
    if (mismatch !== null && mismatch.end > 0 && (firstBad === null || firstBad >= mismatch.end)) {
      firstBad = mismatch.start;
    }
    return {
      ok: this.#problems.length === 0 && this.#omitted === 0,
      size,
      root: this.#acc.root(),
      checkpointsChecked: this.#checked,
      signedSize: this.#signedSize,
      problems: [...this.#problems],
      problemsOmitted: this.#omitted,
      firstBadIndex: firstBad,
    };
  }

  #record(problem: LogProblem, badIndex: number | null): void {
    if (badIndex !== null && (this.#firstPrecise === null || badIndex < this.#firstPrecise)) {
      this.#firstPrecise = badIndex;
    }
    if (this.#problems.length < this.#maxProblems) this.#problems.push(problem);
    else this.#omitted += 1;
  }

  /** Checks signatures (a bad one is a problem and the checkpoint is then ignored); sorts by size. */
  #validCheckpoints(checkpoints: readonly SignedCheckpoint[], keys: readonly KeyObject[]): ValidCheckpoint[] {
    const byKeyId = new Map<string, KeyObject>();
    for (const key of keys) byKeyId.set(keyIdOf(key), key);
    const valid: ValidCheckpoint[] = [];
    checkpoints.forEach((checkpoint, position) => {
      const key = typeof checkpoint?.keyId === 'string' ? byKeyId.get(checkpoint.keyId) : undefined;
      if (key !== undefined && verifyCheckpoint(checkpoint, key)) {
        valid.push({ position, checkpoint });
        return;
      }
      const name = `checkpoint #${position}`;
      const message =
        key === undefined
          ? `${name} is signed by key ${String(checkpoint?.keyId)}, which is not a key this log is verified with`
          : `${describeCheckpoint(position, checkpoint)}: the signature does not verify with key ${checkpoint.keyId}` +
            ' (the checkpoint or its signature was altered, or it is malformed)';
      this.#record({ code: 'checkpoint_signature_invalid', checkpoint: position, message }, null);
    });
    return valid.sort((a, b) => a.checkpoint.treeSize - b.checkpoint.treeSize || a.position - b.position);
  }

  /** Pairs consecutive checkpoints: same size → compare roots now; else plan the subtrees to collect. */
  #planConsistency(): void {
    const sorted = this.#checkpoints;
    for (let i = 1; i < sorted.length; i++) {
      const older = sorted[i - 1] as ValidCheckpoint;
      const newer = sorted[i] as ValidCheckpoint;
      const m = older.checkpoint.treeSize;
      const n = newer.checkpoint.treeSize;
      if (m === n) {
        if (older.checkpoint.rootHash !== newer.checkpoint.rootHash) {
          this.#inconsistent(
            older,
            newer,
            `${describeCheckpoint(older.position, older.checkpoint)} and ` +
              `${describeCheckpoint(newer.position, newer.checkpoint)} sign different roots for the same size: ` +
              'two different histories were signed',
          );
        }
        continue;
      }
      const ranges = consistencyPath(m, n);
      const builders = ranges
        .map((range, slot) => ({ slot, range, acc: new MerkleAccumulator() }))
        .filter(({ range }) => range.start >= m)
        .sort((a, b) => a.range.start - b.range.start);
      this.#consistency.push({
        older,
        newer,
        ranges,
        hashes: ranges.map(() => undefined),
        builders,
        cursor: 0,
      });
    }
  }

  #inconsistent(older: ValidCheckpoint, newer: ValidCheckpoint, message: string): void {
    this.#record(
      { code: 'checkpoints_inconsistent', checkpoints: [older.position, newer.position], message },
      null,
    );
  }

  #checkIndex(position: number, rowIndex: number, entryIndex: number | null): void {
    const inSequence = rowIndex === position && entryIndex === position;
    if (!inSequence && this.#indexInSequence) {
      const found = rowIndex !== position ? rowIndex : entryIndex;
      const message =
        rowIndex !== position
          ? `position ${position}: expected the row with index ${position}, found ${String(rowIndex)}: ` +
            'an entry was deleted or inserted here, or rows were reordered'
          : `row ${position}: its entry claims index ${String(entryIndex)}: the entry was moved here from elsewhere`;
      this.#record(
        { code: 'index_gap', index: position, found: typeof found === 'number' ? found : null, message },
        position,
      );
    }
    // Report where the sequence breaks, not every row after it (one deletion shifts all later rows).
    this.#indexInSequence = inSequence;
  }

  #checkRoot(position: number, stored: string): void {
    const computed = this.#acc.root();
    const agree = computed === stored;
    if (!agree && this.#rootsAgree) {
      const since = position === 0 ? '' : `; the roots agreed up to entry ${position - 1}`;
      this.#record(
        {
          code: 'root_mismatch',
          index: position,
          stored: String(stored),
          computed,
          message:
            `entry ${position}: the stored tree root after it differs from the root recomputed from the ` +
            `entries${since}, so the log was changed at this entry`,
        },
        position,
      );
    }
    // Once a change is in, every later stored root differs too: report where agreement stops.
    this.#rootsAgree = agree;
  }

  /** Everything that happens when the tree reaches `size`: checkpoints at that size, consistency checks. */
  #atSize(size: number): void {
    this.#compareCheckpoints(size);
    const check = this.#consistency[this.#nextConsistency];
    if (check !== undefined && check.newer.checkpoint.treeSize === size) {
      this.#completeConsistency(check);
      this.#nextConsistency += 1;
    }
    const next = this.#consistency[this.#nextConsistency];
    if (next !== undefined && next.older.checkpoint.treeSize === size) this.#takeLeftSubtrees(next);
  }

  #compareCheckpoints(size: number): void {
    const start = this.#lastMatchedSize;
    let computed: HexHash | null = null;
    let matched = false;
    for (;;) {
      const next = this.#checkpoints[this.#nextCheckpoint];
      if (next === undefined || next.checkpoint.treeSize !== size) break;
      this.#nextCheckpoint += 1;
      this.#checked += 1;
      computed ??= this.#acc.root();
      if (next.checkpoint.rootHash === computed) {
        matched = true;
        continue;
      }
      const range = { start, end: size };
      this.#firstMismatch ??= range;
      const where =
        size === 0
          ? 'the empty log has no other root'
          : `the change lies in entries ${start}..${size - 1}` +
            (start > 0 ? ` (a checkpoint at size ${start} still matches)` : '');
      this.#record(
        {
          code: 'checkpoint_root_mismatch',
          checkpoint: next.position,
          treeSize: size,
          signed: next.checkpoint.rootHash,
          computed,
          range,
          message:
            `${describeCheckpoint(next.position, next.checkpoint)} signed root ${next.checkpoint.rootHash}, ` +
            `but the entries give ${computed} at that size: ${where}`,
        },
        null,
      );
    }
    if (matched) {
      this.#lastMatchedSize = size;
      this.#signedSize = size;
    }
  }

  /** The subtrees of a consistency proof that lie left of the older size are the compact range there. */
  #takeLeftSubtrees(check: ConsistencyCheck): void {
    const m = check.older.checkpoint.treeSize;
    const compact = new Map(
      this.#acc.compactRange().map(({ range, hash }) => [`${range.start}:${range.end}`, hash]),
    );
    check.ranges.forEach((range, slot) => {
      if (range.end > m) return;
      const hash = compact.get(`${range.start}:${range.end}`);
      if (hash === undefined)
        throw new Error(`internal: subtree ${range.start}..${range.end} is not in the compact range of ${m}`);
      check.hashes[slot] = hash;
    });
  }

  #feedConsistency(position: number, leaf: Buffer): void {
    const check = this.#consistency[this.#nextConsistency];
    if (check === undefined || position < check.older.checkpoint.treeSize) return;
    while (
      check.builders[check.cursor] !== undefined &&
      (check.builders[check.cursor]?.range.end ?? 0) <= position
    ) {
      check.cursor += 1;
    }
    const builder = check.builders[check.cursor];
    if (builder !== undefined && builder.range.start <= position) builder.acc.appendBytes(leaf);
  }

  #completeConsistency(check: ConsistencyCheck): void {
    for (const builder of check.builders) check.hashes[builder.slot] = builder.acc.rootBytes();
    const proof = check.hashes.map((hash) => {
      if (hash === undefined) throw new Error('internal: a consistency subtree was not collected');
      return hashToHex(hash);
    });
    const { older, newer } = check;
    const m = older.checkpoint.treeSize;
    const n = newer.checkpoint.treeSize;
    if (!verifyConsistency(m, n, older.checkpoint.rootHash, newer.checkpoint.rootHash, proof)) {
      this.#inconsistent(
        older,
        newer,
        `${describeCheckpoint(older.position, older.checkpoint)} → ` +
          `${describeCheckpoint(newer.position, newer.checkpoint)}: a consistency proof computed from the ` +
          'stored entries does not verify against both signed roots, so the log does not show that the ' +
          'later checkpoint extends the earlier one',
      );
    }
  }
}

/** The bytes to hash for a row's entry and the index it claims; `malformed` says why it is not sound. */
function readEntry(entry: AuditEntry | Uint8Array): {
  bytes: Uint8Array | null;
  entryIndex: number | null;
  malformed: string | null;
} {
  if (!(entry instanceof Uint8Array)) {
    try {
      return { bytes: encodeEntry(entry), entryIndex: indexOf(entry), malformed: null };
    } catch (error) {
      return { bytes: null, entryIndex: indexOf(entry), malformed: `cannot be encoded: ${String(error)}` };
    }
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(utf8.decode(entry));
  } catch {
    return { bytes: entry, entryIndex: null, malformed: 'is not UTF-8 JSON' };
  }
  let canonical: Uint8Array | null = null;
  try {
    canonical = canonicalBytes(parsed);
  } catch {
    // reported below
  }
  const malformed =
    canonical !== null && Buffer.from(canonical).equals(entry)
      ? null
      : 'is not stored in canonical form (RFC 8785): a bundle re-encoding it would not verify';
  return { bytes: entry, entryIndex: indexOf(parsed), malformed };
}

function indexOf(entry: unknown): number | null {
  const index =
    typeof entry === 'object' && entry !== null ? (entry as { index?: unknown }).index : undefined;
  return typeof index === 'number' ? index : null;
}
