import type { Readable } from 'node:stream';
import type { api } from '@retract/protocol';
import { checkDeclared, isBlobTooLargeError, sniffType, SNIFF_BYTES } from '../blobs/index.js';
import { AppError } from '../errors.js';
import { newId } from '../ids.js';
import type { AttachmentRecord } from '../storage/records.js';
import type { ActionContext, Actor } from './context.js';
import { requireVisibleMessage } from './messages.js';

type Kind = AttachmentRecord['kind'];

/**
 * Stores an upload. The first bytes decide what it is — the client's word is checked, never trusted: an
 * "image" that is a PDF is refused. The bytes stream to the blob store (never whole in memory) and the
 * size limit is enforced while they arrive.
 */
export async function uploadAttachment(
  ctx: ActionContext,
  actor: Actor,
  input: { kind: Kind; name?: string | undefined },
  source: AsyncIterable<Uint8Array>,
): Promise<api.UploadResponse> {
  const iterator = source[Symbol.asyncIterator]();
  const head: Uint8Array[] = [];
  let headBytes = 0;
  let done = false;
  while (headBytes < SNIFF_BYTES) {
    const next = await iterator.next();
    if (next.done) {
      done = true;
      break;
    }
    head.push(next.value);
    headBytes += next.value.length;
  }
  const headBuffer = Buffer.concat(head);
  const check = checkDeclared(input.kind, sniffType(headBuffer.subarray(0, SNIFF_BYTES)));
  if (!check.ok) {
    await iterator.return?.();
    throw new AppError('attachment_type_mismatch', {
      declared: input.kind,
      found: check.sniffed?.mime ?? 'unknown',
    });
  }
  async function* all(): AsyncIterable<Uint8Array> {
    yield headBuffer;
    if (done) return;
    for (;;) {
      const next = await iterator.next();
      if (next.done) return;
      yield next.value;
    }
  }
  const id = newId('a');
  let stored;
  try {
    stored = await ctx.blobs.put(id, all(), { maxBytes: ctx.config.attachments.maxBytes });
  } catch (error) {
    if (isBlobTooLargeError(error)) {
      throw new AppError('attachment_too_large', { maxBytes: ctx.config.attachments.maxBytes });
    }
    throw error;
  }
  const record = {
    id,
    uploaderId: actor.userId,
    kind: check.kind as Kind,
    mime: check.mime,
    name: input.name ?? 'attachment',
    size: stored.size,
    sha256: stored.sha256,
    createdAt: ctx.clock.now(),
  };
  await ctx.storage.transaction((tx) => tx.insertAttachment(record));
  return {
    attachment: { id, mime: record.mime, name: record.name, size: record.size },
    kind: record.kind,
  };
}

/**
 * Opens an attachment for download: for members who can see its message (or its uploader before it is
 * sent). Someone who cannot see it gets `not_found`; a member asking for the file of a recalled message
 * gets `attachment_gone`.
 */
export async function openAttachment(
  ctx: ActionContext,
  actor: Actor,
  id: string,
): Promise<{ record: AttachmentRecord; size: number; stream: Readable }> {
  const record = await ctx.storage.read(async (tx) => {
    const found = await tx.findAttachment(id);
    if (!found) throw new AppError('not_found');
    if (found.messageId === null) {
      if (found.uploaderId !== actor.userId) throw new AppError('not_found');
    } else {
      await requireVisibleMessage(tx, found.messageId, actor.userId);
    }
    return found;
  });
  if (record.deletedAt !== null) throw new AppError('attachment_gone');
  const opened = await ctx.blobs.open(id);
  if (!opened) throw new AppError('attachment_gone');
  return { record, size: opened.size, stream: opened.stream as Readable };
}
