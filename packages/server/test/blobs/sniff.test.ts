import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  checkDeclared,
  SNIFF_BYTES,
  SNIFF_TABLE,
  sniffType,
  type BlobKind,
  type SniffedType,
} from '../../src/blobs/sniff.js';

// --- building small, valid headers -----------------------------------------------------------------

type Part = string | number | readonly number[] | Uint8Array;
/** Concatenates ASCII strings, single bytes and byte arrays. */
function bytes(...parts: Part[]): Uint8Array {
  const out: number[] = [];
  for (const p of parts) {
    if (typeof p === 'string') for (const c of p) out.push(c.charCodeAt(0));
    else if (typeof p === 'number') out.push(p);
    else out.push(...p);
  }
  return Uint8Array.from(out);
}
const u32be = (n: number) => [(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];
const u32le = (n: number) => [...u32be(n)].reverse();
const zeros = (n: number) => new Array<number>(n).fill(0);

/** An ISO-BMFF `ftyp` box: major brand, minor version 0, compatible brands; then an empty `mdat`. */
const ftyp = (major: string, ...compatible: string[]) =>
  bytes(u32be(16 + 4 * compatible.length), 'ftyp', major, zeros(4), ...compatible, u32be(8), 'mdat');

/** An EBML header with the DocType, then a Tracks-ish run holding CodecID elements (0x86). */
const ebml = (docType: string, ...codecIds: string[]) =>
  bytes(
    [0x1a, 0x45, 0xdf, 0xa3, 0x9f],
    [0x42, 0x86, 0x81, 0x01],
    [0x42, 0x82, 0x80 | docType.length],
    docType,
    [0x42, 0x87, 0x81, 0x04],
    [0x18, 0x53, 0x80, 0x67, 0x01, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff],
    ...codecIds.map((c) => bytes([0xae, 0x90, 0xd7, 0x81, 0x01, 0x86, 0x80 | c.length], c)),
  );

/** A first Ogg page (27-byte header, one segment) whose packet starts with `packet`. */
const ogg = (packet: Uint8Array) =>
  bytes('OggS', 0, 0x02, zeros(8), [1, 2, 3, 4], zeros(4), zeros(4), 1, packet.length, packet);

const riff = (form: string, chunk: string) => bytes('RIFF', u32le(36), form, chunk, u32le(16), zeros(16));

const utf8 = (s: string) => new TextEncoder().encode(s);

// --- the table of cases ----------------------------------------------------------------------------

const type = (mime: string, kind: BlobKind): SniffedType => ({ mime, kind });
const PNG = type('image/png', 'image');
const JPEG = type('image/jpeg', 'image');
const GIF = type('image/gif', 'image');
const WEBP = type('image/webp', 'image');
const AVIF = type('image/avif', 'image');
const HEIC = type('image/heic', 'image');
const HEIF = type('image/heif', 'image');
const M4A = type('audio/mp4', 'voice');
const MOV = type('video/quicktime', 'video');
const MP4 = type('video/mp4', 'video');
const WEBM_AUDIO = type('audio/webm', 'voice');
const WEBM = type('video/webm', 'video');
const MKA = type('audio/x-matroska', 'voice');
const MKV = type('video/x-matroska', 'video');
const OGG_AUDIO = type('audio/ogg', 'voice');
const OGG_VIDEO = type('video/ogg', 'video');
const WAV = type('audio/wav', 'voice');
const MP3 = type('audio/mpeg', 'voice');
const AAC = type('audio/aac', 'voice');
const PDF = type('application/pdf', 'file');
const ZIP = type('application/zip', 'file');
const TEXT = type('text/plain', 'file');

const pngHeader = bytes([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], u32be(13), 'IHDR', zeros(13));
const pdfHeader = utf8('%PDF-1.7\n%\u00e2\u00e3\n1 0 obj\n');

/** [what, bytes, expected]: true cases name the type, false cases what the bytes are instead (or null). */
const cases: readonly [string, Uint8Array, SniffedType | null][] = [
  // images
  ['PNG', pngHeader, PNG],
  ['PNG with one byte wrong', bytes(pngHeader.subarray(0, 7), 0x0b, pngHeader.subarray(8)), null],
  ['JPEG (JFIF)', bytes([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10], 'JFIF', 0), JPEG],
  ['JPEG (Exif)', bytes([0xff, 0xd8, 0xff, 0xe1, 0x12, 0x34], 'Exif', 0, 0), JPEG],
  ['JPEG SOI without a marker', bytes([0xff, 0xd8, 0x00, 0xe0]), null],
  ['GIF87a', bytes('GIF87a', [0x01, 0x00, 0x01, 0x00, 0x80, 0x00, 0x00]), GIF],
  ['GIF89a', bytes('GIF89a', [0x01, 0x00, 0x01, 0x00, 0x80, 0x00, 0x00]), GIF],
  ['"GIF88a" is just text', utf8('GIF88a is not a version'), TEXT],
  ['WebP', riff('WEBP', 'VP8 '), WEBP],
  ['RIFF of another form (AVI)', riff('AVI ', 'LIST'), null],
  ['AVIF (major avif)', ftyp('avif', 'avif', 'mif1', 'miaf', 'MA1B'), AVIF],
  ['AVIF (major mif1, compatible avif)', ftyp('mif1', 'mif1', 'avif', 'miaf'), AVIF],
  ['HEIC (iPhone)', ftyp('heic', 'mif1', 'heic'), HEIC],
  ['HEIC (major mif1, compatible heic)', ftyp('mif1', 'mif1', 'heic'), HEIC],
  ['HEIF (mif1 only)', ftyp('mif1', 'mif1', 'miaf'), HEIF],
  // ISO media
  ['M4A (iTunes)', ftyp('M4A ', 'M4A ', 'mp42', 'isom'), M4A],
  ['M4B (audiobook)', ftyp('M4B ', 'M4B ', 'mp42'), M4A],
  ['QuickTime MOV', ftyp('qt  ', 'qt  '), MOV],
  ['MP4 (isom)', ftyp('isom', 'isom', 'iso2', 'avc1', 'mp41'), MP4],
  ['MP4 (mp42)', ftyp('mp42', 'mp42', 'isom'), MP4],
  ['MP4 (iso5, as Safari records)', ftyp('iso5', 'iso5', 'iso6', 'mp41'), MP4],
  ['ftyp of an unknown brand', ftyp('abcd', 'abcd'), null],
  ['ftyp box claiming 8 bytes', bytes(u32be(8), 'ftyp', 'isom', zeros(4)), null],
  ['ftyp box of a size not a multiple of 4', bytes(u32be(18), 'ftyp', 'isom', zeros(4), 'is'), null],
  // EBML
  ['WebM video (VP9 + Opus)', ebml('webm', 'V_VP9', 'A_OPUS'), WEBM],
  ['WebM audio only (MediaRecorder voice)', ebml('webm', 'A_OPUS'), WEBM_AUDIO],
  ['WebM with no Tracks in the head', ebml('webm'), WEBM],
  ['Matroska video', ebml('matroska', 'V_MPEG4/ISO/AVC', 'A_AAC'), MKV],
  ['Matroska audio only', ebml('matroska', 'A_FLAC'), MKA],
  ['EBML of another DocType', ebml('divx'), null],
  ['EBML magic alone', bytes([0x1a, 0x45, 0xdf, 0xa3]), null],
  // Ogg
  ['Ogg Opus', ogg(bytes('OpusHead', 1, 2, zeros(10))), OGG_AUDIO],
  ['Ogg Vorbis', ogg(bytes(0x01, 'vorbis', zeros(22))), OGG_AUDIO],
  ['Ogg Theora', ogg(bytes(0x80, 'theora', zeros(35))), OGG_VIDEO],
  ['Ogg of an unknown codec', ogg(bytes('Speex   ', zeros(20))), null],
  ['Ogg page cut before its packet', ogg(bytes('OpusHead')).subarray(0, 30), null],
  // other audio
  ['WAV', riff('WAVE', 'fmt '), WAV],
  ['MP3 with ID3v2.3 tag', bytes('ID3', 3, 0, 0, [0x00, 0x00, 0x1f, 0x76], 'TIT2'), MP3],
  ['MP3 with ID3v2.4 tag', bytes('ID3', 4, 0, 0, [0x00, 0x00, 0x02, 0x01], 'TXXX'), MP3],
  ['"ID3" of an unknown version', bytes('ID3', 9, 0, 0, zeros(4)), null],
  ['ID3 with a size that is not syncsafe', bytes('ID3', 3, 0, 0, [0x00, 0x80, 0x00, 0x00]), null],
  ['MP3 frame (MPEG-1 layer III, 128 kbit/s, 44.1 kHz)', bytes([0xff, 0xfb, 0x90, 0x64], zeros(8)), MP3],
  ['MP3 frame (MPEG-2 layer III)', bytes([0xff, 0xf3, 0x84, 0xc4], zeros(8)), MP3],
  ['frame sync with a bad bitrate', bytes([0xff, 0xfb, 0xf0, 0x64], zeros(8)), null],
  ['frame sync with the reserved version', bytes([0xff, 0xeb, 0x90, 0x64], zeros(8)), null],
  ['MP2 frame (MPEG-1 layer II)', bytes([0xff, 0xfd, 0x90, 0x64], zeros(8)), MP3],
  ['frame sync of layer I (also the UTF-16LE BOM)', bytes([0xff, 0xfe, 0x90, 0x64], zeros(8)), null],
  ['frame sync with reserved emphasis', bytes([0xff, 0xfb, 0x90, 0x66], zeros(8)), null],
  ['frame sync with the reserved sample rate', bytes([0xff, 0xfb, 0x9c, 0x64], zeros(8)), null],
  ['AAC (ADTS, MPEG-4)', bytes([0xff, 0xf1, 0x50, 0x80, 0x02, 0x1f, 0xfc]), AAC],
  ['AAC (ADTS, MPEG-2)', bytes([0xff, 0xf9, 0x50, 0x80, 0x02, 0x1f, 0xfc]), AAC],
  ['ADTS with a reserved frequency index', bytes([0xff, 0xf1, 0x74, 0x80, 0x02, 0x1f, 0xfc]), null],
  // documents
  ['PDF', pdfHeader, PDF],
  ['"%PDF" without its dash is just text', utf8('%PDF is a format'), TEXT],
  ['ZIP (also docx, xlsx, …)', bytes('PK', 3, 4, 20, 0, zeros(8), '[Content_Types].xml'), ZIP],
  ['ZIP, empty archive', bytes('PK', 5, 6, zeros(18)), ZIP],
  ['"PK" then other bytes', bytes('PK', 3, 5, zeros(4)), null],
  // text
  ['ASCII text', utf8('hello, world\r\n\tindented\n'), TEXT],
  ['UTF-8 text (CJK, emoji, BOM)', utf8('\ufeff你好，撤回 🙈\n'), TEXT],
  ['SVG is text, not an image', utf8('<svg xmlns="http://www.w3.org/2000/svg"><script/></svg>'), TEXT],
  ['text with ANSI colours', utf8('\u001b[31mred\u001b[0m\n'), TEXT],
  ['invalid UTF-8', bytes('abc', 0xc3, 0x28, 'def'), null],
  ['overlong UTF-8', bytes('abc', 0xc0, 0xaf), null],
  ['UTF-8 encoded surrogate', bytes('abc', 0xed, 0xa0, 0x80), null],
  ['text with a NUL', bytes('abc', 0, 'def'), null],
  ['text with a binary control byte', bytes('abc', 0x01, 'def'), null],
  ['UTF-16 text (NULs)', bytes(0xff, 0xfe, 'h', 0, 'i', 0), null],
  ['a short blob ending mid-character', utf8('你好').subarray(0, 5), null],
  ['4 KiB of text cut mid-character at the limit', utf8('a'.repeat(SNIFF_BYTES - 1) + '好'), TEXT],
  ['text whose binary part starts past 4 KiB', bytes('a'.repeat(SNIFF_BYTES), 0, 0xff), TEXT],
  // nothing
  ['empty input', new Uint8Array(0), null],
  ['random binary', bytes([0x13, 0x37, 0x00, 0xde, 0xad, 0xbe, 0xef]), null],
];

describe('sniffType', () => {
  for (const [what, head, expected] of cases) {
    it(`${what} → ${expected ? expected.mime : 'unknown'}`, () => {
      assert.deepEqual(sniffType(head), expected);
    });
  }

  it('has a true case above for every rule of the table', () => {
    for (const rule of SNIFF_TABLE) {
      const hit = cases.find(([, head, expected]) => expected?.mime === rule.mime && rule.test(head));
      assert.ok(hit, `no positive case for ${rule.mime} (${rule.signature})`);
    }
  });

  it('never takes a truncated header for a different binary type', () => {
    // What a head cut before its telling bytes may fairly read as: the wider family it belongs to.
    const wider: Readonly<Record<string, string>> = {
      'image/avif': 'image/heif',
      'image/heic': 'image/heif',
      'audio/webm': 'video/webm',
      'audio/x-matroska': 'video/x-matroska',
    };
    for (const [what, head, expected] of cases) {
      if (expected === null || expected === TEXT) continue;
      for (let n = 0; n < head.length; n++) {
        const got = sniffType(head.subarray(0, n));
        if (got === null || got.mime === TEXT.mime || got.mime === expected.mime) continue;
        assert.equal(got.mime, wider[expected.mime], `${what} cut to ${n} bytes sniffed as ${got.mime}`);
      }
    }
  });

  it('looks at the head only: trailing bytes never change a binary verdict', () => {
    for (const [what, head, expected] of cases) {
      if (expected === null || expected === TEXT) continue;
      const longer = bytes(head, new Uint8Array(10_000).fill(0xaa));
      assert.deepEqual(sniffType(longer), expected, what);
    }
  });
});

describe('checkDeclared', () => {
  const rows: readonly [string, BlobKind, SniffedType | null, ReturnType<typeof checkDeclared>][] = [
    ['an image that is one', 'image', PNG, { ok: true, kind: 'image', mime: 'image/png' }],
    ['an iPhone photo', 'image', HEIC, { ok: true, kind: 'image', mime: 'image/heic' }],
    ['a video that is one', 'video', MP4, { ok: true, kind: 'video', mime: 'video/mp4' }],
    ['a voice note in Ogg Opus', 'voice', OGG_AUDIO, { ok: true, kind: 'voice', mime: 'audio/ogg' }],
    ['a voice note in audio-only WebM', 'voice', WEBM_AUDIO, { ok: true, kind: 'voice', mime: 'audio/webm' }],
    ['a voice note in WebM whose tracks are past the head', 'voice', WEBM, ok('voice', 'audio/webm')],
    ['a voice note in MP4 (Safari)', 'voice', MP4, ok('voice', 'audio/mp4')],
    ['a voice note in Matroska', 'voice', MKV, ok('voice', 'audio/x-matroska')],
    ['a voice note in an Ogg container', 'voice', OGG_VIDEO, ok('voice', 'audio/ogg')],
    ['a PDF as a file', 'file', PDF, ok('file', 'application/pdf')],
    ['a PNG as a file', 'file', PNG, ok('file', 'image/png')],
    ['unknown bytes as a file', 'file', null, ok('file', 'application/octet-stream')],
    ['text as a file', 'file', TEXT, ok('file', 'text/plain')],
    // lies
    ['an "image" that is a PDF', 'image', PDF, lie('image', PDF)],
    ['a "voice" note that is a PNG', 'voice', PNG, lie('voice', PNG)],
    ['an "image" that is SVG text', 'image', TEXT, lie('image', TEXT)],
    ['an "image" that is a ZIP', 'image', ZIP, lie('image', ZIP)],
    ['a "video" that is a GIF', 'video', GIF, lie('video', GIF)],
    ['a "video" that is audio-only WebM', 'video', WEBM_AUDIO, lie('video', WEBM_AUDIO)],
    ['a "video" that is an M4A', 'video', M4A, lie('video', M4A)],
    ['a "voice" note in a QuickTime movie', 'voice', MOV, lie('voice', MOV)],
    ['a "voice" note that is a JPEG', 'voice', JPEG, lie('voice', JPEG)],
    // unknown
    ['an "image" of unknown bytes', 'image', null, unknown('image')],
    ['a "video" of unknown bytes', 'video', null, unknown('video')],
    ['a "voice" note of unknown bytes', 'voice', null, unknown('voice')],
  ];
  function ok(kind: BlobKind, mime: string) {
    return { ok: true, kind, mime } as const;
  }
  function lie(declared: BlobKind, sniffed: SniffedType) {
    return { ok: false, reason: 'kind_mismatch', declared, sniffed } as const;
  }
  function unknown(declared: BlobKind) {
    return { ok: false, reason: 'unrecognised', declared, sniffed: null } as const;
  }

  for (const [what, declared, sniffed, expected] of rows) {
    it(`${what}: ${expected.ok ? `allowed as ${expected.mime}` : `refused (${expected.reason})`}`, () => {
      assert.deepEqual(checkDeclared(declared, sniffed), expected);
    });
  }

  it('end to end: a PDF declared as an image is refused, the same PDF as a file allowed', () => {
    assert.equal(checkDeclared('image', sniffType(pdfHeader)).ok, false);
    assert.deepEqual(checkDeclared('file', sniffType(pdfHeader)), ok('file', 'application/pdf'));
    assert.equal(checkDeclared('voice', sniffType(pngHeader)).ok, false);
  });
});
