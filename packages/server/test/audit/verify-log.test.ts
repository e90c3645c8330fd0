import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  LogVerifier,
  encodeEntry,
  entryLeafHash,
  leafHash,
  rootOf,
  verifyLog,
  type AuditEntry,
  type LogProblem,
  type LogReport,
  type SignedCheckpoint,
  type StoredAuditRow,
} from '../../src/core/audit/index.js';
import { checkpointOf, makeEntries, makeEntry, otherKey, serverKey, writeRows } from './fixtures.js';

const entries = makeEntries(20);
const rows = writeRows(entries);
const sizes = [4, 8, 12, 16, 20];
const checkpoints = sizes.map((size) => checkpointOf(entries, size));
const key = serverKey.publicKey;

const codes = (report: LogReport) => report.problems.map((p) => p.code);
const only = <C extends LogProblem['code']>(report: LogReport, code: C) =>
  report.problems.filter((p): p is Extract<LogProblem, { code: C }> => p.code === code);

describe('verifyLog: an intact log', () => {
  it('passes and recomputes the root', () => {
    const report = verifyLog(rows, checkpoints, key);
    assert.deepEqual(report, {
      ok: true,
      size: 20,
      root: rootOf(entries.map(entryLeafHash)),
      checkpointsChecked: 5,
      signedSize: 20,
      problems: [],
      problemsOmitted: 0,
      firstBadIndex: null,
    });
  });

  it('passes with entries stored as canonical bytes', () => {
    const asBytes = rows.map((row) => ({ ...row, entry: encodeEntry(row.entry as AuditEntry) }));
    const report = verifyLog(asBytes, checkpoints, key);
    assert.equal(report.ok, true, JSON.stringify(report.problems));
    assert.equal(report.checkpointsChecked, 5);
  });

  it('passes for an empty log, with or without a checkpoint of the empty tree', () => {
    const empty = verifyLog([], [checkpointOf([], 0)], key);
    assert.equal(empty.ok, true);
    assert.equal(empty.checkpointsChecked, 1);
    assert.equal(empty.root, rootOf([]));
    assert.equal(verifyLog([], [], key).ok, true);
  });

  it('accepts checkpoints in any order, and several keys (rotation)', () => {
    const rotated = [checkpointOf(entries, 12, otherKey.privateKey), ...checkpoints.slice(0, 2).reverse()];
    const report = verifyLog(rows, rotated, [key, otherKey.publicKey]);
    assert.equal(report.ok, true, JSON.stringify(report.problems));
    assert.equal(report.checkpointsChecked, 3);
    assert.equal(report.signedSize, 12);
  });

  it('streams: push rows one by one, then finish', () => {
    const verifier = new LogVerifier(checkpoints, key);
    for (const row of rows) verifier.push(row);
    assert.equal(verifier.finish().ok, true);
    assert.throws(() => verifier.push(rows[0] as StoredAuditRow));
  });
});

describe('verifyLog: tampering', () => {
  it('an entry edited in place: entry_hash_mismatch and root_mismatch at its index', () => {
    const tampered = rows.map((row, i) =>
      i === 5 ? { ...row, entry: { ...(row.entry as AuditEntry), reason: 'nothing to see' } } : row,
    );
    const report = verifyLog(tampered, checkpoints, key);
    assert.equal(report.ok, false);
    assert.equal(report.firstBadIndex, 5);
    assert.equal(report.problems[0]?.code, 'entry_hash_mismatch');
    assert.deepEqual(
      only(report, 'entry_hash_mismatch').map((p) => p.index),
      [5],
    );
    assert.deepEqual(
      only(report, 'root_mismatch').map((p) => p.index),
      [5],
      'where roots stop agreeing, once',
    );
    assert.match(report.problems[0]?.message ?? '', /entry 5 .*edited/);
    // Checkpoints after it no longer match the entries either; the one at 4 still does.
    assert.deepEqual(
      only(report, 'checkpoint_root_mismatch').map((p) => p.treeSize),
      [8, 12, 16, 20],
    );
    assert.equal(report.signedSize, 4);
  });

  it('an entry edited along with its leaf hash: root_mismatch at its index', () => {
    const tampered = rows.map((row, i) => {
      if (i !== 5) return row;
      const entry = { ...(row.entry as AuditEntry), actor: { userId: 'u_9', role: 'owner' } };
      return { ...row, entry, leafHash: entryLeafHash(entry) };
    });
    const report = verifyLog(tampered, checkpoints, key);
    assert.equal(report.firstBadIndex, 5);
    assert.equal(report.problems[0]?.code, 'root_mismatch');
    assert.equal(only(report, 'entry_hash_mismatch').length, 0);
    assert.deepEqual(
      only(report, 'root_mismatch').map((p) => p.index),
      [5],
    );
  });

  it('a deleted entry: index_gap where the sequence breaks, once', () => {
    const tampered = rows.filter((_, i) => i !== 5);
    const report = verifyLog(tampered, checkpoints, key);
    assert.equal(report.firstBadIndex, 5);
    assert.equal(report.problems[0]?.code, 'index_gap');
    assert.deepEqual(
      only(report, 'index_gap').map((p) => [p.index, p.found]),
      [[5, 6]],
    );
    assert.equal(report.size, 19);
    assert.ok(codes(report).includes('truncated'), 'the checkpoint at 20 is now beyond the end');
  });

  it('a reordered pair of rows: index_gap at the first of them', () => {
    const tampered = [...rows];
    [tampered[5], tampered[6]] = [tampered[6] as StoredAuditRow, tampered[5] as StoredAuditRow];
    const report = verifyLog(tampered, checkpoints, key);
    assert.equal(report.firstBadIndex, 5);
    assert.equal(report.problems[0]?.code, 'index_gap');
    assert.deepEqual(
      only(report, 'index_gap').map((p) => [p.index, p.found]),
      [[5, 6]],
    );
  });

  it('two entries swapped between rows that keep their indices: index_gap from the entry', () => {
    const tampered = rows.map((row, i) => {
      if (i === 5 || i === 6) {
        const other = rows[i === 5 ? 6 : 5] as StoredAuditRow;
        return { ...other, index: row.index };
      }
      return row;
    });
    const report = verifyLog(tampered, checkpoints, key);
    assert.equal(report.firstBadIndex, 5);
    assert.deepEqual(
      only(report, 'index_gap').map((p) => [p.index, p.found]),
      [[5, 6]],
    );
    assert.match(only(report, 'index_gap')[0]?.message ?? '', /entry claims index 6/);
  });

  it('truncation: a checkpoint larger than the log names the first missing index', () => {
    const report = verifyLog(rows.slice(0, 15), checkpoints, key);
    assert.deepEqual(codes(report), ['truncated']);
    assert.equal(report.firstBadIndex, 15);
    const [problem] = only(report, 'truncated');
    assert.equal(problem?.treeSize, 20);
    assert.equal(problem?.checkpoint, 4);
    assert.match(problem?.message ?? '', /entries 15\.\.19 are missing/);
    assert.match(problem?.message ?? '', /1 other checkpoint is beyond/);
    assert.equal(report.checkpointsChecked, 3);
    assert.equal(report.signedSize, 12);
  });

  it('an edit with every later leaf hash and stored root recomputed: located between checkpoints', () => {
    const forged = entries.map((e, i) => (i === 10 ? { ...e, kind: 'member.added' as const } : e));
    const report = verifyLog(writeRows(forged), checkpoints, key);
    assert.equal(report.firstBadIndex, 8);
    assert.deepEqual(codes(report), [
      'checkpoint_root_mismatch', // 12
      'checkpoints_inconsistent', // 8 → 12
      'checkpoint_root_mismatch', // 16
      'checkpoints_inconsistent', // 12 → 16: its proof includes the subtree 8..11
      'checkpoint_root_mismatch', // 20; 16 → 20 is consistent: its proof is only the subtree 16..19
    ]);
    const [first] = only(report, 'checkpoint_root_mismatch');
    assert.deepEqual(first?.range, { start: 8, end: 12 });
    assert.equal(first?.checkpoint, 2);
    assert.match(
      first?.message ?? '',
      /change lies in entries 8\.\.11 \(a checkpoint at size 8 still matches\)/,
    );
    assert.deepEqual(
      only(report, 'checkpoints_inconsistent').map((p) => p.checkpoints),
      [
        [1, 2],
        [2, 3],
      ],
    );
    assert.equal(report.signedSize, 8);
  });

  it('a re-hashed edit before the first checkpoint is located from index 0', () => {
    const forged = entries.map((e, i) => (i === 2 ? { ...e, reason: 'x' } : e));
    const report = verifyLog(writeRows(forged), checkpoints, key);
    assert.equal(report.firstBadIndex, 0);
    assert.deepEqual(only(report, 'checkpoint_root_mismatch')[0]?.range, { start: 0, end: 4 });
  });

  it('a re-hashed edit after the last checkpoint is not detectable: signedSize says so', () => {
    const more = makeEntries(23);
    const forged = more.map((e, i) => (i === 21 ? { ...e, reason: 'x' } : e));
    const report = verifyLog(writeRows(forged), checkpoints, key);
    assert.equal(report.ok, true);
    assert.equal(report.signedSize, 20);
    assert.equal(report.size, 23);
  });

  it('a bad checkpoint signature: named, ignored for comparison, no bad index', () => {
    const sig = Buffer.from((checkpoints[1] as SignedCheckpoint).signature, 'base64');
    sig[10] = (sig[10] as number) ^ 0x40;
    const bad = checkpoints.map((c, i) => (i === 1 ? { ...c, signature: sig.toString('base64') } : c));
    const report = verifyLog(rows, bad, key);
    assert.equal(report.ok, false);
    assert.deepEqual(codes(report), ['checkpoint_signature_invalid']);
    assert.equal(report.firstBadIndex, null);
    assert.equal(only(report, 'checkpoint_signature_invalid')[0]?.checkpoint, 1);
    assert.match(report.problems[0]?.message ?? '', /checkpoint #1 \(size 8,/);
    assert.equal(report.checkpointsChecked, 4);
  });

  it('a checkpoint whose root was changed without re-signing: a bad signature, not a log problem', () => {
    const bad = checkpoints.map((c, i) => (i === 2 ? { ...c, rootHash: rootOf([]) } : c));
    const report = verifyLog(rows, bad, key);
    assert.deepEqual(codes(report), ['checkpoint_signature_invalid']);
    assert.equal(report.firstBadIndex, null);
  });

  it('a checkpoint signed by an unknown key', () => {
    const stranger = checkpointOf(entries, 8, otherKey.privateKey);
    const report = verifyLog(rows, [...checkpoints, stranger], key);
    assert.deepEqual(codes(report), ['checkpoint_signature_invalid']);
    assert.equal(only(report, 'checkpoint_signature_invalid')[0]?.checkpoint, 5);
    assert.match(report.problems[0]?.message ?? '', /not a key this log is verified with/);
  });

  it('inconsistent checkpoints: a signed fork of the history', () => {
    // The server signed size 8 over a history where entry 6 differs, then went on with the original.
    const fork = entries.map((e, i) => (i === 6 ? { ...e, reason: 'forked' } : e));
    const signed = [checkpointOf(entries, 4), checkpointOf(fork, 8), checkpointOf(entries, 12)];
    const report = verifyLog(rows, signed, key);
    assert.equal(report.firstBadIndex, 4);
    assert.deepEqual(codes(report), [
      'checkpoint_root_mismatch',
      'checkpoints_inconsistent',
      'checkpoints_inconsistent',
    ]);
    assert.deepEqual(
      only(report, 'checkpoints_inconsistent').map((p) => p.checkpoints),
      [
        [0, 1],
        [1, 2],
      ],
    );
    assert.match(
      only(report, 'checkpoints_inconsistent')[0]?.message ?? '',
      /does not show that the later checkpoint extends/,
    );
  });

  it('inconsistent checkpoints: two signed roots for the same size', () => {
    const fork = entries.map((e, i) => (i === 6 ? { ...e, reason: 'forked' } : e));
    const signed = [checkpointOf(entries, 4), checkpointOf(entries, 8), checkpointOf(fork, 8)];
    const report = verifyLog(rows, signed, key);
    assert.deepEqual(codes(report), ['checkpoints_inconsistent', 'checkpoint_root_mismatch']);
    assert.deepEqual(only(report, 'checkpoints_inconsistent')[0]?.checkpoints, [1, 2]);
    assert.match(report.problems[0]?.message ?? '', /different roots for the same size/);
    assert.equal(only(report, 'checkpoint_root_mismatch')[0]?.checkpoint, 2);
    assert.equal(report.firstBadIndex, 4);
  });

  it('entries stored as non-canonical bytes', () => {
    const loose = rows.map((row, i) => {
      if (i !== 3) return row;
      const bytes = new TextEncoder().encode(JSON.stringify(row.entry, null, 1));
      return { ...row, entry: bytes, leafHash: leafHash(bytes) };
    });
    const report = verifyLog(loose, [], key);
    assert.equal(report.problems[0]?.code, 'entry_malformed');
    assert.equal(report.firstBadIndex, 3);
    assert.match(report.problems[0]?.message ?? '', /canonical form/);
  });

  it('entries that are not JSON, or cannot be encoded', () => {
    const junk = rows.map((row, i) =>
      i === 2
        ? { ...row, entry: new Uint8Array([0xff, 0xfe]) }
        : i === 4
          ? { ...row, entry: { ...(row.entry as AuditEntry), details: { n: Number.NaN } } }
          : row,
    );
    const report = verifyLog(junk, [], key);
    assert.deepEqual(
      only(report, 'entry_malformed').map((p) => p.index),
      [2, 4],
    );
    assert.equal(report.firstBadIndex, 2);
  });

  it('caps the listed problems and counts the rest', () => {
    const tampered = rows.map((row) => ({
      ...row,
      entry: { ...(row.entry as AuditEntry), reason: 'rewritten' },
    }));
    const report = verifyLog(tampered, [], key, { maxProblems: 5 });
    assert.equal(report.problems.length, 5);
    assert.equal(report.problemsOmitted, 16, '20 entry hashes + 1 root mismatch, 5 listed');
    assert.equal(report.ok, false);
    assert.equal(report.firstBadIndex, 0);
  });
});

describe('verifyLog: properties', () => {
  const scenario = fc.integer({ min: 2, max: 120 }).chain((n) =>
    fc.record({
      n: fc.constant(n),
      sizes: fc.uniqueArray(fc.integer({ min: 1, max: n }), { minLength: 1, maxLength: 8 }),
      at: fc.integer({ min: 0, max: n - 1 }),
    }),
  );

  it('a re-hashed edit is located between the last matching and the first mismatching checkpoint', () => {
    fc.assert(
      fc.property(scenario, ({ n, sizes, at }) => {
        const original = makeEntries(n);
        const signed = sizes.map((s) => checkpointOf(original, s));
        const forged = original.map((e, i) => (i === at ? makeEntry(i, { reason: `forged ${i}` }) : e));
        const report = verifyLog(writeRows(forged), signed, serverKey.publicKey);
        const after = sizes.filter((s) => s > at);
        if (after.length === 0) {
          assert.equal(report.ok, true, 'after the last checkpoint only the stored hashes protect entries');
          return;
        }
        const before = sizes.filter((s) => s <= at);
        assert.equal(report.firstBadIndex, before.length === 0 ? 0 : Math.max(...before));
        assert.equal(
          only(report, 'checkpoint_root_mismatch').length,
          after.length,
          'every checkpoint after the edit mismatches',
        );
        assert.equal(report.signedSize, before.length === 0 ? 0 : Math.max(...before));
      }),
      { numRuns: 150 },
    );
  });

  it('deleting any row is found exactly where it was', () => {
    fc.assert(
      fc.property(scenario, ({ n, sizes, at }) => {
        const original = makeEntries(n);
        const signed = sizes.map((s) => checkpointOf(original, s));
        const report = verifyLog(
          writeRows(original).filter((_, i) => i !== at),
          signed,
          serverKey.publicKey,
        );
        const expected = at === n - 1 && !sizes.includes(n) ? null : at;
        assert.equal(report.firstBadIndex, expected);
      }),
      { numRuns: 150 },
    );
  });

  it('any consecutive checkpoints of an intact log are consistent', () => {
    fc.assert(
      fc.property(scenario, ({ n, sizes }) => {
        const original = makeEntries(n);
        const report = verifyLog(
          writeRows(original),
          sizes.map((s) => checkpointOf(original, s)),
          serverKey.publicKey,
        );
        assert.equal(report.ok, true, JSON.stringify(report.problems));
        assert.equal(report.checkpointsChecked, sizes.length);
      }),
      { numRuns: 150 },
    );
  });
});
