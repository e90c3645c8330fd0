import type { TombstoneRecord } from '../storage/records.js';
import type { ActionContext } from './context.js';
import { eraseInTx, finishErasures, type Erasure } from './erase.js';
import type { RecallAudit } from './recall-audit.js';

/** An erasure the server made because the operator keeps messages only so long. */
const retentionRecall: RecallAudit = { actor: { userId: null, role: 'retention' }, requestId: null };

/**
 * Retention: erases messages older than `retention.days`, oldest first, with the one erasure every way
 * out uses (content and key destroyed, audit entry, `message.recalled` to every device), in the
 * `retention` role. Returns how many it erased; 0 when retention is off. Called by the server's sweeper,
 * and directly by tests.
 */
export async function retireOld(ctx: ActionContext, limit = 100): Promise<number> {
  const days = ctx.config.retention.days;
  if (days === 0) return 0;
  const now = ctx.clock.now();
  const erasures = await ctx.storage.transaction(async (tx) => {
    const done: Erasure[] = [];
    for (const id of await tx.listSentBefore(now - days * 86_400_000, limit)) {
      const message = await tx.findMessage(id);
      if (!message || message.tombstone !== null) continue;
      const tombstone: TombstoneRecord = {
        recalledAt: now,
        recalledBy: message.senderId,
        role: 'retention',
        reason: null,
        label: null,
      };
      done.push(await eraseInTx(tx, ctx, message, tombstone, retentionRecall));
    }
    return done;
  });
  await finishErasures(ctx, erasures);
  return erasures.length;
}
