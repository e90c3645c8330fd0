import type { Device, Group, RecallOp, SendOp } from './devices.js';
import { distribution, type Distribution } from './stats.js';

/**
 * Recall fan-out: one sender in a big group, K rounds of: send a message, wait until every device has
 * its `message.created`, then recall it and time, from just before the recall request leaves, until each
 * device has received `message.recalled`. Per round, "reaches all" is the time until the last device got
 * it. All clocks are the load generator's, so the figures include its own time to read 1,000 frames.
 */
export interface FanoutRun {
  readonly group: Group;
  readonly sender: Device;
  readonly send: SendOp;
  readonly recall: RecallOp;
  readonly label: string;
  readonly rounds: number;
  /** Rounds run first and not counted (JIT, caches). */
  readonly warmup: number;
  readonly bodyBytes: number;
  readonly timeoutMs: number;
  readonly onRound?: (done: number, lastReachAllMs: number) => void;
}

export interface FanoutResult {
  readonly rounds: number;
  /** Per round: recall request → the last device has `message.recalled`, ms. */
  readonly reachAll: Distribution;
  /** Per device and round: recall request → this device has it, ms. */
  readonly perDevice: Distribution;
  /** Per round: recall request → the recaller has its ack (HTTP response or reply frame), ms. */
  readonly ack: Distribution;
  /** Per round, for comparison: send → the last device has `message.created`, ms. */
  readonly createdReachAll: Distribution;
}

const CREATED = Buffer.from('"type":"message.created"');
const RECALLED = Buffer.from('"type":"message.recalled"');

export async function runFanout(run: FanoutRun): Promise<FanoutResult> {
  const devices = run.group.devices;
  const reachAll: number[] = [];
  const perDevice: number[] = [];
  const acks: number[] = [];
  const created: number[] = [];
  const body = 'r'.repeat(run.bodyBytes);

  for (let round = 0; round < run.warmup + run.rounds; round++) {
    const clientMsgId = `${run.label}-${round}`;
    const sendStart = performance.now();
    const createdAt = await everyDevice(
      devices,
      marker(CREATED, `"clientMsgId":"${clientMsgId}"`),
      async () => {
        const id = await run.send(run.sender, run.group, clientMsgId, body);
        if (id === null) throw new Error(`round ${round + 1}: the send was refused`);
        return id;
      },
      run.timeoutMs,
      `round ${round + 1}: message.created`,
    );
    const messageId = createdAt.result;

    const recallStart = performance.now();
    let ackMs = NaN;
    const recalled = await everyDevice(
      devices,
      marker(RECALLED, `"messageId":"${messageId}"`),
      async () => {
        const ok = await run.recall(run.sender, messageId);
        ackMs = performance.now() - recallStart;
        if (!ok) throw new Error(`round ${round + 1}: the recall was refused`);
        return ok;
      },
      run.timeoutMs,
      `round ${round + 1}: message.recalled`,
    );
    if (round < run.warmup) continue;
    let last = 0;
    for (const at of recalled.times) {
      perDevice.push(at - recallStart);
      last = Math.max(last, at - recallStart);
    }
    reachAll.push(last);
    acks.push(ackMs);
    created.push(Math.max(...createdAt.times) - sendStart);
    run.onRound?.(round + 1 - run.warmup, last);
  }
  return {
    rounds: reachAll.length,
    reachAll: distribution(reachAll),
    perDevice: distribution(perDevice),
    ack: distribution(acks),
    createdReachAll: distribution(created),
  };
}

/** A frame test: the event type and a unique string (message or client message id) both occur in it. */
function marker(type: Buffer, unique: string): (frame: Buffer) => boolean {
  const key = Buffer.from(unique);
  return (frame) => frame.indexOf(type) !== -1 && frame.indexOf(key) !== -1;
}

/**
 * Arms every device to note when a matching frame arrives, runs `action`, and resolves once every device
 * has one and the action finished; rejects after `timeoutMs` saying how many devices were reached.
 */
async function everyDevice<T>(
  devices: readonly Device[],
  matches: (frame: Buffer) => boolean,
  action: () => Promise<T>,
  timeoutMs: number,
  what: string,
): Promise<{ times: Float64Array; result: T }> {
  const times = new Float64Array(devices.length);
  let reached = 0;
  let allReached: () => void = () => {};
  const everyone = new Promise<void>((resolve) => (allReached = resolve));
  devices.forEach((device, i) => {
    device.peer.onEvent = (frame) => {
      if (times[i] !== 0 || !matches(frame)) return;
      times[i] = performance.now();
      if (++reached === devices.length) allReached();
    };
  });
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${what}: ${reached}/${devices.length} devices after ${timeoutMs} ms`)),
      timeoutMs,
    );
  });
  try {
    const [result] = await Promise.race([Promise.all([action(), everyone]), timeout]);
    return { times, result };
  } finally {
    clearTimeout(timer);
    for (const device of devices) device.peer.onEvent = () => {};
  }
}
