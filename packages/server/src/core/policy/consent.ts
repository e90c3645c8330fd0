import type { ConsentStatus, ConversationKind, Role } from '@retract/protocol';

/**
 * Consent recall: who decides, and whether a step on a request may be taken now. Pure: the caller brings
 * the request, the actor and the time.
 *
 * Who decides follows who would otherwise be hurt or responsible: in a direct chat the other person (the
 * only one who received it); in a group the owners and admins (and the server admin role). Never the
 * sender themselves — that would be a recall with extra steps.
 */
export function mayDecideConsent(input: {
  readonly conversationKind: ConversationKind;
  /** The actor's role in the conversation; null when not a member. */
  readonly role: Role | null;
  readonly serverAdmin: boolean;
  readonly isRequester: boolean;
}): boolean {
  if (input.isRequester) return false;
  if (input.conversationKind === 'direct') return input.role !== null;
  return input.role === 'owner' || input.role === 'admin' || input.serverAdmin;
}

export type ConsentAction = 'approve' | 'decline' | 'cancel';

export type ConsentStep =
  /** Take the step. */
  | { readonly kind: 'proceed' }
  /** The request ran out before this step: record it as expired, then refuse the step. */
  | { readonly kind: 'expire' }
  /** The message is already gone (recalled some other way): record the request as cancelled, refuse. */
  | { readonly kind: 'withdraw' }
  | { readonly kind: 'not_pending'; readonly status: ConsentStatus }
  | { readonly kind: 'not_permitted' };

/**
 * Whether `action` may be taken on a request now. Approving and declining belong to the deciders;
 * cancelling to the sender who asked. Time is checked on the server's clock: a request whose expiry
 * has passed is expired even if the sweeper has not come round yet.
 */
export function consentStep(input: {
  readonly action: ConsentAction;
  readonly status: ConsentStatus;
  readonly expiresAtMs: number;
  readonly nowMs: number;
  readonly mayDecide: boolean;
  readonly isRequester: boolean;
  readonly messageRecalled: boolean;
}): ConsentStep {
  const permitted = input.action === 'cancel' ? input.isRequester : input.mayDecide;
  if (!permitted) return { kind: 'not_permitted' };
  if (input.status !== 'pending') return { kind: 'not_pending', status: input.status };
  if (input.nowMs >= input.expiresAtMs) return { kind: 'expire' };
  if (input.messageRecalled) return { kind: 'withdraw' };
  return { kind: 'proceed' };
}
