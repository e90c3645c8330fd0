import { it } from 'node:test';
import assert from 'node:assert/strict';
import type { Storage } from '../../src/storage/storage.js';
import type { WebhookSubscriptionRecord } from '../../src/storage/webhook-records.js';

/**
 * Webhooks' and API keys' part of the storage contract: an event fans out to the subscriptions of its
 * type only, a claim leases rows so a second claim does not get them, attempts are recorded, a deleted
 * subscription takes its log along, and keys are revoked once. The suite shares one store, so each case
 * uses ids and times of its own.
 */
export function webhooksStorageContract(storage: () => Storage): void {
  let era = 0;
  function fresh() {
    era += 1;
    // Far from other cases' times: each case claims only what it queued.
    return {
      t: Date.UTC(2040, 0, 1) + era * 86_400_000 * 365,
      p: `${era}${Math.random().toString(36).slice(2, 8)}`,
    };
  }
  const subscription = (id: string, events: string[], at: number): WebhookSubscriptionRecord => ({
    id,
    url: 'http://127.0.0.1:9/hook',
    events,
    description: null,
    secret: `whsec_${id}`,
    createdAt: at,
  });

  it('queues an event for each subscription to its type, and lists the log newest first', async () => {
    const { t, p } = fresh();
    const a = subscription(`wh_a${p}`, ['message.created', 'message.recalled'], t);
    const b = subscription(`wh_b${p}`, ['member.added'], t);
    await storage().transaction(async (tx) => {
      await tx.insertWebhookSubscription(a);
      await tx.insertWebhookSubscription(b);
    });
    const queued = await storage().transaction(async (tx) => [
      await tx.queueWebhookEvent({
        eventId: `whe_1${p}`,
        type: 'message.created',
        ref: { conversationId: 'c_x', messageId: 'm_x', subjectId: null, detail: null },
        occurredAt: t,
      }),
      await tx.queueWebhookEvent({
        eventId: `whe_2${p}`,
        type: 'message.recalled',
        ref: { conversationId: 'c_x', messageId: 'm_x', subjectId: null, detail: null },
        occurredAt: t + 1,
      }),
      await tx.queueWebhookEvent({
        eventId: `whe_3${p}`,
        type: 'policy.changed',
        ref: { conversationId: 'c_x', messageId: null, subjectId: 'u_y', detail: null },
        occurredAt: t + 2,
      }),
    ]);
    assert.deepEqual(queued, [1, 1, 0]);
    const log = await storage().read((tx) => tx.listWebhookDeliveries(a.id, 10));
    assert.deepEqual(
      log.map((d) => [d.eventId, d.eventType, d.status, d.attempts]),
      [
        [`whe_2${p}`, 'message.recalled', 'pending', 0],
        [`whe_1${p}`, 'message.created', 'pending', 0],
      ],
    );
    assert.deepEqual(log[1]?.ref, { conversationId: 'c_x', messageId: 'm_x', subjectId: null, detail: null });
    assert.deepEqual(await storage().read((tx) => tx.listWebhookDeliveries(b.id, 10)), []);
    const found = await storage().read((tx) => tx.findWebhookSubscription(a.id));
    assert.deepEqual(found, a);
    assert.ok((await storage().read((tx) => tx.listWebhookSubscriptions())).some((s) => s.id === b.id));
    // Claims see the whole outbox: leave nothing due for the cases after this one.
    await storage().transaction(async (tx) => {
      await tx.deleteWebhookSubscription(a.id);
      await tx.deleteWebhookSubscription(b.id);
    });
  });

  it('claims due rows once, leases them, and records attempts', async () => {
    const { t, p } = fresh();
    const s = subscription(`wh_c${p}`, ['recall.denied'], t);
    await storage().transaction(async (tx) => {
      await tx.insertWebhookSubscription(s);
      await tx.queueWebhookEvent({
        eventId: `whe_d${p}`,
        type: 'recall.denied',
        ref: { conversationId: 'c_x', messageId: 'm_x', subjectId: 'u_z', detail: 'not_permitted' },
        occurredAt: t,
      });
    });
    assert.deepEqual(await storage().transaction((tx) => tx.claimWebhookDeliveries(t - 1, t + 100, 10)), []);
    const [claimed, ...none] = await storage().transaction((tx) => tx.claimWebhookDeliveries(t, t + 100, 10));
    assert.equal(none.length, 0);
    assert.equal(claimed?.attempts, 1);
    assert.equal(claimed?.ref.detail, 'not_permitted');
    assert.equal(claimed?.lastAttemptAt, t);
    // Leased: another worker gets nothing until the lease lapses.
    assert.deepEqual(await storage().transaction((tx) => tx.claimWebhookDeliveries(t + 50, t + 150, 10)), []);
    const id = claimed?.id ?? '';
    await storage().transaction((tx) =>
      tx.recordWebhookAttempt(id, {
        status: 'pending',
        at: t + 1,
        nextAttemptAt: t + 200,
        statusCode: 500,
        error: 'HTTP 500',
      }),
    );
    const again = await storage().transaction((tx) => tx.claimWebhookDeliveries(t + 200, t + 300, 10));
    assert.deepEqual(
      again.map((d) => [d.id, d.attempts]),
      [[id, 2]],
    );
    await storage().transaction((tx) =>
      tx.recordWebhookAttempt(id, {
        status: 'delivered',
        at: t + 201,
        nextAttemptAt: null,
        statusCode: 204,
        error: null,
      }),
    );
    const [done] = await storage().read((tx) => tx.listWebhookDeliveries(s.id, 10));
    assert.equal(done?.status, 'delivered');
    assert.equal(done?.lastStatusCode, 204);
    assert.equal(done?.deliveredAt, t + 201);
    assert.deepEqual(
      await storage().transaction((tx) => tx.claimWebhookDeliveries(t + 10_000, t + 20_000, 10)),
      [],
    );

    // Pruning drops finished rows of old events only.
    await storage().transaction((tx) => tx.pruneWebhookDeliveries(t + 1));
    assert.deepEqual(await storage().read((tx) => tx.listWebhookDeliveries(s.id, 10)), []);
  });

  it('rotates a secret, and deleting a subscription deletes its log', async () => {
    const { t, p } = fresh();
    const s = subscription(`wh_e${p}`, ['member.removed'], t);
    await storage().transaction(async (tx) => {
      await tx.insertWebhookSubscription(s);
      await tx.queueWebhookEvent({
        eventId: `whe_e${p}`,
        type: 'member.removed',
        ref: { conversationId: 'c_x', messageId: null, subjectId: 'u_q', detail: null },
        occurredAt: t,
      });
    });
    assert.equal(await storage().transaction((tx) => tx.setWebhookSecret(s.id, 'whsec_new')), true);
    assert.equal((await storage().read((tx) => tx.findWebhookSubscription(s.id)))?.secret, 'whsec_new');
    assert.equal(await storage().transaction((tx) => tx.deleteWebhookSubscription(s.id)), true);
    assert.equal(await storage().transaction((tx) => tx.deleteWebhookSubscription(s.id)), false);
    assert.equal(await storage().read((tx) => tx.findWebhookSubscription(s.id)), null);
    assert.deepEqual(await storage().read((tx) => tx.listWebhookDeliveries(s.id, 10)), []);
    assert.deepEqual(await storage().transaction((tx) => tx.claimWebhookDeliveries(t, t + 1, 10)), []);
  });

  it('stores API keys by hash and revokes them once', async () => {
    const { t, p } = fresh();
    const key = {
      id: `i_${p}`,
      name: 'moderation bot',
      scopes: ['recall', 'recall:bulk'],
      secretHash: `hash${p}`,
      createdAt: t,
      revokedAt: null,
    };
    await storage().transaction((tx) => tx.insertApiKey(key));
    assert.deepEqual(await storage().read((tx) => tx.findApiKey(key.id)), key);
    assert.ok((await storage().read((tx) => tx.listApiKeys())).some((k) => k.id === key.id));
    assert.equal(await storage().transaction((tx) => tx.revokeApiKey(key.id, t + 5)), true);
    assert.equal(await storage().transaction((tx) => tx.revokeApiKey(key.id, t + 6)), false);
    assert.equal((await storage().read((tx) => tx.findApiKey(key.id)))?.revokedAt, t + 5);
    assert.equal(await storage().read((tx) => tx.findApiKey('i_unknown')), null);
  });
}
