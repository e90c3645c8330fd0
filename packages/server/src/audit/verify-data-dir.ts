import Database from 'better-sqlite3';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KeyObject } from 'node:crypto';
import {
  LogVerifier,
  MerkleAccumulator,
  importPublicKey,
  keyIdOf,
  type LogProblem,
  type LogReport,
  type SignedCheckpoint,
} from '../core/audit/index.js';
import { readCheckpointFile } from './checkpoint-file.js';
import { defaultAuditPaths } from './paths.js';

/**
 * Offline verification of a data directory (or a copy of one): no server, nothing written. The audit
 * rows are streamed from `retract.db`, opened read-only, through the core's `LogVerifier`; every
 * checkpoint in the database and in the checkpoint file is checked against the public key and against
 * the log. This is what `retract audit verify` runs.
 *
 * The public key should come from somewhere the attacker could not write (`publicKey`): whoever can
 * rewrite the data directory can also replace `signing.pub`. The report names the key id it used so it
 * can be compared with the one published at `GET /v1/audit/checkpoint`.
 */
export interface VerifyDataDirOptions {
  readonly dataDir: string;
  /** The key, as base64 of its 32 raw bytes or as a KeyObject; default: the data directory's `signing.pub`. */
  readonly publicKey?: string | KeyObject;
  /** Default: the data directory's `audit/checkpoints.jsonl` (a copy shipped elsewhere is better). */
  readonly checkpointFile?: string;
  /** Called every few thousand rows and at the end. */
  readonly onProgress?: (done: number, total: number) => void;
}

/** A finding the log verifier does not make: about files and copies rather than the rows. */
export interface FileProblem {
  readonly code: 'checkpoint_line_unreadable' | 'checkpoint_not_in_database' | 'state_mismatch';
  readonly message: string;
}

export interface DataDirVerification {
  readonly ok: boolean;
  readonly report: LogReport;
  /** For each checkpoint position in `report.problems`: where that checkpoint came from. */
  readonly checkpointSources: readonly string[];
  readonly fileProblems: readonly FileProblem[];
  readonly keyId: string;
  readonly checkpoints: { readonly database: number; readonly file: number | null };
}

interface Row {
  idx: number;
  entry: string;
  leaf_hash: string;
  root_after: string;
}

const progressEvery = 4096;

export async function verifyDataDir(options: VerifyDataDirOptions): Promise<DataDirVerification> {
  const paths = defaultAuditPaths(options.dataDir);
  const dbPath = join(options.dataDir, 'retract.db');
  if (!existsSync(dbPath)) throw new Error(`no database at ${dbPath}`);
  const key = publicKeyOf(options.publicKey ?? paths.publicKeyPath);
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  try {
    const dbCheckpoints = db
      .prepare<[], SignedCheckpoint>(
        `SELECT tree_size AS treeSize, root_hash AS rootHash, issued_at AS issuedAt, key_id AS keyId, signature
         FROM audit_checkpoints ORDER BY tree_size, issued_at`,
      )
      .all();
    const checkpointFile = options.checkpointFile ?? paths.checkpointFile;
    const file = await readCheckpointFile(checkpointFile);
    const fileProblems: FileProblem[] = [];
    const fileName = checkpointFile.split(/[\\/]/).pop() ?? checkpointFile;
    for (const line of file?.unreadable ?? []) {
      fileProblems.push({
        code: 'checkpoint_line_unreadable',
        message: `${fileName} line ${line} is not a JSON checkpoint: the file was damaged or edited`,
      });
    }
    const fileCheckpoints = file?.checkpoints ?? [];
    const stored = new Set(dbCheckpoints.map(sameCheckpoint));
    for (const { line, checkpoint } of fileCheckpoints) {
      if (!stored.has(sameCheckpoint(checkpoint))) {
        fileProblems.push({
          code: 'checkpoint_not_in_database',
          message:
            `${fileName} line ${line} (size ${String(checkpoint.treeSize)}, issued ${String(checkpoint.issuedAt)}) ` +
            'is not among the database’s checkpoints: it was removed from (or never reached) this database',
        });
      }
    }

    const checkpoints = [...dbCheckpoints, ...fileCheckpoints.map((c) => c.checkpoint)];
    const checkpointSources = [
      ...dbCheckpoints.map((c) => `database checkpoint (size ${c.treeSize}, issued ${c.issuedAt})`),
      ...fileCheckpoints.map((c) => `${fileName} line ${c.line}`),
    ];
    const verifier = new LogVerifier(checkpoints, key);
    const total = (db.prepare('SELECT count(*) AS n FROM audit_log').get() as { n: number }).n;
    const utf8 = new TextEncoder();
    let done = 0;
    for (const row of db
      .prepare<[], Row>('SELECT idx, entry, leaf_hash, root_after FROM audit_log ORDER BY idx')
      .iterate()) {
      // The stored text's bytes are hashed as they are: a re-encoding could hide an edit.
      verifier.push({
        index: row.idx,
        entry: utf8.encode(row.entry),
        leafHash: row.leaf_hash,
        rootAfter: row.root_after,
      });
      done += 1;
      if (done % progressEvery === 0) options.onProgress?.(done, total);
    }
    options.onProgress?.(done, total);
    const report = verifier.finish();

    const state = db.prepare('SELECT size, nodes FROM audit_state WHERE id = 1').get() as
      { size: number; nodes: string } | undefined;
    const last = db.prepare('SELECT root_after FROM audit_log ORDER BY idx DESC LIMIT 1').get() as
      { root_after: string } | undefined;
    const stateProblem = checkState(state, report.size, last?.root_after ?? null);
    if (stateProblem !== null) fileProblems.push({ code: 'state_mismatch', message: stateProblem });

    return {
      ok: report.ok && fileProblems.length === 0,
      report,
      checkpointSources,
      fileProblems,
      keyId: keyIdOf(key),
      checkpoints: { database: dbCheckpoints.length, file: file === null ? null : fileCheckpoints.length },
    };
  } finally {
    db.close();
  }
}

/** Where a log problem's checkpoint came from, when it is about one. */
export function checkpointOfProblem(problem: LogProblem): number | null {
  return 'checkpoint' in problem ? problem.checkpoint : null;
}

function publicKeyOf(source: string | KeyObject): KeyObject {
  if (typeof source !== 'string') return source;
  const text = /^[A-Za-z0-9+/]{43}=$/.test(source.trim()) ? source.trim() : readKeyFile(source);
  return importPublicKey(text);
}

function readKeyFile(path: string): string {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch (error) {
    throw new Error(
      `cannot read the public key ${path}: ${(error as Error).message} (give it with --public-key)`,
      { cause: error },
    );
  }
}

const sameCheckpoint = (c: SignedCheckpoint) =>
  `${String(c.treeSize)}|${String(c.rootHash)}|${String(c.issuedAt)}|${String(c.keyId)}|${String(c.signature)}`;

/**
 * The writer's saved accumulator must fit the stored rows (their number, the last row's stored root):
 * otherwise the next append would fork the log. Row-level edits are the verifier's to report.
 */
function checkState(
  state: { size: number; nodes: string } | undefined,
  rows: number,
  lastRoot: string | null,
): string | null {
  if (state === undefined) {
    return rows === 0 ? null : `audit_state is missing although the log has ${rows} rows`;
  }
  let root: string;
  try {
    root = MerkleAccumulator.restore({ size: state.size, nodes: JSON.parse(state.nodes) as string[] }).root();
  } catch {
    return 'audit_state is malformed';
  }
  if (state.size !== rows || (lastRoot !== null && root !== lastRoot)) {
    return (
      `audit_state (size ${state.size}, root ${root}) does not fit the stored rows ` +
      `(${rows} rows, the last one's root ${lastRoot ?? 'none'}): rows or state were changed outside the server`
    );
  }
  return null;
}
