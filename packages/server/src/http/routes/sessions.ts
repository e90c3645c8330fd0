import { api } from '@retract/protocol';
import type { Server } from '../app.js';
import { login, logout, registerUser } from '../../actions/sessions.js';
import { actorOf } from '../authenticate.js';
import { isComplianceUser, isServerAdmin } from '../../actions/policy.js';
import { getSettings, setSettings } from '../../actions/held.js';

export function sessionRoutes(app: Server): void {
  const { ctx, auth } = app.retract;

  app.post(
    '/v1/users',
    {
      schema: {
        tags: ['users'],
        summary: 'Register a user',
        body: api.RegisterRequest,
        response: { 201: api.RegisterResponse },
      },
    },
    async (request, reply) => {
      const user = await registerUser(ctx, request.body);
      return reply.status(201).send({ user });
    },
  );

  app.post(
    '/v1/sessions',
    {
      schema: {
        tags: ['sessions'],
        summary: 'Log in: creates a device with its own token and cursor',
        body: api.LoginRequest,
        response: { 201: api.LoginResponse },
      },
    },
    async (request, reply) => reply.status(201).send(await login(ctx, request.body)),
  );

  app.delete(
    '/v1/sessions/current',
    {
      schema: {
        tags: ['sessions'],
        summary: 'Log out this device; its sockets close at once',
        security: [{ bearer: [] }],
      },
      onRequest: auth,
    },
    async (request, reply) => {
      await logout(ctx, actorOf(request));
      return reply.status(204).send();
    },
  );

  app.get(
    '/v1/me',
    {
      schema: {
        tags: ['sessions'],
        summary: 'The caller, their device and its cursor',
        response: { 200: api.MeResponse },
        security: [{ bearer: [] }],
      },
      onRequest: auth,
    },
    async (request) => {
      const session = request.session!;
      return {
        user: { id: session.user.id, username: session.user.username },
        device: {
          id: session.device.id,
          name: session.device.name,
          createdAt: new Date(session.device.createdAt).toISOString(),
        },
        cursor: session.device.cursor,
        roles: {
          serverAdmin: isServerAdmin(ctx, session.user.username),
          compliance: isComplianceUser(ctx, session.user.username),
        },
      };
    },
  );

  app.get(
    '/v1/me/settings',
    {
      schema: {
        tags: ['sessions'],
        summary: 'Your settings (undo send delay)',
        response: { 200: api.SettingsResponse },
        security: [{ bearer: [] }],
      },
      onRequest: auth,
    },
    async (request) => getSettings(ctx, actorOf(request)),
  );

  app.put(
    '/v1/me/settings',
    {
      schema: {
        tags: ['sessions'],
        summary: 'Change your settings, e.g. hold each message 5 s so you can undo a send',
        body: api.UserSettings,
        response: { 200: api.SettingsResponse },
        security: [{ bearer: [] }],
      },
      onRequest: auth,
    },
    async (request) => setSettings(ctx, actorOf(request), request.body),
  );
}
