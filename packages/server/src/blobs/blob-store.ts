import type { Readable } from 'node:stream';

/**
 * The blob port: where attachment bytes live, apart from the database. The core and the actions speak
 * only this; each backend lives in its own folder (`fs/`, later perhaps an object store) and keeps its
 * driver types to itself.
 *
 * Guarantees every implementation gives (the contract suite in test/blobs proves them):
 * - `put` streams: it never holds a whole upload in memory, and it stops reading the source as soon as
 *   the upload passes `limits.maxBytes`, leaving nothing behind.
 * - `put` is atomic: until it resolves, `open` and `exists` do not see the blob (or still see the one it
 *   replaces); a crash mid-upload leaves no blob under the id.
 * - Ids are checked against {@link BLOB_ID_PATTERN} by every method before anything else, so no id can
 *   name a location outside the store.
 * - After `delete` resolves, `open` and `exists` no longer see the blob. A stream opened before the delete
 *   may still read to its end (the bytes of an open file outlive its name); callers that must cut a
 *   download short on recall destroy the stream themselves.
 */
export interface BlobStore {
  /**
   * Stores `data` under `id`, replacing any blob already there (ids are made by the server; a retried
   * upload rewrites the same bytes). Resolves once the bytes are durable.
   * @throws {BlobTooLargeError} when the data passes `limits.maxBytes`; nothing is stored.
   * @throws {InvalidBlobIdError} when `id` does not match {@link BLOB_ID_PATTERN}.
   */
  put(id: string, data: BlobSource, limits: BlobLimits): Promise<StoredBlob>;
  /**
   * The blob's size and a stream of its bytes, or null when there is none. The caller must consume or
   * destroy the stream: it holds an open file until then.
   */
  open(id: string): Promise<OpenedBlob | null>;
  /** Removes the blob for good (see the implementation for what "for good" means on its medium); false when there was none. */
  delete(id: string): Promise<boolean>;
  exists(id: string): Promise<boolean>;
  /** Waits for puts in flight to settle; every later call rejects. */
  close(): Promise<void>;
}

/** Bytes to store: one buffer, or chunks as they arrive (a Node Readable of Buffers is one). */
export type BlobSource = AsyncIterable<Uint8Array> | Uint8Array;

export interface BlobLimits {
  /** The most bytes the blob may have; a non-negative safe integer. */
  readonly maxBytes: number;
}

export interface StoredBlob {
  readonly size: number;
  /** Lower-case hex SHA-256 of the bytes stored. */
  readonly sha256: string;
}

export interface OpenedBlob {
  readonly size: number;
  /** The bytes, as a Node Readable (also an `AsyncIterable` of Buffers); HTTP layers can send it as is. */
  readonly stream: Readable;
}

/** 8 to 64 characters of base64url's alphabet: no dot, no slash, so never a path of its own. */
export const BLOB_ID_PATTERN = /^[A-Za-z0-9_-]{8,64}$/;

export function isValidBlobId(id: unknown): id is string {
  return typeof id === 'string' && BLOB_ID_PATTERN.test(id);
}

/** Throws {@link InvalidBlobIdError} unless `id` matches {@link BLOB_ID_PATTERN}. */
export function assertBlobId(id: unknown): asserts id is string {
  if (!isValidBlobId(id)) throw new InvalidBlobIdError(id);
}

/** Throws a RangeError unless `limits.maxBytes` is a non-negative safe integer. */
export function assertBlobLimits(limits: BlobLimits): void {
  const max = limits?.maxBytes;
  if (!Number.isSafeInteger(max) || max < 0) {
    throw new RangeError(`maxBytes must be a non-negative safe integer, got ${String(max)}`);
  }
}

/** The upload passed its limit; the store kept nothing of it. */
export class BlobTooLargeError extends Error {
  constructor(readonly maxBytes: number) {
    super(`blob exceeds the limit of ${maxBytes} bytes`);
    this.name = 'BlobTooLargeError';
  }
}

/** The id is not one a blob store accepts (see {@link BLOB_ID_PATTERN}). */
export class InvalidBlobIdError extends Error {
  constructor(readonly id: unknown) {
    // The id itself is not echoed: it is untrusted input and may be long or hold control characters.
    super('invalid blob id');
    this.name = 'InvalidBlobIdError';
  }
}

export function isBlobTooLargeError(error: unknown): error is BlobTooLargeError {
  return error instanceof BlobTooLargeError;
}

export function isInvalidBlobIdError(error: unknown): error is InvalidBlobIdError {
  return error instanceof InvalidBlobIdError;
}
