export { createServer } from './server.js';
export type { RetractServer, ServerParts } from './server.js';
export { loadConfig, ConfigError, ConfigSchema, storageBackendOf, busBackendOf } from './config.js';
export type { ServerConfig } from './config.js';
export type { Clock } from './core/clock.js';
export type { Storage } from './storage/storage.js';
export type { Bus } from './bus/bus.js';
export { validatePolicyDocument, formatPolicyError, presetNames } from './core/policy/index.js';
export type { PolicyDocument, PolicyError } from './core/policy/index.js';
export { verifyDataDir, checkpointOfProblem } from './audit/verify-data-dir.js';
export type { DataDirVerification, FileProblem, VerifyDataDirOptions } from './audit/verify-data-dir.js';
export {
  importPublicKey,
  keyIdOf,
  validateBundle,
  verifyBundle,
  verifyCommitment,
  contentCommitmentDetail,
} from './core/audit/index.js';
export type { EvidenceBundle, LogProblem } from './core/audit/index.js';
export { bundleFileBytes, checkBundleFile } from './audit/bundle-file.js';
export type { BundleFileCheck } from './audit/bundle-file.js';
export { openPostgresStorage } from './storage/postgres/postgres-storage.js';
export type { PostgresStorageOptions } from './storage/postgres/postgres-storage.js';
export { openPostgresKeyStore } from './keys/postgres/postgres-key-store.js';
export type { PostgresKeyStoreOptions } from './keys/postgres/postgres-key-store.js';
