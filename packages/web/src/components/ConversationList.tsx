import { useT } from '../i18n/index.js';
import { listTime } from '../lib/format.js';
import { useModel } from '../lib/hooks.js';
import { conversationName, nameLookup } from '../lib/names.js';
import { byActivity, lastMessagePreview } from '../lib/preview.js';
import { unreadCount } from '../lib/receipts.js';
import { conversationHref } from '../lib/route.js';
import { Avatar } from './Avatar.js';
import { avatarId } from '../lib/avatar.js';

/**
 * Every conversation, newest activity first, with its avatar, last message, time and unread count;
 * `data-conversation-id` identifies each item. The heading it is labelled by sits in the sidebar header.
 */
export function ConversationList({ activeId }: { activeId: string | null }) {
  const { t, locale } = useT();
  const model = useModel();
  const client = model.client;
  if (client === null) return null;
  const myId = client.user?.id ?? client.store.userId;
  const conversations = byActivity(client.store.conversations(), (id) => client.store.messages(id));
  return (
    <nav class="conversation-nav" aria-labelledby="conversations-heading">
      {conversations.length === 0 && <p class="hint list-empty">{t('list.empty')}</p>}
      <ul class="conversations" data-testid="conversation-list">
        {conversations.map((c) => {
          const messages = client.store.messages(c.id);
          const unread = unreadCount(messages, myId, model.reads[c.id] ?? {});
          const name = conversationName(c, myId);
          const title = t(name.key, name.values);
          const others = c.members.filter((m) => m.userId !== myId).map((m) => m.username);
          const preview = lastMessagePreview(messages, myId, nameLookup(c));
          const previewText = preview === null ? null : t(preview.phrase.key, preview.phrase.values);
          return (
            <li key={c.id}>
              <a
                href={conversationHref(c.id)}
                data-testid="conversation-item"
                data-conversation-id={c.id}
                aria-current={c.id === activeId ? 'page' : undefined}
                class={`conversation${c.id === activeId ? ' active' : ''}${unread > 0 ? ' unread' : ''}`}
              >
                <Avatar id={avatarId(c, myId)} name={c.title ?? (others.join(' ') || title)} size={44} />
                <span class="conversation-text">
                  <span class="conversation-top">
                    <span class="conversation-name">{title}</span>
                    {preview !== null && (
                      <time class="conversation-time" dateTime={preview.sentAt}>
                        {listTime(preview.sentAt, locale)}
                      </time>
                    )}
                  </span>
                  <span class="conversation-bottom">
                    <span
                      class={
                        preview?.recalled === true ? 'conversation-preview recalled' : 'conversation-preview'
                      }
                      data-testid="conversation-preview"
                    >
                      {previewText === null
                        ? t('list.noMessages')
                        : preview?.mine === true && !preview.recalled
                          ? t('list.previewMine', { text: previewText })
                          : previewText}
                    </span>
                    {unread > 0 && (
                      <span
                        class="badge"
                        data-testid="unread-count"
                        aria-label={t('list.unread', { count: unread })}
                      >
                        {unread}
                      </span>
                    )}
                  </span>
                </span>
              </a>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}
