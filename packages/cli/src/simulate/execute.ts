import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { hide, recall, send } from './actions.js';
import type { SimTime } from './clock.js';
import type { FollowUpChoice, Plan, PlannedAttempt } from './plan.js';
import { TaskQueue } from './queue.js';
import type { SimUser } from './users.js';

/**
 * Runs the plan against the server on the simulated clock, and records what was actually done and
 * what the server actually decided: the "put in" side of the closing table.
 */
export interface SentRecord {
  readonly user: number;
  readonly sentAt: number;
}

export interface AttemptRecord {
  readonly user: number;
  readonly kind: 'direct' | 'group';
  readonly late: boolean;
  /** `recalled` or the denial code. */
  readonly outcome: string;
  /** The server's instant of decision (from its reply), else our reading of its clock. */
  readonly decidedAt: number;
  readonly delaySeconds: number;
  /** What the sender did after a denial (null when allowed or the follow-up request failed). */
  followUp: FollowUpChoice | null;
}

export interface Execution {
  readonly sent: SentRecord[];
  readonly attempts: AttemptRecord[];
  readonly errors: string[];
  errorCount: number;
  /** How late actions started against their schedule, simulated seconds. */
  readonly lateness: { max: number; p99: number };
  /** The last moment a denial's follow-up period can still be open. */
  lastDenialAt: number | null;
}

export interface ExecuteOptions {
  readonly time: SimTime;
  readonly plan: Plan;
  readonly users: readonly SimUser[];
  readonly conversationIds: readonly string[];
  readonly kinds: readonly ('direct' | 'group')[];
  readonly concurrency: number;
  readonly body: (index: number) => string;
  readonly signal: AbortSignal;
  /** Called on every turn of the loop with the simulated now. */
  readonly onTick: (now: number) => void;
}

const MAX_ERRORS_KEPT = 20;

export async function execute(o: ExecuteOptions): Promise<Execution> {
  const result: Execution = {
    sent: [],
    attempts: [],
    errors: [],
    errorCount: 0,
    lateness: { max: 0, p99: 0 },
    lastDenialAt: null,
  };
  const late: number[] = [];
  const queue = new TaskQueue();
  let bodies = 0;
  const fail = (what: string, error: unknown): void => {
    result.errorCount += 1;
    if (result.errors.length < MAX_ERRORS_KEPT)
      result.errors.push(`${what}: ${error instanceof Error ? error.message : String(error)}`);
  };

  const attemptTask = (attempt: PlannedAttempt, messageId: string, sentAt: number) => async () => {
    const user = o.users[attempt.user]!;
    const decision = await recall(user, attempt.via, messageId);
    const decidedAt = decision.decidedAt ?? o.time.now();
    const record: AttemptRecord = {
      user: attempt.user,
      kind: o.kinds[attempt.conversation]!,
      late: attempt.late,
      outcome: decision.outcome,
      decidedAt,
      delaySeconds: (decidedAt - sentAt) / 1000,
      followUp: null,
    };
    result.attempts.push(record);
    if (decision.outcome === 'recalled') return;
    result.lastDenialAt = Math.max(result.lastDenialAt ?? 0, decidedAt);
    if (attempt.followUp === 'none') {
      record.followUp = 'none';
      return;
    }
    queue.push({
      at: decidedAt + attempt.followUpDelayMs,
      run: async () => {
        const conversationId = o.conversationIds[attempt.conversation]!;
        if (attempt.followUp === 'hide') await hide(user, attempt.via, messageId);
        else {
          const corrects = attempt.followUp === 'correction' ? { corrects: messageId } : {};
          const reply = await send(user, attempt.via, {
            conversationId,
            body: o.body(bodies++),
            ...corrects,
          });
          result.sent.push({ user: attempt.user, sentAt: Date.parse(reply.message.sentAt) });
        }
        record.followUp = attempt.followUp;
      },
    });
  };

  for (const planned of o.plan.sends) {
    queue.push({
      at: planned.at,
      run: async () => {
        const reply = await send(o.users[planned.user]!, planned.via, {
          conversationId: o.conversationIds[planned.conversation]!,
          body: o.body(bodies++),
        });
        const sentAt = Date.parse(reply.message.sentAt);
        result.sent.push({ user: planned.user, sentAt });
        if (planned.attempt === undefined) return;
        const attempt = o.plan.attempts[planned.attempt]!;
        queue.push({ at: sentAt + attempt.delayMs, run: attemptTask(attempt, reply.message.id, sentAt) });
      },
    });
  }

  if (o.time.standAt) {
    await stepped(o, o.time.standAt.bind(o.time), queue, fail);
    return result;
  }
  let inFlight = 0;
  while (queue.size > 0 || inFlight > 0) {
    if (o.signal.aborted) throw new Error('the run took longer than --max-time and was stopped');
    const now = o.time.now();
    o.onTick(now);
    while (inFlight < o.concurrency && (queue.peek()?.at ?? Infinity) <= now) {
      const task = queue.pop()!;
      late.push((now - task.at) / 1000);
      inFlight += 1;
      task
        .run()
        .catch((error: unknown) => fail(new Date(task.at).toISOString(), error))
        .finally(() => (inFlight -= 1));
    }
    const next = queue.peek();
    const wait = next === undefined ? 5 : Math.min(20, Math.max(1, o.time.realMsUntil(next.at)));
    await sleep(wait);
  }
  late.sort((a, b) => a - b);
  result.lateness.max = late.at(-1) ?? 0;
  result.lateness.p99 = late[Math.floor(late.length * 0.99)] ?? 0;
  return result;
}

/**
 * Embedded mode: one action at a time, the server's clock standing at the action's instant while it
 * runs, so no action is ever late and every recall is decided at exactly the delay drawn for it. Real
 * time only paces the day (never ahead of `speed`): a slow machine makes the day longer, not different.
 */
async function stepped(
  o: ExecuteOptions,
  standAt: (at: number) => void,
  queue: TaskQueue,
  fail: (what: string, error: unknown) => void,
): Promise<void> {
  const realStart = performance.now();
  const simStart = o.time.now();
  while (queue.size > 0) {
    if (o.signal.aborted) throw new Error('the run took longer than --max-time and was stopped');
    const task = queue.pop()!;
    const ahead = realStart + (task.at - simStart) / o.time.speed - performance.now();
    if (ahead > 1) await sleep(ahead);
    standAt(task.at);
    o.onTick(task.at);
    await task.run().catch((error: unknown) => fail(new Date(task.at).toISOString(), error));
  }
}
