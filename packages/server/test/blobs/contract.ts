import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  BlobTooLargeError,
  InvalidBlobIdError,
  type BlobStore,
  type OpenedBlob,
} from '../../src/blobs/blob-store.js';

/**
 * The blob port's contract, run against every backend. A backend that passes this behaves the same to
 * the attachment code above it. Each backend's test file calls `blobStoreContract` with a factory that
 * gives a fresh, empty store and a way to list what the store holds on its medium — so "nothing left
 * behind" is checked on the medium itself, not through the store's own eyes.
 */
export interface BlobStoreFactory {
  readonly name: string;
  open(): Promise<OpenedStore>;
}

export interface OpenedStore {
  readonly store: BlobStore;
  /** Everything the backend holds (files, objects), temporary ones included, by some stable name. */
  listFiles(): Promise<string[]>;
}

let counter = 0;
/** A fresh valid id: the kind prefix the server uses, then random base64url. */
const blobId = () => `a_${(++counter).toString(36)}${randomBytes(9).toString('base64url')}`;
const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');
const KiB = 1024;

async function* chunksOf(data: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < data.length; i += size) yield data.subarray(i, i + size);
}

async function readAll(blob: OpenedBlob): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of blob.stream) parts.push(chunk as Buffer);
  return Buffer.concat(parts);
}

/** A promise with its resolver, to hold a source still at a known point. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

/**
 * A source that yields `first`, then signals `paused` once the store has asked for more (so `first` has
 * been taken in), and waits for `release` before yielding `rest`.
 */
function pausedSource(first: Uint8Array, rest: Uint8Array) {
  const paused = gate();
  const release = gate();
  async function* source() {
    yield first;
    paused.open();
    await release.promise;
    yield rest;
  }
  return { source: source(), paused: paused.promise, release: release.open };
}

export function blobStoreContract(factory: BlobStoreFactory): void {
  describe(`blob store contract: ${factory.name}`, () => {
    /** Runs `fn` against a fresh store and closes it after. */
    async function withStore(fn: (opened: OpenedStore) => Promise<void>): Promise<void> {
      const opened = await factory.open();
      try {
        await fn(opened);
      } finally {
        await opened.store.close();
      }
    }

    it('stores a blob streamed in chunks and gives the same bytes back, with size and sha256', () =>
      withStore(async ({ store }) => {
        const id = blobId();
        const data = randomBytes(1024 * KiB + 17);
        const stored = await store.put(id, chunksOf(data, 64 * KiB), { maxBytes: 2048 * KiB });
        assert.deepEqual(stored, { size: data.length, sha256: sha256(data) });
        assert.equal(await store.exists(id), true);
        const opened = await store.open(id);
        assert.ok(opened);
        assert.equal(opened.size, data.length);
        assert.ok((await readAll(opened)).equals(data));
      }));

    it('takes a single buffer, a Node Readable, an empty blob, and exactly maxBytes', () =>
      withStore(async ({ store }) => {
        const [a, b, c, d] = [blobId(), blobId(), blobId(), blobId()];
        const one = randomBytes(3 * KiB);
        assert.equal((await store.put(a, one, { maxBytes: one.length })).size, one.length);
        const two = randomBytes(5 * KiB);
        const viaReadable = await store.put(b, Readable.from(chunksOf(two, 1000)), { maxBytes: 8 * KiB });
        assert.equal(viaReadable.sha256, sha256(two));
        assert.deepEqual(await store.put(c, new Uint8Array(0), { maxBytes: 0 }), {
          size: 0,
          sha256: sha256(new Uint8Array(0)),
        });
        assert.equal((await store.put(d, chunksOf(two, 333), { maxBytes: two.length })).size, two.length);
        assert.ok((await readAll((await store.open(a))!)).equals(one));
        assert.ok((await readAll((await store.open(b))!)).equals(two));
        assert.equal((await readAll((await store.open(c))!)).length, 0);
        assert.ok((await readAll((await store.open(d))!)).equals(two));
      }));

    it('rejects an upload past maxBytes, stops reading it, and leaves nothing behind', () =>
      withStore(async ({ store, listFiles }) => {
        const id = blobId();
        let pulled = 0;
        let finished = false;
        async function* endless() {
          try {
            for (;;) {
              pulled++;
              yield randomBytes(16 * KiB);
            }
          } finally {
            finished = true;
          }
        }
        await assert.rejects(store.put(id, endless(), { maxBytes: 100 * KiB }), (error) => {
          assert.ok(error instanceof BlobTooLargeError);
          assert.equal(error.maxBytes, 100 * KiB);
          return true;
        });
        assert.ok(pulled <= 7, `read ${pulled} chunks of 16 KiB for a 100 KiB limit`);
        assert.equal(finished, true, 'the source was closed');
        await assert.rejects(store.put(blobId(), randomBytes(101), { maxBytes: 100 }), BlobTooLargeError);
        assert.deepEqual(await listFiles(), []);
        assert.equal(await store.exists(id), false);
        assert.equal(await store.open(id), null);
      }));

    it('keeps the blob it had when a replacement is too large or its source fails', () =>
      withStore(async ({ store, listFiles }) => {
        const id = blobId();
        const original = randomBytes(10 * KiB);
        await store.put(id, original, { maxBytes: 10 * KiB });
        const before = await listFiles();
        await assert.rejects(store.put(id, randomBytes(11 * KiB), { maxBytes: 10 * KiB }), BlobTooLargeError);
        async function* failing() {
          yield randomBytes(KiB);
          throw new Error('connection reset');
        }
        await assert.rejects(store.put(id, failing(), { maxBytes: 10 * KiB }), /connection reset/);
        assert.ok((await readAll((await store.open(id))!)).equals(original));
        assert.deepEqual(await listFiles(), before);
      }));

    it('deletes for real: the file is gone from the medium, open gives null, a second delete false', () =>
      withStore(async ({ store, listFiles }) => {
        const [id, other] = [blobId(), blobId()];
        await store.put(id, randomBytes(4 * KiB), { maxBytes: 4 * KiB });
        await store.put(other, randomBytes(KiB), { maxBytes: KiB });
        assert.equal((await listFiles()).length, 2);
        assert.equal(await store.delete(id), true);
        assert.equal((await listFiles()).length, 1);
        assert.equal(await store.open(id), null);
        assert.equal(await store.exists(id), false);
        assert.equal(await store.delete(id), false);
        assert.equal(await store.exists(other), true);
        assert.equal(await store.delete(other), true);
        assert.deepEqual(await listFiles(), []);
      }));

    it('rejects invalid ids in every method, before touching the medium', () =>
      withStore(async ({ store, listFiles }) => {
        const invalid: unknown[] = [
          '',
          'short7c',
          'x'.repeat(65),
          '../../../../etc/passwd',
          '..%2f..%2fetc%2fpasswd',
          'abc/defgh',
          'abc\\defgh',
          'abcd.efgh',
          '/absolute/path',
          'abcdefg\0h',
          ' abcdefgh',
          'abcdefgh\n',
          'ñandúñandú',
          42,
          null,
        ];
        for (const id of invalid) {
          const bad = id as string;
          await assert.rejects(store.put(bad, new Uint8Array(1), { maxBytes: 1 }), InvalidBlobIdError);
          await assert.rejects(store.open(bad), InvalidBlobIdError);
          await assert.rejects(store.delete(bad), InvalidBlobIdError);
          await assert.rejects(store.exists(bad), InvalidBlobIdError);
        }
        assert.deepEqual(await listFiles(), []);
        for (const ok of ['abcdefgh', 'A-_0'.repeat(16)]) {
          await store.put(ok, new Uint8Array([1]), { maxBytes: 1 });
          assert.equal(await store.exists(ok), true);
        }
      }));

    it('rejects a limit that is not a non-negative integer', () =>
      withStore(async ({ store, listFiles }) => {
        for (const maxBytes of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
          await assert.rejects(store.put(blobId(), new Uint8Array(1), { maxBytes }), RangeError);
        }
        assert.deepEqual(await listFiles(), []);
      }));

    it('stores concurrent puts of different ids, each whole', () =>
      withStore(async ({ store, listFiles }) => {
        const blobs = Array.from({ length: 24 }, () => ({ id: blobId(), data: randomBytes(20 * KiB + 7) }));
        const results = await Promise.all(
          blobs.map(({ id, data }) => store.put(id, chunksOf(data, 4 * KiB), { maxBytes: 32 * KiB })),
        );
        for (const [i, { id, data }] of blobs.entries()) {
          assert.equal(results[i]!.sha256, sha256(data));
          assert.ok((await readAll((await store.open(id))!)).equals(data));
        }
        assert.equal((await listFiles()).length, blobs.length);
      }));

    it('leaves one whole blob, and no temporary file, after concurrent puts of the same id', () =>
      withStore(async ({ store, listFiles }) => {
        const id = blobId();
        const versions = Array.from({ length: 8 }, () => randomBytes(16 * KiB));
        await Promise.all(versions.map((data) => store.put(id, chunksOf(data, KiB), { maxBytes: 16 * KiB })));
        const got = await readAll((await store.open(id))!);
        assert.ok(versions.some((v) => v.equals(got)));
        assert.equal((await listFiles()).length, 1);
      }));

    it('never shows a blob before its put resolves: null while in flight, whole after', () =>
      withStore(async ({ store }) => {
        const id = blobId();
        const [first, rest] = [randomBytes(8 * KiB), randomBytes(8 * KiB)];
        const { source, paused, release } = pausedSource(first, rest);
        const putting = store.put(id, source, { maxBytes: 16 * KiB });
        await paused;
        assert.equal(await store.open(id), null);
        assert.equal(await store.exists(id), false);
        release();
        await putting;
        const opened = await store.open(id);
        assert.equal(opened?.size, 16 * KiB);
        assert.ok((await readAll(opened!)).equals(Buffer.concat([first, rest])));
      }));

    it('shows the old blob, whole, while a replacement is in flight', () =>
      withStore(async ({ store }) => {
        const id = blobId();
        const old = randomBytes(5 * KiB);
        await store.put(id, old, { maxBytes: 16 * KiB });
        const { source, paused, release } = pausedSource(randomBytes(KiB), randomBytes(KiB));
        const putting = store.put(id, source, { maxBytes: 16 * KiB });
        await paused;
        assert.ok((await readAll((await store.open(id))!)).equals(old));
        release();
        assert.equal((await putting).size, 2 * KiB);
        assert.equal((await store.open(id))?.size, 2 * KiB);
      }));

    it('close waits for a put in flight, then refuses every call', async () => {
      const { store } = await factory.open();
      const id = blobId();
      const { source, paused, release } = pausedSource(randomBytes(KiB), randomBytes(KiB));
      const order: string[] = [];
      const putting = store.put(id, source, { maxBytes: 4 * KiB }).then(() => order.push('put'));
      await paused;
      const closing = store.close().then(() => order.push('close'));
      release();
      await Promise.all([putting, closing]);
      assert.deepEqual(order, ['put', 'close']);
      await assert.rejects(store.put(blobId(), new Uint8Array(1), { maxBytes: 1 }), /closed/);
      await assert.rejects(store.open(id), /closed/);
      await assert.rejects(store.exists(id), /closed/);
      await assert.rejects(store.delete(id), /closed/);
    });
  });
}
