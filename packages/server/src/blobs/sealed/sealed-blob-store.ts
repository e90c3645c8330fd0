import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { BLOB_SEAL_OVERHEAD, openBlob, sealBlob } from '../../keys/blob-sealing.js';
import { createOrGetKey, type KeyStore } from '../../keys/key-store.js';
import {
  assertBlobId,
  assertBlobLimits,
  BlobTooLargeError,
  type BlobLimits,
  type BlobSource,
  type BlobStore,
  type OpenedBlob,
  type StoredBlob,
} from '../blob-store.js';

/**
 * Encryption at rest for attachment bytes, around any blob store: each blob is sealed with a data key of
 * its own (AES-256-GCM, bound to the attachment id) before it reaches the medium, so the files there are
 * unreadable without the key store. Deleting a blob destroys its key first, then the file.
 *
 * One trade-off: AES-GCM authenticates a whole message, so an upload is gathered in memory (up to the
 * configured attachment limit) before it is sealed — plain bytes never touch the disk. Size and hash
 * returned describe the plain file the user sent.
 */
export function sealedBlobStore(inner: BlobStore, keys: KeyStore): BlobStore {
  // Puts still gathering their bytes, which the inner store does not know of yet: close waits for them.
  const inFlight = new Set<Promise<unknown>>();
  let closed = false;

  async function put(id: string, data: BlobSource, limits: BlobLimits): Promise<StoredBlob> {
    const plain = await gather(data, limits.maxBytes);
    // Concurrent puts of one id: the first creates the key, the others use it.
    const { key } = await createOrGetKey(keys, id);
    await inner.put(id, sealBlob(key, plain, id), { maxBytes: limits.maxBytes + BLOB_SEAL_OVERHEAD });
    return { size: plain.length, sha256: createHash('sha256').update(plain).digest('hex') };
  }

  return {
    put(id: string, data: BlobSource, limits: BlobLimits): Promise<StoredBlob> {
      if (closed) return Promise.reject(new Error('blob store is closed'));
      try {
        assertBlobId(id);
        assertBlobLimits(limits);
      } catch (error) {
        return Promise.reject(error as Error);
      }
      const putting = put(id, data, limits);
      inFlight.add(putting);
      void putting.then(
        () => inFlight.delete(putting),
        () => inFlight.delete(putting),
      );
      return putting;
    },
    async open(id: string): Promise<OpenedBlob | null> {
      assertBlobId(id);
      const key = await keys.get(id);
      const opened = await inner.open(id);
      if (!opened) return null;
      if (!key) {
        // Without its key the file is noise: as far as anyone can tell, it is gone.
        opened.stream.destroy();
        return null;
      }
      const envelope = await gather(opened.stream, opened.size);
      const plain = openBlob(key, envelope, id);
      return { size: plain.length, stream: Readable.from([plain]) };
    },
    async delete(id: string): Promise<boolean> {
      assertBlobId(id);
      await keys.destroy([id]);
      return inner.delete(id);
    },
    exists: (id) => inner.exists(id),
    async close() {
      closed = true;
      await Promise.allSettled([...inFlight]);
      await inner.close();
    },
  };
}

/** All of `data` in one buffer; throws as soon as it passes `maxBytes`, reading no further. */
async function gather(data: BlobSource, maxBytes: number): Promise<Buffer> {
  if (data instanceof Uint8Array) {
    if (data.length > maxBytes) throw new BlobTooLargeError(maxBytes);
    return Buffer.from(data);
  }
  const parts: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of data) {
    size += chunk.length;
    if (size > maxBytes) throw new BlobTooLargeError(maxBytes);
    parts.push(chunk);
  }
  return Buffer.concat(parts);
}
