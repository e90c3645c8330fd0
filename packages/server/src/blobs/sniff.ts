/**
 * What an upload is, from its first bytes — never from its name or the client's word. Pure: no I/O, no
 * dependency; the whole rule set is {@link SNIFF_TABLE}, small enough to audit by eye.
 */

export type BlobKind = 'image' | 'video' | 'voice' | 'file';

export interface SniffedType {
  readonly mime: string;
  readonly kind: BlobKind;
}

/** How many leading bytes `sniffType` looks at: pass this many, or the whole blob when it is shorter. */
export const SNIFF_BYTES = 4096;

export interface SniffRule extends SniffedType {
  /** What is looked for, for people. */
  readonly signature: string;
  readonly note?: string;
  readonly test: (head: Uint8Array) => boolean;
}

// --- byte helpers ----------------------------------------------------------------------------------

const ascii = (s: string): number[] => [...s].map((c) => c.charCodeAt(0));

/** True when `head` holds `bytes` at `offset` (`null` in `bytes` matches any byte). */
function at(head: Uint8Array, offset: number, bytes: readonly (number | null)[]): boolean {
  if (head.length < offset + bytes.length) return false;
  return bytes.every((b, i) => b === null || head[offset + i] === b);
}

function text(head: Uint8Array, from: number, to: number): string {
  return String.fromCharCode(...head.subarray(from, Math.min(to, head.length)));
}

// --- ISO base media (MP4, MOV, M4A, HEIC, AVIF): the `ftyp` box ------------------------------------

/** Major brand, then compatible brands, of a well-formed leading `ftyp` box; null otherwise. */
function ftypBrands(head: Uint8Array): string[] | null {
  if (!at(head, 4, ascii('ftyp')) || head.length < 12) return null;
  const size = ((head[0]! << 24) | (head[1]! << 16) | (head[2]! << 8) | head[3]!) >>> 0;
  // size, type, major brand, minor version, then 4-byte compatible brands.
  if (size < 16 || size % 4 !== 0) return null;
  const brands = [text(head, 8, 12)];
  for (let i = 16; i + 4 <= Math.min(size, head.length); i += 4) brands.push(text(head, i, i + 4));
  return brands;
}

const AVIF_BRANDS = ['avif', 'avis'];
const HEIC_BRANDS = ['heic', 'heix', 'heim', 'heis', 'hevc', 'hevx'];
const HEIF_BRANDS = ['mif1', 'msf1'];
const M4A_BRANDS = ['M4A ', 'M4B '];
const QUICKTIME_BRANDS = ['qt  '];
const MP4_BRANDS = [
  'isom',
  'iso2',
  'iso3',
  'iso4',
  'iso5',
  'iso6',
  'mp41',
  'mp42',
  'avc1',
  'dash',
  'mmp4',
  'M4V ',
  'MSNV',
  'NDAS',
];

/** An image brand anywhere wins (AVIF files often have major brand `mif1`); otherwise the major brand decides. */
const ftyp =
  (pick: (major: string, all: readonly string[]) => boolean) =>
  (head: Uint8Array): boolean => {
    const brands = ftypBrands(head);
    return brands !== null && pick(brands[0]!, brands);
  };
const anyOf = (all: readonly string[], set: readonly string[]) => all.some((b) => set.includes(b));
const isAvif = ftyp((_, all) => anyOf(all, AVIF_BRANDS));
const isHeic = ftyp((_, all) => !anyOf(all, AVIF_BRANDS) && anyOf(all, HEIC_BRANDS));
const isHeif = ftyp(
  (major, all) => !anyOf(all, [...AVIF_BRANDS, ...HEIC_BRANDS]) && HEIF_BRANDS.includes(major),
);

// --- RIFF (WebP, WAV), EBML (WebM, Matroska), Ogg ---------------------------------------------------

const riff = (form: string) => (head: Uint8Array) => at(head, 0, ascii('RIFF')) && at(head, 8, ascii(form));

/** The EBML header's DocType (`webm`, `matroska`), or null when `head` is not EBML or has none. */
function ebmlDocType(head: Uint8Array): string | null {
  if (!at(head, 0, [0x1a, 0x45, 0xdf, 0xa3])) return null;
  // DocType is element 0x4282; its size is a one-byte EBML varint (0x80 | length) in every real file.
  for (let i = 4; i + 3 < Math.min(head.length, 64); i++) {
    if (head[i] !== 0x42 || head[i + 1] !== 0x82) continue;
    const sizeByte = head[i + 2]!;
    if ((sizeByte & 0x80) === 0) return null;
    const len = sizeByte & 0x7f;
    if (i + 3 + len > head.length) return null;
    return text(head, i + 3, i + 3 + len);
  }
  return null;
}

/**
 * Whether the head's Tracks name a video codec (`V_VP8`, `V_AV1`, …) or only audio ones (`A_OPUS`, …):
 * a CodecID element (0x86, a one-byte size, then the string). A browser's MediaRecorder writes Tracks
 * within the first few hundred bytes, so voice notes recorded as `audio/webm` are told apart from video.
 * With no codec in the head it counts as video.
 */
function codecs(head: Uint8Array): { video: boolean; audio: boolean } {
  const found = { video: false, audio: false };
  for (let i = 0; i + 3 < Math.min(head.length, SNIFF_BYTES); i++) {
    if (head[i] !== 0x86 || (head[i + 1]! & 0x80) === 0 || head[i + 3] !== 0x5f) continue;
    if (head[i + 2] === 0x56) found.video = true; // 'V'
    if (head[i + 2] === 0x41) found.audio = true; // 'A'
  }
  return found;
}
const hasAudioOnly = (head: Uint8Array) => {
  const { video, audio } = codecs(head);
  return audio && !video;
};
const ebml =
  (docType: string, audioOnly: boolean) =>
  (head: Uint8Array): boolean =>
    ebmlDocType(head) === docType && hasAudioOnly(head) === audioOnly;

/** The first Ogg page's first packet starts at 27 + number of segments. */
const ogg = (codec: readonly number[]) => (head: Uint8Array) => {
  if (!at(head, 0, ascii('OggS')) || head.length < 27) return false;
  return at(head, 27 + head[26]!, codec);
};

// --- MPEG audio ------------------------------------------------------------------------------------

/** An ID3v2 tag: "ID3", major version 2–4, a revision byte, flags, then a 28-bit syncsafe size. */
const isId3 = (head: Uint8Array) =>
  at(head, 0, ascii('ID3')) &&
  head.length >= 10 &&
  head[3]! >= 2 &&
  head[3]! <= 4 &&
  head[4]! !== 0xff &&
  [6, 7, 8, 9].every((i) => head[i]! < 0x80);

/**
 * An MPEG-1/2/2.5 audio frame header, layer II or III, with a usable bitrate, sample rate and emphasis.
 * Layer I is left out: nobody records it, and its sync `FF FE` is also the UTF-16LE byte-order mark.
 */
function isMpegFrame(head: Uint8Array): boolean {
  if (head.length < 4 || head[0] !== 0xff || (head[1]! & 0xe0) !== 0xe0) return false;
  const version = (head[1]! >> 3) & 0b11;
  const layer = (head[1]! >> 1) & 0b11;
  const bitrate = head[2]! >> 4;
  const rate = (head[2]! >> 2) & 0b11;
  const emphasis = head[3]! & 0b11;
  return (
    version !== 0b01 &&
    (layer === 0b01 || layer === 0b10) &&
    bitrate !== 0b0000 &&
    bitrate !== 0b1111 &&
    rate !== 0b11 &&
    emphasis !== 0b10
  );
}

/** An ADTS (raw AAC) header: 12-bit sync, layer 00, a valid sampling-frequency index. */
function isAdts(head: Uint8Array): boolean {
  if (head.length < 7 || head[0] !== 0xff || (head[1]! & 0xf6) !== 0xf0) return false;
  return ((head[2]! >> 2) & 0x0f) < 13;
}

// --- text ------------------------------------------------------------------------------------------

/** C0 controls that plain text may hold: backspace, tab, line feed, vertical tab, form feed, return, escape. */
const TEXT_CONTROLS = new Set([0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x1b]);

/**
 * Valid UTF-8 with no NUL and no other binary control byte in the first {@link SNIFF_BYTES}. A character
 * cut in two at the 4 KiB mark is allowed; one cut at the end of a shorter head (the whole blob) is not.
 */
function isUtf8Text(head: Uint8Array): boolean {
  if (head.length === 0) return false;
  const window = head.subarray(0, SNIFF_BYTES);
  for (const b of window) if (b < 0x20 && !TEXT_CONTROLS.has(b)) return false;
  const decoder = new TextDecoder('utf-8', { fatal: true });
  try {
    decoder.decode(window, { stream: true });
    if (head.length < SNIFF_BYTES) decoder.decode();
    return true;
  } catch {
    return false;
  }
}

// --- the table -------------------------------------------------------------------------------------

/**
 * Every rule, in the order they are tried; the first that matches wins, and no match means "unknown".
 * SVG is deliberately absent: it is text (script included), so it is `text/plain`, never an image.
 */
export const SNIFF_TABLE: readonly SniffRule[] = [
  {
    mime: 'image/png',
    kind: 'image',
    signature: '89 50 4E 47 0D 0A 1A 0A',
    test: (h) => at(h, 0, [0x89, ...ascii('PNG'), 0x0d, 0x0a, 0x1a, 0x0a]),
  },
  { mime: 'image/jpeg', kind: 'image', signature: 'FF D8 FF', test: (h) => at(h, 0, [0xff, 0xd8, 0xff]) },
  {
    mime: 'image/gif',
    kind: 'image',
    signature: '"GIF87a" or "GIF89a"',
    test: (h) => at(h, 0, ascii('GIF87a')) || at(h, 0, ascii('GIF89a')),
  },
  { mime: 'image/webp', kind: 'image', signature: '"RIFF" size "WEBP"', test: riff('WEBP') },
  {
    mime: 'image/avif',
    kind: 'image',
    signature: 'ftyp box with brand avif/avis (major or compatible)',
    test: isAvif,
  },
  {
    mime: 'image/heic',
    kind: 'image',
    signature: 'ftyp box with brand heic/heix/heim/heis/hevc/hevx',
    test: isHeic,
  },
  {
    mime: 'image/heif',
    kind: 'image',
    signature: 'ftyp box with major brand mif1/msf1 and no HEIC/AVIF brand',
    test: isHeif,
  },
  {
    mime: 'audio/mp4',
    kind: 'voice',
    signature: 'ftyp box with major brand "M4A " or "M4B "',
    test: ftyp((major) => M4A_BRANDS.includes(major)),
  },
  {
    mime: 'video/quicktime',
    kind: 'video',
    signature: 'ftyp box with major brand "qt  "',
    test: ftyp((major) => QUICKTIME_BRANDS.includes(major)),
  },
  {
    mime: 'video/mp4',
    kind: 'video',
    signature: `ftyp box with major brand ${MP4_BRANDS.map((b) => b.trim()).join('/')}`,
    note: 'May hold audio only (Safari records voice this way): accepted when declared as voice.',
    test: ftyp((major) => MP4_BRANDS.includes(major)),
  },
  {
    mime: 'audio/webm',
    kind: 'voice',
    signature: 'EBML 1A 45 DF A3, DocType "webm", audio codecs (A_…) and no video codec in the head',
    test: ebml('webm', true),
  },
  {
    mime: 'video/webm',
    kind: 'video',
    signature: 'EBML 1A 45 DF A3, DocType "webm"',
    note: 'Tracks past the first 4 KiB cannot be seen: counts as video, accepted when declared as voice.',
    test: ebml('webm', false),
  },
  {
    mime: 'audio/x-matroska',
    kind: 'voice',
    signature: 'EBML 1A 45 DF A3, DocType "matroska", audio codecs only in the head',
    test: ebml('matroska', true),
  },
  {
    mime: 'video/x-matroska',
    kind: 'video',
    signature: 'EBML 1A 45 DF A3, DocType "matroska"',
    test: ebml('matroska', false),
  },
  {
    mime: 'audio/ogg',
    kind: 'voice',
    signature: '"OggS", first packet "OpusHead"',
    test: ogg(ascii('OpusHead')),
  },
  {
    mime: 'audio/ogg',
    kind: 'voice',
    signature: '"OggS", first packet 01 "vorbis"',
    test: ogg([0x01, ...ascii('vorbis')]),
  },
  {
    mime: 'video/ogg',
    kind: 'video',
    signature: '"OggS", first packet 80 "theora"',
    test: ogg([0x80, ...ascii('theora')]),
  },
  { mime: 'audio/wav', kind: 'voice', signature: '"RIFF" size "WAVE"', test: riff('WAVE') },
  { mime: 'audio/mpeg', kind: 'voice', signature: '"ID3" v2.2–2.4 tag header', test: isId3 },
  {
    mime: 'audio/mpeg',
    kind: 'voice',
    signature: 'MPEG audio frame sync FF Ex/Fx, layer II or III, valid bitrate, sample rate and emphasis',
    test: isMpegFrame,
  },
  { mime: 'audio/aac', kind: 'voice', signature: 'ADTS sync FF F0/F1/F8/F9, layer 00', test: isAdts },
  { mime: 'application/pdf', kind: 'file', signature: '"%PDF-"', test: (h) => at(h, 0, ascii('%PDF-')) },
  {
    mime: 'application/zip',
    kind: 'file',
    signature: '"PK" 03 04 (or 05 06 empty, 07 08 spanned)',
    note: 'docx, xlsx, pptx, odt, epub, jar and apk are zip archives too, and are sniffed as zip.',
    test: (h) =>
      [
        [3, 4],
        [5, 6],
        [7, 8],
      ].some(([a, b]) => at(h, 0, [0x50, 0x4b, a!, b!])),
  },
  {
    mime: 'text/plain',
    kind: 'file',
    signature: 'valid UTF-8 in the first 4 KiB, no NUL or other binary control byte',
    test: isUtf8Text,
  },
];

/** The type the bytes show, or null when no rule matches (empty, truncated or unknown data). */
export function sniffType(head: Uint8Array): SniffedType | null {
  const rule = SNIFF_TABLE.find((r) => r.test(head));
  return rule ? { mime: rule.mime, kind: rule.kind } : null;
}

export const OCTET_STREAM = 'application/octet-stream';

/**
 * Containers that may hold audio alone although the head does not say so: a voice note declared in one
 * is accepted, under the audio MIME type.
 */
const VOICE_IN_VIDEO_CONTAINER: Readonly<Record<string, string>> = {
  'video/mp4': 'audio/mp4',
  'video/webm': 'audio/webm',
  'video/x-matroska': 'audio/x-matroska',
  'video/ogg': 'audio/ogg',
};

export type DeclaredCheck =
  | { readonly ok: true; readonly kind: BlobKind; readonly mime: string }
  | {
      readonly ok: false;
      /** `kind_mismatch`: the bytes are something else; `unrecognised`: they are nothing we know. */
      readonly reason: 'kind_mismatch' | 'unrecognised';
      readonly declared: BlobKind;
      readonly sniffed: SniffedType | null;
    };

/**
 * Whether an upload may be stored as the kind its sender declared, and under which MIME type.
 * - `file` is always allowed: under the sniffed MIME type, or `application/octet-stream` when unknown.
 * - `image`, `video`, `voice` need bytes of that kind; anything else is a lie and refused, unknown bytes
 *   included (they may be sent as `file`).
 * - A voice note in a container that may hold audio alone (MP4, WebM, Matroska, Ogg) is allowed.
 */
export function checkDeclared(declared: BlobKind, sniffed: SniffedType | null): DeclaredCheck {
  if (declared === 'file') return { ok: true, kind: 'file', mime: sniffed?.mime ?? OCTET_STREAM };
  if (sniffed === null) return { ok: false, reason: 'unrecognised', declared, sniffed };
  if (sniffed.kind === declared) return { ok: true, kind: declared, mime: sniffed.mime };
  const audio = VOICE_IN_VIDEO_CONTAINER[sniffed.mime];
  if (declared === 'voice' && audio !== undefined) return { ok: true, kind: 'voice', mime: audio };
  return { ok: false, reason: 'kind_mismatch', declared, sniffed };
}
