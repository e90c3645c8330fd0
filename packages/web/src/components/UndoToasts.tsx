import { useT } from '../i18n/index.js';
import { durationPhrase, msUntil } from '../lib/format.js';
import { useModel, useNow } from '../lib/hooks.js';
import type { HeldSend } from '../lib/model.js';
import { useState } from 'preact/hooks';
import { ErrorText } from './ErrorText.js';
import { ClockIcon } from './icons.js';

/** One toast per held send: a countdown to delivery and an Undo that puts the text back to edit. */
export function UndoToasts() {
  const model = useModel();
  const now = useNow(model.held.length > 0);
  // Delivered sends leave when their message.created arrives; this drops any the event did not clear.
  const visible = model.held.filter((h) => Date.parse(h.until) + 5000 > now);
  if (visible.length === 0) return null;
  return (
    <div class="toasts" aria-live="polite">
      {visible.map((held) => (
        <UndoToast key={held.messageId} held={held} now={now} />
      ))}
    </div>
  );
}

function UndoToast({ held, now }: { held: HeldSend; now: number }) {
  const { t } = useT();
  const model = useModel();
  const [error, setError] = useState<unknown>(null);
  const left = durationPhrase(msUntil(held.until, now));
  const undo = async (): Promise<void> => {
    try {
      const result = await model.client?.http.cancelSend(held.messageId);
      if (result !== undefined) {
        model.drafts.set(held.conversationId, { body: result.draft.body ?? '' });
      }
      model.removeHeld(held.messageId);
    } catch (err) {
      setError(err);
    }
  };
  return (
    <div class="toast" role="status" data-testid="undo-toast" data-message-id={held.messageId}>
      <ClockIcon size={16} />
      <span data-testid="undo-countdown">{t('undo.held', { time: t(left.key, left.values) })}</span>
      <button type="button" class="toast-action" data-testid="undo-cancel" onClick={() => void undo()}>
        {t('undo.cancel')}
      </button>
      <ErrorText error={error} testid="undo-error" />
    </div>
  );
}
