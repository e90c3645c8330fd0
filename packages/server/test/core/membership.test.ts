import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { canAddMembers, canGrantRole, canRemoveMember, directKey } from '../../src/core/membership.js';

const remove = (over: Partial<Parameters<typeof canRemoveMember>[0]>) =>
  canRemoveMember({
    kind: 'group',
    actorId: 'u_a',
    actorRole: 'owner',
    targetId: 'u_b',
    targetRole: 'member',
    ownerCount: 1,
    ...over,
  });

describe('membership rules', () => {
  it('lets owners and admins add members to groups only', () => {
    assert.equal(canAddMembers('group', 'owner').ok, true);
    assert.equal(canAddMembers('group', 'admin').ok, true);
    assert.deepEqual(canAddMembers('group', 'member'), {
      ok: false,
      code: 'not_permitted',
      why: 'only owners and admins add members',
    });
    assert.equal(canAddMembers('direct', 'owner').ok, false);
  });

  it('lets only owners grant the owner role', () => {
    assert.equal(canGrantRole('admin', 'owner').ok, false);
    assert.equal(canGrantRole('owner', 'owner').ok, true);
    assert.equal(canGrantRole('admin', 'admin').ok, true);
  });

  it('lets anyone leave, but keeps the last owner', () => {
    assert.equal(remove({ actorId: 'u_b', actorRole: 'member', targetId: 'u_b' }).ok, true);
    assert.equal(remove({ targetId: 'u_a', targetRole: 'owner', ownerCount: 1 }).ok, false);
    assert.equal(remove({ targetId: 'u_a', targetRole: 'owner', ownerCount: 2 }).ok, true);
  });

  it('stops members removing others and admins removing owners', () => {
    assert.equal(remove({ actorRole: 'member' }).ok, false);
    assert.equal(remove({ actorRole: 'admin', targetRole: 'owner', ownerCount: 3 }).ok, false);
    assert.equal(remove({ actorRole: 'admin', targetRole: 'admin' }).ok, true);
  });

  it('never removes anyone from a direct conversation', () => {
    assert.equal(remove({ kind: 'direct' }).ok, false);
  });

  it('keys a direct conversation by the pair, in either order', () => {
    assert.equal(directKey('u_a', 'u_b'), directKey('u_b', 'u_a'));
  });
});
