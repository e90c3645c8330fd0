import { createECDH } from 'node:crypto';
import { join } from 'node:path';
import type { ServerConfig } from '../config.js';
import { loadOrCreateKeyFile } from '../keys/key-file.js';

/**
 * The server's VAPID key pair (RFC 8292), which signs every Web Push request so a push service can
 * tell that the subscriptions it holds for this server are used by this server alone. The private key
 * is 32 random bytes — a P-256 scalar — in a key file of its own (mode 0600, created at first start,
 * refused when others may read it: keys/key-file.ts); the public key is derived from it. With several
 * nodes every node must hold the same file, as with the other key files: subscriptions are bound to it.
 */
export interface VapidKeys {
  /** Uncompressed P-256 point, base64url: what browsers pass to `pushManager.subscribe`. */
  readonly publicKey: string;
  /** base64url of the 32-byte scalar, as web-push wants it. */
  readonly privateKey: string;
  readonly subject: string;
}

export const vapidKeyPathOf = (config: ServerConfig): string =>
  config.push.vapid.keyPath ?? join(config.dataDir, 'push', 'vapid.key');

const loaded = new Map<string, Promise<VapidKeys>>();

/** The key pair, created when missing; read once per path and process (routes and worker share it). */
export function loadVapidKeys(config: ServerConfig): Promise<VapidKeys> {
  const path = vapidKeyPathOf(config);
  const key = `${path}\n${config.push.vapid.subject}`;
  let keys = loaded.get(key);
  if (!keys) {
    keys = readKeys(path, config.push.vapid.subject);
    // A failed read (bad mode) must fail again next time, not stay cached as the answer.
    keys.catch(() => loaded.delete(key));
    loaded.set(key, keys);
  }
  return keys;
}

async function readKeys(path: string, subject: string): Promise<VapidKeys> {
  const { key } = await loadOrCreateKeyFile(path, 'VAPID key');
  const ecdh = createECDH('prime256v1');
  // Throws for the ~2^-32 chance of 32 random bytes outside the curve's order: delete the file and restart.
  ecdh.setPrivateKey(key);
  return {
    publicKey: ecdh.getPublicKey().toString('base64url'),
    privateKey: key.toString('base64url'),
    subject,
  };
}
