import { useEffect, useState } from 'preact/hooks';
import { useT } from '../i18n/index.js';
import { useModel } from '../lib/hooks.js';
import { ErrorText } from './ErrorText.js';

/** The send delay (undo send): 0 sends at once; up to 60 s holds each message so it can be cancelled. */
export function SettingsPanel() {
  const { t } = useT();
  const model = useModel();
  const client = model.client;
  const [delay, setDelay] = useState('0');
  const [saved, setSaved] = useState(false);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    client?.http
      .settings()
      .then(({ settings }) => setDelay(String(settings.sendDelaySeconds)))
      .catch(() => undefined);
  }, [client]);
  const submit = async (e: Event): Promise<void> => {
    e.preventDefault();
    setError(null);
    setSaved(false);
    try {
      await client?.http.setSettings({ sendDelaySeconds: Number(delay) });
      setSaved(true);
    } catch (err) {
      setError(err);
    }
  };
  return (
    <form class="panel" data-testid="settings-form" onSubmit={(e) => void submit(e)}>
      <h2>{t('settings.heading')}</h2>
      <label>
        {t('settings.sendDelay')}
        <input
          type="number"
          min={0}
          max={60}
          data-testid="send-delay-input"
          aria-describedby="send-delay-help"
          value={delay}
          onInput={(e) => setDelay(e.currentTarget.value)}
        />
      </label>
      <p id="send-delay-help" class="hint">
        {t('settings.sendDelayHelp')}
      </p>
      <ErrorText error={error} testid="settings-error" />
      <button type="submit" data-testid="send-delay-save">
        {t('settings.save')}
      </button>
      {saved && (
        <span role="status" data-testid="settings-saved">
          {t('common:saved')}
        </span>
      )}
    </form>
  );
}
