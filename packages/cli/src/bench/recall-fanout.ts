import type { Device, Group, RecallOp, SendOp } from './devices.js';
import { distribution, type Distribution } from './stats.js';

/**
 * Recall fan-out: one sender in a big group; each round sends a message, waits until every device has
 * its `message.created`, then recalls it and times, from just before the recall request leaves, until
 * each device has received `message.recalled`. Per round, "reaches all" is the time until the last device
 * got it. Several ways of recalling (HTTP, WS frame) take turns round by round, so each sees the same
 * database size and machine load. All clocks are the load generator's: the figures include its own time
 * to read every frame.
 */
export interface FanoutRun {
  readonly group: Group;
  readonly sender: Device;
  readonly send: SendOp;
  readonly variants: readonly { readonly name: string; readonly recall: RecallOp }[];
  readonly label: string;
  /** Measured rounds per variant. */
  readonly rounds: number;
  /** Rounds per variant run first and not counted (JIT, caches). */
  readonly warmup: number;
  readonly bodyBytes: number;
  readonly timeoutMs: number;
  readonly onRound?: (done: number, variant: string, lastReachAllMs: number) => void;
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

interface Samples {
  reachAll: number[];
  perDevice: number[];
  acks: number[];
  created: number[];
}

const CREATED = Buffer.from('"type":"message.created"');
const RECALLED = Buffer.from('"type":"message.recalled"');

/** Returns one result per variant, in the order given. */
export async function runFanout(run: FanoutRun): Promise<FanoutResult[]> {
  const samples: Samples[] = run.variants.map(() => ({ reachAll: [], perDevice: [], acks: [], created: [] }));
  const total = (run.warmup + run.rounds) * run.variants.length;
  for (let round = 0; round < total; round++) {
    const v = round % run.variants.length;
    const variant = run.variants[v]!;
    const measured = await oneRound(run, variant.recall, `${run.label}-${round}`, round + 1);
    if (round < run.warmup * run.variants.length) continue;
    const into = samples[v]!;
    into.perDevice.push(...measured.perDevice);
    into.reachAll.push(measured.reachAll);
    into.acks.push(measured.ack);
    into.created.push(measured.created);
    run.onRound?.(round + 1 - run.warmup * run.variants.length, variant.name, measured.reachAll);
  }
  return samples.map((s) => ({
    rounds: s.reachAll.length,
    reachAll: distribution(s.reachAll),
    perDevice: distribution(s.perDevice),
    ack: distribution(s.acks),
    createdReachAll: distribution(s.created),
  }));
}

async function oneRound(run: FanoutRun, recall: RecallOp, clientMsgId: string, round: number) {
  const devices = run.group.devices;
  const body = 'r'.repeat(run.bodyBytes);
  const sendStart = performance.now();
  const created = await everyDevice(
    devices,
    marker(CREATED, `"clientMsgId":"${clientMsgId}"`),
    async () => {
      const sent = await run.send(run.sender, run.group, clientMsgId, body);
      if ('refused' in sent) throw new Error(`round ${round}: the send was refused: ${sent.refused}`);
      return sent.id;
    },
    run.timeoutMs,
    `round ${round}: message.created`,
  );
  const messageId = created.result;

  const recallStart = performance.now();
  let ack = NaN;
  const recalled = await everyDevice(
    devices,
    marker(RECALLED, `"messageId":"${messageId}"`),
    async () => {
      const ok = await recall(run.sender, messageId);
      ack = performance.now() - recallStart;
      if (!ok) throw new Error(`round ${round}: the recall was refused`);
      return ok;
    },
    run.timeoutMs,
    `round ${round}: message.recalled`,
  );
  const perDevice = Array.from(recalled.times, (at) => at - recallStart);
  return {
    perDevice,
    reachAll: Math.max(...perDevice),
    ack,
    created: Math.max(...created.times) - sendStart,
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
      () =>
        reject(
          new Error(
            `${what}: ${reached}/${devices.length} devices after ${timeoutMs} ms${closedSummary(devices, times)}`,
          ),
        ),
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

/** Of the devices not reached, how many the server had disconnected, by close code and reason. */
function closedSummary(devices: readonly Device[], times: Float64Array): string {
  const byCause = new Map<string, number>();
  devices.forEach((device, i) => {
    if (times[i] !== 0 || !device.peer.closed) return;
    const cause = `${device.peer.closed.code} ${device.peer.closed.reason}`.trim();
    byCause.set(cause, (byCause.get(cause) ?? 0) + 1);
  });
  if (byCause.size === 0) return '';
  return `; of those not reached, closed by the server: ${[...byCause].map(([c, n]) => `${n} × ${c}`).join(', ')}`;
}
