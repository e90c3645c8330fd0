import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { InvalidKeyIdError, KeyExistsError, type KeyStore } from '../../src/keys/key-store.js';
import {
  KEY_BYTES,
  newDataKey,
  openMessageBody,
  SealError,
  sealMessageBody,
} from '../../src/keys/sealing.js';

/**
 * The key store port's contract, run against every backend. A backend that passes this behaves the same
 * to the message storage above it. Each backend's test file calls `keyStoreContract` with a factory
 * that gives a fresh, empty store in a place of its own, and can reopen it there.
 */
export interface KeyStoreFactory {
  readonly name: string;
  open(): Promise<OpenedKeyStore>;
}

export interface OpenedKeyStore {
  readonly store: KeyStore;
  /** Opens the same store again (same files, same master key); the caller closed the first one. */
  reopen(): Promise<KeyStore>;
}

let counter = 0;
/** A fresh valid id, shaped like the server's message ids. */
const keyId = () => `m_${(++counter).toString(36)}${randomBytes(9).toString('base64url')}`;

export function keyStoreContract(factory: KeyStoreFactory): void {
  describe(`key store contract: ${factory.name}`, () => {
    /** Runs `fn` against a fresh store and closes it after. */
    async function withStore(fn: (opened: OpenedKeyStore) => Promise<void>): Promise<void> {
      const opened = await factory.open();
      try {
        await fn(opened);
      } finally {
        await opened.store.close();
      }
    }

    it('creates a random 32-byte key per id and gives the same key back', () =>
      withStore(async ({ store }) => {
        const [a, b] = [keyId(), keyId()];
        const keyA = await store.create(a);
        const keyB = await store.create(b);
        assert.equal(keyA.length, KEY_BYTES);
        assert.equal(keyB.length, KEY_BYTES);
        assert.ok(!keyA.equals(keyB));
        assert.ok((await store.get(a))?.equals(keyA));
        assert.ok((await store.get(b))?.equals(keyB));
        assert.equal(await store.count(), 2);
      }));

    it('refuses to create a second key under a live id, and keeps the first', () =>
      withStore(async ({ store }) => {
        const id = keyId();
        const first = await store.create(id);
        await assert.rejects(store.create(id), (error) => {
          assert.ok(error instanceof KeyExistsError);
          assert.equal(error.keyId, id);
          return true;
        });
        assert.ok((await store.get(id))?.equals(first));
        assert.equal(await store.count(), 1);
      }));

    it('lets exactly one of several concurrent creates of one id win', () =>
      withStore(async ({ store }) => {
        const id = keyId();
        const results = await Promise.allSettled(Array.from({ length: 8 }, () => store.create(id)));
        const won = results.filter((r) => r.status === 'fulfilled');
        assert.equal(won.length, 1);
        for (const r of results) if (r.status === 'rejected') assert.ok(r.reason instanceof KeyExistsError);
        assert.ok((await store.get(id))?.equals((won[0] as PromiseFulfilledResult<Buffer>).value));
      }));

    it('gives null for an id that never had a key', () =>
      withStore(async ({ store }) => {
        assert.equal(await store.get(keyId()), null);
      }));

    it('getMany returns the live keys among the ids, ignoring unknown and repeated ones', () =>
      withStore(async ({ store }) => {
        const [a, b, c] = [keyId(), keyId(), keyId()];
        const keyA = await store.create(a);
        const keyB = await store.create(b);
        const many = await store.getMany([a, b, c, a]);
        assert.deepEqual([...many.keys()].sort(), [a, b].sort());
        assert.ok(many.get(a)?.equals(keyA));
        assert.ok(many.get(b)?.equals(keyB));
        assert.equal((await store.getMany([])).size, 0);
      }));

    it('hands out copies: zeroing a returned key harms neither the store nor other callers', () =>
      withStore(async ({ store }) => {
        const id = keyId();
        const created = await store.create(id);
        const kept = Buffer.from(created);
        created.fill(0);
        const got = await store.get(id);
        assert.ok(got?.equals(kept));
        got!.fill(0);
        assert.ok((await store.getMany([id])).get(id)?.equals(kept));
      }));

    it('destroys keys: get gives null, getMany leaves them out, others stay, count drops', () =>
      withStore(async ({ store }) => {
        const [a, b, c] = [keyId(), keyId(), keyId()];
        await store.create(a);
        const keyB = await store.create(b);
        await store.create(c);
        // Warm any cache, so destroy is seen to evict it.
        await store.getMany([a, b, c]);
        await store.destroy([a, c]);
        assert.equal(await store.get(a), null);
        assert.equal(await store.get(c), null);
        assert.deepEqual([...(await store.getMany([a, b, c])).keys()], [b]);
        assert.ok((await store.get(b))?.equals(keyB));
        assert.equal(await store.count(), 1);
      }));

    it('destroy is idempotent: twice, unknown ids, repeated ids and an empty list all resolve', () =>
      withStore(async ({ store }) => {
        const id = keyId();
        await store.create(id);
        await store.destroy([id]);
        await store.destroy([id]);
        await store.destroy([keyId(), keyId()]);
        await store.destroy([]);
        const other = keyId();
        await store.create(other);
        await store.destroy([other, other]);
        assert.equal(await store.count(), 0);
      }));

    it('gives a destroyed id a new, different key if it is created again', () =>
      withStore(async ({ store }) => {
        const id = keyId();
        const old = Buffer.from(await store.create(id));
        await store.destroy([id]);
        const fresh = await store.create(id);
        assert.ok(!fresh.equals(old));
        assert.ok((await store.get(id))?.equals(fresh));
      }));

    it('keeps live keys across a reopen, and not destroyed ones', async () => {
      const opened = await factory.open();
      const [kept, gone] = [keyId(), keyId()];
      const keptKey = Buffer.from(await opened.store.create(kept));
      await opened.store.create(gone);
      await opened.store.destroy([gone]);
      await opened.store.close();
      const again = await opened.reopen();
      try {
        assert.ok((await again.get(kept))?.equals(keptKey));
        assert.equal(await again.get(gone), null);
        assert.equal(await again.count(), 1);
      } finally {
        await again.close();
      }
    });

    it('leaves a sealed message unreadable once its key is destroyed (crypto-shredding)', () =>
      withStore(async ({ store }) => {
        const messageId = keyId();
        const key = await store.create(messageId);
        // What a backup of the messages database holds: the envelope, and no key.
        const backup = sealMessageBody(key, 'the meeting moved to 3pm', messageId);
        assert.equal(openMessageBody(key, backup, messageId), 'the meeting moved to 3pm');
        key.fill(0);
        await store.destroy([messageId]);
        assert.equal(await store.get(messageId), null);
        assert.equal((await store.getMany([messageId])).size, 0);
        // Nothing else opens it: not another key from the store, not any fresh one.
        const other = await store.create(keyId());
        for (const wrong of [other, newDataKey()]) {
          assert.throws(() => openMessageBody(wrong, backup, messageId), SealError);
        }
      }));

    it('rejects invalid ids in every method', () =>
      withStore(async ({ store }) => {
        const invalid: unknown[] = ['', 'x'.repeat(129), 'a b', 'a/b', '../x', 'a.b', 'a\nb', 'ñ', 42, null];
        for (const id of invalid) {
          const bad = id as string;
          await assert.rejects(store.create(bad), InvalidKeyIdError);
          await assert.rejects(store.get(bad), InvalidKeyIdError);
          await assert.rejects(store.getMany([keyId(), bad]), InvalidKeyIdError);
          await assert.rejects(store.destroy([bad]), InvalidKeyIdError);
        }
        assert.equal(await store.count(), 0);
        for (const ok of ['m', 'body:m_abc-DEF_123', 'x'.repeat(128)]) await store.create(ok);
        assert.equal(await store.count(), 3);
      }));

    it('pings while open, and refuses every call once closed', async () => {
      const { store } = await factory.open();
      const id = keyId();
      await store.create(id);
      await store.ping();
      await store.close();
      await store.close();
      await assert.rejects(store.create(keyId()), /closed/);
      await assert.rejects(store.get(id), /closed/);
      await assert.rejects(store.getMany([id]), /closed/);
      await assert.rejects(store.destroy([id]), /closed/);
      await assert.rejects(store.count(), /closed/);
      await assert.rejects(store.ping(), /closed/);
    });
  });
}
