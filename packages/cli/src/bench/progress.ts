import cliProgress from 'cli-progress';

/** Progress on stderr, one bar per phase; stdout stays clean for the report (or --json). */
export interface Bar {
  update(value: number, detail?: string): void;
  increment(detail?: string): void;
  done(detail?: string): void;
}

export class Progress {
  private readonly tty: boolean;

  constructor(private readonly enabled: boolean) {
    this.tty = process.stderr.isTTY === true;
  }

  bar(label: string, total: number, unit = ''): Bar {
    if (!this.enabled) return { update() {}, increment() {}, done() {} };
    const bar = new cliProgress.SingleBar(
      {
        stream: process.stderr,
        format: `${label.padEnd(34)} {bar} {value}/{total}${unit ? ` ${unit}` : ''}  {detail}`,
        barsize: 24,
        hideCursor: true,
        fps: 8,
        noTTYOutput: !this.tty,
        notTTYSchedule: 3000,
      },
      cliProgress.Presets.shades_classic,
    );
    bar.start(total, 0, { detail: '' });
    let value = 0;
    return {
      update(next, detail = '') {
        value = next;
        bar.update(value, { detail });
      },
      increment(detail = '') {
        value += 1;
        bar.update(value, { detail });
      },
      done(detail = '') {
        bar.update(value, { detail });
        bar.stop();
      },
    };
  }

  /** A line between bars (e.g. what the next phase is about). */
  note(text: string): void {
    if (this.enabled) process.stderr.write(`${text}\n`);
  }
}
