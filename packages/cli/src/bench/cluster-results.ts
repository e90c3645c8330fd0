import type { Machine } from './environment.js';
import type { FanoutResult } from './recall-fanout.js';
import type { ThroughputResult } from './throughput.js';

/** One way of running Retract that `retract bench --cluster` measures. */
export interface Topology {
  /** Short and path-safe: names the topology's temp folder, user names and bus channel. */
  readonly key: string;
  readonly name: string;
  readonly nodes: number;
  readonly storage: 'sqlite' | 'postgres';
  readonly bus: 'memory' | 'redis';
}

/** The embedded default, one node on the shared backends, and `nodes` nodes on them. */
export function clusterTopologies(nodes: number): Topology[] {
  return [
    { key: 's1', name: '1 node, embedded SQLite', nodes: 1, storage: 'sqlite', bus: 'memory' },
    { key: 'p1', name: '1 node, PostgreSQL + Redis', nodes: 1, storage: 'postgres', bus: 'redis' },
    {
      key: `p${nodes}`,
      name: `${nodes} nodes, PostgreSQL + Redis`,
      nodes,
      storage: 'postgres',
      bus: 'redis',
    },
  ];
}

export interface TopologyResult extends Topology {
  readonly setup: { readonly accountsMs: number; readonly connectMs: number };
  /**
   * Times a device came back after a node closed its socket with "try again later" (1013: the node's
   * storage was too busy to replay what the socket missed) or another retryable code — as real clients do.
   */
  readonly reconnects: number;
  readonly throughput?: ThroughputResult & {
    /** Shares of one core: all nodes together, and the load generator. */
    readonly cpu: {
      readonly nodes: number | null;
      readonly loadGenerator: number | null;
      /** CPU time all nodes together spent per accepted message, µs. */
      readonly nodesUsPerMessage: number | null;
    };
  };
  readonly recall?: FanoutResult;
}

export interface ClusterBenchResults {
  readonly environment: Machine;
  readonly server: { readonly passwordHashCost: number; readonly logLevel: string };
  /** The PostgreSQL server and Redis used (passwords hidden); each topology had a database of its own. */
  readonly store: string;
  readonly bus: string;
  readonly load: {
    /** Devices connected in every topology, one user each, spread over the nodes round-robin. */
    readonly devices: number;
    readonly groups: number;
    readonly members: number;
    readonly window: number;
    readonly durationMs: number;
    readonly bodyBytes: number;
    readonly recallDevices: number;
    readonly recalls: number;
  };
  readonly topologies: readonly TopologyResult[];
}
