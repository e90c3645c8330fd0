import { push } from '@retract/protocol';
import type { Server } from '../app.js';
import { deletePushTarget, listPushTargets, registerPushTarget, vapidPublicKey } from '../../actions/push.js';
import { actorOf } from '../authenticate.js';

/** Push notifications (docs/push.md): the calling device's push targets, and the VAPID public key. */
export function pushRoutes(app: Server): void {
  const { ctx, auth } = app.retract;
  const security = [{ bearer: [] }];
  const tags = ['push'];

  // Public: it is a public key, the same for everyone, and a browser needs it before it can subscribe —
  // requiring a session would only add a round trip and protect nothing.
  app.get(
    '/v1/push/vapid-public-key',
    {
      schema: {
        tags,
        summary: "The server's VAPID public key, for pushManager.subscribe({ applicationServerKey })",
        response: { 200: push.VapidPublicKeyResponse },
      },
    },
    async (_request, reply) =>
      reply.header('cache-control', 'public, max-age=3600').send(await vapidPublicKey(ctx)),
  );

  app.post(
    '/v1/devices/me/push-targets',
    {
      schema: {
        tags,
        summary: 'Register a push target for this device (Web Push subscription or push gateway)',
        body: push.RegisterPushTargetRequest,
        response: { 201: push.RegisterPushTargetResponse },
        security,
      },
      onRequest: auth,
    },
    async (request, reply) =>
      reply
        .status(201)
        // The gateway secret is in this answer, once: no cache may keep it.
        .header('cache-control', 'no-store')
        .send(await registerPushTarget(ctx, actorOf(request), request.body)),
  );

  app.get(
    '/v1/devices/me/push-targets',
    {
      schema: {
        tags,
        summary: "This device's push targets",
        response: { 200: push.PushTargetsResponse },
        security,
      },
      onRequest: auth,
    },
    async (request) => listPushTargets(ctx, actorOf(request)),
  );

  app.delete(
    '/v1/devices/me/push-targets/:id',
    {
      schema: {
        tags,
        summary: 'Remove one of this device’s push targets; nothing more is pushed to it',
        params: push.PushTargetParams,
        security,
      },
      onRequest: auth,
    },
    async (request, reply) => {
      await deletePushTarget(ctx, actorOf(request), request.params.id);
      return reply.status(204).send();
    },
  );
}
