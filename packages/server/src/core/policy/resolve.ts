import { Type, type Static } from '@sinclair/typebox';
import type { ConversationKind } from '@retract/protocol';
import {
  contentTypes,
  maxFiniteWindowSeconds,
  type ContentType,
  type EffectivePolicy,
  type KindWindows,
  policyProblem,
  type BoundedFeature,
  type PolicyDocument,
  type PolicyError,
  type Window,
} from './document.js';
import { deepFreeze } from './freeze.js';
import { defaultPolicy, presets } from './presets.js';
import { exceeds, senderWindow, shorter } from './window.js';

const kinds = ['direct', 'group'] as const satisfies readonly ConversationKind[];

const BoundWindow = Type.Unsafe<Window>({
  type: ['integer', 'null'],
  minimum: 0,
  maximum: maxFiniteWindowSeconds,
});

/**
 * What the server operator lets a conversation owner set. Values the owner's policy *changes* are held
 * to these; the operator's own server and kind scopes are not.
 */
export const BoundsSchema = Type.Object(
  {
    maxSenderWindowSeconds: BoundWindow,
    maxModeratorWindowSeconds: BoundWindow,
    allowUntilRead: Type.Boolean(),
    allowConsent: Type.Boolean(),
    allowDirectPeerRecall: Type.Boolean(),
  },
  { additionalProperties: false },
);
export type Bounds = Readonly<Static<typeof BoundsSchema>>;

/** Bounds that allow everything: a conversation may set any valid policy. */
export const noBounds: Bounds = Object.freeze({
  maxSenderWindowSeconds: null,
  maxModeratorWindowSeconds: null,
  allowUntilRead: true,
  allowConsent: true,
  allowDirectPeerRecall: true,
});

export interface PolicyScopes {
  readonly server: PolicyDocument;
  readonly kinds?: { readonly direct?: PolicyDocument; readonly group?: PolicyDocument };
  readonly conversation?: PolicyDocument | null;
  readonly kind: ConversationKind;
  readonly bounds: Bounds;
}

/**
 * The policy in force for one conversation: defaults, then the server document, then the document for
 * the conversation's kind, then the conversation's own. Each layer starts from its preset if it names
 * one (replacing everything before it), then overrides field by field; nested objects merge, arrays
 * replace. The conversation layer is clamped to `bounds` (a conversation may always tighten; whatever it
 * changes may loosen only up to the bounds) — defensively, since the API should already have refused it
 * with `checkConversationPolicy`.
 */
export function resolvePolicy(scopes: PolicyScopes): EffectivePolicy {
  let policy = applyDocument(defaultPolicy, scopes.server);
  const kindDoc = scopes.kinds?.[scopes.kind];
  if (kindDoc !== undefined) policy = applyDocument(policy, kindDoc);
  const conversation = scopes.conversation;
  if (conversation !== undefined && conversation !== null) {
    policy = clampToBounds(policy, applyDocument(policy, conversation), scopes.bounds);
  }
  return deepFreeze(policy);
}

/** One layer: start from the document's preset (or `base`), then apply its fields. */
export function applyDocument(base: EffectivePolicy, doc: PolicyDocument): EffectivePolicy {
  const start = doc.preset === undefined ? base : presets[doc.preset];
  const w = doc.windows;
  return {
    preset: start.preset,
    windows: {
      direct: pick(w?.direct, start.windows.direct),
      group: pick(w?.group, start.windows.group),
      types: mergeTypeWindows(start.windows.types, w?.types),
    },
    recallableTypes: doc.recallableTypes ?? start.recallableTypes,
    moderation: {
      roles: doc.moderation?.roles ?? start.moderation.roles,
      windowSeconds: pick(doc.moderation?.windowSeconds, start.moderation.windowSeconds),
      requireReason: doc.moderation?.requireReason ?? start.moderation.requireReason,
      label: doc.moderation?.label ?? start.moderation.label,
    },
    directPeerMayRecall: doc.directPeerMayRecall ?? start.directPeerMayRecall,
    untilRead: doc.untilRead ?? start.untilRead,
    consent: {
      enabled: doc.consent?.enabled ?? start.consent.enabled,
      maxAgeSeconds: pick(doc.consent?.maxAgeSeconds, start.consent.maxAgeSeconds),
      requestTtlSeconds: doc.consent?.requestTtlSeconds ?? start.consent.requestTtlSeconds,
    },
    reEditSeconds: doc.reEditSeconds ?? start.reEditSeconds,
    smartWindow: {
      enabled: doc.smartWindow?.enabled ?? start.smartWindow.enabled,
      windowSeconds: pick(doc.smartWindow?.windowSeconds, start.smartWindow.windowSeconds),
    },
    placeholder: doc.placeholder ?? start.placeholder,
  };
}

/**
 * What in an owner's conversation policy exceeds the server's bounds, with paths, so the API can refuse
 * it. A named preset counts as setting its values (reported at `/preset`); features a preset leaves off
 * are not checked.
 */
export function checkConversationPolicy(doc: PolicyDocument, bounds: Bounds): PolicyError[] {
  const errors: PolicyError[] = [];
  const presetName = doc.preset;
  const preset = presetName === undefined ? undefined : presets[presetName];
  const fromPreset = (field: string) => `preset ${String(presetName)} sets ${field} to`;

  const maxSender = bounds.maxSenderWindowSeconds;
  const tooLong = (value: Window | undefined): value is Window =>
    value !== undefined && exceeds(value, maxSender);
  const beyond = `the server's maximum sender window of ${show(maxSender)}`;
  /** A window the document sets itself. */
  const own = (path: string, value: Window | undefined) => {
    // `exceeds` is never true against no limit, so the maximum is a number here.
    if (tooLong(value) && maxSender !== null) {
      errors.push(
        policyProblem(path, `${show(value)} exceeds ${beyond}`, 'exceeds_bound', { value, limit: maxSender }),
      );
    }
  };
  /** A window the document's preset brings (checked only where the document does not override it). */
  const inherited = (field: string, value: Window | undefined) => {
    if (tooLong(value) && maxSender !== null && presetName !== undefined) {
      errors.push(
        policyProblem(
          '/preset',
          `${fromPreset(field)} ${show(value)}, above ${beyond}`,
          'preset_exceeds_bound',
          {
            preset: presetName,
            field,
            value,
            limit: maxSender,
          },
        ),
      );
    }
  };

  for (const kind of kinds) {
    const value = doc.windows?.[kind];
    if (value !== undefined) own(`/windows/${kind}`, value);
    else inherited(`windows.${kind}`, preset?.windows[kind]);
  }
  for (const type of contentTypes) {
    const entry = doc.windows?.types?.[type];
    if (entry === null || typeof entry === 'number') {
      own(`/windows/types/${type}`, entry);
      continue;
    }
    for (const kind of kinds) {
      const value = entry?.[kind];
      if (value !== undefined) own(`/windows/types/${type}/${kind}`, value);
      else inherited(`windows.types.${type}.${kind}`, preset?.windows.types[type]?.[kind]);
    }
  }
  const smart = doc.smartWindow?.windowSeconds;
  if (smart !== undefined) own('/smartWindow/windowSeconds', smart);
  else if (preset !== undefined && (doc.smartWindow?.enabled ?? preset.smartWindow.enabled)) {
    inherited('smartWindow.windowSeconds', preset.smartWindow.windowSeconds);
  }

  const maxModerator = bounds.maxModeratorWindowSeconds;
  const moderator = doc.moderation?.windowSeconds;
  const beyondModerator = `the server's maximum moderator window of ${show(maxModerator)}`;
  if (moderator !== undefined && exceeds(moderator, maxModerator) && maxModerator !== null) {
    errors.push(
      policyProblem(
        '/moderation/windowSeconds',
        `${show(moderator)} exceeds ${beyondModerator}`,
        'moderator_window_exceeds',
        { value: moderator, limit: maxModerator },
      ),
    );
  } else if (
    moderator === undefined &&
    preset !== undefined &&
    presetName !== undefined &&
    maxModerator !== null &&
    (doc.moderation?.roles ?? preset.moderation.roles).length > 0 &&
    exceeds(preset.moderation.windowSeconds, maxModerator)
  ) {
    const field = 'moderation.windowSeconds';
    errors.push(
      policyProblem(
        '/preset',
        `${fromPreset(field)} ${show(preset.moderation.windowSeconds)}, above ${beyondModerator}`,
        'preset_exceeds_bound',
        { preset: presetName, field, value: preset.moderation.windowSeconds, limit: maxModerator },
      ),
    );
  }

  const feature = (
    path: string,
    value: boolean | undefined,
    presetValue: boolean | undefined,
    allowed: boolean,
    name: BoundedFeature,
    what: string,
  ) => {
    if (allowed) return;
    if (value === true) {
      errors.push(
        policyProblem(path, `this server does not let conversations enable ${what}`, 'feature_not_allowed', {
          feature: name,
        }),
      );
    } else if (value === undefined && presetValue === true && presetName !== undefined) {
      errors.push(
        policyProblem(
          '/preset',
          `preset ${presetName} enables ${what}, which this server does not let conversations enable`,
          'preset_feature_not_allowed',
          { preset: presetName, feature: name },
        ),
      );
    }
  };
  feature(
    '/untilRead',
    doc.untilRead,
    preset?.untilRead,
    bounds.allowUntilRead,
    'untilRead',
    'recall until read',
  );
  feature(
    '/consent/enabled',
    doc.consent?.enabled,
    preset?.consent.enabled,
    bounds.allowConsent,
    'consent.enabled',
    'consent recall',
  );
  feature(
    '/directPeerMayRecall',
    doc.directPeerMayRecall,
    preset?.directPeerMayRecall,
    bounds.allowDirectPeerRecall,
    'directPeerMayRecall',
    'recall by the other side of a direct chat',
  );
  return errors;
}

/**
 * Holds what the conversation layer changed to the bounds. A value equal to the inherited one is the
 * operator's and stands; a changed value is cut to the bound (windows) or back to off (features).
 */
function clampToBounds(inherited: EffectivePolicy, next: EffectivePolicy, bounds: Bounds): EffectivePolicy {
  const cap = (before: Window, after: Window, max: Window) =>
    after === before ? after : shorter(after, max);
  const maxSender = bounds.maxSenderWindowSeconds;
  const windows = {
    direct: cap(inherited.windows.direct, next.windows.direct, maxSender),
    group: cap(inherited.windows.group, next.windows.group, maxSender),
    types: { ...next.windows.types } as Partial<Record<ContentType, KindWindows>>,
  };
  // Per (kind, type) so that no path — a new base window, a new or removed per-type entry — escapes.
  for (const type of contentTypes) {
    for (const kind of kinds) {
      const target = cap(senderWindow(inherited, kind, type), senderWindow(next, kind, type), maxSender);
      if (senderWindow({ ...next, windows }, kind, type) !== target) {
        windows.types[type] = { ...windows.types[type], [kind]: target };
      }
    }
  }
  const feature = (before: boolean, after: boolean, allowed: boolean) => after && (before || allowed);
  return {
    ...next,
    windows,
    moderation: {
      ...next.moderation,
      // Windows that cannot apply (no moderator roles, smart window off) are left as they are.
      windowSeconds:
        next.moderation.roles.length === 0
          ? next.moderation.windowSeconds
          : cap(
              inherited.moderation.windowSeconds,
              next.moderation.windowSeconds,
              bounds.maxModeratorWindowSeconds,
            ),
    },
    smartWindow: {
      ...next.smartWindow,
      windowSeconds: next.smartWindow.enabled
        ? cap(inherited.smartWindow.windowSeconds, next.smartWindow.windowSeconds, maxSender)
        : next.smartWindow.windowSeconds,
    },
    untilRead: feature(inherited.untilRead, next.untilRead, bounds.allowUntilRead),
    consent: {
      ...next.consent,
      enabled: feature(inherited.consent.enabled, next.consent.enabled, bounds.allowConsent),
    },
    directPeerMayRecall: feature(
      inherited.directPeerMayRecall,
      next.directPeerMayRecall,
      bounds.allowDirectPeerRecall,
    ),
  };
}

function mergeTypeWindows(
  base: EffectivePolicy['windows']['types'],
  doc: NonNullable<PolicyDocument['windows']>['types'],
): EffectivePolicy['windows']['types'] {
  if (doc === undefined) return base;
  const out: Partial<Record<ContentType, KindWindows>> = { ...base };
  for (const type of contentTypes) {
    const entry = doc[type];
    if (entry === undefined) continue;
    out[type] =
      entry === null || typeof entry === 'number'
        ? { direct: entry, group: entry }
        : { ...base[type], ...withoutUndefined(entry) };
  }
  return out;
}

function withoutUndefined(entry: KindWindows): KindWindows {
  return Object.fromEntries(Object.entries(entry).filter(([, v]) => v !== undefined)) as KindWindows;
}

/** `null` is a value (no limit); only `undefined` means "not set here". */
function pick<T>(value: T | undefined, fallback: T): T {
  return value === undefined ? fallback : value;
}

function show(window: Window): string {
  return window === null ? 'no limit' : `${window} s`;
}
