import type { SimParams } from './params.js';
import type { Random } from './random.js';

/** Who talks with whom: users by index, conversations by index into `conversations`. */
export interface Population {
  readonly users: number;
  readonly conversations: readonly PlannedConversation[];
  /** For each user, the conversations it is in. */
  readonly memberOf: readonly (readonly number[])[];
}

export interface PlannedConversation {
  readonly kind: 'direct' | 'group';
  /** User indexes; the first creates the conversation. */
  readonly members: readonly number[];
}

/**
 * `groupShare` of the users in groups of `groupSize` people, the rest paired in direct chats. A user left
 * over gets a direct chat with someone already paired, so nobody is alone.
 */
export function buildPopulation(p: SimParams, random: Random): Population {
  const order = random.shuffle(Array.from({ length: p.users }, (_, i) => i));
  let inGroups = Math.round(p.users * p.groupShare);
  if (inGroups > 0 && inGroups < p.groupSize[0]) inGroups = Math.min(p.users, p.groupSize[0]);
  const conversations: PlannedConversation[] = [];
  const grouped = order.slice(0, inGroups);
  while (grouped.length > 0) {
    let size = random.int(p.groupSize[0], p.groupSize[1]);
    // Never leave fewer than the minimum behind: the remainder joins this group.
    if (grouped.length - size < p.groupSize[0]) size = grouped.length;
    conversations.push({ kind: 'group', members: grouped.splice(0, size) });
  }
  const paired = order.slice(inGroups);
  for (let i = 0; i + 1 < paired.length; i += 2) {
    conversations.push({ kind: 'direct', members: [paired[i]!, paired[i + 1]!] });
  }
  if (paired.length % 2 === 1) {
    const last = paired.at(-1)!;
    const partner = order.find((u) => u !== last)!;
    conversations.push({ kind: 'direct', members: [last, partner] });
  }
  const memberOf: number[][] = Array.from({ length: p.users }, () => []);
  conversations.forEach((c, i) => c.members.forEach((u) => memberOf[u]!.push(i)));
  return { users: p.users, conversations, memberOf };
}
