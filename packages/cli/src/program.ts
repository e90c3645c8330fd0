import { Command } from 'commander';
import type { Environment } from './env.js';
import { serveCommand } from './commands/serve.js';
import { benchCommand } from './commands/bench.js';
import { userCommand } from './commands/user.js';
import { sessionCommands } from './commands/session.js';
import { accountCommands } from './commands/account.js';
import { conversationCommand } from './commands/conversation.js';
import { messageCommands } from './commands/message.js';
import { tailCommand } from './commands/tail.js';
import { policyCommand } from './commands/policy.js';
import { consentCommand } from './commands/consent.js';
import { auditCommand } from './commands/audit.js';
import { statsCommand } from './commands/stats.js';
import { simulateCommand } from './commands/simulate.js';

/** The whole command tree; `main.ts` runs it, tests read its help without spawning a process each time. */
export function buildProgram(env: Environment): Command {
  const program = new Command()
    .name('retract')
    .description('Retract: instant messaging where taking a message back is a first-class operation')
    .version('0.1.0')
    .option(
      '-s, --server <url>',
      'server for client commands (env RETRACT_SERVER, default http://localhost:8080)',
    )
    .option('--json', 'machine-readable output')
    .showHelpAfterError()
    .exitOverride();

  serveCommand(program, env);
  userCommand(program, env);
  sessionCommands(program, env);
  accountCommands(program, env);
  conversationCommand(program, env);
  messageCommands(program, env);
  tailCommand(program, env);
  policyCommand(program, env);
  consentCommand(program, env);
  auditCommand(program, env);
  statsCommand(program, env);
  simulateCommand(program, env);
  benchCommand(program);
  return program;
}
