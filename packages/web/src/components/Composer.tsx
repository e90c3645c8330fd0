import type { api } from '@retract/protocol';
import type { Message } from '@retract/sdk';
import { useEffect, useRef, useState } from 'preact/hooks';
import { useT } from '../i18n/index.js';
import { upload } from '../lib/api.js';
import { useModel } from '../lib/hooks.js';
import { ErrorText } from './ErrorText.js';
import { PreSendDialog } from './PreSendDialog.js';

interface Props {
  readonly conversationId: string;
  readonly replyTo: Message | null;
  readonly onClearReply: () => void;
  readonly dropped: readonly File[];
  readonly onDroppedHandled: () => void;
  readonly nameOf: (userId: string) => string;
}

/**
 * Writes and sends: the pre-send check runs first (a warning dialog when it finds sensitive content),
 * then the send; a `held` answer (send delay) becomes an undo toast. Drafts put here by re-edit, undo
 * and "send a correction" are taken from the model.
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
  const [error, setError] = useState<unknown>(null);
  const input = useRef<HTMLTextAreaElement>(null);

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
    if (body === '' || client === null) return;
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
    if (body === '' || client === null) return;
    setError(null);
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

  const sendFiles = async (files: readonly File[]): Promise<void> => {
    if (client === null) return;
    setError(null);
    for (const file of files) {
      setUploading(file.name);
      try {
        const { attachment, kind } = await upload(client, file);
        await deliver({ type: kind, attachmentId: attachment.id });
      } catch (err) {
        setError(err);
      }
    }
    setUploading(null);
  };

  useEffect(() => {
    if (dropped.length === 0) return;
    onDroppedHandled();
    void sendFiles(dropped);
  }, [dropped]);

  return (
    <form class="composer" data-testid="composer-form" onSubmit={(e) => void submit(e)}>
      {replyTo !== null && (
        <div class="composer-context" data-testid="reply-context">
          <span>{t('chat.replyingTo', { name: nameOf(replyTo.senderId) })}</span>
          <button
            type="button"
            data-testid="reply-cancel"
            aria-label={t('chat.cancelReply')}
            onClick={onClearReply}
          >
            ✕
          </button>
        </div>
      )}
      {corrects !== null && (
        <div class="composer-context" data-testid="correction-context">
          <span>{t('chat.correcting')}</span>
          <button
            type="button"
            data-testid="correction-cancel"
            aria-label={t('chat.cancelCorrection')}
            onClick={() => setCorrects(null)}
          >
            ✕
          </button>
        </div>
      )}
      <div class="row">
        <label class="attach button-like" title={t('chat.attach')}>
          {/* An inline icon: an emoji paper clip renders as an empty box where no emoji font is installed. */}
          <svg
            aria-hidden="true"
            width="18"
            height="18"
            viewBox="0 0 24 24"
            fill="none"
            stroke="currentColor"
            stroke-width="2"
            stroke-linecap="round"
            stroke-linejoin="round"
          >
            <path d="M21.4 11.1l-9.2 9.2a6 6 0 0 1-8.5-8.5l9.2-9.2a4 4 0 0 1 5.7 5.7l-9.2 9.2a2 2 0 0 1-2.8-2.8l8.5-8.5" />
          </svg>
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
              void sendFiles(files);
            }}
          />
        </label>
        <textarea
          ref={input}
          rows={2}
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
        <button type="submit" class="primary" data-testid="send-button" disabled={text.trim() === ''}>
          {t('chat.send')}
        </button>
      </div>
      {uploading !== null && (
        <p role="status" data-testid="upload-status">
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
