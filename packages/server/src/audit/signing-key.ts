import { createPrivateKey, generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { chmod, link, mkdir, open, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { exportPublicKey, keyIdOf } from '../core/audit/index.js';

/**
 * The audit log's Ed25519 signing key: a PKCS#8 PEM file, created at first start with mode 0600 in a
 * directory created 0700, and its public half written beside it (base64 of the 32 raw bytes) for
 * anyone who verifies checkpoints and evidence bundles.
 *
 * A key file that group or others may read or write is refused, not repaired: whoever can read it can
 * sign checkpoints for a rewritten log, which is exactly what checkpoints exist to rule out; fixing the
 * mode quietly would hide that the key may already be compromised. (Windows has no POSIX modes.)
 */
export class SigningKeyError extends Error {
  constructor(
    readonly path: string,
    readonly reason: 'insecure_mode' | 'not_a_file' | 'not_ed25519',
    message: string,
  ) {
    super(message);
    this.name = 'SigningKeyError';
  }
}

export interface SigningKey {
  readonly privateKey: KeyObject;
  /** `exportPublicKey` form: base64 of the raw 32 bytes. */
  readonly publicKey: string;
  readonly keyId: string;
  /** True when this start generated it. */
  readonly created: boolean;
}

/**
 * Reads the signing key, or creates it when there is none; then (re)writes the public key file.
 * @throws {SigningKeyError} when the file is not private to its owner, not a file, or not an Ed25519 key.
 */
export async function loadOrCreateSigningKey(keyPath: string, publicKeyPath: string): Promise<SigningKey> {
  let pem = await readPrivateFile(keyPath);
  let created = false;
  if (pem === null) {
    created = await createKeyFile(keyPath);
    pem = await readPrivateFile(keyPath);
    if (pem === null) throw new Error(`the audit signing key ${keyPath} vanished right after it was created`);
  }
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey({ key: pem, format: 'pem' });
  } catch {
    throw new SigningKeyError(keyPath, 'not_ed25519', `${keyPath} is not a PEM private key`);
  }
  if (privateKey.asymmetricKeyType !== 'ed25519') {
    throw new SigningKeyError(
      keyPath,
      'not_ed25519',
      `${keyPath} holds a ${privateKey.asymmetricKeyType ?? 'non-asymmetric'} key; audit checkpoints are signed with Ed25519`,
    );
  }
  const publicKey = exportPublicKey(privateKey);
  await writePublicKey(publicKeyPath, publicKey);
  return { privateKey, publicKey, keyId: keyIdOf(privateKey), created };
}

/** The file's text, checked on the open handle; null when it does not exist. */
async function readPrivateFile(path: string): Promise<string | null> {
  let file;
  try {
    file = await open(path, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  try {
    const info = await file.stat();
    if (!info.isFile())
      throw new SigningKeyError(path, 'not_a_file', `audit signing key ${path} is not a regular file`);
    const mode = info.mode & 0o777;
    if (process.platform !== 'win32' && (mode & 0o077) !== 0) {
      throw new SigningKeyError(
        path,
        'insecure_mode',
        `audit signing key ${path} has mode ${mode.toString(8).padStart(4, '0')}; it must be readable by ` +
          `its owner only (run: chmod 600 ${path}). Refusing to start: anyone else who can read it can ` +
          'sign checkpoints for a rewritten audit log, and the key may already have leaked.',
      );
    }
    return await file.readFile('utf8');
  } finally {
    await file.close();
  }
}

/**
 * Generates a key into a temporary file (0600, synced) and hard-links it into place, which fails if the
 * path exists: two processes starting at once agree on one key, and a crash never leaves half a key.
 */
async function createKeyFile(path: string): Promise<boolean> {
  const dir = dirname(path);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const pem = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' });
  const temp = `${path}.tmp-${randomBytes(8).toString('hex')}`;
  try {
    const file = await open(temp, 'wx', 0o600);
    try {
      await file.writeFile(pem);
      await file.sync();
    } finally {
      await file.close();
    }
    try {
      await link(temp, path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw error;
    }
  } finally {
    await unlink(temp).catch(() => undefined);
  }
  await syncDir(dir);
  return true;
}

/** Writes the public key file when it is missing or says something else (replaced atomically). */
async function writePublicKey(path: string, publicKey: string): Promise<void> {
  const line = `${publicKey}\n`;
  const existing = await readFile(path, 'utf8').catch(() => null);
  if (existing === line) return;
  const temp = `${path}.tmp-${randomBytes(8).toString('hex')}`;
  await writeFile(temp, line, { mode: 0o644 });
  await chmod(temp, 0o644);
  await rename(temp, path);
}

async function syncDir(dir: string): Promise<void> {
  if (process.platform === 'win32') return;
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
