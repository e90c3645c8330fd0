import type { JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { stats } from '@retract/protocol';
import type { RetractClient } from '@retract/sdk';
import { BarChart, DataTable } from './BarChart.js';
import {
  delayBinLabel,
  followUpRows,
  formatCount,
  formatDay,
  formatDuration,
  formatShare,
  groupDelayBuckets,
  outcomeLabel,
  outcomeRows,
  parseWindowMinutes,
  whatIfText,
  windowMarkerPosition,
} from './charts.js';
import { errorText, type AdminI18n, type Text } from './i18n.js';

const periods = [7, 30, 90] as const;

function periodQuery(days: number): stats.StatsQuery {
  const to = new Date();
  const from = new Date(to.getTime() - days * 86_400_000);
  return { from: from.toISOString(), to: to.toISOString(), tz: localZone() };
}

function localZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}

type Load<T> = { state: 'loading' } | { state: 'error'; message: Text } | { state: 'ready'; value: T };

export function StatsPanel(props: { client: RetractClient; i18n: AdminI18n }): JSX.Element {
  const { t } = props.i18n;
  const [days, setDays] = useState<number>(7);
  const [load, setLoad] = useState<Load<stats.RecallStats>>({ state: 'loading' });

  useEffect(() => {
    let live = true;
    setLoad({ state: 'loading' });
    props.client.http.stats(periodQuery(days)).then(
      (value) => live && setLoad({ state: 'ready', value }),
      (error: unknown) => live && setLoad({ state: 'error', message: () => errorText(error, t) }),
    );
    return () => {
      live = false;
    };
  }, [days, props.client]);

  return (
    <section class="admin-section" aria-labelledby="admin-stats-title">
      <h2 id="admin-stats-title">{t('stats.title')}</h2>
      <div class="admin-row">
        <label for="admin-period">{t('stats.period')}</label>
        <select
          id="admin-period"
          value={String(days)}
          onChange={(e) => setDays(Number((e.currentTarget as HTMLSelectElement).value))}
        >
          {periods.map((n) => (
            <option key={n} value={String(n)}>
              {t('stats.lastDays', { n })}
            </option>
          ))}
        </select>
      </div>
      {load.state === 'loading' ? (
        <p role="status">{t('loading')}</p>
      ) : load.state === 'error' ? (
        <p role="alert" class="admin-error">
          {load.message()}
        </p>
      ) : (
        <Charts stats={load.value} i18n={props.i18n} />
      )}
      <WhatIfControl client={props.client} i18n={props.i18n} days={days} />
    </section>
  );
}

function Charts(props: { stats: stats.RecallStats; i18n: AdminI18n }): JSX.Element {
  const { t, locale } = props.i18n;
  const s = props.stats;
  const count = (n: number) => formatCount(n, locale);
  const share = (n: number | null) => formatShare(n, locale);
  const showTable = t('chart.showTable');

  const outcomes = outcomeRows(s.attempts.byOutcome);
  const outcomeSummary = t('outcomes.summary', {
    total: count(s.attempts.total),
    list: outcomes.map((r) => `${outcomeLabel(r.outcome, t)} ${count(r.count)}`).join(', '),
  });

  const peak = s.byHour.hours.reduce((a, b) => (b.attempts > a.attempts ? b : a), { hour: 0, attempts: 0 });
  const hourLabel = (hour: number) =>
    new Intl.DateTimeFormat(locale, { hour: 'numeric', timeZone: 'UTC' }).format(Date.UTC(2000, 0, 1, hour));

  const bins = groupDelayBuckets(s.delay.buckets);
  const marker = windowMarkerPosition(bins, s.windowSeconds);
  const windowText =
    s.windowSeconds === null ? t('delay.unlimited') : formatDuration(s.windowSeconds, locale);

  const follow = followUpRows(s.followUps);

  return (
    <div class="admin-charts">
      <dl class="admin-figures">
        <div>
          <dt>{t('figures.attempts')}</dt>
          <dd>{count(s.attempts.total)}</dd>
        </div>
        <div>
          <dt>{t('figures.denials')}</dt>
          <dd>{count(s.denials.total)}</dd>
        </div>
        <div>
          <dt>{t('figures.windowShare')}</dt>
          <dd>{share(s.denials.windowShare)}</dd>
        </div>
        <div>
          <dt>{t('figures.sendersShare')}</dt>
          <dd>{share(s.activeSenders.share)}</dd>
        </div>
        <div>
          <dt>{t('figures.window')}</dt>
          <dd>{windowText}</dd>
        </div>
      </dl>

      <BarChart
        testId="admin-chart-outcomes"
        title={t('outcomes.title')}
        summary={outcomeSummary}
        bars={outcomes.map((r) => ({
          key: r.outcome,
          axisLabel: outcomeLabel(r.outcome, t),
          segments: [
            {
              value: r.count,
              className: r.outcome === 'recalled' ? 'admin-bar--recalled' : 'admin-bar--denied',
            },
          ],
        }))}
        formatValue={count}
        legend={[
          { className: 'admin-bar--recalled', label: t('legend.recalled') },
          { className: 'admin-bar--denied', label: t('legend.denied') },
        ]}
        table={{
          caption: t('outcomes.title'),
          headers: [t('outcomes.outcome'), t('outcomes.count')],
          rows: outcomes.map((r) => [outcomeLabel(r.outcome, t), count(r.count)]),
        }}
        showTableLabel={showTable}
      />

      <BarChart
        testId="admin-chart-hours"
        title={t('hours.title', { zone: s.timeZone })}
        summary={t('hours.summary', {
          average: formatCount(s.byHour.average, locale, 1),
          peak: hourLabel(peak.hour),
          peakCount: count(peak.attempts),
        })}
        bars={s.byHour.hours.map((h) => ({
          key: String(h.hour),
          axisLabel: h.hour % 3 === 0 ? hourLabel(h.hour) : '',
          segments: [{ value: h.attempts, className: 'admin-bar--neutral' }],
        }))}
        formatValue={count}
        average={{
          value: s.byHour.average,
          label: t('hours.average', { value: formatCount(s.byHour.average, locale, 1) }),
        }}
        table={{
          caption: t('hours.title', { zone: s.timeZone }),
          headers: [t('hours.hour'), t('hours.attempts')],
          rows: s.byHour.hours.map((h) => [hourLabel(h.hour), count(h.attempts)]),
        }}
        showTableLabel={showTable}
      />

      <BarChart
        testId="admin-chart-delay"
        title={t('delay.title')}
        summary={t('delay.summary', {
          window: windowText,
          list: bins
            .map(
              (b) =>
                `${delayBinLabel(b, t, locale)}: ${t('delay.pair', { recalled: count(b.recalled), denied: count(b.denied) })}`,
            )
            .join('; '),
        })}
        bars={bins.map((b) => ({
          key: String(b.fromSeconds),
          axisLabel: formatDuration(b.fromSeconds, locale),
          segments: [
            { value: b.recalled, className: 'admin-bar--recalled' },
            { value: b.denied, className: 'admin-bar--denied' },
          ],
        }))}
        formatValue={count}
        marker={
          marker === null ? null : { position: marker, label: t('delay.window', { window: windowText }) }
        }
        legend={[
          { className: 'admin-bar--recalled', label: t('legend.recalled') },
          { className: 'admin-bar--denied', label: t('legend.denied') },
        ]}
        table={{
          caption: t('delay.title'),
          headers: [t('delay.range'), t('legend.recalled'), t('legend.denied')],
          rows: bins.map((b) => [delayBinLabel(b, t, locale), count(b.recalled), count(b.denied)]),
        }}
        showTableLabel={showTable}
      />

      <BarChart
        testId="admin-chart-followups"
        title={t('followups.title')}
        summary={t('followups.summary', {
          list: follow.map((r) => `${t(`followups.${r.kind}`)} ${share(r.share)}`).join(', '),
          pending: count(s.followUps.counts.pending),
        })}
        bars={follow.map((r) => ({
          key: r.kind,
          axisLabel: t(`followups.${r.kind}`),
          segments: [{ value: r.share ?? 0, className: 'admin-bar--neutral' }],
        }))}
        max={1}
        formatValue={share}
        table={{
          caption: t('followups.title'),
          headers: [t('followups.kind'), t('followups.count'), t('followups.share')],
          rows: [
            ...follow.map((r) => [t(`followups.${r.kind}`), count(r.count), share(r.share)]),
            [t('followups.pending'), count(s.followUps.counts.pending), '—'],
          ],
        }}
        showTableLabel={showTable}
      />

      <BarChart
        testId="admin-chart-senders"
        title={t('senders.title', { zone: s.activeSenders.timeZone })}
        summary={t('senders.summary', {
          share: share(s.activeSenders.share),
          days: count(s.activeSenders.days.length),
        })}
        bars={s.activeSenders.days.map((d, i, all) => ({
          key: d.day,
          axisLabel: all.length <= 14 || i % Math.ceil(all.length / 10) === 0 ? formatDay(d.day, locale) : '',
          segments: [{ value: d.share ?? 0, className: 'admin-bar--neutral' }],
        }))}
        max={1}
        formatValue={share}
        table={{
          caption: t('senders.title', { zone: s.activeSenders.timeZone }),
          headers: [t('senders.day'), t('senders.senders'), t('senders.attempted'), t('senders.share')],
          rows: s.activeSenders.days.map((d) => [
            formatDay(d.day, locale),
            count(d.senders),
            count(d.attempted),
            share(d.share),
          ]),
        }}
        showTableLabel={showTable}
      />

      <div class="admin-breakdowns" data-testid="admin-breakdowns">
        <DataTable
          caption={t('breakdown.byKind')}
          headers={[
            t('breakdown.kind'),
            t('breakdown.attempts'),
            t('legend.recalled'),
            t('legend.denied'),
            t('breakdown.deniedShare'),
          ]}
          rows={s.byConversationKind.map((r) => [
            t(`kind.${r.kind}`),
            count(r.attempts),
            count(r.recalled),
            count(r.denied),
            share(r.attempts > 0 ? r.denied / r.attempts : null),
          ])}
        />
        <DataTable
          caption={t('breakdown.byType')}
          headers={[
            t('breakdown.type'),
            t('breakdown.attempts'),
            t('legend.recalled'),
            t('legend.denied'),
            t('breakdown.deniedShare'),
          ]}
          rows={s.byContentType.map((r) => [
            typeLabel(r.type, t),
            count(r.attempts),
            count(r.recalled),
            count(r.denied),
            share(r.attempts > 0 ? r.denied / r.attempts : null),
          ])}
        />
      </div>
    </div>
  );
}

function typeLabel(type: string, t: AdminI18n['t']): string {
  const key = `type.${type}`;
  const text = t(key);
  return text === key ? type : text;
}

function WhatIfControl(props: { client: RetractClient; i18n: AdminI18n; days: number }): JSX.Element {
  const { t, locale } = props.i18n;
  const [minutes, setMinutes] = useState('10');
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<stats.WhatIf | null>(null);
  const [error, setError] = useState<Text | null>(null);

  const submit = async (event: Event) => {
    event.preventDefault();
    const windowSeconds = parseWindowMinutes(minutes);
    if (windowSeconds === null) {
      setError(() => () => t('whatif.invalid'));
      setResult(null);
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const answer = await props.client.http.whatIf({ ...periodQuery(props.days), windowSeconds });
      setResult(answer);
    } catch (e) {
      setResult(null);
      setError(() => () => errorText(e, t));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form
      class="admin-whatif"
      data-testid="admin-whatif"
      onSubmit={submit}
      aria-labelledby="admin-whatif-title"
    >
      <h3 id="admin-whatif-title">{t('whatif.title')}</h3>
      <div class="admin-row">
        <label for="admin-whatif-minutes">{t('whatif.label')}</label>
        <input
          id="admin-whatif-minutes"
          type="number"
          inputMode="numeric"
          min={1}
          max={43_200}
          step={1}
          value={minutes}
          aria-invalid={error === null ? undefined : 'true'}
          aria-describedby={error === null ? undefined : 'admin-whatif-error'}
          onInput={(e) => setMinutes((e.currentTarget as HTMLInputElement).value)}
        />
        <button type="submit" disabled={busy}>
          {t('whatif.run')}
        </button>
      </div>
      <p role="status" aria-live="polite" data-testid="admin-whatif-result">
        {result === null ? '' : whatIfText(result, t, locale)}
      </p>
      {error === null ? null : (
        <p id="admin-whatif-error" role="alert" class="admin-error">
          {error()}
        </p>
      )}
    </form>
  );
}
