import { chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Environment } from '../env.js';

/** What `retract login` remembers so later commands can act as that device. */
export interface Credentials {
  readonly server: string;
  readonly token: string;
  readonly username: string;
  readonly userId: string;
  readonly deviceId: string;
}

export function credentialsPath(env: Environment): string {
  if (env.credentialsPath) return env.credentialsPath;
  if (!env.home) throw new Error('cannot find a home directory; set RETRACT_CREDENTIALS to a file path');
  return join(env.home, '.config', 'retract', 'credentials.json');
}

export function readCredentials(env: Environment): Credentials | null {
  try {
    return JSON.parse(readFileSync(credentialsPath(env), 'utf8')) as Credentials;
  } catch {
    return null;
  }
}

/** Written with mode 0600: the token is as good as the password for this device. */
export function writeCredentials(env: Environment, credentials: Credentials): string {
  const path = credentialsPath(env);
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  writeFileSync(path, `${JSON.stringify(credentials, null, 2)}\n`, { mode: 0o600 });
  chmodSync(path, 0o600);
  return path;
}

export function removeCredentials(env: Environment): void {
  rmSync(credentialsPath(env), { force: true });
}
