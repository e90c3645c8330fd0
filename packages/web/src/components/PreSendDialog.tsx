import type { api } from '@retract/protocol';
import { useRef } from 'preact/hooks';
import { useT } from '../i18n/index.js';
import { durationPhrase } from '../lib/format.js';
import { useFocusTrap } from './Dialog.js';
import { AlertIcon } from './icons.js';

interface Props {
  readonly check: api.CheckMessageResponse;
  readonly onSend: () => void;
  readonly onEdit: () => void;
}

/** The pre-send warning: what was found (masked), who would get it, how long it could be recalled. */
export function PreSendDialog({ check, onSend, onEdit }: Props) {
  const { t } = useT();
  const edit = useRef<HTMLButtonElement>(null);
  const panel = useRef<HTMLDivElement>(null);
  // Focus the safe choice and keep Tab inside; Escape means "edit".
  const trap = useFocusTrap(panel, edit);
  const window = check.window.seconds;
  const time = window === null ? null : durationPhrase(window * 1000);
  return (
    <div class="overlay">
      <div
        ref={panel}
        class="dialog"
        role="alertdialog"
        aria-modal="true"
        aria-labelledby="presend-title"
        data-testid="presend-dialog"
        onKeyDown={(e) => {
          if (e.key === 'Escape') onEdit();
          else trap(e);
        }}
      >
        <header class="dialog-header warning">
          <span class="dialog-icon">
            <AlertIcon size={20} />
          </span>
          <h3 id="presend-title">{t('presend.title')}</h3>
        </header>
        <p>{t('presend.intro')}</p>
        <ul class="findings" data-testid="presend-findings">
          {check.findings.map((f) => (
            <li key={`${f.start}-${f.end}`}>
              <strong>
                {t(`presend.detector.${f.detector}`, { defaultValue: t('presend.detector.other') })}
              </strong>
              {': '}
              {f.preview}
            </li>
          ))}
        </ul>
        <p>{t('presend.recipients', { count: check.recipients })}</p>
        <p>
          {time === null
            ? t('presend.windowUnlimited')
            : t('presend.window', { time: t(time.key, time.values) })}
        </p>
        <div class="dialog-actions">
          <button type="button" ref={edit} data-testid="presend-edit" onClick={onEdit}>
            {t('presend.edit')}
          </button>
          <button type="button" class="danger" data-testid="presend-send-anyway" onClick={onSend}>
            {t('presend.sendAnyway')}
          </button>
        </div>
      </div>
    </div>
  );
}
