/**
 * Sensitive-content detectors (pure: no I/O, no clock). Used for the pre-send warning and to give flagged
 * messages a longer recall window. Every finding says why it matched; see docs/detectors.md.
 */
import { detectBankCard } from './bank-card.js';
import { detectCnIdCard } from './cn-id-card.js';
import { detectEmail } from './email.js';
import { detectPassword } from './password.js';
import { detectPhoneNumber } from './phone-number.js';
import { resolveOverlaps } from './resolve.js';
import { detectApiKey, detectHighEntropyToken, detectPrivateKey } from './secrets.js';
import {
  DETECTOR_NAMES,
  type Confidence,
  type DetectOptions,
  type Detector,
  type DetectorName,
  type Finding,
} from './types.js';

export { DETECTOR_NAMES, type Confidence, type DetectOptions, type DetectorName, type Finding };
export { ENTROPY_THRESHOLDS } from './secrets.js';
export { idCheckChar, luhnValid, shannonEntropy } from './checks.js';

export interface DetectorInfo {
  /** Singular and plural noun phrases, used by summarize(). */
  readonly label: readonly [string, string];
  readonly description: string;
  readonly confidence: string;
}

export const DETECTORS: Readonly<Record<DetectorName, DetectorInfo & { readonly run: Detector }>> = {
  private_key: {
    label: ['a private key', 'private keys'],
    description: 'PEM, OpenSSH or PGP private key blocks, from the BEGIN line to the matching END line.',
    confidence: 'high',
    run: detectPrivateKey,
  },
  api_key: {
    label: ['an API key or token', 'API keys or tokens'],
    description:
      'Well-known credential formats: AWS access key IDs, GitHub, Slack, Stripe live, Google and ' +
      'OpenAI-style keys, and JSON Web Tokens whose header decodes to JSON with "alg".',
    confidence: 'high',
    run: detectApiKey,
  },
  cn_id_card: {
    label: ['an ID card number', 'ID card numbers'],
    description:
      'PRC resident ID numbers: 18 characters with a valid ISO 7064 MOD 11-2 check character and a real ' +
      'birth date; legacy 15-digit numbers with a real birth date.',
    confidence: 'high for 18 characters, medium for 15 digits',
    run: detectCnIdCard,
  },
  bank_card: {
    label: ['a bank card number', 'bank card numbers'],
    description: '13-19 digit card numbers (optionally grouped by spaces or dashes) passing the Luhn check.',
    confidence: 'high with a known issuer prefix and length, medium otherwise',
    run: detectBankCard,
  },
  email: {
    label: ['an e-mail address', 'e-mail addresses'],
    description: 'E-mail addresses with a dotted domain and an alphabetic top-level domain.',
    confidence: 'high',
    run: detectEmail,
  },
  phone_number: {
    label: ['a phone number', 'phone numbers'],
    description: 'Mainland China mobile numbers (optionally +86/0086) and E.164 international numbers.',
    confidence: 'medium',
    run: detectPhoneNumber,
  },
  password: {
    label: ['a password', 'passwords'],
    description:
      'A token right after a password cue: "password:", "pwd=", "passcode is", "PIN", "密码：", "口令".',
    confidence: 'high, or medium for a plain word assigned without spaces',
    run: detectPassword,
  },
  high_entropy_token: {
    label: ['a random-looking token', 'random-looking tokens'],
    description:
      'A lone base64 or hex token of 24-512 characters with letters and digits and high Shannon entropy.',
    confidence: 'medium',
    run: detectHighEntropyToken,
  },
};

/** Find sensitive-looking content in `text`. Findings are non-overlapping and sorted by start. */
export function detect(text: string, options: DetectOptions = {}): Finding[] {
  const ctx = { currentYear: options.currentYear ?? 2100 };
  const candidates: Finding[] = [];
  for (const name of DETECTOR_NAMES) candidates.push(...DETECTORS[name].run(text, ctx));
  const resolved = resolveOverlaps(candidates);
  const wanted = options.detectors;
  return wanted ? resolved.filter((f) => wanted.includes(f.detector)) : resolved;
}

const COUNT_WORDS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten'];

/** One English sentence for the pre-send warning, e.g. "This looks like it contains an ID card number and
 *  2 phone numbers." Detectors appear in DETECTOR_NAMES order. */
export function summarize(findings: readonly Finding[]): string {
  if (findings.length === 0) return 'Nothing sensitive found.';
  const counts = new Map<DetectorName, number>();
  for (const f of findings) counts.set(f.detector, (counts.get(f.detector) ?? 0) + 1);
  const parts = DETECTOR_NAMES.filter((n) => counts.has(n)).map((n) => {
    const count = counts.get(n) ?? 0;
    const [one, many] = DETECTORS[n].label;
    return count === 1 ? one : `${COUNT_WORDS[count] ?? String(count)} ${many}`;
  });
  const list =
    parts.length === 1
      ? parts[0]
      : `${parts.slice(0, -1).join(', ')}${parts.length > 2 ? ',' : ''} and ${parts.at(-1)}`;
  const hedge = findings.every((f) => f.confidence === 'medium') ? 'may contain' : 'looks like it contains';
  return `This message ${hedge} ${list}.`;
}
