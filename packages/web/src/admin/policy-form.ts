/**
 * The policy editor's form model, pure: a conversation's policy document (docs/policies.md) becomes a
 * form, the form becomes a document again, and API errors (JSON paths) land on the field they concern.
 * Fields the form does not show (per-type windows, consent ages, the smart window, the label) are kept
 * as they were, so saving never drops them.
 */

export type WindowMode = 'inherit' | 'seconds' | 'unlimited';
export interface WindowField {
  readonly mode: WindowMode;
  /** Whole seconds as typed, when `mode` is `seconds`. */
  readonly seconds: string;
}

/** `inherit`: the document leaves the setting to the preset and the server. */
export type TriState = 'inherit' | 'on' | 'off';

export const moderationRoles = ['owner', 'admin', 'server_admin'] as const;

export interface PolicyForm {
  /** `''`: no preset (the defaults, then the server's document). */
  readonly preset: string;
  readonly windowDirect: WindowField;
  readonly windowGroup: WindowField;
  /** null: inherit the roles. */
  readonly moderationRoles: readonly string[] | null;
  readonly moderationWindow: WindowField;
  readonly requireReason: TriState;
  readonly directPeerMayRecall: TriState;
  readonly untilRead: TriState;
  readonly consentEnabled: TriState;
  /** `''`: inherit. */
  readonly reEditSeconds: string;
  /** `''`: inherit. */
  readonly placeholder: '' | 'always' | 'none';
  /** What the form does not edit, kept verbatim (top-level keys, and the other keys of nested objects). */
  readonly rest: Readonly<Record<string, unknown>>;
}

export type FormField = Exclude<keyof PolicyForm, 'rest'> | 'general';

type Doc = Record<string, unknown>;

const inherit: WindowField = { mode: 'inherit', seconds: '' };

export function emptyForm(preset = ''): PolicyForm {
  return {
    preset,
    windowDirect: inherit,
    windowGroup: inherit,
    moderationRoles: null,
    moderationWindow: inherit,
    requireReason: 'inherit',
    directPeerMayRecall: 'inherit',
    untilRead: 'inherit',
    consentEnabled: 'inherit',
    reEditSeconds: '',
    placeholder: '',
    rest: {},
  };
}

function isRecord(value: unknown): value is Doc {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function windowField(value: unknown): WindowField {
  if (value === null) return { mode: 'unlimited', seconds: '' };
  if (typeof value === 'number') return { mode: 'seconds', seconds: String(value) };
  return inherit;
}

function tri(value: unknown): TriState {
  return value === true ? 'on' : value === false ? 'off' : 'inherit';
}

function without(record: Doc, keys: readonly string[]): Doc {
  const out: Doc = {};
  for (const [key, value] of Object.entries(record)) if (!keys.includes(key)) out[key] = value;
  return out;
}

/** The form for a conversation's own document (null: it has none and follows the server). */
export function formFromDocument(document: Readonly<Doc> | null): PolicyForm {
  if (document === null) return emptyForm();
  const doc: Doc = { ...document };
  const windows = isRecord(doc['windows']) ? doc['windows'] : {};
  const moderation = isRecord(doc['moderation']) ? doc['moderation'] : {};
  const consent = isRecord(doc['consent']) ? doc['consent'] : {};
  const rest = without(doc, [
    'preset',
    'windows',
    'moderation',
    'directPeerMayRecall',
    'untilRead',
    'consent',
    'reEditSeconds',
    'placeholder',
  ]);
  const windowsRest = without(windows, ['direct', 'group']);
  const moderationRest = without(moderation, ['roles', 'windowSeconds', 'requireReason']);
  const consentRest = without(consent, ['enabled']);
  if (Object.keys(windowsRest).length > 0) rest['windows'] = windowsRest;
  if (Object.keys(moderationRest).length > 0) rest['moderation'] = moderationRest;
  if (Object.keys(consentRest).length > 0) rest['consent'] = consentRest;
  const placeholder = doc['placeholder'];
  return {
    preset: typeof doc['preset'] === 'string' ? doc['preset'] : '',
    windowDirect: windowField(windows['direct']),
    windowGroup: windowField(windows['group']),
    moderationRoles: Array.isArray(moderation['roles'])
      ? moderation['roles'].filter((r): r is string => typeof r === 'string')
      : null,
    moderationWindow: windowField(moderation['windowSeconds']),
    requireReason: tri(moderation['requireReason']),
    directPeerMayRecall: tri(doc['directPeerMayRecall']),
    untilRead: tri(doc['untilRead']),
    consentEnabled: tri(doc['consent'] === undefined ? undefined : consent['enabled']),
    reEditSeconds: typeof doc['reEditSeconds'] === 'number' ? String(doc['reEditSeconds']) : '',
    placeholder: placeholder === 'always' || placeholder === 'none' ? placeholder : '',
    rest,
  };
}

/** Local checks before sending: message keys of the admin namespace, per field. */
export type FormErrors = Partial<Record<FormField, string[]>>;

const tenYears = 10 * 365 * 86_400;

function parseSeconds(text: string, max: number): number | null {
  const trimmed = text.trim();
  if (!/^\d+$/.test(trimmed)) return null;
  const value = Number(trimmed);
  return value <= max ? value : null;
}

/**
 * The document the form describes, or the fields whose input cannot be sent (a window that is not a
 * whole number of seconds, …). The server still validates everything, including the bounds.
 */
export function documentFromForm(
  form: PolicyForm,
): { ok: true; document: Doc } | { ok: false; errors: FormErrors } {
  const errors: FormErrors = {};
  const doc: Doc = structuredClone(form.rest) as Doc;
  const nested = (key: string): Doc => {
    const current = doc[key];
    if (isRecord(current)) return current;
    const created: Doc = {};
    doc[key] = created;
    return created;
  };
  const setWindow = (field: FormField, value: WindowField, target: () => Doc, key: string) => {
    if (value.mode === 'inherit') return;
    if (value.mode === 'unlimited') {
      target()[key] = null;
      return;
    }
    const seconds = parseSeconds(value.seconds, tenYears);
    if (seconds === null) (errors[field] ??= []).push('policy.error.seconds');
    else target()[key] = seconds;
  };
  const setTri = (value: TriState, target: () => Doc, key: string) => {
    if (value !== 'inherit') target()[key] = value === 'on';
  };

  if (form.preset !== '') doc['preset'] = form.preset;
  setWindow('windowDirect', form.windowDirect, () => nested('windows'), 'direct');
  setWindow('windowGroup', form.windowGroup, () => nested('windows'), 'group');
  if (form.moderationRoles !== null) nested('moderation')['roles'] = [...form.moderationRoles];
  setWindow('moderationWindow', form.moderationWindow, () => nested('moderation'), 'windowSeconds');
  setTri(form.requireReason, () => nested('moderation'), 'requireReason');
  setTri(form.directPeerMayRecall, () => doc, 'directPeerMayRecall');
  setTri(form.untilRead, () => doc, 'untilRead');
  setTri(form.consentEnabled, () => nested('consent'), 'enabled');
  if (form.reEditSeconds.trim() !== '') {
    const seconds = parseSeconds(form.reEditSeconds, 86_400);
    if (seconds === null) (errors.reEditSeconds ??= []).push('policy.error.reEdit');
    else doc['reEditSeconds'] = seconds;
  }
  if (form.placeholder !== '') doc['placeholder'] = form.placeholder;
  return Object.keys(errors).length > 0 ? { ok: false, errors } : { ok: true, document: doc };
}

const pathFields: readonly (readonly [string, FormField])[] = [
  ['/preset', 'preset'],
  ['/windows/direct', 'windowDirect'],
  ['/windows/group', 'windowGroup'],
  ['/moderation/roles', 'moderationRoles'],
  ['/moderation/windowSeconds', 'moderationWindow'],
  ['/moderation/requireReason', 'requireReason'],
  ['/directPeerMayRecall', 'directPeerMayRecall'],
  ['/untilRead', 'untilRead'],
  ['/consent/enabled', 'consentEnabled'],
  ['/reEditSeconds', 'reEditSeconds'],
  ['/placeholder', 'placeholder'],
];

/**
 * The field a JSON path in the document concerns (`/moderation/roles/1` → `moderationRoles`); `general`
 * for paths the form has no field for. A path into the request body (`/document/…`) is read as one into
 * the document.
 */
export function fieldForPath(path: string): FormField {
  const inDocument = path.startsWith('/document') ? path.slice('/document'.length) : path;
  for (const [prefix, field] of pathFields) {
    if (inDocument === prefix || inDocument.startsWith(`${prefix}/`)) return field;
  }
  return 'general';
}

/** A problem the server reported with a rejected save: its code and params when it gave them. */
export interface ServerProblem {
  readonly path: string;
  /** The server's English, shown only for a problem the client cannot phrase itself. */
  readonly message: string;
  readonly code?: string;
  readonly params?: Readonly<Record<string, unknown>>;
}

/** Server problems of a rejected save, per form field. */
export type ServerProblems = Partial<Record<FormField, ServerProblem[]>>;

/**
 * Reads a rejected save's problems (`details.errors` of the policy errors, `details.problems` of
 * `invalid_request`), each on the field its path names; null when the error lists none, so that the error
 * itself is shown by its code.
 */
export function serverProblemsFrom(error: {
  readonly code: string;
  readonly details?: Readonly<Record<string, unknown>> | undefined;
}): ServerProblems | null {
  const list = error.details?.['errors'] ?? error.details?.['problems'];
  if (!Array.isArray(list)) return null;
  const out: ServerProblems = {};
  let count = 0;
  for (const item of list as unknown[]) {
    if (!isRecord(item)) continue;
    const params = item['params'];
    const problem: ServerProblem = {
      path: typeof item['path'] === 'string' ? item['path'] : '',
      message: typeof item['message'] === 'string' ? item['message'] : error.code,
      ...(typeof item['code'] === 'string' ? { code: item['code'] } : {}),
      ...(isRecord(params) ? { params } : {}),
    };
    (out[fieldForPath(problem.path)] ??= []).push(problem);
    count++;
  }
  return count === 0 ? null : out;
}

/** `2 min` style rendering of a window from the effective policy or a preset, for hints. */
export function describeWindow(value: unknown): 'unlimited' | number | null {
  if (value === null) return 'unlimited';
  return typeof value === 'number' ? value : null;
}
