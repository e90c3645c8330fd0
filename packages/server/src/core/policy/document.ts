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

/** One problem: a JSON Pointer into the document (`''` is the root) and what is wrong there. */
export interface PolicyError {
  readonly path: string;
  readonly message: string;
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
    return { ok: false, errors: dedupe((validateSchema.errors ?? []).map(describe)) };
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
    errors.push({
      path: '/consent/maxAgeSeconds',
      message:
        'must be greater than 0 (or null) when consent is enabled: a maximum age of 0 never allows asking',
    });
  }
  if (doc.smartWindow?.enabled === true && doc.smartWindow.windowSeconds === 0) {
    errors.push({
      path: '/smartWindow/windowSeconds',
      message:
        'must be greater than 0 (or null) when the smart window is enabled: 0 never lengthens a window',
    });
  }
  const recallable = doc.recallableTypes;
  const typed = doc.windows?.types;
  if (recallable !== undefined && typed !== undefined) {
    for (const type of contentTypes) {
      if (typed[type] !== undefined && !recallable.includes(type)) {
        errors.push({
          path: `/windows/types/${type}`,
          message: `${type} is not in recallableTypes, so this window would never apply`,
        });
      }
    }
  }
  return errors;
}

function describe(e: ErrorObject): PolicyError {
  const params = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'additionalProperties':
      return { path: `${e.instancePath}/${String(params['additionalProperty'])}`, message: 'unknown key' };
    case 'type': {
      const types = Array.isArray(params['type']) ? (params['type'] as string[]) : [String(params['type'])];
      return { path: e.instancePath, message: `must be ${orList(types)}` };
    }
    case 'enum':
      return {
        path: e.instancePath,
        message: `must be one of: ${(params['allowedValues'] as string[]).join(', ')}`,
      };
    case 'minimum':
      return { path: e.instancePath, message: `must be >= ${String(params['limit'])}` };
    case 'maximum':
      return {
        path: e.instancePath,
        message:
          params['limit'] === maxFiniteWindowSeconds
            ? `must be <= ${maxFiniteWindowSeconds} (ten years); use null for no limit`
            : `must be <= ${String(params['limit'])}`,
      };
    case 'maxLength':
      return { path: e.instancePath, message: `must be at most ${String(params['limit'])} characters` };
    case 'minLength':
      return { path: e.instancePath, message: 'must not be empty' };
    case 'uniqueItems':
      return { path: e.instancePath, message: 'must not list the same value twice' };
    default:
      return { path: e.instancePath, message: e.message ?? 'is invalid' };
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
