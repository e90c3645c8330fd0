import type { api } from '@retract/protocol';
import { detect, summarize } from '../core/detectors/index.js';
import { senderWindow } from '../core/policy/index.js';
import type { ActionContext, Actor } from './context.js';
import { requireMember } from './conversations.js';
import { policyFor } from './policy.js';

/**
 * The pre-send check: what the detectors find in a draft, how many people would receive it, and the
 * recall window it would get — so a client can warn ("this looks like a bank card number; send to 214
 * people?"). Explained, never silently applied; nothing is stored.
 */
export async function checkMessage(
  ctx: ActionContext,
  actor: Actor,
  conversationId: string,
  body: string,
): Promise<api.CheckMessageResponse> {
  const { conversation, members } = await ctx.storage.read(async (tx) => {
    const { conversation } = await requireMember(tx, conversationId, actor.userId);
    return { conversation, members: await tx.listMembers(conversationId) };
  });
  const findings = detect(body);
  const policy = policyFor(ctx, conversation);
  const normal = senderWindow(policy, conversation.kind, 'text');
  const smart = policy.smartWindow;
  const longer = (a: number | null, b: number | null) => (a === null || b === null ? null : Math.max(a, b));
  const flagged = findings.length > 0 && smart.enabled;
  const seconds = flagged ? longer(normal, smart.windowSeconds) : normal;
  return {
    findings: findings.map((f) => ({
      detector: f.detector,
      start: f.start,
      end: f.end,
      preview: f.preview,
      reason: f.reason,
      confidence: f.confidence,
    })),
    summary: summarize(findings),
    recipients: members.filter((m) => m.userId !== actor.userId).length,
    window: { seconds, extendedBecauseFlagged: flagged && seconds !== normal },
  };
}
