import { Ajv } from 'ajv';
import { ClientFrameSchema, type ClientFrame, type ErrorPayload, errorPayload } from '@retract/protocol';

const ajv = new Ajv({ allErrors: false, strict: false });
const validate = ajv.compile<ClientFrame>(ClientFrameSchema);

export type Decoded =
  { readonly ok: true; readonly frame: ClientFrame } | { readonly ok: false; readonly error: ErrorPayload };

/**
 * Text frame → a validated client frame. Binary frames, bad JSON and anything off-schema (unknown type,
 * unknown field, wrong type, too long) are refused with `invalid_frame`; the socket stays open.
 */
export function decodeFrame(data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean): Decoded {
  if (isBinary)
    return { ok: false, error: errorPayload('invalid_frame', { reason: 'binary frames are not accepted' }) };
  const text = Array.isArray(data)
    ? Buffer.concat(data).toString('utf8')
    : Buffer.from(data as ArrayBuffer).toString('utf8');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, error: errorPayload('invalid_frame', { reason: 'not JSON' }) };
  }
  if (!validate(value)) {
    const first = validate.errors?.[0];
    return {
      ok: false,
      error: errorPayload('invalid_frame', {
        reason: first ? `${first.instancePath || '/'} ${first.message ?? 'invalid'}` : 'invalid',
      }),
    };
  }
  return { ok: true, frame: value };
}

/** Splices the per-user sequence number into an event serialised once for all recipients. */
export function eventFrame(seq: number, eventJson: string): string {
  return `{"type":"event","event":{"seq":${seq},${eventJson.slice(1)}}`;
}
