import type { FastifyReply, FastifyRequest } from 'fastify';
import { authenticate, type Session } from '../actions/sessions.js';
import type { ActionContext, Actor } from '../actions/context.js';
import { AppError } from '../errors.js';
import { isServerAdmin } from '../actions/policy.js';

declare module 'fastify' {
  interface FastifyRequest {
    session: Session | null;
  }
}

/** `Authorization: Bearer <token>` → the token, or null when absent or malformed. */
export function bearerToken(header: string | undefined): string | null {
  if (!header) return null;
  const match = /^Bearer ([A-Za-z0-9_-]{10,200})$/.exec(header);
  return match?.[1] ?? null;
}

/**
 * An onRequest hook that requires a live session and leaves it on the request. It runs before the body
 * is parsed or validated: without a session, nothing about the request is looked at.
 */
export function requireSession(ctx: ActionContext) {
  return async (request: FastifyRequest, _reply: FastifyReply): Promise<void> => {
    const token = bearerToken(request.headers.authorization);
    const session = token ? await authenticate(ctx, token) : null;
    if (!session) throw new AppError('unauthenticated');
    request.session = session;
  };
}

export function actorOf(request: FastifyRequest): Actor {
  const session = request.session;
  if (!session) throw new AppError('unauthenticated');
  return {
    userId: session.user.id,
    deviceId: session.device.id,
    serverAdmin: isServerAdmin(request.server.retract.ctx, session.user.username),
    requestId: request.id,
  };
}
