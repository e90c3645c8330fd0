import type { ConversationKind, Role, Tombstone } from '@retract/protocol';
import type { ContentType, EffectivePolicy, Window } from './document.js';
import { closesAt, longer, senderWindow, withinWindow } from './window.js';

/** Everything a recall decision needs, as plain data. Times are ms on the server's clock. */
export interface RecallContext {
  readonly actor: {
    readonly userId: string;
    /** The actor's role in the conversation; null when not (or no longer) a member. */
    readonly conversationRole: Role | null;
    readonly serverAdmin: boolean;
  };
  readonly conversationKind: ConversationKind;
  readonly message: {
    readonly senderId: string;
    readonly type: ContentType;
    /** When the server accepted the message: every window runs from here. */
    readonly sentAtMs: number;
    readonly tombstone: Tombstone | null;
    /** A sensitive-content detector flagged it (smart window). */
    readonly flagged: boolean;
    /** Some member other than the sender has read it (until-read recall). */
    readonly readByOthers: boolean;
  };
  readonly policy: EffectivePolicy;
  readonly nowMs: number;
}

export interface RecallInput extends RecallContext {
  /** Why (moderators); blank counts as none. */
  readonly reason: string | null;
}

/** In which capacity a recall happens. `peer`: the other side of a direct chat (`directPeerMayRecall`). */
export type RecallCapacity = 'sender' | 'peer' | 'owner' | 'admin' | 'server_admin';
export type RecallBasis = 'window' | 'unlimited' | 'smart_window' | 'until_read' | 'moderation' | 'peer';
export type RecallDenialCode =
  | 'content_type_not_recallable'
  | 'not_permitted'
  | 'reason_required'
  | 'recall_window_expired'
  | 'needs_consent';

/**
 * The facts behind a denial, for the error's `details`. `windowSeconds` is the window this actor had for
 * this message in the capacity that was tried (`0` when none: not recallable, not permitted).
 */
export interface RecallFacts {
  readonly windowSeconds: Window;
  readonly sentAt: string;
  readonly now: string;
  /** When that window closed or closes (ISO); null when it never does. */
  readonly closesAt?: string | null;
  readonly type?: ContentType;
  readonly recallableTypes?: readonly ContentType[];
  /** The actor's capacity tried, or their conversation role when they have none. */
  readonly role?: RecallCapacity | Role | null;
  readonly serverAdmin?: boolean;
  /** needs_consent: the last moment consent can be asked (ISO); null when there is no maximum age. */
  readonly consentUntil?: string | null;
  readonly requestTtlSeconds?: number;
}

export type RecallDecision =
  /** Not a member and not a server admin: answer exactly as for a message that does not exist. */
  | { readonly kind: 'hidden' }
  | { readonly kind: 'already_recalled'; readonly tombstone: Tombstone }
  | {
      readonly kind: 'allowed';
      readonly as: RecallCapacity;
      readonly basis: RecallBasis;
      /** Last millisecond of the window that allowed it; null when unlimited or until read. */
      readonly closesAt: number | null;
      /** What recipients see for a moderator's recall; null for the sender or the peer. */
      readonly label: string | null;
    }
  | { readonly kind: 'denied'; readonly code: RecallDenialCode; readonly facts: RecallFacts };

type Allowed = Extract<RecallDecision, { kind: 'allowed' }>;
type Denied = Extract<RecallDecision, { kind: 'denied' }>;

/**
 * May this actor recall this message now? Pure: the clock is an input, so no client value can stretch
 * a window and tests move time freely. The order of checks, and why:
 *
 * 1. Visibility — a non-member who is not a server admin learns nothing (`hidden`, as for a missing
 *    message), not even that it was recalled.
 * 2. Idempotency — a recalled message answers with its tombstone whoever asks and however late, so a
 *    retried recall gets the same answer as the first.
 * 3. Content type — a type the policy does not make recallable cannot be recalled by anyone, moderators
 *    included; saying so first spares a useless reason or consent request.
 * 4. Permission — the capacities the actor has: `sender` (a member who sent it); in a group, a moderator
 *    role the policy names (conversation owner/admin by role, `server_admin` by the flag; literal: an
 *    owner is not implicitly an admin); in a direct chat, `peer` (a member who did not send it) only with
 *    `directPeerMayRecall`. Nothing else: a plain member never recalls someone else's message in a group,
 *    and moderation never applies in a direct chat. No capacity: `not_permitted`.
 * 5. Reason — a moderator without a reason under `requireReason`: `reason_required`.
 * 6. Window — the capacity's window. The sender's: per kind and type, or the smart window if the message
 *    is flagged and that is longer; past it, `untilRead` while nobody else has read it; past that,
 *    `needs_consent` while consent may be asked, else `recall_window_expired`.
 *
 * An actor with two capacities (a sender who is also a moderator) tries the sender's first, then
 * moderation. If both fail, `reason_required` wins (a reason would make it succeed); otherwise the
 * sender's own denial is returned (its window and consent are what they can act on).
 */
export function decideRecall(input: RecallInput): RecallDecision {
  return decide(input, input.reason !== null && input.reason.trim() !== '');
}

function decide(ctx: RecallContext, hasReason: boolean): RecallDecision {
  const { actor, message, policy } = ctx;
  const member = actor.conversationRole !== null;
  if (!member && !actor.serverAdmin) return { kind: 'hidden' };
  if (message.tombstone !== null) return { kind: 'already_recalled', tombstone: message.tombstone };
  if (!policy.recallableTypes.includes(message.type)) {
    return deny(ctx, 'content_type_not_recallable', 0, {
      type: message.type,
      recallableTypes: policy.recallableTypes,
    });
  }

  const isSender = member && message.senderId === actor.userId;
  const other = otherCapacity(ctx, isSender);
  if (!isSender && other === null) {
    return deny(ctx, 'not_permitted', 0, { role: actor.conversationRole, serverAdmin: actor.serverAdmin });
  }
  const asSender = isSender ? senderPath(ctx) : null;
  if (asSender?.kind === 'allowed') return asSender;
  if (other === null) return asSender ?? deny(ctx, 'not_permitted', 0, {});
  const asOther = other === 'peer' ? peerPath(ctx) : moderationPath(ctx, other, hasReason);
  if (asOther.kind === 'allowed') return asOther;
  return asSender !== null && asOther.code !== 'reason_required' ? asSender : asOther;
}

/** The capacity besides `sender` this actor has for this message, if any. */
function otherCapacity(ctx: RecallContext, isSender: boolean): Exclude<RecallCapacity, 'sender'> | null {
  const { actor, policy } = ctx;
  if (ctx.conversationKind === 'direct') {
    return actor.conversationRole !== null && !isSender && policy.directPeerMayRecall ? 'peer' : null;
  }
  const roles = policy.moderation.roles;
  const role = actor.conversationRole;
  if ((role === 'owner' || role === 'admin') && roles.includes(role)) return role;
  if (actor.serverAdmin && roles.includes('server_admin')) return 'server_admin';
  return null;
}

/** The sender's window for this message, with the smart window applied, and why it is what it is. */
function effectiveSenderWindow(ctx: RecallContext): { window: Window; basis: RecallBasis } {
  const { policy, message } = ctx;
  const base = senderWindow(policy, ctx.conversationKind, message.type);
  const smart = policy.smartWindow;
  if (message.flagged && smart.enabled && longer(base, smart.windowSeconds) !== base) {
    return { window: smart.windowSeconds, basis: 'smart_window' };
  }
  return { window: base, basis: base === null ? 'unlimited' : 'window' };
}

function senderPath(ctx: RecallContext): Allowed | Denied {
  const { policy, message, nowMs } = ctx;
  const { window, basis } = effectiveSenderWindow(ctx);
  if (withinWindow(message.sentAtMs, window, nowMs)) {
    return {
      kind: 'allowed',
      as: 'sender',
      basis,
      closesAt: closesAt(message.sentAtMs, window),
      label: null,
    };
  }
  if (policy.untilRead && !message.readByOthers) {
    return { kind: 'allowed', as: 'sender', basis: 'until_read', closesAt: null, label: null };
  }
  const closed = iso(closesAt(message.sentAtMs, window));
  const consent = policy.consent;
  if (consent.enabled && withinWindow(message.sentAtMs, consent.maxAgeSeconds, nowMs)) {
    return deny(ctx, 'needs_consent', window, {
      closesAt: closed,
      role: 'sender',
      consentUntil: iso(closesAt(message.sentAtMs, consent.maxAgeSeconds)),
      requestTtlSeconds: consent.requestTtlSeconds,
    });
  }
  return deny(ctx, 'recall_window_expired', window, { closesAt: closed, role: 'sender', type: message.type });
}

/** The other side of a direct chat, within the sender's window (no until-read, no consent). */
function peerPath(ctx: RecallContext): Allowed | Denied {
  const { message, nowMs } = ctx;
  const { window } = effectiveSenderWindow(ctx);
  const closes = closesAt(message.sentAtMs, window);
  if (withinWindow(message.sentAtMs, window, nowMs)) {
    return { kind: 'allowed', as: 'peer', basis: 'peer', closesAt: closes, label: null };
  }
  return deny(ctx, 'recall_window_expired', window, {
    closesAt: iso(closes),
    role: 'peer',
    type: message.type,
  });
}

function moderationPath(
  ctx: RecallContext,
  as: 'owner' | 'admin' | 'server_admin',
  hasReason: boolean,
): Allowed | Denied {
  const { policy, message, nowMs } = ctx;
  const { windowSeconds, requireReason, label } = policy.moderation;
  const closes = closesAt(message.sentAtMs, windowSeconds);
  if (requireReason && !hasReason) {
    return deny(ctx, 'reason_required', windowSeconds, { closesAt: iso(closes), role: as });
  }
  if (withinWindow(message.sentAtMs, windowSeconds, nowMs)) {
    return { kind: 'allowed', as, basis: 'moderation', closesAt: closes, label };
  }
  return deny(ctx, 'recall_window_expired', windowSeconds, {
    closesAt: iso(closes),
    role: as,
    type: message.type,
  });
}

function deny(
  ctx: RecallContext,
  code: RecallDenialCode,
  windowSeconds: Window,
  extra: Omit<RecallFacts, 'windowSeconds' | 'sentAt' | 'now'>,
): Denied {
  return {
    kind: 'denied',
    code,
    facts: {
      windowSeconds,
      sentAt: new Date(ctx.message.sentAtMs).toISOString(),
      now: new Date(ctx.nowMs).toISOString(),
      ...extra,
    },
  };
}

function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

export type RecallOption =
  | {
      readonly allowed: true;
      readonly as: RecallCapacity;
      readonly basis: RecallBasis;
      /** Until when (ms); null when unlimited — or, for basis `until_read`, until someone reads it. */
      readonly until: number | null;
      readonly reasonRequired: boolean;
    }
  | {
      readonly allowed: false;
      readonly code: RecallDenialCode | 'already_recalled';
      readonly facts: RecallFacts;
    };

export interface RecallOptions {
  readonly recall: RecallOption;
  /**
   * `available`: asking for consent is how this actor can recall it right now. `until`: the last moment
   * consent can be asked, whenever consent applies to this sender (null: no maximum age, or consent does
   * not apply — then `available` is false).
   */
  readonly consent: { readonly available: boolean; readonly until: number | null };
  /** Seconds after recalling during which the sender gets a text back into the composer (0 = none). */
  readonly reEdit: { readonly seconds: number };
}

/**
 * What this actor may do with this message now, and until when — for a client's recall menu and
 * countdown. Null when the message is hidden from the actor. The same decision as `decideRecall`,
 * asked as if a reason will be given, with `reasonRequired` saying whether one must be.
 */
export function recallOptions(ctx: RecallContext): RecallOptions | null {
  const decision = decide(ctx, true);
  if (decision.kind === 'hidden') return null;
  const { actor, message, policy } = ctx;
  const isSender = actor.conversationRole !== null && message.senderId === actor.userId;
  const reEdit = { seconds: isSender && message.type === 'text' ? policy.reEditSeconds : 0 };
  const consentApplies = isSender && policy.consent.enabled && policy.recallableTypes.includes(message.type);
  const consent = {
    available: decision.kind === 'denied' && decision.code === 'needs_consent',
    until: consentApplies ? closesAt(message.sentAtMs, policy.consent.maxAgeSeconds) : null,
  };
  switch (decision.kind) {
    case 'already_recalled':
      return {
        recall: {
          allowed: false,
          code: 'already_recalled',
          facts: deny(ctx, 'not_permitted', 0, {}).facts,
        },
        consent: { available: false, until: null },
        reEdit,
      };
    case 'denied':
      return { recall: { allowed: false, code: decision.code, facts: decision.facts }, consent, reEdit };
    case 'allowed':
      return {
        recall: {
          allowed: true,
          as: decision.as,
          basis: decision.basis,
          until: decision.closesAt,
          reasonRequired: decision.basis === 'moderation' && policy.moderation.requireReason,
        },
        consent,
        reEdit,
      };
  }
}
