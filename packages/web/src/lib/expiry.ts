import type { Message } from '@retract/sdk';
import type { Disappearing } from './api.js';
import { durationPhrase, msUntil, type Phrase } from './format.js';

/**
 * The disappearing-messages line under a message: its key, and the duration to put in its `{{time}}`
 * (a phrase of its own, translated first).
 */
export interface ExpiryLine {
  readonly key: 'chat.disappearsIn' | 'chat.disappearsAfterRead';
  readonly time: Phrase;
}

/**
 * What a message says about disappearing, if anything.
 *
 * The message's own expiry decides, not the conversation's current setting: the server fixed it when the
 * timer started (at send, or when someone first read it) and erases the message then, even if the setting
 * has changed or been turned off since. Without an expiry, an `after_read` conversation still says the
 * message will go once read; anything else (no timer, or a message from before one was set) says nothing,
 * as nothing will erase it. A recalled message has nothing left to erase.
 */
export function expiryLine(
  message: Pick<Message, 'recalled' | 'expiresAt'>,
  timer: Disappearing,
  now: number,
): ExpiryLine | null {
  if (message.recalled !== null) return null;
  if (message.expiresAt !== undefined && message.expiresAt !== null) {
    return { key: 'chat.disappearsIn', time: durationPhrase(msUntil(message.expiresAt, now)) };
  }
  if (timer?.mode === 'after_read') {
    return { key: 'chat.disappearsAfterRead', time: durationPhrase(timer.seconds * 1000) };
  }
  return null;
}

/** The lengths the conversation settings offer, in seconds: 5 minutes, 1 hour, 1 day, 1 week. */
export const timerPresets = [300, 3600, 86_400, 604_800] as const;

const timerUnits = [
  ['disappearing.weeks', 604_800],
  ['disappearing.days', 86_400],
  ['disappearing.hours', 3600],
  ['disappearing.minutes', 60],
] as const;

/**
 * A timer's length as people say it ("1 hour", "2 days"): the largest whole unit. A length set some
 * other way (the API takes any number of seconds) falls back to the countdown's two units.
 */
export function timerLength(seconds: number): Phrase {
  for (const [key, size] of timerUnits) {
    if (seconds >= size && seconds % size === 0) return { key, values: { count: seconds / size } };
  }
  return durationPhrase(seconds * 1000);
}

/** "1 hour after sending": the setting's line, with its length to put in `{{time}}`. */
export function timerSetting(timer: NonNullable<Disappearing>): {
  readonly key: string;
  readonly time: Phrase;
} {
  const key =
    timer.mode === 'after_send' ? 'disappearing.setting_after_send' : 'disappearing.setting_after_read';
  return { key, time: timerLength(timer.seconds) };
}
