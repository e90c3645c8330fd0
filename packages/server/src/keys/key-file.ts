import { randomBytes } from 'node:crypto';
import { link, mkdir, open, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { KEY_BYTES } from './sealing.js';

/**
 * A 32-byte secret in a file of its own: the master key that wraps every data key (`master.key`), or
 * the compliance key that seals held content. Its bytes never appear in an error, a log line or a
 * return value other than the key itself.
 *
 * Such a file is refused, not repaired, when it is reachable by anyone but its owner (any group or
 * other permission bit): whoever can read it can unwrap every data key in a copy of the key store —
 * including copies in backups and file-system blocks the store has long freed — which would turn
 * "destroyed" back into "readable"; whoever can write it can swap the key and make all content
 * unreadable. Fixing the mode silently would hide that the key may already have leaked. The same rule
 * as ssh's for private keys. (Windows has no POSIX modes; the check is skipped there.)
 */
export class KeyFileError extends Error {
  constructor(
    readonly path: string,
    readonly reason: 'missing' | 'insecure_mode' | 'not_a_file' | 'wrong_length',
    message: string,
  ) {
    super(message);
    this.name = 'KeyFileError';
  }
}

export function isKeyFileError(error: unknown): error is KeyFileError {
  return error instanceof KeyFileError;
}

/**
 * Reads an existing key file, checking that it is a regular file, private to its owner, and exactly
 * 32 bytes. `what` names the key in errors ("master key").
 * @throws {KeyFileError} when it is missing, insecure, or not a key.
 */
export async function readKeyFile(path: string, what: string): Promise<Buffer> {
  let file;
  try {
    file = await open(path, 'r');
  } catch (error) {
    if (isCode(error, 'ENOENT'))
      throw new KeyFileError(path, 'missing', `${what} file ${path} does not exist`);
    throw error;
  }
  try {
    // Checked on the open handle, so the file read is the file checked.
    const info = await file.stat();
    if (!info.isFile())
      throw new KeyFileError(path, 'not_a_file', `${what} file ${path} is not a regular file`);
    const mode = info.mode & 0o777;
    if (process.platform !== 'win32' && (mode & 0o077) !== 0) {
      throw new KeyFileError(
        path,
        'insecure_mode',
        `${what} file ${path} has mode ${mode.toString(8).padStart(4, '0')}; it must be readable by its ` +
          `owner only (run: chmod 600 ${path}). Refusing to start: anyone else who can read it can ` +
          `decrypt the stored keys, and the key may already have leaked.`,
      );
    }
    if (info.size !== KEY_BYTES) {
      throw new KeyFileError(
        path,
        'wrong_length',
        `${what} file ${path} holds ${info.size} bytes, not ${KEY_BYTES}; refusing to start`,
      );
    }
    const key = Buffer.alloc(KEY_BYTES);
    const { bytesRead } = await file.read(key, 0, KEY_BYTES, 0);
    if (bytesRead !== KEY_BYTES) {
      throw new KeyFileError(path, 'wrong_length', `${what} file ${path} could not be read whole`);
    }
    return key;
  } finally {
    await file.close();
  }
}

/**
 * Reads the key file, or creates it with 32 fresh random bytes, mode 0600, when there is none.
 * Creation is atomic: the bytes are written and synced to a temporary file that is then hard-linked
 * to `path`, which fails if `path` exists — so two processes starting at once agree on one key, and a
 * crash never leaves a short key file behind.
 * @throws {KeyFileError} as {@link readKeyFile}.
 */
export async function loadOrCreateKeyFile(
  path: string,
  what: string,
): Promise<{ key: Buffer; created: boolean }> {
  try {
    return { key: await readKeyFile(path, what), created: false };
  } catch (error) {
    if (!(isKeyFileError(error) && error.reason === 'missing')) throw error;
  }
  const dir = dirname(path);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const temp = `${path}.tmp-${randomBytes(8).toString('hex')}`;
  let created = false;
  try {
    const file = await open(temp, 'wx', 0o600);
    try {
      const fresh = randomBytes(KEY_BYTES);
      await file.write(fresh, 0, KEY_BYTES, 0);
      fresh.fill(0);
      await file.sync();
    } finally {
      await file.close();
    }
    try {
      await link(temp, path);
      created = true;
    } catch (error) {
      // Another process created it first; theirs is the key.
      if (!isCode(error, 'EEXIST')) throw error;
    }
  } finally {
    await unlink(temp).catch(() => undefined);
  }
  await fsyncDir(dir);
  return { key: await readKeyFile(path, what), created };
}

async function fsyncDir(dir: string): Promise<void> {
  // Windows cannot open a directory for fsync; NTFS journals its metadata instead.
  if (process.platform === 'win32') return;
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

function isCode(error: unknown, code: string): boolean {
  return (error as NodeJS.ErrnoException | null)?.code === code;
}
