import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import { useT } from '../i18n/index.js';
import { CloseIcon } from './icons.js';

const focusable =
  'a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

/** Moves focus into `root` on mount, keeps Tab inside it, and gives focus back to the opener on unmount. */
export function useFocusTrap(
  root: { current: HTMLElement | null },
  initial?: { current: HTMLElement | null },
) {
  useEffect(() => {
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    const body = root.current?.querySelector<HTMLElement>('.dialog-body') ?? root.current;
    const first =
      initial?.current ??
      body?.querySelector<HTMLElement>(focusable) ??
      root.current?.querySelector(focusable);
    first?.focus();
    const panel = root.current;
    return () => {
      // Only when focus would otherwise be lost: a caller may already have put it somewhere useful.
      const active = document.activeElement;
      const lost = active === null || active === document.body || panel?.contains(active) === true;
      if (lost && opener?.isConnected) opener.focus();
    };
  }, []);
  return (e: KeyboardEvent): void => {
    if (e.key !== 'Tab' || root.current === null) return;
    const items = Array.from(root.current.querySelectorAll<HTMLElement>(focusable));
    const head = items[0];
    const tail = items[items.length - 1];
    if (head === undefined || tail === undefined) return;
    if (e.shiftKey && document.activeElement === head) {
      e.preventDefault();
      tail.focus();
    } else if (!e.shiftKey && document.activeElement === tail) {
      e.preventDefault();
      head.focus();
    }
  };
}

interface Props {
  readonly title: string;
  readonly onClose: () => void;
  readonly testid?: string;
  readonly children: ComponentChildren;
}

/** A modal dialog: focus moves in when it opens, Escape or the backdrop closes it, focus returns after. */
export function Dialog({ title, onClose, testid, children }: Props) {
  const { t } = useT();
  const panel = useRef<HTMLDivElement>(null);
  const trap = useFocusTrap(panel);
  const titleId = useRef(`dialog-${Math.random().toString(36).slice(2)}`).current;
  return (
    <div
      class="overlay"
      onMouseDown={(e) => {
        if (e.target === e.currentTarget) onClose();
      }}
    >
      <div
        ref={panel}
        class="dialog"
        role="dialog"
        aria-modal="true"
        aria-labelledby={titleId}
        data-testid={testid}
        onKeyDown={(e) => {
          if (e.key === 'Escape') {
            e.stopPropagation();
            onClose();
          } else trap(e);
        }}
      >
        <header class="dialog-header">
          <h2 id={titleId}>{title}</h2>
          <button
            type="button"
            class="icon-button"
            aria-label={t('common:close')}
            title={t('common:close')}
            onClick={onClose}
          >
            <CloseIcon />
          </button>
        </header>
        <div class="dialog-body">{children}</div>
      </div>
    </div>
  );
}
