import { Fragment } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Message } from '@retract/sdk';
import { useT } from '../i18n/index.js';
import { timeline } from '../lib/timeline.js';
import { disappearing as fetchDisappearing, markRead, type Disappearing } from '../lib/api.js';
import { useModel, useNow } from '../lib/hooks.js';
import { conversationName, nameLookup } from '../lib/names.js';
import { readByOthers, toMarkRead } from '../lib/receipts.js';
import { AddMembersForm } from './AddMembersForm.js';
import { Avatar } from './Avatar.js';
import { avatarId } from '../lib/avatar.js';
import { Composer } from './Composer.js';
import { ConsentCards } from './ConsentCards.js';
import { DisappearingIndicator, DisappearingSettings } from './DisappearingSettings.js';
import { BackIcon, ChatIcon, UsersIcon } from './icons.js';
import { MessageBubble } from './MessageBubble.js';

/** One conversation: its messages live from the store, consent cards, and the composer. */
export function ChatView({ conversationId }: { conversationId: string }) {
  const { t, locale } = useT();
  const model = useModel();
  const client = model.client;
  const [replyTo, setReplyTo] = useState<Message | null>(null);
  const [fetched, setFetched] = useState<Disappearing>(null);
  const [dragging, setDragging] = useState(false);
  const [dropped, setDropped] = useState<File[]>([]);
  const listRef = useRef<HTMLOListElement>(null);

  const conversation = client?.store.conversation(conversationId);
  const messages = client?.store.messages(conversationId) ?? [];
  // The setting as the last `disappearing.changed` left it (the store keeps it, and the model re-renders
  // on every event), so a change by the other person shows at once; before any such event, as fetched.
  const told = client?.store.disappearing(conversationId);
  const timer = told === undefined ? fetched : told;
  // Countdowns tick while a timer is set, and while messages sent under an earlier one still run out.
  const now = useNow(timer !== null || messages.some((m) => m.expiresAt != null && m.recalled === null));
  const myId = client?.user?.id ?? client?.store.userId ?? null;
  const marks = model.reads[conversationId] ?? {};
  const nameOf = nameLookup(conversation);

  useEffect(() => {
    if (client === null) return;
    let current = true;
    setFetched(null);
    // An answer for a conversation no longer open must not stand for the one that is.
    fetchDisappearing(client, conversationId).then(
      (setting) => current && setFetched(setting),
      () => current && setFetched(null),
    );
    return () => {
      current = false;
    };
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
  const title = t(name.key, name.values);
  const others = conversation.members.filter((m) => m.userId !== myId).map((m) => m.username);
  const myRole = conversation.members.find((m) => m.userId === myId)?.role;
  // The day labels need the current time even when no disappearing timer makes `now` tick.
  const rows = timeline(messages, Math.max(now, client.http.serverNow()), locale);

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
        <a href="#/" class="back icon-button" data-testid="back-link" aria-label={t('chat.back')}>
          <BackIcon size={20} />
        </a>
        <Avatar
          id={avatarId(conversation, myId)}
          name={conversation.title ?? (others.join(' ') || title)}
          size={38}
        />
        <div class="chat-heading">
          <h2 id="chat-title" data-testid="chat-title">
            {title}
          </h2>
          <p class="chat-subtitle">
            {conversation.kind === 'direct'
              ? t('list.direct')
              : t('members.count', { count: conversation.members.length })}
          </p>
        </div>
        <DisappearingIndicator timer={timer} />
        <details class="members">
          <summary data-testid="members-toggle">
            <UsersIcon size={16} />
            <span>
              {t('members.heading')} ({conversation.members.length})
            </span>
          </summary>
          <div class="members-panel">
            <ul data-testid="member-list">
              {conversation.members.map((m) => (
                <li key={m.userId}>
                  <Avatar id={m.userId} name={m.username} size={28} />
                  <span class="member-name">{m.username}</span>
                  <span class="member-role">{t(`members.role_${m.role}`)}</span>
                </li>
              ))}
            </ul>
            {conversation.kind === 'group' && <AddMembersForm conversationId={conversationId} />}
            <DisappearingSettings
              conversationId={conversationId}
              timer={timer}
              canChange={myRole === 'owner' || model.admin}
            />
          </div>
        </details>
      </header>
      {dragging && (
        <div class="drop-hint" data-testid="drop-zone">
          {t('chat.dropHere')}
        </div>
      )}
      <ol class="messages" ref={listRef} aria-label={t('chat.messages')} data-testid="message-list">
        {messages.length === 0 && (
          <li class="empty-state compact" data-testid="empty-conversation">
            <span class="empty-icon">
              <ChatIcon size={28} />
            </span>
            <p>{t('chat.empty')}</p>
          </li>
        )}
        {rows.map(({ message: m, day, groupStart, groupEnd }) => (
          <Fragment key={m.id}>
            {day !== null && (
              <li class="day-separator" data-testid="day-separator">
                <span>{t(day.key, day.values)}</span>
              </li>
            )}
            <MessageBubble
              message={m}
              mine={m.senderId === myId}
              myId={myId}
              read={read.has(m.id)}
              nameOf={nameOf}
              groupStart={groupStart}
              groupEnd={groupEnd}
              timer={timer}
              now={now}
              onReply={() => setReplyTo(m)}
            />
          </Fragment>
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
