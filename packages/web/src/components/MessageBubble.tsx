import type { Message } from '@retract/sdk';
import { useRef, useState } from 'preact/hooks';
import { useT } from '../i18n/index.js';
import type { Disappearing } from '../lib/api.js';
import { durationPhrase, formatTime } from '../lib/format.js';
import { useModel } from '../lib/hooks.js';
import { AttachmentView } from './AttachmentView.js';
import { Placeholder } from './Placeholder.js';
import { QuoteView } from './QuoteView.js';
import { RecallMenu } from './RecallMenu.js';

interface Props {
  readonly message: Message;
  readonly mine: boolean;
  readonly myId: string | null;
  readonly read: boolean;
  readonly nameOf: (userId: string) => string;
  readonly timer: Disappearing;
  readonly now: number;
  readonly onReply: () => void;
}

/** Long press on touch screens opens the recall menu, like a right click does with a mouse. */
const longPressMs = 500;

/** One message: content or its placeholder, quote, receipts, timer, and its actions. */
export function MessageBubble({ message, mine, myId, read, nameOf, timer, now, onReply }: Props) {
  const { t, locale } = useT();
  const model = useModel();
  const [menuOpen, setMenuOpen] = useState(false);
  const press = useRef<ReturnType<typeof setTimeout> | null>(null);
  const recalled = message.recalled !== null;
  const sender = mine ? t('common:you') : nameOf(message.senderId);
  const time = formatTime(message.sentAt, locale, now);

  const hide = (): void => {
    model.client?.hide(message.id).catch(() => undefined);
  };
  const endPress = (): void => {
    if (press.current !== null) clearTimeout(press.current);
    press.current = null;
  };

  return (
    <li
      class={`message${mine ? ' mine' : ''}${recalled ? ' recalled' : ''}`}
      data-testid="message"
      data-message-id={message.id}
      data-sender-id={message.senderId}
      data-recalled={recalled ? 'true' : 'false'}
      onContextMenu={(e) => {
        if (recalled) return;
        e.preventDefault();
        setMenuOpen(true);
      }}
      onPointerDown={(e) => {
        if (recalled || e.pointerType !== 'touch') return;
        press.current = setTimeout(() => setMenuOpen(true), longPressMs);
      }}
      onPointerUp={endPress}
      onPointerLeave={endPress}
    >
      <div class="meta">
        <span class="sender">{sender}</span> <time dateTime={message.sentAt}>{time}</time>
        {message.corrects !== undefined && <span class="tag">{t('chat.correction')}</span>}
        {message.correctedBy !== undefined && <span class="tag">{t('chat.corrected')}</span>}
      </div>
      {message.replyTo !== undefined && <QuoteView quote={message.replyTo} myId={myId} nameOf={nameOf} />}
      {recalled && message.recalled !== null ? (
        <Placeholder message={message} tombstone={message.recalled} myId={myId} nameOf={nameOf} />
      ) : (
        <div class="body" data-testid="message-body">
          {message.attachment !== undefined && (
            <AttachmentView attachment={message.attachment} image={message.type === 'image'} />
          )}
          {message.body !== null && <p>{message.body}</p>}
        </div>
      )}
      {!recalled && timer !== null && (
        <div class="timer" data-testid="disappearing-timer">
          {timer.mode === 'after_send'
            ? t('chat.disappearsIn', {
                time: phrase(t, Date.parse(message.sentAt) + timer.seconds * 1000 - now),
              })
            : t('chat.disappearsAfterRead', { time: phrase(t, timer.seconds * 1000) })}
        </div>
      )}
      {mine && !recalled && (
        <div class="receipt" data-testid={read ? 'read-receipt' : 'sent-receipt'}>
          {read ? t('chat.read') : t('chat.sent')}
        </div>
      )}
      {!recalled && (
        <div class="actions">
          <button type="button" data-testid="reply-button" onClick={onReply}>
            {t('chat.reply')}
          </button>
          {mine ? (
            <button
              type="button"
              data-testid="recall-button"
              aria-haspopup="dialog"
              aria-expanded={menuOpen}
              onClick={() => setMenuOpen(!menuOpen)}
            >
              {t('recall.open')}
            </button>
          ) : (
            <>
              <button type="button" data-testid="hide-button" onClick={hide}>
                {t('chat.hide')}
              </button>
              <button
                type="button"
                data-testid="moderate-button"
                aria-haspopup="dialog"
                aria-expanded={menuOpen}
                aria-label={t('chat.actions')}
                onClick={() => setMenuOpen(!menuOpen)}
              >
                ⋯
              </button>
            </>
          )}
        </div>
      )}
      {menuOpen && !recalled && (
        <RecallMenu message={message} mine={mine} onClose={() => setMenuOpen(false)} />
      )}
    </li>
  );
}

function phrase(t: (key: string, values?: Record<string, unknown>) => string, ms: number): string {
  const p = durationPhrase(ms);
  return t(p.key, p.values);
}
