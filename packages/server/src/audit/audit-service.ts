import type { KeyObject } from 'node:crypto';
import { MerkleAccumulator, signCheckpoint, type SignedCheckpoint } from '../core/audit/index.js';
import type { Clock } from '../core/clock.js';
import type { Storage } from '../storage/storage.js';
import { appendCheckpointLine } from './checkpoint-file.js';

/** The signing side of the audit log, as actions and routes use it. */
export interface AuditService {
  /** The signing key's public half: base64 of its 32 raw bytes. */
  readonly publicKey: string;
  /** `keyIdOf` the signing key: names it in every checkpoint. */
  readonly keyId: string;
  /** Signs a checkpoint of the log as it is now; stored in the database and appended to the file. */
  checkpoint(): Promise<SignedCheckpoint>;
  /**
   * `checkpoint()` when the log has grown past the latest checkpoint; otherwise null (the timer's case).
   * With `notWithinMs`, also null while the latest checkpoint — whichever node signed it — is younger
   * than that: several nodes sharing one database then sign about once per interval between them.
   */
  checkpointIfGrown(options?: { readonly notWithinMs?: number }): Promise<SignedCheckpoint | null>;
  /** Waits for a signing in progress (the server calls it before closing storage). */
  close(): Promise<void>;
}

export interface AuditServiceOptions {
  readonly storage: Storage;
  readonly clock: Clock;
  readonly privateKey: KeyObject;
  readonly publicKey: string;
  readonly keyId: string;
  readonly checkpointFile: string;
}

/**
 * Signs checkpoints: the tree size and root from the stored accumulator, the time from the server's
 * clock. The accumulator is checked against the last row before anything is signed — a signature is a
 * statement about the rows, and the server must not vouch for an accumulator they do not give. Signings
 * run one at a time so the file's lines follow the database's order.
 */
export function createAuditService(options: AuditServiceOptions): AuditService {
  const { storage, clock, privateKey, checkpointFile } = options;
  let queue: Promise<unknown> = Promise.resolve();

  function serialised<T>(fn: () => Promise<T>): Promise<T> {
    const run = queue.then(fn, fn);
    queue = run.catch(() => undefined);
    return run;
  }

  const sign = (onlyIfGrown: boolean, notWithinMs = 0) =>
    serialised(async () => {
      const signed = await storage.transaction(async (tx) => {
        const [state, size, latest] = await Promise.all([
          tx.auditState(),
          tx.auditSize(),
          tx.latestCheckpoint(),
        ]);
        const acc = state === null ? new MerkleAccumulator() : MerkleAccumulator.restore(state);
        const last = size === 0 ? undefined : (await tx.readAuditRows(size - 1, 1))[0];
        if (acc.size !== size || (last !== undefined && last.rootAfter !== acc.root())) {
          throw new Error(
            `the audit accumulator (size ${acc.size}) does not match the log's last row (size ${size}); ` +
              'not signing a checkpoint (run `retract audit verify`)',
          );
        }
        if (onlyIfGrown && acc.size <= (latest?.treeSize ?? 0)) return null;
        if (onlyIfGrown && latest && clock.now() - Date.parse(latest.issuedAt) < notWithinMs) return null;
        const checkpoint = signCheckpoint(
          { treeSize: acc.size, rootHash: acc.root(), issuedAt: new Date(clock.now()).toISOString() },
          privateKey,
        );
        // The same size at the same instant is the same statement (Ed25519 is deterministic): kept once.
        return { checkpoint, stored: await tx.insertCheckpoint(checkpoint) };
      });
      if (signed === null) return null;
      if (signed.stored) await appendCheckpointLine(checkpointFile, signed.checkpoint);
      return signed.checkpoint;
    });

  return {
    publicKey: options.publicKey,
    keyId: options.keyId,
    checkpoint: async () => (await sign(false)) as SignedCheckpoint,
    checkpointIfGrown: (options) => sign(true, options?.notWithinMs),
    close: () => serialised(async () => undefined),
  };
}
