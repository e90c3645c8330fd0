import assert from 'node:assert/strict';
import type { AuditEntry } from '../../src/core/audit/index.js';
import { call } from './harness.js';

/** Every audit entry, in order, read through the API as a server admin (or compliance user). */
export async function allAuditEntries(url: string, token: string): Promise<AuditEntry[]> {
  const entries: AuditEntry[] = [];
  let from: number | null = 0;
  while (from !== null) {
    const page: { status: number; body: { entries: { entry: AuditEntry }[]; nextFrom: number | null } } =
      await call(url, 'GET', `/v1/audit/entries?from=${from}&limit=500`, { token });
    assert.equal(page.status, 200, JSON.stringify(page.body));
    entries.push(...page.body.entries.map((e) => e.entry));
    from = page.body.nextFrom;
  }
  return entries;
}

/** The `message.recalled` entries about one message. */
export function recallEntriesOf(entries: readonly AuditEntry[], messageId: string): AuditEntry[] {
  return entries.filter((e) => e.kind === 'message.recalled' && e.target.messageId === messageId);
}
