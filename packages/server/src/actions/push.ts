import { createECDH, randomBytes } from 'node:crypto';
import type { push } from '@retract/protocol';
import { AppError } from '../errors.js';
import { tagOf } from '../push/payload.js';
import { loadVapidKeys } from '../push/vapid.js';
import type { PushTargetRecord } from '../storage/push-records.js';
import type { MessageRecord } from '../storage/records.js';
import type { StorageTx } from '../storage/storage.js';
import type { ActionContext, Actor } from './context.js';

/**
 * Push targets of the calling device, and the two hooks that keep the push outbox in step with
 * messages: a delivered message queues its notify pushes in its own transaction, and an erasure drops
 * the unsent ones and queues retractions in its own (docs/push.md).
 */

/** Enough for a browser or two and an app; a device registering more is misbehaving. */
const MAX_TARGETS_PER_DEVICE = 10;

export async function registerPushTarget(
  ctx: ActionContext,
  actor: Actor,
  input: push.RegisterPushTargetRequest,
): Promise<push.RegisterPushTargetResponse> {
  const base = {
    id: `p_${randomBytes(12).toString('base64url')}`,
    userId: actor.userId,
    deviceId: actor.deviceId,
    privacy: input.privacy ?? false,
    createdAt: ctx.clock.now(),
  };
  let target: PushTargetRecord;
  let secret: string | null = null;
  if (input.kind === 'webpush') {
    checkUrl(input.endpoint, 'endpoint');
    checkSubscriptionKeys(input.keys.p256dh, input.keys.auth);
    target = {
      ...base,
      kind: 'webpush',
      address: input.endpoint,
      p256dh: input.keys.p256dh,
      auth: input.keys.auth,
      pushkey: null,
      secret: null,
    };
  } else {
    checkUrl(input.url, 'url');
    secret = randomBytes(32).toString('base64url');
    target = {
      ...base,
      kind: 'gateway',
      address: input.url,
      p256dh: null,
      auth: null,
      pushkey: input.pushkey,
      secret,
    };
  }
  await ctx.storage.transaction(async (tx) => {
    const existing = await tx.listPushTargets(actor.deviceId);
    const replaces = existing.some(
      (t) => t.kind === target.kind && t.address === target.address && t.pushkey === target.pushkey,
    );
    if (!replaces && existing.length >= MAX_TARGETS_PER_DEVICE) {
      throw new AppError('invalid_request', {
        reason: `a device may have at most ${MAX_TARGETS_PER_DEVICE} push targets`,
      });
    }
    await tx.insertPushTarget(target);
  });
  return { target: targetView(target), secret };
}

export async function listPushTargets(ctx: ActionContext, actor: Actor): Promise<push.PushTargetsResponse> {
  const targets = await ctx.storage.read((tx) => tx.listPushTargets(actor.deviceId));
  return { targets: targets.map(targetView) };
}

/** Another device's target is as missing as one that never existed. */
export async function deletePushTarget(ctx: ActionContext, actor: Actor, id: string): Promise<void> {
  const deleted = await ctx.storage.transaction((tx) => tx.deletePushTarget(id, actor.deviceId));
  if (!deleted) throw new AppError('not_found');
}

export async function vapidPublicKey(ctx: ActionContext): Promise<push.VapidPublicKeyResponse> {
  return { publicKey: (await loadVapidKeys(ctx.config)).publicKey };
}

/** Who sent a message being delivered: the sending device, or (a held message) only the user. */
export interface PushOrigin {
  readonly holdSeconds: number;
  /** Skip this device: it has the message already. */
  readonly deviceId: string | null;
}

/**
 * In the delivering transaction: queues a notify push, due after the hold, for every target of the
 * conversation's members but the sending device. A held message does not record its device, so then
 * none of its sender's devices is pushed to (they learn of it by sync, as of any message).
 */
export async function queueNotifyInTx(
  tx: StorageTx,
  message: MessageRecord,
  origin: PushOrigin,
): Promise<void> {
  await tx.queueNotifyPushes({
    messageId: message.id,
    conversationId: message.conversationId,
    tag: tagOf(message.id),
    dueAt: message.sentAt + origin.holdSeconds * 1000,
    skipDeviceId: origin.deviceId,
    skipUserId: origin.deviceId === null ? message.senderId : null,
  });
}

/** In an erasure's transaction: no notify push of it goes out any more; shown ones are retracted now. */
export async function retractPushesInTx(tx: StorageTx, messageId: string, now: number): Promise<void> {
  await tx.retractPushes(messageId, now);
}

function targetView(t: PushTargetRecord): push.PushTarget {
  return {
    id: t.id,
    kind: t.kind,
    url: t.address,
    pushkey: t.pushkey,
    privacy: t.privacy,
    createdAt: new Date(t.createdAt).toISOString(),
  };
}

function checkUrl(value: string, field: string): void {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new AppError('invalid_request', { field, reason: 'not a URL' });
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new AppError('invalid_request', { field, reason: 'must be an http(s) URL' });
  }
  if (url.username !== '' || url.password !== '') {
    throw new AppError('invalid_request', { field, reason: 'must not carry credentials' });
  }
}

/** A P-256 point the server can agree a key with, and a 16-byte auth secret (RFC 8291). */
function checkSubscriptionKeys(p256dh: string, auth: string): void {
  const point = Buffer.from(p256dh, 'base64url');
  let valid = point.length === 65 && point[0] === 4;
  if (valid) {
    try {
      const ecdh = createECDH('prime256v1');
      ecdh.generateKeys();
      ecdh.computeSecret(point);
    } catch {
      valid = false;
    }
  }
  if (!valid)
    throw new AppError('invalid_request', { field: 'keys.p256dh', reason: 'not a P-256 public key' });
  if (Buffer.from(auth, 'base64url').length !== 16) {
    throw new AppError('invalid_request', { field: 'keys.auth', reason: 'must be 16 bytes' });
  }
}
