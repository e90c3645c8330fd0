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
import type { Connection } from './pool.js';

/**
 * The audit log's part of the PostgreSQL backend (tables `audit_log`, `audit_state`,
 * `audit_checkpoints`). Rows are only ever inserted — no statement here updates or deletes one.
 *
 * Serialising appenders. `appendAudit` (actions/audit.ts) reads the accumulator and the log's size,
 * computes the next row from them and appends it; two transactions doing that at once on different
 * nodes would both compute index n. So in a write transaction, reading the state or the size first
 * locks the single `audit_state` row (`SELECT … FOR UPDATE`, the row exists from the first migration):
 * a second appender waits there until the first commits or rolls back, and then — READ COMMITTED takes
 * a fresh snapshot per statement, and FOR UPDATE returns the newest committed version — reads the
 * state and size the first one left. The lock is held to the end of the transaction, so the row, the
 * new state and the action they record commit together, and indexes stay gap-free with the stored
 * accumulator always the one after the last row.
 */
export class PostgresAuditLog {
  constructor(
    private readonly db: Connection,
    private readonly writable: boolean,
  ) {}

  /** In a write transaction: takes the appenders' lock (see above); held until commit or rollback. */
  private async lockedState(): Promise<{ size: number; nodes: string }> {
    const row = await this.db.one<{ size: number; nodes: string }>(
      `SELECT size, nodes FROM audit_state WHERE id = 1${this.writable ? ' FOR UPDATE' : ''}`,
    );
    if (!row) throw new Error('audit_state has no row; the schema is damaged');
    return row;
  }

  async size(): Promise<number> {
    // Locked before counting, so the size read is the one the appender will append after.
    if (this.writable) await this.lockedState();
    // The next index, from the primary key's end (an index-only lookup), not a count of the rows.
    const row = await this.db.one<{ next: number }>(
      'SELECT coalesce(max(idx) + 1, 0) AS next FROM audit_log',
    );
    return row?.next ?? 0;
  }

  async state(): Promise<AuditStateRecord | null> {
    const row = await this.lockedState();
    // The seeded row stands for "no accumulator yet", as the port has it while the log is empty.
    return row.size === 0 ? null : { size: row.size, nodes: JSON.parse(row.nodes) as string[] };
  }

  async rows(from: number, limit: number): Promise<AuditRowRecord[]> {
    const rows = await this.db.rows<RowRow>('SELECT * FROM audit_log WHERE idx >= $1 ORDER BY idx LIMIT $2', [
      from,
      limit,
    ]);
    return rows.map(toRow);
  }

  async leafHashes(upTo: number): Promise<string[]> {
    const rows = await this.db.rows<{ leaf_hash: string }>(
      'SELECT leaf_hash FROM audit_log WHERE idx < $1 ORDER BY idx',
      [upTo],
    );
    return rows.map((r) => r.leaf_hash);
  }

  async indexesFor(target: AuditTargetQuery): Promise<number[]> {
    const [column, value] =
      'messageId' in target ? ['message_id', target.messageId] : ['conversation_id', target.conversationId];
    const rows = await this.db.rows<{ idx: number }>(
      `SELECT idx FROM audit_log WHERE ${column} = $1 ORDER BY idx`,
      [value],
    );
    return rows.map((r) => r.idx);
  }

  async append(row: AuditRowRecord, state: AuditStateRecord): Promise<void> {
    // The primary key refuses an index that exists: the log is never rewritten.
    await this.db.run(
      `INSERT INTO audit_log (idx, entry, leaf_hash, root_after, conversation_id, message_id)
       VALUES ($1, $2, $3, $4, $5, $6)`,
      [row.index, row.entry, row.leafHash, row.rootAfter, row.conversationId, row.messageId],
    );
    await this.db.run('UPDATE audit_state SET size = $1, nodes = $2 WHERE id = 1', [
      state.size,
      JSON.stringify(state.nodes),
    ]);
  }

  async checkpoints(): Promise<AuditCheckpointRecord[]> {
    const rows = await this.db.rows<CheckpointRow>(
      'SELECT * FROM audit_checkpoints ORDER BY tree_size, issued_at',
    );
    return rows.map(toCheckpoint);
  }

  async latestCheckpoint(): Promise<AuditCheckpointRecord | null> {
    const row = await this.db.one<CheckpointRow>(
      'SELECT * FROM audit_checkpoints ORDER BY tree_size DESC, issued_at DESC LIMIT 1',
    );
    return row ? toCheckpoint(row) : null;
  }

  async insertCheckpoint(c: AuditCheckpointRecord): Promise<boolean> {
    const inserted = await this.db.changes(
      `INSERT INTO audit_checkpoints (tree_size, root_hash, issued_at, key_id, signature)
       VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`,
      [c.treeSize, c.rootHash, c.issuedAt, c.keyId, c.signature],
    );
    return inserted === 1;
  }
}
