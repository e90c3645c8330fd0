import { readFileSync } from 'node:fs';
import { loadConfig, type ServerConfig } from '@retract/server';
import type { Environment } from './env.js';

export interface ServeFlags {
  readonly config?: string | undefined;
  readonly host?: string | undefined;
  readonly port?: string | undefined;
  readonly data?: string | undefined;
  /** Storage URL (`--store`). */
  readonly store?: string | undefined;
  /** Bus URL (`--bus`). */
  readonly bus?: string | undefined;
  /** Attachment directory (`--blobs`). */
  readonly blobs?: string | undefined;
}

/**
 * Builds the server configuration: defaults < config file < environment < flags. The merge is shallow
 * per section; validation (unknown keys, ranges) happens once, in loadConfig.
 */
export function resolveServerConfig(
  flags: ServeFlags,
  env: Environment,
  defaults: { readonly webDir?: string | null } = {},
): ServerConfig {
  const path = flags.config ?? env.configPath;
  const file = path ? readConfigFile(path) : {};
  const overrides: Record<string, unknown> = {};
  const host = flags.host ?? env.host;
  const port = flags.port ?? env.port;
  const data = flags.data ?? env.dataDir;
  if (host !== undefined) overrides['host'] = host;
  if (port !== undefined) overrides['port'] = toInt(port, 'port');
  if (data !== undefined) overrides['dataDir'] = data;
  const merged: Record<string, unknown> = { ...file, ...overrides };
  if (env.logLevel !== undefined) merged['log'] = { ...section(file, 'log'), level: env.logLevel };
  // The cluster's parts: each overrides one key of its section, keeping the file's other keys.
  const store = nonEmpty(flags.store ?? env.store);
  const bus = nonEmpty(flags.bus ?? env.bus);
  const blobs = nonEmpty(flags.blobs ?? env.blobsDir);
  if (store !== undefined) merged['storage'] = { ...section(file, 'storage'), url: store };
  if (bus !== undefined) merged['bus'] = { ...section(file, 'bus'), url: bus };
  if (blobs !== undefined) merged['blobs'] = { ...section(file, 'blobs'), dir: blobs };
  // The web client's directory: the file's setting wins over the default the serve command found.
  if (defaults.webDir !== undefined && section(file, 'web')['dir'] === undefined) {
    merged['web'] = { ...section(file, 'web'), dir: defaults.webDir };
  }
  if (env.recallWindowSeconds !== undefined) {
    // A shorthand for the sender's window in both kinds of conversation, over the file's default policy.
    const raw = env.recallWindowSeconds;
    const seconds =
      raw === 'null' || raw === 'unlimited' ? null : toInt(raw, 'RETRACT_RECALL_WINDOW_SECONDS');
    const policy = section(file, 'policy');
    const base = section(policy, 'default');
    merged['policy'] = {
      ...policy,
      default: { ...base, windows: { ...section(base, 'windows'), direct: seconds, group: seconds } },
    };
  }
  return loadConfig(merged);
}

function readConfigFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new Error(`cannot read config file ${path}: ${(error as Error).message}`, { cause: error });
  }
  const value: unknown = JSON.parse(text);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new Error(`config file ${path} must hold a JSON object`);
  }
  return value as Record<string, unknown>;
}

function section(file: Record<string, unknown>, key: string): Record<string, unknown> {
  const value = file[key];
  return value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : {};
}

/** An empty value (e.g. `RETRACT_BUS=` in a unit file) counts as not given. */
function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}

function toInt(raw: string, name: string): number {
  if (!/^-?[0-9]+$/.test(raw)) throw new Error(`${name} must be an integer, got '${raw}'`);
  return Number(raw);
}
