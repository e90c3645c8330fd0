import { it } from 'node:test';
import assert from 'node:assert/strict';
import type { PushTargetRecord } from '../../src/storage/push-records.js';
import type { Storage } from '../../src/storage/storage.js';

/**
 * Push notifications' part of the storage contract: fan-out to members' targets but the sender's
 * device, claims that no second worker can take while leased, an erasure that drops unsent notifies
 * and turns claimed ones into retractions, and targets (with their queue) gone with their device.
 * The suite shares one store, so each case makes users, devices and a conversation of its own.
 */
export function pushStorageContract(storage: () => Storage): void {
  let n = 0;
  const T0 = Date.UTC(2031, 0, 1);

  async function world() {
    n += 1;
    const p = `push${n}${Math.random().toString(36).slice(2, 8)}`;
    const [alice, bob] = [`u_${p}a`, `u_${p}b`];
    const conversationId = `c_${p}`;
    const devices = { alice: `d_${p}a`, bob: `d_${p}b`, bob2: `d_${p}b2` };
    await storage().transaction(async (tx) => {
      for (const u of [alice, bob])
        await tx.insertUser({ id: u, username: u, passwordHash: 'h', createdAt: T0 });
      for (const [who, id] of Object.entries(devices)) {
        await tx.insertDevice({
          id,
          userId: who === 'alice' ? alice : bob,
          name: who,
          tokenHash: `h-${id}`,
          createdAt: T0,
        });
      }
      await tx.insertConversation({
        id: conversationId,
        kind: 'group',
        title: 'g',
        createdAt: T0,
        directKey: null,
        policy: null,
      });
      await tx.insertMember({ conversationId, userId: alice, role: 'owner', joinedAt: T0 });
      await tx.insertMember({ conversationId, userId: bob, role: 'member', joinedAt: T0 });
    });
    const target = (id: string, userId: string, deviceId: string): PushTargetRecord => ({
      id: `p_${p}${id}`,
      userId,
      deviceId,
      kind: 'webpush',
      address: `https://push.example/${p}/${id}`,
      p256dh: 'k',
      auth: 'a',
      pushkey: null,
      secret: null,
      privacy: false,
      createdAt: T0,
    });
    const targets = {
      alice: target('a', alice, devices.alice),
      bob: target('b', bob, devices.bob),
      bob2: target('b2', bob, devices.bob2),
    };
    await storage().transaction(async (tx) => {
      for (const t of Object.values(targets)) await tx.insertPushTarget(t);
    });
    return { p, alice, bob, conversationId, devices, targets };
  }

  const fanout = (w: Awaited<ReturnType<typeof world>>, messageId: string, dueAt: number) =>
    storage().transaction((tx) =>
      tx.queueNotifyPushes({
        messageId,
        conversationId: w.conversationId,
        tag: `tag-${messageId}`,
        dueAt,
        skipDeviceId: w.devices.alice,
        skipUserId: null,
      }),
    );
  /** Claims everything due at `now` that belongs to this world. */
  const claim = async (w: { p: string }, now: number) =>
    (await storage().transaction((tx) => tx.claimDuePushes(now, now + 60_000, 500))).filter((c) =>
      c.job.messageId.includes(w.p),
    );

  it('push: queues a notify per member target but the sending device, claimable once while leased', async () => {
    const w = await world();
    const m = `m_${w.p}1`;
    assert.equal(await fanout(w, m, T0 + 2000), 2);
    assert.equal((await claim(w, T0 + 1999)).length, 0, 'not due during the hold');
    const first = await claim(w, T0 + 2000);
    assert.deepEqual(first.map((c) => c.target.id).sort(), [w.targets.bob.id, w.targets.bob2.id].sort());
    assert.ok(
      first.every((c) => c.job.kind === 'notify' && c.job.attempts === 1 && c.job.tag === `tag-${m}`),
    );
    assert.equal((await claim(w, T0 + 2000)).length, 0, 'a claimed push is not claimed again while leased');
    const key = { targetId: w.targets.bob.id, messageId: m, kind: 'notify' as const };
    await storage().transaction((tx) => tx.reschedulePushJob(key, T0 + 5000));
    await storage().transaction((tx) => tx.deletePushJob({ ...key, targetId: w.targets.bob2.id }));
    const again = await claim(w, T0 + 5000);
    assert.deepEqual(
      again.map((c) => [c.target.id, c.job.attempts]),
      [[w.targets.bob.id, 2]],
    );
  });

  it('push: concurrent claims (two workers, or two nodes) never take the same push', async () => {
    const w = await world();
    for (let i = 0; i < 5; i += 1) await fanout(w, `m_${w.p}c${i}`, T0);
    const [a, b] = await Promise.all([claim(w, T0), claim(w, T0)]);
    const keys = [...a, ...b].map((c) => `${c.target.id}/${c.job.messageId}`);
    assert.equal(keys.length, 10, 'every due push is claimed');
    assert.equal(new Set(keys).size, 10, 'and by one worker only');
  });

  it('push: an erasure drops unsent notifies and retracts claimed ones', async () => {
    const w = await world();
    const [held, claimed] = [`m_${w.p}held`, `m_${w.p}claimed`];
    await fanout(w, held, T0 + 10_000);
    await fanout(w, claimed, T0);
    assert.equal((await claim(w, T0)).length, 2);
    await storage().transaction(async (tx) => {
      assert.equal(await tx.retractPushes(held, T0 + 1), 0, 'nothing was sent: nothing to retract');
      assert.equal(await tx.retractPushes(claimed, T0 + 1), 2);
    });
    const next = await claim(w, T0 + 60_000);
    assert.deepEqual(
      next.map((c) => [c.job.messageId, c.job.kind, c.job.tag]).sort(),
      [
        [claimed, 'retract', `tag-${claimed}`],
        [claimed, 'retract', `tag-${claimed}`],
      ],
      'the held notify is gone; the claimed ones became retractions',
    );
    await storage().transaction(async (tx) => {
      assert.equal(await tx.retractPushes(claimed, T0 + 2), 0, 'retracted once');
    });
  });

  it('push: targets are per device, replaced on re-registration, and go with their device', async () => {
    const w = await world();
    const list = (d: string) => storage().read((tx) => tx.listPushTargets(d));
    assert.deepEqual(
      (await list(w.devices.bob)).map((t) => t.id),
      [w.targets.bob.id],
    );
    const again = { ...w.targets.bob, id: `${w.targets.bob.id}x`, privacy: true };
    await storage().transaction((tx) => tx.insertPushTarget(again));
    assert.deepEqual(await list(w.devices.bob), [again]);
    assert.equal(await storage().transaction((tx) => tx.deletePushTarget(again.id, w.devices.bob2)), false);
    await fanout(w, `m_${w.p}x`, T0);
    await storage().transaction((tx) => tx.deleteDevice(w.devices.bob));
    assert.deepEqual(await list(w.devices.bob), []);
    const left = await claim(w, T0);
    assert.deepEqual(
      left.map((c) => c.target.id),
      [w.targets.bob2.id],
      'its queue went with it',
    );
  });
}
