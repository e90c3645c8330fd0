import { mkdir, open, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { SignedCheckpoint } from '../core/audit/index.js';

/**
 * The checkpoint file: every signed checkpoint, appended as one JSON line as it is signed. It lives
 * outside the database so it can be shipped off the machine (tail it, rsync it, mail it): a copy kept
 * elsewhere is what makes a rewrite of the database's log — checkpoints included — detectable.
 */

/** Appends one checkpoint and syncs, so an acknowledged checkpoint is on disk. */
export async function appendCheckpointLine(path: string, checkpoint: SignedCheckpoint): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const { treeSize, rootHash, issuedAt, keyId, signature } = checkpoint;
  const file = await open(path, 'a', 0o644);
  try {
    await file.write(`${JSON.stringify({ treeSize, rootHash, issuedAt, keyId, signature })}\n`);
    await file.sync();
  } finally {
    await file.close();
  }
}

export interface CheckpointFileLine {
  /** 1-based line number in the file. */
  readonly line: number;
  readonly checkpoint: SignedCheckpoint;
}

/**
 * Reads a checkpoint file. Lines that are not a JSON object are listed in `unreadable` (a verifier
 * treats them as failures); the shape and signature of the others are for the verifier to judge.
 * A missing file is `null`.
 */
export async function readCheckpointFile(
  path: string,
): Promise<{ checkpoints: CheckpointFileLine[]; unreadable: number[] } | null> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  const checkpoints: CheckpointFileLine[] = [];
  const unreadable: number[] = [];
  text.split('\n').forEach((raw, i) => {
    if (raw.trim() === '') return;
    try {
      const value: unknown = JSON.parse(raw);
      if (typeof value !== 'object' || value === null || Array.isArray(value))
        throw new Error('not an object');
      checkpoints.push({ line: i + 1, checkpoint: value as SignedCheckpoint });
    } catch {
      unreadable.push(i + 1);
    }
  });
  return { checkpoints, unreadable };
}
