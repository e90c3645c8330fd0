import { useT } from '../i18n/index.js';
import { useModel } from '../lib/hooks.js';

/** The socket's state in words, always visible; `data-state` is the SDK's state name. */
export function ConnectionStatus() {
  const { t } = useT();
  const model = useModel();
  const state = model.state;
  return (
    <span class={`status status-${state}`} role="status" data-testid="connection-status" data-state={state}>
      {t(`connection.${state}`)}
    </span>
  );
}
