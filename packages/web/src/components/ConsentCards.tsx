import { useState } from 'preact/hooks';
import { useT } from '../i18n/index.js';
import { formatTime } from '../lib/format.js';
import { useModel } from '../lib/hooks.js';
import { nameLookup } from '../lib/names.js';
import { Avatar } from './Avatar.js';
import { ErrorText } from './ErrorText.js';

/**
 * Consent requests of this conversation, from the store (kept current by consent.* events): a card to
 * approve or decline for the one who decides, the request's status for the one who asked.
 */
export function ConsentCards({ conversationId }: { conversationId: string }) {
  const { t, locale } = useT();
  const model = useModel();
  const [dismissed, setDismissed] = useState<ReadonlySet<string>>(new Set());
  const [error, setError] = useState<unknown>(null);
  const client = model.client;
  if (client === null) return null;
  const myId = client.user?.id ?? client.store.userId;
  const nameOf = nameLookup(client.store.conversation(conversationId));
  const requests = client.store
    .consentRequests()
    .filter((r) => r.conversationId === conversationId && !dismissed.has(r.id))
    .filter((r) => r.requestedBy === myId || r.status === 'pending');
  if (requests.length === 0) return null;
  const decide = async (action: () => Promise<unknown>): Promise<void> => {
    setError(null);
    try {
      await action();
    } catch (err) {
      setError(err);
    }
  };
  const bodyOf = (messageId: string): string | null =>
    client.store.messages(conversationId).find((m) => m.id === messageId)?.body ?? null;

  return (
    <div class="consents">
      {requests.map((r) =>
        r.requestedBy === myId ? (
          <div
            key={r.id}
            class={`card status-card status-${r.status}`}
            data-testid="consent-status"
            data-request-id={r.id}
            data-status={r.status}
          >
            <span class="card-text">
              <strong>{t('consent.statusTitle')}</strong>
              <span>{t(`consent.status_${r.status}`)}</span>
            </span>
            {r.status === 'pending' ? (
              <button
                type="button"
                data-testid="consent-cancel"
                onClick={() => void decide(() => client.http.cancelConsent(r.id))}
              >
                {t('recall.cancelConsent')}
              </button>
            ) : (
              <button
                type="button"
                data-testid="consent-dismiss"
                onClick={() => setDismissed(new Set([...dismissed, r.id]))}
              >
                {t('consent.dismiss')}
              </button>
            )}
          </div>
        ) : (
          <div
            key={r.id}
            class="card actionable"
            role="group"
            aria-label={t('consent.cardTitle', { name: nameOf(r.requestedBy) })}
            data-testid="consent-card"
            data-request-id={r.id}
            data-message-id={r.messageId}
          >
            <span class="card-title">
              <Avatar id={r.requestedBy} name={nameOf(r.requestedBy)} size={28} />
              <strong>{t('consent.cardTitle', { name: nameOf(r.requestedBy) })}</strong>
            </span>
            {bodyOf(r.messageId) !== null && (
              <q class="consent-quote">{t('consent.quote', { body: bodyOf(r.messageId) })}</q>
            )}
            {r.reason !== null && <span>{t('consent.reason', { reason: r.reason })}</span>}
            <span class="hint">{t('consent.expires', { time: formatTime(r.expiresAt, locale) })}</span>
            <div class="card-actions">
              <button
                type="button"
                class="primary"
                data-testid="consent-approve"
                onClick={() => void decide(() => client.http.approveConsent(r.id))}
              >
                {t('consent.approve')}
              </button>
              <button
                type="button"
                data-testid="consent-decline"
                onClick={() => void decide(() => client.http.declineConsent(r.id))}
              >
                {t('consent.decline')}
              </button>
            </div>
          </div>
        ),
      )}
      <ErrorText error={error} testid="consent-error" />
    </div>
  );
}
