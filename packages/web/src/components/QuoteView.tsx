import type { Quote } from '@retract/protocol';
import { useT } from '../i18n/index.js';
import { placeholderPhrase } from '../lib/placeholder.js';

/** A quoted message as it is now: once the original is recalled, the quote shows the placeholder. */
export function QuoteView({
  quote,
  myId,
  nameOf,
}: {
  quote: Quote;
  myId: string | null;
  nameOf: (userId: string) => string;
}) {
  const { t } = useT();
  const recalled = quote.recalled;
  const placeholder = recalled === null ? null : placeholderPhrase(recalled, quote.senderId, myId, nameOf);
  return (
    <blockquote
      class="quote"
      data-testid="quote"
      data-quoted-id={quote.messageId}
      data-recalled={recalled === null ? 'false' : 'true'}
    >
      <span class="sender">{quote.senderId === myId ? t('common:you') : nameOf(quote.senderId)}</span>
      {placeholder !== null ? (
        <span class="placeholder" data-testid="quote-placeholder">
          {t(placeholder.key, placeholder.values)}
        </span>
      ) : (
        <span>{quote.body ?? t(`chat.type_${quote.type}`)}</span>
      )}
    </blockquote>
  );
}
