import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** Runs the CLI as a user would: a child process, colour off, its exit code, stdout and stderr. */
const main = fileURLToPath(new URL('../src/main.ts', import.meta.url));

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

export function retract(args: string[], env: Record<string, string> = {}, input?: string): Promise<Run> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      ['--import', 'tsx', main, ...args],
      { env: { ...process.env, NO_COLOR: '1', ...env }, timeout: 60_000 },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
    if (input !== undefined) child.stdin?.end(input);
    else child.stdin?.end();
  });
}
