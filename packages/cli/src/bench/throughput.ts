import type { Group, SendOp } from './devices.js';
import { settlesWithin, waitUntil } from './pool.js';
import { distribution, rate, type Distribution } from './stats.js';

/**
 * Throughput: every device of every group sends to its group at full speed, with at most `window` sends
 * outstanding each, until the duration or the message budget runs out. Accepted = sends the server
 * acknowledged; delivered = `message.created` event frames received by all devices (the sender's own
 * device included, as a member). Rates are counted from the start to the last ack / the last delivery,
 * after waiting (bounded) for everything accepted to arrive.
 */
export interface ThroughputRun {
  readonly groups: readonly Group[];
  readonly send: SendOp;
  /** Prefix making client message ids unique across rows. */
  readonly label: string;
  readonly window: number;
  readonly durationMs: number;
  readonly maxMessages: number;
  readonly bodyBytes: number;
  readonly timeoutMs: number;
  readonly onProgress?: (elapsedMs: number, accepted: number, delivered: number) => void;
}

export interface ThroughputResult {
  readonly accepted: number;
  readonly refused: number;
  /** Refused sends by error code (e.g. `unavailable`: the server shed load). */
  readonly refusals: Readonly<Record<string, number>>;
  readonly delivered: number;
  /** Deliveries owed for what was accepted (accepted × group size); more than `delivered` means loss. */
  readonly expected: number;
  readonly acceptedPerSec: number;
  readonly deliveredPerSec: number;
  /** Send → ack latency, ms. */
  readonly ack: Distribution;
  readonly wallMs: number;
}

const CREATED = Buffer.from('"type":"message.created"');
const REFUSAL_BACKOFF_MS = 100;

export async function runThroughput(run: ThroughputRun): Promise<ThroughputResult> {
  let delivered = 0;
  let lastDelivery = 0;
  const onEvent = (frame: Buffer): void => {
    if (frame.indexOf(CREATED) === -1) return;
    delivered += 1;
    lastDelivery = performance.now();
  };
  for (const group of run.groups) for (const device of group.devices) device.peer.onEvent = onEvent;

  const body = 'x'.repeat(run.bodyBytes);
  const latencies: number[] = [];
  let issued = 0;
  let accepted = 0;
  let refused = 0;
  const refusals: Record<string, number> = {};
  let expected = 0;
  const start = performance.now();
  let lastAccept = start;
  const deadline = start + run.durationMs;

  const lane = async (group: Group, sender: Group['devices'][number]): Promise<void> => {
    // A refused send is retried with the same client message id, as the SDK does: if it was committed
    // after all (its reply lost with a closed socket), the retry returns the original, not a second copy.
    let retrying: string | null = null;
    for (;;) {
      const sentAt = performance.now();
      if (sentAt >= deadline || (retrying === null && issued >= run.maxMessages)) return;
      const clientMsgId: string = retrying ?? `${run.label}-${issued++}`;
      const sent = await run.send(sender, group, clientMsgId, body);
      const now = performance.now();
      if ('refused' in sent) {
        refused += 1;
        refusals[sent.refused] = (refusals[sent.refused] ?? 0) + 1;
        // As a client would: back off before trying again, rather than spin on a closed socket or an
        // overloaded server (which would count thousands of refusals a second and starve the others).
        await new Promise((resolve) => setTimeout(resolve, REFUSAL_BACKOFF_MS));
        retrying = clientMsgId;
        continue;
      }
      retrying = null;
      accepted += 1;
      expected += group.devices.length;
      lastAccept = now;
      latencies.push(now - sentAt);
    }
  };

  const ticker = setInterval(() => run.onProgress?.(performance.now() - start, accepted, delivered), 200);
  try {
    const lanes: Promise<void>[] = [];
    for (const group of run.groups) {
      for (const device of group.devices) {
        for (let w = 0; w < run.window; w++) lanes.push(lane(group, device));
      }
    }
    const all = Promise.all(lanes);
    if (!(await settlesWithin(all, run.durationMs + run.timeoutMs))) {
      for (const group of run.groups) for (const device of group.devices) device.peer.failPending('timeout');
      await settlesWithin(all, run.timeoutMs);
    }
    await waitUntil(() => delivered >= expected, run.timeoutMs);
  } finally {
    clearInterval(ticker);
  }
  run.onProgress?.(performance.now() - start, accepted, delivered);
  return {
    accepted,
    refused,
    refusals,
    delivered,
    expected,
    acceptedPerSec: rate(accepted, lastAccept - start),
    deliveredPerSec: rate(delivered, lastDelivery - start),
    ack: distribution(latencies),
    wallMs: performance.now() - start,
  };
}
