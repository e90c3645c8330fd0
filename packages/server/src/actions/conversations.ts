import type { Conversation, Role } from '@retract/protocol';
import { canAddMembers, canGrantRole, canRemoveMember, directKey } from '../core/membership.js';
import { conversationCreated, memberAdded, memberRemoved, type EventPair } from '../core/events.js';
import { conversationView, memberView } from '../core/views.js';
import { AppError } from '../errors.js';
import { newId } from '../ids.js';
import type { Delivery, UserRecord } from '../storage/records.js';
import type { StorageReader, StorageTx } from '../storage/storage.js';
import { publishCommitted, type ActionContext, type Actor } from './context.js';
import { appendAudit, byActor, type NewAuditEntry } from './audit.js';
import { queueWebhooks } from '../webhooks/queue.js';

type Publication = readonly [EventPair, Delivery[]];

/** Members may be named by username or by user id. */
async function resolveUsers(tx: StorageReader, refs: readonly string[]): Promise<UserRecord[]> {
  const users: UserRecord[] = [];
  for (const ref of refs) {
    const user = /^u_/.test(ref) ? await tx.findUserById(ref) : await tx.findUserByUsername(ref);
    if (!user) throw new AppError('user_not_found', { user: ref });
    users.push(user);
  }
  return users;
}

async function loadView(tx: StorageReader, id: string): Promise<Conversation> {
  const c = await tx.findConversation(id);
  if (!c) throw new AppError('not_found');
  return conversationView(c, await tx.listMembers(id));
}

/** The conversation, if the actor is a member; otherwise `not_found` — never a hint that it exists. */
export async function requireMember(tx: StorageReader, conversationId: string, userId: string) {
  const membership = await tx.findMembership(conversationId, userId);
  if (!membership) throw new AppError('not_found');
  const conversation = await tx.findConversation(conversationId);
  if (!conversation) throw new AppError('not_found');
  return { conversation, membership };
}

/** The audit entry for a member joining or leaving: who, in which role, by whose hand. */
function memberEntry(
  kind: 'member.added' | 'member.removed',
  actor: Actor,
  actorRole: Role,
  conversationId: string,
  userId: string,
  role: Role,
  at: number,
): NewAuditEntry {
  return {
    kind,
    at: new Date(at).toISOString(),
    ...byActor(actor, actorRole),
    target: { conversationId, userId },
    reason: null,
    details: { role, ...(kind === 'member.removed' ? { left: userId === actor.userId } : {}) },
  };
}

async function publishAll(ctx: ActionContext, publications: readonly Publication[]): Promise<void> {
  for (const [pair, deliveries] of publications) await publishCommitted(ctx, pair, deliveries);
}

/**
 * Creates a group (caller is owner) or a direct conversation. A direct conversation is unique per pair:
 * asking again returns the existing one (`created: false`).
 */
export async function createConversation(
  ctx: ActionContext,
  actor: Actor,
  input: { kind: 'direct' | 'group'; title?: string | undefined; members: readonly string[] },
): Promise<{ conversation: Conversation; created: boolean }> {
  const now = ctx.clock.now();
  const publications: Publication[] = [];
  const result = await ctx.storage.transaction(async (tx) => {
    const others = (await resolveUsers(tx, input.members)).filter((u) => u.id !== actor.userId);
    const id = newId('c');
    let key: string | null = null;
    if (input.kind === 'direct') {
      const other = others[0];
      if (others.length !== 1 || !other) {
        throw new AppError('invalid_conversation', {
          reason: 'a direct conversation needs exactly one other member',
        });
      }
      key = directKey(actor.userId, other.id);
      const existing = await tx.findDirectConversation(key);
      if (existing) return { conversation: await loadView(tx, existing.id), created: false };
    }
    await tx.insertConversation({
      id,
      kind: input.kind,
      title: input.title ?? null,
      createdAt: now,
      directKey: key,
      policy: null,
    });
    // In a direct conversation both are owners: neither outranks the other.
    await tx.insertMember({ conversationId: id, userId: actor.userId, role: 'owner', joinedAt: now });
    for (const u of others) {
      await tx.insertMember({
        conversationId: id,
        userId: u.id,
        role: input.kind === 'direct' ? 'owner' : 'member',
        joinedAt: now,
      });
    }
    const conversation = await loadView(tx, id);
    // The first members are members added like any other: the log tells who was in it from the start
    // (the creator first, then the others as they were named).
    for (const userId of new Set([actor.userId, ...others.map((u) => u.id)])) {
      const role = conversation.members.find((m) => m.userId === userId)?.role ?? 'member';
      await appendAudit(tx, ctx, memberEntry('member.added', actor, 'owner', id, userId, role, now));
    }
    const pair = conversationCreated(conversation, now);
    publications.push([
      pair,
      await tx.appendEvent(
        pair.stored,
        conversation.members.map((m) => m.userId),
      ),
    ]);
    return { conversation, created: true };
  });
  await publishAll(ctx, publications);
  return result;
}

export async function listConversations(ctx: ActionContext, actor: Actor): Promise<Conversation[]> {
  return ctx.storage.read(async (tx) => {
    const conversations = await tx.listConversationsOf(actor.userId);
    return Promise.all(conversations.map(async (c) => conversationView(c, await tx.listMembers(c.id))));
  });
}

export async function getConversation(ctx: ActionContext, actor: Actor, id: string): Promise<Conversation> {
  return ctx.storage.read(async (tx) => {
    await requireMember(tx, id, actor.userId);
    return loadView(tx, id);
  });
}

/**
 * Adds members to a group. Existing members hear `member.added`; each newcomer gets the conversation as
 * it is now (`conversation.created`) and sees messages from this point on.
 */
export async function addMembers(
  ctx: ActionContext,
  actor: Actor,
  conversationId: string,
  input: { members: readonly string[]; role?: Role | undefined },
): Promise<Conversation> {
  const now = ctx.clock.now();
  const role = input.role ?? 'member';
  const publications: Publication[] = [];
  const conversation = await ctx.storage.transaction(async (tx) => {
    const { conversation, membership } = await requireMember(tx, conversationId, actor.userId);
    for (const verdict of [
      canAddMembers(conversation.kind, membership.role),
      canGrantRole(membership.role, role),
    ]) {
      if (!verdict.ok) throw new AppError(verdict.code, { reason: verdict.why });
    }
    const users = await resolveUsers(tx, input.members);
    const before = new Set((await tx.listMembers(conversationId)).map((m) => m.userId));
    const newcomers = users.filter((u) => !before.has(u.id));
    for (const u of newcomers) {
      await tx.insertMember({ conversationId, userId: u.id, role, joinedAt: now });
      await appendAudit(
        tx,
        ctx,
        memberEntry('member.added', actor, membership.role, conversationId, u.id, role, now),
      );
      await queueWebhooks(tx, 'member.added', { conversationId, subjectId: u.id }, now);
    }
    const members = await tx.listMembers(conversationId);
    const view = conversationView(conversation, members);
    if (newcomers.length > 0) {
      // One event for the whole request, to those who were members before it.
      const added = new Set(newcomers.map((u) => u.id));
      const pair = memberAdded(
        conversationId,
        members.filter((m) => added.has(m.userId)).map(memberView),
        now,
      );
      publications.push([pair, await tx.appendEvent(pair.stored, [...before])]);
      const created = conversationCreated(view, now);
      publications.push([
        created,
        await tx.appendEvent(
          created.stored,
          newcomers.map((u) => u.id),
        ),
      ]);
    }
    return view;
  });
  await publishAll(ctx, publications);
  return conversation;
}

/** Removes a member (or lets one leave). Everyone who was a member, the removed one included, hears it. */
export async function removeMember(
  ctx: ActionContext,
  actor: Actor,
  conversationId: string,
  userId: string,
): Promise<void> {
  const now = ctx.clock.now();
  const publications: Publication[] = [];
  await ctx.storage.transaction(async (tx: StorageTx) => {
    const { conversation, membership } = await requireMember(tx, conversationId, actor.userId);
    const members = await tx.listMembers(conversationId);
    const target = members.find((m) => m.userId === userId);
    if (!target) throw new AppError('user_not_found', { user: userId });
    const verdict = canRemoveMember({
      kind: conversation.kind,
      actorId: actor.userId,
      actorRole: membership.role,
      targetId: userId,
      targetRole: target.role,
      ownerCount: members.filter((m) => m.role === 'owner').length,
    });
    if (!verdict.ok) throw new AppError(verdict.code, { reason: verdict.why });
    await tx.deleteMember(conversationId, userId);
    await appendAudit(
      tx,
      ctx,
      memberEntry('member.removed', actor, membership.role, conversationId, userId, target.role, now),
    );
    await queueWebhooks(tx, 'member.removed', { conversationId, subjectId: userId }, now);
    const pair = memberRemoved(conversationId, userId, now);
    publications.push([
      pair,
      await tx.appendEvent(
        pair.stored,
        members.map((m) => m.userId),
      ),
    ]);
  });
  await publishAll(ctx, publications);
}
