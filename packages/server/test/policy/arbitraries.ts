import fc from 'fast-check';
import type { ConversationKind, Role, Tombstone } from '@retract/protocol';
import {
  contentTypes,
  maxFiniteWindowSeconds,
  moderatorRoles,
  presetNames,
  type Bounds,
  type ContentType,
  type PolicyDocument,
  type Window,
} from '../../src/core/policy/index.js';

/**
 * Generators that follow the policy document's shape field by field (every field optional, nested
 * objects partial), so properties run over documents of every form the schema admits.
 */

export const windowArb: fc.Arbitrary<Window> = fc.oneof(
  fc.constant(null),
  fc.constant(0),
  fc.constantFrom(60, 120, 3600, 86400, 172800),
  fc.integer({ min: 1, max: 3 * 86400 }),
  fc.integer({ min: 0, max: maxFiniteWindowSeconds }),
);

const typeWindowArb = fc.oneof(
  windowArb,
  fc.record({ direct: windowArb, group: windowArb }, { requiredKeys: [] }),
);

const typesArb = fc.record(
  Object.fromEntries(contentTypes.map((t) => [t, typeWindowArb])) as Record<
    ContentType,
    typeof typeWindowArb
  >,
  { requiredKeys: [] },
);

const subset = <T>(values: readonly T[]) => fc.shuffledSubarray([...values]);

const rawDocumentArb = fc.record(
  {
    preset: fc.constantFrom(...presetNames),
    windows: fc.record({ direct: windowArb, group: windowArb, types: typesArb }, { requiredKeys: [] }),
    recallableTypes: subset(contentTypes),
    moderation: fc.record(
      {
        roles: subset(moderatorRoles),
        windowSeconds: windowArb,
        requireReason: fc.boolean(),
        label: fc.string({ minLength: 1, maxLength: 100 }),
      },
      { requiredKeys: [] },
    ),
    directPeerMayRecall: fc.boolean(),
    untilRead: fc.boolean(),
    consent: fc.record(
      {
        enabled: fc.boolean(),
        maxAgeSeconds: windowArb,
        requestTtlSeconds: fc.integer({ min: 1, max: 30 * 86400 }),
      },
      { requiredKeys: [] },
    ),
    reEditSeconds: fc.integer({ min: 0, max: 86400 }),
    smartWindow: fc.record({ enabled: fc.boolean(), windowSeconds: windowArb }, { requiredKeys: [] }),
    placeholder: fc.constantFrom('always', 'none'),
  },
  { requiredKeys: [] },
);

/**
 * Valid documents: the raw shape, minus the three combinations validation refuses (a window for a type
 * that is not recallable; consent or smart window enabled with 0).
 */
export const documentArb: fc.Arbitrary<PolicyDocument> = rawDocumentArb.map((raw) => {
  const doc = structuredClone(raw) as Record<string, unknown> & typeof raw;
  if (doc.recallableTypes !== undefined && doc.windows?.types !== undefined) {
    for (const t of contentTypes) if (!doc.recallableTypes.includes(t)) delete doc.windows.types[t];
  }
  if (doc.consent?.enabled === true && doc.consent.maxAgeSeconds === 0) doc.consent.maxAgeSeconds = 60;
  if (doc.smartWindow?.enabled === true && doc.smartWindow.windowSeconds === 0)
    doc.smartWindow.windowSeconds = 60;
  return doc as PolicyDocument;
});

export const boundsArb: fc.Arbitrary<Bounds> = fc.record({
  maxSenderWindowSeconds: windowArb,
  maxModeratorWindowSeconds: windowArb,
  allowUntilRead: fc.boolean(),
  allowConsent: fc.boolean(),
  allowDirectPeerRecall: fc.boolean(),
});

export const kindArb: fc.Arbitrary<ConversationKind> = fc.constantFrom('direct', 'group');
export const roleArb: fc.Arbitrary<Role | null> = fc.constantFrom('owner', 'admin', 'member', null);
export const typeArb: fc.Arbitrary<ContentType> = fc.constantFrom(...contentTypes);
export const reasonArb: fc.Arbitrary<string | null> = fc.constantFrom(null, '', '   ', 'spam');

export const sentAtMs = Date.UTC(2026, 0, 1, 12);
export const tenYearsMs = 10 * 365 * 86400_000;

export const tombstone: Tombstone = {
  recalledAt: new Date(sentAtMs + 1000).toISOString(),
  recalledBy: 'u_sender',
  role: 'sender',
  reason: null,
  label: null,
};
