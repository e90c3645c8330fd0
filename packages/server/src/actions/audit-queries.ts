import type { api } from '@retract/protocol';
import { consistencyProof, inclusionProof, type AuditEntry } from '../core/audit/index.js';
import { AppError } from '../errors.js';
import type { StorageReader } from '../storage/storage.js';
import type { ActionContext, Actor } from './context.js';
import { isComplianceUser } from './policy.js';

/**
 * Reading the audit log: its published checkpoint (anyone), its entries (server admins and the
 * compliance role: entries name users, conversations and moderators' reasons), and proofs (any signed-in
 * user: a proof is only hashes, and lets a holder of a checkpoint or a bundle check it against the log).
 */

/** The capacity in which the actor may read the whole log, or null when they may not. */
export async function auditReaderRole(
  ctx: ActionContext,
  tx: StorageReader,
  actor: Actor,
): Promise<'server_admin' | 'compliance' | null> {
  if (actor.serverAdmin) return 'server_admin';
  const user = await tx.findUserById(actor.userId);
  return user !== null && isComplianceUser(ctx, user.username) ? 'compliance' : null;
}

/** The latest signed checkpoint and the key to check it with. Public: it is meant to be copied away. */
export async function publishedCheckpoint(ctx: ActionContext): Promise<api.AuditCheckpointResponse> {
  const checkpoint = await ctx.storage.read((tx) => tx.latestCheckpoint());
  return { checkpoint, publicKey: ctx.audit.publicKey, keyId: ctx.audit.keyId };
}

/** Server admins: sign a checkpoint now (e.g. before taking a copy of the log elsewhere). */
export async function signCheckpointNow(
  ctx: ActionContext,
  actor: Actor,
): Promise<api.SignCheckpointResponse> {
  if (!actor.serverAdmin) {
    throw new AppError('not_permitted', { reason: 'only server admins sign audit checkpoints on demand' });
  }
  return { checkpoint: await ctx.audit.checkpoint() };
}

/** A page of entries, in log order, each with its stored hashes. */
export async function listAuditEntries(
  ctx: ActionContext,
  actor: Actor,
  query: api.AuditEntriesQuery,
): Promise<api.AuditEntriesPage> {
  const from = query.from ?? 0;
  const limit = query.limit ?? 100;
  return ctx.storage.read(async (tx) => {
    if ((await auditReaderRole(ctx, tx, actor)) === null) {
      throw new AppError('not_permitted', { reason: 'the audit log is for server admins and compliance' });
    }
    const [rows, size] = await Promise.all([tx.readAuditRows(from, limit), tx.auditSize()]);
    const next = from + rows.length;
    return {
      entries: rows.map((r) => ({
        entry: JSON.parse(r.entry) as AuditEntry,
        leafHash: r.leafHash,
        rootAfter: r.rootAfter,
      })),
      size,
      nextFrom: rows.length === limit && next < size ? next : null,
    };
  });
}

/** The inclusion proof of one entry in the tree of `treeSize` (for instance a published checkpoint's). */
export async function inclusionProofFor(
  ctx: ActionContext,
  query: api.InclusionProofQuery,
): Promise<api.InclusionProofResponse> {
  const { index, treeSize } = query;
  if (index >= treeSize) {
    throw new AppError('audit_out_of_range', { index, treeSize, reason: 'index must be below treeSize' });
  }
  const leaves = await ctx.storage.read(async (tx) => {
    await requireTree(tx, treeSize);
    return tx.auditLeafHashes(treeSize);
  });
  return {
    index,
    treeSize,
    leafHash: leaves[index] as string,
    proof: inclusionProof(leaves, index, treeSize),
  };
}

/** The proof that the tree of `from` is a prefix of the tree of `to`: that the log only grew between them. */
export async function consistencyProofFor(
  ctx: ActionContext,
  query: api.ConsistencyProofQuery,
): Promise<api.ConsistencyProofResponse> {
  const { from, to } = query;
  if (from > to) throw new AppError('audit_out_of_range', { from, to, reason: 'from must not exceed to' });
  const leaves = await ctx.storage.read(async (tx) => {
    await requireTree(tx, to);
    return tx.auditLeafHashes(to);
  });
  return { from, to, proof: consistencyProof(leaves, from, to) };
}

async function requireTree(tx: StorageReader, treeSize: number): Promise<void> {
  const size = await tx.auditSize();
  if (treeSize > size) throw new AppError('audit_out_of_range', { treeSize, size });
}
