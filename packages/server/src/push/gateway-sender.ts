import { createHmac } from 'node:crypto';
import type { PushTargetRecord } from '../storage/push-records.js';
import { outcomeOfStatus, type SendOutcome } from './outcome.js';
import type { PushNotification } from './payload.js';

/** The header every gateway POST carries: `t=<unix seconds>,v1=<hex HMAC-SHA256>` (docs/push.md). */
export const SIGNATURE_HEADER = 'retract-signature';

/**
 * The signature of a gateway POST: HMAC-SHA256 under the target's secret over `<t>.<body>` — the
 * timestamp bound in, so a captured request cannot be replayed later than the gateway's tolerance.
 */
export function signGatewayBody(secret: string, timestampSeconds: number, body: string): string {
  const mac = createHmac('sha256', Buffer.from(secret, 'base64url'))
    .update(`${timestampSeconds}.${body}`)
    .digest('hex');
  return `t=${timestampSeconds},v1=${mac}`;
}

/**
 * Sends one notification to a push gateway, the way Matrix's push gateways are called: one JSON POST
 * `{ "notification": { …, "pushkey" } }`, for the app's gateway to forward to APNs or FCM. A gateway
 * answering `{ "rejected": [pushkey] }` says the app's token is dead: the target is removed.
 */
export async function sendGateway(
  target: PushTargetRecord,
  notification: PushNotification,
  nowMs: number,
  timeoutMs: number,
): Promise<SendOutcome> {
  if (target.pushkey === null || target.secret === null) return { kind: 'gone' };
  const body = JSON.stringify({ notification: { ...notification, pushkey: target.pushkey } });
  const timestamp = Math.floor(nowMs / 1000);
  let response: Response;
  try {
    response = await fetch(target.address, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        [SIGNATURE_HEADER]: signGatewayBody(target.secret, timestamp, body),
      },
      body,
      signal: AbortSignal.timeout(timeoutMs),
      redirect: 'manual',
    });
  } catch {
    return { kind: 'retry', status: null };
  }
  const outcome = outcomeOfStatus(response.status);
  if (outcome.kind !== 'delivered') {
    await response.body?.cancel();
    return outcome;
  }
  const rejected = await rejectedOf(response);
  return rejected.includes(target.pushkey) ? { kind: 'gone' } : outcome;
}

async function rejectedOf(response: Response): Promise<string[]> {
  try {
    const parsed: unknown = JSON.parse(await response.text());
    const list = (parsed as { rejected?: unknown } | null)?.rejected;
    return Array.isArray(list) ? list.filter((x): x is string => typeof x === 'string') : [];
  } catch {
    return [];
  }
}
