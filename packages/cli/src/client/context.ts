import WebSocket from 'ws';
import { createClient, type RetractClient } from '@retract/sdk';
import type { Environment } from '../env.js';
import { readCredentials, type Credentials } from './credentials.js';

export interface GlobalOptions {
  readonly server?: string;
  readonly json?: boolean;
}

const DEFAULT_SERVER = 'http://localhost:8080';

/** The server to talk to: --server, then RETRACT_SERVER, then the saved login, then localhost:8080. */
export function serverUrl(options: GlobalOptions, env: Environment): string {
  return (options.server ?? env.serverUrl ?? readCredentials(env)?.server ?? DEFAULT_SERVER).replace(
    /\/+$/,
    '',
  );
}

export function anonymousClient(options: GlobalOptions, env: Environment): RetractClient {
  return createClient({ baseUrl: serverUrl(options, env), WebSocket: WebSocket as never });
}

/** A client acting as the saved device (or RETRACT_TOKEN). */
export function signedInClient(
  options: GlobalOptions,
  env: Environment,
): { client: RetractClient; credentials: Credentials | null } {
  const credentials = readCredentials(env);
  const token = env.token ?? credentials?.token;
  if (!token) throw new Error('not logged in: run `retract login <username>` first (or set RETRACT_TOKEN)');
  const client = createClient({ baseUrl: serverUrl(options, env), token, WebSocket: WebSocket as never });
  return { client, credentials };
}
