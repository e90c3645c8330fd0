import type { Attachment } from '@retract/protocol';
import { useEffect, useState } from 'preact/hooks';
import { useT } from '../i18n/index.js';
import { attachmentUrl } from '../lib/api.js';
import { useModel } from '../lib/hooks.js';
import { FileIcon } from './icons.js';

/** An image preview or a download link; fetched with the token, shown from an object URL. */
export function AttachmentView({ attachment, image }: { attachment: Attachment; image: boolean }) {
  const { t, locale } = useT();
  const model = useModel();
  const [url, setUrl] = useState<string | null>(null);
  useEffect(() => {
    const client = model.client;
    if (client === null) return undefined;
    let made: string | null = null;
    attachmentUrl(client, attachment.id).then(
      (u) => {
        made = u;
        setUrl(u);
      },
      () => setUrl(null),
    );
    return () => {
      if (made !== null) URL.revokeObjectURL(made);
    };
  }, [attachment.id]);
  if (image && url !== null) {
    return (
      <img
        class="preview"
        data-testid="image-preview"
        src={url}
        alt={t('chat.imageAlt', { name: attachment.name })}
      />
    );
  }
  return (
    <a
      class="file"
      data-testid="file-link"
      href={url ?? undefined}
      download={attachment.name}
      aria-label={t('chat.download', { name: attachment.name })}
    >
      <span class="file-icon">
        <FileIcon size={20} />
      </span>
      <span class="file-text">
        <span class="file-name">{attachment.name}</span>
        <span class="file-size">
          {new Intl.NumberFormat(locale, { style: 'unit', unit: 'kilobyte' }).format(
            Math.ceil(attachment.size / 1024),
          )}
        </span>
      </span>
    </a>
  );
}
