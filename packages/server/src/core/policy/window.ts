import type { ConversationKind } from '@retract/protocol';
import type { ContentType, EffectivePolicy, Window } from './document.js';

/**
 * Window arithmetic, shared by resolution and decisions. A window runs from the moment the server
 * accepted the message and includes its last millisecond: sent at t with 120 s, t + 120000 is inside.
 */

/** Is `nowMs` inside a window of `windowSeconds` that opened at `startMs`? `0` = never, `null` = always. */
export function withinWindow(startMs: number, windowSeconds: Window, nowMs: number): boolean {
  if (windowSeconds === null) return true;
  if (windowSeconds === 0) return false;
  return nowMs - startMs <= windowSeconds * 1000;
}

/** The last millisecond inside the window; null when it never closes. */
export function closesAt(startMs: number, windowSeconds: Window): number | null {
  return windowSeconds === null ? null : startMs + windowSeconds * 1000;
}

/** The longer of two windows (`null`, no limit, is longest). */
export function longer(a: Window, b: Window): Window {
  return a === null || b === null ? null : Math.max(a, b);
}

/** The shorter of two windows. */
export function shorter(a: Window, b: Window): Window {
  if (a === null) return b;
  if (b === null) return a;
  return Math.min(a, b);
}

/** Does `value` exceed `max`? `null` (no limit) exceeds any finite maximum. */
export function exceeds(value: Window, max: Window): boolean {
  if (max === null) return false;
  return value === null || value > max;
}

/** The sender's window for a message of `type` in a conversation of `kind`: a per-type entry beats the per-kind one. */
export function senderWindow(policy: EffectivePolicy, kind: ConversationKind, type: ContentType): Window {
  const entry = policy.windows.types[type]?.[kind];
  return entry === undefined ? policy.windows[kind] : entry;
}
