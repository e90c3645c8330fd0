/**
 * The tamper-evident audit log's pure core: entries and their canonical encoding, the RFC 6962 Merkle
 * tree and its proofs, signed checkpoints, whole-log verification, evidence bundles and content
 * commitments. No I/O, no clock: times and keys are inputs. Hashes are lowercase hex strings (`HexHash`)
 * at this boundary; entry encodings are `Uint8Array`s; public keys travel as base64 of 32 raw bytes.
 */
export { auditKinds, encodeEntry, entryLeafHash, isAuditKind } from './entry.js';
export type { AuditActor, AuditDetailValue, AuditEntry, AuditKind, AuditTarget } from './entry.js';
export { CanonicalizationError, canonicalBytes, canonicalJson } from './canonical.js';
export { isHexHash } from './digest.js';
export type { HexHash } from './digest.js';
export { emptyRoot, leafHash, nodeHash, rootOf } from './merkle.js';
export type { LeafRange } from './merkle.js';
export { MerkleAccumulator, compactRanges } from './accumulator.js';
export type { AccumulatorState } from './accumulator.js';
export {
  consistencyPath,
  consistencyProof,
  inclusionPath,
  inclusionProof,
  inclusionProofs,
  verifyConsistency,
  verifyInclusion,
} from './proofs.js';
export { exportPublicKey, importPublicKey, keyIdOf, publicKeyLength } from './keys.js';
export {
  checkpointDomain,
  checkpointSigningPayload,
  signCheckpoint,
  verifyCheckpoint,
} from './checkpoint.js';
export type { Checkpoint, SignedCheckpoint, UnsignedCheckpoint } from './checkpoint.js';
export { LogVerifier, verifyLog } from './verify-log.js';
export type {
  LogProblem,
  LogProblemCode,
  LogReport,
  StoredAuditRow,
  VerifyLogOptions,
} from './verify-log.js';
export {
  commitContent,
  commitmentAlgorithm,
  commitmentDomain,
  commitmentSaltLength,
  contentCommitmentDetail,
  verifyCommitment,
} from './commitment.js';
export { buildBundle, bundleFormat, verifyBundle } from './bundle.js';
export type {
  BundleParts,
  BundleVerification,
  ContentCommitment,
  EvidenceBundle,
  EvidenceEntry,
  VerifyBundleOptions,
} from './bundle.js';
export {
  AuditEntrySchema,
  EvidenceBundleSchema,
  SignedCheckpointSchema,
  validateBundle,
} from './bundle-schema.js';
export type { BundleValidation } from './bundle-schema.js';
