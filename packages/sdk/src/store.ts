import type {
  ConsentRequest,
  Conversation,
  DisappearingTimer,
  Event,
  EventOf,
  Member,
  Message,
  Tombstone,
} from '@retract/protocol';
import { canonicalConversation, canonicalMessage, compareIds, type TimelineSnapshot } from './snapshot.js';

export interface TimelineStoreOptions {
  /** The device's own user; needed to notice being removed from a conversation. */
  readonly userId?: string | null;
  /** Highest sequence number already reflected in the state (e.g. restored from disk). */
  readonly cursor?: number;
}

/** What a fresh fetch returns, to seed a store with. */
export interface FetchedState {
  readonly conversations: readonly Conversation[];
  /** History pages of each conversation concatenated as fetched: newest first. */
  readonly messagesByConversation?: Readonly<Record<string, readonly Message[]>>;
  /** The cursor the state corresponds to: every event up to it is reflected in the fetch. */
  readonly cursor: number;
}

interface ConversationState {
  conversation: Omit<Conversation, 'members'>;
  readonly members: Map<string, Member>;
  /** Insertion order is send order: a message enters the map when its `message.created` arrives. */
  messages: Map<string, Message>;
  /**
   * The disappearing-messages timer as the last `disappearing.changed` set it (null: off); undefined
   * while no such event arrived, as a conversation's own view does not carry it — ask the server then.
   */
  disappearing?: DisappearingTimer | null;
}

/**
 * Bound on the ids remembered for events that arrived before their message (early recalls and hides).
 * Such ids are rare; the bound only stops a long-lived client from growing without limit.
 */
const rememberLimit = 10_000;

/**
 * The local state a device keeps, changed only by applying events (or by seeding from a fetch).
 *
 * Rules, and why:
 * - Sequence numbers: an event with `seq <= cursor` is ignored, so delivering an event twice is harmless.
 *   The store does not demand contiguity; the Connection does, before it hands events over.
 * - Events that concern an unknown conversation are ignored: the device is not (or no longer) a member.
 * - A recall always wins. A `message.recalled` that arrives before its `message.created` is remembered,
 *   and the create is then shown as recalled, never with content; a create for a message already shown
 *   as recalled does not bring content back. Early hides are remembered the same way.
 * - Every rule is idempotent with respect to state already reflected in a fetch, which is what makes
 *   "fetch, then apply the events after the cursor taken before the fetch" safe.
 */
export class TimelineStore {
  #userId: string | null;
  #cursor: number;
  readonly #conversations = new Map<string, ConversationState>();
  readonly #earlyRecalls = new Map<string, Tombstone>();
  readonly #hiddenIds = new Set<string>();
  readonly #consent = new Map<string, ConsentRequest>();

  constructor(options: TimelineStoreOptions = {}) {
    this.#userId = options.userId ?? null;
    this.#cursor = options.cursor ?? 0;
  }

  get userId(): string | null {
    return this.#userId;
  }

  /** Highest sequence number applied. */
  get cursor(): number {
    return this.#cursor;
  }

  /**
   * Sets the device's user. A store never mixes two users' state, so a different user than the one
   * already set empties it (cursor 0). Returns whether it did.
   */
  setUser(userId: string): boolean {
    if (this.#userId === userId) return false;
    const wasSomeoneElse = this.#userId !== null;
    if (wasSomeoneElse) this.reset(userId);
    else this.#userId = userId;
    return wasSomeoneElse;
  }

  /** Starts over empty, for `userId`. */
  reset(userId: string | null, cursor = 0): void {
    this.#userId = userId;
    this.#cursor = cursor;
    this.#conversations.clear();
    this.#earlyRecalls.clear();
    this.#hiddenIds.clear();
    this.#consent.clear();
  }

  /**
   * Consent requests this user made or may decide, as events told of them (newest first). Pending ones
   * are what an app shows as cards to act on.
   */
  consentRequests(): ConsentRequest[] {
    return [...this.#consent.values()].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  }

  /** Adds requests fetched over HTTP. A request that has ended never changes again, so it is kept. */
  loadConsentRequests(requests: readonly ConsentRequest[]): void {
    for (const r of requests) {
      const held = this.#consent.get(r.id);
      if (held === undefined || held.status === 'pending') this.#consent.set(r.id, r);
    }
  }

  /** Applies one event. Returns false when it was ignored as already applied (`seq <= cursor`). */
  apply(event: Event): boolean {
    if (event.seq <= this.#cursor) return false;
    this.#cursor = event.seq;
    switch (event.type) {
      case 'conversation.created':
        this.#putConversation(event.conversation);
        break;
      case 'member.added':
        for (const member of event.members) {
          this.#conversations.get(event.conversationId)?.members.set(member.userId, member);
        }
        break;
      case 'member.removed':
        this.#removeMember(event);
        break;
      case 'message.created':
        this.#putMessage(event.message);
        break;
      case 'message.recalled':
        this.#recall(event);
        break;
      case 'message.hidden':
        this.#hide(event.conversationId, event.messageId);
        break;
      case 'conversation.read':
        // Receipts are shown by the app as they arrive; the timeline changes only when the read started
        // disappearing timers.
        if (event.expiresAt !== undefined) this.#startReadTimers(event, event.expiresAt);
        break;
      case 'disappearing.changed': {
        // Messages keep the expiry they have: the setting decides only timers that have not started.
        const state = this.#conversations.get(event.conversationId);
        if (state !== undefined) state.disappearing = event.disappearing && { ...event.disappearing };
        break;
      }
      case 'consent.requested':
      case 'consent.approved':
      case 'consent.declined':
      case 'consent.cancelled':
      case 'consent.expired':
        // Each step carries the whole request as it now stands; the newest step wins.
        this.#consent.set(event.request.id, event.request);
        break;
    }
    return true;
  }

  /** Applies events in order; returns how many were not duplicates. */
  applyAll(events: Iterable<Event>): number {
    let applied = 0;
    for (const event of events) if (this.apply(event)) applied += 1;
    return applied;
  }

  /**
   * Replaces the whole state by a fresh fetch. Remembered early recalls and hides are kept (they concern
   * events still to come) and also applied to the fetched messages: a recall always wins.
   */
  loadSnapshot(state: FetchedState): void {
    this.#conversations.clear();
    this.#cursor = state.cursor;
    for (const conversation of state.conversations) {
      if (this.#userId !== null && !conversation.members.some((m) => m.userId === this.#userId)) continue;
      this.#putConversation(conversation);
      const messages = state.messagesByConversation;
      if (messages !== undefined && Object.hasOwn(messages, conversation.id)) {
        this.applyHistory(conversation.id, messages[conversation.id] ?? []);
      }
    }
  }

  /**
   * Adds a history page (newest first, as `GET …/messages` returns it) of messages older than the ones
   * held. Messages already held are left where they are (only an expiry they lack is taken from the
   * page: it never moves once set); the rest go before them, oldest first.
   */
  applyHistory(conversationId: string, newestFirst: readonly Message[]): void {
    const state = this.#conversations.get(conversationId);
    if (state === undefined) return;
    const older = new Map<string, Message>();
    for (const message of [...newestFirst].reverse()) {
      if (message.conversationId !== conversationId) continue;
      const held = state.messages.get(message.id);
      if (held !== undefined) {
        if (held.expiresAt == null && message.expiresAt != null) {
          state.messages.set(message.id, { ...held, expiresAt: message.expiresAt });
        }
        continue;
      }
      const shown = this.#shown(message, undefined);
      if (shown !== undefined) older.set(message.id, shown);
    }
    state.messages = new Map([...older, ...state.messages]);
  }

  /** Conversations, sorted by id. */
  conversations(): Conversation[] {
    return [...this.#conversations.values()]
      .map((state) => ({ ...state.conversation, members: [...state.members.values()] }))
      .sort((a, b) => compareIds(a.id, b.id));
  }

  conversation(conversationId: string): Conversation | undefined {
    const state = this.#conversations.get(conversationId);
    return state === undefined ? undefined : { ...state.conversation, members: [...state.members.values()] };
  }

  /**
   * The conversation's disappearing-messages timer as events told it: the setting, null when off, or
   * undefined when no event has said (fetch it, `GET /v1/conversations/{id}/disappearing`).
   */
  disappearing(conversationId: string): DisappearingTimer | null | undefined {
    const setting = this.#conversations.get(conversationId)?.disappearing;
    return setting === undefined || setting === null ? setting : { ...setting };
  }

  /** Messages of a conversation in send order (oldest first); empty for an unknown conversation. */
  messages(conversationId: string): Message[] {
    return [...(this.#conversations.get(conversationId)?.messages.values() ?? [])];
  }

  /** The canonical view; see TimelineSnapshot for what is normalised. */
  snapshot(): TimelineSnapshot {
    return {
      conversations: [...this.#conversations.values()]
        .map((state) =>
          canonicalConversation(state.conversation, state.members.values(), state.messages.values()),
        )
        .sort((a, b) => compareIds(a.id, b.id)),
    };
  }

  #putConversation(conversation: Conversation): void {
    const { members, ...rest } = conversation;
    const existing = this.#conversations.get(conversation.id);
    const memberMap = new Map(members.map((member) => [member.userId, member] as const));
    // Replacing keeps the messages: a repeated conversation.created must not wipe the timeline.
    this.#conversations.set(conversation.id, {
      conversation: rest,
      members: memberMap,
      messages: existing?.messages ?? new Map(),
      ...(existing?.disappearing === undefined ? {} : { disappearing: existing.disappearing }),
    });
  }

  #removeMember(event: EventOf<'member.removed'>): void {
    if (event.userId === this.#userId) {
      this.#conversations.delete(event.conversationId);
      return;
    }
    this.#conversations.get(event.conversationId)?.members.delete(event.userId);
  }

  #putMessage(message: Message): void {
    const state = this.#conversations.get(message.conversationId);
    if (state === undefined) return;
    const existing = state.messages.get(message.id);
    const shown = this.#shown(message, existing);
    if (shown === undefined) state.messages.delete(message.id);
    else
      state.messages.set(
        message.id,
        // A message's expiry, once set, never moves: a copy without one does not take it away.
        keepExpiry(
          existing?.correctedBy === undefined ? shown : { ...shown, correctedBy: existing.correctedBy },
          existing,
        ),
      );
    // A correction links back: the original shows its latest correction.
    if (existing === undefined && message.corrects !== undefined) {
      const original = state.messages.get(message.corrects);
      if (original !== undefined) state.messages.set(original.id, { ...original, correctedBy: message.id });
    }
  }

  /** The message as the device shows it, or undefined when it must not be shown (hidden). */
  #shown(message: Message, existing: Message | undefined): Message | undefined {
    if (message.hidden === true || this.#hiddenIds.has(message.id)) return undefined;
    const tombstone = message.recalled ?? existing?.recalled ?? this.#earlyRecalls.get(message.id) ?? null;
    this.#earlyRecalls.delete(message.id);
    return canonicalMessage(message, tombstone);
  }

  #recall(event: EventOf<'message.recalled'>): void {
    const state = this.#conversations.get(event.conversationId);
    if (state !== undefined) {
      // Quotes are views of the original: every reply quoting it now shows the tombstone — also where
      // the original itself is not held (sent before this user joined).
      for (const [id, message] of state.messages) {
        if (message.replyTo?.messageId !== event.messageId || message.replyTo.recalled !== null) continue;
        state.messages.set(id, {
          ...message,
          replyTo: { ...message.replyTo, body: null, recalled: { ...event.tombstone } },
        });
      }
    }
    const existing = state?.messages.get(event.messageId);
    if (state === undefined || existing === undefined) {
      // The create has not arrived (or the conversation is not known yet): remember the tombstone.
      remember(this.#earlyRecalls, event.messageId, event.tombstone);
      return;
    }
    if (existing.recalled !== null) return;
    state.messages.set(event.messageId, canonicalMessage(existing, event.tombstone));
  }

  /**
   * A read that started disappearing timers, by the rule the server applied: every message from `from`
   * up to and including `upTo` (in send order) that the reader did not send, that is not recalled and that
   * had no expiry now expires at `expiresAt`. Messages before `from` are left alone: among them are those
   * sent before the reader joined, which this member may hold but the reader never saw. A store that does
   * not hold `upTo` changes nothing: what it holds is then newer (it holds the newest history) — except
   * when this user hid `upTo`, where the next history fetch brings the expiries.
   */
  #startReadTimers(event: EventOf<'conversation.read'>, expiresAt: string): void {
    const state = this.#conversations.get(event.conversationId);
    if (state === undefined || !state.messages.has(event.upTo)) return;
    // Older receipts have no `from`; a store that does not hold `from` holds only newer messages.
    let started = event.from === undefined || !state.messages.has(event.from);
    for (const [id, message] of state.messages) {
      if (id === event.from) started = true;
      if (!started) continue;
      if (message.senderId !== event.userId && message.recalled === null && message.expiresAt == null) {
        state.messages.set(id, { ...message, expiresAt });
      }
      if (id === event.upTo) break;
    }
  }

  #hide(conversationId: string, messageId: string): void {
    remember(this.#hiddenIds, messageId, undefined);
    this.#conversations.get(conversationId)?.messages.delete(messageId);
  }
}

/** The message with the expiry already held, when it has none of its own. */
function keepExpiry(message: Message, existing: Message | undefined): Message {
  return message.expiresAt == null && existing?.expiresAt != null
    ? { ...message, expiresAt: existing.expiresAt }
    : message;
}

/** Adds to a Map or Set, dropping the oldest entry beyond `rememberLimit`. */
function remember<V>(target: Map<string, V> | Set<string>, key: string, value: V): void {
  if (target instanceof Map) target.set(key, value);
  else target.add(key);
  if (target.size > rememberLimit) {
    const oldest = target.keys().next();
    if (oldest.done !== true) target.delete(oldest.value);
  }
}
