import type { ClientFrame } from '@retract/protocol';
import type { ActionContext, Actor } from '../actions/context.js';
import { sendMessage } from '../actions/messages.js';
import { recallMessage } from '../actions/recall.js';
import { hideMessage } from '../actions/hide.js';

type CommandFrame = Extract<ClientFrame, { type: 'send' | 'recall' | 'hide' }>;

/** The commands a socket may run; the same actions, and so the same rules, as the HTTP routes. */
export async function runCommand(ctx: ActionContext, actor: Actor, frame: CommandFrame): Promise<unknown> {
  switch (frame.type) {
    case 'send':
      return sendMessage(ctx, actor, {
        conversationId: frame.conversationId,
        clientMsgId: frame.clientMsgId,
        body: frame.body,
        replyTo: frame.replyTo,
        corrects: frame.corrects,
      });
    case 'recall':
      return recallMessage(ctx, actor, frame.messageId, { reason: frame.reason });
    case 'hide':
      return hideMessage(ctx, actor, frame.messageId);
  }
}
