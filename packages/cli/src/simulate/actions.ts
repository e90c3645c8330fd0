import type { api } from '@retract/protocol';
import { isApiError } from '@retract/sdk';
import type { Via } from './plan.js';
import type { SimUser } from './users.js';

/**
 * One request each, over HTTP or the user's WebSocket as planned. A socket that is not live (it may be
 * reconnecting) falls back to HTTP, as an app would.
 */
let counter = 0;
const clientMsgId = (): string => `sim-${process.pid}-${(counter += 1)}`;

export interface SendInput {
  readonly conversationId: string;
  readonly body: string;
  readonly corrects?: string;
}

export async function send(user: SimUser, via: Via, input: SendInput): Promise<api.SendMessageResponse> {
  const body = { clientMsgId: clientMsgId(), body: input.body, ...pickCorrects(input) };
  if (via === 'ws' && user.client.state === 'live') {
    return user.client.connection.request({ type: 'send', conversationId: input.conversationId, ...body });
  }
  return user.client.http.sendMessage(input.conversationId, body);
}

const pickCorrects = (input: SendInput): { corrects?: string } =>
  input.corrects === undefined ? {} : { corrects: input.corrects };

/** The server's decision: recalled, or the denial code, with the instant the server decided (its clock). */
export interface RecallOutcome {
  readonly outcome: string;
  readonly decidedAt: number | null;
}

export async function recall(user: SimUser, via: Via, messageId: string): Promise<RecallOutcome> {
  try {
    const reply =
      via === 'ws' && user.client.state === 'live'
        ? await user.client.connection.request({ type: 'recall', messageId })
        : await user.client.http.recall(messageId);
    return { outcome: 'recalled', decidedAt: Date.parse(reply.tombstone.recalledAt) };
  } catch (error) {
    if (!isApiError(error)) throw error;
    const now = error.details?.['now'];
    const decidedAt = typeof now === 'string' ? Date.parse(now) : typeof now === 'number' ? now : null;
    return { outcome: error.code, decidedAt: Number.isFinite(decidedAt) ? decidedAt : null };
  }
}

export async function hide(user: SimUser, via: Via, messageId: string): Promise<void> {
  if (via === 'ws' && user.client.state === 'live') {
    await user.client.connection.request({ type: 'hide', messageId });
  } else {
    await user.client.http.hide(messageId);
  }
}
