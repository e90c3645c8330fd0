import { useState } from 'preact/hooks';
import { useT } from '../i18n/index.js';
import { useModel } from '../lib/hooks.js';
import { ErrorText } from './ErrorText.js';
import { parseUsernames } from './NewConversationForm.js';

/** Adds members to a group (the server allows owners and admins). */
export function AddMembersForm({ conversationId }: { conversationId: string }) {
  const { t } = useT();
  const model = useModel();
  const [names, setNames] = useState('');
  const [error, setError] = useState<unknown>(null);
  const submit = async (e: Event): Promise<void> => {
    e.preventDefault();
    setError(null);
    try {
      await model.client?.http.addMembers(conversationId, { members: parseUsernames(names) });
      setNames('');
    } catch (err) {
      setError(err);
    }
  };
  return (
    <form class="inline-form" data-testid="add-members-form" onSubmit={(e) => void submit(e)}>
      <label class="grow">
        <span class="visually-hidden">{t('members.add')}</span>
        <input
          data-testid="add-members-input"
          aria-label={t('members.add')}
          placeholder={t('members.addPlaceholder')}
          required
          value={names}
          onInput={(e) => setNames(e.currentTarget.value)}
        />
      </label>
      <button type="submit" class="primary" data-testid="add-members-submit">
        {t('members.submit')}
      </button>
      <ErrorText error={error} testid="add-members-error" />
    </form>
  );
}
