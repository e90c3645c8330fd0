import { it } from 'node:test';
import assert from 'node:assert/strict';
import { MerkleAccumulator, canonicalJson, leafHash, type AuditEntry } from '../../src/core/audit/index.js';
import type { AuditCheckpointRecord, AuditRowRecord } from '../../src/storage/audit-records.js';
import type { Storage, StorageTx } from '../../src/storage/storage.js';

/**
 * The audit log's part of the storage contract. The store keeps what the writer computed (it hashes
 * nothing itself); these cases check that it keeps it exactly, in order, findable by target, and that
 * nothing can overwrite a row. The suite shares one store, so every case works relative to the size it
 * finds.
 */
export function auditStorageContract(storage: () => Storage): void {
  const utf8 = new TextEncoder();

  /** Rows for entries appended after `size`, with the accumulator a writer would keep. */
  async function appendEntries(
    tx: StorageTx,
    targets: { conversationId?: string; messageId?: string }[],
  ): Promise<AuditRowRecord[]> {
    const state = await tx.auditState();
    const acc = state === null ? new MerkleAccumulator() : MerkleAccumulator.restore(state);
    const rows: AuditRowRecord[] = [];
    for (const target of targets) {
      const entry: AuditEntry = {
        index: acc.size,
        kind: 'policy.changed',
        at: '2026-01-01T00:00:00.000Z',
        actor: { userId: 'u_contract', role: 'owner' },
        target,
        reason: null,
        requestId: null,
      };
      const text = canonicalJson(entry);
      const hash = leafHash(utf8.encode(text));
      acc.append(hash);
      const row: AuditRowRecord = {
        index: entry.index,
        entry: text,
        leafHash: hash,
        rootAfter: acc.root(),
        conversationId: target.conversationId ?? null,
        messageId: target.messageId ?? null,
      };
      await tx.appendAuditRow(row, acc.state());
      rows.push(row);
    }
    return rows;
  }

  it('appends audit rows with their accumulator, and reads them back in order and by target', async () => {
    const s = storage();
    const start = await s.read((tx) => tx.auditSize());
    const conversationId = `c_audit_${start}`;
    const rows = await s.transaction((tx) =>
      appendEntries(tx, [
        { conversationId },
        { conversationId, messageId: `m_audit_${start}` },
        { conversationId: `${conversationId}_other` },
      ]),
    );
    assert.deepEqual(
      rows.map((r) => r.index),
      [start, start + 1, start + 2],
    );
    await s.read(async (tx) => {
      assert.equal(await tx.auditSize(), start + 3);
      assert.deepEqual(await tx.readAuditRows(start, 10), rows);
      assert.deepEqual(await tx.readAuditRows(start + 1, 1), [rows[1]]);
      const hashes = await tx.auditLeafHashes(start + 3);
      assert.equal(hashes.length, start + 3);
      assert.deepEqual(
        hashes.slice(start),
        rows.map((r) => r.leafHash),
      );
      assert.equal((await tx.auditLeafHashes(start + 1)).length, start + 1);
      assert.deepEqual(await tx.auditIndexesFor({ conversationId }), [start, start + 1]);
      assert.deepEqual(await tx.auditIndexesFor({ messageId: `m_audit_${start}` }), [start + 1]);
      assert.deepEqual(await tx.auditIndexesFor({ messageId: 'm_nowhere' }), []);
      const state = await tx.auditState();
      assert.equal(state?.size, start + 3);
      assert.equal(MerkleAccumulator.restore(state!).root(), rows[2]?.rootAfter);
    });
  });

  it('never rewrites an audit row: appending an index that exists fails, and its transaction rolls back', async () => {
    const s = storage();
    await s.transaction((tx) => appendEntries(tx, [{ conversationId: 'c_audit_first' }]));
    const before = await s.read(async (tx) => ({
      size: await tx.auditSize(),
      state: await tx.auditState(),
      last: await tx.readAuditRows((await tx.auditSize()) - 1, 1),
    }));
    const existing = before.last[0]!;
    await assert.rejects(
      s.transaction((tx) =>
        tx.appendAuditRow(
          { ...existing, entry: '{"forged":true}' },
          { size: before.size, nodes: before.state!.nodes },
        ),
      ),
    );
    // A failed transaction takes its audit rows with it.
    await assert.rejects(
      s.transaction(async (tx) => {
        await appendEntries(tx, [{ conversationId: 'c_audit_rolled_back' }]);
        throw new Error('the action failed after writing its audit entry');
      }),
    );
    await s.read(async (tx) => {
      assert.equal(await tx.auditSize(), before.size);
      assert.deepEqual(await tx.auditState(), before.state);
      assert.deepEqual(await tx.readAuditRows(existing.index, 10), [existing]);
      assert.deepEqual(await tx.auditIndexesFor({ conversationId: 'c_audit_rolled_back' }), []);
    });
  });

  it('keeps signed checkpoints, each one once, and knows the latest', async () => {
    const s = storage();
    const size = await s.read((tx) => tx.auditSize());
    const checkpoint = (treeSize: number, issuedAt: string): AuditCheckpointRecord => ({
      treeSize,
      rootHash: 'ab'.repeat(32),
      issuedAt,
      keyId: '0123456789abcdef',
      signature: 'c2lnbmF0dXJl',
    });
    const later = checkpoint(size, '2026-01-02T00:00:00.000Z');
    const earlier = checkpoint(size, '2026-01-01T00:00:00.000Z');
    const smaller = checkpoint(Math.max(0, size - 1), '2026-01-03T00:00:00.000Z');
    assert.equal(await s.transaction((tx) => tx.insertCheckpoint(later)), true);
    assert.equal(await s.transaction((tx) => tx.insertCheckpoint(smaller)), true);
    assert.equal(await s.transaction((tx) => tx.insertCheckpoint(earlier)), true);
    assert.equal(await s.transaction((tx) => tx.insertCheckpoint(later)), false, 'the same one again');
    await s.read(async (tx) => {
      const all = await tx.listCheckpoints();
      assert.deepEqual(all.slice(-3), size > 0 ? [smaller, earlier, later] : [earlier, later, smaller]);
      assert.deepEqual(await tx.latestCheckpoint(), size > 0 ? later : smaller);
    });
  });
}
