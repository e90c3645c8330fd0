import { shannonEntropy } from './checks.js';
import { DOT, maskSecret } from './mask.js';
import type { Confidence, Detector, Finding } from './types.js';

// ---------------------------------------------------------------------------------------------------------
// api_key: well-known credential formats. Every pattern is anchored on a fixed prefix and refuses to start or
// end inside a longer token, so matching is linear in the input.

interface KeyFormat {
  readonly name: string;
  readonly re: RegExp;
  /** Characters of the match that name the key type and may be shown in the preview. */
  readonly shown: number;
  readonly confidence: Confidence;
  readonly check?: (s: string) => boolean;
}

const B = '(?<![A-Za-z0-9_-])';
const E = '(?![A-Za-z0-9_-])';
const hasDigitAndLetter = (s: string): boolean => /\d/.test(s) && /[A-Za-z]/.test(s);

export const KEY_FORMATS: readonly KeyFormat[] = [
  {
    name: 'AWS access key ID',
    re: /(?<![A-Za-z0-9])(?:AKIA|ASIA)[A-Z0-9]{16}(?![A-Za-z0-9])/g,
    shown: 4,
    confidence: 'high',
  },
  {
    name: 'GitHub token',
    re: new RegExp(`${B}(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255})${E}`, 'g'),
    shown: 4,
    confidence: 'high',
  },
  {
    name: 'Slack token',
    re: new RegExp(`${B}xox[baprs]-[A-Za-z0-9-]{10,250}${E}`, 'g'),
    shown: 5,
    confidence: 'high',
    check: hasDigitAndLetter,
  },
  {
    name: 'Stripe live secret key',
    re: new RegExp(`${B}(?:sk|rk)_live_[A-Za-z0-9]{16,247}${E}`, 'g'),
    shown: 8,
    confidence: 'high',
  },
  {
    name: 'Google API key',
    re: new RegExp(`${B}AIza[A-Za-z0-9_-]{35}${E}`, 'g'),
    shown: 4,
    confidence: 'high',
  },
  {
    // OpenAI-style "sk-" keys (also sk-proj-, sk-ant-...): at least 32 characters with letters and digits.
    name: 'OpenAI-style secret key',
    re: new RegExp(`${B}sk-[A-Za-z0-9_-]{29,300}${E}`, 'g'),
    shown: 3,
    confidence: 'high',
    check: (s) => hasDigitAndLetter(s.slice(3)) && /[A-Z]/.test(s) && /[a-z]/.test(s.slice(3)),
  },
];

// JWT: three base64url segments, the header starting 'eyJ' ('{"' encoded) and decoding to JSON with "alg".
const JWT =
  /(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{5,4096}\.eyJ[A-Za-z0-9_-]{5,8192}\.[A-Za-z0-9_-]{0,4096}(?![A-Za-z0-9_-]|\.[A-Za-z0-9_-])/g;

function base64UrlJson(segment: string): unknown {
  try {
    const b64 = segment.replace(/-/g, '+').replace(/_/g, '/');
    const json = atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4));
    return JSON.parse(json) as unknown;
  } catch {
    return undefined;
  }
}

function jwtAlg(token: string): string | null {
  const header = base64UrlJson(token.slice(0, token.indexOf('.')));
  if (typeof header !== 'object' || header === null) return null;
  const alg = (header as Record<string, unknown>)['alg'];
  return typeof alg === 'string' && alg.length <= 32 && /^[A-Za-z0-9+_-]+$/.test(alg) ? alg : null;
}

export const detectApiKey: Detector = (text) => {
  const out: Finding[] = [];
  for (const f of KEY_FORMATS) {
    for (const m of text.matchAll(f.re)) {
      if (f.check && !f.check(m[0])) continue;
      out.push({
        detector: 'api_key',
        start: m.index,
        end: m.index + m[0].length,
        preview: maskSecret(m[0].slice(0, f.shown)),
        reason: `matches the ${f.name} format (prefix "${m[0].slice(0, f.shown)}", ${m[0].length} characters)`,
        confidence: f.confidence,
      });
    }
  }
  for (const m of text.matchAll(JWT)) {
    const alg = jwtAlg(m[0]);
    if (alg === null) continue;
    out.push({
      detector: 'api_key',
      start: m.index,
      end: m.index + m[0].length,
      preview: `eyJ${DOT.repeat(4)}.${DOT.repeat(4)}.${DOT.repeat(4)}`,
      reason: `JSON Web Token: three base64url segments and the header decodes to JSON with "alg": "${alg}"`,
      confidence: 'high',
    });
  }
  return out;
};

// ---------------------------------------------------------------------------------------------------------
// private_key: PEM / OpenSSH / PGP private key blocks, from the BEGIN line to the matching END line (or, if
// the paste was cut short, through the base64 body that follows the BEGIN line).

const BEGIN = /-----BEGIN ((?:[A-Z0-9]{1,20} ){0,3})PRIVATE KEY( BLOCK)?-----/g;
// Following lines that look like a PEM body: base64 lines (16+ characters, or shorter ones ending in '='
// padding) and RFC 1421 headers ("Proc-Type: 4,ENCRYPTED"), with at most one blank line between them.
const BODY =
  /(?:\r?\n(?:\r?\n)?(?:[A-Za-z0-9+/]{16,100}={0,2}|[A-Za-z0-9+/]{1,15}={1,2}|[A-Za-z-]{1,40}: ?[A-Za-z0-9,-]{1,100})(?![^\r\n]))*/y;

export const detectPrivateKey: Detector = (text) => {
  const out: Finding[] = [];
  // Remember, per END line, where it was last found (reused by later BEGINs before it) or that it is absent
  // after some point; keeps repeated headers linear.
  const foundAt = new Map<string, number>();
  const noEndAfter = new Map<string, number>();
  for (const m of text.matchAll(BEGIN)) {
    const kind = `${m[1] ?? ''}PRIVATE KEY${m[2] ?? ''}`;
    const afterHeader = m.index + m[0].length;
    const marker = `-----END ${kind}-----`;
    let end = -1;
    const known = foundAt.get(marker);
    if (known !== undefined && known >= afterHeader) end = known + marker.length;
    else if (afterHeader < (noEndAfter.get(marker) ?? Infinity)) {
      const at = text.indexOf(marker, afterHeader);
      if (at >= 0) {
        foundAt.set(marker, at);
        end = at + marker.length;
      } else noEndAfter.set(marker, afterHeader);
    }
    let complete = true;
    if (end < 0) {
      complete = false;
      BODY.lastIndex = afterHeader;
      end = afterHeader + (BODY.exec(text)?.[0].length ?? 0);
    }
    out.push({
      detector: 'private_key',
      start: m.index,
      end,
      preview: `-----BEGIN ${kind}----- ${DOT.repeat(8)}`,
      reason: complete
        ? `private key block: "BEGIN ${kind}" line with its matching END line`
        : `start of a private key block: "BEGIN ${kind}" line (no END line, the paste may be cut short)`,
      confidence: 'high',
    });
  }
  return out;
};

// ---------------------------------------------------------------------------------------------------------
// high_entropy_token: a lone token that looks random. Thresholds are documented in docs/detectors.md.

export const ENTROPY_THRESHOLDS = { base64: 3.5, hex: 3.0, minLength: 24, maxLength: 512 } as const;

// A maximal run of base64 / base64url characters (plus up to two '=' of padding). The start may follow '='
// so that "token=..." still yields the value.
const TOKEN = /(?<![A-Za-z0-9+/_-])[A-Za-z0-9+/_-]{24,}={0,2}(?![A-Za-z0-9+/_=-])/g;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// Identifier pieces: camelCase words, ALLCAPS, digit runs, punctuation.
const PIECE = /[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+|[^A-Za-z\d]+/g;

// Public PEM blocks (certificates, public keys) are not secret: their base64 lines are not reported.
const PUBLIC_BEGIN = /-----BEGIN ((?:[A-Z0-9]{1,20} ){0,3}[A-Z0-9]{1,20})-----/g;

function publicBlocks(text: string): Array<readonly [number, number]> {
  const out: Array<readonly [number, number]> = [];
  const missing = new Set<string>(); // END lines known to be absent after an earlier BEGIN
  let from = 0;
  for (const m of text.matchAll(PUBLIC_BEGIN)) {
    if (m.index < from || (m[1] ?? '').includes('PRIVATE')) continue;
    const marker = `-----END ${m[1] ?? ''}-----`;
    const at = missing.has(marker) ? -1 : text.indexOf(marker, m.index);
    if (at < 0) {
      missing.add(marker);
      continue;
    }
    from = at + marker.length;
    out.push([m.index, from]);
  }
  return out;
}

function judgeToken(tok: string): { reason: string } | null {
  const body = tok.replace(/=+$/, '');
  if (body.length < ENTROPY_THRESHOLDS.minLength || body.length > ENTROPY_THRESHOLDS.maxLength) return null;
  if (!/\d/.test(body) || !/[A-Za-z]/.test(body)) return null;
  if (UUID.test(body)) return null;
  const h = shannonEntropy(body);
  if (/^[0-9a-f]+$/.test(body) || /^[0-9A-F]+$/.test(body)) {
    // 40 and 64 hex characters are git commit SHAs and SHA-256 digests, pasted constantly in engineering chat.
    if (body.length === 40 || body.length === 64) return null;
    if (h < ENTROPY_THRESHOLDS.hex) return null;
    return {
      reason: `random-looking hex token: ${body.length} characters, ${h.toFixed(2)} bits of entropy per character (threshold ${ENTROPY_THRESHOLDS.hex})`,
    };
  }
  if (!/[A-Z]/.test(body) || !/[a-z]/.test(body)) return null;
  if (h < ENTROPY_THRESHOLDS.base64) return null;
  // camelCase / snake_case identifiers have long word pieces; random base64 switches class every ~2 chars.
  const pieces = body.match(PIECE) ?? [];
  if (body.length / Math.max(1, pieces.length) > 3) return null;
  return {
    reason: `random-looking token: ${body.length} characters mixing upper case, lower case and digits, ${h.toFixed(2)} bits of entropy per character (threshold ${ENTROPY_THRESHOLDS.base64})`,
  };
}

export const detectHighEntropyToken: Detector = (text) => {
  const out: Finding[] = [];
  const skip = text.includes('-----BEGIN ') ? publicBlocks(text) : [];
  for (const m of text.matchAll(TOKEN)) {
    if (skip.some(([a, b]) => m.index >= a && m.index < b)) continue;
    let parts: Array<{ s: string; at: number }> = [{ s: m[0], at: m.index }];
    // A path ("org/repo/blob/3f2a...") is judged segment by segment; random base64 rarely has an
    // all-lowercase segment of 3+ letters between slashes.
    if (m[0].includes('/') && m[0].split('/').some((seg) => /^[a-z]{3,}$/.test(seg))) {
      parts = [];
      let at = m.index;
      for (const seg of m[0].split('/')) {
        parts.push({ s: seg, at });
        at += seg.length + 1;
      }
    }
    for (const { s, at } of parts) {
      const verdict = judgeToken(s);
      if (!verdict) continue;
      out.push({
        detector: 'high_entropy_token',
        start: at,
        end: at + s.length,
        preview: maskSecret(s.slice(0, 4)),
        reason: verdict.reason,
        confidence: 'medium',
      });
    }
  }
  return out;
};
