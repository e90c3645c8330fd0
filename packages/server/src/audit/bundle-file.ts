import type { KeyObject } from 'node:crypto';
import { canonicalJson, validateBundle, verifyBundle, type EvidenceBundle } from '../core/audit/index.js';

/**
 * An evidence bundle as a file: what `retract audit export` writes and `retract audit verify-bundle`
 * checks. The file is the bundle's canonical JSON (RFC 8785, UTF-8, no trailing newline), and Retract
 * dates a bundle with its checkpoint (`createdAt` = the checkpoint's `issuedAt`, signed for the
 * occasion). Together these leave no byte of the file outside what is signed or proven: a file that was
 * reformatted, re-encoded or re-dated is not the file that was exported, and is refused — beyond what
 * the core's `verifyBundle` checks (it authenticates the checkpoint and the entries, not the wrapping).
 */

export interface BundleFileCheck {
  readonly ok: boolean;
  readonly problems: readonly string[];
  /** The bundle, when the file parsed and has a bundle's shape. */
  readonly bundle: EvidenceBundle | null;
  /** Entries proven into the signed tree. */
  readonly entries: number;
}

/** The bytes to write for a bundle. */
export function bundleFileBytes(bundle: EvidenceBundle): Buffer {
  return Buffer.from(canonicalJson(bundle), 'utf8');
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Parses, validates and verifies a bundle file. Never throws: every failure is a problem. */
export function checkBundleFile(
  bytes: Uint8Array,
  options: { readonly trustedKeys?: KeyObject | readonly KeyObject[] } = {},
): BundleFileCheck {
  let value: unknown;
  try {
    value = JSON.parse(utf8.decode(bytes));
  } catch (error) {
    const why = error instanceof SyntaxError ? error.message : 'it is not UTF-8';
    return { ok: false, problems: [`not a JSON file: ${why}`], bundle: null, entries: 0 };
  }
  const shape = validateBundle(value);
  if (!shape.ok) {
    return { ok: false, problems: shape.errors.map((e) => `malformed: ${e}`), bundle: null, entries: 0 };
  }
  const { bundle } = shape;
  const verified = verifyBundle(
    bundle,
    options.trustedKeys === undefined ? {} : { trustedKeys: options.trustedKeys },
  );
  const problems = [...verified.problems];
  if (bundle.createdAt !== bundle.checkpoint.issuedAt) {
    problems.push(
      `createdAt ${bundle.createdAt} is not the checkpoint's issuedAt ${bundle.checkpoint.issuedAt}: ` +
        'a Retract bundle is dated by its signed checkpoint, so the date was changed',
    );
  }
  if (!isCanonical(bundle, bytes)) {
    problems.push(
      'the file is not the canonical JSON of its content (RFC 8785): it was reformatted or edited after ' +
        'export — verify the file exactly as exported',
    );
  }
  return { ok: problems.length === 0, problems, bundle, entries: verified.entries };
}

function isCanonical(bundle: EvidenceBundle, bytes: Uint8Array): boolean {
  try {
    return Buffer.from(canonicalJson(bundle), 'utf8').equals(Buffer.from(bytes));
  } catch {
    return false;
  }
}
