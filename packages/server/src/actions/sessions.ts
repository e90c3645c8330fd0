import type { api, User } from '@retract/protocol';
import { decoyHash, hashPassword, verifyPassword } from '../auth/passwords.js';
import { hashToken, newToken } from '../auth/tokens.js';
import { AppError } from '../errors.js';
import { newId } from '../ids.js';
import type { DeviceRecord, UserRecord } from '../storage/records.js';
import type { ActionContext, Actor } from './context.js';

export async function registerUser(
  ctx: ActionContext,
  input: { username: string; password: string },
): Promise<User> {
  const passwordHash = await hashPassword(input.password, ctx.config.auth.passwordHashCost);
  const user: UserRecord = {
    id: newId('u'),
    username: input.username,
    passwordHash,
    createdAt: ctx.clock.now(),
  };
  const inserted = await ctx.storage.transaction((tx) => tx.insertUser(user));
  if (!inserted) throw new AppError('username_taken', { username: input.username });
  return { id: user.id, username: user.username };
}

let decoy: Promise<string> | undefined;

/** Each login is a new device with its own cursor and token. */
export async function login(
  ctx: ActionContext,
  input: { username: string; password: string; deviceName?: string | undefined },
): Promise<api.LoginResponse> {
  const user = await ctx.storage.read((tx) => tx.findUserByUsername(input.username));
  if (!user) {
    decoy ??= decoyHash(ctx.config.auth.passwordHashCost);
    await verifyPassword(input.password, await decoy);
    throw new AppError('invalid_credentials');
  }
  if (!(await verifyPassword(input.password, user.passwordHash))) throw new AppError('invalid_credentials');
  const token = newToken();
  const device = {
    id: newId('d'),
    userId: user.id,
    name: input.deviceName ?? 'device',
    tokenHash: hashToken(token),
    createdAt: ctx.clock.now(),
  };
  await ctx.storage.transaction(async (tx) => {
    // Under the account's lock (actions/accounts.ts): no session is born beside a disable or a password
    // change that is committing, and a disabled account has none at all — so tokens need no such check.
    const account = await tx.lockAccount(user.id);
    if (account?.disabledAt != null) throw new AppError('account_disabled');
    if (account?.passwordHash !== user.passwordHash) throw new AppError('invalid_credentials');
    await tx.insertDevice(device);
  });
  return {
    token,
    user: { id: user.id, username: user.username },
    device: { id: device.id, name: device.name, createdAt: new Date(device.createdAt).toISOString() },
  };
}

export interface Session {
  readonly user: UserRecord;
  readonly device: DeviceRecord;
}

/** The session behind a bearer token, or null. */
export async function authenticate(ctx: ActionContext, token: string): Promise<Session | null> {
  const tokenHash = hashToken(token);
  return ctx.storage.read(async (tx) => {
    const device = await tx.findDeviceByTokenHash(tokenHash);
    if (!device) return null;
    const user = await tx.findUserById(device.userId);
    return user ? { user, device } : null;
  });
}

/** Ends the session: the token stops working at once and the device's sockets are closed. */
export async function logout(ctx: ActionContext, actor: Actor): Promise<void> {
  await ctx.storage.transaction((tx) => tx.deleteDevice(actor.deviceId));
  try {
    await ctx.bus.publish({ kind: 'device.revoked', userId: actor.userId, deviceId: actor.deviceId });
  } catch (error) {
    // The token is already dead; sockets still open will fail their next authenticated step.
    ctx.log.warn({ err: error }, 'bus publish of device revocation failed');
  }
}
