import type { Command } from 'commander';
import pc from 'picocolors';
import type { Conversation } from '@retract/protocol';
import type { Environment } from '../env.js';
import { signedInClient } from '../client/context.js';
import { print } from '../client/output.js';
import { action } from './run.js';

const describe = (c: Conversation) =>
  `${pc.bold(c.id)} ${c.kind}${c.title ? ` “${c.title}”` : ''} — ${c.members.map((m) => `${m.username}${m.role === 'member' ? '' : ` (${m.role})`}`).join(', ')}`;

export function conversationCommand(program: Command, env: Environment): void {
  const conversation = program
    .command('conversation')
    .alias('conv')
    .description('Create and list conversations, manage members');

  conversation
    .command('create')
    .description('Create a group, or open the direct conversation with one user')
    .argument('<members...>', 'usernames or user ids of the other members')
    .option('--group', 'a group (the default)')
    .option('--direct', 'a direct conversation with exactly one other user')
    .option('--title <title>', 'group title')
    .action(
      action(async (options, members: string[]) => {
        const kind = options['direct'] ? 'direct' : 'group';
        const title = options['title'] as string | undefined;
        const { conversation: created } = await signedInClient(options, env).client.http.createConversation({
          kind,
          members,
          ...(title ? { title } : {}),
        });
        print(options.json, { conversation: created }, () => describe(created));
      }),
    );

  conversation
    .command('list')
    .description('Conversations you belong to')
    .action(
      action(async (options) => {
        const { conversations } = await signedInClient(options, env).client.http.listConversations();
        print(options.json, { conversations }, () =>
          conversations.length ? conversations.map(describe).join('\n') : 'no conversations yet',
        );
      }),
    );

  conversation
    .command('add')
    .description('Add members to a group (owners and admins)')
    .argument('<conversation-id>')
    .argument('<members...>', 'usernames or user ids')
    .option('--role <role>', 'member, admin or owner', 'member')
    .action(
      action(async (options, id: string, members: string[]) => {
        const role = options['role'] as 'member' | 'admin' | 'owner';
        const { conversation: updated } = await signedInClient(options, env).client.http.addMembers(id, {
          members,
          role,
        });
        print(options.json, { conversation: updated }, () => describe(updated));
      }),
    );

  conversation
    .command('remove')
    .description('Remove a member from a group, or leave it (your own user id)')
    .argument('<conversation-id>')
    .argument('<user-id>')
    .action(
      action(async (options, id: string, userId: string) => {
        await signedInClient(options, env).client.http.removeMember(id, userId);
        print(options.json, { removed: userId }, () => `removed ${userId}`);
      }),
    );
}
