/**
 * The key store port: per-item data keys, kept apart from the content they encrypt, and destroyed for
 * real. Each backend lives in its own folder (`sqlite/`) and keeps its driver types to itself.
 *
 * Crypto-shredding. Every message body and attachment is sealed (AES-256-GCM, see sealing.ts) under a
 * data key of its own, and only the ciphertext goes to the messages database and the blob store. The key
 * lives here. To erase content for good — recall, disappearing expiry, retention — destroy its key
 * FIRST, then erase the ciphertext: once the key is gone, every copy of the ciphertext is noise — in the
 * messages database, in its WAL, in file-system blocks freed long ago, on an SSD's remapped pages, in
 * last night's backup — so even if erasing the ciphertext fails, or its bytes linger somewhere no
 * overwrite reaches, the content is gone.
 *
 * That works only if the keys are not where the ciphertexts are. Hence a separate store (for SQLite, a
 * separate file): a backup or a stolen copy of the messages database alone opens nothing, and a restored
 * old backup of the messages cannot bring back what was recalled since, because the keys it needs have
 * been destroyed in the live key store. Back the key store up separately, if at all, and knowing that a
 * key-store backup revives every key destroyed after it was taken.
 *
 * Guarantees every implementation gives (the contract suite in test/keys proves them):
 * - `create` makes a fresh random 32-byte key and stores it durably before it resolves; an id is never
 *   given two live keys.
 * - `get` and `getMany` see exactly the keys created and not destroyed; each call returns new Buffers,
 *   so a caller may zero its copy after use without harming anyone else.
 * - `destroy` makes the keys unrecoverable from the store's own medium (not merely invisible) before it
 *   resolves, and evicts them from any cache. It is idempotent; a retry after a failure is always safe.
 * - Key ids are checked against {@link KEY_ID_PATTERN} by every method before anything else.
 */
export interface KeyStore {
  /**
   * Creates, stores and returns a new random data key for `keyId`.
   * @throws {KeyExistsError} when a live key has this id; the existing key is left as it was.
   */
  create(keyId: string): Promise<Buffer>;
  /** The key, or null when it was destroyed or never existed. */
  get(keyId: string): Promise<Buffer | null>;
  /** The live keys among these ids (absent ones are simply missing from the map). */
  getMany(keyIds: readonly string[]): Promise<Map<string, Buffer>>;
  /**
   * Destroys the keys: when this resolves they cannot be read back from the store, from its files, nor
   * from its caches. Ids that do not exist are ignored.
   *
   * If it rejects, some of the keys may already be gone from `get` but not yet from the medium: retry
   * until it resolves, and do not acknowledge the erasure before.
   */
  destroy(keyIds: readonly string[]): Promise<void>;
  /** How many live keys the store holds. */
  count(): Promise<number>;
  /** Throws when the store is not usable; for readiness checks. */
  ping(): Promise<void>;
  /** Every later call rejects. */
  close(): Promise<void>;
}

/**
 * 1 to 128 characters of letters, digits, `_`, `-` and `:`. Room for the server's ids (`m_…`, `a_…`)
 * and a namespace (`body:m_…`); nothing that could make an AAD or a log line ambiguous.
 */
export const KEY_ID_PATTERN = /^[A-Za-z0-9_:-]{1,128}$/;

export function isValidKeyId(id: unknown): id is string {
  return typeof id === 'string' && KEY_ID_PATTERN.test(id);
}

/** Throws {@link InvalidKeyIdError} unless `id` matches {@link KEY_ID_PATTERN}. */
export function assertKeyId(id: unknown): asserts id is string {
  if (!isValidKeyId(id)) throw new InvalidKeyIdError();
}

/** `create` was asked for an id that already has a live key. */
export class KeyExistsError extends Error {
  constructor(readonly keyId: string) {
    super(`a data key with id ${keyId} already exists`);
    this.name = 'KeyExistsError';
  }
}

/** The id is not one a key store accepts (see {@link KEY_ID_PATTERN}). */
export class InvalidKeyIdError extends Error {
  constructor() {
    // The id itself is not echoed: it may be untrusted, long, or hold control characters.
    super('invalid key id');
    this.name = 'InvalidKeyIdError';
  }
}

export function isKeyExistsError(error: unknown): error is KeyExistsError {
  return error instanceof KeyExistsError;
}

export function isInvalidKeyIdError(error: unknown): error is InvalidKeyIdError {
  return error instanceof InvalidKeyIdError;
}

/**
 * The id's data key: a new one, or the live one another writer already made under this id (a held
 * message delivered now, or a concurrent upload of one attachment). `created` says which.
 */
export async function createOrGetKey(
  keys: KeyStore,
  keyId: string,
): Promise<{ readonly key: Buffer; readonly created: boolean }> {
  try {
    return { key: await keys.create(keyId), created: true };
  } catch (error) {
    const existing = isKeyExistsError(error) ? await keys.get(keyId) : null;
    if (!existing) throw error;
    return { key: existing, created: false };
  }
}
