import { randomBytes } from 'node:crypto';
import type { webhooks } from '@retract/protocol';
import { AppError } from '../errors.js';
import type { WebhookDeliveryRecord, WebhookSubscriptionRecord } from '../storage/webhook-records.js';
import { expandEventPatterns } from '../webhooks/event-types.js';
import { newWebhookSecret } from '../webhooks/signing.js';
import type { ActionContext, Actor } from './context.js';
import { requireServerAdmin } from './policy.js';

const ADMINS_ONLY = 'webhooks are for server admins';

/** Webhook subscriptions (docs/webhooks.md): made, listed, rotated and removed by server admins only. */

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

function view(s: WebhookSubscriptionRecord): webhooks.Webhook {
  return {
    id: s.id,
    url: s.url,
    events: [...s.events],
    description: s.description,
    createdAt: new Date(s.createdAt).toISOString(),
  };
}

function deliveryView(d: WebhookDeliveryRecord): webhooks.WebhookDelivery {
  return {
    id: d.id,
    eventId: d.eventId,
    eventType: d.eventType,
    status: d.status,
    attempts: d.attempts,
    lastStatusCode: d.lastStatusCode,
    lastError: d.lastError,
    createdAt: new Date(d.occurredAt).toISOString(),
    lastAttemptAt: iso(d.lastAttemptAt),
    nextAttemptAt: d.status === 'pending' ? iso(d.nextAttemptAt) : null,
    deliveredAt: iso(d.deliveredAt),
  };
}

/** Subscribes a URL to event types; the signing secret is in this answer only. */
export async function createWebhook(
  ctx: ActionContext,
  actor: Actor,
  input: webhooks.CreateWebhookRequest,
): Promise<webhooks.WebhookWithSecret> {
  requireServerAdmin(actor, ADMINS_ONLY);
  const { types, unknown } = expandEventPatterns(input.events);
  if (unknown.length > 0) {
    throw new AppError('invalid_request', {
      problems: unknown.map((p) => ({ path: '/events', message: `no webhook event matches '${p}'` })),
    });
  }
  const record: WebhookSubscriptionRecord = {
    id: `wh_${randomBytes(12).toString('hex')}`,
    url: input.url,
    events: types,
    description: input.description ?? null,
    secret: newWebhookSecret(),
    createdAt: ctx.clock.now(),
  };
  await ctx.storage.transaction((tx) => tx.insertWebhookSubscription(record));
  return { webhook: view(record), secret: record.secret };
}

export async function listWebhooks(ctx: ActionContext, actor: Actor): Promise<webhooks.WebhookList> {
  requireServerAdmin(actor, ADMINS_ONLY);
  const all = await ctx.storage.read((tx) => tx.listWebhookSubscriptions());
  return { webhooks: all.map(view) };
}

/** Unsubscribes; pending deliveries are dropped with the delivery log. */
export async function deleteWebhook(ctx: ActionContext, actor: Actor, id: string): Promise<void> {
  requireServerAdmin(actor, ADMINS_ONLY);
  const deleted = await ctx.storage.transaction((tx) => tx.deleteWebhookSubscription(id));
  if (!deleted) throw new AppError('not_found');
}

/**
 * A new signing secret, in force for the next attempt (retries included). There is no overlap period:
 * deploy the new secret to the receiver first if it can accept either for a while.
 */
export async function rotateWebhookSecret(
  ctx: ActionContext,
  actor: Actor,
  id: string,
): Promise<webhooks.WebhookWithSecret> {
  requireServerAdmin(actor, ADMINS_ONLY);
  const secret = newWebhookSecret();
  const updated = await ctx.storage.transaction(async (tx) =>
    (await tx.setWebhookSecret(id, secret)) ? tx.findWebhookSubscription(id) : null,
  );
  if (!updated) throw new AppError('not_found');
  return { webhook: view(updated), secret };
}

/** The delivery log, newest first: event, attempts, last status and error, times — never the body. */
export async function listWebhookDeliveries(
  ctx: ActionContext,
  actor: Actor,
  id: string,
  limit = 100,
): Promise<webhooks.WebhookDeliveryList> {
  requireServerAdmin(actor, ADMINS_ONLY);
  const deliveries = await ctx.storage.read(async (tx) =>
    (await tx.findWebhookSubscription(id)) ? tx.listWebhookDeliveries(id, limit) : null,
  );
  if (!deliveries) throw new AppError('not_found');
  return { deliveries: deliveries.map(deliveryView) };
}
