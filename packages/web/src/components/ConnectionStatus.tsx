import { useT } from '../i18n/index.js';
import { useModel } from '../lib/hooks.js';

/** The socket's state as a coloured dot and a short word; `data-state` is the SDK's state name. */
export function ConnectionStatus() {
  const { t } = useT();
  const model = useModel();
  const state = model.state;
  return (
    <span class={`status status-${state}`} role="status" data-testid="connection-status" data-state={state}>
      <span class="status-dot" aria-hidden="true" />
      <span class="status-label">{t(`connection.${state}`)}</span>
    </span>
  );
}
