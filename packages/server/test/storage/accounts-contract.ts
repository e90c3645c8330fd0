import { it } from 'node:test';
import assert from 'node:assert/strict';
import type { Storage } from '../../src/storage/storage.js';

/**
 * Accounts' part of the storage contract: the password hash and disabled time read back as written,
 * and deleting a user's devices spares exactly the one kept and nobody else's. The suite shares one store,
 * so each case makes users of its own.
 */
export function accountsStorageContract(storage: () => Storage): void {
  let n = 0;
  async function user(): Promise<string> {
    const id = `u_acct${++n}${Math.random().toString(36).slice(2, 8)}`;
    const inserted = await storage().transaction((tx) =>
      tx.insertUser({ id, username: id, passwordHash: 'hash-0', createdAt: 1000 }),
    );
    assert.equal(inserted, true);
    return id;
  }
  async function device(userId: string, name: string): Promise<string> {
    const id = `d_${userId}_${name}`;
    await storage().transaction((tx) =>
      tx.insertDevice({ id, userId, name, tokenHash: `token-${id}`, createdAt: 1000 }),
    );
    return id;
  }

  it('accounts: reads the password hash and disabled time back, and changes them', async () => {
    const id = await user();
    const account = () => storage().transaction((tx) => tx.lockAccount(id));
    assert.deepEqual(await account(), { passwordHash: 'hash-0', disabledAt: null });
    await storage().transaction((tx) => tx.setPasswordHash(id, 'hash-1'));
    await storage().transaction((tx) => tx.setDisabledAt(id, 1_700_000_000_000));
    assert.deepEqual(await account(), { passwordHash: 'hash-1', disabledAt: 1_700_000_000_000 });
    assert.equal((await storage().read((tx) => tx.findUserById(id)))?.passwordHash, 'hash-1');
    await storage().transaction((tx) => tx.setDisabledAt(id, null));
    assert.deepEqual(await account(), { passwordHash: 'hash-1', disabledAt: null });
    assert.equal(await storage().transaction((tx) => tx.lockAccount('u_no_such_user')), null);
  });

  it('accounts: deletes every device of the user but the one kept, and no one else’s', async () => {
    const alice = await user();
    const bob = await user();
    const [a1, a2, a3] = [
      await device(alice, 'one'),
      await device(alice, 'two'),
      await device(alice, 'three'),
    ];
    const b1 = await device(bob, 'one');
    const deleted = await storage().transaction((tx) => tx.deleteDevicesOf(alice, a2));
    assert.deepEqual([...deleted].sort(), [a1, a3].sort());
    const exists = async (id: string) => (await storage().read((tx) => tx.findDevice(id))) !== null;
    assert.deepEqual(
      [await exists(a1), await exists(a2), await exists(a3), await exists(b1)],
      [false, true, false, true],
    );
    assert.deepEqual(await storage().transaction((tx) => tx.deleteDevicesOf(alice, null)), [a2]);
    assert.equal(await exists(a2), false);
    assert.deepEqual(await storage().transaction((tx) => tx.deleteDevicesOf(alice, null)), []);
    assert.equal(await exists(b1), true);
  });
}
