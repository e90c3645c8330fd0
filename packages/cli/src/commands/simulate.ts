import type { Command } from 'commander';
import type { Environment } from '../env.js';
import { Progress } from '../bench/progress.js';
import { signedInClient } from '../client/context.js';
import { print } from '../client/output.js';
import { fileLayer, flagLayer, type SimulateFlags } from '../simulate/flags.js';
import { defaultParams as d, resolveParams } from '../simulate/params.js';
import { renderSimulation } from '../simulate/report.js';
import { runSimulation, type RemoteTarget } from '../simulate/run.js';
import { action } from './run.js';

const range = (r: readonly [number, number]): string => `${r[0]}-${r[1]}`;

/** `retract simulate`: a realistic day of chat and recall traffic against a server, then its figures. */
export function simulateCommand(program: Command, env: Environment): void {
  program
    .command('simulate')
    .description(
      'Drive a server through a simulated day of chat traffic with recall attempts (real HTTP and WebSocket ' +
        'clients, fake fast clock), then set the recall figures the server reports beside the ones put in. ' +
        'Embedded server by default; see docs/simulate.md',
    )
    .option('--params <file>', 'JSON file with any of the parameters below (flags override it)')
    .option('--seed <n>', `random seed: the same seed plans the same day (default ${d.seed})`)
    .option('--users <n>', `simulated users, one device each (default ${d.users})`)
    .option(
      '--group-share <x>',
      `share of users in groups; the rest in direct chats (default ${d.groupShare})`,
    )
    .option('--group-size <a-b>', `group size range (default ${range(d.groupSize)})`)
    .option('--active-share <x>', `share of users who send anything that day (default ${d.activeShare})`)
    .option(
      '--messages-per-user <n>',
      `mean messages per active user over the span (default ${d.messagesPerUser})`,
    )
    .option(
      '--ws-share <x>',
      `share of requests sent over the WebSocket, the rest over HTTP (default ${d.wsShare})`,
    )
    .option('--hourly <w,…>', '24 base weights of the hours of day (default: all 1)')
    .option(
      '--peak-hours <h,…>',
      `peak hours of day, or none (default ${d.peakHours.join(',')}: 10–11 and 15–16)`,
    )
    .option('--peak-boost <x>', `a peak hour carries 1+x times the average hour (default ${d.peakBoost})`)
    .option('--attempt-share <x>', `share of active users who attempt a recall (default ${d.attemptShare})`)
    .option(
      '--repeat-share <x>',
      `chance of each further attempt by the same user (default ${d.repeatShare})`,
    )
    .option('--max-attempts <n>', `attempts per user at most (default ${d.maxAttempts})`)
    .option('--late-share <x>', `share of attempts made after the window (default ${d.lateShare})`)
    .option(
      '--within-delay <a-b>',
      `delay of attempts within the window, × window (default ${range(d.withinDelay)})`,
    )
    .option(
      '--late-delay <a-b>',
      `delay of attempts after the window, × window (default ${range(d.lateDelay)})`,
    )
    .option(
      '--follow-ups <k=x,…>',
      'after a denial: correction=,hide=,message=,none= shares adding up to 1 ' +
        `(default ${Object.entries(d.followUps)
          .map(([k, v]) => `${k}=${v}`)
          .join(',')})`,
    )
    .option('--follow-up-delay <a-b>', `seconds from denial to follow-up (default ${range(d.followUpDelay)})`)
    .option(
      '--follow-up-seconds <n>',
      `the server's analytics.followUpSeconds (embedded: set to this) (default ${d.followUpSeconds})`,
    )
    .option(
      '--date <YYYY-MM-DD>',
      "the simulated day (default: today in --tz; remote: the first day the server's clock has not reached)",
    )
    .option('--tz <zone>', `IANA time zone of the day and its hours (default ${d.tz})`)
    .option('--hours <a-b>', `simulate only these hours of the day (default ${range(d.hours)})`)
    .option('--duration <s>', `real seconds the span takes, embedded mode (default ${d.duration})`)
    .option('--concurrency <n>', `requests in flight at most (default ${d.concurrency})`)
    .option('--max-time <s>', `stop the whole run after this many real seconds (default ${d.maxTime})`)
    .option('--canary <text>', 'put this text in every message body (privacy checks)')
    .option('--url <url>', 'drive this running server instead of an embedded one (needs --speed; see below)')
    .option('--speed <x>', "with --url: the server's clock.speed")
    .option('--start <iso>', "with --url: the server's clock.start (a check on --speed)")
    .option('--json', 'print the whole result as JSON')
    .option('--no-progress', 'no progress bars on stderr')
    .addHelpText(
      'after',
      `
The defaults take an article's figures (12% of active users try a recall daily, 67% of attempts after the
window, follow-ups 34% correction / 21% delete / 45% nothing, peaks 10–11 and 15–16 at +40%): they are the
article's claims, not measured data.

Remote mode: start the server with a fast clock and the same time zone and follow-up period, e.g. config
{ "clock": { "start": "2025-03-02T00:00:00Z", "speed": 1440 }, "analytics": { "timeZone": "UTC" } }, log in
as a server admin (serverAdmins), then
  retract simulate --url http://localhost:8080 --speed 1440 --start 2025-03-02T00:00:00Z
The offset of the server's clock is calibrated from a probe message's sentAt; the simulated day is the
first one the server's clock has not reached after setup (or --date). At speed 1440 a day is a minute.

Examples:
  retract simulate
  retract simulate --users 50 --duration 20 --seed 7 --json > day.json
  retract simulate --params population.json --late-share 0.5 --peak-hours none`,
    )
    .action(
      action(async (options) => {
        const flags = options as SimulateFlags;
        const remote = remoteTarget(flags, env);
        const layers = [fileLayer(flags.params), flagLayer(flags)];
        const params = resolveParams(...layers);
        const result = await runSimulation({
          params,
          progress: new Progress(flags['progress'] !== false && !options.json),
          ...(remote ? { remote } : {}),
        });
        print(options.json, result, () => renderSimulation(result).trimEnd());
      }),
    );
}

function remoteTarget(flags: SimulateFlags, env: Environment): RemoteTarget | undefined {
  const url = flags['url'];
  if (typeof url !== 'string') {
    if (flags['speed'] !== undefined || flags['start'] !== undefined)
      throw new Error('--speed and --start describe a remote server: give --url too');
    return undefined;
  }
  const speed = Number(flags['speed']);
  if (!Number.isFinite(speed) || speed < 1)
    throw new Error("--url needs --speed: the server's clock.speed (≥ 1)");
  const start = flags['start'];
  if (start !== undefined && !Number.isFinite(Date.parse(String(start))))
    throw new Error(`--start '${String(start)}' is not an ISO date and time`);
  const { client } = signedInClient({ server: url }, env);
  return {
    url: url.replace(/\/+$/, ''),
    speed,
    admin: client,
    ...(start === undefined ? {} : { start: Date.parse(String(start)) }),
  };
}
