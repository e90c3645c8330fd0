import { useEffect, useState } from 'preact/hooks';
import { useT } from '../i18n/index.js';
import { useModel } from '../lib/hooks.js';
import { ErrorText } from './ErrorText.js';
import { CheckIcon } from './icons.js';

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
      <label class="field">
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
      <div class="dialog-actions">
        {saved && (
          <span role="status" class="saved" data-testid="settings-saved">
            <CheckIcon size={16} />
            {t('common:saved')}
          </span>
        )}
        <button type="submit" class="primary" data-testid="send-delay-save">
          {t('settings.save')}
        </button>
      </div>
    </form>
  );
}
