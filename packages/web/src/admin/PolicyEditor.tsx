import type { ComponentChildren, JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { api, Conversation } from '@retract/protocol';
import { ApiError, type RetractClient } from '@retract/sdk';
import { formatDuration } from './charts.js';
import { errorText, type AdminI18n, type Text } from './i18n.js';
import {
  documentFromForm,
  emptyForm,
  fieldForPath,
  formFromDocument,
  moderationRoles,
  serverProblemsFrom,
  type FormErrors,
  type FormField,
  type PolicyForm,
  type ServerProblem,
  type ServerProblems,
  type TriState,
  type WindowField,
} from './policy-form.js';

/**
 * Edits one conversation's own policy document (the server's policy is configuration, shown read-only
 * as presets and bounds). Start from a preset, override fields, save; the server's validation errors
 * appear next to the field their JSON path names.
 */
export function PolicyEditor(props: { client: RetractClient; i18n: AdminI18n }): JSX.Element {
  const { t } = props.i18n;
  const http = props.client.http;
  const [server, setServer] = useState<api.ServerPolicyResponse | null>(null);
  const [conversations, setConversations] = useState<Conversation[] | null>(null);
  const [loadError, setLoadError] = useState<Text | null>(null);
  const [selected, setSelected] = useState('');
  const [current, setCurrent] = useState<api.ConversationPolicyResponse | null>(null);
  const [form, setForm] = useState<PolicyForm>(emptyForm());
  const [localErrors, setLocalErrors] = useState<FormErrors>({});
  const [serverErrors, setServerErrors] = useState<ServerProblems>({});
  const [status, setStatus] = useState<Text | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    Promise.all([http.serverPolicy(), http.listConversations()]).then(
      ([policy, list]) => {
        setServer(policy);
        setConversations(list.conversations);
      },
      (error: unknown) => setLoadError(() => () => errorText(error, t)),
    );
  }, [http]);

  useEffect(() => {
    if (selected === '') return;
    let live = true;
    setCurrent(null);
    setStatus(null);
    setServerErrors({});
    setLocalErrors({});
    http.conversationPolicy(selected).then(
      (policy) => {
        if (!live) return;
        setCurrent(policy);
        setForm(formFromDocument(policy.document));
      },
      (error: unknown) => live && setLoadError(() => () => errorText(error, t)),
    );
    return () => {
      live = false;
    };
  }, [selected, http]);

  const update = (patch: Partial<PolicyForm>) => setForm((f) => ({ ...f, ...patch }));

  const save = async (event: Event) => {
    event.preventDefault();
    setStatus(null);
    setServerErrors({});
    const built = documentFromForm(form);
    if (!built.ok) {
      setLocalErrors(built.errors);
      setStatus(() => () => t('policy.fixErrors'));
      return;
    }
    setLocalErrors({});
    await submit(built.document);
  };

  const submit = async (document: Record<string, unknown> | null) => {
    setBusy(true);
    try {
      const saved = await http.setConversationPolicy(selected, document);
      setCurrent(saved);
      setForm(formFromDocument(saved.document));
      setStatus(() => () => t(document === null ? 'policy.cleared' : 'policy.saved'));
    } catch (error) {
      const problems =
        error instanceof ApiError &&
        ['policy_invalid', 'policy_out_of_bounds', 'invalid_request'].includes(error.code)
          ? serverProblemsFrom(error)
          : null;
      if (problems !== null) {
        setServerErrors(problems);
        setStatus(() => () => t('policy.fixErrors'));
      } else {
        setStatus(() => () => errorText(error, t));
      }
    } finally {
      setBusy(false);
    }
  };

  const presetNames = server === null ? [] : Object.keys(server.presets);
  const preset = server?.presets[form.preset] ?? null;
  const errorsFor = (field: FormField): string[] => [
    ...(localErrors[field] ?? []).map((key) => t(key)),
    ...(serverErrors[field] ?? []).map((p) => problemText(p, field, props.i18n)),
  ];
  const fieldProps = { t, errorsFor };

  return (
    <section class="admin-section" aria-labelledby="admin-policy-title" data-testid="admin-policy">
      <h2 id="admin-policy-title">{t('policy.title')}</h2>
      <p class="admin-hint">{t('policy.intro')}</p>
      {loadError === null ? null : (
        <p role="alert" class="admin-error">
          {loadError()}
        </p>
      )}
      {server === null ? null : <ServerPolicySummary server={server} i18n={props.i18n} />}
      <div class="admin-row">
        <label for="admin-policy-conversation">{t('policy.conversation')}</label>
        <select
          id="admin-policy-conversation"
          value={selected}
          onChange={(e) => setSelected((e.currentTarget as HTMLSelectElement).value)}
        >
          <option value="">{t('policy.chooseConversation')}</option>
          {(conversations ?? []).map((c) => (
            <option key={c.id} value={c.id}>
              {conversationName(c, t)}
            </option>
          ))}
        </select>
      </div>
      {conversations !== null && conversations.length === 0 ? <p>{t('policy.noConversations')}</p> : null}
      {selected === '' || current === null ? null : (
        <form class="admin-policy-form" onSubmit={save} noValidate>
          <p class="admin-hint">
            {current.document === null ? t('policy.followsServer') : t('policy.hasOwn')}
          </p>
          <Field id="preset" label={t('policy.preset')} field="preset" {...fieldProps}>
            <div class="admin-row">
              <select
                id="admin-policy-preset"
                value={form.preset}
                onChange={(e) => update({ preset: (e.currentTarget as HTMLSelectElement).value })}
                {...describedBy('preset', errorsFor('preset'))}
              >
                <option value="">{t('policy.noPreset')}</option>
                {presetNames.map((name) => (
                  <option key={name} value={name}>
                    {name}
                  </option>
                ))}
              </select>
              <button type="button" onClick={() => setForm({ ...emptyForm(form.preset), rest: {} })}>
                {t('policy.startFromPreset')}
              </button>
            </div>
          </Field>
          <WindowInput
            field="windowDirect"
            label={t('policy.windowDirect')}
            value={form.windowDirect}
            hint={presetHint(preset, ['windows', 'direct'], props.i18n)}
            onChange={(windowDirect) => update({ windowDirect })}
            {...fieldProps}
          />
          <WindowInput
            field="windowGroup"
            label={t('policy.windowGroup')}
            value={form.windowGroup}
            hint={presetHint(preset, ['windows', 'group'], props.i18n)}
            onChange={(windowGroup) => update({ windowGroup })}
            {...fieldProps}
          />
          <fieldset class="admin-field" {...describedBy('moderationRoles', errorsFor('moderationRoles'))}>
            <legend>{t('policy.moderationRoles')}</legend>
            <label class="admin-check">
              <input
                type="checkbox"
                checked={form.moderationRoles === null}
                onChange={(e) =>
                  update({ moderationRoles: (e.currentTarget as HTMLInputElement).checked ? null : [] })
                }
              />
              {t('policy.inherit')}
            </label>
            {moderationRoles.map((role) => (
              <label class="admin-check" key={role}>
                <input
                  type="checkbox"
                  disabled={form.moderationRoles === null}
                  checked={form.moderationRoles?.includes(role) ?? false}
                  onChange={(e) => {
                    const on = (e.currentTarget as HTMLInputElement).checked;
                    const roles = (form.moderationRoles ?? []).filter((r) => r !== role);
                    update({ moderationRoles: on ? [...roles, role] : roles });
                  }}
                />
                {t(`role.${role}`)}
              </label>
            ))}
            <FieldErrors id="moderationRoles" errors={errorsFor('moderationRoles')} />
          </fieldset>
          <WindowInput
            field="moderationWindow"
            label={t('policy.moderationWindow')}
            value={form.moderationWindow}
            hint={presetHint(preset, ['moderation', 'windowSeconds'], props.i18n)}
            onChange={(moderationWindow) => update({ moderationWindow })}
            {...fieldProps}
          />
          {(
            [
              ['requireReason', 'policy.requireReason'],
              ['directPeerMayRecall', 'policy.directPeerMayRecall'],
              ['untilRead', 'policy.untilRead'],
              ['consentEnabled', 'policy.consentEnabled'],
            ] as const
          ).map(([field, label]) => (
            <Field key={field} id={field} label={t(label)} field={field} {...fieldProps}>
              <select
                id={`admin-policy-${field}`}
                value={form[field]}
                onChange={(e) =>
                  update({ [field]: (e.currentTarget as HTMLSelectElement).value as TriState })
                }
                {...describedBy(field, errorsFor(field))}
              >
                <option value="inherit">{t('policy.inherit')}</option>
                <option value="on">{t('policy.on')}</option>
                <option value="off">{t('policy.off')}</option>
              </select>
            </Field>
          ))}
          <Field id="reEditSeconds" label={t('policy.reEditSeconds')} field="reEditSeconds" {...fieldProps}>
            <input
              id="admin-policy-reEditSeconds"
              type="text"
              inputMode="numeric"
              placeholder={t('policy.inherit')}
              value={form.reEditSeconds}
              onInput={(e) => update({ reEditSeconds: (e.currentTarget as HTMLInputElement).value })}
              {...describedBy('reEditSeconds', errorsFor('reEditSeconds'))}
            />
          </Field>
          <Field id="placeholder" label={t('policy.placeholder')} field="placeholder" {...fieldProps}>
            <select
              id="admin-policy-placeholder"
              value={form.placeholder}
              onChange={(e) =>
                update({
                  placeholder: (e.currentTarget as HTMLSelectElement).value as PolicyForm['placeholder'],
                })
              }
              {...describedBy('placeholder', errorsFor('placeholder'))}
            >
              <option value="">{t('policy.inherit')}</option>
              <option value="always">{t('policy.placeholderAlways')}</option>
              <option value="none">{t('policy.placeholderNone')}</option>
            </select>
          </Field>
          {Object.keys(form.rest).length === 0 ? null : (
            <details class="admin-field">
              <summary>{t('policy.otherSettings')}</summary>
              <pre>{JSON.stringify(form.rest, null, 2)}</pre>
            </details>
          )}
          <FieldErrors id="general" errors={errorsFor('general')} />
          <div class="admin-row">
            <button type="submit" disabled={busy} data-testid="admin-policy-save">
              {t('policy.save')}
            </button>
            <button
              type="button"
              disabled={busy || current.document === null}
              onClick={() => void submit(null)}
            >
              {t('policy.clear')}
            </button>
          </div>
          <p role="status" aria-live="polite" data-testid="admin-policy-status">
            {status?.() ?? ''}
          </p>
          <details class="admin-field">
            <summary>{t('policy.effective')}</summary>
            <pre>{JSON.stringify(current.effective, null, 2)}</pre>
          </details>
        </form>
      )}
    </section>
  );
}

/**
 * The problem codes this client phrases itself (docs/policies.md lists the server's); each has a
 * `policy.problem.<code>` message in every locale.
 */
export const phrasedProblemCodes = [
  'unknown_key',
  'wrong_type',
  'not_one_of',
  'too_small',
  'too_large',
  'too_long',
  'empty',
  'duplicate',
  'consent_max_age_zero',
  'smart_window_zero',
  'type_not_recallable',
  'exceeds_bound',
  'moderator_window_exceeds',
  'preset_exceeds_bound',
  'feature_not_allowed',
  'preset_feature_not_allowed',
  'invalid',
] as const;
const phrased = new Set<string>(phrasedProblemCodes);

/**
 * A server problem in the user's language: phrased from its code and params, or — for a code this
 * client does not know, or params it cannot read — the server's message. Under `general` the problem
 * names its setting, by its label where the editor has one, else by its path.
 */
export function problemText(problem: ServerProblem, field: FormField, i18n: AdminI18n): string {
  const text = phrase(problem, i18n) ?? problem.message;
  if (field !== 'general') return text;
  const path = inDocument(problem.path);
  if (path === '' || path === '/') return text;
  return i18n.t('policy.problem.at', { field: settingLabel(path, i18n) ?? path, problem: text });
}

function phrase(problem: ServerProblem, i18n: AdminI18n): string | null {
  const { code } = problem;
  if (code === undefined || !phrased.has(code)) return null;
  const params = problem.params ?? {};
  const { t, locale } = i18n;
  const key = `policy.problem.${code}`;
  const text = (name: string) => (typeof params[name] === 'string' ? (params[name] as string) : null);
  const number = (name: string) =>
    typeof params[name] === 'number' ? new Intl.NumberFormat(locale).format(params[name] as number) : null;
  const window = (name: string) => (name in params ? windowText(params[name], i18n) : null);
  const strings = (name: string) => {
    const value = params[name];
    return Array.isArray(value) && value.every((v) => typeof v === 'string') ? (value as string[]) : null;
  };
  const or = (items: readonly string[]) => new Intl.ListFormat(locale, { type: 'disjunction' }).format(items);
  /** Phrases the message only when every value it names could be read. */
  const fill = (vars: Record<string, string | null>): string | null =>
    Object.values(vars).some((v) => v === null) ? null : t(key, vars as Record<string, string>);

  switch (code) {
    case 'unknown_key':
      return fill({ key: text('key') });
    case 'wrong_type': {
      const types = strings('types');
      return fill({ types: types && or(types.map((type) => label(`policy.jsonType.${type}`, type, i18n))) });
    }
    case 'not_one_of': {
      const allowed = strings('allowed');
      return fill({ allowed: allowed && or(allowed) });
    }
    case 'too_small':
    case 'too_large':
    case 'too_long':
      return fill({ limit: number('limit') });
    case 'type_not_recallable': {
      const type = text('type');
      return fill({ type: type && label(`type.${type}`, type, i18n) });
    }
    case 'exceeds_bound':
    case 'moderator_window_exceeds':
      return fill({ value: window('value'), limit: window('limit') });
    case 'preset_exceeds_bound': {
      const setting = text('field');
      return fill({
        preset: text('preset'),
        field: setting && dottedLabel(setting, i18n),
        value: window('value'),
        limit: window('limit'),
      });
    }
    case 'feature_not_allowed':
    case 'preset_feature_not_allowed': {
      const feature = text('feature');
      const vars = { feature: feature && dottedLabel(feature, i18n) };
      return fill(code === 'feature_not_allowed' ? vars : { ...vars, preset: text('preset') });
    }
    default:
      return t(key);
  }
}

/** A window from a problem's params (`null` is no limit), to stand inside a sentence. */
function windowText(value: unknown, i18n: AdminI18n): string | null {
  if (value === null) return i18n.t('policy.problem.noLimit');
  return typeof value === 'number' ? formatDuration(value, i18n.locale) : null;
}

/** A translation when the catalog has one (the translator hands back the key when not), else `fallback`. */
function label(key: string, fallback: string, i18n: AdminI18n): string {
  const text = i18n.t(key);
  return text === key ? fallback : text;
}

const inDocument = (path: string) => (path.startsWith('/document') ? path.slice('/document'.length) : path);

const fieldLabels: Readonly<Record<Exclude<FormField, 'general'>, string>> = {
  preset: 'policy.preset',
  windowDirect: 'policy.windowDirect',
  windowGroup: 'policy.windowGroup',
  moderationRoles: 'policy.moderationRoles',
  moderationWindow: 'policy.moderationWindow',
  requireReason: 'policy.requireReason',
  directPeerMayRecall: 'policy.directPeerMayRecall',
  untilRead: 'policy.untilRead',
  consentEnabled: 'policy.consentEnabled',
  reEditSeconds: 'policy.reEditSeconds',
  placeholder: 'policy.placeholder',
};

/** Settings the form has no field for, by JSON path (or its prefix, for items of a list). */
const settingLabels: readonly (readonly [string, string])[] = [
  ['/recallableTypes', 'policy.field.recallableTypes'],
  ['/moderation/label', 'policy.field.moderationLabel'],
  ['/consent/maxAgeSeconds', 'policy.field.consentMaxAge'],
  ['/consent/requestTtlSeconds', 'policy.field.consentRequestTtl'],
  ['/smartWindow/enabled', 'policy.field.smartWindowEnabled'],
  ['/smartWindow/windowSeconds', 'policy.field.smartWindowSeconds'],
];

const contentTypes = new Set(['text', 'image', 'file', 'voice', 'video', 'link']);
const kinds = new Set(['direct', 'group']);

/** The setting at a JSON path in the user's language, or null when the editor has no name for it. */
export function settingLabel(path: string, i18n: AdminI18n): string | null {
  const field = fieldForPath(path);
  if (field !== 'general') return i18n.t(fieldLabels[field]);
  for (const [prefix, key] of settingLabels) {
    if (path === prefix || path.startsWith(`${prefix}/`)) return i18n.t(key);
  }
  const [type, kind, ...more] = path.startsWith('/windows/types/')
    ? path.slice('/windows/types/'.length).split('/')
    : [];
  if (type === undefined || !contentTypes.has(type) || more.length > 0) return null;
  const typeName = i18n.t(`type.${type}`);
  if (kind === undefined) return i18n.t('policy.field.typeWindow', { type: typeName });
  if (!kinds.has(kind)) return null;
  return i18n.t('policy.field.typeKindWindow', { type: typeName, kind: i18n.t(`kind.${kind}`) });
}

/** A setting named the way the server's params name it (`windows.group`), in the user's language. */
function dottedLabel(dotted: string, i18n: AdminI18n): string {
  return settingLabel(`/${dotted.split('.').join('/')}`, i18n) ?? dotted;
}

function conversationName(c: Conversation, t: AdminI18n['t']): string {
  const name = c.title ?? c.members.map((m) => m.username).join(', ');
  return `${name} (${t(`kind.${c.kind}`)})`;
}

function describedBy(
  field: string,
  errors: readonly string[],
): { 'aria-describedby'?: string; 'aria-invalid'?: 'true' } {
  return errors.length === 0
    ? {}
    : { 'aria-describedby': `admin-policy-${field}-error`, 'aria-invalid': 'true' };
}

function FieldErrors(props: { id: string; errors: readonly string[] }): JSX.Element | null {
  if (props.errors.length === 0) return null;
  return (
    <ul
      id={`admin-policy-${props.id}-error`}
      class="admin-field-errors"
      role="alert"
      data-testid={`admin-policy-error-${props.id}`}
    >
      {props.errors.map((e, i) => (
        <li key={i}>{e}</li>
      ))}
    </ul>
  );
}

function Field(props: {
  id: string;
  label: string;
  field: FormField;
  t: AdminI18n['t'];
  errorsFor: (field: FormField) => string[];
  children: ComponentChildren;
}): JSX.Element {
  return (
    <div class="admin-field">
      <label for={`admin-policy-${props.id}`}>{props.label}</label>
      {props.children}
      <FieldErrors id={props.field} errors={props.errorsFor(props.field)} />
    </div>
  );
}

function WindowInput(props: {
  field: FormField;
  label: string;
  value: WindowField;
  hint: string | null;
  onChange: (value: WindowField) => void;
  t: AdminI18n['t'];
  errorsFor: (field: FormField) => string[];
}): JSX.Element {
  const { t } = props;
  const errors = props.errorsFor(props.field);
  const id = `admin-policy-${props.field}`;
  return (
    <fieldset class="admin-field" {...describedBy(props.field, errors)}>
      <legend>{props.label}</legend>
      <div class="admin-row">
        <label class="admin-visually-hidden" for={`${id}-mode`}>
          {t('policy.windowMode')}
        </label>
        <select
          id={`${id}-mode`}
          value={props.value.mode}
          onChange={(e) =>
            props.onChange({
              ...props.value,
              mode: (e.currentTarget as HTMLSelectElement).value as WindowField['mode'],
            })
          }
        >
          <option value="inherit">{t('policy.inherit')}</option>
          <option value="seconds">{t('policy.seconds')}</option>
          <option value="unlimited">{t('policy.unlimited')}</option>
        </select>
        {props.value.mode === 'seconds' ? (
          <>
            <label class="admin-visually-hidden" for={id}>
              {t('policy.secondsLabel', { field: props.label })}
            </label>
            <input
              id={id}
              type="text"
              inputMode="numeric"
              value={props.value.seconds}
              onInput={(e) =>
                props.onChange({ ...props.value, seconds: (e.currentTarget as HTMLInputElement).value })
              }
              {...describedBy(props.field, errors)}
            />
          </>
        ) : null}
      </div>
      {props.hint === null ? null : <p class="admin-hint">{props.hint}</p>}
      <FieldErrors id={props.field} errors={errors} />
    </fieldset>
  );
}

function presetHint(
  preset: Record<string, unknown> | null,
  path: readonly string[],
  i18n: AdminI18n,
): string | null {
  if (preset === null) return null;
  let value: unknown = preset;
  for (const key of path)
    value = typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
  if (value === null) return i18n.t('policy.presetValue', { value: i18n.t('policy.unlimited') });
  if (typeof value !== 'number') return null;
  return i18n.t('policy.presetValue', {
    value: value === 0 ? i18n.t('policy.never') : formatDuration(value, i18n.locale),
  });
}

function ServerPolicySummary(props: { server: api.ServerPolicyResponse; i18n: AdminI18n }): JSX.Element {
  const { t } = props.i18n;
  return (
    <details class="admin-field">
      <summary>{t('policy.serverPolicy')}</summary>
      <h3>{t('policy.bounds')}</h3>
      <pre>{JSON.stringify(props.server.bounds, null, 2)}</pre>
      <h3>{t('policy.serverEffective')}</h3>
      <pre>{JSON.stringify(props.server.effective, null, 2)}</pre>
    </details>
  );
}
