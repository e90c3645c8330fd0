import type { api } from '@retract/protocol';
import type { Message } from '@retract/sdk';
import { useEffect, useState } from 'preact/hooks';
import { useT } from '../i18n/index.js';
import { durationPhrase, formatTime, msUntil } from '../lib/format.js';
import { useModel, useNow } from '../lib/hooks.js';
import { ErrorText } from './ErrorText.js';

/**
 * The recall action, asking the server what is possible now (it decides, on its clock): a live countdown
 * while the window is open; past it, what is still possible — consent, a correction, delete for me —
 * rather than a button that can only fail.
 */
export function RecallMenu({
  message,
  mine,
  onClose,
}: {
  message: Message;
  mine: boolean;
  onClose: () => void;
}) {
  const { t, locale } = useT();
  const model = useModel();
  const client = model.client;
  const [options, setOptions] = useState<api.RecallOptionsResponse | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const now = useNow(options !== null);

  const load = async (): Promise<void> => {
    if (client === null) return;
    try {
      setOptions(await client.http.recallOptions(message.id));
    } catch (err) {
      setError(err);
    }
  };
  useEffect(() => {
    void load();
  }, [message.id]);

  const recall = options?.recall;
  const until = recall?.allowed === true ? recall.until : null;
  const left = until === null ? null : msUntil(until, now);
  // The window closed while the menu was open: ask again, the alternatives are what is left.
  useEffect(() => {
    if (left === 0) void load();
  }, [left === 0]);

  const act = async (action: () => Promise<unknown>, close = true): Promise<void> => {
    setBusy(true);
    setError(null);
    try {
      await action();
      if (close) onClose();
      else await load();
    } catch (err) {
      setError(err);
      await load();
    } finally {
      setBusy(false);
    }
  };

  const doRecall = (): Promise<void> =>
    act(async () => {
      const response = await client?.recall(message.id, reason.trim() === '' ? undefined : reason.trim());
      if (response?.reEdit !== undefined) {
        model.reEdits.set(message.id, response.reEdit);
        model.changed();
      }
    });

  const correct = (): void => {
    model.drafts.set(message.conversationId, { body: message.body ?? '', corrects: message.id });
    model.changed();
    onClose();
  };

  const time = (ms: number): string => {
    const p = durationPhrase(ms);
    return t(p.key, p.values);
  };

  return (
    <div class="recall-menu" role="dialog" aria-label={t('recall.title')} data-testid="recall-menu">
      <h3>{t('recall.title')}</h3>
      {options === null && error === null && <p role="status">{t('recall.checking')}</p>}
      {recall?.allowed === true && (
        <>
          <p data-testid="recall-countdown" aria-live="off">
            {left === null ? t('recall.noLimit') : t('recall.timeLeft', { time: time(left) })}
          </p>
          {recall.reasonRequired && (
            <label>
              {t('recall.reason')}
              <input
                data-testid="recall-reason"
                required
                placeholder={t('recall.reasonPlaceholder')}
                value={reason}
                onInput={(e) => setReason(e.currentTarget.value)}
              />
            </label>
          )}
          <button
            type="button"
            class="danger"
            data-testid="recall-confirm"
            disabled={busy || (recall.reasonRequired && reason.trim() === '')}
            onClick={() => void doRecall()}
          >
            {t('recall.confirm')}
          </button>
        </>
      )}
      {recall?.allowed === false && options !== null && (
        <div data-testid="recall-alternatives" data-code={recall.code}>
          <p>{recall.code === 'recall_window_expired' ? t('recall.expired') : t('recall.notAllowed')}</p>
          {mine && options.consent.pendingRequestId !== null && (
            <p data-testid="recall-consent-pending">
              {t('recall.consentPending')}{' '}
              <button
                type="button"
                data-testid="recall-alt-cancel-consent"
                disabled={busy}
                onClick={() => {
                  const id = options.consent.pendingRequestId;
                  if (id !== null) void act(() => client?.http.cancelConsent(id) ?? Promise.resolve(), false);
                }}
              >
                {t('recall.cancelConsent')}
              </button>
            </p>
          )}
          <div class="alternatives">
            {mine && options.consent.available && options.consent.pendingRequestId === null && (
              <button
                type="button"
                data-testid="recall-alt-consent"
                disabled={busy}
                title={
                  options.consent.until === null
                    ? undefined
                    : t('recall.consentUntil', { time: formatTime(options.consent.until, locale) })
                }
                onClick={() =>
                  void act(() => client?.http.askConsent(message.id) ?? Promise.resolve(), false)
                }
              >
                {t('recall.askConsent')}
              </button>
            )}
            {mine && message.type === 'text' && (
              <button type="button" data-testid="recall-alt-correct" disabled={busy} onClick={correct}>
                {t('recall.correct')}
              </button>
            )}
            <button
              type="button"
              data-testid="recall-alt-hide"
              disabled={busy}
              onClick={() => void act(() => client?.hide(message.id) ?? Promise.resolve())}
            >
              {t('recall.hideForMe')}
            </button>
          </div>
        </div>
      )}
      <ErrorText error={error} testid="recall-error" />
      <button type="button" data-testid="recall-close" onClick={onClose}>
        {t('common:close')}
      </button>
    </div>
  );
}
