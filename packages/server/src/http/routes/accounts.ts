import { Type } from '@sinclair/typebox';
import { limits, models } from '@retract/protocol';
import type { Server } from '../app.js';
import { actorOf } from '../authenticate.js';
import { changePassword, setAccountDisabled } from '../../actions/accounts.js';

const strict = { additionalProperties: false } as const;

const ChangePasswordRequest = Type.Object(
  {
    currentPassword: Type.String({ minLength: 1, maxLength: limits.maxPasswordLength }),
    newPassword: models.Password,
  },
  strict,
);
const ChangePasswordResponse = Type.Object({ revokedSessions: Type.Integer() });
const UsernameParams = Type.Object(
  { username: Type.String({ minLength: 1, maxLength: limits.maxUsernameLength }) },
  strict,
);
const AccountStateResponse = Type.Object({
  user: models.User,
  disabled: Type.Boolean(),
  revokedSessions: Type.Integer(),
});

/** Password changes and disabling accounts: both end sessions, and their sockets close at once. */
export function accountRoutes(app: Server): void {
  const { ctx, auth } = app.retract;

  app.put(
    '/v1/me/password',
    {
      schema: {
        tags: ['sessions'],
        summary: 'Change your password; every other session of yours ends and its sockets close',
        body: ChangePasswordRequest,
        response: { 200: ChangePasswordResponse },
        security: [{ bearer: [] }],
      },
      onRequest: auth,
    },
    async (request) => changePassword(ctx, actorOf(request), request.body),
  );

  for (const action of ['disable', 'enable'] as const) {
    app.post(
      `/v1/admin/users/:username/${action}`,
      {
        schema: {
          tags: ['admin'],
          summary:
            action === 'disable'
              ? 'Disable an account (server admins): no login, every session ends at once'
              : 'Enable a disabled account again (server admins)',
          params: UsernameParams,
          response: { 200: AccountStateResponse },
          security: [{ bearer: [] }],
        },
        onRequest: auth,
      },
      async (request) =>
        setAccountDisabled(ctx, actorOf(request), request.params.username, action === 'disable'),
    );
  }
}
