import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { killChildren, startChild, type Child } from './child.js';
import { closeDevices, type Device } from './devices.js';
import { machine } from './environment.js';
import { HttpClient } from './http-client.js';
import type { BenchOptions } from './options.js';
import { recallPhase, throughputPhase, type Session } from './phases.js';
import { Progress } from './progress.js';
import { evaluateTargets, type BenchResults } from './results.js';

/** Server settings for the benchmark; stated in the output because they differ from production. */
const PASSWORD_HASH_COST = 1024;
const LOG_LEVEL = 'silent';
const SYNCHRONOUS = 'normal';

/**
 * Runs `retract bench`: the load generator in this process; for each part (throughput, then recall
 * fan-out) a fresh Retract server on an empty database and a fresh raw `ws` relay in child processes, so
 * neither part's figures depend on what the other left behind. Every child is stopped by PID when its part
 * ends, on error, on Ctrl-C, or when --max-time runs out.
 */
export async function runBench(o: BenchOptions): Promise<BenchResults> {
  const progress = new Progress(o.progress);
  const loadAtStart = loadavg()[0] ?? 0;
  const workDir = mkdtempSync(join(tmpdir(), 'retract-bench-'));
  const removeWorkDir = () => rmSync(workDir, { recursive: true, force: true });
  const abort = (why: string, code: number) => {
    process.stderr.write(`\nretract bench: ${why}; stopping the child processes\n`);
    killChildren();
    removeWorkDir();
    process.exit(code);
  };
  const watchdog = setTimeout(() => abort(`--max-time (${o.maxTimeMs / 1000} s) ran out`, 2), o.maxTimeMs);
  const onSigint = () => abort('interrupted', 130);
  // Results without the server would be meaningless: stop at once rather than time out row by row.
  const onUnexpectedExit = (description: string) => abort(description.trimEnd(), 1);
  process.once('SIGINT', onSigint);
  process.once('exit', killChildren);

  const setup = { users: 0, accountsMs: 0, connectMs: 0 };
  const part = <T>(name: string, phase: (s: Session) => Promise<T>): Promise<T> =>
    withChildren(o, progress, join(workDir, name), setup, onUnexpectedExit, phase);
  try {
    const throughput = o.throughput ? await part('throughput', throughputPhase) : undefined;
    const recall = o.recall ? await part('recall', recallPhase) : undefined;
    return {
      environment: {
        ...machine(loadAtStart),
        server: {
          storage: `embedded SQLite in a temp dir, fresh for each part (WAL, synchronous=${SYNCHRONOUS})`,
          passwordHashCost: PASSWORD_HASH_COST,
          logLevel: LOG_LEVEL,
        },
      },
      setup,
      ...(throughput && {
        throughput: {
          groups: o.groups,
          members: o.members,
          window: o.window,
          durationMs: o.durationMs,
          maxMessages: o.maxMessages,
          bodyBytes: o.bodyBytes,
          rows: throughput,
        },
      }),
      ...(recall && { recall: { devices: o.devices, rounds: o.recalls, rows: recall } }),
      targets: evaluateTargets(throughput, recall, o.devices),
    };
  } finally {
    killChildren();
    clearTimeout(watchdog);
    process.off('SIGINT', onSigint);
    removeWorkDir();
    if (o.cpuProfDir)
      progress.note(`CPU profiles of the Retract server (one per part) are in ${o.cpuProfDir}`);
  }
}

/** Starts a Retract server (data in `dataDir`) and a relay, runs `phase` against them, stops both. */
async function withChildren<T>(
  o: BenchOptions,
  progress: Progress,
  dataDir: string,
  setup: Session['setup'],
  onUnexpectedExit: (description: string) => void,
  phase: (s: Session) => Promise<T>,
): Promise<T> {
  const children: Child[] = [];
  const open = new Set<Device>();
  let http: HttpClient | undefined;
  try {
    const serverConfig = {
      host: '127.0.0.1',
      port: 0,
      dataDir,
      storage: { synchronous: SYNCHRONOUS },
      auth: { passwordHashCost: PASSWORD_HASH_COST },
      log: { level: LOG_LEVEL },
      // Thousands of users from one address, as fast as possible: a load test, not abuse.
      limits: { enabled: false },
      ws: { maxConnectionsPerUser: 10_000 },
    };
    const started = await Promise.allSettled([
      startChild('retract server', './server-child.ts', {
        args: [JSON.stringify(serverConfig)],
        cpuProfDir: o.cpuProfDir,
        readyTimeoutMs: o.timeoutMs,
        onUnexpectedExit,
      }),
      startChild('raw relay', './relay-child.ts', { readyTimeoutMs: o.timeoutMs, onUnexpectedExit }),
    ]);
    for (const s of started) if (s.status === 'fulfilled') children.push(s.value);
    for (const s of started) if (s.status === 'rejected') throw s.reason;
    const [server, relay] = children as [Child, Child];
    progress.note(
      `retract server pid ${server.pid} at ${server.url}; raw relay pid ${relay.pid} at ${relay.url}`,
    );
    http = new HttpClient(new URL(server.url), o.httpSockets, o.timeoutMs);
    return await phase({
      o,
      progress,
      server,
      relay,
      http,
      wsUrl: `${server.url.replace(/^http/, 'ws')}/v1/ws`,
      open,
      setup,
    });
  } finally {
    closeDevices(open);
    http?.close();
    await Promise.all(children.map((c) => c.stop()));
  }
}
