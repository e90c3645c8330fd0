import type { Command } from 'commander';
import type { GlobalOptions } from '../client/context.js';
import { reportError } from '../client/output.js';

/**
 * Wraps a command's action: global options merged in, errors reported as one line, exit code 1.
 * Commander passes the Command object last; the action gets the merged options instead.
 */
export function action<A extends unknown[]>(
  fn: (options: GlobalOptions & Record<string, unknown>, ...args: A) => Promise<void>,
): (...args: unknown[]) => Promise<void> {
  return async (...args: unknown[]) => {
    const command = args.at(-1) as Command;
    const options = command.optsWithGlobals<GlobalOptions & Record<string, unknown>>();
    try {
      await fn(options, ...(args.slice(0, command.registeredArguments.length) as A));
    } catch (error) {
      process.exitCode = reportError(error, options.json);
    }
  };
}
