export {
  BLOB_ID_PATTERN,
  BlobTooLargeError,
  InvalidBlobIdError,
  isBlobTooLargeError,
  isInvalidBlobIdError,
  isValidBlobId,
} from './blob-store.js';
export type { BlobLimits, BlobSource, BlobStore, OpenedBlob, StoredBlob } from './blob-store.js';
export { openFsBlobStore } from './fs/fs-blob-store.js';
export type { FsBlobStoreOptions } from './fs/fs-blob-store.js';
export { checkDeclared, OCTET_STREAM, SNIFF_BYTES, SNIFF_TABLE, sniffType } from './sniff.js';
export type { BlobKind, DeclaredCheck, SniffedType, SniffRule } from './sniff.js';
