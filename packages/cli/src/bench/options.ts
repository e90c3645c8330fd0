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
  /** Set by --cluster: measure one node against several sharing PostgreSQL and a Redis bus. */
  readonly cluster: ClusterOptions | undefined;
}

export interface ClusterOptions {
  /** A PostgreSQL server URL; the bench creates a database of its own there per topology, dropped after. */
  readonly storeUrl: string;
  readonly busUrl: string;
  readonly nodes: number;
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
  cluster?: boolean;
  store: string;
  bus: string;
  nodes: string;
}

/** With --cluster the load is 3,000 connected devices, both for throughput and for the recall group. */
export const clusterDefaults = { groups: '300', members: '10', window: '1', devices: '3000' } as const;

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
  store: 'postgres://postgres@127.0.0.1:5432/postgres',
  bus: 'redis://127.0.0.1:6379',
  nodes: '3',
} as const;

/**
 * `groups`, `members`, `window` and `devices` are optional in the flags: their defaults depend on
 * --cluster (see `clusterDefaults`).
 */
export function parseBenchFlags(
  given: Omit<BenchFlags, 'groups' | 'members' | 'window' | 'devices'> &
    Partial<Pick<BenchFlags, 'groups' | 'members' | 'window' | 'devices'>>,
): BenchOptions {
  const cluster = given.cluster === true;
  const base = cluster ? clusterDefaults : defaults;
  const flags: BenchFlags = {
    ...given,
    groups: given.groups ?? base.groups,
    members: given.members ?? base.members,
    window: given.window ?? base.window,
    devices: given.devices ?? base.devices,
  };
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
    devices: int(flags.devices, '--devices', 2, cluster ? 10_000 : 1000),
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
    cluster: cluster
      ? {
          storeUrl: url(flags.store, '--store', ['postgres:', 'postgresql:']),
          busUrl: url(flags.bus, '--bus', ['redis:', 'rediss:']),
          nodes: int(flags.nodes, '--nodes', 2, 8),
        }
      : undefined,
  };
  if (options.groups * options.members > 10_000) {
    throw new Error('--groups × --members must stay at or under 10000 devices');
  }
  return options;
}

function url(raw: string, name: string, schemes: readonly string[]): string {
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new Error(`${name} must be a URL, got '${raw}'`);
  }
  if (!schemes.includes(parsed.protocol)) {
    throw new Error(`${name} must be a ${schemes.join(' or ')}// URL, got '${raw}'`);
  }
  return raw;
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
