import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/**
 * The benchmark's child processes (the Retract server, the raw relay): each runs on its own event loop so
 * the load generator never competes with it inside one process. A child prints `READY <url>` on stdout
 * once it listens, exits when its stdin closes (so it never outlives the bench), and is stopped by PID.
 */
export interface Child {
  readonly name: string;
  readonly pid: number;
  readonly url: string;
  /** SIGTERM by PID (the child closes cleanly, writing its CPU profile if asked), SIGKILL after a grace. */
  stop(graceMs?: number): Promise<void>;
}

const live = new Map<number, ChildProcess>();

/** Last resort on exit or interrupt: SIGKILL every child still running, by PID. Synchronous. */
export function killChildren(): void {
  for (const pid of live.keys()) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  live.clear();
}

export interface ChildOptions {
  readonly args?: readonly string[];
  /** Adds --cpu-prof with this output directory. */
  readonly cpuProfDir?: string | undefined;
  readonly readyTimeoutMs: number;
  /** Called if the child exits after it was ready but before `stop()` was called. */
  readonly onUnexpectedExit?: (description: string) => void;
}

/** Starts `script` (a file next to this one) under the same TypeScript loader as this process. */
export function startChild(name: string, script: string, options: ChildOptions): Promise<Child> {
  const path = fileURLToPath(new URL(script, import.meta.url));
  // Inherit the loader flags (tsx), not debugger or profiler flags meant for the parent.
  const execArgv = process.execArgv.filter((a) => !/^--(inspect|cpu-prof|heap-prof)/.test(a));
  if (options.cpuProfDir) execArgv.push('--cpu-prof', `--cpu-prof-dir=${options.cpuProfDir}`);
  const child = spawn(process.execPath, [...execArgv, path, ...(options.args ?? [])], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  if (child.pid === undefined) return Promise.reject(new Error(`${name}: could not spawn`));
  const pid = child.pid;
  live.set(pid, child);
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-4000);
  });
  let ready = false;
  let stopping = false;
  const exited = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      live.delete(pid);
      resolve();
      if (ready && !stopping) {
        options.onUnexpectedExit?.(`${name} (pid ${pid}) exited: ${signal ?? `code ${code}`}\n${stderr}`);
      }
    }),
  );

  const stop = async (graceMs = 10_000): Promise<void> => {
    stopping = true;
    if (!live.has(pid)) return;
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      return;
    }
    let timer: NodeJS.Timeout | undefined;
    const killed = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // Exited meanwhile.
        }
        resolve();
      }, graceMs);
    });
    await Promise.race([exited, killed]);
    clearTimeout(timer);
  };

  return new Promise<Child>((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop(0);
      reject(new Error(`${name} did not start within ${options.readyTimeoutMs} ms\n${stderr}`));
    }, options.readyTimeoutMs);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited before it was ready (${signal ?? `code ${code}`})\n${stderr}`));
    });
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      const match = /^READY (\S+)$/.exec(line);
      if (!match?.[1]) return;
      clearTimeout(timer);
      ready = true;
      resolve({ name, pid, url: match[1], stop });
    });
  });
}

/** For child entry points: exit when the parent goes away (stdin closes), whatever killed it. */
export function exitWithParent(cleanup: () => Promise<void>): void {
  let stopping = false;
  const stop = (code: number) => {
    if (stopping) return;
    stopping = true;
    const force = setTimeout(() => process.exit(code), 5000);
    force.unref();
    cleanup().finally(() => process.exit(code));
  };
  process.stdin.on('end', () => stop(1));
  process.stdin.on('error', () => stop(1));
  process.stdin.resume();
  process.once('SIGTERM', () => stop(0));
  process.once('SIGINT', () => stop(0));
}
