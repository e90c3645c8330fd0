import type { ActionContext } from '../actions/context.js';
import type { WebhookAttemptResult, WebhookDeliveryRecord } from '../storage/webhook-records.js';
import { retryDelayMs } from './backoff.js';
import { postWebhook } from './post.js';
import { renderWebhook } from './render.js';
import { webhookHeaders } from './signing.js';

/** A claim outlives the POST's timeout by this much, so a slow commit never hands a row to a second node. */
const leaseMarginMs = 30_000;
const pruneEveryMs = 3_600_000;

/**
 * One pass of the delivery worker: claims due outbox rows (leased, so workers on other nodes skip them),
 * renders and signs each body at send time, POSTs, and records the outcome — delivered; pending again
 * after a backoff; failed once `maxAttempts` are used; skipped when its subject is gone. Returns how
 * many it claimed.
 */
export async function deliverDueWebhooks(ctx: ActionContext): Promise<number> {
  const config = ctx.config.webhooks;
  const now = ctx.clock.now();
  const claimed = await ctx.storage.transaction((tx) =>
    tx.claimWebhookDeliveries(now, now + config.timeoutMs + leaseMarginMs, config.batchSize),
  );
  await Promise.all(claimed.map((d) => attempt(ctx, d)));
  return claimed.length;
}

async function attempt(ctx: ActionContext, d: WebhookDeliveryRecord): Promise<void> {
  const config = ctx.config.webhooks;
  const { subscription, payload } = await ctx.storage.read(async (tx) => ({
    subscription: await tx.findWebhookSubscription(d.subscriptionId),
    payload: await renderWebhook(tx, d),
  }));
  // Deleted meanwhile: its rows went with it.
  if (!subscription) return;
  let result: WebhookAttemptResult;
  if (payload === null) {
    result = { status: 'skipped', at: ctx.clock.now(), nextAttemptAt: null, statusCode: null, error: 'gone' };
  } else {
    const body = JSON.stringify(payload);
    const sentAt = ctx.clock.now();
    const headers = webhookHeaders({
      secret: subscription.secret,
      deliveryId: d.id,
      eventType: d.eventType,
      body,
      nowMs: sentAt,
    });
    const started = performance.now();
    const outcome = await postWebhook(subscription.url, headers, body, config.timeoutMs);
    ctx.metrics.webhookDuration.observe((performance.now() - started) / 1000);
    const at = ctx.clock.now();
    if (outcome.error === null) {
      result = { status: 'delivered', at, nextAttemptAt: null, statusCode: outcome.statusCode, error: null };
    } else if (d.attempts >= config.maxAttempts) {
      result = {
        status: 'failed',
        at,
        nextAttemptAt: null,
        statusCode: outcome.statusCode,
        error: outcome.error,
      };
    } else {
      result = {
        status: 'pending',
        at,
        nextAttemptAt: at + retryDelayMs(d.attempts, config),
        statusCode: outcome.statusCode,
        error: outcome.error,
      };
    }
  }
  await ctx.storage.transaction((tx) => tx.recordWebhookAttempt(d.id, result));
  ctx.metrics.webhookDeliveries.inc({ outcome: result.status === 'pending' ? 'retry' : result.status });
}

/**
 * Runs the worker every `webhooks.workerIntervalMs` on this node, one pass at a time, and prunes the
 * delivery log hourly. `stop` waits for the pass in flight, so nothing is written after storage closes.
 */
export function startWebhookWorker(ctx: ActionContext): { stop(): Promise<void> } {
  let running: Promise<void> | null = null;
  let lastPrune = 0;
  const tick = () => {
    if (running) return;
    running = (async () => {
      // Drain: a full batch means more may be due.
      while ((await deliverDueWebhooks(ctx)) >= ctx.config.webhooks.batchSize);
      const now = ctx.clock.now();
      if (now - lastPrune >= pruneEveryMs) {
        lastPrune = now;
        const cutoff = now - ctx.config.webhooks.logRetentionDays * 86_400_000;
        await ctx.storage.transaction((tx) => tx.pruneWebhookDeliveries(cutoff));
      }
    })()
      .catch((error: unknown) => ctx.log.error({ err: error }, 'webhook delivery pass failed'))
      .finally(() => {
        running = null;
      });
  };
  const timer = setInterval(tick, ctx.config.webhooks.workerIntervalMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
