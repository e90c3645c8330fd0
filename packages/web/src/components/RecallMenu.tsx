import type { api } from '@retract/protocol';
import type { Message } from '@retract/sdk';
import { useEffect, useRef, useState } from 'preact/hooks';
import { useT } from '../i18n/index.js';
import { durationPhrase, formatTime, msUntil } from '../lib/format.js';
import { useModel, useNow } from '../lib/hooks.js';
import { ErrorText } from './ErrorText.js';
import { ClockIcon, CloseIcon } from './icons.js';

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
  const card = useRef<HTMLDivElement>(null);
  // Focus moves into the card so the keyboard continues where the eyes go; Escape closes it.
  useEffect(() => card.current?.focus(), []);

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
    <div
      ref={card}
      tabIndex={-1}
      class="recall-menu"
      role="dialog"
      aria-labelledby={`recall-title-${message.id}`}
      data-testid="recall-menu"
      onKeyDown={(e) => {
        if (e.key === 'Escape') {
          e.stopPropagation();
          onClose();
        }
      }}
    >
      <header class="recall-header">
        <h3 id={`recall-title-${message.id}`}>{t('recall.title')}</h3>
        <button
          type="button"
          class="icon-button small"
          data-testid="recall-close"
          aria-label={t('common:close')}
          title={t('common:close')}
          onClick={onClose}
        >
          <CloseIcon size={16} />
        </button>
      </header>
      {options === null && error === null && (
        <p role="status" class="hint">
          {t('recall.checking')}
        </p>
      )}
      {recall?.allowed === true && (
        <>
          <p class="countdown" data-testid="recall-countdown" aria-live="off">
            {left === null ? (
              t('recall.noLimit')
            ) : (
              <>
                <span class="countdown-label">
                  <ClockIcon size={16} />
                  {t('recall.timeLeftLabel')}
                </span>
                <strong class={left < 30_000 ? 'countdown-value urgent' : 'countdown-value'}>
                  {time(left)}
                </strong>
              </>
            )}
          </p>
          {recall.reasonRequired && (
            <label class="field">
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
            class="danger block"
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
          <p class="hint">
            {recall.code === 'recall_window_expired' ? t('recall.expired') : t('recall.notAllowed')}
          </p>
          {mine && options.consent.pendingRequestId !== null && (
            <p class="pending" data-testid="recall-consent-pending">
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
    </div>
  );
}
