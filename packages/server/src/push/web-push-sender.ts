import webpush from 'web-push';
import type { PushTargetRecord } from '../storage/push-records.js';
import { outcomeOfStatus, type SendOutcome } from './outcome.js';
import type { PushNotification } from './payload.js';
import type { VapidKeys } from './vapid.js';

/**
 * Sends one Web Push message (RFC 8030): the notification encrypted for the subscription (RFC 8291,
 * aes128gcm) and signed with the server's VAPID key (RFC 8292), both done by the `web-push` library;
 * the request itself is made here, with fetch, so that the worker decides on retries and metrics and
 * any http(s) endpoint works. `Topic` is the notification's tag: a retraction sent while the device is
 * offline replaces the undelivered notification at the push service, so the text never reaches it.
 * A 404 or 410 means the subscription is gone (RFC 8030 §7.3): the target is removed.
 */
export async function sendWebPush(
  target: PushTargetRecord,
  notification: PushNotification,
  vapid: VapidKeys,
  timeoutMs: number,
): Promise<SendOutcome> {
  if (target.p256dh === null || target.auth === null) return { kind: 'gone' };
  let request: webpush.RequestDetails;
  try {
    request = webpush.generateRequestDetails(
      { endpoint: target.address, keys: { p256dh: target.p256dh, auth: target.auth } },
      JSON.stringify(notification),
      {
        vapidDetails: vapid,
        contentEncoding: 'aes128gcm',
        // A day: a notification about a message older than that is news to nobody.
        TTL: 86_400,
        urgency: notification.kind === 'message' ? 'high' : 'normal',
        topic: notification.tag,
      },
    );
  } catch {
    // Keys that cannot be encrypted to will not get better by retrying.
    return { kind: 'failed', status: 0 };
  }
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    // fetch sets the length from the body itself.
    if (name.toLowerCase() !== 'content-length') headers[name] = String(value);
  }
  let response: Response;
  try {
    response = await fetch(request.endpoint, {
      method: request.method,
      headers,
      ...(request.body === null ? {} : { body: new Uint8Array(request.body) }),
      signal: AbortSignal.timeout(timeoutMs),
      redirect: 'manual',
    });
  } catch {
    return { kind: 'retry', status: null };
  }
  await response.body?.cancel();
  if (response.status === 404 || response.status === 410) return { kind: 'gone' };
  return outcomeOfStatus(response.status);
}
