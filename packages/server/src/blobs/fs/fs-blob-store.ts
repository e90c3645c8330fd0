import { createHash, randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { chmod, mkdir, open, readdir, rename, stat, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
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

export interface FsBlobStoreOptions {
  /** The store's own directory; created with mode 0700 (and set to it if it exists). */
  readonly dir: string;
  /**
   * Temporary files older than this when the store opens are leftovers of a crashed upload and are
   * removed. Younger ones may belong to another process sharing the directory, so they are left alone.
   * Default: one hour.
   */
  readonly staleTempMs?: number;
}

/**
 * Blobs as files under one directory.
 *
 * Layout: `<dir>/<h[0..2]>/<h>`, where `h` is the lower-case hex SHA-256 of the blob id. Hashing the id
 * (rather than using it as the name) fans files out evenly over 256 subdirectories even though the
 * server's ids share a kind prefix (`a_…`), and keeps two ids that differ only in case apart on
 * case-insensitive file systems (macOS, Windows). Directories are 0700, files 0600.
 *
 * `put` writes to `<h>.tmp-<random>` — a name `open` never looks at — in the blob's own subdirectory,
 * fsyncs it, renames it over `<h>` (atomic within one directory), and fsyncs the directory, so a reader
 * sees either nothing or the whole blob, and a resolved put survives a power cut.
 *
 * `delete` unlinks the file and fsyncs its directory: the bytes are gone from the file system's
 * namespace, and no path leads to them. It does not overwrite them: the freed blocks keep their bytes
 * until reused, and on SSDs, copy-on-write and journalling file systems overwriting in place would not
 * reach every copy anyway. Erasure of the medium itself needs the blobs encrypted at rest with a key per
 * blob that is destroyed on delete (crypto-shredding) — a later issue.
 */
export async function openFsBlobStore(options: FsBlobStoreOptions): Promise<BlobStore> {
  const root = options.dir;
  await mkdir(root, { recursive: true, mode: 0o700 });
  await chmod(root, 0o700);
  await sweepStaleTemps(root, options.staleTempMs ?? 3_600_000);

  const inFlight = new Set<Promise<unknown>>();
  let closed = false;

  const track = <T>(fn: () => Promise<T>): Promise<T> => {
    if (closed) return Promise.reject(new Error('blob store is closed'));
    const p = fn();
    const settled = p.then(
      () => undefined,
      () => undefined,
    );
    inFlight.add(settled);
    void settled.then(() => inFlight.delete(settled));
    return p;
  };

  const locate = (id: string) => {
    assertBlobId(id);
    const h = createHash('sha256').update(id).digest('hex');
    const sub = join(root, h.slice(0, 2));
    return { sub, path: join(sub, h), name: h };
  };

  return {
    put(id: string, data: BlobSource, limits: BlobLimits): Promise<StoredBlob> {
      return track(async () => {
        const { sub, path, name } = locate(id);
        assertBlobLimits(limits);
        // `recursive` resolves to the first directory it made, or undefined when it already existed.
        if ((await mkdir(sub, { recursive: true, mode: 0o700 })) !== undefined) await fsyncDir(root);
        const temp = join(sub, `${name}.tmp-${randomBytes(8).toString('hex')}`);
        const file = await open(temp, 'wx', 0o600);
        let published = false;
        try {
          const result = await writeAll(file, data, limits.maxBytes);
          await file.sync();
          await file.close();
          await rename(temp, path);
          published = true;
          await fsyncDir(sub);
          return result;
        } finally {
          if (!published) {
            await file.close().catch(() => undefined);
            await unlink(temp).catch(() => undefined);
          }
        }
      });
    },

    open(id: string): Promise<OpenedBlob | null> {
      return track(async () => {
        const { path } = locate(id);
        let file: FileHandle;
        try {
          // O_NOFOLLOW: a symlink planted in the store is refused, not followed (0 where unsupported).
          file = await open(path, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0));
        } catch (error) {
          if (isCode(error, 'ENOENT')) return null;
          throw error;
        }
        try {
          const info = await file.stat();
          if (!info.isFile()) throw new Error('blob is not a regular file');
          return { size: info.size, stream: file.createReadStream({ autoClose: true }) };
        } catch (error) {
          await file.close();
          throw error;
        }
      });
    },

    delete(id: string): Promise<boolean> {
      return track(async () => {
        const { sub, path } = locate(id);
        try {
          await unlink(path);
        } catch (error) {
          if (isCode(error, 'ENOENT')) return false;
          throw error;
        }
        await fsyncDir(sub);
        return true;
      });
    },

    exists(id: string): Promise<boolean> {
      return track(async () => {
        const { path } = locate(id);
        try {
          return (await stat(path)).isFile();
        } catch (error) {
          if (isCode(error, 'ENOENT')) return false;
          throw error;
        }
      });
    },

    async close(): Promise<void> {
      closed = true;
      await Promise.all(inFlight);
    },
  };
}

/** Writes every chunk, hashing as it goes; throws {@link BlobTooLargeError} before writing past `max`. */
async function writeAll(file: FileHandle, data: BlobSource, max: number): Promise<StoredBlob> {
  const hash = createHash('sha256');
  let size = 0;
  const chunks: Iterable<Uint8Array> | AsyncIterable<Uint8Array> = data instanceof Uint8Array ? [data] : data;
  // Leaving the loop by a throw calls the source's `return()`, which destroys a Node Readable.
  for await (const chunk of chunks) {
    if (!(chunk instanceof Uint8Array)) throw new TypeError('blob chunks must be Uint8Array');
    size += chunk.byteLength;
    if (size > max) throw new BlobTooLargeError(max);
    hash.update(chunk);
    let offset = 0;
    while (offset < chunk.byteLength) {
      const { bytesWritten } = await file.write(chunk, offset, chunk.byteLength - offset);
      offset += bytesWritten;
    }
  }
  return { size, sha256: hash.digest('hex') };
}

/** Makes a directory's entries (a rename, an unlink, a new subdirectory) durable. */
async function fsyncDir(dir: string): Promise<void> {
  // Windows cannot open a directory for fsync; NTFS journals its metadata instead.
  if (process.platform === 'win32') return;
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function sweepStaleTemps(root: string, staleMs: number): Promise<void> {
  const now = Date.now();
  for (const sub of await readdir(root, { withFileTypes: true })) {
    if (!sub.isDirectory() || !/^[0-9a-f]{2}$/.test(sub.name)) continue;
    const dir = join(root, sub.name);
    for (const name of await readdir(dir)) {
      if (!name.includes('.tmp-')) continue;
      const path = join(dir, name);
      try {
        if (now - (await stat(path)).mtimeMs >= staleMs) await unlink(path);
      } catch (error) {
        if (!isCode(error, 'ENOENT')) throw error;
      }
    }
  }
}

function isCode(error: unknown, code: string): boolean {
  return (error as NodeJS.ErrnoException | null)?.code === code;
}
