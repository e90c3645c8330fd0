import { Type, type Static } from '@sinclair/typebox';
import { Ajv } from 'ajv';
import type { EvidenceBundle } from './bundle.js';
import type { AuditDetailValue, AuditKind } from './entry.js';

/**
 * JSON Schemas (TypeBox) for the evidence bundle file, so a tool can reject a malformed file with precise
 * messages before verifying it. Bundle, checkpoint, entry-proof and commitment objects are closed (no
 * unknown keys: nothing outside the entries is authenticated, so an extra field could only mislead). An
 * entry is open and its kind is any dotted name: entries are hashed as they are, so a newer server's
 * fields or kinds still verify with an older tool.
 */

const strict = { additionalProperties: false } as const;
const HexHashSchema = Type.String({ pattern: '^[0-9a-f]{64}$' });
const IndexSchema = Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER });
const nullable = <T extends ReturnType<typeof Type.String>>(schema: T) => Type.Union([schema, Type.Null()]);

export const AuditEntrySchema = Type.Object({
  index: IndexSchema,
  kind: Type.Unsafe<AuditKind>({ type: 'string', pattern: '^[a-z_]+(\\.[a-z_]+)+$' }),
  at: Type.String(),
  actor: Type.Object({
    userId: nullable(Type.String()),
    role: Type.String(),
    keyId: Type.Optional(Type.String()),
  }),
  target: Type.Object({
    conversationId: Type.Optional(Type.String()),
    messageId: Type.Optional(Type.String()),
    userId: Type.Optional(Type.String()),
    jobId: Type.Optional(Type.String()),
    requestId: Type.Optional(Type.String()),
  }),
  reason: nullable(Type.String()),
  requestId: nullable(Type.String()),
  details: Type.Optional(
    Type.Record(
      Type.String(),
      Type.Unsafe<AuditDetailValue>({ type: ['string', 'number', 'boolean', 'null'] }),
    ),
  ),
});

export const SignedCheckpointSchema = Type.Object(
  {
    treeSize: IndexSchema,
    rootHash: HexHashSchema,
    issuedAt: Type.String(),
    keyId: Type.String(),
    signature: Type.String(),
  },
  strict,
);

export const EvidenceBundleSchema = Type.Object(
  {
    format: Type.Literal('retract-evidence-v1'),
    createdAt: Type.String(),
    publicKey: Type.String(),
    checkpoint: SignedCheckpointSchema,
    entries: Type.Array(
      Type.Object(
        { entry: AuditEntrySchema, leafIndex: IndexSchema, inclusionProof: Type.Array(HexHashSchema) },
        strict,
      ),
    ),
    commitments: Type.Optional(
      Type.Array(
        Type.Object(
          {
            messageId: Type.String(),
            algorithm: Type.Literal('sha256-salted-v1'),
            commitment: HexHashSchema,
          },
          strict,
        ),
      ),
    ),
  },
  strict,
);

// The schema and the hand-written type must agree: a validated file is usable as an EvidenceBundle.
type Agrees<T extends true> = T;
type _SchemaFitsType = Agrees<Static<typeof EvidenceBundleSchema> extends EvidenceBundle ? true : false>;

export type BundleValidation =
  | { readonly ok: true; readonly bundle: EvidenceBundle }
  | { readonly ok: false; readonly errors: readonly string[] };

const ajv = new Ajv({ allErrors: true, strict: false });
const validateSchema = ajv.compile(EvidenceBundleSchema);

/** Checks a parsed file's shape (`/entries/0/inclusionProof/2: must match pattern …`). Not its proofs. */
export function validateBundle(value: unknown): BundleValidation {
  if (validateSchema(value)) return { ok: true, bundle: value as EvidenceBundle };
  const errors = (validateSchema.errors ?? []).map((e) => {
    const extra = e.keyword === 'additionalProperties' ? ` (${String(e.params['additionalProperty'])})` : '';
    return `${e.instancePath || '(root)'}: ${e.message ?? 'is invalid'}${extra}`;
  });
  return { ok: false, errors: [...new Set(errors)] };
}
