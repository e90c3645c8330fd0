import type { User } from '@retract/protocol';
import { hashPassword, verifyPassword } from '../auth/passwords.js';
import { AppError } from '../errors.js';
import type { ActionContext, Actor } from './context.js';
import { requireServerAdmin } from './policy.js';

/**
 * Changes the caller's password and ends every other session of theirs: a password change is what
 * someone does who fears their account is in other hands, so those hands lose it at once — tokens
 * deleted, sockets closed on every node. The caller's own session stays.
 */
export async function changePassword(
  ctx: ActionContext,
  actor: Actor,
  input: { currentPassword: string; newPassword: string },
): Promise<{ revokedSessions: number }> {
  const user = await ctx.storage.read((tx) => tx.findUserById(actor.userId));
  if (!user) throw new AppError('unauthenticated');
  if (!(await verifyPassword(input.currentPassword, user.passwordHash))) {
    throw new AppError('invalid_credentials');
  }
  const passwordHash = await hashPassword(input.newPassword, ctx.config.auth.passwordHashCost);
  const revoked = await ctx.storage.transaction(async (tx) => {
    const account = await tx.lockAccount(actor.userId);
    // Someone else changed it while we hashed: the password we checked is no longer the password.
    if (!account || account.passwordHash !== user.passwordHash) throw new AppError('invalid_credentials');
    await tx.setPasswordHash(actor.userId, passwordHash);
    return tx.deleteDevicesOf(actor.userId, actor.deviceId);
  });
  await publishRevoked(ctx, actor.userId, revoked);
  return { revokedSessions: revoked.length };
}

/**
 * Server admins only. A disabled account cannot log in, and every session it had ends at once; enabling
 * it lets it log in again (its old sessions stay ended).
 */
export async function setAccountDisabled(
  ctx: ActionContext,
  actor: Actor,
  username: string,
  disabled: boolean,
): Promise<{ user: User; disabled: boolean; revokedSessions: number }> {
  requireServerAdmin(actor);
  const user = await ctx.storage.read((tx) => tx.findUserByUsername(username));
  if (!user) throw new AppError('user_not_found', { username });
  // Locking yourself out is never what an admin meant; another admin can do it if it is.
  if (disabled && user.id === actor.userId) {
    throw new AppError('not_permitted', { reason: 'a server admin cannot disable their own account' });
  }
  const revoked = await ctx.storage.transaction(async (tx) => {
    const account = await tx.lockAccount(user.id);
    if (!account) throw new AppError('user_not_found', { username });
    if (!disabled) {
      await tx.setDisabledAt(user.id, null);
      return [];
    }
    if (account.disabledAt === null) await tx.setDisabledAt(user.id, ctx.clock.now());
    return tx.deleteDevicesOf(user.id, null);
  });
  await publishRevoked(ctx, user.id, revoked);
  return { user: { id: user.id, username: user.username }, disabled, revokedSessions: revoked.length };
}

/** After commit: every node closes those devices' sockets (its own included, through the bus). */
async function publishRevoked(ctx: ActionContext, userId: string, deviceIds: string[]): Promise<void> {
  if (deviceIds.length === 0) return;
  try {
    await ctx.bus.publish({ kind: 'devices.revoked', userId, deviceIds });
  } catch (error) {
    // The tokens are already dead; a node that missed this finds out when its bus resyncs.
    ctx.log.warn({ err: error }, 'bus publish of session revocations failed');
  }
}
