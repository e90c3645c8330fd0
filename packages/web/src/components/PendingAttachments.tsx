import { useEffect, useState } from 'preact/hooks';
import { useT } from '../i18n/index.js';
import { CloseIcon, FileIcon } from './icons.js';

/** A file chosen or dropped, waiting in the composer until the user sends it (or takes it out). */
export interface PendingFile {
  readonly key: string;
  readonly file: File;
}

interface Props {
  readonly files: readonly PendingFile[];
  readonly onRemove: (key: string) => void;
}

/**
 * The composer's tray of files about to be sent: a thumbnail for each image (from a local object URL, so
 * nothing is uploaded before the user presses send) and a chip with name and size for other files.
 */
export function PendingAttachments({ files, onRemove }: Props) {
  const { t } = useT();
  if (files.length === 0) return null;
  return (
    <ul class="pending-files" data-testid="pending-attachments" aria-label={t('chat.pendingFiles')}>
      {files.map((p) => (
        <li key={p.key} class="pending-file" data-testid="pending-attachment">
          <Thumbnail file={p.file} />
          <button
            type="button"
            class="icon-button small pending-remove"
            data-testid="pending-remove"
            aria-label={t('chat.removeFile', { name: p.file.name })}
            onClick={() => onRemove(p.key)}
          >
            <CloseIcon size={14} />
          </button>
        </li>
      ))}
    </ul>
  );
}

function Thumbnail({ file }: { file: File }) {
  const { t, locale } = useT();
  const [url, setUrl] = useState<string | null>(null);
  const image = file.type.startsWith('image/');
  useEffect(() => {
    if (!image) return undefined;
    const made = URL.createObjectURL(file);
    setUrl(made);
    return () => URL.revokeObjectURL(made);
  }, [file]);
  if (image && url !== null) {
    return (
      <img
        class="pending-thumb"
        data-testid="image-preview"
        src={url}
        alt={t('chat.imageAlt', { name: file.name })}
      />
    );
  }
  return (
    <span class="file pending-chip">
      <span class="file-icon">
        <FileIcon size={20} />
      </span>
      <span class="file-text">
        <span class="file-name">{file.name}</span>
        <span class="file-size">
          {new Intl.NumberFormat(locale, { style: 'unit', unit: 'kilobyte' }).format(
            Math.ceil(file.size / 1024),
          )}
        </span>
      </span>
    </span>
  );
}
