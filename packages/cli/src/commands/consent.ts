import type { Command } from 'commander';
import type { api } from '@retract/protocol';
import type { Environment } from '../env.js';
import { signedInClient } from '../client/context.js';
import { describeConsent, print } from '../client/output.js';
import { action } from './run.js';

const statuses = ['pending', 'approved', 'declined', 'cancelled', 'expired'] as const;

/** Consent recall from the terminal: ask past the window, see what waits for you, approve or decline. */
export function consentCommand(program: Command, env: Environment): void {
  const consent = program
    .command('consent')
    .description('Consent recall: ask to recall past the window; approve or decline what others ask');

  consent
    .command('list')
    .description('Requests you made or may decide, newest first')
    .option('--status <status>', `only requests in this state (${statuses.join(', ')})`)
    .option('--pending', 'only pending requests (same as --status pending)')
    .action(
      action(async (options) => {
        const status = options['pending'] ? 'pending' : (options['status'] as string | undefined);
        if (status !== undefined && !(statuses as readonly string[]).includes(status)) {
          throw new Error(`--status must be one of ${statuses.join(', ')}`);
        }
        const query: api.ConsentListQuery =
          status === undefined ? {} : { status: status as api.ConsentListQuery['status'] & string };
        const list = await signedInClient(options, env).client.http.consentRequests(query);
        print(options.json, list, () =>
          list.requests.length
            ? list.requests
                .map((r) => `${describeConsent(r)}${r.canDecide ? '  ← yours to decide' : ''}`)
                .join('\n')
            : 'no consent requests',
        );
      }),
    );

  consent
    .command('ask')
    .description('Ask to recall your own message after its window has passed')
    .argument('<message-id>')
    .option('--reason <reason>', 'shown to whoever decides (e.g. "sent to the wrong group")')
    .action(
      action(async (options, messageId: string) => {
        const reply = await signedInClient(options, env).client.http.askConsent(
          messageId,
          options['reason'] as string | undefined,
        );
        print(options.json, reply, () => `asked: ${describeConsent(reply.request)}`);
      }),
    );

  consent
    .command('approve')
    .description('Approve a request: the message is recalled on every device, as its sender’s recall')
    .argument('<request-id>')
    .option('--note <note>', 'a word to the sender')
    .action(
      action(async (options, requestId: string) => {
        const reply = await signedInClient(options, env).client.http.approveConsent(
          requestId,
          options['note'] as string | undefined,
        );
        print(
          options.json,
          reply,
          () =>
            `approved ${requestId}: ${reply.recall.messageId} recalled at ${reply.recall.tombstone.recalledAt}`,
        );
      }),
    );

  consent
    .command('decline')
    .description('Decline a request: the message stays, and its sender cannot ask again for it')
    .argument('<request-id>')
    .option('--note <note>', 'a word to the sender')
    .action(
      action(async (options, requestId: string) => {
        const reply = await signedInClient(options, env).client.http.declineConsent(
          requestId,
          options['note'] as string | undefined,
        );
        print(options.json, reply, () => `declined ${requestId}`);
      }),
    );

  consent
    .command('cancel')
    .description('Withdraw your own pending request')
    .argument('<request-id>')
    .action(
      action(async (options, requestId: string) => {
        const reply = await signedInClient(options, env).client.http.cancelConsent(requestId);
        print(options.json, reply, () => `cancelled ${requestId}`);
      }),
    );
}
