import type { Event } from '@retract/protocol';
import { readRenderedEvents } from './references.js';
import { AppError } from '../errors.js';
import type { ActionContext, Actor } from './context.js';

/**
 * The user's events after `after`, oldest first, rendered from current state. Reading a page also moves
 * the device's cursor to `after`: asking for what follows n means n was applied.
 */
export async function syncEvents(
  ctx: ActionContext,
  actor: Actor,
  after: number,
  limit: number,
): Promise<{ events: Event[]; cursor: number; hasMore: boolean }> {
  const { rows, last } = await ctx.storage.read(async (tx) => ({
    rows: await readRenderedEvents(tx, actor.userId, after, limit + 1),
    last: await tx.lastSeq(actor.userId),
  }));
  if (after > last) throw new AppError('cursor_ahead', { after, last });
  const hasMore = rows.length > limit;
  const events = rows.slice(0, limit);
  if (after > 0) await acknowledge(ctx, actor, after);
  return { events, cursor: events.at(-1)?.seq ?? after, hasMore };
}

/** Stores how far the device has applied its stream. */
export async function acknowledge(ctx: ActionContext, actor: Actor, seq: number): Promise<void> {
  await ctx.storage.transaction((tx) => tx.advanceCursor(actor.deviceId, seq));
}
