import { MerkleAccumulator, canonicalJson, leafHash, type AuditEntry } from '../core/audit/index.js';
import type { StorageTx } from '../storage/storage.js';
import type { ActionContext, Actor } from './context.js';

/** An entry as an action describes it: the log gives the index; `at` defaults to the server's clock now. */
export type NewAuditEntry = Omit<AuditEntry, 'index' | 'at'> & { readonly at?: string };

/** Thrown when the stored accumulator does not fit the stored rows: nothing more is appended until fixed. */
export class AuditLogInconsistentError extends Error {
  constructor(message: string) {
    super(`${message}; refusing to append to the audit log (run \`retract audit verify\`)`);
    this.name = 'AuditLogInconsistentError';
  }
}

const utf8 = new TextEncoder();

/**
 * Appends one entry to the tamper-evident audit log, inside the caller's transaction: the entry commits
 * with the action it records, or neither does — there is no recall without its entry and no entry for
 * a recall that did not happen. Writers are serialised by the storage transaction, so indexes are
 * gap-free and each append resumes the Merkle accumulator saved by the one before (O(log n), no replay).
 *
 * The entry is stored as the exact canonical JSON its leaf hash covers. Entries never hold message
 * content, attachment data or any token (see core/audit/entry.ts); a value JSON cannot carry faithfully
 * throws, failing the action rather than logging something a verifier could not re-hash.
 */
export async function appendAudit(
  tx: StorageTx,
  ctx: Pick<ActionContext, 'clock'>,
  entry: NewAuditEntry,
): Promise<AuditEntry> {
  const [state, size] = await Promise.all([tx.auditState(), tx.auditSize()]);
  if ((state?.size ?? 0) !== size) {
    throw new AuditLogInconsistentError(
      `the audit accumulator is at size ${state?.size ?? 0} but the log has ${size} rows`,
    );
  }
  const acc = state === null ? new MerkleAccumulator() : MerkleAccumulator.restore(state);
  const full: AuditEntry = {
    index: acc.size,
    kind: entry.kind,
    at: entry.at ?? new Date(ctx.clock.now()).toISOString(),
    actor: entry.actor,
    target: entry.target,
    reason: entry.reason,
    requestId: entry.requestId,
    ...(entry.details === undefined ? {} : { details: entry.details }),
  };
  const text = canonicalJson(full);
  const hash = leafHash(utf8.encode(text));
  acc.append(hash);
  await tx.appendAuditRow(
    {
      index: full.index,
      entry: text,
      leafHash: hash,
      rootAfter: acc.root(),
      conversationId: full.target.conversationId ?? null,
      messageId: full.target.messageId ?? null,
    },
    acc.state(),
  );
  return full;
}

/** Who acted and through which request, for an entry about something a user did in `role`. */
export function byActor(actor: Actor, role: string): Pick<NewAuditEntry, 'actor' | 'requestId'> {
  return { actor: { userId: actor.userId, role }, requestId: actor.requestId ?? null };
}
