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
