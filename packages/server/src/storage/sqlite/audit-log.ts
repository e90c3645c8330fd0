import type Database from 'better-sqlite3';
import type {
  AuditCheckpointRecord,
  AuditRowRecord,
  AuditStateRecord,
  AuditTargetQuery,
} from '../audit-records.js';
import {
  toAuditCheckpoint as toCheckpoint,
  toAuditRow as toRow,
  type AuditCheckpointRow as CheckpointRow,
  type AuditLogRow as RowRow,
} from '../rows.js';

/**
 * The audit log's part of the SQLite backend (tables `audit_log`, `audit_state`, `audit_checkpoints`),
 * prepared once per connection. Synchronous: `SqliteTx` wraps each call in the port's async signature.
 * Rows are only ever inserted — no statement here updates or deletes one.
 */
export function prepareAuditLog(db: Database.Database) {
  const s = {
    // The next index, from the primary key's end (O(1)), not a count of the rows.
    size: db.prepare<[], { next: number }>('SELECT coalesce(max(idx) + 1, 0) AS next FROM audit_log'),
    state: db.prepare<[], { size: number; nodes: string }>(
      'SELECT size, nodes FROM audit_state WHERE id = 1',
    ),
    rows: db.prepare<[number, number], RowRow>('SELECT * FROM audit_log WHERE idx >= ? ORDER BY idx LIMIT ?'),
    leafHashes: db
      .prepare<[number], string>('SELECT leaf_hash FROM audit_log WHERE idx < ? ORDER BY idx')
      .pluck(),
    byMessage: db
      .prepare<[string], number>('SELECT idx FROM audit_log WHERE message_id = ? ORDER BY idx')
      .pluck(),
    byConversation: db
      .prepare<[string], number>('SELECT idx FROM audit_log WHERE conversation_id = ? ORDER BY idx')
      .pluck(),
    insertRow: db.prepare(
      `INSERT INTO audit_log (idx, entry, leaf_hash, root_after, conversation_id, message_id)
       VALUES (?, ?, ?, ?, ?, ?)`,
    ),
    putState: db.prepare(
      `INSERT INTO audit_state (id, size, nodes) VALUES (1, ?, ?)
       ON CONFLICT (id) DO UPDATE SET size = excluded.size, nodes = excluded.nodes`,
    ),
    checkpoints: db.prepare<[], CheckpointRow>(
      'SELECT * FROM audit_checkpoints ORDER BY tree_size, issued_at',
    ),
    latestCheckpoint: db.prepare<[], CheckpointRow>(
      'SELECT * FROM audit_checkpoints ORDER BY tree_size DESC, issued_at DESC LIMIT 1',
    ),
    insertCheckpoint: db.prepare(
      `INSERT INTO audit_checkpoints (tree_size, root_hash, issued_at, key_id, signature)
       VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
    ),
  };

  return {
    size(): number {
      return s.size.get()?.next ?? 0;
    },
    state(): AuditStateRecord | null {
      const row = s.state.get();
      return row ? { size: row.size, nodes: JSON.parse(row.nodes) as string[] } : null;
    },
    rows(from: number, limit: number): AuditRowRecord[] {
      return s.rows.all(from, limit).map(toRow);
    },
    leafHashes(upTo: number): string[] {
      return s.leafHashes.all(upTo);
    },
    indexesFor(target: AuditTargetQuery): number[] {
      return 'messageId' in target
        ? s.byMessage.all(target.messageId)
        : s.byConversation.all(target.conversationId);
    },
    append(row: AuditRowRecord, state: AuditStateRecord): void {
      s.insertRow.run(row.index, row.entry, row.leafHash, row.rootAfter, row.conversationId, row.messageId);
      s.putState.run(state.size, JSON.stringify(state.nodes));
    },
    checkpoints(): AuditCheckpointRecord[] {
      return s.checkpoints.all().map(toCheckpoint);
    },
    latestCheckpoint(): AuditCheckpointRecord | null {
      const row = s.latestCheckpoint.get();
      return row ? toCheckpoint(row) : null;
    },
    insertCheckpoint(c: AuditCheckpointRecord): boolean {
      return s.insertCheckpoint.run(c.treeSize, c.rootHash, c.issuedAt, c.keyId, c.signature).changes === 1;
    },
  };
}

export type SqliteAuditLog = ReturnType<typeof prepareAuditLog>;
