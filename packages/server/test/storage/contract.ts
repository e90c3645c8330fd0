import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Storage } from '../../src/storage/storage.js';
import type { MessageRecord, NewEvent } from '../../src/storage/records.js';
import { auditStorageContract } from './audit-contract.js';
import { analyticsStorageContract } from './analytics-contract.js';
import { pushStorageContract } from './push-contract.js';
import { accountsStorageContract } from './accounts-contract.js';
import { webhooksStorageContract } from './webhooks-contract.js';

/**
 * The storage port's contract, run against every backend. A backend that passes this behaves the same
 * to the actions above it. Each backend's test file calls `storageContract` with a factory that gives a
 * fresh, empty store.
 */
export interface StorageFactory {
  readonly name: string;
  open(): Promise<Storage>;
}

const T0 = Date.UTC(2026, 0, 1);
let counter = 0;
const uid = (p: string) => `${p}_${(++counter).toString(36)}${Math.random().toString(36).slice(2, 8)}`;

const event = (
  conversationId: string,
  messageId: string | null,
  type: NewEvent['type'] = 'message.created',
): NewEvent => ({
  type,
  conversationId,
  messageId,
  at: T0,
  data: {},
});

export function storageContract(factory: StorageFactory): void {
  describe(`storage contract: ${factory.name}`, () => {
    let storage: Storage;
    before(async () => {
      storage = await factory.open();
    });
    after(() => storage.close());

    async function user(name = uid('user')) {
      const id = uid('u');
      await storage.transaction((tx) =>
        tx.insertUser({ id, username: name, passwordHash: 'h', createdAt: T0 }),
      );
      return id;
    }

    async function group(members: string[]) {
      const id = uid('c');
      await storage.transaction(async (tx) => {
        await tx.insertConversation({
          id,
          kind: 'group',
          title: 'g',
          createdAt: T0,
          directKey: null,
          policy: null,
        });
        for (const [i, m] of members.entries()) {
          await tx.insertMember({
            conversationId: id,
            userId: m,
            role: i === 0 ? 'owner' : 'member',
            joinedAt: T0,
          });
        }
      });
      return id;
    }

    async function message(conversationId: string, senderId: string, body = 'hello', flags: string[] = []) {
      return storage.transaction(async (tx) => {
        const m = await tx.insertMessage({
          id: uid('m'),
          conversationId,
          senderId,
          clientMsgId: uid('k'),
          type: 'text',
          body,
          sentAt: T0,
          flags,
          replyTo: null,
          corrects: null,
          attachmentId: null,
        });
        const members = (await tx.listMembers(conversationId)).map((x) => x.userId);
        await tx.appendEvent(event(conversationId, m.id), members);
        return m;
      });
    }

    it('keeps usernames unique without regard to case', async () => {
      const name = uid('Name');
      await user(name);
      const again = await storage.transaction((tx) =>
        tx.insertUser({ id: uid('u'), username: name.toLowerCase(), passwordHash: 'h', createdAt: T0 }),
      );
      assert.equal(again, false);
      const found = await storage.read((tx) => tx.findUserByUsername(name.toUpperCase()));
      assert.equal(found?.username, name);
    });

    it('finds devices by token hash, moves cursors only forward, forgets deleted devices', async () => {
      const u = await user();
      const id = uid('d');
      await storage.transaction((tx) =>
        tx.insertDevice({ id, userId: u, name: 'phone', tokenHash: `h-${id}`, createdAt: T0 }),
      );
      assert.equal((await storage.read((tx) => tx.findDeviceByTokenHash(`h-${id}`)))?.id, id);
      await storage.transaction((tx) => tx.advanceCursor(id, 5));
      await storage.transaction((tx) => tx.advanceCursor(id, 3));
      assert.equal((await storage.read((tx) => tx.findDevice(id)))?.cursor, 5);
      await storage.transaction((tx) => tx.deleteDevice(id));
      assert.equal(await storage.read((tx) => tx.findDeviceByTokenHash(`h-${id}`)), null);
    });

    it('numbers each user’s events 1, 2, 3 … with no gap, per user', async () => {
      const [a, b] = [await user(), await user()];
      const c = await group([a, b]);
      const d1 = await storage.transaction((tx) => tx.appendEvent(event(c, null, 'member.added'), [a, b]));
      const d2 = await storage.transaction((tx) => tx.appendEvent(event(c, null, 'member.added'), [a]));
      const d3 = await storage.transaction((tx) => tx.appendEvent(event(c, null, 'member.added'), [a, b]));
      const seqOf = (ds: { userId: string; seq: number }[], u: string) => ds.find((d) => d.userId === u)?.seq;
      assert.deepEqual([seqOf(d1, a), seqOf(d2, a), seqOf(d3, a)], [1, 2, 3]);
      assert.deepEqual([seqOf(d1, b), seqOf(d3, b)], [1, 2]);
      assert.equal(await storage.read((tx) => tx.lastSeq(a)), 3);
      const events = await storage.read((tx) => tx.readEvents(b, 0, 10));
      assert.deepEqual(
        events.map((e) => e.seq),
        [1, 2],
      );
    });

    it('keeps sequences gap-free under concurrent writers', async () => {
      const [a, b] = [await user(), await user()];
      const c = await group([a, b]);
      await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 3 === 0 ? message(c, b) : message(c, a))));
      for (const u of [a, b]) {
        const seqs = (await storage.read((tx) => tx.readEvents(u, 0, 100))).map((e) => e.seq);
        assert.deepEqual(
          seqs,
          Array.from({ length: 40 }, (_, i) => i + 1),
        );
      }
    });

    it('rolls back every write of a failed transaction, sequence numbers included', async () => {
      const a = await user();
      const c = await group([a]);
      await assert.rejects(
        storage.transaction(async (tx) => {
          await tx.appendEvent(event(c, null, 'member.added'), [a]);
          throw new Error('boom');
        }),
        /boom/,
      );
      assert.equal(await storage.read((tx) => tx.lastSeq(a)), 0);
      assert.deepEqual(await storage.read((tx) => tx.readEvents(a, 0, 10)), []);
    });

    it('isolates a failing transaction from others running at the same moment', async () => {
      const [a, b] = [await user(), await user()];
      const c = await group([a, b]);
      const results = await Promise.allSettled([
        storage.transaction((tx) => tx.appendEvent(event(c, null, 'member.added'), [a])),
        storage.transaction(async (tx) => {
          await tx.appendEvent(event(c, null, 'member.added'), [a, b]);
          throw new Error('boom');
        }),
        storage.transaction((tx) => tx.appendEvent(event(c, null, 'member.added'), [a, b])),
      ]);
      assert.deepEqual(
        results.map((r) => r.status),
        ['fulfilled', 'rejected', 'fulfilled'],
      );
      // b heard of one group event (the failing one left no trace), a of two; both numbered without gaps.
      assert.deepEqual(
        (await storage.read((tx) => tx.readEvents(a, 0, 10))).map((e) => e.seq),
        [1, 2],
      );
      assert.equal(await storage.read((tx) => tx.lastSeq(b)), 1);
    });

    it('renders message events from the message’s current state, erased content included', async () => {
      const [a, b] = [await user(), await user()];
      const c = await group([a, b]);
      const m = await message(c, a, 'secret words');
      const [live] = await storage.read((tx) => tx.readEvents(b, 0, 10));
      assert.equal(live?.message?.body, 'secret words');
      await storage.transaction((tx) =>
        tx.eraseMessage(m.id, {
          recalledAt: T0 + 1,
          recalledBy: a,
          role: 'sender',
          reason: 'typo',
          label: 'Removed by an admin',
        }),
      );
      const [after] = await storage.read((tx) => tx.readEvents(b, 0, 10));
      assert.equal(after?.message?.body, null);
      assert.deepEqual(after?.message?.tombstone, {
        recalledAt: T0 + 1,
        recalledBy: a,
        role: 'sender',
        reason: 'typo',
        label: 'Removed by an admin',
      });
      const stored = await storage.read((tx) => tx.findMessage(m.id));
      assert.equal(stored?.body, null);
      assert.deepEqual((await storage.read((tx) => tx.usersWhoReceived(m.id))).sort(), [a, b].sort());
    });

    it('keeps detector flags with the message and policy documents with the conversation', async () => {
      const a = await user();
      const c = await group([a]);
      const m = await message(c, a, 'mail me at a@example.com', ['email']);
      assert.deepEqual((await storage.read((tx) => tx.findMessage(m.id)))?.flags, ['email']);
      assert.equal((await storage.read((tx) => tx.findConversation(c)))?.policy, null);
      await storage.transaction((tx) => tx.setConversationPolicy(c, { preset: 'dingtalk' }));
      assert.deepEqual((await storage.read((tx) => tx.findConversation(c)))?.policy, { preset: 'dingtalk' });
      await storage.transaction((tx) => tx.setConversationPolicy(c, null));
      assert.equal((await storage.read((tx) => tx.findConversation(c)))?.policy, null);
    });

    it('finds a message by its sender and client id', async () => {
      const a = await user();
      const c = await group([a]);
      const m = await message(c, a);
      assert.equal((await storage.read((tx) => tx.findMessageByClientId(a, m.clientMsgId)))?.id, m.id);
      assert.equal(await storage.read((tx) => tx.findMessageByClientId(a, 'nope')), null);
    });

    it('pages history newest first, hides what the viewer hid, and starts at their joining', async () => {
      const [a, b, late] = [await user(), await user(), await user()];
      const c = await group([a, b]);
      const sent: MessageRecord[] = [];
      for (let i = 0; i < 5; i++) sent.push(await message(c, a, `m${i}`));
      await storage.transaction((tx) =>
        tx.insertMember({ conversationId: c, userId: late, role: 'member', joinedAt: T0 }),
      );
      const afterJoin = await message(c, a, 'm5');
      await storage.transaction((tx) => tx.hideMessage(b, sent[1]!.id, T0));
      assert.equal(await storage.transaction((tx) => tx.hideMessage(b, sent[1]!.id, T0)), false);

      const page1 = await storage.read((tx) => tx.listMessages(c, b, null, 3));
      assert.deepEqual(
        page1.map((m) => m.body),
        ['m5', 'm4', 'm3'],
      );
      const page2 = await storage.read((tx) => tx.listMessages(c, b, page1.at(-1)!.pos, 3));
      assert.deepEqual(
        page2.map((m) => m.body),
        ['m2', 'm0'],
      );
      const forA = await storage.read((tx) => tx.listMessages(c, a, null, 10));
      assert.equal(forA.length, 6);
      const forLate = await storage.read((tx) => tx.listMessages(c, late, null, 10));
      assert.deepEqual(
        forLate.map((m) => m.id),
        [afterJoin.id],
      );
      const events = await storage.read((tx) => tx.readEvents(b, 0, 20));
      assert.equal(events.find((e) => e.messageId === sent[1]!.id)?.hidden, true);
      assert.equal(events.find((e) => e.messageId === sent[2]!.id)?.hidden, false);
    });

    it('reads back each message’s expiry wherever messages are loaded', async () => {
      const [a, b] = [await user(), await user()];
      const c = await group([a, b]);
      const timed = await message(c, a, 'gone soon');
      const plain = await message(c, a, 'stays');
      assert.equal(timed.expiresAt, null, 'a new message has no timer');
      await storage.transaction((tx) => tx.setExpiry(timed.id, T0 + 3_600_000));

      const found = await storage.read((tx) => tx.findMessage(timed.id));
      assert.equal(found?.expiresAt, T0 + 3_600_000);
      assert.equal((await storage.read((tx) => tx.findMessage(plain.id)))?.expiresAt, null);
      assert.equal(
        (await storage.read((tx) => tx.findMessageByClientId(a, timed.clientMsgId)))?.expiresAt,
        T0 + 3_600_000,
      );
      const byId = new Map(
        (await storage.read((tx) => tx.findMessages([timed.id, plain.id]))).map((m) => [m.id, m.expiresAt]),
      );
      assert.deepEqual([byId.get(timed.id), byId.get(plain.id)], [T0 + 3_600_000, null]);
      const history = await storage.read((tx) => tx.listMessages(c, b, null, 10));
      assert.deepEqual(
        history.map((m) => m.expiresAt),
        [null, T0 + 3_600_000],
      );
      const events = await storage.read((tx) => tx.readEvents(b, 0, 10));
      assert.deepEqual(
        events.map((e) => e.message?.expiresAt),
        [T0 + 3_600_000, null],
      );
    });

    it('starts read timers on what the reader read of others’ messages that had none, and says which', async () => {
      const [a, b, c] = [await user(), await user(), await user()];
      const conv = await group([a, b, c]);
      const fromA = await message(conv, a, 'one');
      const fromB = await message(conv, b, 'two');
      const running = await message(conv, a, 'three');
      const recalled = await message(conv, a, 'four');
      const upTo = await message(conv, a, 'five');
      const later = await message(conv, a, 'six');
      await storage.transaction(async (tx) => {
        await tx.setExpiry(running.id, T0 + 500);
        await tx.eraseMessage(recalled.id, {
          recalledAt: T0 + 1,
          recalledBy: a,
          role: 'sender',
          reason: null,
          label: null,
        });
      });

      const started = await storage.transaction((tx) => tx.startReadTimers(conv, b, upTo.pos, T0 + 1000));
      assert.deepEqual([...started].sort(), [fromA.id, upTo.id].sort());
      const expiry = async (id: string) => (await storage.read((tx) => tx.findMessage(id)))?.expiresAt;
      assert.equal(await expiry(fromA.id), T0 + 1000);
      assert.equal(await expiry(upTo.id), T0 + 1000);
      assert.equal(await expiry(fromB.id), null, 'the reader’s own message');
      assert.equal(await expiry(running.id), T0 + 500, 'a running timer is never moved');
      assert.equal(await expiry(recalled.id), null, 'nothing left to expire');
      assert.equal(await expiry(later.id), null, 'after the read position');

      assert.deepEqual(
        await storage.transaction((tx) => tx.startReadTimers(conv, b, upTo.pos, T0 + 2000)),
        [],
        'reading again starts nothing',
      );
      // Another reader starts the timer of the first reader's message, and of what they read further.
      const second = await storage.transaction((tx) => tx.startReadTimers(conv, c, later.pos, T0 + 3000));
      assert.deepEqual([...second].sort(), [fromB.id, later.id].sort());
      assert.equal(await expiry(upTo.id), T0 + 1000);
      const due = await storage.read((tx) => tx.listExpired(T0 + 1000, 10_000));
      assert.ok(due.includes(fromA.id) && due.includes(upTo.id) && due.includes(running.id));
      assert.ok(!due.includes(fromB.id) && !due.includes(later.id) && !due.includes(recalled.id));
    });

    it('starts no read timer on messages from before the reader joined (they never saw them)', async () => {
      const [a, b, late] = [await user(), await user(), await user()];
      const conv = await group([a, b]);
      const before = await message(conv, a, 'before');
      await storage.transaction((tx) =>
        tx.insertMember({ conversationId: conv, userId: late, role: 'member', joinedAt: T0 + 10 }),
      );
      const after = await message(conv, a, 'after');
      const started = await storage.transaction((tx) => tx.startReadTimers(conv, late, after.pos, T0 + 1000));
      assert.deepEqual(started, [after.id]);
      assert.equal((await storage.read((tx) => tx.findMessage(before.id)))?.expiresAt, null);
    });

    it('tracks membership, roles and direct-conversation keys', async () => {
      const [a, b] = [await user(), await user()];
      const id = uid('c');
      const key = `${a}:${b}`;
      await storage.transaction(async (tx) => {
        await tx.insertConversation({
          id,
          kind: 'direct',
          title: null,
          createdAt: T0,
          directKey: key,
          policy: { preset: 'telegram' },
        });
        await tx.insertMember({ conversationId: id, userId: a, role: 'owner', joinedAt: T0 });
        await tx.insertMember({ conversationId: id, userId: b, role: 'owner', joinedAt: T0 });
      });
      assert.equal((await storage.read((tx) => tx.findDirectConversation(key)))?.id, id);
      assert.equal((await storage.read((tx) => tx.findMembership(id, a)))?.role, 'owner');
      assert.ok((await storage.read((tx) => tx.listConversationsOf(b))).some((c) => c.id === id));
      await storage.transaction((tx) => tx.deleteMember(id, b));
      assert.equal(await storage.read((tx) => tx.findMembership(id, b)), null);
      assert.deepEqual(
        (await storage.read((tx) => tx.listMembers(id))).map((m) => m.userId),
        [a],
      );
    });

    it('keeps consent requests: the sender and group owners see them, a pending one ends exactly once', async () => {
      const [owner, sender, bystander] = [await user(), await user(), await user()];
      const c = await group([owner, sender, bystander]);
      const m = await message(c, sender);
      const request = {
        id: uid('k'),
        conversationId: c,
        messageId: m.id,
        requesterId: sender,
        reason: 'wrong group',
        status: 'pending' as const,
        createdAt: T0,
        expiresAt: T0 + 60_000,
        decidedBy: null,
        decidedAt: null,
        note: null,
      };
      await storage.transaction((tx) => tx.insertConsentRequest(request));
      assert.deepEqual(await storage.read((tx) => tx.findConsentRequest(request.id)), request);
      assert.equal((await storage.read((tx) => tx.latestConsentRequest(m.id)))?.id, request.id);
      const ids = async (who: string, status: 'pending' | 'declined' | null = null) =>
        (await storage.read((tx) => tx.listConsentRequests(who, status, 10))).map((r) => r.id);
      assert.deepEqual(await ids(sender), [request.id]);
      assert.deepEqual(await ids(owner, 'pending'), [request.id]);
      assert.deepEqual(await ids(bystander), [], 'a plain member of a group does not decide');
      assert.deepEqual(await storage.read((tx) => tx.listExpiredConsentRequests(T0 + 59_999, 10)), []);
      assert.deepEqual(await storage.read((tx) => tx.listExpiredConsentRequests(T0 + 60_000, 10)), [
        request.id,
      ]);

      const decline = { status: 'declined' as const, decidedBy: owner, decidedAt: T0 + 1, note: 'no' };
      assert.equal(await storage.transaction((tx) => tx.settleConsentRequest(request.id, decline)), true);
      const approve = { status: 'approved' as const, decidedBy: owner, decidedAt: T0 + 2, note: null };
      assert.equal(
        await storage.transaction((tx) => tx.settleConsentRequest(request.id, approve)),
        false,
        'an ended request never changes again',
      );
      assert.deepEqual(await storage.read((tx) => tx.findConsentRequest(request.id)), {
        ...request,
        ...decline,
      });
      assert.deepEqual(await ids(owner, 'pending'), []);
      assert.deepEqual(await ids(owner, 'declined'), [request.id]);
      assert.deepEqual(await storage.read((tx) => tx.listExpiredConsentRequests(T0 + 60_000, 10)), []);
    });

    it('records who approved a consent recall in the tombstone', async () => {
      const [a, b] = [await user(), await user()];
      const c = await group([a, b]);
      const m = await message(c, a);
      const tombstone = {
        recalledAt: T0 + 5,
        recalledBy: a,
        role: 'sender' as const,
        reason: null,
        label: null,
        approvedBy: b,
      };
      await storage.transaction((tx) => tx.eraseMessage(m.id, tombstone));
      const erased = await storage.read((tx) => tx.findMessage(m.id));
      assert.deepEqual(erased?.tombstone, tombstone);
      assert.equal(erased?.body, null);
    });

    it('keeps user settings and held messages until delivered or cancelled, exactly once', async () => {
      const [a, b] = [await user(), await user()];
      const c = await group([a, b]);
      assert.deepEqual(await storage.read((tx) => tx.findUserSettings(a)), { sendDelaySeconds: 0 });
      await storage.transaction((tx) => tx.setUserSettings(a, { sendDelaySeconds: 5 }));
      await storage.transaction((tx) => tx.setUserSettings(a, { sendDelaySeconds: 7 }));
      assert.deepEqual(await storage.read((tx) => tx.findUserSettings(a)), { sendDelaySeconds: 7 });

      const held = {
        id: uid('m'),
        conversationId: c,
        senderId: a,
        clientMsgId: uid('k'),
        type: 'text' as const,
        body: 'held text',
        attachmentId: null,
        replyTo: null,
        corrects: null,
        heldAt: T0,
        deliverAt: T0 + 7000,
      };
      await storage.transaction((tx) => tx.insertHeldMessage(held));
      assert.deepEqual(await storage.read((tx) => tx.findHeldMessage(held.id)), held);
      assert.deepEqual(await storage.read((tx) => tx.findHeldMessageByClientId(a, held.clientMsgId)), held);
      assert.equal(await storage.read((tx) => tx.findHeldMessageByClientId(b, held.clientMsgId)), null);
      assert.deepEqual(await storage.read((tx) => tx.listDueHeldMessages(T0 + 6999, 10)), []);
      assert.deepEqual(await storage.read((tx) => tx.listDueHeldMessages(T0 + 7000, 10)), [held.id]);
      assert.equal(await storage.transaction((tx) => tx.deleteHeldMessage(held.id)), true);
      assert.equal(await storage.transaction((tx) => tx.deleteHeldMessage(held.id)), false);
      assert.equal(await storage.read((tx) => tx.findHeldMessage(held.id)), null);
    });

    it('lists messages sent before a moment that still have content, oldest first (retention)', async () => {
      const [a] = [await user()];
      const c = await group([a]);
      const first = await message(c, a);
      const second = await message(c, a);
      const listed = await storage.read((tx) => tx.listSentBefore(T0 + 1, 1000));
      assert.ok(listed.includes(first.id) && listed.includes(second.id));
      assert.deepEqual(await storage.read((tx) => tx.listSentBefore(T0, 1000)), [], 'strictly before');
      await storage.transaction((tx) =>
        tx.eraseMessage(first.id, {
          recalledAt: T0 + 5,
          recalledBy: a,
          role: 'retention',
          reason: null,
          label: null,
        }),
      );
      const after = await storage.read((tx) => tx.listSentBefore(T0 + 1, 1000));
      assert.ok(!after.includes(first.id) && after.includes(second.id));
    });

    it('answers ping and purges without error', async () => {
      await storage.ping();
      await storage.purgeErased();
    });

    auditStorageContract(() => storage);
    analyticsStorageContract(() => storage);
    pushStorageContract(() => storage);
    accountsStorageContract(() => storage);
    webhooksStorageContract(() => storage);
  });
}
