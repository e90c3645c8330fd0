import { cpus, loadavg, platform } from 'node:os';

/** The machine a bench ran on, stated with its results. */
export interface Machine {
  readonly node: string;
  readonly platform: string;
  readonly cpus: number;
  readonly cpuModel: string;
  /** 1-minute load average when the run started and ended: other work on the machine skews rates. */
  readonly loadAverage: { readonly start: number; readonly end: number };
}

export function machine(loadAtStart: number): Machine {
  return {
    node: process.version,
    platform: `${platform()} ${process.arch}`,
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    loadAverage: { start: loadAtStart, end: loadavg()[0] ?? 0 },
  };
}
