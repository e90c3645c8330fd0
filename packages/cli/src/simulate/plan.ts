import type { FollowUpShares, SimParams } from './params.js';
import type { Population } from './population.js';
import type { Random } from './random.js';

/**
 * The day, decided before it starts: every message, every recall attempt with its delay and the
 * follow-up its sender will choose if denied. Times are simulated ms (server clock). Executing it is
 * `execute.ts`'s job; the plan itself touches no server.
 */
export type Via = 'http' | 'ws';
export type FollowUpChoice = keyof FollowUpShares;

export interface PlannedSend {
  readonly user: number;
  readonly conversation: number;
  readonly at: number;
  readonly via: Via;
  /** Set on a message that an attempt will try to recall (index into `attempts`). */
  readonly attempt?: number;
}

export interface PlannedAttempt {
  readonly user: number;
  readonly conversation: number;
  /** When the user means to try (its message is sent `delayMs` before). */
  readonly at: number;
  readonly delayMs: number;
  /** Intended to come after the window (the delay is drawn from `lateDelay`). */
  readonly late: boolean;
  readonly via: Via;
  /** What the sender does if the server says no. */
  readonly followUp: FollowUpChoice;
  readonly followUpDelayMs: number;
}

export interface Plan {
  readonly sends: readonly PlannedSend[];
  readonly attempts: readonly PlannedAttempt[];
  /** Users who send at least one message in the plan, and those among them who attempt a recall. */
  readonly activeUsers: number;
  readonly attemptingUsers: number;
  /** Attempts given up because no free slot was found (the conversation was quiet for an earlier one). */
  readonly attemptsDropped: number;
  /** The earliest planned action (a recalled message may be sent before the span starts). */
  readonly firstAt: number;
}

export interface PlanContext {
  /** Instants of the span's hour boundaries: hour h covers [hourStart[h], hourStart[h+1]). */
  readonly hourStart: (hour: number) => number;
  readonly hourShares: readonly number[];
  /** Seconds, per conversation kind. */
  readonly windowSeconds: { readonly direct: number; readonly group: number };
  readonly spanEnd: number;
  /** Simulated ms per real ms. */
  readonly speed: number;
}

/**
 * Slack around each attempt in simulated ms: requests take real time, which the fast clock multiplies,
 * so the quiet period after a denial is kept a little longer than the server's follow-up period — by
 * 90 s, or 250 ms of real time, whichever is longer.
 */
export const quietMarginMs = (speed: number): number => Math.max(90_000, 250 * speed);
/** Attempts are planned to end this long before the span ends, so late requests still fall within it. */
const END_GUARD_MS = 60_000;

export function buildPlan(p: SimParams, population: Population, ctx: PlanContext, random: Random): Plan {
  const sampleTime = (): number => {
    const hour = random.weighted(ctx.hourShares);
    return random.uniform(ctx.hourStart(hour), ctx.hourStart(hour + 1));
  };
  const via = (): Via => (random.chance(p.wsShare) ? 'ws' : 'http');
  const sends: PlannedSend[] = [];
  const active: number[] = [];
  for (let user = 0; user < population.users; user++) {
    if (!random.chance(p.activeShare)) continue;
    active.push(user);
    const count = Math.max(1, random.poisson(p.messagesPerUser));
    for (let i = 0; i < count; i++) {
      sends.push({
        user,
        conversation: random.pick(population.memberOf[user]!),
        at: sampleTime(),
        via: via(),
      });
    }
  }

  const attempts: PlannedAttempt[] = [];
  /** Per user and conversation: intervals in which the user's own messages would disturb a follow-up. */
  const reserved = new Map<string, [number, number][]>();
  const followUpMs = p.followUpSeconds * 1000;
  const margin = quietMarginMs(ctx.speed);
  let attemptingUsers = 0;
  let dropped = 0;
  for (const user of active) {
    if (!random.chance(p.attemptShare)) continue;
    let want = 1;
    while (want < p.maxAttempts && random.chance(p.repeatShare)) want += 1;
    let made = 0;
    for (let n = 0; n < want; n++) {
      const late = random.chance(p.lateShare);
      const followUp = drawFollowUp(p.followUps, random);
      const followUpDelayMs = random.uniform(p.followUpDelay[0], p.followUpDelay[1]) * 1000;
      let placed = false;
      for (let tries = 0; tries < 50 && !placed; tries++) {
        const conversation = random.pick(population.memberOf[user]!);
        const window = ctx.windowSeconds[population.conversations[conversation]!.kind] * 1000;
        const band = late ? p.lateDelay : p.withinDelay;
        const delayMs = random.logUniform(band[0], band[1]) * window;
        const at = sampleTime();
        if (at > ctx.spanEnd - END_GUARD_MS) continue;
        const interval: [number, number] = [at - delayMs - margin, at + followUpMs + margin];
        const key = `${user}/${conversation}`;
        const taken = reserved.get(key) ?? [];
        if (taken.some(([a, b]) => a < interval[1] && interval[0] < b)) continue;
        taken.push(interval);
        reserved.set(key, taken);
        sends.push({ user, conversation, at: at - delayMs, via: via(), attempt: attempts.length });
        attempts.push({ user, conversation, at, delayMs, late, via: via(), followUp, followUpDelayMs });
        placed = true;
      }
      if (placed) made += 1;
      else dropped += 1;
    }
    if (made > 0) attemptingUsers += 1;
  }

  // A sender who chose "nothing" must really say nothing there until the server has stopped waiting.
  const kept = sends.filter((s) => {
    if (s.attempt !== undefined) return true;
    const taken = reserved.get(`${s.user}/${s.conversation}`);
    return !taken?.some(([a, b]) => s.at >= a && s.at <= b);
  });
  kept.sort((a, b) => a.at - b.at);
  const activeUsers = new Set(kept.map((s) => s.user)).size;
  return {
    sends: kept,
    attempts,
    activeUsers,
    attemptingUsers,
    attemptsDropped: dropped,
    firstAt: kept[0]?.at ?? ctx.hourStart(0),
  };
}

function drawFollowUp(shares: FollowUpShares, random: Random): FollowUpChoice {
  const names: FollowUpChoice[] = ['correction', 'hide', 'message', 'none'];
  return names[random.weighted(names.map((n) => shares[n]))]!;
}
