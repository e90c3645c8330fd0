/** What `retract bench` runs, after the flags are parsed and checked. Everything is bounded. */
export interface BenchOptions {
  /** Throughput: number of groups, members per group (one device each), outstanding sends per sender. */
  readonly groups: number;
  readonly members: number;
  readonly window: number;
  /** Each throughput row runs until this many milliseconds have passed or `maxMessages` were sent. */
  readonly durationMs: number;
  readonly maxMessages: number;
  /** A throughput warm-up of this length runs, uncounted, before each row. */
  readonly warmupMs: number;
  readonly bodyBytes: number;
  /** Concurrent HTTP connections for the HTTP throughput row (a keep-alive pool). */
  readonly httpSockets: number;
  /** Recall fan-out: devices in the group, measured recalls per row, uncounted warm-up recalls. */
  readonly devices: number;
  readonly recalls: number;
  readonly recallWarmup: number;
  readonly recallVia: 'http' | 'ws' | 'both';
  readonly throughput: boolean;
  readonly recall: boolean;
  /** Any single wait (a reply, a drain, a fan-out, a child starting) gives up after this long. */
  readonly timeoutMs: number;
  /** The whole run is aborted after this long. */
  readonly maxTimeMs: number;
  /** Write a V8 CPU profile of the Retract server child into this directory. */
  readonly cpuProfDir: string | undefined;
  readonly json: boolean;
  readonly progress: boolean;
}

export interface BenchFlags {
  groups: string;
  members: string;
  window: string;
  duration: string;
  messages: string;
  warmup: string;
  bodyBytes: string;
  httpSockets: string;
  devices: string;
  recalls: string;
  recallWarmup: string;
  recallVia: string;
  throughput: boolean;
  recall: boolean;
  timeout: string;
  maxTime: string;
  cpuProf?: string;
  json?: boolean;
  progress: boolean;
}

export const defaults = {
  groups: '20',
  members: '10',
  window: '8',
  duration: '5',
  messages: '200000',
  warmup: '1',
  bodyBytes: '100',
  httpSockets: '128',
  devices: '1000',
  recalls: '50',
  recallWarmup: '3',
  recallVia: 'both',
  timeout: '30',
  maxTime: '600',
} as const;

export function parseBenchFlags(flags: BenchFlags): BenchOptions {
  const recallVia = flags.recallVia;
  if (recallVia !== 'http' && recallVia !== 'ws' && recallVia !== 'both') {
    throw new Error(`--recall-via must be http, ws or both, got '${recallVia}'`);
  }
  const options: BenchOptions = {
    groups: int(flags.groups, '--groups', 1, 1000),
    members: int(flags.members, '--members', 2, 1000),
    window: int(flags.window, '--window', 1, 1000),
    durationMs: seconds(flags.duration, '--duration', 0.1, 600),
    maxMessages: int(flags.messages, '--messages', 1, 10_000_000),
    warmupMs: seconds(flags.warmup, '--warmup', 0, 60),
    bodyBytes: int(flags.bodyBytes, '--body-bytes', 1, 16_000),
    httpSockets: int(flags.httpSockets, '--http-sockets', 1, 4096),
    devices: int(flags.devices, '--devices', 2, 1000),
    recalls: int(flags.recalls, '--recalls', 1, 10_000),
    recallWarmup: int(flags.recallWarmup, '--recall-warmup', 0, 1000),
    recallVia,
    throughput: flags.throughput,
    recall: flags.recall,
    timeoutMs: seconds(flags.timeout, '--timeout', 1, 600),
    maxTimeMs: seconds(flags.maxTime, '--max-time', 10, 24 * 3600),
    cpuProfDir: flags.cpuProf,
    json: flags.json === true,
    progress: flags.progress,
  };
  if (options.groups * options.members > 10_000) {
    throw new Error('--groups × --members must stay at or under 10000 devices');
  }
  return options;
}

function int(raw: string, name: string, min: number, max: number): number {
  if (!/^[0-9]+$/.test(raw)) throw new Error(`${name} must be a whole number, got '${raw}'`);
  const value = Number(raw);
  if (value < min || value > max) throw new Error(`${name} must be between ${min} and ${max}, got ${value}`);
  return value;
}

function seconds(raw: string, name: string, min: number, max: number): number {
  if (!/^[0-9]+(\.[0-9]+)?$/.test(raw)) throw new Error(`${name} must be a number of seconds, got '${raw}'`);
  const value = Number(raw);
  if (value < min || value > max)
    throw new Error(`${name} must be between ${min} and ${max} s, got ${value}`);
  return Math.round(value * 1000);
}
