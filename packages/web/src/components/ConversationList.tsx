import { useT } from '../i18n/index.js';
import { useModel } from '../lib/hooks.js';
import { conversationName } from '../lib/names.js';
import { unreadCount } from '../lib/receipts.js';
import { conversationHref } from '../lib/route.js';

/** Every conversation with its unread count; `data-conversation-id` identifies each item. */
export function ConversationList({ activeId }: { activeId: string | null }) {
  const { t } = useT();
  const model = useModel();
  const client = model.client;
  if (client === null) return null;
  const myId = client.user?.id ?? client.store.userId;
  const conversations = client.store.conversations();
  return (
    <nav aria-labelledby="conversations-heading">
      <h2 id="conversations-heading">{t('list.heading')}</h2>
      {conversations.length === 0 && <p class="hint">{t('list.empty')}</p>}
      <ul class="conversations" data-testid="conversation-list">
        {conversations.map((c) => {
          const unread = unreadCount(client.store.messages(c.id), myId, model.reads[c.id] ?? {});
          const name = conversationName(c, myId);
          return (
            <li key={c.id}>
              <a
                href={conversationHref(c.id)}
                data-testid="conversation-item"
                data-conversation-id={c.id}
                aria-current={c.id === activeId ? 'page' : undefined}
                class={c.id === activeId ? 'active' : undefined}
              >
                <span class="conversation-name">{t(name.key, name.values)}</span>
                {unread > 0 && (
                  <span
                    class="badge"
                    data-testid="unread-count"
                    aria-label={t('list.unread', { count: unread })}
                  >
                    {unread}
                  </span>
                )}
              </a>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}
