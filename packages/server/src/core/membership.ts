import type { ConversationKind, Role } from '@retract/protocol';

/** Who may change a conversation's members. Pure rules; the actions enforce them. */

export type MembershipVerdict =
  | { readonly ok: true }
  | { readonly ok: false; readonly code: 'not_permitted' | 'invalid_conversation'; readonly why: string };

const ok: MembershipVerdict = { ok: true };

export function canAddMembers(kind: ConversationKind, actorRole: Role): MembershipVerdict {
  if (kind === 'direct')
    return { ok: false, code: 'invalid_conversation', why: 'a direct conversation has exactly two members' };
  if (actorRole === 'member')
    return { ok: false, code: 'not_permitted', why: 'only owners and admins add members' };
  return ok;
}

/** Grant a role on adding: admins may add members and admins, only owners may add owners. */
export function canGrantRole(actorRole: Role, role: Role): MembershipVerdict {
  if (role === 'owner' && actorRole !== 'owner')
    return { ok: false, code: 'not_permitted', why: 'only owners add owners' };
  return ok;
}

/**
 * Anyone may leave a group; owners and admins remove others, but an admin cannot remove an owner.
 * A group never loses its last owner, and nobody is removed from a direct conversation.
 */
export function canRemoveMember(input: {
  readonly kind: ConversationKind;
  readonly actorId: string;
  readonly actorRole: Role;
  readonly targetId: string;
  readonly targetRole: Role;
  readonly ownerCount: number;
}): MembershipVerdict {
  if (input.kind === 'direct')
    return { ok: false, code: 'invalid_conversation', why: 'members cannot leave a direct conversation' };
  const self = input.actorId === input.targetId;
  if (!self) {
    if (input.actorRole === 'member')
      return { ok: false, code: 'not_permitted', why: 'only owners and admins remove members' };
    if (input.targetRole === 'owner' && input.actorRole !== 'owner') {
      return { ok: false, code: 'not_permitted', why: 'an admin cannot remove an owner' };
    }
  }
  if (input.targetRole === 'owner' && input.ownerCount <= 1) {
    return { ok: false, code: 'invalid_conversation', why: 'a group keeps at least one owner' };
  }
  return ok;
}

/** Direct conversations are unique per pair: the key is the two user ids in order. */
export function directKey(a: string, b: string): string {
  return a < b ? `${a}:${b}` : `${b}:${a}`;
}
