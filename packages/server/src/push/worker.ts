import type { ActionContext } from '../actions/context.js';
import type { ClaimedPush, PushJobKey } from '../storage/push-records.js';
import { sendGateway } from './gateway-sender.js';
import type { SendOutcome } from './outcome.js';
import { renderNotification, renderRetraction, type PushNotification } from './payload.js';
import { loadVapidKeys, type VapidKeys } from './vapid.js';
import { sendWebPush } from './web-push-sender.js';

/**
 * The push outbox worker. Every node runs it; each run claims due rows in a storage transaction (leased
 * for `LEASE_MS`: no other worker takes them meanwhile), renders each push from the message as it is
 * now, sends it outside any transaction, then settles the row: delivered, retried later with
 * exponential backoff, given up, or its target removed. Nothing it logs or counts holds content.
 */

/** How long a claimed push is kept from other workers; a node that dies mid-send frees it after this. */
const LEASE_MS = 60_000;
const BATCH = 50;

/** Sends every due push; returns how many were attempted. Run by the timer, and directly by tests. */
export async function runPushOutbox(ctx: ActionContext): Promise<number> {
  const depth = await ctx.storage.read((tx) => tx.pushOutboxDepth());
  ctx.metrics.pushOutboxDepth.set(depth);
  if (depth === 0) return 0;
  const vapid = await loadVapidKeys(ctx.config);
  let attempted = 0;
  for (;;) {
    const now = ctx.clock.now();
    const claimed = await ctx.storage.transaction((tx) => tx.claimDuePushes(now, now + LEASE_MS, BATCH));
    await Promise.all(claimed.map((c) => deliverOne(ctx, vapid, c)));
    attempted += claimed.length;
    if (claimed.length < BATCH) break;
  }
  if (attempted > 0) ctx.metrics.pushOutboxDepth.set(await ctx.storage.read((tx) => tx.pushOutboxDepth()));
  return attempted;
}

/** Forgets notifications too old to retract (push.retractWithinDays). */
export async function pruneReceipts(ctx: ActionContext): Promise<void> {
  const before = ctx.clock.now() - ctx.config.push.retractWithinDays * 86_400_000;
  await ctx.storage.transaction((tx) => tx.deletePushReceiptsBefore(before));
}

/** Runs the worker every second, one run at a time, until stopped (which waits for the run in flight). */
export function startPushWorker(ctx: ActionContext): { stop(): Promise<void> } {
  let running: Promise<void> | null = null;
  let ticks = 0;
  const timer = setInterval(() => {
    if (running) return;
    ticks += 1;
    running = (async () => {
      await runPushOutbox(ctx);
      // Once a minute is plenty for a cut-off counted in days.
      if (ticks % 60 === 1) await pruneReceipts(ctx);
    })()
      .catch((error: unknown) => ctx.log.error({ err: error }, 'push outbox run failed'))
      .finally(() => {
        running = null;
      });
  }, 1000).unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}

async function deliverOne(ctx: ActionContext, vapid: VapidKeys, claimed: ClaimedPush): Promise<void> {
  const { job, target } = claimed;
  const key: PushJobKey = { targetId: job.targetId, messageId: job.messageId, kind: job.kind };
  try {
    const notification = await render(ctx, claimed);
    if (notification === null) {
      // Erased before its push went out: nothing to say, and no retraction of what was never shown.
      await ctx.storage.transaction(async (tx) => {
        await tx.deletePushJob(key);
        await tx.deletePushJob({ ...key, kind: 'retract' });
      });
      ctx.metrics.pushDeliveries.labels(job.kind, 'skipped').inc();
      return;
    }
    const now = ctx.clock.now();
    const outcome: SendOutcome =
      target.kind === 'webpush'
        ? await sendWebPush(target, notification, vapid, ctx.config.push.timeoutMs)
        : await sendGateway(target, notification, now, ctx.config.push.timeoutMs);
    await settle(ctx, claimed, outcome);
  } catch (error) {
    // Storage trouble: the lease runs out and the push is claimed again.
    ctx.log.error({ err: error, targetId: target.id, kind: job.kind }, 'push delivery failed');
  }
}

async function render(ctx: ActionContext, { job, target }: ClaimedPush): Promise<PushNotification | null> {
  const privacy = target.privacy || ctx.config.push.privacy;
  return ctx.storage.read(async (tx) => {
    const message = await tx.findMessage(job.messageId);
    if (!message) return null;
    if (job.kind === 'retract') {
      const actor = message.tombstone ? await tx.findUserById(message.tombstone.recalledBy) : null;
      return renderRetraction({ message, actorName: actor?.username ?? null, privacy });
    }
    if (message.tombstone !== null) return null;
    const [sender, conversation] = await Promise.all([
      tx.findUserById(message.senderId),
      tx.findConversation(message.conversationId),
    ]);
    if (!conversation) return null;
    return renderNotification({ message, senderName: sender?.username ?? 'Someone', conversation, privacy });
  });
}

async function settle(ctx: ActionContext, { job, target }: ClaimedPush, outcome: SendOutcome): Promise<void> {
  const key: PushJobKey = { targetId: job.targetId, messageId: job.messageId, kind: job.kind };
  const count = (what: string) => ctx.metrics.pushDeliveries.labels(job.kind, what).inc();
  switch (outcome.kind) {
    case 'delivered':
      await ctx.storage.transaction((tx) => tx.deletePushJob(key));
      count('delivered');
      return;
    case 'gone':
      // Its queue and receipts go with it.
      await ctx.storage.transaction((tx) => tx.deletePushTarget(target.id, null));
      ctx.log.info({ targetId: target.id, targetKind: target.kind }, 'push target gone; removed');
      count('gone');
      return;
    case 'failed':
      await ctx.storage.transaction((tx) => tx.deletePushJob(key));
      ctx.log.warn({ targetId: target.id, status: outcome.status, kind: job.kind }, 'push refused; dropped');
      count('failed');
      return;
    case 'retry': {
      const { maxAttempts, retryBaseSeconds, retryMaxSeconds } = ctx.config.push;
      if (job.attempts >= maxAttempts) {
        await ctx.storage.transaction((tx) => tx.deletePushJob(key));
        ctx.log.warn(
          { targetId: target.id, status: outcome.status, kind: job.kind, attempts: job.attempts },
          'push failed on its last attempt; dropped',
        );
        count('failed');
        return;
      }
      const delay = Math.min(retryBaseSeconds * 2 ** (job.attempts - 1), retryMaxSeconds) * 1000;
      await ctx.storage.transaction((tx) => tx.reschedulePushJob(key, ctx.clock.now() + delay));
      count('retry');
      ctx.metrics.pushRetries.labels(job.kind).inc();
      return;
    }
  }
}
