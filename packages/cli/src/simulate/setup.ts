import { performance } from 'node:perf_hooks';
import type { RetractClient } from '@retract/sdk';
import { mapLimit } from '../bench/pool.js';
import type { Bar } from '../bench/progress.js';
import type { Population } from './population.js';
import type { SimUser } from './users.js';

/** Creates the population's conversations, each by its first member; ids in the population's order. */
export async function createConversations(
  population: Population,
  users: readonly SimUser[],
  bar: Bar,
): Promise<string[]> {
  return mapLimit(population.conversations, 8, async (c) => {
    const [owner, ...others] = c.members.map((m) => users[m]!);
    const created = await owner!.client.http.createConversation({
      kind: c.kind,
      ...(c.kind === 'group' ? { title: `sim group of ${c.members.length}` } : {}),
      members: others.map((o) => o.username),
    });
    bar.increment();
    return created.conversation.id;
  });
}

export interface Probe {
  /** The sender's recall window per conversation kind, seconds, as the server's policy has it. */
  readonly windowSeconds: { direct: number; group: number };
  /** The probe message's `sentAt`, with the real instants around its request (clock calibration). */
  readonly sentAt: number;
  readonly realBefore: number;
  readonly realAfter: number;
}

/**
 * Learns the window from the server rather than assuming the default policy: the admin sends one
 * message in a direct chat and one in a group, and asks for their recall options (`until − sentAt`).
 */
export async function probe(admin: RetractClient, peers: readonly [SimUser, SimUser]): Promise<Probe> {
  const windowOf = async (kind: 'direct' | 'group', members: string[]) => {
    const { conversation } = await admin.http.createConversation({
      kind,
      ...(kind === 'group' ? { title: 'simulation probe' } : {}),
      members,
    });
    const realBefore = performance.now();
    const { message } = await admin.http.sendMessage(conversation.id, {
      clientMsgId: `probe-${kind}-${Date.now()}`,
      body: 'probe',
    });
    const realAfter = performance.now();
    const options = await admin.http.recallOptions(message.id);
    const sentAt = Date.parse(message.sentAt);
    const r = options.recall;
    // On a fast clock the window may already have passed by the time we ask: the denial names it.
    const named = r.allowed ? null : r.details['windowSeconds'];
    if (typeof named === 'number') return { seconds: named, sentAt, realBefore, realAfter };
    if (!r.allowed || r.until === null) {
      const why = r.allowed
        ? `recall is allowed without a time limit (${r.basis})`
        : `recall is not allowed (${r.code})`;
      throw new Error(`the simulator needs a finite sender recall window in ${kind} chats, but ${why}`);
    }
    return { seconds: Math.round((Date.parse(r.until) - sentAt) / 1000), sentAt, realBefore, realAfter };
  };
  const direct = await windowOf('direct', [peers[0].username]);
  const group = await windowOf('group', [peers[0].username, peers[1].username]);
  for (const [kind, w] of [
    ['direct', direct],
    ['group', group],
  ] as const) {
    if (w.seconds <= 0)
      throw new Error(`the ${kind} recall window is ${w.seconds} s: nothing can be recalled`);
  }
  return {
    windowSeconds: { direct: direct.seconds, group: group.seconds },
    sentAt: group.sentAt,
    realBefore: group.realBefore,
    realAfter: group.realAfter,
  };
}
