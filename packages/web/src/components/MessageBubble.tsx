import type { Message } from '@retract/sdk';
import { useRef, useState } from 'preact/hooks';
import { useT } from '../i18n/index.js';
import type { Disappearing } from '../lib/api.js';
import { clockTime } from '../lib/format.js';
import { useModel } from '../lib/hooks.js';
import { AttachmentView } from './AttachmentView.js';
import { Avatar } from './Avatar.js';
import { CheckIcon, DoubleCheckIcon, MoreIcon, RecallIcon, ReplyIcon, TrashIcon } from './icons.js';
import { Placeholder } from './Placeholder.js';
import { QuoteView } from './QuoteView.js';
import { DisappearingTimer } from './DisappearingTimer.js';
import { RecallMenu } from './RecallMenu.js';

interface Props {
  readonly message: Message;
  readonly mine: boolean;
  readonly myId: string | null;
  readonly read: boolean;
  readonly nameOf: (userId: string) => string;
  /** First of a run from one sender: the name is shown above it. */
  readonly groupStart?: boolean;
  /** Last of the run: the avatar sits beside it. */
  readonly groupEnd?: boolean;
  readonly timer: Disappearing;
  readonly now: number;
  readonly onReply: () => void;
}

/** Long press on touch screens opens the recall menu, like a right click does with a mouse. */
const longPressMs = 500;

/**
 * One message: content or its placeholder, quote, receipts, timer, and its actions (shown on hover and
 * whenever focus is inside the message, so the keyboard reaches them too).
 */
export function MessageBubble({
  message,
  mine,
  myId,
  read,
  nameOf,
  groupStart = true,
  groupEnd = true,
  timer,
  now,
  onReply,
}: Props) {
  const { t, locale } = useT();
  const model = useModel();
  const [menuOpen, setMenuOpen] = useState(false);
  const press = useRef<ReturnType<typeof setTimeout> | null>(null);
  const opener = useRef<HTMLButtonElement>(null);
  const recalled = message.recalled !== null;
  const sender = mine ? t('common:you') : nameOf(message.senderId);
  const time = clockTime(message.sentAt, locale);
  const showName = !mine && !recalled && groupStart;

  const hide = (): void => {
    model.client?.hide(message.id).catch(() => undefined);
  };
  const endPress = (): void => {
    if (press.current !== null) clearTimeout(press.current);
    press.current = null;
  };
  const closeMenu = (): void => {
    setMenuOpen(false);
    // Give focus back to the control that opened the menu (it is still there unless the message went).
    setTimeout(() => opener.current?.focus(), 0);
  };
  const receipt = read ? t('chat.read') : t('chat.sent');

  return (
    <li
      class={`message${mine ? ' mine' : ' theirs'}${recalled ? ' recalled' : ''}${groupStart ? ' group-start' : ''}${groupEnd ? ' group-end' : ''}`}
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
      {!mine && !recalled && (
        <span class="message-avatar">
          {groupEnd && <Avatar id={message.senderId} name={sender} size={32} />}
        </span>
      )}
      <div class="message-main">
        <div class={showName ? 'sender' : 'sender visually-hidden'}>{sender}</div>
        <div class="bubble-row">
          <div class="bubble">
            {message.corrects !== undefined && <span class="tag">{t('chat.correction')}</span>}
            {message.correctedBy !== undefined && <span class="tag">{t('chat.corrected')}</span>}
            {message.replyTo !== undefined && (
              <QuoteView quote={message.replyTo} myId={myId} nameOf={nameOf} />
            )}
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
            <DisappearingTimer message={message} timer={timer} now={now} />
            {!recalled && (
              <span class="stamp">
                <time dateTime={message.sentAt}>{time}</time>
                {mine && (
                  <span
                    class={read ? 'receipt read' : 'receipt'}
                    data-testid={read ? 'read-receipt' : 'sent-receipt'}
                    role="img"
                    aria-label={receipt}
                    title={receipt}
                  >
                    {read ? <DoubleCheckIcon size={15} /> : <CheckIcon size={15} />}
                  </span>
                )}
              </span>
            )}
          </div>
          {!recalled && (
            <div class="actions">
              <button
                type="button"
                class="action"
                data-testid="reply-button"
                title={t('chat.reply')}
                onClick={onReply}
              >
                <ReplyIcon size={16} />
                <span class="visually-hidden">{t('chat.reply')}</span>
              </button>
              {mine ? (
                <button
                  type="button"
                  ref={opener}
                  class="action recall"
                  data-testid="recall-button"
                  aria-haspopup="dialog"
                  aria-expanded={menuOpen}
                  title={t('recall.open')}
                  onClick={() => setMenuOpen(!menuOpen)}
                >
                  <RecallIcon size={16} />
                  <span class="visually-hidden">{t('recall.open')}</span>
                </button>
              ) : (
                <>
                  <button
                    type="button"
                    class="action"
                    data-testid="hide-button"
                    title={t('chat.hide')}
                    onClick={hide}
                  >
                    <TrashIcon size={16} />
                    <span class="visually-hidden">{t('chat.hide')}</span>
                  </button>
                  <button
                    type="button"
                    ref={opener}
                    class="action"
                    data-testid="moderate-button"
                    aria-haspopup="dialog"
                    aria-expanded={menuOpen}
                    aria-label={t('chat.actions')}
                    title={t('chat.actions')}
                    onClick={() => setMenuOpen(!menuOpen)}
                  >
                    <MoreIcon size={16} />
                  </button>
                </>
              )}
            </div>
          )}
        </div>
        {menuOpen && !recalled && <RecallMenu message={message} mine={mine} onClose={closeMenu} />}
      </div>
    </li>
  );
}
