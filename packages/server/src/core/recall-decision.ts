import type { RecallRole, Role, Tombstone } from '@retract/protocol';

/** What the recall decision needs to know, all of it plain data (timestamps in ms, server clock). */
export interface RecallInput {
  readonly actorId: string;
  /** The actor's role in the conversation, or null when the actor is not (or no longer) a member. */
  readonly actorRole: Role | null;
  readonly message: {
    readonly senderId: string;
    readonly sentAtMs: number;
    readonly tombstone: Tombstone | null;
  };
  /** Seconds from acceptance during which the sender may recall; 0 = never, null = no limit. */
  readonly windowSeconds: number | null;
  readonly nowMs: number;
}

export interface RecallFacts {
  readonly windowSeconds: number | null;
  readonly sentAt: string;
  readonly now: string;
}

export type RecallDecision =
  | { readonly kind: 'allowed'; readonly role: RecallRole; readonly facts: RecallFacts }
  | { readonly kind: 'already_recalled'; readonly tombstone: Tombstone }
  /** Not a member: the message is reported as missing, exactly like one that does not exist. */
  | { readonly kind: 'hidden' }
  | {
      readonly kind: 'denied';
      readonly code: 'recall_window_expired' | 'not_permitted';
      readonly facts: RecallFacts;
    };

/**
 * May this actor recall this message now? Pure: the server's clock is an input, so no client value can
 * stretch the window, and tests can move time freely.
 *
 * Order matters: visibility first (a non-member learns nothing), then idempotency (a recalled message
 * answers with its tombstone even after the window), then permission, then the window.
 */
export function decideRecall(input: RecallInput): RecallDecision {
  if (input.actorRole === null) return { kind: 'hidden' };
  const { message } = input;
  if (message.tombstone !== null) return { kind: 'already_recalled', tombstone: message.tombstone };
  const facts: RecallFacts = {
    windowSeconds: input.windowSeconds,
    sentAt: new Date(message.sentAtMs).toISOString(),
    now: new Date(input.nowMs).toISOString(),
  };
  if (message.senderId !== input.actorId) return { kind: 'denied', code: 'not_permitted', facts };
  if (!withinWindow(message.sentAtMs, input.windowSeconds, input.nowMs)) {
    return { kind: 'denied', code: 'recall_window_expired', facts };
  }
  return { kind: 'allowed', role: 'sender', facts };
}

/** The window includes its last millisecond: sent at t with a 120 s window, t+120000 is still allowed. */
export function withinWindow(sentAtMs: number, windowSeconds: number | null, nowMs: number): boolean {
  if (windowSeconds === null) return true;
  if (windowSeconds === 0) return false;
  return nowMs - sentAtMs <= windowSeconds * 1000;
}

/** When the window closes, for clients that show a countdown; null when it never does. */
export function windowClosesAt(sentAtMs: number, windowSeconds: number | null): number | null {
  return windowSeconds === null ? null : sentAtMs + windowSeconds * 1000;
}
