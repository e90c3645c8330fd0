import { createOrGetKey, type KeyStore } from '../../keys/key-store.js';
import { sealForHold } from '../../keys/compliance-key.js';
import { openMessageBody, sealMessageBody } from '../../keys/sealing.js';
import type { HeldMessageRecord, MessageRecord, StoredEvent, TombstoneRecord } from '../records.js';
import type { Storage, StorageReader, StorageTx } from '../storage.js';

/**
 * Encryption at rest, around any storage backend. Every message body (and every body held for undo
 * send) is sealed with a data key of its own (AES-256-GCM, bound to the message id) before it reaches the
 * backend, and opened when read: the actions above see plain text, the database files hold only
 * envelopes. The keys live in a key store of their own (its own file, wrapped under a master key), so a
 * copy of the messages database — a backup, a stolen disk — is unreadable without it.
 *
 * Erasure destroys the key. The transaction that erases a body (recall, expiry, a cancelled send) also
 * queues its key id; `purgeErased`, which every erasure calls after commit and before it is
 * acknowledged, destroys the queued keys in the key store and only then purges the backend's files. A
 * crash between commit and destruction leaves the ids queued, and `shredQueued` at start finishes the
 * job — so once a recall is acknowledged, no backup taken before it can be read with the key store of
 * after it.
 *
 * Compliance hold: with a hold configured, the erasing transaction first keeps the body sealed under
 * the compliance key (a separate key, destroyed never; each hold is deleted when it runs out).
 */
export interface SealedStorageOptions {
  readonly keys: KeyStore;
  readonly hold: ComplianceHold | null;
}

export interface ComplianceHold {
  readonly key: Buffer;
  readonly days: number;
}

export interface SealedStorage extends Storage {
  /** Destroys the keys queued for destruction (all of them); returns how many ids it handled. */
  shredQueued(): Promise<number>;
}

/** Bodies in the backend: this prefix, then the base64 envelope. Anything else is legacy plain text. */
const SEALED = 'sealed:v1:';

export function sealedStorage(inner: Storage, options: SealedStorageOptions): SealedStorage {
  const { keys, hold } = options;

  /** The sealed body, and whether its key already existed (a held message being delivered). */
  async function seal(id: string, body: string | null): Promise<{ body: string | null; reused: boolean }> {
    if (body === null) return { body: null, reused: false };
    const { key, created } = await createOrGetKey(keys, id);
    return { body: SEALED + sealMessageBody(key, body, id).toString('base64'), reused: !created };
  }

  /** Opens the bodies of these records with one key store lookup. A destroyed key reads as erased. */
  async function openAll<T extends { readonly id: string; readonly body: string | null }>(
    records: readonly T[],
  ): Promise<T[]> {
    const sealedIds = records.filter((r) => r.body?.startsWith(SEALED)).map((r) => r.id);
    if (sealedIds.length === 0) return [...records];
    const found = await keys.getMany([...new Set(sealedIds)]);
    return records.map((r) => {
      if (!r.body?.startsWith(SEALED)) return r;
      const key = found.get(r.id);
      const body =
        key === undefined
          ? null
          : openMessageBody(key, Buffer.from(r.body.slice(SEALED.length), 'base64'), r.id);
      return { ...r, body };
    });
  }
  const openOne = async <T extends { readonly id: string; readonly body: string | null }>(r: T | null) =>
    r === null ? null : ((await openAll([r]))[0] ?? null);

  async function openEvents(events: StoredEvent[]): Promise<StoredEvent[]> {
    const messages = await openAll(events.flatMap((e) => (e.message ? [e.message] : [])));
    const byId = new Map(messages.map((m) => [m.id, m]));
    return events.map((e) => (e.message ? { ...e, message: byId.get(e.message.id) ?? e.message } : e));
  }

  function reader<R extends StorageReader>(tx: R): R {
    const overrides: Partial<StorageReader> = {
      findMessage: async (id) => openOne(await tx.findMessage(id)),
      findMessageByClientId: async (sender, clientId) =>
        openOne(await tx.findMessageByClientId(sender, clientId)),
      listMessages: async (...args) => openAll(await tx.listMessages(...args)),
      findMessages: async (ids) => openAll(await tx.findMessages(ids)),
      readEvents: async (...args) => openEvents(await tx.readEvents(...args)),
      findHeldMessage: async (id) => openOne(await tx.findHeldMessage(id)),
      findHeldMessageByClientId: async (sender, clientId) =>
        openOne(await tx.findHeldMessageByClientId(sender, clientId)),
    };
    return withOverrides(tx, overrides as Partial<R>);
  }

  function writer(tx: StorageTx): StorageTx {
    const read = reader(tx);
    const overrides: Partial<StorageTx> = {
      async insertMessage(m): Promise<MessageRecord> {
        const sealed = await seal(m.id, m.body);
        // A held message delivered now keeps the key it was held with, although removing it from the
        // held messages in this transaction queued that key for destruction. New messages (the hot
        // path) have nothing queued and skip this.
        if (sealed.reused) await tx.clearKeyShreds([m.id]);
        const stored = await tx.insertMessage({ ...m, body: sealed.body });
        return { ...stored, body: m.body };
      },
      async insertHeldMessage(h: HeldMessageRecord): Promise<void> {
        await tx.insertHeldMessage({ ...h, body: (await seal(h.id, h.body)).body });
      },
      async deleteHeldMessage(id: string): Promise<boolean> {
        const deleted = await tx.deleteHeldMessage(id);
        if (deleted) await tx.queueKeyShreds([id], Date.now());
        return deleted;
      },
      async eraseMessage(id: string, tombstone: TombstoneRecord): Promise<void> {
        if (hold !== null) {
          const message = await read.findMessage(id);
          if (message && message.tombstone === null) {
            await tx.insertComplianceHold({
              messageId: id,
              conversationId: message.conversationId,
              senderId: message.senderId,
              type: message.type,
              sealedBody: message.body === null ? null : sealForHold(hold.key, message.body, id),
              sentAt: message.sentAt,
              recalledAt: tombstone.recalledAt,
              holdUntil: tombstone.recalledAt + hold.days * 86_400_000,
            });
          }
        }
        await tx.eraseMessage(id, tombstone);
        await tx.queueKeyShreds([id], tombstone.recalledAt);
      },
      async markAttachmentDeleted(id: string, at: number): Promise<void> {
        await tx.markAttachmentDeleted(id, at);
        await tx.queueKeyShreds([id], at);
      },
    };
    return withOverrides(read, overrides);
  }

  async function shredQueued(): Promise<number> {
    let handled = 0;
    for (;;) {
      const ids = await inner.read((tx) => tx.listKeyShreds(500));
      if (ids.length === 0) return handled;
      await keys.destroy(ids);
      await inner.transaction((tx) => tx.clearKeyShreds(ids));
      handled += ids.length;
    }
  }

  return {
    transaction: (fn) => inner.transaction((tx) => fn(writer(tx))),
    read: (fn) => inner.read((tx) => fn(reader(tx))),
    async purgeErased() {
      // Keys first: from here on no copy of the erased content, anywhere, can be opened.
      await shredQueued();
      await inner.purgeErased();
    },
    shredQueued,
    async ping() {
      await inner.ping();
      await keys.ping();
    },
    async close() {
      await inner.close();
      await keys.close();
    },
  };
}

/** `target` with some methods replaced; every other member is the target's own, bound to it. */
function withOverrides<T extends object>(target: T, overrides: Partial<T>): T {
  return new Proxy(target, {
    get(t, property, receiver) {
      if (Object.hasOwn(overrides, property)) return overrides[property as keyof T];
      const value: unknown = Reflect.get(t, property, receiver);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(t) : value;
    },
  });
}
