import { TimelineStore, type Message } from '@retract/sdk';
import type { ConversationSnapshot } from '@retract/sdk';
import type { ReadMarks } from './receipts.js';

/** What survives a reload: the session (token + device) and the local timeline with its cursor. */
export interface SavedSession {
  readonly token: string;
  readonly userId: string;
  readonly username: string;
  readonly deviceId: string;
}

export interface SavedState {
  readonly v: 1;
  readonly userId: string;
  readonly cursor: number;
  readonly conversations: readonly ConversationSnapshot[];
  readonly reads: Readonly<Record<string, ReadMarks>>;
}

const sessionKey = 'retract.session';
const stateKey = (userId: string): string => `retract.state.${userId}`;

function read<T>(key: string): T | null {
  try {
    const text = localStorage.getItem(key);
    return text === null ? null : (JSON.parse(text) as T);
  } catch {
    return null;
  }
}

export function loadSession(): SavedSession | null {
  return read<SavedSession>(sessionKey);
}

export function saveSession(session: SavedSession | null): void {
  if (session === null) localStorage.removeItem(sessionKey);
  else localStorage.setItem(sessionKey, JSON.stringify(session));
}

/**
 * The saved timeline as a store to resume from: the connection then asks only for the events after its
 * cursor. A recall rewrites the saved copy too (the state is saved after every change), so recalled text
 * does not linger in the browser's storage.
 */
export function loadStore(userId: string): { store: TimelineStore; reads: Record<string, ReadMarks> } {
  const saved = read<SavedState>(stateKey(userId));
  const store = new TimelineStore({ userId });
  if (saved === null || saved.v !== 1 || saved.userId !== userId) return { store, reads: {} };
  const messagesByConversation: Record<string, Message[]> = {};
  for (const c of saved.conversations) messagesByConversation[c.id] = [...c.messages].reverse();
  store.loadSnapshot({
    conversations: saved.conversations.map((c) => ({
      id: c.id,
      kind: c.kind,
      title: c.title,
      createdAt: c.createdAt,
      members: [...c.members],
    })),
    messagesByConversation,
    cursor: saved.cursor,
  });
  return { store, reads: { ...saved.reads } };
}

export function saveStore(store: TimelineStore, reads: Readonly<Record<string, ReadMarks>>): void {
  if (store.userId === null) return;
  const state: SavedState = {
    v: 1,
    userId: store.userId,
    cursor: store.cursor,
    conversations: store.snapshot().conversations,
    reads,
  };
  try {
    localStorage.setItem(stateKey(store.userId), JSON.stringify(state));
  } catch {
    // Storage full or disabled: the app still works, it just syncs more after a reload.
  }
}

export function clearStore(userId: string): void {
  localStorage.removeItem(stateKey(userId));
}
