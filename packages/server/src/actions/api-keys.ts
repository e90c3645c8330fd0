import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { webhooks } from '@retract/protocol';
import { hashToken } from '../auth/tokens.js';
import { AppError } from '../errors.js';
import type { ApiKeyRecord } from '../storage/webhook-records.js';
import type { ActionContext, Actor } from './context.js';
import { requireServerAdmin } from './policy.js';
import { recallMessage } from './recall.js';
import { startRecallJob } from './recall-jobs.js';

const ADMINS_ONLY = 'API keys are for server admins';

/**
 * Admin API keys for server-to-server use (the forced-recall API, docs/webhooks.md). A key is
 * `rk_<id>_<secret>`: the id finds the row, and only the SHA-256 of the whole key is stored — a leaked
 * database holds no usable key. Keys live in the database, so every node accepts them and a revocation
 * holds on all of them at the next request.
 */

const keyPattern = /^rk_(i_[0-9a-f]{24})_[A-Za-z0-9_-]{43}$/;

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

function view(k: ApiKeyRecord): webhooks.ApiKey {
  return {
    id: k.id,
    name: k.name,
    scopes: [...k.scopes],
    createdAt: new Date(k.createdAt).toISOString(),
    revokedAt: iso(k.revokedAt),
  };
}

/** Makes a key; the key itself is in this answer only. */
export async function createApiKey(
  ctx: ActionContext,
  actor: Actor,
  input: webhooks.CreateApiKeyRequest,
): Promise<webhooks.CreatedApiKey> {
  requireServerAdmin(actor, ADMINS_ONLY);
  const id = `i_${randomBytes(12).toString('hex')}`;
  const key = `rk_${id}_${randomBytes(32).toString('base64url')}`;
  const record: ApiKeyRecord = {
    id,
    name: input.name,
    scopes: [...input.scopes],
    secretHash: hashToken(key),
    createdAt: ctx.clock.now(),
    revokedAt: null,
  };
  await ctx.storage.transaction((tx) => tx.insertApiKey(record));
  return { apiKey: view(record), key };
}

export async function listApiKeys(ctx: ActionContext, actor: Actor): Promise<webhooks.ApiKeyList> {
  requireServerAdmin(actor, ADMINS_ONLY);
  return { apiKeys: (await ctx.storage.read((tx) => tx.listApiKeys())).map(view) };
}

/** Revokes a key: the next request with it, on any node, is unauthenticated. */
export async function revokeApiKey(ctx: ActionContext, actor: Actor, id: string): Promise<void> {
  requireServerAdmin(actor, ADMINS_ONLY);
  const revoked = await ctx.storage.transaction((tx) => tx.revokeApiKey(id, ctx.clock.now()));
  if (!revoked) throw new AppError('not_found');
}

/** The live key behind a bearer token, or null (malformed, unknown, wrong secret, revoked). */
export async function authenticateApiKey(ctx: ActionContext, token: string): Promise<ApiKeyRecord | null> {
  const id = keyPattern.exec(token)?.[1];
  if (id === undefined) return null;
  const key = await ctx.storage.read((tx) => tx.findApiKey(id));
  if (!key || key.revokedAt !== null) return null;
  const presented = Buffer.from(hashToken(token));
  const stored = Buffer.from(key.secretHash);
  return presented.length === stored.length && timingSafeEqual(presented, stored) ? key : null;
}

/**
 * The actor a key acts as: server-admin-equivalent, for recall only (the routes it authenticates are the
 * recall routes). No user is behind it: `userId` is the key's id — so a tombstone's `recalledBy` names
 * the key — and the audit entry's actor is `{ userId: null, role, keyId }`.
 */
export function keyActor(key: ApiKeyRecord, requestId: string): Actor {
  return { userId: key.id, deviceId: key.id, serverAdmin: true, requestId, keyId: key.id };
}

/** Forced recall of one message, through the same decision, erasure and audit as a moderator's. */
export function forcedRecall(ctx: ActionContext, actor: Actor, messageId: string, reason: string) {
  return recallMessage(ctx, actor, messageId, { reason });
}

/**
 * Bulk forced recall: listed messages one by one (each answered with its outcome), or one sender's
 * messages in a conversation as a recall job (actions/recall-jobs.ts) that runs after the answer.
 */
export async function bulkForcedRecall(
  ctx: ActionContext,
  actor: Actor,
  input: webhooks.BulkRecallRequest,
): Promise<webhooks.BulkRecallResponse> {
  if ('messageIds' in input) {
    const results: { messageId: string; outcome: string }[] = [];
    for (const messageId of input.messageIds) {
      try {
        const r = await recallMessage(ctx, actor, messageId, { reason: input.reason });
        results.push({ messageId, outcome: r.transitioned ? 'recalled' : 'already_recalled' });
      } catch (error) {
        if (!(error instanceof AppError)) throw error;
        results.push({ messageId, outcome: error.code });
      }
    }
    return { results };
  }
  const job = await startRecallJob(ctx, actor, input.conversationId, {
    userId: input.senderId,
    reason: input.reason,
    ...(input.from === undefined ? {} : { from: input.from }),
    ...(input.to === undefined ? {} : { to: input.to }),
  });
  return { jobId: job.id };
}
