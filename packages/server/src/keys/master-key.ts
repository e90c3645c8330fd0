import { loadOrCreateKeyFile, readKeyFile } from './key-file.js';
import { aad, isSealError, open, seal } from './sealing.js';

/** Plaintext a key store seals under its master key at creation, to recognise that key later. */
const KEK_CHECK = 'retract key store';

/** Where a key store keeps the check value sealed under its master key (its own `meta` table). */
export interface KekCheckSlot {
  /** The stored check value, or null for a store that has none yet (a new store). */
  read(): Promise<Buffer | null>;
  /** Stores the value unless one is already stored (then leaves that one as it is). */
  write(value: Buffer): Promise<void>;
}

/**
 * The master key, checked against the store. A store that already has a check value needs the key it
 * was made with: a missing file is an error, never a reason to make a new key. A new store gets a check
 * value sealed under the key file's key (created when there is none). When several processes set up one
 * shared store at once, one check value wins, and each process then verifies its key against that one —
 * so a process whose key file differs is refused rather than left wrapping keys nobody else can unwrap.
 */
export async function loadMasterKey(masterKeyPath: string, slot: KekCheckSlot): Promise<Buffer> {
  let check = await slot.read();
  let key: Buffer;
  if (check === null) {
    key = (await loadOrCreateKeyFile(masterKeyPath, 'master key')).key;
    await slot.write(seal(key, KEK_CHECK, aad.keyCheck()));
    check = await slot.read();
    if (check === null) throw new Error('the key store did not keep its master key check value');
  } else {
    key = await readKeyFile(masterKeyPath, 'master key');
  }
  try {
    if (open(key, check, aad.keyCheck()).toString('utf8') === KEK_CHECK) return key;
  } catch (error) {
    if (!isSealError(error)) throw error;
  }
  key.fill(0);
  throw new Error(
    `master key file ${masterKeyPath} is not the key this key store was created with; refusing to start ` +
      '(restore the original master key file)',
  );
}
