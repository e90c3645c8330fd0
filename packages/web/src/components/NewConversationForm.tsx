import { useState } from 'preact/hooks';
import { useT } from '../i18n/index.js';
import { useModel } from '../lib/hooks.js';
import { conversationHref } from '../lib/route.js';
import { ErrorText } from './ErrorText.js';

/** Splits "bob, carol  dave" into usernames. */
export function parseUsernames(text: string): string[] {
  return [...new Set(text.split(/[\s,，]+/).filter((s) => s !== ''))];
}

/** Creates a direct chat (one username) or a group (title + members), then opens it. */
export function NewConversationForm({ onDone }: { onDone?: () => void }) {
  const { t } = useT();
  const model = useModel();
  const [kind, setKind] = useState<'direct' | 'group'>('direct');
  const [title, setTitle] = useState('');
  const [members, setMembers] = useState('');
  const [error, setError] = useState<unknown>(null);

  const submit = async (e: Event): Promise<void> => {
    e.preventDefault();
    const client = model.client;
    if (client === null) return;
    setError(null);
    try {
      const names = parseUsernames(members);
      const { conversation } = await client.http.createConversation(
        kind === 'direct'
          ? { kind, members: names.slice(0, 1) }
          : { kind, members: names, ...(title.trim() === '' ? {} : { title: title.trim() }) },
      );
      setTitle('');
      setMembers('');
      window.location.hash = conversationHref(conversation.id);
      onDone?.();
    } catch (err) {
      setError(err);
    }
  };

  return (
    <form class="panel" data-testid="new-conversation-form" onSubmit={(e) => void submit(e)}>
      <fieldset class="segmented">
        <legend class="visually-hidden">{t('create.kind')}</legend>
        <label>
          <input
            type="radio"
            name="kind"
            data-testid="new-conversation-direct"
            checked={kind === 'direct'}
            onChange={() => setKind('direct')}
          />
          {t('create.direct')}
        </label>
        <label>
          <input
            type="radio"
            name="kind"
            data-testid="new-conversation-group"
            checked={kind === 'group'}
            onChange={() => setKind('group')}
          />
          {t('create.group')}
        </label>
      </fieldset>
      {kind === 'group' && (
        <label class="field">
          {t('create.title')}
          <input
            data-testid="new-conversation-title"
            value={title}
            onInput={(e) => setTitle(e.currentTarget.value)}
          />
        </label>
      )}
      <label class="field">
        {kind === 'direct' ? t('create.member') : t('create.members')}
        <input
          data-testid="new-conversation-members"
          required
          autocomplete="off"
          value={members}
          onInput={(e) => setMembers(e.currentTarget.value)}
        />
      </label>
      <ErrorText error={error} testid="new-conversation-error" />
      <button type="submit" class="primary" data-testid="new-conversation-submit">
        {t('create.submit')}
      </button>
    </form>
  );
}
