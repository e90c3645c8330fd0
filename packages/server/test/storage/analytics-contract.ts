import { it } from 'node:test';
import assert from 'node:assert/strict';
import {
  SLOT_MS,
  type PendingFollowUpRecord,
  type RecallBucketKey,
} from '../../src/storage/analytics-records.js';
import type { Storage } from '../../src/storage/storage.js';

/**
 * Recall analytics' part of the storage contract: cells that count up and down, pending follow-ups that
 * are resolved exactly once, per-day activity that counts each user once, retention. The suite shares one
 * store, so each case works in a range of slots, days and ids of its own.
 */
export function analyticsStorageContract(storage: () => Storage): void {
  let era = 0;
  /** A fresh range of slots (a 30-day stretch per case, from 2030 on) and a fresh id prefix. */
  function fresh() {
    era += 1;
    const base = Date.UTC(2030, 0, 1) + era * 30 * 86_400_000;
    return { base, p: `a${era}${Math.random().toString(36).slice(2, 8)}` };
  }
  const key = (slot: number, over: Partial<RecallBucketKey> = {}): RecallBucketKey => ({
    slot,
    outcome: 'recall_window_expired',
    conversationKind: 'group',
    contentType: 'text',
    role: 'sender',
    delayBucket: 24,
    followUp: 'pending',
    ...over,
  });
  const counts = async (from: number, to: number) =>
    (await storage().read((tx) => tx.listRecallBuckets(from, to))).map((b) => ({
      slot: b.slot,
      outcome: b.outcome,
      followUp: b.followUp,
      count: b.count,
    }));

  it('counts recall attempts per cell, up and down, and lists them by slot range', async () => {
    const { base } = fresh();
    const s0 = base;
    const s1 = base + SLOT_MS;
    const allowed = key(s0, {
      outcome: 'recalled',
      followUp: null,
      role: 'owner',
      conversationKind: 'direct',
    });
    await storage().transaction(async (tx) => {
      await tx.addRecallBucket(allowed, 1);
      await tx.addRecallBucket(allowed, 1);
      await tx.addRecallBucket(key(s0), 1);
      await tx.addRecallBucket(key(s1), 3);
      await tx.addRecallBucket(key(s1, { followUp: 'hide' }), 1);
    });
    await storage().transaction((tx) => tx.addRecallBucket(key(s1), -1));

    const all = await storage().read((tx) => tx.listRecallBuckets(base, base + 2 * SLOT_MS));
    assert.equal(all.length, 4);
    const stored = all.find((b) => b.outcome === 'recalled');
    assert.deepEqual(stored, { ...allowed, count: 2 }, 'every key field reads back, a null follow-up too');

    assert.deepEqual(
      (await counts(s1, s1 + SLOT_MS)).sort((a, b) => String(a.followUp).localeCompare(String(b.followUp))),
      [
        { slot: s1, outcome: 'recall_window_expired', followUp: 'hide', count: 1 },
        { slot: s1, outcome: 'recall_window_expired', followUp: 'pending', count: 2 },
      ],
      'the upper bound is exclusive, the lower inclusive',
    );
    assert.equal((await counts(s0, s1)).length, 2, 'only slot s0');
    assert.deepEqual(await counts(base - SLOT_MS, base), []);

    await storage().transaction((tx) => tx.addRecallBucket(key(s0), -1));
    assert.deepEqual(
      (await counts(s0, s1)).map((c) => c.outcome),
      ['recalled'],
      'a cell brought back to 0 is not listed',
    );
  });

  it('keeps pending follow-ups until resolved, exactly once, and lists the stale ones', async () => {
    const { base, p } = fresh();
    const pending = (n: number, userId: string, conversationId: string): PendingFollowUpRecord => ({
      id: `${p}_f${n}`,
      userId,
      conversationId,
      messageId: `${p}_m${n}`,
      deniedAt: base + n * 1000,
      bucket: key(base, { delayBucket: n }),
    });
    const [u, v, c, d] = [`${p}_u`, `${p}_v`, `${p}_c`, `${p}_d`];
    const entries = [pending(3, u, c), pending(1, u, c), pending(2, u, d), pending(4, v, c)];
    await storage().transaction(async (tx) => {
      for (const e of entries) await tx.insertPendingFollowUp(e);
    });

    const ofUc = await storage().read((tx) => tx.listPendingFollowUps(u, c));
    assert.deepEqual(ofUc, [entries[1], entries[0]], 'the user’s in that conversation, oldest first, whole');
    assert.deepEqual(
      (await storage().read((tx) => tx.listPendingFollowUps(v, c))).map((e) => e.id),
      [`${p}_f4`],
    );

    const stale = await storage().read((tx) => tx.listStaleFollowUps(base + 3000, 100));
    const ours = stale.filter((e) => e.id.startsWith(p)).map((e) => e.id);
    assert.deepEqual(ours, [`${p}_f1`, `${p}_f2`], 'strictly before, oldest first');
    const limited = await storage().read((tx) => tx.listStaleFollowUps(base + 3000, 1));
    assert.equal(limited.length, 1);

    assert.equal(await storage().transaction((tx) => tx.deletePendingFollowUp(`${p}_f1`)), true);
    assert.equal(
      await storage().transaction((tx) => tx.deletePendingFollowUp(`${p}_f1`)),
      false,
      'the second resolution finds it gone',
    );
    assert.deepEqual(
      (await storage().read((tx) => tx.listPendingFollowUps(u, c))).map((e) => e.id),
      [`${p}_f3`],
    );
  });

  it('counts each user once per day as sender and as attempter', async () => {
    const { p } = fresh();
    const [a, b, c] = [`${p}_a`, `${p}_b`, `${p}_c`];
    // Days in a year no other case uses.
    await storage().transaction(async (tx) => {
      await tx.markActivity('2031-03-01', a, 'sent');
      await tx.markActivity('2031-03-01', a, 'sent');
      await tx.markActivity('2031-03-01', a, 'attempted');
      await tx.markActivity('2031-03-01', b, 'sent');
      await tx.markActivity('2031-03-01', c, 'attempted');
      await tx.markActivity('2031-03-01', c, 'attempted');
      await tx.markActivity('2031-03-02', b, 'attempted');
      await tx.markActivity('2031-03-03', b, 'sent');
    });
    // Marking again in a later transaction changes nothing either.
    await storage().transaction((tx) => tx.markActivity('2031-03-01', b, 'sent'));

    assert.deepEqual(await storage().read((tx) => tx.listDailyActivity('2031-03-01', '2031-03-02')), [
      { day: '2031-03-01', senders: 2, attempters: 2, sendersWhoAttempted: 1 },
      { day: '2031-03-02', senders: 0, attempters: 1, sendersWhoAttempted: 0 },
    ]);
    assert.deepEqual(
      (await storage().read((tx) => tx.listDailyActivity('2031-03-03', '2031-03-31'))).map((d) => d.day),
      ['2031-03-03'],
      'both bounds inclusive',
    );
  });

  it('drops cells and activity older than the retention bounds, nothing newer', async () => {
    const { base, p } = fresh();
    await storage().transaction(async (tx) => {
      await tx.addRecallBucket(key(base), 1);
      await tx.addRecallBucket(key(base + SLOT_MS), 1);
      await tx.addRecallBucket(key(base + 2 * SLOT_MS), 1);
      await tx.markActivity('2031-06-01', `${p}_a`, 'sent');
      await tx.markActivity('2031-06-02', `${p}_a`, 'sent');
    });
    await storage().transaction((tx) => tx.deleteAnalyticsBefore(base + SLOT_MS, '2031-06-02'));
    assert.deepEqual(
      (await counts(base, base + 3 * SLOT_MS)).map((c) => c.slot),
      [base + SLOT_MS, base + 2 * SLOT_MS],
    );
    assert.deepEqual(
      (await storage().read((tx) => tx.listDailyActivity('2031-06-01', '2031-06-30'))).map((d) => d.day),
      ['2031-06-02'],
    );
  });
}
