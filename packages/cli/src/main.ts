#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { readEnvironment } from './env.js';
import { serveCommand } from './commands/serve.js';

const env = readEnvironment();
const program = new Command()
  .name('retract')
  .description('Retract: instant messaging where taking a message back is a first-class operation')
  .version('0.1.0')
  .showHelpAfterError()
  .exitOverride();

serveCommand(program, env);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) process.exit(error.exitCode);
  console.error(`retract: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
