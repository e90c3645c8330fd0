import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { api } from '@retract/protocol';
import { call, registerAndLogin, startTestServer, type TestServer } from './support/harness.js';

/** `GET /v1/me` tells a client which server-wide roles its user holds (the web client's admin link). */
describe('GET /v1/me', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer({ config: { serverAdmins: ['alice'], compliance: { users: ['Carol'] } } });
  });
  after(() => t.close());

  it('names the server roles the configuration gives the caller, and only those', async () => {
    const roles: Record<string, api.MeResponse['roles']> = {};
    for (const name of ['alice', 'bob', 'carol']) {
      const who = await registerAndLogin(t.url, name);
      const me = await call<api.MeResponse>(t.url, 'GET', '/v1/me', { token: who.token });
      assert.equal(me.status, 200);
      assert.equal(me.body.user.username, name);
      roles[name] = me.body.roles;
    }
    assert.deepEqual(roles, {
      alice: { serverAdmin: true, compliance: false },
      bob: { serverAdmin: false, compliance: false },
      carol: { serverAdmin: false, compliance: true },
    });
  });
});
