import type { Message } from '@retract/sdk';
import { useT } from '../i18n/index.js';
import type { Disappearing } from '../lib/api.js';
import { expiryLine } from '../lib/expiry.js';

interface Props {
  readonly message: Message;
  /** The conversation's current setting: it matters only to messages whose timer has not started. */
  readonly timer: Disappearing;
  /** The caller's ticking clock, so every bubble of a list counts down together. */
  readonly now: number;
}

/**
 * A message's disappearing timer: a countdown to the moment the server erases it, or — before someone
 * has read it, in an `after_read` conversation — how long it will last once read. Renders nothing when
 * nothing will erase the message.
 */
export function DisappearingTimer({ message, timer, now }: Props) {
  const { t } = useT();
  const line = expiryLine(message, timer, now);
  if (line === null) return null;
  return (
    <div
      class="timer"
      data-testid="disappearing-timer"
      data-kind={line.key === 'chat.disappearsIn' ? 'countdown' : 'after-read'}
    >
      {t(line.key, { time: t(line.time.key, line.time.values) })}
    </div>
  );
}
