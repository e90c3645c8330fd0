import pc from 'picocolors';
import { isApiError, isNetworkError } from '@retract/sdk';
import type { ConsentRequest, DisappearingTimer, Event, Message } from '@retract/protocol';

/** Human output by default; `--json` prints exactly one JSON document (or one per line for streams). */
export function print(json: boolean | undefined, value: unknown, human: () => string): void {
  process.stdout.write(`${json ? JSON.stringify(value) : human()}\n`);
}

export function describeMessage(m: Message): string {
  const time = pc.dim(m.sentAt.slice(11, 19));
  if (m.recalled)
    return `${time} ${pc.dim(m.id)} ${pc.italic(pc.yellow(`recalled by ${m.recalled.recalledBy} (${m.recalled.role})`))}`;
  return `${time} ${pc.dim(m.id)} ${pc.bold(m.senderId)}: ${m.body ?? ''}`;
}

export function describeEvent(e: Event): string {
  const head = `${pc.dim(`#${e.seq}`)} ${pc.cyan(e.type)}`;
  switch (e.type) {
    case 'message.created':
      return `${head} ${describeMessage(e.message)}`;
    case 'message.recalled':
      return `${head} ${e.messageId} by ${e.tombstone.recalledBy} (${e.tombstone.role})${e.tombstone.reason ? `: ${e.tombstone.reason}` : ''}`;
    case 'message.hidden':
      return `${head} ${e.messageId}`;
    case 'conversation.created':
      return `${head} ${e.conversation.id} ${e.conversation.kind} ${e.conversation.title ?? ''} (${e.conversation.members.map((m) => m.username).join(', ')})`;
    case 'member.added':
      return `${head} ${e.members.map((m) => `${m.username} (${m.role})`).join(', ')} → ${e.conversationId}`;
    case 'conversation.read':
      return `${head} ${e.userId} read ${e.conversationId} up to ${e.upTo}`;
    case 'member.removed':
      return `${head} ${e.userId} ← ${e.conversationId}`;
    case 'disappearing.changed':
      return e.disappearing === null
        ? `${head} ${e.by} turned off disappearing messages in ${e.conversationId}`
        : `${head} ${e.by} set messages in ${e.conversationId} to disappear ${describeTimer(e.disappearing)}`;
    case 'consent.requested':
    case 'consent.approved':
    case 'consent.declined':
    case 'consent.cancelled':
    case 'consent.expired':
      return `${head} ${describeConsent(e.request)}`;
  }
}

/** "1 hour after sending", "90 seconds after being read": the largest unit that divides the time. */
export function describeTimer(timer: DisappearingTimer): string {
  const units = [
    ['week', 604_800],
    ['day', 86_400],
    ['hour', 3_600],
    ['minute', 60],
    ['second', 1],
  ] as const;
  const [unit, size] = units.find(([, n]) => timer.seconds % n === 0) ?? units[units.length - 1]!;
  const count = timer.seconds / size;
  const when = timer.mode === 'after_send' ? 'after sending' : 'after being read';
  return `${count} ${unit}${count === 1 ? '' : 's'} ${when}`;
}

/** One line for a consent request: who asks to recall what, and where it stands. */
export function describeConsent(r: ConsentRequest): string {
  const reason = r.reason ? ` “${r.reason}”` : '';
  const decided = r.decidedBy ? ` by ${r.decidedBy}` : '';
  const note = r.note ? ` (${r.note})` : '';
  const when = r.status === 'pending' ? ` until ${r.expiresAt}` : `${decided}${note}`;
  return `${pc.dim(r.id)} ${r.requestedBy} asks to recall ${r.messageId}${reason} · ${pc.bold(r.status)}${when}`;
}

/** Errors as one readable line (or the error body with --json); the exit code says it failed. */
export function reportError(error: unknown, json: boolean | undefined): number {
  if (isApiError(error)) {
    if (json)
      process.stderr.write(
        `${JSON.stringify({ error: { code: error.code, message: error.message, details: error.details } })}\n`,
      );
    else {
      const details =
        error.details && Object.keys(error.details).length > 0
          ? ` ${pc.dim(JSON.stringify(error.details))}`
          : '';
      process.stderr.write(`${pc.red('error')} ${error.code}: ${error.message}${details}\n`);
    }
    return 1;
  }
  if (isNetworkError(error)) {
    process.stderr.write(`${pc.red('error')} cannot reach the server: ${error.message}\n`);
    return 1;
  }
  process.stderr.write(`${pc.red('error')} ${error instanceof Error ? error.message : String(error)}\n`);
  return 1;
}
