import type { Message, Tombstone } from '@retract/sdk';
import { useT } from '../i18n/index.js';
import { useModel, useNow } from '../lib/hooks.js';
import { canReEdit, placeholderPhrase } from '../lib/placeholder.js';
import { RecallIcon } from './icons.js';

interface Props {
  readonly message: Message;
  readonly tombstone: Tombstone;
  readonly myId: string | null;
  readonly nameOf: (userId: string) => string;
}

/** What a recalled message shows; for one's own recall, a Re-edit while the server's offer lasts. */
export function Placeholder({ message, tombstone, myId, nameOf }: Props) {
  const { t } = useT();
  const model = useModel();
  const reEdit = model.reEdits.get(message.id);
  const now = useNow(reEdit !== undefined);
  const phrase = placeholderPhrase(tombstone, message.senderId, myId, nameOf);
  const offer = canReEdit(reEdit, now) ? reEdit : undefined;
  return (
    <p
      class="placeholder"
      data-testid="recalled-placeholder"
      data-kind={phrase.key.replace('placeholder.', '')}
    >
      <RecallIcon size={14} />
      <span>{t(phrase.key, phrase.values)}</span>
      {tombstone.approvedBy !== undefined && (
        <span class="approved"> · {t('placeholder.approvedBy', { name: nameOf(tombstone.approvedBy) })}</span>
      )}
      {offer !== undefined && (
        <>
          {' · '}
          <button
            type="button"
            class="link"
            data-testid="re-edit-button"
            onClick={() => {
              model.drafts.set(message.conversationId, { body: offer.body });
              model.reEdits.delete(message.id);
              model.changed();
            }}
          >
            {t('placeholder.reEdit')}
          </button>
        </>
      )}
    </p>
  );
}
