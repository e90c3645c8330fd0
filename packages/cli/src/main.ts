#!/usr/bin/env node
import { CommanderError } from 'commander';
import { readEnvironment } from './env.js';
import { buildProgram } from './program.js';

const program = buildProgram(readEnvironment());
try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) process.exit(error.exitCode);
  console.error(`retract: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
