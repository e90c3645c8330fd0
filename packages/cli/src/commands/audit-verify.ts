import cliProgress from 'cli-progress';
import pc from 'picocolors';
import {
  checkpointOfProblem,
  verifyDataDir,
  type DataDirVerification,
  type LogProblem,
} from '@retract/server';

/**
 * `retract audit verify`: the whole log of a data directory, offline. Progress goes to stderr (a bar on a
 * terminal, for logs big enough to wait for); the report goes to stdout.
 */
export async function verifyLogCommand(options: {
  readonly dataDir: string;
  readonly publicKey?: string | undefined;
  readonly checkpointFile?: string | undefined;
  readonly json?: boolean | undefined;
}): Promise<number> {
  const bar = progressBar(!options.json && process.stderr.isTTY === true);
  let result: DataDirVerification;
  try {
    result = await verifyDataDir({
      dataDir: options.dataDir,
      ...(options.publicKey === undefined ? {} : { publicKey: options.publicKey }),
      ...(options.checkpointFile === undefined ? {} : { checkpointFile: options.checkpointFile }),
      onProgress: bar.update,
    });
  } finally {
    bar.stop();
  }
  process.stdout.write(`${options.json ? JSON.stringify(result) : describe(result, options.dataDir)}\n`);
  return result.ok ? 0 : 1;
}

function describe(result: DataDirVerification, dataDir: string): string {
  const { report } = result;
  const lines = [
    `audit log of ${dataDir}: ${report.size} entries, root ${report.root}`,
    `public key ${result.keyId}; checkpoints: ${result.checkpoints.database} in the database, ` +
      `${result.checkpoints.file === null ? 'no checkpoint file' : `${result.checkpoints.file} in the checkpoint file`}` +
      `, ${report.checkpointsChecked} matched against the log`,
  ];
  if (result.ok) {
    const unsigned = report.size - report.signedSize;
    if (report.size === 0) lines.push(pc.green('OK: the log is empty'));
    else if (report.signedSize === 0) {
      lines.push(pc.yellow('OK, but no signed checkpoint covers it: only the stored hashes protect it'));
    } else {
      lines.push(
        pc.green(`OK: the log verifies; signed checkpoints cover entries 0..${report.signedSize - 1}`),
      );
      if (unsigned > 0) {
        lines.push(
          `${unsigned} later entr${unsigned === 1 ? 'y is' : 'ies are'} protected by the stored hashes only ` +
            '(sign a checkpoint to cover them)',
        );
      }
    }
    return lines.join('\n');
  }
  lines.push(
    pc.red(
      report.firstBadIndex === null
        ? 'FAILED: the log does not verify'
        : `FAILED: the log does not verify; first bad index ${report.firstBadIndex}`,
    ),
  );
  for (const problem of report.problems) lines.push(`  ${describeProblem(problem, result)}`);
  if (report.problemsOmitted > 0) lines.push(`  … and ${report.problemsOmitted} more`);
  for (const problem of result.fileProblems) lines.push(`  [${problem.code}] ${problem.message}`);
  return lines.join('\n');
}

/** A problem, with the source of the checkpoint it is about (database or checkpoint file line). */
function describeProblem(problem: LogProblem, result: DataDirVerification): string {
  const position = checkpointOfProblem(problem);
  const positions = problem.code === 'checkpoints_inconsistent' ? problem.checkpoints : [];
  const sources = [position, ...positions]
    .filter((p): p is number => p !== null)
    .map((p) => result.checkpointSources[p] ?? `checkpoint #${p}`);
  const where = sources.length > 0 ? ` (${sources.join(' → ')})` : '';
  return `[${problem.code}]${where} ${problem.message}`;
}

function progressBar(enabled: boolean): {
  update: (done: number, total: number) => void;
  stop: () => void;
} {
  if (!enabled) return { update: () => undefined, stop: () => undefined };
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: 'verifying audit log {bar} {value}/{total} entries',
      hideCursor: true,
      fps: 8,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update(done, total) {
      if (!started) {
        bar.start(total, 0);
        started = true;
      }
      bar.update(done);
    },
    stop() {
      if (started) bar.stop();
    },
  };
}
