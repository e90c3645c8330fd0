import type { Command } from 'commander';
import pc from 'picocolors';
import { formatPolicyError, validatePolicyDocument } from '@retract/server';
import type { Environment } from '../env.js';
import { signedInClient } from '../client/context.js';
import { readDocument } from '../client/documents.js';
import { print } from '../client/output.js';
import { action } from './run.js';

type Window = number | null;
const duration = (w: Window | undefined): string => {
  if (w === undefined) return '—';
  if (w === null) return 'no limit';
  if (w === 0) return 'never';
  if (w % 86400 === 0) return `${w / 86400} d`;
  if (w % 3600 === 0) return `${w / 3600} h`;
  if (w % 60 === 0) return `${w / 60} min`;
  return `${w} s`;
};

interface PolicyView {
  windows: { direct: Window; group: Window; types: Record<string, { direct?: Window; group?: Window }> };
  moderation: { roles: string[]; windowSeconds: Window; requireReason: boolean };
  reEditSeconds: number;
  placeholder: string;
  directPeerMayRecall: boolean;
}

function describePolicy(name: string, p: PolicyView): string {
  const types = Object.entries(p.windows.types)
    .map(([type, w]) => `${type} ${duration(w.group ?? w.direct)}`)
    .join(', ');
  const moderators = p.moderation.roles.length
    ? `${p.moderation.roles.join('/')} ${duration(p.moderation.windowSeconds)}${p.moderation.requireReason ? ', reason required' : ''}`
    : 'none';
  return [
    pc.bold(name),
    `  sender window   direct ${duration(p.windows.direct)}, group ${duration(p.windows.group)}${types ? `; ${types}` : ''}`,
    `  moderators      ${moderators}`,
    `  either side     ${p.directPeerMayRecall ? 'may recall in direct chats' : 'no'}`,
    `  re-edit         ${p.reEditSeconds ? duration(p.reEditSeconds) : 'off'}`,
    `  placeholder     ${p.placeholder}`,
  ].join('\n');
}

export function policyCommand(program: Command, env: Environment): void {
  const policy = program
    .command('policy')
    .description('Show, check and set recall policies (docs/policies.md)');

  policy
    .command('presets')
    .description('List the presets modelled on the platforms people know')
    .action(
      action(async (options) => {
        const { presets } = await signedInClient(options, env).client.http.serverPolicy();
        print(options.json, { presets }, () =>
          Object.entries(presets)
            .map(([name, p]) => describePolicy(name, p as unknown as PolicyView))
            .join('\n\n'),
        );
      }),
    );

  policy
    .command('show')
    .description('Show the policy in force: the server’s, or a conversation’s')
    .argument('[conversation-id]')
    .action(
      action(async (options, id: string | undefined) => {
        const { client } = signedInClient(options, env);
        if (id) {
          const result = await client.http.conversationPolicy(id);
          print(
            options.json,
            result,
            () =>
              `${describePolicy(id, result.effective as unknown as PolicyView)}\n  own document    ${result.document ? JSON.stringify(result.document) : 'none (follows the server)'}`,
          );
        } else {
          const result = await client.http.serverPolicy();
          print(options.json, result, () =>
            [
              describePolicy(
                'server default, direct chats',
                result.effective.direct as unknown as PolicyView,
              ),
              describePolicy('server default, groups', result.effective.group as unknown as PolicyView),
              `${pc.bold('bounds for conversation owners')} ${JSON.stringify(result.bounds)}`,
            ].join('\n\n'),
          );
        }
      }),
    );

  policy
    .command('check')
    .description('Validate a policy document (JSON or YAML) without sending it')
    .argument('<file>', 'path, or - for standard input')
    .action(
      action(async (options, file: string) => {
        const checked = validatePolicyDocument(readDocument(file));
        if (checked.ok) {
          print(options.json, { ok: true, policy: checked.policy }, () => `${file}: valid`);
          return;
        }
        print(options.json, { ok: false, errors: checked.errors }, () =>
          checked.errors.map((e) => `${pc.red('invalid')} ${formatPolicyError(e)}`).join('\n'),
        );
        process.exitCode = 1;
      }),
    );

  policy
    .command('set')
    .description('Set a conversation’s own policy (owners; within the server’s bounds)')
    .argument('<conversation-id>')
    .argument('<file>', 'JSON or YAML policy document; - for standard input; "none" to clear it')
    .action(
      action(async (options, id: string, file: string) => {
        const document = file === 'none' ? null : readDocument(file);
        const result = await signedInClient(options, env).client.http.setConversationPolicy(id, document);
        print(options.json, result, () => describePolicy(id, result.effective as unknown as PolicyView));
      }),
    );
}
