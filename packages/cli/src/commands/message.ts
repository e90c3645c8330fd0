import type { Command } from 'commander';
import type { Message } from '@retract/protocol';
import type { Environment } from '../env.js';
import { signedInClient } from '../client/context.js';
import { describeMessage, print } from '../client/output.js';
import { action } from './run.js';

export function messageCommands(program: Command, env: Environment): void {
  program
    .command('send')
    .description('Send a text message (retries never duplicate it)')
    .argument('<conversation-id>')
    .argument('<text...>', 'the message; several words are joined with spaces')
    .option('--client-msg-id <id>', 'idempotency key; reuse it to retry a send safely (default: random)')
    .action(
      action(async (options, id: string, words: string[]) => {
        const clientMsgId = options['clientMsgId'] as string | undefined;
        const result = await signedInClient(options, env).client.send(
          id,
          words.join(' '),
          clientMsgId ? { clientMsgId } : {},
        );
        print(options.json, result, () => {
          const head = `${result.created ? 'sent' : 'already sent'} ${result.message.id}`;
          return result.held
            ? `${head}, held until ${result.held.until} (undo with: retract unsend ${result.message.id})`
            : head;
        });
      }),
    );

  program
    .command('recall')
    .description('Recall a message: every device replaces it with a tombstone, the server erases its text')
    .argument('<message-id>')
    .option('--reason <reason>', 'shown with the tombstone (most policies require one of moderators)')
    .option('--as-admin', 'remove someone else’s message as a moderator; needs --reason')
    .action(
      action(async (options, id: string) => {
        const reason = options['reason'] as string | undefined;
        if (options['asAdmin'] && !reason) {
          throw new Error('--as-admin needs --reason: recipients see why a message was removed');
        }
        const result = await signedInClient(options, env).client.recall(id, reason);
        print(options.json, result, () => {
          const as = result.tombstone.role === 'sender' ? '' : ` as ${result.tombstone.role}`;
          const head = result.transitioned
            ? `recalled ${id}${as} at ${result.tombstone.recalledAt}`
            : `${id} was already recalled at ${result.tombstone.recalledAt}`;
          const salt = result.commitmentSalt
            ? `\ncommitment salt ${result.commitmentSalt} (shown once: keep it with the text to prove later ` +
              'what was recalled — retract audit verify-bundle --content --salt)'
            : '';
          return result.reEdit
            ? `${head}${salt}\nre-edit until ${result.reEdit.until}: ${result.reEdit.body}`
            : `${head}${salt}`;
        });
      }),
    );

  program
    .command('unsend')
    .description('Undo send: cancel a message still held for your send delay and print its text')
    .argument('<message-id>')
    .action(
      action(async (options, id: string) => {
        const result = await signedInClient(options, env).client.http.cancelSend(id);
        print(options.json, result, () => `cancelled ${id}; nobody received it\n${result.draft.body ?? ''}`);
      }),
    );

  program
    .command('settings')
    .description('Show or change your settings (undo send delay)')
    .option('--send-delay <seconds>', 'hold each message this long so a send can be undone (0: off)')
    .action(
      action(async (options) => {
        const { http } = signedInClient(options, env).client;
        const delay = options['sendDelay'] as string | undefined;
        if (delay !== undefined && !/^\d{1,3}$/.test(delay))
          throw new Error('--send-delay takes whole seconds');
        const result =
          delay === undefined
            ? await http.settings()
            : await http.setSettings({ sendDelaySeconds: Number(delay) });
        print(options.json, result, () =>
          result.settings.sendDelaySeconds > 0
            ? `undo send: each message is held ${result.settings.sendDelaySeconds} s`
            : 'undo send: off (messages go out at once)',
        );
      }),
    );

  program
    .command('hide')
    .description('Delete a message for you: hidden on all your devices, nobody else’s')
    .argument('<message-id>')
    .action(
      action(async (options, id: string) => {
        const result = await signedInClient(options, env).client.hide(id);
        print(options.json, result, () => `hidden ${id}`);
      }),
    );

  program
    .command('history')
    .description('Show a conversation’s messages, oldest of the page first')
    .argument('<conversation-id>')
    .option('-n, --limit <n>', 'how many messages', '50')
    .action(
      action(async (options, id: string) => {
        const limit = Number(options['limit']);
        if (!Number.isInteger(limit) || limit < 1 || limit > 500) throw new Error('--limit must be 1–500');
        const page = await signedInClient(options, env).client.http.history(id, { limit });
        const messages: Message[] = [...page.messages].reverse();
        print(options.json, page, () =>
          messages.length ? messages.map(describeMessage).join('\n') : 'no messages',
        );
      }),
    );
}
