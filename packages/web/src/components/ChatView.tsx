import { useEffect, useRef, useState } from 'preact/hooks';
import type { Message } from '@retract/sdk';
import { useT } from '../i18n/index.js';
import { disappearing as fetchDisappearing, markRead, type Disappearing } from '../lib/api.js';
import { useModel, useNow } from '../lib/hooks.js';
import { conversationName, nameLookup } from '../lib/names.js';
import { readByOthers, toMarkRead } from '../lib/receipts.js';
import { AddMembersForm } from './AddMembersForm.js';
import { Composer } from './Composer.js';
import { ConsentCards } from './ConsentCards.js';
import { MessageBubble } from './MessageBubble.js';

/** One conversation: its messages live from the store, consent cards, and the composer. */
export function ChatView({ conversationId }: { conversationId: string }) {
  const { t } = useT();
  const model = useModel();
  const client = model.client;
  const [replyTo, setReplyTo] = useState<Message | null>(null);
  const [timer, setTimer] = useState<Disappearing>(null);
  const [dragging, setDragging] = useState(false);
  const [dropped, setDropped] = useState<File[]>([]);
  const listRef = useRef<HTMLOListElement>(null);
  const now = useNow(timer !== null);

  const conversation = client?.store.conversation(conversationId);
  const messages = client?.store.messages(conversationId) ?? [];
  const myId = client?.user?.id ?? client?.store.userId ?? null;
  const marks = model.reads[conversationId] ?? {};
  const nameOf = nameLookup(conversation);

  useEffect(() => {
    if (client === null) return;
    fetchDisappearing(client, conversationId).then(setTimer, () => setTimer(null));
  }, [client, conversationId]);

  // Reading the conversation while it is open: tell the server (and so the senders) what was seen.
  const markId = toMarkRead(messages, myId, marks);
  useEffect(() => {
    if (client === null || markId === null || document.visibilityState === 'hidden') return;
    markRead(client, conversationId, markId).catch(() => undefined);
  }, [client, conversationId, markId]);

  // Keep the newest message in view as messages arrive.
  useEffect(() => {
    const list = listRef.current;
    if (list !== null) list.scrollTop = list.scrollHeight;
  }, [messages.length]);

  if (client === null) return null;
  if (conversation === undefined) return <p class="hint">{t('common:loading')}</p>;
  const read = readByOthers(messages, myId, marks);
  const name = conversationName(conversation, myId);

  return (
    <section
      class={dragging ? 'chat dragging' : 'chat'}
      aria-labelledby="chat-title"
      data-testid="chat-view"
      data-conversation-id={conversationId}
      onDragOver={(e) => {
        e.preventDefault();
        setDragging(true);
      }}
      onDragLeave={() => setDragging(false)}
      onDrop={(e) => {
        e.preventDefault();
        setDragging(false);
        setDropped(Array.from(e.dataTransfer?.files ?? []));
      }}
    >
      <header class="chat-header">
        <a href="#/" class="back" data-testid="back-link" aria-label={t('chat.back')}>
          ←
        </a>
        <h2 id="chat-title" data-testid="chat-title">
          {t(name.key, name.values)}
        </h2>
        <details class="members">
          <summary data-testid="members-toggle">
            {t('members.heading')} ({conversation.members.length})
          </summary>
          <ul data-testid="member-list">
            {conversation.members.map((m) => (
              <li key={m.userId}>
                {m.username} · {t(`members.role_${m.role}`)}
              </li>
            ))}
          </ul>
          {conversation.kind === 'group' && <AddMembersForm conversationId={conversationId} />}
        </details>
      </header>
      {dragging && (
        <div class="drop-hint" data-testid="drop-zone">
          {t('chat.dropHere')}
        </div>
      )}
      <ol class="messages" ref={listRef} aria-label={t('chat.messages')} data-testid="message-list">
        {messages.length === 0 && <li class="hint">{t('chat.empty')}</li>}
        {messages.map((m) => (
          <MessageBubble
            key={m.id}
            message={m}
            mine={m.senderId === myId}
            myId={myId}
            read={read.has(m.id)}
            nameOf={nameOf}
            timer={timer}
            now={now}
            onReply={() => setReplyTo(m)}
          />
        ))}
      </ol>
      <ConsentCards conversationId={conversationId} />
      <Composer
        conversationId={conversationId}
        replyTo={replyTo}
        onClearReply={() => setReplyTo(null)}
        dropped={dropped}
        onDroppedHandled={() => setDropped([])}
        nameOf={nameOf}
      />
    </section>
  );
}
