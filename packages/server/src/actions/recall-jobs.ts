import type { api } from '@retract/protocol';
import { AppError } from '../errors.js';
import { newId } from '../ids.js';
import type { RecallJobRecord } from '../storage/records.js';
import { requireMember } from './conversations.js';
import type { ActionContext, Actor } from './context.js';
import { recallMessage } from './recall.js';

/** Jobs still running in this process, so callers (and tests) can await their end. */
const running = new WeakMap<ActionContext, Map<string, Promise<void>>>();

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

function view(job: RecallJobRecord): api.RecallJob {
  return {
    id: job.id,
    conversationId: job.conversationId,
    status: job.status,
    total: job.total,
    done: job.results.length,
    results: [...job.results],
    createdAt: new Date(job.createdAt).toISOString(),
    finishedAt: iso(job.finishedAt),
  };
}

/**
 * Starts a bulk recall: every message of one user in a conversation (optionally in a time range), each
 * decided and recalled exactly as a single moderator recall would be — same policy, same reason, same
 * events and erasure — with progress and a per-message outcome recorded as it goes.
 */
export async function startRecallJob(
  ctx: ActionContext,
  actor: Actor,
  conversationId: string,
  input: api.RecallJobRequest,
): Promise<api.RecallJob> {
  const job = await ctx.storage.transaction(async (tx) => {
    if (!actor.serverAdmin) await requireMember(tx, conversationId, actor.userId);
    else if (!(await tx.findConversation(conversationId))) throw new AppError('not_found');
    const from = input.from === undefined ? 0 : Date.parse(input.from);
    const to = input.to === undefined ? Number.MAX_SAFE_INTEGER : Date.parse(input.to);
    const ids = await tx.listMessageIdsBySender(conversationId, input.userId, from, to);
    const record: RecallJobRecord = {
      id: newId('j'),
      conversationId,
      actorId: actor.userId,
      params: { ...input, messageIds: ids },
      status: 'running',
      total: ids.length,
      results: [],
      createdAt: ctx.clock.now(),
      finishedAt: null,
    };
    await tx.insertRecallJob(record);
    return record;
  });
  const jobs = running.get(ctx) ?? new Map<string, Promise<void>>();
  running.set(ctx, jobs);
  const ids = job.params['messageIds'] as string[];
  jobs.set(
    job.id,
    run(ctx, actor, job, ids, input.reason).finally(() => jobs.delete(job.id)),
  );
  return view(job);
}

async function run(
  ctx: ActionContext,
  actor: Actor,
  job: RecallJobRecord,
  ids: readonly string[],
  reason: string,
) {
  const results: { messageId: string; outcome: string }[] = [];
  for (const messageId of ids) {
    let outcome: string;
    try {
      const result = await recallMessage(ctx, actor, messageId, { reason, jobId: job.id });
      outcome = result.transitioned ? 'recalled' : 'already_recalled';
    } catch (error) {
      if (!(error instanceof AppError))
        ctx.log.error({ err: error, jobId: job.id }, 'bulk recall step failed');
      outcome = error instanceof AppError ? error.code : 'internal';
    }
    results.push({ messageId, outcome });
    await ctx.storage.transaction((tx) =>
      tx.updateRecallJob(job.id, { status: 'running', results, finishedAt: null }),
    );
  }
  await ctx.storage.transaction((tx) =>
    tx.updateRecallJob(job.id, { status: 'done', results, finishedAt: ctx.clock.now() }),
  );
}

/** A job, for its creator or a server admin. */
export async function getRecallJob(ctx: ActionContext, actor: Actor, id: string): Promise<api.RecallJob> {
  const job = await ctx.storage.read((tx) => tx.findRecallJob(id));
  if (!job || (job.actorId !== actor.userId && !actor.serverAdmin)) throw new AppError('not_found');
  return view(job);
}

/** Resolves when the job (if running in this process) has finished. */
export async function waitForRecallJob(ctx: ActionContext, id: string): Promise<void> {
  await running.get(ctx)?.get(id);
}
