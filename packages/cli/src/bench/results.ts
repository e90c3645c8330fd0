import type { Machine } from './environment.js';
import type { FanoutResult } from './recall-fanout.js';
import type { ThroughputResult } from './throughput.js';

/** What one `retract bench` run found; printed as tables or, with --json, as this object. */
export interface BenchResults {
  readonly environment: Machine & {
    /** The settings that differ from a production server, stated with the results. */
    readonly server: {
      readonly storage: string;
      readonly passwordHashCost: number;
      readonly logLevel: string;
    };
  };
  readonly setup: {
    readonly users: number;
    readonly accountsMs: number;
    readonly connectMs: number;
  };
  readonly throughput?: {
    readonly groups: number;
    readonly members: number;
    readonly window: number;
    readonly durationMs: number;
    readonly maxMessages: number;
    readonly bodyBytes: number;
    readonly rows: readonly ThroughputRow[];
  };
  readonly recall?: {
    readonly devices: number;
    readonly rounds: number;
    readonly rows: readonly FanoutRow[];
  };
  readonly targets: readonly Target[];
}

export interface ThroughputRow extends ThroughputResult {
  readonly name: string;
  readonly system: 'retract' | 'relay';
  /** Share of one core used during the row, by the system under test and by the load generator. */
  readonly cpu: {
    readonly server: number | null;
    readonly loadGenerator: number | null;
    /** CPU time the system under test spent per accepted message, µs: robust to a busy machine. */
    readonly serverUsPerMessage: number | null;
  };
}

export interface FanoutRow extends FanoutResult {
  readonly name: string;
  readonly system: 'retract' | 'relay';
}

export interface Target {
  readonly name: string;
  readonly goal: string;
  readonly actual: string;
  readonly met: boolean;
}

/** The targets the brief sets, checked against each Retract row. */
export function evaluateTargets(
  throughput: readonly ThroughputRow[] | undefined,
  recall: readonly FanoutRow[] | undefined,
  devices: number,
): Target[] {
  const targets: Target[] = [];
  const raw = throughput?.find((r) => r.system === 'relay');
  for (const row of throughput ?? []) {
    if (row.system !== 'retract' || !raw || raw.deliveredPerSec === 0) continue;
    const ratio = row.deliveredPerSec / raw.deliveredPerSec;
    targets.push({
      name: `delivery rate, ${row.name}`,
      goal: '≥ 0.50 × raw relay',
      actual: `${ratio.toFixed(2)} × raw relay`,
      met: ratio >= 0.5,
    });
  }
  for (const row of recall ?? []) {
    if (row.system !== 'retract') continue;
    targets.push({
      name: `recall to ${devices} devices, p99 until all have it, ${row.name}`,
      goal: devices === 1000 ? '< 50 ms' : '< 50 ms (set for 1,000)',
      actual: `${row.reachAll.p99.toFixed(1)} ms`,
      met: row.reachAll.p99 < 50,
    });
  }
  return targets;
}
