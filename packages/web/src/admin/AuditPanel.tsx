import type { JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { api } from '@retract/protocol';
import type { RetractClient } from '@retract/sdk';
import {
  verifyAuditLog,
  verifyEvidenceBundle,
  type BundleCheck,
  type SignatureCheck,
  type VerifyResult,
} from './audit-verify.js';
import { formatCount, formatInstant } from './charts.js';
import { errorText, type AdminI18n, type Text } from './i18n.js';

/**
 * The audit log: its latest signed checkpoint, a browser-side verification of the log against it, and
 * evidence bundles for one conversation or message, downloaded as JSON and checked on the way.
 */
export function AuditPanel(props: { client: RetractClient; i18n: AdminI18n }): JSX.Element {
  const { t, locale } = props.i18n;
  const http = props.client.http;
  const [checkpoint, setCheckpoint] = useState<api.AuditCheckpointResponse | null>(null);
  const [error, setError] = useState<Text | null>(null);
  const [verifying, setVerifying] = useState(false);
  const [progress, setProgress] = useState(0);
  const [result, setResult] = useState<VerifyResult | null>(null);

  const load = () =>
    http.auditCheckpoint().then(setCheckpoint, (e: unknown) => setError(() => () => errorText(e, t)));
  useEffect(() => {
    void load();
  }, [http]);

  const sign = async () => {
    setError(null);
    try {
      await http.signAuditCheckpoint();
      setResult(null);
      await load();
    } catch (e) {
      setError(() => () => errorText(e, t));
    }
  };

  const verify = async () => {
    if (checkpoint?.checkpoint == null) return;
    setVerifying(true);
    setResult(null);
    setError(null);
    setProgress(0);
    try {
      setResult(
        await verifyAuditLog(http, checkpoint.checkpoint, checkpoint.publicKey, { onProgress: setProgress }),
      );
    } catch (e) {
      setError(() => () => errorText(e, t));
    } finally {
      setVerifying(false);
    }
  };

  const cp = checkpoint?.checkpoint ?? null;
  return (
    <section class="admin-section" aria-labelledby="admin-audit-title" data-testid="admin-audit">
      <h2 id="admin-audit-title">{t('audit.title')}</h2>
      {error === null ? null : (
        <p role="alert" class="admin-error">
          {error()}
        </p>
      )}
      {checkpoint === null ? (
        <p role="status">{t('loading')}</p>
      ) : cp === null ? (
        <p data-testid="admin-audit-checkpoint">{t('audit.noCheckpoint')}</p>
      ) : (
        <dl class="admin-facts" data-testid="admin-audit-checkpoint">
          <dt>{t('audit.treeSize')}</dt>
          <dd>{formatCount(cp.treeSize, locale)}</dd>
          <dt>{t('audit.rootHash')}</dt>
          <dd>
            <code class="admin-hash">{cp.rootHash}</code>
          </dd>
          <dt>{t('audit.issuedAt')}</dt>
          <dd>
            <time dateTime={cp.issuedAt}>{formatInstant(cp.issuedAt, locale)}</time>
          </dd>
          <dt>{t('audit.keyId')}</dt>
          <dd>
            <code>{cp.keyId}</code>
          </dd>
        </dl>
      )}
      <div class="admin-row">
        <button
          type="button"
          onClick={() => void verify()}
          disabled={cp === null || verifying}
          data-testid="admin-audit-verify"
        >
          {t('audit.verify')}
        </button>
        <button type="button" onClick={() => void sign()} disabled={verifying}>
          {t('audit.sign')}
        </button>
      </div>
      <div role="status" aria-live="polite" data-testid="admin-audit-result">
        {verifying ? t('audit.verifying', { done: formatCount(progress, locale) }) : null}
        {result === null || cp === null ? null : (
          <VerifyReport result={result} treeSize={cp.treeSize} i18n={props.i18n} />
        )}
      </div>
      <p class="admin-hint">{t('audit.explain')}</p>
      <EvidenceExport client={props.client} i18n={props.i18n} />
    </section>
  );
}

function signatureText(check: SignatureCheck, t: AdminI18n['t']): string {
  return t(`audit.signature.${check}`);
}

function VerifyReport(props: { result: VerifyResult; treeSize: number; i18n: AdminI18n }): JSX.Element {
  const { t, locale } = props.i18n;
  const { signature, log } = props.result;
  const ok = signature !== 'invalid' && log.rootMatches && log.badEntries.length === 0;
  return (
    <div class={ok ? 'admin-verify admin-verify--ok' : 'admin-verify admin-verify--bad'}>
      <p>
        <strong>{ok ? t('audit.ok') : t('audit.failed')}</strong>
      </p>
      <ul>
        <li>{signatureText(signature, t)}</li>
        <li>
          {log.mode === 'replay'
            ? t(log.rootMatches ? 'audit.replayOk' : 'audit.replayBad', {
                checked: formatCount(log.checked, locale),
                size: formatCount(props.treeSize, locale),
              })
            : t(log.rootMatches ? 'audit.sampleOk' : 'audit.sampleBad', {
                checked: formatCount(log.checked, locale),
                size: formatCount(props.treeSize, locale),
              })}
        </li>
        {log.badEntries.length === 0 ? null : (
          <li>{t('audit.badEntries', { list: log.badEntries.slice(0, 20).join(', ') })}</li>
        )}
        <li>{t('audit.notVerified')}</li>
      </ul>
    </div>
  );
}

function EvidenceExport(props: { client: RetractClient; i18n: AdminI18n }): JSX.Element {
  const { t, locale } = props.i18n;
  const [by, setBy] = useState<'conversationId' | 'messageId'>('conversationId');
  const [id, setId] = useState('');
  const [busy, setBusy] = useState(false);
  const [check, setCheck] = useState<BundleCheck | null>(null);
  const [error, setError] = useState<Text | null>(null);

  const submit = async (event: Event) => {
    event.preventDefault();
    const value = id.trim();
    if (value === '') {
      setError(() => () => t('evidence.needId'));
      return;
    }
    setBusy(true);
    setError(null);
    setCheck(null);
    try {
      const bundle = await props.client.http.auditEvidence({ [by]: value });
      download(`retract-evidence-${value}.json`, JSON.stringify(bundle, null, 2));
      setCheck(await verifyEvidenceBundle(bundle));
    } catch (e) {
      setError(() => () => errorText(e, t));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form
      class="admin-evidence"
      onSubmit={submit}
      aria-labelledby="admin-evidence-title"
      data-testid="admin-evidence"
    >
      <h3 id="admin-evidence-title">{t('evidence.title')}</h3>
      <div class="admin-row">
        <label for="admin-evidence-by">{t('evidence.by')}</label>
        <select
          id="admin-evidence-by"
          value={by}
          onChange={(e) => setBy((e.currentTarget as HTMLSelectElement).value as typeof by)}
        >
          <option value="conversationId">{t('evidence.conversation')}</option>
          <option value="messageId">{t('evidence.message')}</option>
        </select>
        <label for="admin-evidence-id">{t('evidence.id')}</label>
        <input
          id="admin-evidence-id"
          type="text"
          value={id}
          aria-invalid={error === null ? undefined : 'true'}
          aria-describedby={error === null ? undefined : 'admin-evidence-error'}
          onInput={(e) => setId((e.currentTarget as HTMLInputElement).value)}
        />
        <button type="submit" disabled={busy}>
          {t('evidence.export')}
        </button>
      </div>
      <p role="status" aria-live="polite">
        {check === null
          ? ''
          : [
              t('evidence.downloaded', { entries: formatCount(check.entries, locale) }),
              signatureText(check.signature, t),
              check.badEntries.length === 0
                ? t('evidence.proofsOk')
                : t('evidence.proofsBad', { list: check.badEntries.join(', ') }),
            ].join(' ')}
      </p>
      {error === null ? null : (
        <p id="admin-evidence-error" role="alert" class="admin-error">
          {error()}
        </p>
      )}
    </form>
  );
}

function download(name: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
