import { createHash } from 'node:crypto';
import type { api } from '@retract/protocol';
import {
  checkConversationPolicy,
  presets,
  recallOptions,
  validatePolicyDocument,
  type PolicyDocument,
} from '../core/policy/index.js';
import { AppError } from '../errors.js';
import { canonicalJson } from '../core/audit/index.js';
import { appendAudit, byActor } from './audit.js';
import type { ActionContext, Actor } from './context.js';
import { requireMember } from './conversations.js';
import { policyFor } from './policy.js';
import { recallContext } from './recall-context.js';
import { queueWebhooks } from '../webhooks/queue.js';

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

/** What the caller may do with a message now, and until when. */
export async function getRecallOptions(
  ctx: ActionContext,
  actor: Actor,
  messageId: string,
): Promise<api.RecallOptionsResponse> {
  const { found, pending } = await ctx.storage.read(async (tx) => {
    const found = await recallContext(ctx, tx, actor, messageId);
    const latest = found && (await tx.latestConsentRequest(messageId));
    const pending = latest?.status === 'pending' && latest.requesterId === actor.userId ? latest.id : null;
    return { found, pending };
  });
  const options = found && recallOptions(found.context);
  if (!found || !options) throw new AppError('not_found');
  const { recall } = options;
  return {
    messageId,
    recall: recall.allowed
      ? {
          allowed: true,
          as: recall.as,
          basis: recall.basis,
          until: iso(recall.until),
          reasonRequired: recall.reasonRequired,
        }
      : { allowed: false, code: recall.code, details: { ...recall.facts } },
    consent: {
      available: options.consent.available,
      until: iso(options.consent.until),
      pendingRequestId: pending,
    },
    reEdit: options.reEdit,
    placeholder: found.policy.placeholder,
  };
}

export async function getConversationPolicy(
  ctx: ActionContext,
  actor: Actor,
  conversationId: string,
): Promise<api.ConversationPolicyResponse> {
  return ctx.storage.read(async (tx) => {
    const { conversation } = await requireMember(tx, conversationId, actor.userId);
    return {
      document: (conversation.policy ?? null) as Record<string, unknown> | null,
      effective: policyFor(ctx, conversation) as unknown as Record<string, unknown>,
    };
  });
}

/**
 * Sets (or, with null, clears) a conversation's own policy. Only its owners — or a server admin — may,
 * and only within the bounds the operator set; every problem is reported with its path.
 */
export async function setConversationPolicy(
  ctx: ActionContext,
  actor: Actor,
  conversationId: string,
  document: unknown,
): Promise<api.ConversationPolicyResponse> {
  let doc: PolicyDocument | null = null;
  if (document !== null) {
    const checked = validatePolicyDocument(document);
    if (!checked.ok)
      throw new AppError('policy_invalid', { path: checked.errors[0]?.path ?? '', errors: checked.errors });
    const violations = checkConversationPolicy(checked.policy, ctx.config.policy.bounds);
    if (violations.length > 0) {
      throw new AppError('policy_out_of_bounds', { path: violations[0]?.path ?? '', errors: violations });
    }
    doc = checked.policy;
  }
  return ctx.storage.transaction(async (tx) => {
    const { conversation, membership } = await requireMember(tx, conversationId, actor.userId);
    if (membership.role !== 'owner' && !actor.serverAdmin) {
      throw new AppError('not_permitted', { reason: 'only owners change a conversation’s policy' });
    }
    await tx.setConversationPolicy(conversationId, doc);
    await appendAudit(tx, ctx, {
      kind: 'policy.changed',
      ...byActor(actor, membership.role === 'owner' ? 'owner' : 'server_admin'),
      target: { conversationId },
      reason: null,
      // What was set, without the document itself: its preset, and a hash that identifies it exactly.
      details: {
        cleared: doc === null,
        preset: doc?.preset ?? null,
        documentSha256: doc === null ? null : createHash('sha256').update(canonicalJson(doc)).digest('hex'),
      },
    });
    await queueWebhooks(tx, 'policy.changed', { conversationId, subjectId: actor.userId }, ctx.clock.now());
    return {
      document: doc as Record<string, unknown> | null,
      effective: policyFor(ctx, { ...conversation, policy: doc }) as unknown as Record<string, unknown>,
    };
  });
}

export function getServerPolicy(ctx: ActionContext): api.ServerPolicyResponse {
  const resolve = (kind: 'direct' | 'group') =>
    policyFor(ctx, { kind, policy: null }) as unknown as Record<string, unknown>;
  return {
    effective: { direct: resolve('direct'), group: resolve('group') },
    bounds: { ...ctx.config.policy.bounds },
    presets: presets as unknown as Record<string, Record<string, unknown>>,
  };
}
