import { readFileSync } from 'node:fs';

/**
 * CPU time of a process (user + system, ms), to tell who was the bottleneck in a row: the server, the
 * relay, or the load generator. Linux /proc only; elsewhere null.
 */
export function cpuTimeMs(pid: number): number | null {
  if (pid === process.pid) {
    const usage = process.cpuUsage();
    return (usage.user + usage.system) / 1000;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name; utime and stime are the 12th and 13th of those.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return Number.isFinite(ticks) ? (ticks * 1000) / CLOCK_TICKS : null;
  } catch {
    return null;
  }
}

/** USER_HZ; 100 on every mainstream Linux build. */
const CLOCK_TICKS = 100;

export interface CpuUse {
  /** CPU time used, ms. */
  readonly ms: number;
  /** Share of one core over the wall time measured (1 = one core busy throughout). */
  readonly share: number;
}

/** Starts measuring the processes; the returned function says what each used since. */
export function cpuMeter(pids: readonly number[]): () => Map<number, CpuUse | null> {
  const t0 = performance.now();
  const before = pids.map(cpuTimeMs);
  return () => {
    const wall = performance.now() - t0;
    return new Map(
      pids.map((pid, i) => {
        const a = before[i];
        const b = cpuTimeMs(pid);
        const use =
          a === null || a === undefined || b === null || wall <= 0
            ? null
            : { ms: b - a, share: (b - a) / wall };
        return [pid, use];
      }),
    );
  };
}
