import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { stats } from '@retract/protocol';
import type { RetractClient } from '@retract/sdk';
import type { Progress } from '../bench/progress.js';
import { instantOf, localOf, todayIn } from './calendar.js';
import { CalibratedTime, SimClock, type SimTime } from './clock.js';
import { startEmbedded, type Embedded, type EmbeddedOptions } from './embedded.js';
import { execute, type Execution } from './execute.js';
import { figures, type Figure } from './figures.js';
import type { SimParams } from './params.js';
import { buildPlan, type Plan } from './plan.js';
import { buildPopulation } from './population.js';
import { hourWeights, spanShares } from './profile.js';
import { Random } from './random.js';
import { createConversations, probe } from './setup.js';
import { closeUsers, connectUsers, createUsers, newClient, type SimUser } from './users.js';

/**
 * One simulated day, end to end: a server (embedded, or remote with a matching fast clock), a population
 * set up through the public API, the plan executed on the simulated clock, the server's figures fetched
 * and set beside what was put in.
 */
export interface RemoteTarget {
  readonly url: string;
  /** The remote server's `clock.speed`. */
  readonly speed: number;
  /** The server's `clock.start`, if known: a clock reading before it means a wrong --speed. */
  readonly start?: number;
  /** A client signed in as a server admin (the stats are admin-only). */
  readonly admin: RetractClient;
}

export interface SimulateOptions {
  readonly params: SimParams;
  readonly progress: Progress;
  readonly remote?: RemoteTarget;
  readonly embedded?: EmbeddedOptions;
}

export interface SimulationResult {
  readonly mode: 'embedded' | 'remote';
  readonly url: string;
  readonly date: string;
  readonly timeZone: string;
  readonly from: string;
  readonly to: string;
  /** Simulated seconds per real second. */
  readonly speed: number;
  readonly windowSeconds: { direct: number; group: number };
  readonly population: { users: number; directChats: number; groups: number };
  readonly plan: {
    messages: number;
    attempts: number;
    activeUsers: number;
    attemptingUsers: number;
    attemptsDropped: number;
  };
  readonly put: {
    messages: number;
    attempts: number;
    errorCount: number;
    errors: string[];
    latenessSeconds: { max: number; p99: number };
  };
  readonly figures: Figure[];
  readonly stats: stats.RecallStats;
  readonly elapsedSeconds: number;
  readonly params: SimParams;
}

export const PASSWORD = 'simulated-user-password';
export const ADMIN = 'sim-admin';
const HOUR = 3_600_000;
/** Waiting for the server to resolve the last follow-ups (its sweeper runs every real second). */
const SETTLE_REAL_MS = 15_000;

export async function runSimulation(o: SimulateOptions): Promise<SimulationResult> {
  const started = performance.now();
  const p = o.params;
  const watchdog = AbortSignal.timeout(p.maxTime * 1000);
  const random = new Random(p.seed);
  const embeddedDate = p.date ?? todayIn(p.tz);
  const speed =
    o.remote?.speed ??
    (instantOf(embeddedDate, p.hours[1], p.tz) - instantOf(embeddedDate, p.hours[0], p.tz)) /
      1000 /
      p.duration;
  const shares = spanShares(hourWeights(p), p.hours);
  const population = buildPopulation(p, random);

  // Embedded: set up on the day before, at real speed; the simulated day starts only when all is ready.
  const clock = o.remote ? null : new SimClock(instantOf(embeddedDate, p.hours[0], p.tz) - 24 * HOUR);
  let embedded: Embedded | null = null;
  const users: SimUser[] = [];
  try {
    if (clock)
      embedded = await startEmbedded(o.embedded ?? {}, clock, {
        admin: ADMIN,
        timeZone: p.tz,
        followUpSeconds: p.followUpSeconds,
      });
    const url = o.remote?.url ?? embedded!.url;
    const tag = o.remote ? `s${p.seed}-${Date.now().toString(36)}-` : 'u';
    const setupBar = o.progress.bar('setting up users', p.users, 'users');
    users.push(...(await createUsers(url, names(tag, p.users), PASSWORD, setupBar)));
    setupBar.done();
    const admin = o.remote?.admin ?? (await adminClient(url));
    const convBar = o.progress.bar('creating conversations', population.conversations.length);
    const conversationIds = await createConversations(population, users, convBar);
    convBar.done();
    const connectBar = o.progress.bar('connecting WebSockets', users.length, 'sockets');
    await connectUsers(users, 20_000, connectBar);
    connectBar.done();
    const probed = await probe(admin, [users[0]!, users[1]!]);
    const time: SimTime =
      clock ?? CalibratedTime.fromProbe(probed.sentAt, probed.realBefore, probed.realAfter, speed);
    if (o.remote?.start !== undefined && time.now() < o.remote.start) {
      throw new Error(
        `the server's clock reads ${new Date(time.now()).toISOString()}, before --start: is --speed right?`,
      );
    }
    const leadIn = p.lateDelay[1] * Math.max(probed.windowSeconds.direct, probed.windowSeconds.group) * 1000;
    // Remote: the first day whose simulated span (and the lead-in before it) the server has not reached yet.
    const date = clock ? embeddedDate : (p.date ?? firstOpenDay(time.now() + 10_000 * speed + leadIn, p));
    const spanStart = instantOf(date, p.hours[0], p.tz);
    const spanEnd = instantOf(date, p.hours[1], p.tz);

    const plan = buildPlan(
      p,
      population,
      {
        hourStart: (h) => instantOf(date, h, p.tz),
        hourShares: shares,
        windowSeconds: probed.windowSeconds,
        spanEnd,
        speed,
      },
      random,
    );
    const runStart = Math.min(plan.firstAt, spanStart) - 1000;
    if (clock) clock.run(runStart, speed);
    else await awaitRemoteStart(time, runStart, watchdog);

    const bar = o.progress.bar('simulating the day', p.hours[1] - p.hours[0], 'h');
    let lastHour = -1;
    const run = await execute({
      time,
      plan,
      users,
      conversationIds,
      kinds: population.conversations.map((c) => c.kind),
      concurrency: p.concurrency,
      body: (i) => bodyOf(i, p.canary),
      signal: watchdog,
      onTick: (now) => {
        const hour = Math.max(0, Math.min(p.hours[1] - p.hours[0], Math.floor((now - spanStart) / HOUR)));
        if (hour !== lastHour) {
          lastHour = hour;
          bar.update(hour, `${clockText(now, p.tz)} simulated`);
        }
      },
    });
    bar.update(p.hours[1] - p.hours[0], 'done');
    bar.done();

    const report = await settle(admin, time, run, p, { from: spanStart, to: spanEnd }, watchdog);
    return {
      mode: o.remote ? 'remote' : 'embedded',
      url,
      date,
      timeZone: p.tz,
      from: new Date(spanStart).toISOString(),
      to: new Date(spanEnd).toISOString(),
      speed,
      windowSeconds: probed.windowSeconds,
      population: {
        users: p.users,
        directChats: population.conversations.filter((c) => c.kind === 'direct').length,
        groups: population.conversations.filter((c) => c.kind === 'group').length,
      },
      plan: summary(plan),
      put: {
        messages: run.sent.length,
        attempts: run.attempts.length,
        errorCount: run.errorCount,
        errors: run.errors,
        latenessSeconds: run.lateness,
      },
      figures: figures({
        params: p,
        plan,
        run,
        report,
        from: spanStart,
        to: spanEnd,
        activityZone: p.tz,
        hourShares: shares,
        probeAt: probed.sentAt,
      }),
      stats: report,
      elapsedSeconds: (performance.now() - started) / 1000,
      params: p,
    };
  } finally {
    closeUsers(users);
    await embedded?.close();
  }
}

/** The first day (in tz) whose span starts at or after `at`. */
function firstOpenDay(at: number, p: SimParams): string {
  const today = localOf(at, p.tz).day;
  return instantOf(today, p.hours[0], p.tz) >= at ? today : localOf(at + 86_400_000, p.tz).day;
}

const names = (tag: string, n: number): string[] => Array.from({ length: n }, (_, i) => `${tag}${i}`);

async function adminClient(url: string): Promise<RetractClient> {
  const client = newClient(url);
  await client.register(ADMIN, PASSWORD);
  await client.login(ADMIN, PASSWORD, 'retract-simulate');
  return client;
}

/** Remote mode: the server's clock must not have reached the start yet; we wait for it. */
async function awaitRemoteStart(time: SimTime, runStart: number, signal: AbortSignal): Promise<void> {
  const wait = time.realMsUntil(runStart);
  if (wait < 0) {
    throw new Error(
      `the server's clock (${new Date(time.now()).toISOString()}) is already past the simulated day's start; ` +
        'pick a later --date or restart the server with an earlier clock.start',
    );
  }
  await sleep(wait, undefined, { signal });
}

/**
 * After the last action: let the server's clock pass the last follow-up period, then read the stats until
 * no denial is pending any more (bounded: what is still pending is reported as such).
 */
async function settle(
  admin: RetractClient,
  time: SimTime,
  run: Execution,
  p: SimParams,
  period: { from: number; to: number },
  signal: AbortSignal,
): Promise<stats.RecallStats> {
  const query = {
    from: new Date(period.from).toISOString(),
    to: new Date(period.to).toISOString(),
    tz: p.tz,
  };
  if (run.lastDenialAt !== null) {
    const until = run.lastDenialAt + p.followUpSeconds * 1000 + 1000;
    // A standing clock is moved past the last follow-up period; the server's sweeper, on its own real-time
    // tick, then resolves what is still pending.
    if (time.standAt) time.standAt(until);
    else await sleep(Math.max(0, time.realMsUntil(until)), undefined, { signal });
  }
  const deadline = performance.now() + SETTLE_REAL_MS;
  for (;;) {
    const report = await admin.http.stats(query);
    if (report.followUps.counts.pending === 0 || performance.now() > deadline || signal.aborted)
      return report;
    await sleep(250);
  }
}

function summary(plan: Plan): SimulationResult['plan'] {
  return {
    messages: plan.sends.length,
    attempts: plan.attempts.length,
    activeUsers: plan.activeUsers,
    attemptingUsers: plan.attemptingUsers,
    attemptsDropped: plan.attemptsDropped,
  };
}

const WORDS = [
  'see',
  'you',
  'at',
  'the',
  'meeting',
  'lunch',
  'today',
  'ok',
  'thanks',
  'sent',
  'file',
  'later',
  'call',
  'me',
];

/** A short, varied body; the canary (if any) in every one. */
function bodyOf(i: number, canary: string): string {
  const words = Array.from({ length: 3 + (i % 5) }, (_, k) => WORDS[(i * 7 + k * 3) % WORDS.length]);
  return canary ? `${words.join(' ')} ${canary}` : words.join(' ');
}

function clockText(ms: number, tz: string): string {
  const local = localOf(ms, tz);
  return `${local.day} ${String(local.hour).padStart(2, '0')}:${new Date(local.wallMs).toISOString().slice(14, 16)}`;
}
