import { Option, type Command } from 'commander';
import { renderClusterReport } from '../bench/cluster-report.js';
import { runClusterBench } from '../bench/cluster-run.js';
import { clusterDefaults, parseBenchFlags, defaults, type BenchFlags } from '../bench/options.js';
import { renderReport } from '../bench/report.js';
import { runBench } from '../bench/run.js';

export function benchCommand(program: Command): void {
  program
    .command('bench')
    .description(
      'Benchmark Retract against a raw `ws` relay doing the same transport work, side by side: ' +
        'throughput (messages accepted and delivered per second) and recall fan-out to many devices. ' +
        'Server and relay run in child processes on 127.0.0.1 (the server on an embedded SQLite in a temp ' +
        'dir, auth.passwordHashCost 1024, log.level silent); everything is bounded and the children are ' +
        'stopped by PID at the end.',
    )
    .option('--groups <n>', `throughput: number of groups ${both('groups')}`)
    .option('--members <n>', `throughput: members per group, one connected device each ${both('members')}`)
    .option(
      '--window <n>',
      `throughput: outstanding sends per device (WS reply or HTTP response awaited) ${both('window')}`,
    )
    .option(
      '--duration <s>',
      'throughput: seconds per row (a row also stops at --messages)',
      defaults.duration,
    )
    .option('--messages <n>', 'throughput: at most this many messages per row', defaults.messages)
    .option(
      '--warmup <s>',
      'throughput: uncounted warm-up seconds before each row (0 = none)',
      defaults.warmup,
    )
    .option('--body-bytes <n>', 'message body size in bytes, for every row', defaults.bodyBytes)
    .option(
      '--http-sockets <n>',
      'keep-alive connections for the HTTP rows and setup (HTTP sends queue beyond this)',
      defaults.httpSockets,
    )
    .option(
      '--devices <n>',
      `recall: devices in the group, users × 1 device (max 1000; 10000 with --cluster) ${both('devices')}`,
    )
    .option('--recalls <n>', 'recall: measured recalls per row', defaults.recalls)
    .option('--recall-warmup <n>', 'recall: uncounted warm-up rounds before each row', defaults.recallWarmup)
    .addOption(
      new Option(
        '--recall-via <how>',
        'recall: how Retract is asked to recall (HTTP POST, WS frame, or both rows)',
      )
        .choices(['http', 'ws', 'both'])
        .default(defaults.recallVia),
    )
    .option('--no-throughput', 'skip the throughput rows')
    .option('--no-recall', 'skip the recall fan-out rows')
    .option(
      '--timeout <s>',
      'give up on any single wait (reply, drain, fan-out, start) after this',
      defaults.timeout,
    )
    .option('--max-time <s>', 'abort the whole run after this many seconds', defaults.maxTime)
    .option('--cpu-prof <dir>', 'write a V8 CPU profile (.cpuprofile) of the Retract server child into <dir>')
    .option(
      '--cluster',
      'instead: the same load against 1 node on embedded SQLite, 1 node on PostgreSQL + Redis, and --nodes ' +
        'nodes sharing them, in one run (throughput over WS and HTTP recall fan-out; no raw relay)',
    )
    .option(
      '--store <url>',
      'with --cluster: PostgreSQL server; a database per topology is created and dropped',
      defaults.store,
    )
    .option('--bus <url>', 'with --cluster: Redis server for the bus', defaults.bus)
    .option('--nodes <n>', 'with --cluster: nodes in the multi-node topology (2–8)', defaults.nodes)
    .option('--json', 'print the results as JSON on stdout instead of tables')
    .option('--no-progress', 'no progress bars on stderr')
    .addHelpText(
      'after',
      `
Targets stated in the output: Retract delivers at least half the raw relay's events/s, and a recall
reaches all 1,000 devices with p99 under 50 ms. Defaults finish in well under 3 minutes on 2 cores.

With --cluster the defaults become 3,000 connected devices (300 groups × 10 members, window 1) and a
recall group of 3,000; PostgreSQL and Redis must be reachable at --store and --bus.

Examples:
  retract bench
  retract bench --groups 50 --members 4 --duration 10
  retract bench --no-throughput --devices 500 --recalls 200 --recall-via ws
  retract bench --cpu-prof ./profiles --json > bench.json
  retract bench --cluster
  retract bench --cluster --store postgres://bench@db.internal:5432/postgres --bus redis://cache:6379`,
    )
    .action(async (_local: BenchFlags, command: Command) => {
      // With globals: the root program may define --json too, and then it is parsed there.
      const options = parseBenchFlags(command.optsWithGlobals<BenchFlags>());
      if (options.cluster) {
        const results = await runClusterBench(options, options.cluster);
        process.stdout.write(
          options.json ? `${JSON.stringify(results, null, 2)}\n` : renderClusterReport(results),
        );
        return;
      }
      const results = await runBench(options);
      process.stdout.write(options.json ? `${JSON.stringify(results, null, 2)}\n` : renderReport(results));
    });
}

/** "(default: 20; 300 with --cluster)" for the options whose default depends on --cluster. */
function both(name: keyof typeof clusterDefaults): string {
  return `(default: ${defaults[name]}; ${clusterDefaults[name]} with --cluster)`;
}
