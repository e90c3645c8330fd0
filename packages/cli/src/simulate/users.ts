import WebSocket from 'ws';
import { createClient, type RetractClient } from '@retract/sdk';
import { mapLimit, waitUntil } from '../bench/pool.js';
import type { Bar } from '../bench/progress.js';

/**
 * The simulated people: one SDK client each (HTTP API + WebSocket connection state machine), logged in
 * as one device, its socket live for the whole day — as a real app would be.
 */
export interface SimUser {
  readonly username: string;
  readonly userId: string;
  readonly client: RetractClient;
}

const SETUP_CONCURRENCY = 8;

export function newClient(baseUrl: string, token: string | null = null): RetractClient {
  // Retries would resend after a timeout and blur what the simulator put in; one request, one result.
  return createClient({ baseUrl, token, WebSocket: WebSocket as never, retries: 0 });
}

/** Registers and logs in each name; returns the users in the same order. */
export async function createUsers(
  baseUrl: string,
  names: readonly string[],
  password: string,
  bar: Bar,
): Promise<SimUser[]> {
  return mapLimit(names, SETUP_CONCURRENCY, async (username) => {
    const client = newClient(baseUrl);
    await client.register(username, password);
    const session = await client.login(username, password, 'retract-simulate');
    bar.increment();
    return { username, userId: session.user.id, client };
  });
}

/** Connects every user's socket and waits until each is live (synced), or throws after `timeoutMs`. */
export async function connectUsers(users: readonly SimUser[], timeoutMs: number, bar: Bar): Promise<void> {
  await mapLimit(users, 32, async (user) => {
    user.client.connect();
    if (!(await waitUntil(() => user.client.state === 'live', timeoutMs, 5))) {
      throw new Error(`${user.username}: the WebSocket did not become live within ${timeoutMs} ms`);
    }
    bar.increment();
  });
}

/** Closes every socket (no logout: the data dir, or the remote server, keeps the accounts). */
export function closeUsers(users: readonly SimUser[]): void {
  for (const user of users) user.client.disconnect();
}
