import type { api } from '@retract/protocol';
import type { Message } from '@retract/sdk';
import { useEffect, useRef, useState } from 'preact/hooks';
import { useT } from '../i18n/index.js';
import { upload } from '../lib/api.js';
import { useModel } from '../lib/hooks.js';
import { ErrorText } from './ErrorText.js';
import { CloseIcon, PaperclipIcon, ReplyIcon, SendIcon } from './icons.js';
import { PendingAttachments, type PendingFile } from './PendingAttachments.js';
import { PreSendDialog } from './PreSendDialog.js';

interface Props {
  readonly conversationId: string;
  readonly replyTo: Message | null;
  readonly onClearReply: () => void;
  readonly dropped: readonly File[];
  readonly onDroppedHandled: () => void;
  readonly nameOf: (userId: string) => string;
}

/** At most this many files wait in the composer at once (each is its own message when sent). */
const maxPendingFiles = 10;

/**
 * Writes and sends: the pre-send check runs first (a warning dialog when it finds sensitive content),
 * then the send; a `held` answer (send delay) becomes an undo toast. Files chosen or dropped wait in the
 * composer with a preview until the user sends them; the text goes with the first as its caption. Drafts
 * put here by re-edit, undo and "send a correction" are taken from the model.
 */
export function Composer({
  conversationId,
  replyTo,
  onClearReply,
  dropped,
  onDroppedHandled,
  nameOf,
}: Props) {
  const { t } = useT();
  const model = useModel();
  const client = model.client;
  const [text, setText] = useState('');
  const [corrects, setCorrects] = useState<string | null>(null);
  const [check, setCheck] = useState<api.CheckMessageResponse | null>(null);
  const [uploading, setUploading] = useState<string | null>(null);
  const [pending, setPending] = useState<readonly PendingFile[]>([]);
  const [error, setError] = useState<unknown>(null);
  const input = useRef<HTMLTextAreaElement>(null);

  // The field grows with its text up to the CSS max-height, then scrolls.
  useEffect(() => {
    const field = input.current;
    if (field === null) return;
    field.style.height = 'auto';
    field.style.height = `${field.scrollHeight + 2}px`;
  }, [text]);

  const draft = model.drafts.get(conversationId);
  useEffect(() => {
    if (draft === undefined) return;
    model.drafts.delete(conversationId);
    setText(draft.body);
    setCorrects(draft.corrects ?? null);
    input.current?.focus();
  }, [draft]);

  const deliver = async (fields: Omit<api.SendMessageRequest, 'clientMsgId'>): Promise<void> => {
    if (client === null) return;
    const response = await client.http.sendMessage(conversationId, {
      clientMsgId: crypto.randomUUID(),
      ...fields,
    });
    if (response.held !== undefined) {
      model.addHeld({ messageId: response.message.id, conversationId, until: response.held.until });
    }
  };

  const sendText = async (): Promise<void> => {
    const body = text.trim();
    if (client === null) return;
    if (pending.length > 0) return sendFiles(body);
    if (body === '') return;
    setError(null);
    try {
      await deliver({
        body,
        ...(replyTo === null ? {} : { replyTo: replyTo.id }),
        ...(corrects === null ? {} : { corrects }),
      });
      setText('');
      setCorrects(null);
      onClearReply();
    } catch (err) {
      setError(err);
    }
  };

  const submit = async (e?: Event): Promise<void> => {
    e?.preventDefault();
    const body = text.trim();
    if ((body === '' && pending.length === 0) || client === null) return;
    setError(null);
    if (body === '') return sendText();
    try {
      const result = await client.http.checkMessage(conversationId, body);
      if (result.findings.length > 0) {
        setCheck(result);
        return;
      }
    } catch {
      // The check is advice: if it cannot run, sending still works.
    }
    await sendText();
  };

  const addFiles = (files: readonly File[]): void => {
    if (files.length === 0) return;
    setPending((now) =>
      [...now, ...files.map((file) => ({ key: crypto.randomUUID(), file }))].slice(0, maxPendingFiles),
    );
    input.current?.focus();
  };

  /**
   * Uploads and sends each waiting file as its own message, the caption (and the reply) with the first.
   * A file that fails stays in the tray with the error shown, so nothing is lost; the rest still go.
   */
  const sendFiles = async (caption: string): Promise<void> => {
    if (client === null) return;
    setError(null);
    const failed: PendingFile[] = [];
    let first = true;
    for (const item of pending) {
      setUploading(item.file.name);
      try {
        const { attachment, kind } = await upload(client, item.file);
        await deliver({
          type: kind,
          attachmentId: attachment.id,
          ...(first && caption !== '' ? { body: caption } : {}),
          ...(first && replyTo !== null ? { replyTo: replyTo.id } : {}),
        });
        if (first) {
          setText('');
          onClearReply();
        }
        first = false;
      } catch (err) {
        failed.push(item);
        setError(err);
      }
    }
    setPending(failed);
    setUploading(null);
  };

  useEffect(() => {
    if (dropped.length === 0) return;
    onDroppedHandled();
    addFiles(dropped);
  }, [dropped]);

  return (
    <form class="composer" data-testid="composer-form" onSubmit={(e) => void submit(e)}>
      {replyTo !== null && (
        <div class="composer-context" data-testid="reply-context">
          <ReplyIcon size={16} />
          <span class="context-text">
            <strong>{t('chat.replyingTo', { name: nameOf(replyTo.senderId) })}</strong>
            {replyTo.body !== null && <span class="context-quote">{replyTo.body}</span>}
          </span>
          <button
            type="button"
            class="icon-button small"
            data-testid="reply-cancel"
            aria-label={t('chat.cancelReply')}
            onClick={onClearReply}
          >
            <CloseIcon size={16} />
          </button>
        </div>
      )}
      {corrects !== null && (
        <div class="composer-context" data-testid="correction-context">
          <span class="context-text">
            <strong>{t('chat.correcting')}</strong>
          </span>
          <button
            type="button"
            class="icon-button small"
            data-testid="correction-cancel"
            aria-label={t('chat.cancelCorrection')}
            onClick={() => setCorrects(null)}
          >
            <CloseIcon size={16} />
          </button>
        </div>
      )}
      <PendingAttachments
        files={pending}
        onRemove={(key) => setPending((now) => now.filter((p) => p.key !== key))}
      />
      <div class="composer-row">
        <label class="attach" title={t('chat.attach')}>
          <PaperclipIcon size={20} />
          <span class="visually-hidden">{t('chat.attach')}</span>
          <input
            type="file"
            multiple
            class="visually-hidden"
            data-testid="upload-input"
            aria-label={t('chat.attach')}
            onChange={(e) => {
              const files = Array.from(e.currentTarget.files ?? []);
              e.currentTarget.value = '';
              addFiles(files);
            }}
          />
        </label>
        <textarea
          ref={input}
          rows={1}
          data-testid="composer-input"
          aria-label={t('chat.composer')}
          placeholder={t('chat.composerPlaceholder')}
          value={text}
          onInput={(e) => setText(e.currentTarget.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
              e.preventDefault();
              void submit();
            }
          }}
        />
        <button
          type="submit"
          class="primary send"
          data-testid="send-button"
          title={t('chat.send')}
          disabled={(text.trim() === '' && pending.length === 0) || uploading !== null}
        >
          <SendIcon size={18} />
          <span class="send-label">{t('chat.send')}</span>
        </button>
      </div>
      {uploading !== null && (
        <p role="status" class="hint upload-status" data-testid="upload-status">
          {t('chat.uploading', { name: uploading })}
        </p>
      )}
      <ErrorText error={error} testid="composer-error" />
      {check !== null && (
        <PreSendDialog
          check={check}
          onSend={() => {
            setCheck(null);
            void sendText();
          }}
          onEdit={() => {
            setCheck(null);
            input.current?.focus();
          }}
        />
      )}
    </form>
  );
}
