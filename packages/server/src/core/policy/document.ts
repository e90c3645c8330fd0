import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { Ajv, type ErrorObject } from 'ajv';
import { deepFreeze } from './freeze.js';

/**
 * The recall policy **document**: what an operator writes (JSON or YAML) for the server, a conversation
 * kind or one conversation. Every field is optional — a document names a preset and overrides what it
 * must. Validation rejects unknown keys everywhere and reports JSON paths (`/moderation/windowSeconds`).
 *
 * Schemas are written so that each field fails with one clear error: a window is `type: [integer, null]`
 * rather than an `anyOf`, and closed sets are `enum`s rather than unions of literals.
 */

export const contentTypes = ['text', 'image', 'file', 'voice', 'video', 'link'] as const;
export type ContentType = (typeof contentTypes)[number];

export const presetNames = [
  'wechat',
  'dingtalk',
  'feishu',
  'telegram',
  'whatsapp',
  'signal',
  'slack',
  'matrix',
] as const;
export type PresetName = (typeof presetNames)[number];

/** Who may recall other people's messages: conversation roles, or the server-wide admin flag. */
export const moderatorRoles = ['owner', 'admin', 'server_admin'] as const;
export type ModeratorRole = (typeof moderatorRoles)[number];

export const placeholderModes = ['always', 'none'] as const;
export type PlaceholderMode = (typeof placeholderModes)[number];

/** Seconds; `0` = never, `null` = no limit. Ten years is the longest finite window (use `null` beyond). */
export type Window = number | null;
export const maxFiniteWindowSeconds = 10 * 365 * 86400;
export const maxLabelLength = 100;

const strict = { additionalProperties: false } as const;

const stringEnum = <T extends string>(values: readonly T[]) =>
  Type.Unsafe<T>({ type: 'string', enum: [...values] });

const WindowSchema = Type.Unsafe<Window>({
  type: ['integer', 'null'],
  minimum: 0,
  maximum: maxFiniteWindowSeconds,
});

/** Windows per conversation kind, inside a per-type entry. */
export interface KindWindows {
  readonly direct?: Window;
  readonly group?: Window;
}

/** A per-type entry: one window for both kinds, or one per kind. Keywords apply per JSON type. */
const TypeWindowSchema = Type.Unsafe<Window | KindWindows>({
  type: ['integer', 'null', 'object'],
  minimum: 0,
  maximum: maxFiniteWindowSeconds,
  properties: { direct: WindowSchema, group: WindowSchema },
  additionalProperties: false,
});

const optional = <T extends TSchema>(schema: T) => Type.Optional(schema);

export const PolicyDocumentSchema = Type.Object(
  {
    preset: optional(stringEnum(presetNames)),
    windows: optional(
      Type.Object(
        {
          direct: optional(WindowSchema),
          group: optional(WindowSchema),
          types: optional(
            Type.Object(
              Object.fromEntries(contentTypes.map((t) => [t, optional(TypeWindowSchema)])) as Record<
                ContentType,
                ReturnType<typeof optional<typeof TypeWindowSchema>>
              >,
              strict,
            ),
          ),
        },
        strict,
      ),
    ),
    recallableTypes: optional(Type.Array(stringEnum(contentTypes), { uniqueItems: true })),
    moderation: optional(
      Type.Object(
        {
          roles: optional(Type.Array(stringEnum(moderatorRoles), { uniqueItems: true })),
          windowSeconds: optional(WindowSchema),
          requireReason: optional(Type.Boolean()),
          label: optional(Type.String({ minLength: 1, maxLength: maxLabelLength })),
        },
        strict,
      ),
    ),
    directPeerMayRecall: optional(Type.Boolean()),
    untilRead: optional(Type.Boolean()),
    consent: optional(
      Type.Object(
        {
          enabled: optional(Type.Boolean()),
          maxAgeSeconds: optional(WindowSchema),
          requestTtlSeconds: optional(Type.Integer({ minimum: 1, maximum: 30 * 86400 })),
        },
        strict,
      ),
    ),
    reEditSeconds: optional(Type.Integer({ minimum: 0, maximum: 86400 })),
    smartWindow: optional(
      Type.Object({ enabled: optional(Type.Boolean()), windowSeconds: optional(WindowSchema) }, strict),
    ),
    placeholder: optional(stringEnum(placeholderModes)),
  },
  strict,
);

export type PolicyDocument = Readonly<Static<typeof PolicyDocumentSchema>>;

/**
 * A policy with every field resolved. `windows.types` stays sparse on purpose: a per-type entry beats
 * the per-kind window, so a type without an entry follows `windows.direct` / `windows.group` — including
 * when a later scope changes those. Entries are normalised to `{ direct?, group? }`.
 */
export interface EffectivePolicy {
  /** The last preset any scope started from, for display; null when none did. */
  readonly preset: PresetName | null;
  readonly windows: {
    readonly direct: Window;
    readonly group: Window;
    readonly types: Readonly<Partial<Record<ContentType, Readonly<KindWindows>>>>;
  };
  readonly recallableTypes: readonly ContentType[];
  readonly moderation: {
    readonly roles: readonly ModeratorRole[];
    readonly windowSeconds: Window;
    readonly requireReason: boolean;
    readonly label: string;
  };
  readonly directPeerMayRecall: boolean;
  readonly untilRead: boolean;
  readonly consent: {
    readonly enabled: boolean;
    readonly maxAgeSeconds: Window;
    readonly requestTtlSeconds: number;
  };
  readonly reEditSeconds: number;
  readonly smartWindow: { readonly enabled: boolean; readonly windowSeconds: Window };
  readonly placeholder: PlaceholderMode;
}

/**
 * What each problem code says, with the values its message needs. Codes are stable and documented in
 * docs/policies.md: clients phrase problems from them in their own language, while `message` stays the
 * server's English for the CLI and API users. `null` in a window value means "no limit", as in documents.
 */
export interface PolicyProblemParams {
  /** A key the schema does not know (`key` is the key itself). */
  readonly unknown_key: { readonly key: string };
  /** The value is not of any of the JSON `types` (`integer`, `null`, `object`, …). */
  readonly wrong_type: { readonly types: readonly string[] };
  /** The value is not one of a closed set (presets, roles, content types, placeholder modes). */
  readonly not_one_of: { readonly allowed: readonly string[] };
  readonly too_small: { readonly limit: number };
  readonly too_large: { readonly limit: number };
  /** A string longer than `limit` characters. */
  readonly too_long: { readonly limit: number };
  readonly empty: Readonly<Record<string, never>>;
  /** A list names the same value twice. */
  readonly duplicate: Readonly<Record<string, never>>;
  /** `consent.enabled` with `consent.maxAgeSeconds: 0`: consent could never be asked. */
  readonly consent_max_age_zero: Readonly<Record<string, never>>;
  /** `smartWindow.enabled` with `smartWindow.windowSeconds: 0`: the smart window never lengthens one. */
  readonly smart_window_zero: Readonly<Record<string, never>>;
  /** A per-type window for a type the same document leaves out of `recallableTypes`. */
  readonly type_not_recallable: { readonly type: ContentType };
  /** A sender window the document sets is above the server's maximum sender window. */
  readonly exceeds_bound: { readonly value: Window; readonly limit: number };
  /** A window the named preset brings (`field`, dotted) is above the server's maximum for it. */
  readonly preset_exceeds_bound: {
    readonly preset: PresetName;
    readonly field: string;
    readonly value: Window;
    readonly limit: number;
  };
  /** `moderation.windowSeconds` is above the server's maximum moderator window. */
  readonly moderator_window_exceeds: { readonly value: Window; readonly limit: number };
  /** The document switches on a feature the server does not let conversations enable. */
  readonly feature_not_allowed: { readonly feature: BoundedFeature };
  /** The named preset switches on such a feature. */
  readonly preset_feature_not_allowed: { readonly preset: PresetName; readonly feature: BoundedFeature };
  /** Anything else the schema refuses (`keyword` names the schema rule, for diagnostics). */
  readonly invalid: { readonly keyword: string };
}
export type PolicyProblemCode = keyof PolicyProblemParams;

/** Features the operator's bounds may forbid, named by their dotted path in a document. */
export type BoundedFeature = 'untilRead' | 'consent.enabled' | 'directPeerMayRecall';

const problemCodeSet: { readonly [C in PolicyProblemCode]: true } = {
  unknown_key: true,
  wrong_type: true,
  not_one_of: true,
  too_small: true,
  too_large: true,
  too_long: true,
  empty: true,
  duplicate: true,
  consent_max_age_zero: true,
  smart_window_zero: true,
  type_not_recallable: true,
  exceeds_bound: true,
  preset_exceeds_bound: true,
  moderator_window_exceeds: true,
  feature_not_allowed: true,
  preset_feature_not_allowed: true,
  invalid: true,
};
/** Every problem code, for clients and tests that must know them all. */
export const policyProblemCodes = Object.freeze(Object.keys(problemCodeSet) as PolicyProblemCode[]);

/**
 * One problem: a JSON Pointer into the document (`''` is the root), what is wrong there in English, and
 * the same as a code with its parameters.
 */
export type PolicyError = {
  readonly [C in PolicyProblemCode]: {
    readonly path: string;
    readonly message: string;
    readonly code: C;
    readonly params: PolicyProblemParams[C];
  };
}[PolicyProblemCode];

/** Builds a problem, keeping the code and its parameters in step. */
export function policyProblem<C extends PolicyProblemCode>(
  path: string,
  message: string,
  code: C,
  params: PolicyProblemParams[C],
): PolicyError {
  return { path, message, code, params } as PolicyError;
}

export type PolicyValidation =
  | { readonly ok: true; readonly policy: PolicyDocument }
  | { readonly ok: false; readonly errors: readonly PolicyError[] };

const ajv = new Ajv({ allErrors: true, strict: false });
const validateSchema = ajv.compile(PolicyDocumentSchema);

/**
 * Validates a policy document: the schema first (errors in the validator's order, so the first one is
 * stable), then combinations the schema cannot express. On success returns a frozen copy.
 */
export function validatePolicyDocument(input: unknown): PolicyValidation {
  const copy: unknown = structuredClone(input);
  if (!validateSchema(copy)) {
    return { ok: false, errors: dedupe((validateSchema.errors ?? []).map(problemFromSchemaError)) };
  }
  const doc = copy as PolicyDocument;
  const errors = combinationErrors(doc);
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, policy: deepFreeze(doc) };
}

/** `/moderation/windowSeconds: must be integer or null`; the root reads `(root)`. */
export function formatPolicyError(error: PolicyError): string {
  return `${error.path || '(root)'}: ${error.message}`;
}

function combinationErrors(doc: PolicyDocument): PolicyError[] {
  const errors: PolicyError[] = [];
  if (doc.consent?.enabled === true && doc.consent.maxAgeSeconds === 0) {
    errors.push(
      policyProblem(
        '/consent/maxAgeSeconds',
        'must be greater than 0 (or null) when consent is enabled: a maximum age of 0 never allows asking',
        'consent_max_age_zero',
        {},
      ),
    );
  }
  if (doc.smartWindow?.enabled === true && doc.smartWindow.windowSeconds === 0) {
    errors.push(
      policyProblem(
        '/smartWindow/windowSeconds',
        'must be greater than 0 (or null) when the smart window is enabled: 0 never lengthens a window',
        'smart_window_zero',
        {},
      ),
    );
  }
  const recallable = doc.recallableTypes;
  const typed = doc.windows?.types;
  if (recallable !== undefined && typed !== undefined) {
    for (const type of contentTypes) {
      if (typed[type] !== undefined && !recallable.includes(type)) {
        errors.push(
          policyProblem(
            `/windows/types/${type}`,
            `${type} is not in recallableTypes, so this window would never apply`,
            'type_not_recallable',
            { type },
          ),
        );
      }
    }
  }
  return errors;
}

/** One schema error as a problem; a rule it has no phrasing for is `invalid`, with ajv's own words. */
export function problemFromSchemaError(e: ErrorObject): PolicyError {
  const params = e.params as Record<string, unknown>;
  const path = e.instancePath;
  switch (e.keyword) {
    case 'additionalProperties': {
      const key = String(params['additionalProperty']);
      return policyProblem(`${path}/${key}`, 'unknown key', 'unknown_key', { key });
    }
    case 'type': {
      const types = Array.isArray(params['type']) ? (params['type'] as string[]) : [String(params['type'])];
      return policyProblem(path, `must be ${orList(types)}`, 'wrong_type', { types });
    }
    case 'enum': {
      const allowed = (params['allowedValues'] as unknown[]).map(String);
      return policyProblem(path, `must be one of: ${allowed.join(', ')}`, 'not_one_of', { allowed });
    }
    case 'minimum': {
      const limit = Number(params['limit']);
      return policyProblem(path, `must be >= ${limit}`, 'too_small', { limit });
    }
    case 'maximum': {
      const limit = Number(params['limit']);
      const message =
        limit === maxFiniteWindowSeconds
          ? `must be <= ${maxFiniteWindowSeconds} (ten years); use null for no limit`
          : `must be <= ${limit}`;
      return policyProblem(path, message, 'too_large', { limit });
    }
    case 'maxLength': {
      const limit = Number(params['limit']);
      return policyProblem(path, `must be at most ${limit} characters`, 'too_long', { limit });
    }
    case 'minLength':
      return policyProblem(path, 'must not be empty', 'empty', {});
    case 'uniqueItems':
      return policyProblem(path, 'must not list the same value twice', 'duplicate', {});
    default:
      return policyProblem(path, e.message ?? 'is invalid', 'invalid', { keyword: e.keyword });
  }
}

function orList(items: readonly string[]): string {
  return items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} or ${items.at(-1) ?? ''}`;
}

function dedupe(errors: PolicyError[]): PolicyError[] {
  const seen = new Set<string>();
  return errors.filter((e) => {
    const key = `${e.path}\n${e.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
