import { useEffect, useState } from 'preact/hooks';
import { useT } from '../i18n/index.js';
import { setDisappearing, type Disappearing } from '../lib/api.js';
import { timerLength, timerPresets, timerSetting } from '../lib/expiry.js';
import { useModel } from '../lib/hooks.js';
import { ClockIcon } from './icons.js';
import { ErrorText } from './ErrorText.js';

type Mode = NonNullable<Disappearing>['mode'];

/** The setting in words: "Disappearing messages: 1 hour after sending", or "…: off". */
export function useTimerStatus(): (timer: Disappearing) => string {
  const { t } = useT();
  return (timer) => {
    if (timer === null) return t('disappearing.statusOff');
    const line = timerSetting(timer);
    const time = t(line.time.key, line.time.values);
    return t('disappearing.status', { setting: t(line.key, { time }) });
  };
}

/** The header's sign that a timer is on: a clock and its length, the whole setting as its name. */
export function DisappearingIndicator({ timer }: { timer: Disappearing }) {
  const { t } = useT();
  const status = useTimerStatus();
  if (timer === null) return null;
  const length = timerLength(timer.seconds);
  return (
    <span
      class="disappearing-indicator"
      role="img"
      aria-label={status(timer)}
      title={status(timer)}
      data-testid="disappearing-indicator"
      data-mode={timer.mode}
      data-seconds={timer.seconds}
    >
      <ClockIcon size={13} />
      <span aria-hidden="true">{t(length.key, length.values)}</span>
    </span>
  );
}

interface Props {
  readonly conversationId: string;
  /** The setting in force, kept live by the caller. */
  readonly timer: Disappearing;
  /** Owners (both people of a direct chat) may change it; everyone else sees it as text. */
  readonly canChange: boolean;
}

/**
 * The conversation's disappearing-messages timer in its details: a length (or off) and when it starts,
 * saved together. The change reaches every member's devices as an event, this one's included, so the
 * caller's live setting (and with it this form) follows without a reload.
 */
export function DisappearingSettings({ conversationId, timer, canChange }: Props) {
  const { t } = useT();
  const model = useModel();
  const status = useTimerStatus();
  const [seconds, setSeconds] = useState<number>(timer?.seconds ?? 0);
  const [mode, setMode] = useState<Mode>(timer?.mode ?? 'after_send');
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<unknown>(null);

  // Someone else's change (or our own, echoed back) replaces whatever was picked but not saved.
  useEffect(() => {
    setSeconds(timer?.seconds ?? 0);
    setMode(timer?.mode ?? 'after_send');
  }, [timer?.seconds, timer?.mode]);

  if (!canChange) {
    return (
      <div class="disappearing-settings" data-testid="disappearing-settings">
        <p class="disappearing-status" data-testid="disappearing-status">
          <ClockIcon size={14} />
          <span>{status(timer)}</span>
        </p>
        <p class="hint">{t('disappearing.ownersOnly')}</p>
      </div>
    );
  }

  const draft: Disappearing = seconds === 0 ? null : { mode, seconds };
  const unchanged =
    draft === null ? timer === null : draft.seconds === timer?.seconds && draft.mode === timer.mode;
  // A length set elsewhere (the API or the CLI takes any) stays selectable as it is.
  const lengths =
    timerPresets.some((p) => p === timer?.seconds) || timer === null
      ? timerPresets
      : [...timerPresets, timer.seconds].sort((a, b) => a - b);

  const save = async (e: Event): Promise<void> => {
    e.preventDefault();
    const client = model.client;
    if (client === null) return;
    setError(null);
    setSaving(true);
    try {
      await setDisappearing(client, conversationId, draft);
    } catch (err) {
      setError(err);
    } finally {
      setSaving(false);
    }
  };

  return (
    <form class="disappearing-settings" data-testid="disappearing-settings" onSubmit={(e) => void save(e)}>
      <label class="field">
        <span>{t('disappearing.label')}</span>
        <select
          data-testid="disappearing-length"
          value={String(seconds)}
          onChange={(e) => setSeconds(Number(e.currentTarget.value))}
        >
          <option value="0">{t('disappearing.off')}</option>
          {lengths.map((s) => {
            const length = timerLength(s);
            return (
              <option key={s} value={String(s)}>
                {t(length.key, length.values)}
              </option>
            );
          })}
        </select>
      </label>
      <label class="field">
        <span>{t('disappearing.when')}</span>
        <select
          data-testid="disappearing-mode"
          value={mode}
          disabled={seconds === 0}
          onChange={(e) => setMode(e.currentTarget.value === 'after_read' ? 'after_read' : 'after_send')}
        >
          <option value="after_send">{t('disappearing.afterSend')}</option>
          <option value="after_read">{t('disappearing.afterRead')}</option>
        </select>
      </label>
      <p class="hint">{t('disappearing.help')}</p>
      <button type="submit" class="primary" data-testid="disappearing-save" disabled={unchanged || saving}>
        {t('disappearing.save')}
      </button>
      <ErrorText error={error} testid="disappearing-error" />
    </form>
  );
}
