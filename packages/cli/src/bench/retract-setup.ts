import type { Device } from './devices.js';
import type { HttpClient } from './http-client.js';
import { Peer } from './peer.js';
import { mapLimit } from './pool.js';
import type { Bar } from './progress.js';

/**
 * Populating a Retract server through its public API: users registered (`POST /v1/users`), logged in
 * once each (`POST /v1/sessions`, one device and token per user), groups created in one request each
 * (`POST /v1/conversations`), devices connected at `/v1/ws` with their bearer token.
 */
export interface Account {
  readonly username: string;
  readonly userId: string;
  readonly token: string;
}

const PASSWORD = 'bench-password-1';
const SETUP_CONCURRENCY = 8;
const CONNECT_CONCURRENCY = 64;

export async function createAccounts(
  http: HttpClient,
  prefix: string,
  count: number,
  bar: Bar,
): Promise<Account[]> {
  const names = Array.from({ length: count }, (_, i) => `${prefix}${String(i).padStart(5, '0')}`);
  return mapLimit(names, SETUP_CONCURRENCY, async (username) => {
    await http.postOk('/v1/users', { username, password: PASSWORD });
    const session = await http.postOk<{ token: string; user: { id: string } }>('/v1/sessions', {
      username,
      password: PASSWORD,
      deviceName: 'bench',
    });
    bar.increment();
    return { username, userId: session.user.id, token: session.token };
  });
}

/** A group owned by `owner` with every account in `others` as a member; returns its id. */
export async function createGroup(
  http: HttpClient,
  owner: Account,
  title: string,
  others: readonly Account[],
): Promise<string> {
  const created = await http.postOk<{ conversation: { id: string } }>(
    '/v1/conversations',
    { kind: 'group', title, members: others.map((a) => a.username) },
    owner.token,
  );
  return created.conversation.id;
}

/** Connects one device per account; each resolves once the server said `synced`. */
export async function connectAccounts(
  wsUrl: string,
  accounts: readonly Account[],
  timeoutMs: number,
  bar: Bar,
): Promise<Device[]> {
  const devices: Device[] = [];
  try {
    await mapLimit(accounts, CONNECT_CONCURRENCY, async (account) => {
      const peer = await Peer.connect(wsUrl, account.token, timeoutMs, { reconnect: true });
      devices.push({ peer, userId: account.userId, token: account.token });
      bar.increment();
    });
  } catch (error) {
    for (const device of devices) device.peer.close();
    throw error;
  }
  const byUser = new Map(devices.map((d) => [d.userId, d]));
  return accounts.map((a) => byUser.get(a.userId)!);
}

/** Groups of `size` consecutive accounts, the first of each the owner who creates it. */
export async function createGroups(
  http: HttpClient,
  accounts: readonly Account[],
  size: number,
  bar: Bar,
): Promise<{ conversationId: string; members: Account[] }[]> {
  const chunks: Account[][] = [];
  for (let i = 0; i + size <= accounts.length; i += size) chunks.push(accounts.slice(i, i + size));
  return mapLimit(chunks, SETUP_CONCURRENCY, async (members, i) => {
    const conversationId = await createGroup(http, members[0]!, `bench group ${i + 1}`, members.slice(1));
    bar.increment();
    return { conversationId, members };
  });
}
