import { createClient, type Event, type RetractClient } from '@retract/sdk';
import type { ConnectionState } from '@retract/sdk';
import { isServerAdmin } from './api.js';
import { clearStore, loadSession, loadStore, saveSession, saveStore } from './persist.js';
import type { ReadMarks } from './receipts.js';

/** A send held for the user's send delay, shown as an "undo" toast until `until`. */
export interface HeldSend {
  readonly messageId: string;
  readonly conversationId: string;
  readonly until: string;
}

/**
 * The app's state around one SDK client: the session, read marks (the store does not keep receipts),
 * re-edit offers and held sends. Components subscribe and re-render on any change: the data is small
 * and every view reads straight from the client's store.
 */
export class ChatModel {
  client: RetractClient | null = null;
  username: string | null = null;
  admin = false;
  reads: Record<string, ReadMarks> = {};
  /** Re-edit offers from our own recalls, by message id: the text the server handed back once. */
  readonly reEdits = new Map<string, { body: string; until: string }>();
  held: HeldSend[] = [];
  /** Text to put into a conversation's composer (re-edit, undo send, correction). */
  readonly drafts = new Map<string, { body: string; corrects?: string }>();
  /** Whether the connection has been live at least once: before that there is no "lost" to report. */
  wasLive = false;
  #listeners = new Set<() => void>();
  #unsubscribe: (() => void)[] = [];
  #saveTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(readonly baseUrl: string) {}

  subscribe(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  changed(): void {
    for (const listener of this.#listeners) listener();
  }

  get state(): ConnectionState {
    return this.client?.state ?? 'closed';
  }

  /** Resumes a saved session: local state first (shown at once), then the events missed since. */
  async restore(): Promise<boolean> {
    const session = loadSession();
    if (session === null) return false;
    const { store, reads } = loadStore(session.userId);
    this.reads = reads;
    const client = createClient({ baseUrl: this.baseUrl, token: session.token, store });
    this.#adopt(client, session.username);
    try {
      await client.me();
    } catch (error) {
      if (typeof error === 'object' && error !== null && 'status' in error && error.status === 401) {
        this.#drop();
        saveSession(null);
        return false;
      }
      // Offline: keep showing the local state; the connection retries on its own.
    }
    this.#start();
    return true;
  }

  async register(username: string, password: string): Promise<void> {
    await createClient({ baseUrl: this.baseUrl }).register(username, password);
  }

  async login(username: string, password: string): Promise<void> {
    const probe = createClient({ baseUrl: this.baseUrl });
    const response = await probe.login(username, password, 'Web browser');
    const { store, reads } = loadStore(response.user.id);
    this.reads = reads;
    const client = createClient({ baseUrl: this.baseUrl, token: response.token, store });
    await client.me();
    saveSession({
      token: response.token,
      userId: response.user.id,
      username: response.user.username,
      deviceId: response.device.id,
    });
    this.#adopt(client, response.user.username);
    this.#start();
  }

  async logout(): Promise<void> {
    const client = this.client;
    const userId = client?.user?.id ?? null;
    this.#drop();
    saveSession(null);
    if (userId !== null) clearStore(userId);
    this.changed();
    await client?.logout().catch(() => undefined);
  }

  addHeld(held: HeldSend): void {
    this.held = [...this.held, held];
    this.changed();
  }

  removeHeld(messageId: string): void {
    this.held = this.held.filter((h) => h.messageId !== messageId);
    this.changed();
  }

  #adopt(client: RetractClient, username: string): void {
    this.client = client;
    this.username = username;
    this.#unsubscribe = [
      client.on('event', (event) => this.#onEvent(event)),
      client.on('state', (change) => {
        if (change.to === 'live') this.wasLive = true;
        if (change.reason.code === 'unauthenticated' || change.reason.code === 'session_revoked') {
          void this.logout();
          return;
        }
        this.changed();
      }),
    ];
  }

  #start(): void {
    const client = this.client;
    if (client === null) return;
    client.connect();
    // Pending consent requests may predate the saved cursor's events; fetch them once.
    client.http
      .consentRequests({ status: 'pending' })
      .then(({ requests }) => {
        client.store.loadConsentRequests(requests);
        this.changed();
      })
      .catch(() => undefined);
    void isServerAdmin(client).then((admin) => {
      this.admin = admin;
      this.changed();
    });
    this.changed();
  }

  #drop(): void {
    for (const off of this.#unsubscribe) off();
    this.#unsubscribe = [];
    this.client?.disconnect();
    this.client = null;
    this.username = null;
    this.admin = false;
    this.reads = {};
    this.held = [];
    this.reEdits.clear();
    this.wasLive = false;
  }

  #onEvent(event: Event): void {
    if (event.type === 'conversation.read') {
      this.reads = {
        ...this.reads,
        [event.conversationId]: { ...this.reads[event.conversationId], [event.userId]: event.upTo },
      };
    }
    if (event.type === 'message.created') {
      // A held send that was delivered: its toast has nothing left to undo.
      const held = this.held.find((h) => h.messageId === event.message.id);
      if (held !== undefined) this.held = this.held.filter((h) => h !== held);
    }
    this.#scheduleSave();
    this.changed();
  }

  #scheduleSave(): void {
    if (this.#saveTimer !== null) return;
    this.#saveTimer = setTimeout(() => {
      this.#saveTimer = null;
      if (this.client !== null) saveStore(this.client.store, this.reads);
    }, 300);
  }
}
