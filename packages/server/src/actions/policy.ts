import type { ConversationKind } from '@retract/protocol';
import { resolvePolicy, type EffectivePolicy, type PolicyDocument } from '../core/policy/index.js';
import { AppError } from '../errors.js';
import type { ActionContext, Actor } from './context.js';

/** The policy in force in one conversation: server document → kind document → the conversation's own. */
export function policyFor(
  ctx: ActionContext,
  conversation: { readonly kind: ConversationKind; readonly policy: unknown },
): EffectivePolicy {
  const { policy } = ctx.config;
  return resolvePolicy({
    server: policy.default,
    kinds: {
      ...(policy.direct === undefined ? {} : { direct: policy.direct }),
      ...(policy.group === undefined ? {} : { group: policy.group }),
    },
    // Stored documents were validated when set; the type says what they are.
    conversation: (conversation.policy ?? null) as PolicyDocument | null,
    kind: conversation.kind,
    bounds: policy.bounds,
  });
}

/** Whether a username holds the server admin role (configured, compared case-insensitively). */
export function isServerAdmin(ctx: ActionContext, username: string): boolean {
  const name = username.toLowerCase();
  return ctx.config.serverAdmins.some((admin) => admin.toLowerCase() === name);
}

/**
 * Whether a username holds the compliance role (`compliance.users`, compared case-insensitively): it may
 * read the whole audit log and export evidence about any conversation.
 */
export function isComplianceUser(ctx: ActionContext, username: string): boolean {
  const name = username.toLowerCase();
  return ctx.config.compliance.users.some((user) => user.toLowerCase() === name);
}

/** Admin-only actions (analytics, webhooks, API keys, accounts) refuse everyone else the same way. */
export function requireServerAdmin(actor: Actor, reason?: string): void {
  if (!actor.serverAdmin) throw new AppError('not_permitted', reason === undefined ? undefined : { reason });
}
