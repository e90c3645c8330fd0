import type { Message } from '@retract/sdk';

/** Who has read a conversation up to which message: userId → message id, from `conversation.read`. */
export type ReadMarks = Readonly<Record<string, string>>;

/** Position of a message in send order, or -1 when it is not held (e.g. hidden since). */
function indexOf(messages: readonly Message[], id: string | undefined): number {
  return id === undefined ? -1 : messages.findIndex((m) => m.id === id);
}

/** Messages from others after the user's own read mark. */
export function unreadCount(messages: readonly Message[], myId: string | null, marks: ReadMarks): number {
  const from = myId === null ? -1 : indexOf(messages, marks[myId]);
  let count = 0;
  for (let i = from + 1; i < messages.length; i += 1) if (messages[i]?.senderId !== myId) count += 1;
  return count;
}

/** Ids of the user's own messages that at least one other member has read. */
export function readByOthers(
  messages: readonly Message[],
  myId: string | null,
  marks: ReadMarks,
): Set<string> {
  let furthest = -1;
  for (const [userId, upTo] of Object.entries(marks)) {
    if (userId !== myId) furthest = Math.max(furthest, indexOf(messages, upTo));
  }
  const read = new Set<string>();
  for (let i = 0; i <= furthest; i += 1) {
    const message = messages[i];
    if (message !== undefined && message.senderId === myId) read.add(message.id);
  }
  return read;
}

/** The newest message from someone else when it is past the user's read mark: what to mark read now. */
export function toMarkRead(
  messages: readonly Message[],
  myId: string | null,
  marks: ReadMarks,
): string | null {
  if (unreadCount(messages, myId, marks) === 0) return null;
  return messages[messages.length - 1]?.id ?? null;
}
