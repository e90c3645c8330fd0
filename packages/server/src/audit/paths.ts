import { join } from 'node:path';
import type { ServerConfig } from '../config.js';

/** Where the audit log's files live: the signing key, its public half, and the checkpoint file. */
export interface AuditPaths {
  /** Ed25519 private key, PKCS#8 PEM, mode 0600. */
  readonly keyPath: string;
  /** The public key beside it: base64 of the 32 raw bytes, one line — what verifiers are given. */
  readonly publicKeyPath: string;
  /** Every signed checkpoint, one JSON object per line, appended as it is signed. */
  readonly checkpointFile: string;
}

/** The default paths inside a data directory (what `retract audit verify --data-dir` looks for). */
export function defaultAuditPaths(dataDir: string): AuditPaths {
  const dir = join(dataDir, 'audit');
  return {
    keyPath: join(dir, 'signing.key'),
    publicKeyPath: join(dir, 'signing.pub'),
    checkpointFile: join(dir, 'checkpoints.jsonl'),
  };
}

/** The paths a server uses: configured ones, else the defaults under `dataDir/audit/`. */
export function auditPathsOf(config: ServerConfig): AuditPaths {
  const defaults = defaultAuditPaths(config.dataDir);
  const keyPath = config.audit.keyPath ?? defaults.keyPath;
  return {
    keyPath,
    publicKeyPath: publicKeyPathFor(keyPath),
    checkpointFile: config.audit.checkpointFile ?? defaults.checkpointFile,
  };
}

/** `signing.key` → `signing.pub`; any other name gets `.pub` appended. */
export function publicKeyPathFor(keyPath: string): string {
  return keyPath.endsWith('.key') ? `${keyPath.slice(0, -'.key'.length)}.pub` : `${keyPath}.pub`;
}
