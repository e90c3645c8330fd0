import { useT } from '../i18n/index.js';
import { useModel } from '../lib/hooks.js';
import { AlertIcon } from './icons.js';

/** Shown while a connection that was live is down; the SDK reconnects by itself, the button at once. */
export function ConnectionBanner() {
  const { t } = useT();
  const model = useModel();
  const down = model.wasLive && (model.state === 'disconnected' || model.state === 'connecting');
  if (!down) return null;
  return (
    <div class="banner" role="alert" data-testid="reconnect-banner">
      <AlertIcon size={16} />
      <span>{t('connection.banner')}</span>
      <button type="button" data-testid="reconnect-button" onClick={() => model.client?.connect()}>
        {t('connection.reconnect')}
      </button>
    </div>
  );
}
