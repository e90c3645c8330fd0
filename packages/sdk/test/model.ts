// A reference model of the server, seen by one user (`me`): it turns actions into the events `me`
// receives and into what a fresh fetch returns. Property tests check that the store, fed the events,
// ends where the fetch says.
import fc from 'fast-check';
import type { Conversation, Event, Message, Tombstone } from '@retract/protocol';
import type { FetchedState } from '../src/store.js';
import { alice, at, bob, me, member } from './fixtures.js';

export type Action =
  | { readonly kind: 'create'; readonly conv: number; readonly others: readonly string[] }
  | { readonly kind: 'send'; readonly conv: number; readonly sender: string }
  | { readonly kind: 'recall'; readonly msg: number }
  | { readonly kind: 'hide'; readonly msg: number }
  | { readonly kind: 'add'; readonly conv: number; readonly user: string }
  | { readonly kind: 'remove'; readonly conv: number; readonly user: string };

const conv = fc.integer({ min: 0, max: 2 });
const msg = fc.nat();
export const actionArb: fc.Arbitrary<Action> = fc.oneof(
  {
    arbitrary: fc.record({ kind: fc.constant('create'), conv, others: fc.subarray([alice, bob]) }),
    weight: 2,
  },
  {
    arbitrary: fc.record({ kind: fc.constant('send'), conv, sender: fc.constantFrom(me, alice, bob) }),
    weight: 5,
  },
  { arbitrary: fc.record({ kind: fc.constant('recall'), msg }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant('hide'), msg }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('add'), conv, user: fc.constantFrom(alice, bob) }), weight: 1 },
  {
    arbitrary: fc.record({ kind: fc.constant('remove'), conv, user: fc.constantFrom(me, alice, bob) }),
    weight: 1,
  },
) as fc.Arbitrary<Action>;

interface ModelMessage {
  readonly message: Message;
  recalled: Tombstone | null;
  hiddenForMe: boolean;
}

export class Model {
  readonly events: Event[] = [];
  readonly #conversations = new Map<string, Conversation>();
  readonly #order = new Map<string, string[]>();
  readonly #messages: ModelMessage[] = [];
  #clock = 0;

  static run(actions: readonly Action[]): Model {
    const model = new Model();
    for (const action of actions) model.apply(action);
    return model;
  }

  apply(action: Action): void {
    this.#clock += 1;
    switch (action.kind) {
      case 'create': {
        const id = `c_${action.conv}`;
        if (this.#conversations.has(id)) return;
        const conversation: Conversation = {
          id,
          kind: 'group',
          title: null,
          createdAt: at(this.#clock),
          members: [
            member(me, 'owner', this.#clock),
            ...action.others.map((u) => member(u, 'member', this.#clock)),
          ],
        };
        this.#conversations.set(id, conversation);
        this.#order.set(id, []);
        this.#emit({ type: 'conversation.created', conversation: structuredClone(conversation) });
        return;
      }
      case 'send': {
        const conversation = this.#conversations.get(`c_${action.conv}`);
        if (conversation === undefined || !isMember(conversation, action.sender)) return;
        const id = `m_${this.#messages.length}`;
        const message: Message = {
          id,
          conversationId: conversation.id,
          senderId: action.sender,
          clientMsgId: `k${id}`,
          type: 'text',
          body: `secret ${id}`,
          sentAt: at(this.#clock),
          recalled: null,
        };
        this.#messages.push({ message, recalled: null, hiddenForMe: false });
        this.#order.get(conversation.id)?.push(id);
        if (isMember(conversation, me)) this.#emit({ type: 'message.created', message: { ...message } });
        return;
      }
      case 'recall': {
        const target = this.#pick(action.msg);
        if (target === undefined || target.recalled !== null) return;
        const { message } = target;
        target.recalled = {
          recalledAt: at(this.#clock),
          recalledBy: message.senderId,
          role: 'sender',
          reason: null,
          label: null,
        };
        if (this.#meIn(message.conversationId)) {
          this.#emit({
            type: 'message.recalled',
            conversationId: message.conversationId,
            messageId: message.id,
            senderId: message.senderId,
            tombstone: { ...target.recalled },
          });
        }
        return;
      }
      case 'hide': {
        const target = this.#pick(action.msg);
        if (target === undefined || target.hiddenForMe || !this.#meIn(target.message.conversationId)) return;
        target.hiddenForMe = true;
        this.#emit({
          type: 'message.hidden',
          conversationId: target.message.conversationId,
          messageId: target.message.id,
        });
        return;
      }
      case 'add': {
        const conversation = this.#conversations.get(`c_${action.conv}`);
        if (conversation === undefined || isMember(conversation, action.user)) return;
        const added = member(action.user, 'member', this.#clock);
        conversation.members.push(added);
        if (isMember(conversation, me))
          this.#emit({ type: 'member.added', conversationId: conversation.id, members: [added] });
        return;
      }
      case 'remove': {
        const conversation = this.#conversations.get(`c_${action.conv}`);
        if (conversation === undefined || !isMember(conversation, action.user)) return;
        const meWasIn = isMember(conversation, me);
        conversation.members = conversation.members.filter((m) => m.userId !== action.user);
        if (meWasIn)
          this.#emit({ type: 'member.removed', conversationId: conversation.id, userId: action.user });
        return;
      }
    }
  }

  /** What `GET /v1/conversations` and every history page return now (history newest first). */
  fetch(): Required<Omit<FetchedState, 'cursor'>> & { cursor: number } {
    const conversations = [...this.#conversations.values()]
      .filter((c) => isMember(c, me))
      .map((c) => structuredClone(c));
    const messagesByConversation: Record<string, Message[]> = {};
    for (const conversation of conversations) {
      messagesByConversation[conversation.id] = (this.#order.get(conversation.id) ?? [])
        .map((id) => this.#byId(id))
        .filter((m) => !m.hiddenForMe)
        .map((m) => this.#rendered(m))
        .reverse();
    }
    return { conversations, messagesByConversation, cursor: this.events.length };
  }

  /** An event as a replay serves it: message.created rendered from the message's current state. */
  renderNow(event: Event): Event {
    if (event.type !== 'message.created') return event;
    const current = this.#byId(event.message.id);
    const message = this.#rendered(current);
    return { ...event, message: current.hiddenForMe ? { ...message, body: null, hidden: true } : message };
  }

  #rendered(m: ModelMessage): Message {
    return m.recalled === null ? { ...m.message } : { ...m.message, body: null, recalled: { ...m.recalled } };
  }

  /** Any message ever sent, chosen by `n` (so a recall or hide nearly always has a target). */
  #pick(n: number): ModelMessage | undefined {
    return this.#messages.length === 0 ? undefined : this.#messages[n % this.#messages.length];
  }

  #byId(id: string): ModelMessage {
    const found = this.#messages[Number(id.slice(2))];
    if (found === undefined) throw new Error(`no message ${id}`);
    return found;
  }

  #meIn(conversationId: string): boolean {
    const conversation = this.#conversations.get(conversationId);
    return conversation !== undefined && isMember(conversation, me);
  }

  #emit(body: DistributiveOmit<Event, 'seq' | 'at'>): void {
    const seq = this.events.length + 1;
    this.events.push({ ...body, seq, at: at(this.#clock) } as Event);
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

function isMember(conversation: Conversation, userId: string): boolean {
  return conversation.members.some((m) => m.userId === userId);
}

/**
 * Delivers some recalls and hides before the message they concern (as two nodes may), then numbers
 * the events again in delivery order. `early[i]` says whether the i-th recall/hide jumps ahead.
 */
export function deliverEarly(events: readonly Event[], early: readonly boolean[]): Event[] {
  const out = [...events];
  let flag = 0;
  for (const event of events) {
    if (event.type !== 'message.recalled' && event.type !== 'message.hidden') continue;
    if (early[flag++ % Math.max(early.length, 1)] !== true) continue;
    const from = out.indexOf(event);
    const to = out.findIndex((e) => e.type === 'message.created' && e.message.id === event.messageId);
    if (to === -1 || to > from) continue;
    out.splice(from, 1);
    out.splice(to, 0, event);
  }
  return out.map((event, i) => ({ ...event, seq: i + 1 }));
}
